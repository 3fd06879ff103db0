"""Connect a widget to a document's events and disconnect it cleanly when the document changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..model import Document
from ..model.events import Signal


class DocBinding:
    """Remembers (signal, slot) pairs so a view can follow a new Document without leaking the old one."""

    def __init__(self) -> None:
        self._pairs: list[tuple[Signal, Callable[..., Any]]] = []

    def bind(self, doc: Document, pairs: list[tuple[Signal, Callable[..., Any]]]) -> None:
        self.unbind()
        for signal, slot in pairs:
            signal.connect(slot)
        self._pairs = list(pairs)

    def unbind(self) -> None:
        for signal, slot in self._pairs:
            try:
                signal.disconnect(slot)
            except ValueError:
                pass
        self._pairs = []
