"""The Training panel: controls, progress, the question after an edit, and every training setting.

The settings editors are the inspector's ParamSpec-driven ones; each edit is one
undoable document command (doc.set_setting / doc.set_param), so undo works and the
controller sees the change through document events.
"""

from __future__ import annotations

import math
import time
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...engine.devices import cuda_status
from ...model import SETTINGS, Document, EditError, node_type
from ..binding import DocBinding
from ..param_editors import make_editor
from ..throttle import Throttle
from .controller import TrainingController
from .worker import Chunk

SPEEDS: tuple[tuple[str, float | None], ...] = (
    ("As fast as possible", None),
    ("1000 steps/s", 1000.0),
    ("100 steps/s", 100.0),
    ("30 steps/s", 30.0),
    ("10 steps/s", 10.0),
    ("1 step/s", 1.0),
)
TEXT_SECONDS = 0.2  # progress text refresh interval while training runs
WIRE_MODES = (
    ("Wires: plain", None),
    ("Wires: weights", "weights"),
    ("Wires: gradients", "gradients"),
    ("Wires: last updates", "updates"),
)
REGULARISATION = ("l1", "l2")


NOT_STARTED = "not trained yet: press Train"


def format_seconds(s: float) -> str:
    s = max(0, round(s))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


class ProgressTracker:
    """Elapsed time (running time only), steps per second and ETA from the chunks of one run."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.elapsed = 0.0
        self.rate = 0.0
        self._last_t: float | None = None
        self._last_step: int | None = None

    def update(self, chunk: Chunk, running: bool) -> None:
        now = time.perf_counter()
        if self._last_t is not None and running:
            dt = now - self._last_t
            self.elapsed += dt
            steps = chunk.step - (self._last_step or 0)
            if dt > 0 and steps > 0:  # a chunk with no steps (a boundary drawn late) says nothing of the speed
                inst = steps / dt
                self.rate = inst if self.rate == 0 else 0.8 * self.rate + 0.2 * inst
        self._last_t, self._last_step = now, chunk.step

    def pause(self) -> None:
        self._last_t = None

    def eta(self, chunk: Chunk) -> float | None:
        left = (chunk.epochs_planned - chunk.epochs_done) * chunk.steps_per_epoch - chunk.step_in_epoch
        return left / self.rate if self.rate > 0 else None


class TrainingPanel(QScrollArea):
    wire_mode_changed = Signal(object)  # None | "weights" | "gradients" | "updates"

    def __init__(self, controller: TrainingController, colors, parent=None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumWidth(330)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.controller = controller
        self.colors = colors
        self.doc: Document = controller.doc
        self.tracker = ProgressTracker()
        self._latest: Chunk | None = None
        self._progress_text = Throttle(TEXT_SECONDS, self._show_latest, self)
        self._editors: dict[str, Any] = {}
        self._node_editors: dict[tuple[str, str], Any] = {}
        self._binding = DocBinding()
        page = QWidget()
        self._layout = QVBoxLayout(page)
        self._layout.setContentsMargins(10, 8, 10, 8)
        self._layout.setSpacing(6)
        self._build_controls()
        self._build_banner()
        self._settings_host = QVBoxLayout()
        self._layout.addLayout(self._settings_host)
        self._layout.addStretch(1)
        self.setWidget(page)
        controller.state_changed.connect(self._on_state)
        controller.chunk_received.connect(self._on_chunk)
        controller.change_pending.connect(self._on_change_pending)
        controller.dataset_problem.connect(self._on_dataset_problem)
        controller.history_restored.connect(self._show_history)
        self.set_document(controller.doc)
        self._on_state(controller.state, controller.message)

    # ------------------------------------------------------------------ building
    def _button(self, text: str, tip: str, slot, name: str) -> QPushButton:
        b = QPushButton(text)
        b.setToolTip(tip)
        b.setObjectName(name)
        b.clicked.connect(slot)
        return b

    def _build_controls(self) -> None:
        c = self.controller
        title = QLabel("<span style='font-size:13pt; font-weight:600'>Training</span>")
        self._layout.addWidget(title)
        self.dataset_label = QLabel(objectName="training_dataset")
        self.dataset_label.setWordWrap(True)
        self.dataset_label.setTextFormat(Qt.TextFormat.RichText)
        self._layout.addWidget(self.dataset_label)
        grid = QGridLayout()
        grid.setSpacing(4)
        self.train_button = self._button("Train", "Train the network (resume when paused)", c.train, "train_button")
        self.pause_button = self._button("Pause", "Pause after the current chunk of steps", c.pause, "pause_button")
        self.step_button = self._button("Step", "Run one batch, then pause", lambda: c.step(1), "step_button")
        self.epoch_button = self._button(
            "Step epoch", "Run to the end of the epoch, then pause", c.step_epoch, "epoch_button"
        )
        self.stop_button = self._button("Stop", "Stop training and keep the weights", c.stop, "stop_button")
        self.reset_button = self._button(
            "Reset", "New random initial weights from the seed; history starts over", c.reset, "reset_button"
        )
        for i, b in enumerate(
            (
                self.train_button,
                self.pause_button,
                self.stop_button,
                self.step_button,
                self.epoch_button,
                self.reset_button,
            )
        ):
            grid.addWidget(b, i // 3, i % 3)
        self._layout.addLayout(grid)
        row = QHBoxLayout()
        self.speed_combo = QComboBox(objectName="speed_combo")
        for text, rate in SPEEDS:
            self.speed_combo.addItem(text, rate)
        self.speed_combo.setToolTip("Slow training down to watch small networks learn")
        self.speed_combo.currentIndexChanged.connect(lambda i: c.set_speed(self.speed_combo.itemData(i)))
        self.wire_combo = QComboBox(objectName="wire_combo")
        for text, mode in WIRE_MODES:
            self.wire_combo.addItem(text, mode)
        self.wire_combo.setCurrentIndex(1)
        self.wire_combo.setToolTip(
            "Colour wires by the sign and width by the size of the layer's weights, gradients or last updates"
        )
        self.wire_combo.currentIndexChanged.connect(lambda i: self.wire_mode_changed.emit(self.wire_combo.itemData(i)))
        _compact(self.speed_combo)
        _compact(self.wire_combo)
        row.addWidget(self.speed_combo, 1)
        row.addWidget(self.wire_combo, 1)
        self._layout.addLayout(row)
        self._build_device_row()
        self.progress = QProgressBar(objectName="training_progress")
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        self.progress.setFormat(NOT_STARTED)
        self._layout.addWidget(self.progress)
        self.progress_label = QLabel(objectName="training_progress_label")
        self.progress_label.setWordWrap(True)
        self._layout.addWidget(self.progress_label)
        self.state_label = QLabel(objectName="training_state")
        self.state_label.setWordWrap(True)
        self._layout.addWidget(self.state_label)

    def _build_device_row(self) -> None:
        """Device: CPU, CUDA GPU or Auto, with what CUDA offers here (the GPU's name and memory, or why not)."""
        status = cuda_status()
        row = QHBoxLayout()
        row.addWidget(QLabel("Device"))
        self.device_combo = QComboBox(objectName="device_combo")
        for text, device in (("CPU", "cpu"), ("CUDA GPU", "cuda"), ("Auto", "auto")):
            self.device_combo.addItem(text, device)
        self.device_combo.setToolTip("Where training runs; Auto takes a real GPU when there is one")
        self.device_combo.currentIndexChanged.connect(
            lambda i: self.controller.set_device(self.device_combo.itemData(i))
        )
        _compact(self.device_combo)
        row.addWidget(self.device_combo, 1)
        self._layout.addLayout(row)
        self.device_label = QLabel(status.describe(), objectName="device_status")
        self.device_label.setWordWrap(True)
        if not status.usable:
            self.device_label.setStyleSheet(f"color: {self.colors.muted.name()}")
        self._layout.addWidget(self.device_label)

    def _build_banner(self) -> None:
        self.banner = QFrame(objectName="training_banner")
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.banner.setStyleSheet(
            f"QFrame#training_banner {{ border: 1px solid {self.colors.warning.name()}; border-radius: 4px; }}"
        )
        lay = QVBoxLayout(self.banner)
        self.banner_label = QLabel()
        self.banner_label.setWordWrap(True)
        lay.addWidget(self.banner_label)
        row = QHBoxLayout()
        self.continue_button = self._button(
            "Continue",
            "Train on with the edited network and the trained weights",
            lambda: self.controller.continue_after_change(False),
            "continue_button",
        )
        self.reset_continue_button = self._button(
            "Reset and train",
            "Start over with new random weights",
            lambda: self.controller.continue_after_change(True),
            "reset_continue_button",
        )
        row.addWidget(self.continue_button)
        row.addWidget(self.reset_continue_button)
        lay.addLayout(row)
        self.banner.hide()
        self._layout.addWidget(self.banner)

    def set_document(self, doc: Document) -> None:
        """Show `doc` (New, Open): nothing of the previous document's data set, run or messages stays."""
        self.doc = doc
        self._show_dataset("")
        self._show_history(doc.training_history if isinstance(doc.training_history, dict) else {})
        self.state_label.setText("")
        self.banner.hide()
        ev = doc.events
        self._binding.bind(
            doc,
            [
                (ev.settings_changed, self._on_setting),
                (ev.param_changed, self._on_param),
                (ev.node_added, lambda *a: self._sync_node_rows()),
                (ev.node_removed, lambda *a: self._sync_node_rows()),
                (ev.node_renamed, lambda *a: self._sync_node_rows()),
            ],
        )
        self._rebuild_settings()

    def _nodes_with_editors(self) -> tuple[str | None, tuple[str, ...]]:
        """The Loss node and the Dense layers: the only nodes this panel shows editors for."""
        nodes = self.doc.nodes.values()
        loss_id = next((n.id for n in nodes if n.type == "Loss"), None)
        return loss_id, tuple(n.id for n in nodes if n.type == "Dense")

    def _rebuild_settings(self) -> None:
        """A new form for a new document: the settings, then the rows of its Loss and Dense nodes."""
        while self._settings_host.count():
            item = self._settings_host.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        box = QWidget()
        form = QFormLayout(box)
        form.setContentsMargins(0, 6, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        # The form grows its widget before laying out: otherwise an added row first squeezes and then
        # restores all ~400 rows of a big graph (two passes moving every editor, ~20 ms per edit).
        form.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self._form = form
        self._editors, self._node_editors = {}, {}
        self._built_for: tuple[str | None, tuple[str, ...]] = (None, ())
        self._regularisation_heading: QLabel | None = None
        for spec in SETTINGS:
            editor = make_editor(spec)
            editor.set_value(self.doc.settings.get(spec.name, spec.default))
            editor.committed.connect(lambda value, name=spec.name: self._commit(self.doc.set_setting, name, value))
            _compact(editor)
            label = QLabel(spec.title)
            label.setToolTip(spec.description)
            form.addRow(label, editor)
            self._editors[spec.name] = editor
        self.error_label = QLabel(objectName="training_error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {self.colors.error.name()}")
        self.error_label.hide()
        form.addRow(self.error_label)
        self._sync_node_rows()
        self._settings_host.addWidget(box)
        self._update_visibility()

    def _sync_node_rows(self) -> None:
        """Add and remove only the rows of nodes that appeared or went away.

        Big graphs have hundreds of Dense layers; rebuilding all their editors on every node
        edit cost far more than a frame. Rows follow the document's node order, so undoing a
        delete puts a layer's rows back where they were.
        """
        loss_id, dense = wanted = self._nodes_with_editors()
        old_loss, old_dense = self._built_for
        if wanted == self._built_for:
            return
        if loss_id != old_loss:
            if old_loss is not None:
                self._remove_node_rows(old_loss, ("loss",))
            if loss_id is not None:
                self._insert_node_row(0, loss_id, "loss", "Loss")
        if dense != old_dense:
            self._sync_dense_rows(old_dense, dense)
        self._built_for = wanted

    def _sync_dense_rows(self, old: tuple[str, ...], new: tuple[str, ...]) -> None:
        keep = set(new)
        for node_id in old:
            if node_id not in keep:
                self._remove_node_rows(node_id, REGULARISATION)
        before = set(old)
        if [n for n in old if n in keep] != [n for n in new if n in before]:  # reordered: lay the section out anew
            for node_id in old:
                if node_id in keep:
                    self._remove_node_rows(node_id, REGULARISATION)
            before = set()
        if new and self._regularisation_heading is None:
            self._regularisation_heading = QLabel("<b>Regularisation</b> (changes apply at the next step)")
            self._form.insertRow(self._row_of(self.error_label), self._regularisation_heading)
        elif not new and self._regularisation_heading is not None:
            self._take_row(self._regularisation_heading)
            self._regularisation_heading = None
        following: QWidget = self.error_label  # rows go in back to front, each before the next layer's
        for node_id in reversed(new):
            if node_id not in before:
                anchor = self._row_of(following)
                for offset, name in enumerate(REGULARISATION):
                    self._insert_node_row(anchor + offset, node_id, name, f"{node_id} {name.upper()}")
            following = self._node_editors[(node_id, REGULARISATION[0])]

    def _insert_node_row(self, row: int, node_id: str, name: str, title: str) -> None:
        node = self.doc.nodes[node_id]
        spec = node_type(node.type).param(name)
        editor = make_editor(spec)
        editor.setObjectName(f"param_{node_id}_{name}")
        editor.set_value(node.params.get(name, spec.default))
        editor.committed.connect(
            lambda value: self._commit(lambda n, v: self.doc.set_param(node_id, n, v), name, value)
        )
        _compact(editor)
        label = QLabel(title)
        label.setToolTip(spec.description)
        self._form.insertRow(row, label, editor)
        self._node_editors[(node_id, name)] = editor

    def _remove_node_rows(self, node_id: str, names: tuple[str, ...]) -> None:
        for name in names:
            self._take_row(self._node_editors.pop((node_id, name)))

    def _row_of(self, widget: QWidget) -> int:
        return self._form.getWidgetPosition(widget)[0]

    def _take_row(self, widget: QWidget) -> None:
        """Remove a row; its widgets go later, as an edit may come from inside one of them."""
        taken = self._form.takeRow(widget)
        for item in (taken.labelItem, taken.fieldItem):
            if item is not None and item.widget() is not None:
                item.widget().hide()
                item.widget().deleteLater()

    def editor(self, name: str):
        return self._editors[name]

    def _commit(self, commit, name: str, value: Any) -> None:
        try:
            commit(name, value)
        except EditError as e:
            self.error_label.setText(str(e))
            self.error_label.show()
            self._reload()
            return
        self.error_label.hide()

    def _reload(self) -> None:
        for name, editor in self._editors.items():
            editor.set_value(self.doc.settings.get(name))
        for (node_id, name), editor in self._node_editors.items():
            if node_id in self.doc.nodes:
                editor.set_value(self.doc.nodes[node_id].params.get(name))
        self._update_visibility()

    def _update_visibility(self) -> None:
        for spec in SETTINGS:
            editor = self._editors.get(spec.name)
            if editor is not None:
                self._form.setRowVisible(editor, spec.is_relevant(self.doc.settings))

    def _on_setting(self, name: str, old, new) -> None:
        if name == "dataset":
            self._show_dataset("")
        else:
            self._reload()

    def _on_param(self, node_id: str, name: str, old, new) -> None:
        if (node_id, name) in self._node_editors:
            self._node_editors[(node_id, name)].set_value(new)

    # ------------------------------------------------------------------ controller signals
    def _show_dataset(self, problem: str) -> None:
        spec = self.doc.dataset.get("spec") if isinstance(self.doc.dataset, dict) else None
        text = f"Data set: <b>{_html(spec)}</b>" if spec else "Data set: <i>none — choose one in the Data panel</i>"
        if problem:
            text += f"<br><span style='color:{self.colors.error.name()}'>{_html(problem)}</span>"
        self.dataset_label.setText(text)

    def _on_dataset_problem(self, problem: str) -> None:
        self._show_dataset(problem)

    def _on_state(self, state: str, text: str) -> None:
        active = state in ("compiling", "running", "paused")
        running = state in ("compiling", "running")
        self.train_button.setText("Resume" if state == "paused" else "Train")
        self.train_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.step_button.setEnabled(not running)
        self.epoch_button.setEnabled(not running)
        self.stop_button.setEnabled(active or bool(self.controller.pending_change))
        self.reset_button.setEnabled(True)
        if state != "running":
            self.tracker.pause()
        color = {"failed": self.colors.error, "finished": self.colors.text}.get(state, self.colors.muted)
        self.state_label.setStyleSheet(f"color: {color.name()}")
        if text or state == "idle":  # idle without text: a new document, or a refusal whose cause was fixed
            self.state_label.setText(text)
        if state == "compiling":
            self.progress.setFormat("preparing…")
        elif state == "failed":
            self.progress.setFormat("")
        elif state != "running" and self._latest is not None:
            self._show_progress(self._latest)

    def _on_chunk(self, chunk: Chunk) -> None:
        self.tracker.update(chunk, self.controller.state == "running")
        self._latest = chunk
        if self.controller.state == "running":
            self._progress_text.request()  # text at a few Hz: repainting labels per chunk costs the GUI thread
        else:
            self._show_progress(chunk)

    def _show_latest(self) -> None:
        if self._latest is not None and self.controller.state == "running":
            self._show_progress(self._latest)

    def _show_progress(self, chunk: Chunk) -> None:
        total = max(1, chunk.epochs_planned * chunk.steps_per_epoch)
        done = chunk.epochs_done * chunk.steps_per_epoch + chunk.step_in_epoch
        self.progress.setValue(int(1000 * min(1.0, done / total)))
        self.progress.setFormat(f"epoch {chunk.epoch} · {100 * done / total:.0f}%")
        eta = self.tracker.eta(chunk)
        parts = [
            f"epoch {chunk.epoch} of {chunk.final_epoch}",
            f"step {chunk.step:,}",
            f"{format_seconds(self.tracker.elapsed)} elapsed",
        ]
        if eta is not None and self.controller.state == "running":
            parts.append(f"ETA {format_seconds(eta)}")
        if self.tracker.rate > 0:
            parts.append(f"{self.tracker.rate:,.0f} steps/s")
        self.progress_label.setText(" · ".join(parts))

    def _reset_progress(self) -> None:
        self.tracker.reset()
        self._latest = None
        self.progress.setValue(0)
        self.progress.setFormat(NOT_STARTED)
        self.progress_label.setText("")

    def _show_history(self, history: dict) -> None:
        """A trained network (a reopened file) says so: its epochs and final metrics, and that Train continues."""
        self._reset_progress()
        summary = trained_summary(history)
        if summary:
            self.progress.setValue(1000)
            self.progress.setFormat(summary[0])
            self.progress_label.setText(summary[1])

    def _on_change_pending(self, kind: str, text: str) -> None:
        self.banner_label.setText(text)
        self.banner.setVisible(bool(kind))


def trained_summary(history: dict) -> tuple[str, str] | None:
    """("trained 2000 epochs", "loss 0.0203 · accuracy 1.0000 · … — Train continues from these weights") or None."""
    epochs = history.get("epoch") if isinstance(history, dict) else None
    if not epochs:
        return None
    metrics = [
        f"{name.replace('_', ' ')} {values[-1]:.4g}"
        for name in ("loss", "accuracy", "mae", "val_loss", "val_accuracy", "val_mae")
        if isinstance(values := history.get(name), list)
        and values
        and isinstance(values[-1], (int, float))
        and math.isfinite(values[-1])  # NaN: an earlier run's metric, not logged since
    ]
    last = int(epochs[-1])
    return (
        f"trained {last:,} epoch{'' if last == 1 else 's'}",
        " · ".join(metrics) + " — Train continues from these weights; Reset starts over",
    )


def _compact(editor) -> None:
    """Combo boxes as narrow as a short name (long choices such as sparse_categorical_crossentropy elide)."""
    if isinstance(editor, QComboBox):
        editor.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        editor.setMinimumContentsLength(8)


def _html(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
