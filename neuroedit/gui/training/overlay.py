"""Training on the canvas: wires coloured by the sign and thick by the size of their layer's weights
(or gradients, or last updates), node badges that warn of dead or saturated units, and, for 2-D
inputs, each small layer's units as heat maps over the input plane on its card (the Playground look).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QColor

from ..canvas import GraphScene
from ..canvas.wire_item import WireStyle
from ..heatmap import unit_pixmap
from .controller import TrainingController

POSITIVE = QColor("#0877bd")  # Playground blue
NEGATIVE = QColor("#f59322")  # Playground orange
MIN_WIDTH, MAX_WIDTH = 1.2, 8.0
BADGE_FRACTION = 0.5  # warn when at least half of a layer's units are dead or saturated
REDRAW_MS = 250
MODE_TEXT = {"weights": "weights", "gradients": "gradients of the last step", "updates": "last updates"}


def summary_from_weights(weights: dict) -> dict[str, dict[str, tuple[float, float]]]:
    """(mean, mean |w|) of each node's kernel (or its first array) from the document's stored weights."""
    out = {}
    for op, arrays in weights.items():
        a = arrays.get("kernel") if "kernel" in arrays else next(iter(arrays.values()), None)
        if a is None or not np.size(a):
            continue
        a = np.asarray(a, dtype=np.float64)
        out[op] = {"weights": (float(a.mean()), float(np.abs(a).mean()))}
    return out


def wire_style(summary: dict, mode: str | None, dst: str) -> WireStyle | None:
    """The look of a wire into `dst`: colour from the sign of the mean, width from mean |.| relative to the largest."""
    if mode is None:
        return None
    entry = summary.get(dst, {}).get(mode)
    if entry is None:
        return None
    scale = max((e[mode][1] for e in summary.values() if mode in e), default=0.0)
    mean, magnitude = entry
    rel = magnitude / scale if scale > 0 else 0.0
    color = QColor(POSITIVE if mean >= 0 else NEGATIVE)
    color.setAlphaF(0.45 + 0.55 * rel)
    tip = f"{dst}: mean {MODE_TEXT[mode]} {mean:+.4g}, mean |·| {magnitude:.4g}"
    return WireStyle(color, MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * rel, tip)


def badges(layers: dict) -> dict[str, tuple[str, str] | None]:
    """Per op: (badge text, tooltip) when many units are dead or saturated, else None."""
    out: dict[str, tuple[str, str] | None] = {}
    for op_id, s in layers.items():
        badge = None
        if s.dead_fraction is not None and s.dead_fraction >= BADGE_FRACTION:
            badge = (
                f"{s.dead_fraction:.0%} dead",
                f"{s.dead_fraction:.0%} of the ReLU units output 0 for the "
                "whole batch: they no longer learn (try a smaller learning rate or leaky_relu)",
            )
        elif s.saturated_fraction is not None and s.saturated_fraction >= BADGE_FRACTION:
            badge = (
                f"{s.saturated_fraction:.0%} saturated",
                f"{s.saturated_fraction:.0%} of the outputs are "
                "within 1% of the activation's limits: gradients vanish there",
            )
        out[op_id] = badge
    return out


def card_maps(boundary) -> dict[str, list]:
    """Per probed layer (at most probes.MAX_THUMB_UNITS units): one heat-map pixmap per unit."""
    if boundary is None:
        return {}
    return {op: [unit_pixmap(m) for m in maps] for op, maps in boundary.neurons.items()}


class CanvasOverlay(QObject):
    """Applies wire styles and badges to the canvas's scene at a few Hz (never per step)."""

    def __init__(self, scene: GraphScene, controller: TrainingController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scene = scene
        self.controller = controller
        self.mode: str | None = "weights"
        self.summary: dict = {}
        self.badges: dict = {}
        self.maps: dict[str, list] = {}
        self._pending_boundary = None
        self._maps_dirty = False
        self._dirty = False
        controller.chunk_received.connect(self.on_chunk)
        controller.committed.connect(self.from_document)
        controller.history_restored.connect(lambda h: self.from_document(clear_badges=True))
        self.timer = QTimer(self)
        self.timer.setInterval(REDRAW_MS)
        self.timer.timeout.connect(self.apply)
        self.timer.start()
        self.from_document()

    def set_mode(self, mode: str | None) -> None:
        self.mode = mode
        self._dirty = True
        self.apply()

    def on_chunk(self, chunk) -> None:
        if chunk.boundary is not None:
            self._pending_boundary = chunk.boundary
            self._maps_dirty = self._dirty = True
        if chunk.wires:
            self.summary = chunk.wires
            self._dirty = True
        if chunk.layers:
            doc = self.controller.doc
            outputs = {e.src for e in doc.edges if e.dst in doc.nodes and doc.nodes[e.dst].type == "Loss"}
            # a confident output layer is saturated by design: only hidden layers get badges
            self.badges = badges({k: v for k, v in chunk.layers.items() if k not in outputs})
            self._dirty = True

    def from_document(self, clear_badges: bool = False) -> None:
        """Show the document's stored weights (after Open, Reset, or when training pauses)."""
        stored = summary_from_weights(self.controller.doc.weights)
        for op, entry in self.summary.items():  # keep the last gradients/updates for the toggle
            if op in stored:
                stored[op].update({k: v for k, v in entry.items() if k != "weights"})
        self.summary = stored
        if clear_badges:
            self.badges = {op: None for op in self.badges}
            self._pending_boundary = None
            self._maps_dirty = True
        self._dirty = True
        self.apply()

    def apply(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        scene = self.scene
        summary, mode = self.summary, self.mode
        scene.set_wire_style(lambda edge: wire_style(summary, mode, edge.dst))
        for op_id, badge in self.badges.items():
            item = scene.node_items.get(op_id)
            if item is not None and hasattr(item, "set_badge"):
                item.set_badge(*(badge or (None, None)))
        if self._maps_dirty:
            self._maps_dirty = False
            maps = card_maps(self._pending_boundary)  # pictures made at the overlay's few Hz, not per chunk
            for op in set(self.maps) - set(maps):
                scene.set_unit_maps(op, [])
            for op, pixmaps in maps.items():
                scene.set_unit_maps(op, pixmaps)
            self.maps = maps
