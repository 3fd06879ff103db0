"""The optimizer race: every optimizer descends the document's 2-D function from the same start point.

The function is the open computation-graph document (Input nodes x and y, the `value`
loss); each racer steps with the engine's own update rule (neuroedit.api.race). The
paths are animated over the function's contour, one colour each, with a step counter,
f(x, y) and an editable learning rate per optimizer (changing one restarts the race).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...api.race import RACERS, Race, RaceError, TwoDFunction, default_rate, view_box
from ..training.plots import style_plot
from .contours import replace_contours
from .live import base_dir

COLORS = {
    "sgd": "#202020",
    "momentum": "#2f7cf6",
    "nesterov": "#7b5cc4",
    "adagrad": "#22a06b",
    "rmsprop": "#e8730c",
    "adam": "#c8414b",
    "adamw": "#d63384",
    "nadam": "#b8860b",
    "adadelta": "#0f8f9c",
}
PREVIEW_STEPS = 300  # steps run once, silently, to find the region the paths cover
GRID = 160
COLUMNS = ("Optimizer", "Learning rate", "Step", "f(x, y)", "x, y", "State")


class RaceView(QWidget):
    status_message = Signal(str)

    def __init__(self, window, colors, parent=None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Optimizer race — NeuroEdit")
        self.setObjectName("optimizer_race")
        self.main = window
        self.colors = colors
        self.race: Race | None = None
        self.function: TwoDFunction | None = None
        self.rates: dict[str, float] = {}
        self.timer = QTimer(self, interval=40)
        self.timer.timeout.connect(self.tick)

        self.title = QLabel()
        self.title.setObjectName("race_title")
        self.title.setWordWrap(True)
        self.play_button = QPushButton("Play")
        self.play_button.setCheckable(True)
        self.play_button.setObjectName("race_play")
        self.play_button.toggled.connect(self.play)
        self.step_button = QPushButton("Step")
        self.step_button.setObjectName("race_step")
        self.step_button.clicked.connect(lambda: self.advance(1))
        self.reset_button = QPushButton("Restart")
        self.reset_button.setObjectName("race_reset")
        self.reset_button.clicked.connect(self.restart)
        self.per_tick = QSpinBox(minimum=1, maximum=50, value=2, prefix="steps per frame: ")
        self.per_tick.setObjectName("race_speed")
        self.max_steps = QSpinBox(minimum=10, maximum=100000, value=500, singleStep=50, prefix="stop after: ")
        self.max_steps.setObjectName("race_max")
        controls = QHBoxLayout()
        for w in (self.play_button, self.step_button, self.reset_button, self.per_tick, self.max_steps):
            controls.addWidget(w)
        controls.addStretch(1)

        self.plot = pg.PlotWidget()
        style_plot(self.plot, colors)
        self.plot.setLabel("bottom", "x")
        self.plot.setLabel("left", "y")
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.isos: list[pg.IsocurveItem] = []
        self.plot.addLegend(offset=(10, 10), brush=pg.mkBrush(255, 255, 255, 210), labelTextColor="#202020")
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.heads: dict[str, pg.PlotDataItem] = {}
        self.start_mark = self.plot.plot(
            [], [], pen=None, symbol="s", symbolSize=11, symbolBrush="#ffffff", symbolPen=pg.mkPen("#202020")
        )

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("race_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(controls)
        layout.addWidget(self.plot, 3)
        layout.addWidget(self.table, 2)
        self.resize(900, 860)

    # ------------------------------------------------------------------ setting up
    def load(self) -> bool:
        """Build the race from the main window's document; False (with the reason shown) if it is no 2-D function."""
        self.play_button.setChecked(False)
        try:
            self.function = TwoDFunction(self.main.doc, base_dir(self.main))
        except (RaceError, ValueError) as e:
            reason = str(e).splitlines()[0]
            self.title.setText(
                f"<b>No race:</b> {reason}. Open one of the Race templates (File > New) or build "
                "f(x, y) from Input nodes x and y and operations, with a Loss node using 'value'."
            )
            self.status_message.emit(f"Optimizer race: {reason}")
            self.race = None
            return False
        self.rates = {}
        self.restart()
        self._draw_contour()
        return True

    def restart(self) -> None:
        if self.function is None:
            return
        lr = float(self.main.doc.settings.get("learning_rate", 0.01))
        self.rates = {n: self.rates.get(n, default_rate(n, lr, self.function.scale)) for n in RACERS}
        self.race = Race(self.function, lr, rates=self.rates)
        start = self.function.start
        consts = ", ".join(f"{k} = {v:g}" for k, v in self.function.constants.items() if k not in ("x", "y"))
        desc = self.main.doc.description or "f(x, y)"
        self.title.setText(
            f"<b>{desc}</b><br>Start ({start[0]:g}, {start[1]:g})"
            + (f"; constants {consts}" if consts else "")
            + ". Every optimizer uses the engine's own "
            "update rule; edit a learning rate to restart the race."
        )
        self._fill_table()
        self._draw_paths()

    def _draw_contour(self) -> None:
        if self.function is None:
            return
        preview = Race(self.function, 0.0, rates=self.rates)
        preview.step(PREVIEW_STEPS)
        x0, x1, y0, y1 = view_box(preview)
        xs, ys = np.linspace(x0, x1, GRID), np.linspace(y0, y1, GRID)
        Z = self.function.values(xs, ys)
        shifted = Z - np.nanmin(Z)
        shown = np.log10(shifted + 1e-3 * (np.nanmax(shifted) + 1e-12))  # valleys stay visible
        self.image.setImage(shown.T, autoLevels=True)
        self.image.setLookupTable(pg.colormap.get("viridis").getLookupTable(nPts=256))
        self.image.setRect(pg.QtCore.QRectF(x0, y0, x1 - x0, y1 - y0))
        self.isos = replace_contours(
            self.image, self.isos, shown.T, np.linspace(np.nanmin(shown), np.nanmax(shown), 16)[1:-1], 70
        )
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def _fill_table(self) -> None:
        race = self.race
        if race is None:
            return
        self.table.setRowCount(len(race.racers))
        for row, r in enumerate(race.racers):
            name = QTableWidgetItem(f"■ {r.name}")
            name.setForeground(pg.mkColor(COLORS.get(r.name, "#ffffff")))
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, 0, name)
            box = QDoubleSpinBox(decimals=6, minimum=1e-6, maximum=1e4, value=r.learning_rate)
            box.setObjectName(f"race_lr_{r.name}")
            box.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
            box.valueChanged.connect(lambda value, n=r.name: self.set_rate(n, value))
            self.table.setCellWidget(row, 1, box)
            if r.name not in self.curves:
                color = COLORS.get(r.name, "#ffffff")
                self.curves[r.name] = self.plot.plot([], [], pen=pg.mkPen(color, width=2), name=r.name)
                self.heads[r.name] = self.plot.plot([], [], pen=None, symbol="o", symbolSize=9, symbolBrush=color)
        self._update_table()

    def set_rate(self, name: str, value: float) -> None:
        self.rates[name] = float(value)
        self.restart()

    # ------------------------------------------------------------------ running
    def play(self, on: bool) -> None:
        self.play_button.setText("Pause" if on else "Play")
        if on and self.race is not None:
            self.timer.start()
        else:
            self.timer.stop()

    def tick(self) -> None:
        self.advance(self.per_tick.value())

    def advance(self, n: int) -> None:
        race = self.race
        if race is None:
            return
        left = self.max_steps.value() - max(r.steps for r in race.racers)
        if left <= 0 or all(r.stopped for r in race.racers):
            self.play_button.setChecked(False)
            return
        race.step(min(n, left))
        self._draw_paths()

    def _draw_paths(self) -> None:
        race = self.race
        if race is None:
            return
        for r in race.racers:
            path = np.asarray(r.path)
            self.curves[r.name].setData(path[:, 0], path[:, 1])
            self.heads[r.name].setData(path[-1:, 0], path[-1:, 1])
        start = race.function.start
        self.start_mark.setData([start[0]], [start[1]])
        self._update_table()

    def _update_table(self) -> None:
        race = self.race
        if race is None:
            return
        for row, r in enumerate(race.racers):
            x, y = r.path[-1]
            state = ", ".join(f"{slot} = ({v[0]:.3g}, {v[1]:.3g})" for slot, v in race.state(r.name).items())
            cells = [
                str(r.steps) + (f" ({r.stopped})" if r.stopped else ""),
                f"{r.values[-1]:.5g}",
                f"({x:.4g}, {y:.4g})",
                state or "none (plain gradient steps)",
            ]
            for col, text in enumerate(cells, start=2):
                item = self.table.item(row, col)
                if item is None:
                    item = QTableWidgetItem()
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    self.table.setItem(row, col, item)
                item.setText(text)
