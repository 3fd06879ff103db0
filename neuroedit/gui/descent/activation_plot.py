"""An activation and its derivative, with the node's current pre-activations z underneath.

Where most z fall into the flat parts (sigmoid/tanh far from 0, ReLU below 0) the
derivative is about zero and backpropagation passes almost nothing: saturation and
dead units show as a histogram sitting where f'(z) is flat.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ...engine import refmath
from ...engine.names import activation_alpha
from .background import Background
from .source import DataCache, snapshot

F, DF, HIST = "#2f7cf6", "#e8730c", "#7b5cc4"
Z_RANGE = 6.0


def activation_of(node_type: str, params: dict) -> tuple[str, float]:
    """The activation a node applies and its α, as the reference backend uses them."""
    name = str(params.get("activation", "linear"))
    if node_type == "Activation":
        return name, activation_alpha(params)
    return name, 0.01 if name == "leaky_relu" else 1.0


def curves(name: str, alpha: float, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """f(z), f'(z) and a note; softmax is shown for one output against a second one fixed at 0."""
    if name == "softmax":
        a = refmath.sigmoid(z)
        return a, a * (1 - a), "softmax couples its outputs: shown for one output against another fixed at 0"
    a = refmath.activation(name, z, alpha)
    d = refmath.activation_grad(name, z[None], a[None], np.ones((1, z.size)), alpha)[0]
    return a, d, ""


def diagnosis(name: str, alpha: float, z: np.ndarray) -> str:
    """What the distribution means for learning: the share of z where f'(z) is (almost) zero."""
    if z.size == 0:
        return ""
    _, d, _ = curves(name, alpha, z)
    flat = float(np.mean(np.abs(d) < 0.02 * max(float(np.abs(curves(name, alpha, np.zeros(1))[1][0])), 1e-12)))
    if name in ("sigmoid", "tanh", "softmax"):
        return f"{flat:.0%} of the pre-activations are saturated (f'(z) below 2% of f'(0))"
    if name == "relu":
        return f"{np.mean(z <= 0):.0%} of the pre-activations are ≤ 0, where ReLU passes no gradient"
    return f"{flat:.0%} of the pre-activations sit where f'(z) is about 0"


class ActivationPlot(QWidget):
    def __init__(self, main, colors, cache: DataCache, node_id: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("activation_plot")
        self.main, self.cache, self.node_id = main, cache, node_id
        node = main.doc.node(node_id)
        self.name, self.alpha = activation_of(node.type, dict(node.params))
        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground(colors.card)
        self.view.setMinimumHeight(300)
        self.top = self.view.addPlot(row=0, col=0)
        self.bottom = self.view.addPlot(row=1, col=0)
        self.bottom.setXLink(self.top)
        for p in (self.top, self.bottom):
            p.showGrid(x=True, y=True, alpha=0.18)
            for axis in ("left", "bottom"):
                p.getAxis(axis).enableAutoSIPrefix(False)
                p.getAxis(axis).setTextPen(pg.mkPen(colors.text))
                p.getAxis(axis).setPen(pg.mkPen(colors.muted))
        self.top.addLegend(offset=(5, 5))
        self.bottom.setLabel("bottom", "z (pre-activation)")
        self.bottom.setLabel("left", "share")
        self.note = QLabel()
        self.note.setObjectName("activation_note")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(QLabel(f"<b>{self.name}</b> and its derivative; below, this node's z on the training data"))
        layout.addWidget(self.view)
        layout.addWidget(self.note)
        self.background = Background(self)
        self.background.done.connect(self._done)
        self.background.failed.connect(lambda token, reason: self.note.setText(f"No pre-activations: {reason}"))
        self._draw(np.zeros(0))
        self.refresh()

    def refresh(self, *args) -> None:
        try:
            snap = snapshot(self.main)
        except ValueError as e:
            self.note.setText(f"No pre-activations: {str(e).splitlines()[-1].strip()}")
            return
        node = self.node_id
        self.background.submit(lambda: self.cache.landscape(snap).pre_activations(node))

    def _done(self, token: int, z: np.ndarray) -> None:
        if token == self.background.token:
            self._draw(z)

    def _draw(self, zs: np.ndarray) -> None:
        zs = zs[np.isfinite(zs)]
        lo, hi = -Z_RANGE, Z_RANGE
        if zs.size:
            lo, hi = min(lo, float(np.percentile(zs, 1))), max(hi, float(np.percentile(zs, 99)))
        z = np.linspace(lo, hi, 400)
        a, d, note = curves(self.name, self.alpha, z)
        self.top.clear()
        self.top.plot(z, a, pen=pg.mkPen(F, width=2), name=f"f(z) = {self.name}(z)")
        self.top.plot(z, d, pen=pg.mkPen(DF, width=2, style=pg.QtCore.Qt.PenStyle.DashLine), name="f'(z)")
        self.bottom.clear()
        text = [note] if note else []
        if zs.size:
            counts, edges = np.histogram(np.clip(zs, lo, hi), bins=60, range=(lo, hi))
            self.bottom.addItem(
                pg.BarGraphItem(x0=edges[:-1], x1=edges[1:], height=counts / zs.size, brush=pg.mkBrush(HIST), pen=None)
            )
            text.append(
                f"{zs.size} values (samples × units): mean {zs.mean():.3g}, std {zs.std():.3g}. "
                + diagnosis(self.name, self.alpha, zs)
            )
        self.note.setText(" ".join(text))
