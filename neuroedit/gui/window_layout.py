"""The main window's size and dock layout: fitted to the screen, remembered (QSettings), resettable.

The canvas is the main thing, so the side and bottom docks get a share of the window that
shrinks on small screens (1366×768, or 1.5× scaling) instead of fixed pixel widths.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication

if TYPE_CHECKING:
    from .main_window import MainWindow

GEOMETRY_KEY, STATE_KEY = "window/geometry", "window/state"
STATE_VERSION = 1  # of saveState(); a newer layout format ignores an older saved one
# The window's share of a large screen; at or below this size it fills the available area.
SCREEN_SHARE = 0.9
COMFORTABLE = (1440, 900)
# (share of the window, smallest, largest) in pixels for each dock column / row.
LEFT = (0.16, 180, 280)
RIGHT = (0.24, 240, 380)
BOTTOM = (0.27, 150, 330)


def available_geometry(window: MainWindow) -> QRect:
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, *COMFORTABLE)


def default_geometry(available: QRect) -> QRect:
    """The window's first-run rectangle on a screen with this available area: centred, never larger."""
    if available.width() <= COMFORTABLE[0] or available.height() <= COMFORTABLE[1]:
        return QRect(available)
    width = max(COMFORTABLE[0], int(available.width() * SCREEN_SHARE))
    height = max(COMFORTABLE[1], int(available.height() * SCREEN_SHARE))
    rect = QRect(0, 0, width, height)
    rect.moveCenter(available.center())
    return rect


def _share(total: int, rule: tuple[float, int, int]) -> int:
    share, smallest, largest = rule
    return max(smallest, min(largest, int(total * share)))


def place_on_screen(window: MainWindow) -> None:
    """Size and centre the window for its screen's available area (first run and Reset layout)."""
    rect = default_geometry(available_geometry(window))
    window.resize(rect.size())
    window.move(rect.topLeft())


def apply_default_dock_sizes(window: MainWindow) -> None:
    """Slim side and bottom docks in proportion to the window, leaving the canvas most of the space."""
    width, height = window.width(), window.height()
    docks = window.docks
    left = [docks[k] for k in ("palette",) if k in docks]
    right = [docks[k] for k in ("inspector",) if k in docks]
    bottom = [docks[k] for k in ("problems",) if k in docks]
    window.resizeDocks(
        left + right, [_share(width, LEFT)] * len(left) + [_share(width, RIGHT)] * len(right), Qt.Orientation.Horizontal
    )
    window.resizeDocks(bottom, [_share(height, BOTTOM)] * len(bottom), Qt.Orientation.Vertical)


def first_show(window: MainWindow) -> None:
    """Once the window manager has framed the window: keep it on screen, then size the docks."""
    keep_on_screen(window)
    apply_default_dock_sizes(window)


def restore(window: MainWindow) -> bool:
    """Restore the last session's geometry and docks; False when there is nothing (usable) to restore."""
    settings = QSettings()
    geometry, state = settings.value(GEOMETRY_KEY), settings.value(STATE_KEY)
    if geometry is not None and window.restoreGeometry(geometry):
        QTimer.singleShot(0, lambda: keep_on_screen(window))  # once shown, when the frame is known
    return state is not None and window.restoreState(state, STATE_VERSION)


def save(window: MainWindow) -> None:
    settings = QSettings()
    settings.setValue(GEOMETRY_KEY, window.saveGeometry())
    settings.setValue(STATE_KEY, window.saveState(STATE_VERSION))


def keep_on_screen(window: MainWindow) -> None:
    """Shrink and move the window, frame included, into the available area (a geometry saved on a larger
    or another screen, or a first-run size that the window manager's frame pushed over the edge)."""
    available = available_geometry(window)
    frame = window.frameGeometry()
    if available.contains(frame):
        return
    extra_w, extra_h = frame.width() - window.width(), frame.height() - window.height()
    window.resize(min(window.width(), available.width() - extra_w), min(window.height(), available.height() - extra_h))
    frame = window.frameGeometry()
    left = min(max(frame.left(), available.left()), available.right() - frame.width() + 1)
    top = min(max(frame.top(), available.top()), available.bottom() - frame.height() + 1)
    window.move(left, top)  # move() places the frame's top-left corner


def reset_layout(window: MainWindow) -> None:
    """View › Reset layout: the first-run docks, sizes and window geometry; the saved layout is forgotten."""
    settings = QSettings()
    settings.remove(GEOMETRY_KEY)
    settings.remove(STATE_KEY)
    if window.isMaximized() or window.isFullScreen():
        window.showNormal()
    window.restoreState(window.default_state, STATE_VERSION)
    place_on_screen(window)
    QTimer.singleShot(0, lambda: first_show(window))


def reset_action(window: MainWindow) -> QAction:
    action = QAction("Reset layout", window)
    action.setObjectName("action_reset_layout")
    action.setStatusTip("Put every panel back where it was at first start and fit the window to the screen")
    action.triggered.connect(lambda: reset_layout(window))
    return action
