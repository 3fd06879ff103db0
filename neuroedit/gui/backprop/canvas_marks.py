"""The step-through on the layer graph: the current node outlined, its wires glowing, numbers under nodes.

Marks are extra graphics items in the canvas scene, owned here and replaced on every
step; they never touch the document or the canvas's own items.
"""

from __future__ import annotations

import numpy as np
import shiboken6
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsRectItem, QGraphicsSimpleTextItem

from .neuron_items import GLOW, GRAD_COLOR
from .walkthrough_player import WalkthroughPlayer

MAX_SHOWN_VALUES = 3


class CanvasMarks:
    def __init__(self, scene, player: WalkthroughPlayer) -> None:
        self.scene = scene
        self.player = player
        self.items: list[QGraphicsItem] = []
        self.enabled = True
        player.changed.connect(self.refresh)
        player.step_changed.connect(lambda i: self.refresh())

    def clear(self) -> None:
        for item in self.items:
            if shiboken6.isValid(item) and item.scene() is not None:
                item.scene().removeItem(item)
        self.items = []

    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        self.refresh()

    def refresh(self) -> None:
        self.clear()
        w, step = self.player.walk, self.player.step
        if not self.enabled or w is None or step is None:
            return
        vis = self.player.visible()
        nodes = w.nodes if not step.sample else w.nodes_for(step.sample)
        h = step.highlight
        for edge, wire in self.scene.wire_items.items():
            if (edge.src, edge.dst) in h.edges:
                glow = QGraphicsPathItem(wire.path())
                glow.setPen(QPen(GLOW, 9, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
                self._add(glow, -2)
        for node_id, item in self.scene.node_items.items():
            rect = item.sceneBoundingRect()
            if node_id == h.node:
                outline = QGraphicsRectItem(rect.adjusted(-6, -6, 6, 6))
                outline.setPen(QPen(QColor("#f0a500"), 3.0))
                outline.setBrush(QBrush(QColor(255, 196, 0, 40)))
                self._add(outline, -1)
            lines = []
            n = nodes.get(node_id)
            if n is not None:
                shown = [u for u in range(n.value.size) if (node_id, u) in vis.values]
                if shown:
                    lines.append(("= " + _numbers(w, n.value.ravel(), shown), QColor(self.scene.colors.text)))
                grads = [u for u in range(n.value.size) if (node_id, u) in vis.grads]
                if grads and n.grad is not None:
                    lines.append((f"∂{w.objective}/∂{node_id} = " + _numbers(w, n.grad.ravel(), grads), GRAD_COLOR))
            elif (
                vis.loss
                and self.scene.doc.nodes.get(node_id) is not None
                and self.scene.doc.nodes[node_id].type == "Loss"
            ):
                lines.append((f"{w.objective} = {w.number(w.loss)}", QColor(self.scene.colors.text)))
            self._labels(lines, rect)

    def _labels(self, lines, rect: QRectF) -> None:
        y = rect.bottom() + 4
        font = QFont()
        font.setPointSizeF(9.0)
        font.setBold(True)
        for text, color in lines:
            label = QGraphicsSimpleTextItem(text)
            label.setFont(font)
            label.setBrush(QBrush(color))
            r = label.boundingRect()
            back = QGraphicsRectItem(QRectF(rect.center().x() - r.width() / 2 - 5, y, r.width() + 10, r.height() + 2))
            back.setPen(QPen(color, 1.0))
            back.setBrush(QBrush(QColor(self.scene.colors.card)))
            self._add(back, 3)
            label.setPos(rect.center().x() - r.width() / 2, y + 1)
            self._add(label, 4)
            y += r.height() + 5

    def _add(self, item: QGraphicsItem, z: float) -> None:
        item.setZValue(z)
        item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        item.setAcceptHoverEvents(False)
        self.scene.addItem(item)
        self.items.append(item)


def _numbers(w, values: np.ndarray, units: list[int]) -> str:
    shown = [w.number(values[u]) for u in units[:MAX_SHOWN_VALUES]]
    more = f", … ({len(units) - MAX_SHOWN_VALUES} more)" if len(units) > MAX_SHOWN_VALUES else ""
    text = ", ".join(shown) + more
    return f"[{text}]" if len(units) > 1 else text
