"""The editor window, and the one place where it is composed: `MainWindow._compose`.

`_compose` builds every part of the window and connects them, top to bottom: the file
controller, the layer-graph editor and its panels, the window's commands (actions, menus,
toolbar, status bar), then each feature. A feature is a typed object that gets only what it
uses (the document, the scene, the dock host `add_panel`/`show_panel`, a menu, `show_status`,
the file controller's signals), never the window, and it is kept in a typed field.

Adding a feature is one block at the end of `_compose`: build it, place its panel (`add_panel`
also lists it in View › Panels and remembers its layout under the key), add its actions to a menu
(`self._add_commands(actions, self.menus["file"])`: shortcuts work wherever the focus is), and
connect it to the document's life (`files.document_opened` for New/Open), e.g.

    self.evaluation = EvaluationPanel(self.doc)
    self.add_panel("evaluation", "Evaluation", self.evaluation, Qt.DockWidgetArea.RightDockWidgetArea,
                   tabify_with="training")
    self.files.document_opened.connect(self.evaluation.follow)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFrame,
    QLabel,
    QMainWindow,
    QMenu,
    QScrollArea,
    QToolBar,
    QWidget,
)

from ..data import DataError, dataset_record
from ..model import Document, EditError, analyze
from . import clipboard, theme, window_layout
from .backprop import Backprop
from .binding import DocBinding
from .canvas import Canvas, GraphScene
from .canvas.layout import auto_layout
from .data_download import DataDownloadOffer
from .data_panel import DataPanel
from .descent import Descent, install_descent
from .evaluation import install_evaluation
from .evaluation.attach import EvaluationController
from .file_controller import FileController
from .help_dialog import ShortcutsDialog
from .help_pages import add_help_pages
from .history_panel import HistoryPanel
from .inspector import Inspector
from .interop_actions import InteropActions, install_interop
from .loss_picker import LossPicker
from .palette import Palette
from .problems_panel import ProblemsPanel
from .shortcuts import SHORTCUTS, sequences
from .summary_panel import SummaryPanel
from .training.controller import TrainingController
from .training.dashboard import Dashboard
from .training.feature import TrainingFeature
from .training.feedback import TrainingFeedback
from .training.overlay import CanvasOverlay
from .training.panel import TrainingPanel
from .window_layout import STATE_VERSION

ICON_PATH = Path(__file__).resolve().parent.parent / "resources" / "icons" / "neuroedit.svg"
LEFT, RIGHT, BOTTOM = (
    Qt.DockWidgetArea.LeftDockWidgetArea,
    Qt.DockWidgetArea.RightDockWidgetArea,
    Qt.DockWidgetArea.BottomDockWidgetArea,
)


class MainWindow(QMainWindow):
    """One document at a time; every part is built in `_compose`."""

    node_dropped = Signal(str)  # a node the user just added from the palette (not by undo, paste or a script)

    def __init__(
        self,
        doc: Document | None = None,
        path: str | None = None,
        recovery_folder: Path | None = None,
        restore_layout: bool = True,
    ) -> None:
        super().__init__()
        self.doc = doc or Document()
        self.colors = theme.canvas_colors()
        self.setWindowIcon(QIcon(str(ICON_PATH)))
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)
        self._binding = DocBinding()
        self._paste_count = 0
        self._layout_restored = False
        self.docks: dict[str, QDockWidget] = {}
        self.actions: dict[str, QAction] = {}
        self.panels_menu = QMenu("Panels", self)  # View › Panels: add_panel lists every dock here
        self.new_node_params: dict[str, Callable[[], dict]] = {}  # type -> parameters a dropped node starts with
        self._compose(recovery_folder)
        window_layout.place_on_screen(self)  # sized from the screen's available area
        self.default_state = self.saveState(STATE_VERSION)  # what View › Reset layout returns to
        if restore_layout:
            self._restore_layout()
        if path:
            self.files.path = str(Path(path).resolve())
        self.set_document(self.doc)

    # ------------------------------------------------------------------ composition
    def _compose(self, recovery_folder: Path | None) -> None:
        """Build every part of the window and connect them; a new feature is one more block at the end."""
        # The file the document comes from: New/Open/Save, autosave, recent files. Panels follow New/Open.
        self.files = FileController(self, recovery_folder)
        self.files.document_opened.connect(lambda doc, path: self.set_document(doc))
        self.files.state_changed.connect(self.update_title)
        self.files.state_changed.connect(self._update_data_folder)

        # The layer-graph editor: canvas, node palette, data set, inspector, history, problems, summary.
        self.scene = GraphScene(self.doc, self.colors, self)
        self.canvas = Canvas(self.scene)
        self.palette = Palette(self.colors)
        self.data_panel = DataPanel(self)
        self.inspector = Inspector(self.doc, self.colors)
        self.history_panel = HistoryPanel(self.doc)
        self.problems = ProblemsPanel(self.doc)
        self.summary = SummaryPanel(self.doc)
        self.add_panel("palette", "Nodes", self.palette, LEFT)
        self.add_panel("data", "Data", _scrolling(self.data_panel), LEFT, tabify_with="palette")
        self.add_panel("inspector", "Inspector", self.inspector, RIGHT)
        self.add_panel("history", "History", self.history_panel, RIGHT, tabify_with="inspector")
        self.add_panel("problems", "Problems", self.problems, BOTTOM)
        self.add_panel("summary", "Summary", self.summary, BOTTOM, tabify_with="problems")
        for key in ("problems", "inspector", "palette"):
            self.docks[key].raise_()
        self.data_panel.spec_chosen.connect(self.choose_dataset)
        self._follow_system_theme()

        # The window's commands: actions, menus, toolbar, status bar.
        self._make_actions()
        self._make_menus()
        self._make_toolbar()
        self._make_status_bar()
        self._connect_widgets()

        # Live training: the Train action, the Training panel, live plots, weights on the canvas.
        # The controller takes the window for its document, file folder, dirty flag and status line.
        self.training: TrainingController = TrainingController(self)
        training = TrainingFeature(self.training, self.colors, self.scene, self.statusBar(), self)
        self.training_panel: TrainingPanel = training.panel
        self.dashboard: Dashboard = training.dashboard
        self.training_overlay: CanvasOverlay = training.overlay
        training.place(self)
        train = self._action("train", self.training.train)
        self.menus["network"].addAction(train)
        self.toolbar.addSeparator()
        self.toolbar.addAction(train)
        self.problems.count_changed.connect(lambda errors, warnings: self.update_train_action())
        self.update_train_action()
        self.files.document_opened.connect(training.follow)
        self.files.about_to_write.connect(self.training.commit)  # a save stores what is trained so far

        # Evaluation: the Evaluation and Runs docks beside the training plots, run recording, Compare….
        # Before backprop, so the Step-through dock keeps its front tab.
        self.evaluation: EvaluationController = install_evaluation(self)

        # Backpropagation: Layer graph | Neuron view tabs, the Step-through / Gradient-check dock.
        self.backprop = Backprop(self.doc, self.scene, self.canvas, self.colors, self.files.folder, self)
        self.setCentralWidget(self.backprop.tabs)
        self.backprop.place(self)
        self._add_commands(self.backprop.actions, self.menus["view"])
        self.backprop.status_message.connect(self.show_status)
        self.files.document_opened.connect(self.backprop.follow)
        # 2-D inputs: each neuron shows its heat map over the input plane, live
        self.training.plane_changed.connect(self.backprop.neuron_scene.set_plane)
        self.training.chunk_received.connect(self.backprop.neuron_scene.on_chunk)
        self.training.history_restored.connect(self.backprop.neuron_scene.clear_boundary)

        # Data download: offers MNIST / Fashion-MNIST when an opened document needs it and it is missing.
        self.data_download = DataDownloadOffer(self._dataset_spec, self.files.folder, self.show_status, self)
        self.data_download.downloaded.connect(self._show_dataset)
        self.files.document_opened.connect(lambda doc, path: QTimer.singleShot(0, self.data_download.check))

        # Interoperability: File › Export… (ONNX, PyTorch, Keras) and File › Import ONNX….
        self.interop: InteropActions = install_interop(self)

        # A dropped Loss picks the loss that fits the data set and the output it is connected to.
        self.loss_picker = LossPicker(self.doc, self.show_status)
        self.new_node_params["Loss"] = self.loss_picker.new_loss_params
        self.node_dropped.connect(self.loss_picker.dropped)
        self.data_panel.dataset_loaded.connect(self.loss_picker.data_loaded)
        self.files.document_opened.connect(self.loss_picker.follow)

        # "Cannot train" where the user looks (status bar, the panel with the fix); the Train action's state.
        self.training_feedback = TrainingFeedback(
            self.training, self.statusBar(), self.actions["train"], self.colors.error, self.show_panel
        )
        self.files.document_opened.connect(self.training_feedback.follow)

        # Gradient descent: Loss-along-weight dock, Gradient Descent menu (loss surface, optimizer race),
        # activation curves and the weight matrix in the inspector; follows training and the step-through.
        self.descent: Descent = install_descent(self)

    # ------------------------------------------------------------------ panels (the dock host)
    def add_panel(
        self, key: str, title: str, widget: QWidget, area: Qt.DockWidgetArea, tabify_with: str | None = None
    ) -> QDockWidget:
        """Dock `widget` and list it in View › Panels; its layout is remembered (the dock's objectName is `key`)."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{key}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        if tabify_with in self.docks:
            self.tabifyDockWidget(self.docks[tabify_with], dock)
        self.docks[key] = dock
        self.panels_menu.addAction(dock.toggleViewAction())
        return dock

    def show_panel(self, key: str) -> None:
        """Show the dock and bring it to the front of its tabs."""
        dock = self.docks[key]
        dock.show()
        dock.raise_()

    def choose_dataset(self, spec: str) -> None:
        """Store the data set as a record (spec plus, for files, path/size/SHA-256) so a moved file is noticed."""
        try:
            record = dataset_record(spec, self.files.folder())
        except (DataError, OSError, ValueError) as e:
            self.show_status(f"Cannot use {spec}: {e}")
            return
        try:
            self.doc.set_dataset(record)
        except EditError as e:
            self.show_status(str(e))

    # ------------------------------------------------------------------ document
    def set_document(self, doc: Document) -> None:
        """Show `doc` in every panel (after New/Open/restore)."""
        self.doc = doc
        self._update_data_folder()
        self.scene.set_document(doc)
        self.inspector.set_document(doc)
        self.problems.set_document(doc)
        self.summary.set_document(doc)
        self.history_panel.set_document(doc)
        ev = doc.events
        self._binding.bind(
            doc,
            [
                (ev.history_changed, self._update_edit_actions),
                (ev.clean_changed, lambda clean: self.update_title()),
                (ev.settings_changed, self._on_settings_changed),
            ],
        )
        self._show_dataset()
        self._update_edit_actions()
        self.update_title()
        self.canvas.frame_all()

    def update_title(self) -> None:
        dirty = self.files.is_dirty()
        self.setWindowTitle(f"{self.files.display_name()}{'*' if dirty else ''} — NeuroEdit")

    def _update_data_folder(self) -> None:
        """Relative data-set paths (e.g. an IDX folder) are looked up next to the open file."""
        self.data_panel.set_base_dir(self.files.folder())

    def _dataset_spec(self) -> str | None:
        return self.doc.dataset.get("spec") if self.doc.dataset else None

    def _show_dataset(self) -> None:
        self.data_panel.set_spec(self._dataset_spec())

    def _on_settings_changed(self, name: str, old, new) -> None:
        if name == "dataset":
            self._show_dataset()

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)

    # ------------------------------------------------------------------ actions
    def _action(self, key: str, slot, checkable: bool = False, tip: str = "") -> QAction:
        text, _ = SHORTCUTS[key]
        action = QAction(text, self)
        action.setObjectName(f"action_{key}")
        action.setShortcuts(sequences(key))
        action.setCheckable(checkable)
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        self.actions[key] = action
        return action

    def _add_commands(self, actions: dict[str, QAction], menu: QMenu) -> None:
        """A feature's actions: in `menu` after a separator, and their shortcuts work wherever the focus is."""
        menu.addSeparator()
        for key, action in actions.items():
            self.addAction(action)
            self.actions[key] = action
            menu.addAction(action)

    def _make_actions(self) -> None:
        f = self.files
        self._action("new", lambda: f.new(), tip="Start from a template")
        self._action("open", lambda: f.open(), tip="Open a .nedit file")
        self._action("save", lambda: f.save())
        self._action("save_as", lambda: f.save_as())
        self._action("quit", self.close)
        self._action("undo", lambda: self.doc.history.undo())
        self._action("redo", lambda: self.doc.history.redo())
        self._action("cut", self.cut)
        self._action("copy", self.copy)
        self._action("paste", self.paste)
        self._action("duplicate", self.duplicate)
        self._action("delete", self.delete_selection)
        self._action("select_all", lambda: self.scene.select_nodes(self.doc.nodes))
        self._action("history", self._show_history)
        self._action("frame_all", self.canvas.frame_all, tip="Fit the whole network in view")
        self._action("zoom_in", lambda: self.canvas.zoom_by(1.25))
        self._action("zoom_out", lambda: self.canvas.zoom_by(0.8))
        self._action("reset_zoom", self.canvas.reset_zoom)
        self._action("auto_layout", self.auto_layout, tip="Arrange nodes left to right by depth")
        snap = self._action("snap", lambda on: setattr(self.scene, "snap_to_grid", on), checkable=True)
        snap.setChecked(True)
        self._action("find_node", self._focus_palette_search)
        self._action("shortcuts", lambda: ShortcutsDialog(self).exec())

    def _make_menus(self) -> None:
        bar = self.menuBar()
        a = self.actions
        file_menu = bar.addMenu("&File")
        file_menu.addActions([a["new"], a["open"]])
        self.recent_menu = QMenu("Open &Recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addActions([a["save"], a["save_as"]])
        file_menu.addSeparator()
        file_menu.addAction(a["quit"])
        edit = bar.addMenu("&Edit")
        edit.addActions([a["undo"], a["redo"], a["history"]])
        edit.addSeparator()
        edit.addActions([a["cut"], a["copy"], a["paste"], a["duplicate"], a["delete"]])
        edit.addSeparator()
        edit.addAction(a["select_all"])
        view = bar.addMenu("&View")
        view.addActions([a["frame_all"], a["zoom_in"], a["zoom_out"], a["reset_zoom"]])
        view.addSeparator()
        view.addActions([a["auto_layout"], a["snap"], a["find_node"]])
        view.addSeparator()
        view.addMenu(self.panels_menu)
        view.addAction(window_layout.reset_action(self))
        net = bar.addMenu("&Network")
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(a["shortcuts"])
        self.help_actions = add_help_pages(self, help_menu)  # Getting started, About
        self.menus = {"file": file_menu, "edit": edit, "view": view, "network": net, "help": help_menu}

    def _make_toolbar(self) -> None:
        bar = QToolBar("Main", self)
        bar.setObjectName("toolbar_main")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        a = self.actions
        for key in ("new", "open", "save", None, "undo", "redo", None, "frame_all", "auto_layout"):
            if key is None:
                bar.addSeparator()
            else:
                bar.addAction(a[key])
        a["undo"].setIconText("Undo")
        a["redo"].setIconText("Redo")
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.toolbar = bar

    def _make_status_bar(self) -> None:
        self.problem_label = QLabel()
        self.zoom_label = QLabel()
        self.statusBar().addPermanentWidget(self.problem_label)
        self.statusBar().addPermanentWidget(self.zoom_label)

    def _connect_widgets(self) -> None:
        self.scene.selectionChanged.connect(self._selection_changed)
        self.scene.status_message.connect(self.show_status)
        self.inspector.status_message.connect(self.show_status)
        self.canvas.add_requested.connect(self.add_node_at)
        self.canvas.files_dropped.connect(self._open_dropped)
        self.canvas.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f}%"))
        self.palette.add_requested.connect(lambda t: self.add_node_at(t, self.canvas.view_centre()))
        self.problems.node_activated.connect(self.reveal_node)
        self.problems.count_changed.connect(self._problems_counted)

    # ------------------------------------------------------------------ editing
    def add_node_at(self, type_name: str, scene_pos: QPointF) -> str | None:
        try:
            params = self.new_node_params.get(type_name, dict)()
            node_id = self.doc.add_node(type_name, params, pos=self.scene.snap(scene_pos.x(), scene_pos.y()))
        except EditError as e:
            self.show_status(str(e))
            return None
        self.node_dropped.emit(node_id)
        self.scene.select_nodes([node_id])
        self.canvas.setFocus()
        return node_id

    def delete_selection(self) -> None:
        ids = self.scene.selected_node_ids()
        edges = [e for e in self.scene.selected_edges() if e.src not in ids and e.dst not in ids]
        if not ids and not edges:
            return
        with self.doc.history.macro(
            f"Delete {len(ids) + len(edges)} items"
            if len(ids) + len(edges) > 1
            else (f"Delete {ids[0]}" if ids else f"Disconnect {edges[0]}")
        ):
            for e in edges:
                self.doc.disconnect(e)
            if ids:
                self.doc.remove_nodes(ids)

    def copy(self) -> bool:
        ids = self.scene.selected_node_ids()
        if not ids:
            self.show_status("Select nodes to copy")
            return False
        clipboard.put_fragment(self.doc.copy_fragment(ids))
        self._paste_count = 0
        self.show_status(f"Copied {len(ids)} node{'s' if len(ids) > 1 else ''}")
        return True

    def cut(self) -> None:
        if self.copy():
            self.doc.remove_nodes(self.scene.selected_node_ids())

    def paste(self) -> None:
        try:
            fragment = clipboard.get_fragment()
        except clipboard.FragmentError as e:
            self.show_status(f"Cannot paste: {e}")
            return
        self._paste_count += 1
        self._paste(fragment, 40.0 * self._paste_count)

    def duplicate(self) -> None:
        ids = self.scene.selected_node_ids()
        if ids:
            self._paste(self.doc.copy_fragment(ids), 40.0)

    def _paste(self, fragment: dict, offset: float) -> None:
        try:
            new_ids = self.doc.paste(fragment, (offset, offset))
        except (EditError, KeyError, ValueError, TypeError) as e:
            self.show_status(f"Cannot paste: {e}")
            return
        self.scene.select_nodes(new_ids)

    def auto_layout(self) -> None:
        if self.doc.nodes:
            self.doc.history.seal()
            self.doc.move_nodes(auto_layout(self.doc))
            self.doc.history.seal()
            self.canvas.frame_all()

    def reveal_node(self, node_id: str) -> None:
        self.scene.select_nodes([node_id])
        self.canvas.centre_on_node(node_id)

    def _selection_changed(self) -> None:
        ids = self.scene.selected_node_ids()
        self.inspector.show_selection(ids)
        for key in ("cut", "copy", "duplicate"):
            self.actions[key].setEnabled(bool(ids))

    def _update_edit_actions(self) -> None:
        h = self.doc.history
        undo, redo = self.actions["undo"], self.actions["redo"]
        undo.setEnabled(h.can_undo())
        redo.setEnabled(h.can_redo())
        undo.setText(f"Undo {h.undo_text()}" if h.can_undo() else "Undo")
        redo.setText(f"Redo {h.redo_text()}" if h.can_redo() else "Redo")
        undo.setToolTip(undo.text())  # the toolbar keeps the short icon text, so its buttons never move
        redo.setToolTip(redo.text())
        self.update_title()

    def _show_history(self) -> None:
        self.show_panel("history")

    def _focus_palette_search(self) -> None:
        self.docks["palette"].show()
        self.palette.search.setFocus()
        self.palette.search.selectAll()

    # ------------------------------------------------------------------ problems and the Train action
    def _problems_counted(self, errors: int, warnings: int) -> None:
        parts = []
        if errors:
            parts.append(f"{errors} error{'s' if errors > 1 else ''}")
        if warnings:
            parts.append(f"{warnings} warning{'s' if warnings > 1 else ''}")
        self.problem_label.setText(", ".join(parts) if parts else "No problems")
        self.docks["problems"].setWindowTitle(f"Problems ({errors + warnings})" if parts else "Problems")

    def update_train_action(self) -> None:
        """Train is enabled only when the network has no errors; the tooltip says why not."""
        train = self.actions["train"]
        errors = analyze(self.doc).errors
        if errors:
            first = errors[0]
            reason = f"Fix the network first: {first}" + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
        else:
            reason = ""
        train.setEnabled(not reason)
        train.setToolTip(reason or "Train the network")
        train.setStatusTip(reason or "Train the network")

    # ------------------------------------------------------------------ files dropped, closing, layout
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self._open_dropped(paths)

    def _open_dropped(self, paths: list[str]) -> None:
        networks = [p for p in paths if p.endswith(".nedit")]
        if not networks:
            self.show_status("Drop a .nedit file to open it")
            return
        self.files.open(networks[0])

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.files.recent.paths()
        for p in paths:
            action = self.recent_menu.addAction(Path(p).name)
            action.setToolTip(p)
            action.setStatusTip(p)
            action.triggered.connect(lambda checked=False, p=p: self.files.open(p))
        if not paths:
            self.recent_menu.addAction("(no recent files)").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear list", self.files.recent.clear)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.training.shutdown()  # before asking to save: the results trained so far are part of the document
        if not self.files.maybe_save():
            event.ignore()
            return
        window_layout.save(self)
        self.files.autosaver.timer.stop()
        self.files.autosaver.clear()
        event.accept()

    def _restore_layout(self) -> None:
        self._layout_restored = window_layout.restore(self)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._layout_restored:  # first run: a wide canvas between slim side panels
            self._layout_restored = True
            # After the panels' own first sizing (queued while they were built).
            QTimer.singleShot(0, lambda: window_layout.first_show(self))

    def _follow_system_theme(self) -> None:
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(self._scheme_changed)

    def _scheme_changed(self, *args) -> None:
        app = QApplication.instance()
        dark = theme.apply_palette(app) if app is not None else False
        self.colors = theme.canvas_colors(dark)
        self.scene.set_colors(self.colors)
        self.inspector.colors = self.colors


def _scrolling(panel: QWidget) -> QScrollArea:
    """The data panel is wide; scrolling keeps the canvas the widest part of the window."""
    scroller = QScrollArea()
    scroller.setWidgetResizable(True)
    scroller.setFrameShape(QFrame.Shape.NoFrame)
    scroller.setWidget(panel)
    return scroller
