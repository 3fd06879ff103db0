"""The Step-through panel: choose the sample, move through the steps, read the current step's formulas."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...api.walkthrough import PHASES
from .formula_html import PHASE_COLORS, PHASE_TITLES, status_html, step_html
from .walkthrough_player import SampleChoice, WalkthroughPlayer, default_input_text, input_size, parse_numbers

MODES = [("sample", "Training sample"), ("batch", "Mini-batch"), ("inputs", "Typed inputs")]


class StepPanel(QWidget):
    """Controls on top, the list of steps (grouped by phase) on the left, the current step's formulas right."""

    status_message = Signal(str)

    def __init__(self, player: WalkthroughPlayer, dark: bool = False, parent=None) -> None:
        super().__init__(parent)
        self.player = player
        self.dark = dark
        self._filling = False
        self._items: list[QTreeWidgetItem] = []

        self.mode = QComboBox()
        for key, text in MODES:
            self.mode.addItem(text, key)
        self.sample = QSpinBox()
        self.sample.setRange(0, 10_000_000)
        self.sample.setToolTip("Index of the training sample (0 = the first)")
        self.sample.setMaximumWidth(110)
        self.batch = QLineEdit()
        self.batch.setPlaceholderText("0, 1, 2, 3")
        self.batch.setToolTip("Training sample indices of the mini-batch, separated by commas")
        self.batch.setMaximumWidth(220)
        self.inputs_box = QWidget()
        self.inputs_row = QHBoxLayout(self.inputs_box)
        self.inputs_row.setContentsMargins(0, 0, 0, 0)
        self.input_fields: dict[str, QLineEdit] = {}
        self.target = QLineEdit()
        self.target.setPlaceholderText("from the data")
        self.target.setToolTip("Target for the typed inputs (or to override the sample's); empty: the data's")
        self.source = QStackedWidget()
        for w in (self.sample, self.batch, self.inputs_box):
            self.source.addWidget(w)
        self.go_button = QPushButton("Walk")
        self.go_button.setToolTip("Walk this sample from the start")
        self.rate = QLabel()
        self.rate.setObjectName("learning_rate_label")
        # The update rule can be long (Adam's): it is cut on a narrow screen rather than widening the window.
        self.rate.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.reset_button = QPushButton("⇤ Start")
        self.prev_button = QPushButton("◀ Previous")
        self.next_button = QPushButton("Next ▶")
        self.play_button = QPushButton("▷ Play")
        self.play_button.setCheckable(True)
        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(1, 20)  # quarter steps per second: 0.25 .. 5 steps per second
        self.speed.setValue(4)
        self.speed.setFixedWidth(110)
        self.speed.setToolTip("Play speed")
        self.position = QLabel()
        self.lecture = QCheckBox("Lecture notation")
        self.lecture.setObjectName("lecture_notation")
        self.lecture.setToolTip(
            "Write the steps as the lectures do: w_kj (neuron k, input j; the bias is w_k0), "
            "δ_out and δ_hidden for dL/dz, and the updates from the last layer back"
        )
        self.apply_button = QPushButton("Apply update")
        self.apply_button.setToolTip("Write the updated weights into the network (one undoable edit)")

        self.steps = QTreeWidget()
        self.steps.setHeaderHidden(True)
        self.steps.setObjectName("step_list")
        self.formulas = QTextBrowser()
        self.formulas.setObjectName("step_formulas")
        self.formulas.setOpenLinks(False)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.steps)
        split.addWidget(self.formulas)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([300, 520])

        top = QHBoxLayout()
        top.addWidget(QLabel("Walk"))
        top.addWidget(self.mode)
        top.addWidget(self.source, 1)
        top.addWidget(QLabel("target"))
        top.addWidget(self.target)
        top.addWidget(self.go_button)
        top.addWidget(self.lecture)
        self.target.setMaximumWidth(120)
        controls = QHBoxLayout()
        for b in (self.reset_button, self.prev_button, self.next_button, self.play_button):
            controls.addWidget(b)
        controls.addWidget(QLabel("speed"))
        controls.addWidget(self.speed)
        self.speed_label = QLabel()
        controls.addWidget(self.speed_label)
        controls.addWidget(self.position)
        controls.addStretch(1)
        controls.addWidget(self.rate)
        controls.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addLayout(controls)
        layout.addWidget(split, 1)

        self.mode.currentIndexChanged.connect(lambda i: (self.source.setCurrentIndex(i), self._update_play()))
        self.go_button.clicked.connect(self.walk)
        self.sample.editingFinished.connect(self.walk)
        self.batch.returnPressed.connect(self.walk)
        self.target.returnPressed.connect(self.walk)
        self.reset_button.clicked.connect(player.reset)
        self.prev_button.clicked.connect(player.previous)
        self.next_button.clicked.connect(player.next)
        self.play_button.toggled.connect(self._play_toggled)
        self.speed.valueChanged.connect(self._speed_changed)
        self.apply_button.clicked.connect(self.apply_update)
        self.lecture.toggled.connect(lambda on: player.set_notation("lecture" if on else "standard"))
        self.steps.currentItemChanged.connect(self._item_chosen)
        player.changed.connect(self.refresh)
        player.choice_changed.connect(self.load_choice)
        player.step_changed.connect(self.show_step)
        player.playing_changed.connect(self._playing_changed)
        self._speed_changed(self.speed.value())
        self.load_choice()
        self.refresh()

    # ---------------------------------------------------------------- the sample
    def load_choice(self) -> None:
        """Show the player's sample choice (after a new document)."""
        c = self.player.choice
        self._filling = True
        self.mode.setCurrentIndex([k for k, _ in MODES].index(c.mode))
        self.sample.setValue(c.index)
        self.batch.setText(", ".join(map(str, c.batch)))
        self._build_input_fields(dict(c.inputs))
        self.target.setText(c.target)
        self._filling = False

    def _input_nodes(self) -> dict[str, tuple[int, ...]]:
        return {n.id: tuple(n.params.get("shape") or ()) for n in self.player.doc.nodes.values() if n.type == "Input"}

    def _build_input_fields(self, texts: dict[str, str]) -> None:
        """One box per Input node of the document, labelled with its id and the number of values it takes."""
        while self.inputs_row.count():
            widget = self.inputs_row.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.input_fields = {}
        self._fields_for = self._input_nodes()
        for name, shape in self._fields_for.items():
            size = input_size(shape)
            field = QLineEdit(texts.get(name, default_input_text(shape)))
            field.setObjectName(f"input_{name}")
            field.setPlaceholderText(", ".join(f"x{i + 1}" for i in range(size)) if size <= 4 else f"{size} numbers")
            field.setToolTip(
                f"Value of the Input node {name}: {size} number{'s' if size > 1 else ''}"
                + (", separated by commas" if size > 1 else "")
            )
            field.setMaximumWidth(120)
            field.returnPressed.connect(self.walk)
            field.textChanged.connect(lambda text: self.show_step(self.player.index))
            self.inputs_row.addWidget(QLabel(name))
            self.inputs_row.addWidget(field)
            self.input_fields[name] = field
        self.inputs_row.addStretch(1)

    def _sync_input_fields(self) -> None:
        """Input nodes added, removed or reshaped since the boxes were made: make them anew, keeping typed values."""
        if self._input_nodes() == getattr(self, "_fields_for", None):
            return
        self._filling = True
        self._build_input_fields({n: f.text() for n, f in self.input_fields.items()})
        self._filling = False
        if self.mode.currentData() == "inputs":
            self.walk()

    def missing_inputs(self) -> list[str]:
        """Input nodes whose box is empty (typed-inputs mode): nothing to walk, so Play stays off."""
        if self.mode.currentData() != "inputs":
            return []
        return [n for n, f in self.input_fields.items() if not f.text().strip()]

    def _update_play(self, *args) -> None:
        w = self.player.walk
        self.play_button.setEnabled(bool(w and w.steps) and not self.missing_inputs())

    def choice(self) -> SampleChoice:
        mode = self.mode.currentData()
        batch = [int(v) for v in parse_numbers(self.batch.text() or "0", "mini-batch")] if mode == "batch" else []
        return SampleChoice(
            mode,
            self.sample.value(),
            batch or self.player.choice.batch,
            {n: f.text() for n, f in self.input_fields.items()},
            self.target.text(),
        )

    def walk(self) -> None:
        if self._filling:
            return
        try:
            choice = self.choice()
        except ValueError as e:
            self.status_message.emit(str(e))
            self.formulas.setHtml(status_html(str(e)))
            return
        self.player.set_choice(choice)

    def set_input(self, name: str, text: str) -> None:
        self.input_fields[name].setText(text)

    # ---------------------------------------------------------------- steps
    def refresh(self) -> None:
        """A new walk-through: rebuild the step list."""
        self._sync_input_fields()
        s = self.player
        w = s.walk
        self.steps.blockSignals(True)
        self.steps.clear()
        self._items = []
        if w is not None:
            bold = QFont()
            bold.setBold(True)
            for phase in PHASES:
                steps = w.phase(phase)
                if not steps:
                    continue
                group = QTreeWidgetItem([f"{PHASE_TITLES[phase]} ({len(steps)})"])
                group.setFont(0, bold)
                group.setForeground(0, QBrush(QColor(PHASE_COLORS[phase])))
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.steps.addTopLevelItem(group)
                for step in steps:
                    item = QTreeWidgetItem([f"{step.index + 1}. {step.title}"])
                    item.setData(0, Qt.ItemDataRole.UserRole, step.index)
                    item.setToolTip(0, "\n".join(step.lines("text", w.number)) or step.title)
                    group.addChild(item)
                    self._items.append(item)
                group.setExpanded(True)
            # The rule in full is the tooltip: Adam's no longer fits beside the buttons.
            self.rate.setText(f"η = {w.number(w.learning_rate)} · {w.optimizer}")
            self.rate.setToolTip(f"{w.optimizer}: {w.optimizer_rule}")
        else:
            self.rate.setText("")
        self.steps.blockSignals(False)
        self.apply_button.setEnabled(bool(w and w.phase("update")))
        self.show_step(s.index)

    def show_step(self, index: int) -> None:
        s = self.player
        w = s.walk
        self._update_play()
        missing = self.missing_inputs()
        if w is None or not w.steps or missing:
            self.formulas.setHtml(
                status_html(
                    f"Type the value of {', '.join(missing)} above, then press Enter"
                    if missing
                    else s.error or "Nothing to walk through yet."
                )
            )
            self.position.setText("")
            for b in (self.prev_button, self.next_button, self.reset_button):
                b.setEnabled(False)
            return
        self.formulas.setHtml(step_html(w, w.steps[index], self.dark))
        self.position.setText(f"{index + 1} / {len(w.steps)}")
        self.prev_button.setEnabled(index > 0)
        self.reset_button.setEnabled(index > 0)
        self.next_button.setEnabled(index + 1 < len(w.steps))
        if 0 <= index < len(self._items):
            self.steps.blockSignals(True)
            self.steps.setCurrentItem(self._items[index])
            self.steps.scrollToItem(self._items[index])
            self.steps.blockSignals(False)

    def text(self) -> str:
        """What the formula area shows, as plain text (tests read this)."""
        return self.formulas.toPlainText()

    def _item_chosen(self, item: QTreeWidgetItem | None, previous) -> None:
        if item is not None and item.data(0, Qt.ItemDataRole.UserRole) is not None:
            self.player.go(int(item.data(0, Qt.ItemDataRole.UserRole)))

    # ---------------------------------------------------------------- play and apply
    def _play_toggled(self, on: bool) -> None:
        if on:
            self.player.play()
        else:
            self.player.pause()

    def _playing_changed(self, playing: bool) -> None:
        self.play_button.blockSignals(True)
        self.play_button.setChecked(playing)
        self.play_button.setText("❚❚ Pause" if playing else "▷ Play")
        self.play_button.blockSignals(False)

    def _speed_changed(self, value: int) -> None:
        per_second = value / 4
        self.player.set_speed(per_second)
        self.speed_label.setText(f"{per_second:g} step/s")

    def apply_update(self) -> None:
        n = self.player.apply_update()
        w = self.player.walk
        state = "" if w is None or w.optimizer == "sgd" else f"; {w.optimizer}'s running averages are not stored"
        if n:
            self.player.recompute()  # the next training step starts from the new weights
            self.player.go(0)
            self.status_message.emit(
                f"Applied the update to {n} weight{'s' if n > 1 else ''} (Undo takes it back{state})"
            )
        else:
            self.status_message.emit("Nothing to apply: the update changes no weight")
