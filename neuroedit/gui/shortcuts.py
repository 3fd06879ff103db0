"""Keyboard shortcuts in one table: the actions use it and Help > Keyboard shortcuts lists it."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

Std = QKeySequence.StandardKey

# action key -> (menu text, key sequences)
SHORTCUTS: dict[str, tuple[str, list]] = {
    "new": ("New…", [Std.New]),
    "open": ("Open…", [Std.Open]),
    "save": ("Save", [Std.Save]),
    "save_as": ("Save As…", ["Ctrl+Shift+S"]),
    "quit": ("Quit", ["Ctrl+Q"]),
    "undo": ("Undo", [Std.Undo]),
    "redo": ("Redo", ["Ctrl+Shift+Z", "Ctrl+Y"]),
    "cut": ("Cut", [Std.Cut]),
    "copy": ("Copy", [Std.Copy]),
    "paste": ("Paste", [Std.Paste]),
    "duplicate": ("Duplicate", ["Ctrl+D"]),
    "delete": ("Delete", [Std.Delete, "Backspace"]),
    "select_all": ("Select all", [Std.SelectAll]),
    "history": ("History", ["Ctrl+H"]),
    "frame_all": ("Frame all", ["F"]),
    "zoom_in": ("Zoom in", [Std.ZoomIn, "Ctrl+="]),
    "zoom_out": ("Zoom out", [Std.ZoomOut]),
    "reset_zoom": ("Actual size", ["Ctrl+0"]),
    "auto_layout": ("Auto layout", ["Ctrl+L"]),
    "snap": ("Snap to grid", ["Ctrl+G"]),
    "find_node": ("Find node type", [Std.Find]),
    "train": ("Train", ["Ctrl+T"]),
    "neuron_view": ("Neuron view", ["Ctrl+Shift+N"]),
    "step_through": ("Step through backpropagation", ["Ctrl+Shift+B"]),
    "shortcuts": ("Keyboard shortcuts", ["F1"]),
}

# Gestures that are not actions, for the help list.
GESTURES: list[tuple[str, str]] = [
    ("Add a node", "Drag it from the palette, or double-click it there"),
    ("Connect", "Drag from an output port to an input port (or back)"),
    ("Disconnect", "Drag a wire's input end onto empty canvas"),
    ("Select several", "Rubber-band drag on empty canvas, or Ctrl+click"),
    ("Move", "Drag a node (one undo step per drag)"),
    ("Zoom", "Mouse wheel (zooms at the cursor)"),
    ("Pan", "Middle mouse button drag, or hold Space and drag"),
]


def sequences(key: str) -> list[QKeySequence]:
    return [QKeySequence(s) for s in SHORTCUTS[key][1]]


def help_rows() -> list[tuple[str, str]]:
    """(what, keys) for every shortcut and gesture, keys in the platform's notation."""
    rows = []
    for text, seqs in SHORTCUTS.values():
        keys = ", ".join(
            QKeySequence(s).toString(QKeySequence.SequenceFormat.NativeText)
            for s in seqs
            if not QKeySequence(s).isEmpty()
        )
        rows.append((text.rstrip("…"), keys))
    return rows + GESTURES
