"""Light/dark palettes that follow the system colour scheme, and the canvas colours for each."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True)
class CanvasColors:
    """Everything the canvas paints with; one instance per light/dark scheme."""

    background: QColor
    grid_minor: QColor
    grid_major: QColor
    card: QColor
    card_border: QColor
    text: QColor
    muted: QColor
    selection: QColor
    error: QColor
    warning: QColor
    wire: QColor
    wire_selected: QColor
    port: QColor
    port_ok: QColor
    port_refused: QColor
    groups: dict[str, QColor]


_GROUP_HUES = {
    "Inputs": "#2f9e6e",
    "Layers": "#3b6fd8",
    "Activations": "#d9822b",
    "Merge": "#7b5cc4",
    "Operations": "#0f8f9c",
    "Losses": "#c8414b",
}

LIGHT = CanvasColors(
    background=QColor("#f4f5f8"),
    grid_minor=QColor("#eceef3"),
    grid_major=QColor("#dfe2ea"),
    card=QColor("#ffffff"),
    card_border=QColor("#c3c8d4"),
    text=QColor("#1d2230"),
    muted=QColor("#697084"),
    selection=QColor("#2f7cf6"),
    error=QColor("#d93a3a"),
    warning=QColor("#d99a1e"),
    wire=QColor("#7d8597"),
    wire_selected=QColor("#2f7cf6"),
    port=QColor("#8a93a6"),
    port_ok=QColor("#22b36b"),
    port_refused=QColor("#c9ccd4"),
    groups={k: QColor(v) for k, v in _GROUP_HUES.items()},
)

DARK = CanvasColors(
    background=QColor("#1e2128"),
    grid_minor=QColor("#262a33"),
    grid_major=QColor("#2f3440"),
    card=QColor("#2b303b"),
    card_border=QColor("#444b5a"),
    text=QColor("#e8eaf0"),
    muted=QColor("#9aa1b2"),
    selection=QColor("#5b9bff"),
    error=QColor("#ff5f5f"),
    warning=QColor("#f0b43c"),
    wire=QColor("#8b93a5"),
    wire_selected=QColor("#5b9bff"),
    port=QColor("#9aa1b2"),
    port_ok=QColor("#3ddc84"),
    port_refused=QColor("#4a505e"),
    groups={k: QColor(v).lighter(115) for k, v in _GROUP_HUES.items()},
)


def font(point_size: float, bold: bool = False) -> QFont:
    """The application font at a size (canvas cards and neurons size their text themselves)."""
    f = QFont()
    f.setPointSizeF(point_size)
    f.setBold(bold)
    return f


def system_is_dark() -> bool:
    """True when the desktop asks for a dark scheme (Qt >= 6.5 reports it)."""
    app = QGuiApplication.instance()
    if app is None:
        return False
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def canvas_colors(dark: bool | None = None) -> CanvasColors:
    return DARK if (system_is_dark() if dark is None else dark) else LIGHT


def apply_palette(app: QApplication, dark: bool | None = None) -> bool:
    """Fusion style with a palette matching the system scheme; returns whether it is dark."""
    dark = system_is_dark() if dark is None else dark
    app.setStyle("Fusion")
    app.setPalette(_dark_palette() if dark else _light_palette())
    return dark


def _light_palette() -> QPalette:
    p = QPalette()
    p.setColor(QPalette.ColorRole.Window, QColor("#eceef2"))
    p.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    p.setColor(QPalette.ColorRole.AlternateBase, QColor("#f3f4f7"))
    p.setColor(QPalette.ColorRole.Button, QColor("#e7e9ee"))
    p.setColor(QPalette.ColorRole.Highlight, QColor("#2f7cf6"))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    p.setColor(QPalette.ColorRole.ToolTipBase, QColor("#fffef2"))
    p.setColor(QPalette.ColorRole.ToolTipText, QColor("#1d2230"))
    return p


def _dark_palette() -> QPalette:
    p = QPalette()
    text = QColor("#e8eaf0")
    for role, color in (
        (QPalette.ColorRole.Window, "#252932"),
        (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, "#1c1f26"),
        (QPalette.ColorRole.AlternateBase, "#242831"),
        (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.Button, "#2d323d"),
        (QPalette.ColorRole.ButtonText, text),
        (QPalette.ColorRole.Highlight, "#3d7ef0"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.ToolTipBase, "#31363f"),
        (QPalette.ColorRole.ToolTipText, text),
        (QPalette.ColorRole.PlaceholderText, "#8a90a0"),
        (QPalette.ColorRole.Link, "#6ea8ff"),
    ):
        p.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6c7282"))
    return p
