"""The part of the main window a feature may use to place its panels (instead of the whole window)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QWidget


class DockHost(Protocol):
    """Docks keyed by name; the key is also the dock's objectName, under which its layout is remembered."""

    def add_panel(
        self, key: str, title: str, widget: QWidget, area: Qt.DockWidgetArea, tabify_with: str | None = None
    ) -> QDockWidget: ...

    def show_panel(self, key: str) -> None: ...

    def resizeDocks(self, docks: Sequence[QDockWidget], sizes: Sequence[int], orientation: Qt.Orientation) -> None: ...
