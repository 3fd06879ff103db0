"""The node palette: every registry type, grouped, searchable; drag onto the canvas or double-click to add."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QColor, QDrag, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ..model import GROUPS, REGISTRY
from .canvas.view import NODE_MIME

TYPE_ROLE = Qt.ItemDataRole.UserRole + 1


def _swatch(color: QColor) -> QIcon:
    pix = QPixmap(14, 14)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(color)
    p.setPen(color.darker(130))
    p.drawRoundedRect(1, 1, 12, 12, 3, 3)
    p.end()
    return QIcon(pix)


def node_mime(type_name: str) -> QMimeData:
    """What a palette drag carries; the canvas adds a node of this type where it is dropped."""
    mime = QMimeData()
    mime.setData(NODE_MIME, type_name.encode("utf-8"))
    mime.setText(type_name)
    return mime


def run_drag(drag: QDrag) -> Qt.DropAction:
    """Hand the drag to the platform (a nested event loop until the drop).

    The one place a palette drag leaves our code: tests replace it to catch the QDrag built from
    real mouse input, as offscreen Qt ends every drag at once without a drop.
    """
    return drag.exec(Qt.DropAction.CopyAction)


class _TypeTree(QTreeWidget):
    """A tree whose leaf items start a drag carrying the node type name."""

    def startDrag(self, actions) -> None:
        item = self.currentItem()
        type_name = item.data(0, TYPE_ROLE) if item is not None else None
        if not type_name:
            return
        drag = QDrag(self)
        drag.setMimeData(node_mime(type_name))
        drag.setPixmap(item.icon(0).pixmap(16, 16))
        run_drag(drag)


class Palette(QWidget):
    """Emits `add_requested(type_name)` on double-click or Enter (the window adds at the view centre)."""

    add_requested = Signal(str)

    def __init__(self, colors, parent=None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search nodes…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.tree = _TypeTree()
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(10)
        self.tree.setUniformRowHeights(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self._build(colors)
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self._add_first_visible)
        self.tree.itemActivated.connect(self._activated)

    def _build(self, colors) -> None:
        self.tree.clear()
        self.group_items: dict[str, QTreeWidgetItem] = {}
        for group in GROUPS:
            types = [t for t in REGISTRY.values() if t.group == group]
            if not types:
                continue
            head = QTreeWidgetItem([group])
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            self.tree.addTopLevelItem(head)
            self.group_items[group] = head
            icon = _swatch(colors.groups.get(group, colors.muted))
            for t in types:
                item = QTreeWidgetItem([t.display_name])
                item.setData(0, TYPE_ROLE, t.name)
                item.setIcon(0, icon)
                item.setToolTip(
                    0,
                    f"<b>{t.display_name}</b> ({t.group})<br>{_html(t.description)}"
                    "<br><i>Drag onto the canvas, or double-click to add.</i>",
                )
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)
                head.addChild(item)
            head.setExpanded(True)

    def filter(self, text: str) -> None:
        """Show types whose name, group or description contains every word of `text`."""
        words = text.lower().split()
        for head in self.group_items.values():
            shown = 0
            for i in range(head.childCount()):
                item = head.child(i)
                t = REGISTRY[item.data(0, TYPE_ROLE)]
                hay = f"{t.name} {t.display_name} {t.group} {t.description}".lower()
                visible = all(w in hay for w in words)
                item.setHidden(not visible)
                shown += visible
            head.setHidden(shown == 0)

    def visible_types(self) -> list[str]:
        return [
            head.child(i).data(0, TYPE_ROLE)
            for head in self.group_items.values()
            if not head.isHidden()
            for i in range(head.childCount())
            if not head.child(i).isHidden()
        ]

    def _activated(self, item: QTreeWidgetItem, column: int) -> None:
        type_name = item.data(0, TYPE_ROLE)
        if type_name:
            self.add_requested.emit(type_name)

    def _add_first_visible(self) -> None:
        types = self.visible_types()
        if types and self.search.text().strip():
            self.add_requested.emit(types[0])


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
