"""Pictures of node cards at the view's zoom, re-rendered a few at a time after a zoom.

Qt's DeviceCoordinateCache re-renders every visible card in the first frame after a zoom,
which stalls the zoom on big graphs (docs/benchmarks.md, "Canvas"). Here each card shows its
last picture scaled (unfiltered while the zoom goes on, smoothly after) until the scene renders
a sharp one at the new zoom in slices of a few milliseconds, visible cards first. Panning blits the pictures in C++
without calling Python per card.
"""

from __future__ import annotations

import time
from typing import Protocol

from PySide6.QtCore import QObject, QRectF, Qt, QTimer
from PySide6.QtWidgets import QGraphicsScene

from .node_item import LOW_DETAIL

SLICE_MS = 4.0  # rendering work per timer tick; the rest of the frame is for painting
TICK_MS = 12  # pause between slices, so input and paint events run in between
START_DELAY_MS = 40  # after a zoom or scroll, before the first slice
MAX_SCALE = 8.0  # pictures are never rendered finer than this (zoom x device pixel ratio)
OFFSCREEN_MAX_SCALE = 1.0  # zoomed further in, only cards on screen get sharp pictures (memory)
MAX_BIG_PICTURES = 60  # finer pictures kept; older ones off screen are rendered coarser again
SAME = 1e-3  # scales closer than this (relative) count as equal


class Card(Protocol):
    picture_scale: float

    def render_picture(self, scale: float, detailed: bool) -> None: ...
    def show_scaled(self, smooth: bool) -> None: ...
    def sceneBoundingRect(self) -> QRectF: ...


class CardPictures(QObject):
    """The scene's target picture scale and its queue of cards waiting for a sharp picture."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.zoom = 1.0
        self.dpr = 1.0
        self._cards: set[Card] = set()
        self._pending: dict[Card, None] = {}  # an ordered set
        self._big: dict[Card, None] = {}  # cards with pictures finer than OFFSCREEN_MAX_SCALE, oldest first
        self._screen_cache: tuple | None = None
        self._held = False
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.render_slice)

    @property
    def scale(self) -> float:
        return min(MAX_SCALE, self.zoom * self.dpr)

    @property
    def detailed(self) -> bool:
        return self.zoom >= LOW_DETAIL

    @property
    def pending(self) -> int:
        return len(self._pending)

    def _visible(self) -> QRectF | None:
        """The part of the scene on screen in any of its views (None: no view, so none is off screen)."""
        scene = self.parent()
        views = scene.views() if isinstance(scene, QGraphicsScene) else []
        if not views:
            return None
        rect = QRectF()
        for view in views:
            rect = rect.united(view.mapToScene(view.viewport().rect()).boundingRect())
        return rect

    def add(self, card: Card) -> None:
        self._cards.add(card)
        self._render(card)

    def remove(self, card: Card) -> None:
        self._cards.discard(card)
        self._pending.pop(card, None)
        self._big.pop(card, None)

    def clear(self) -> None:
        self._timer.stop()
        self._cards.clear()
        self._pending.clear()
        self._big.clear()
        self._screen_cache = None

    def _render(self, card: Card, scale: float | None = None) -> None:
        scale = self.scale if scale is None else scale
        card.render_picture(scale, self.detailed)
        self._big.pop(card, None)
        if scale > OFFSCREEN_MAX_SCALE:
            self._big[card] = None
            if len(self._big) > MAX_BIG_PICTURES:
                self._coarsen_old_pictures()

    def _coarsen_old_pictures(self) -> None:
        """Bound the memory of fine pictures: old ones off screen get a coarse picture (and stay pending)."""
        on_screen = self._on_screen()
        excess = len(self._big) - MAX_BIG_PICTURES
        for card in list(self._big):
            if excess <= 0:
                break
            if on_screen is None or card in on_screen:
                continue
            excess -= 1
            del self._big[card]
            card.render_picture(OFFSCREEN_MAX_SCALE, self.detailed)
            card.show_scaled(smooth=True)
            self._pending[card] = None

    def changed(self, card: Card) -> None:
        """The card's look changed: render now if it is on screen, soon otherwise."""
        rect = self._visible()
        if rect is None or card.sceneBoundingRect().intersects(rect):
            self._pending.pop(card, None)
            self._render(card)
        else:
            self._pending[card] = None
            self._kick()

    def set_zoom(self, zoom: float, dpr: float = 1.0) -> None:
        """The view zoomed: every card keeps its picture, scaled, until its turn to be sharpened."""
        if abs(zoom * dpr - self.zoom * self.dpr) <= SAME * zoom * dpr and abs(zoom - self.zoom) <= SAME * zoom:
            return
        self.zoom, self.dpr = zoom, dpr
        target = self.scale
        for card in self._cards:
            if abs(card.picture_scale - target) > SAME * target:
                card.show_scaled(smooth=not self._held)
                self._pending[card] = None
        self._kick()

    def scrolled(self) -> None:
        """Cards that came into view may still wait for a sharp picture."""
        if self._pending:
            self._kick()

    def hold(self, held: bool) -> None:
        """While a zoom gesture runs, pictures scaled without filtering are good enough: sharpen when it ends."""
        if held == self._held:
            return
        self._held = held
        if held:
            self._timer.stop()
        else:
            for card in self._pending:
                card.show_scaled(smooth=True)
            self._kick()

    def sharpen_all(self) -> None:
        """Render every pending picture now (tests, screenshots)."""
        self._timer.stop()
        for card in list(self._pending):
            del self._pending[card]
            self._render(card)

    def _kick(self) -> None:
        if self._pending and not self._held and not self._timer.isActive():
            self._timer.start(START_DELAY_MS)

    def _on_screen(self) -> set | None:
        """Cards on screen, from the scene's index (None: no view tells, so none counts as off screen).

        Asking the index costs a few ms for a 300-node graph, so the answer is kept until the view moves.
        """
        rect = self._visible()
        if rect is None:
            return None
        key = (rect.x(), rect.y(), rect.width(), rect.height(), len(self._cards))
        if self._screen_cache is None or self._screen_cache[0] != key:
            items = self.parent().items(rect, Qt.ItemSelectionMode.IntersectsItemBoundingRect)
            self._screen_cache = (key, {i for i in items if i in self._cards})
        return self._screen_cache[1]

    def _next_batch(self) -> list[Card]:
        """Pending cards on screen first; off screen only while pictures are small."""
        on_screen = self._on_screen()
        if on_screen is None:
            return list(self._pending)
        visible = [c for c in on_screen if c in self._pending]
        if visible or self.scale > OFFSCREEN_MAX_SCALE:
            return visible
        return list(self._pending)

    def render_slice(self) -> None:
        """One tick of sharpening: a few milliseconds of rendering (at least one card), cards on screen first."""
        batch = self._next_batch()
        deadline = time.perf_counter() + SLICE_MS / 1000
        for i, card in enumerate(batch):
            if i and time.perf_counter() >= deadline:
                break
            if card in self._pending:
                del self._pending[card]
                self._render(card)
        if batch and not self._held:
            self._timer.start(TICK_MS)
