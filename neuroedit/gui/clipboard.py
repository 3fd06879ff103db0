"""Copy/paste of graph fragments through the system clipboard as JSON."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication

FRAGMENT_MIME = "application/x-neuroedit-fragment+json"


class FragmentError(ValueError):
    """The clipboard does not hold NeuroEdit nodes; the message says what is wrong."""


def put_fragment(fragment: dict[str, Any]) -> None:
    data = json.dumps(fragment).encode("utf-8")
    mime = QMimeData()
    mime.setData(FRAGMENT_MIME, data)
    mime.setText(data.decode("utf-8"))
    QGuiApplication.clipboard().setMimeData(mime)


def get_fragment() -> dict[str, Any]:
    """The fragment on the clipboard (ours, or JSON text with the same layout), checked for shape."""
    mime = QGuiApplication.clipboard().mimeData()
    if mime is None:
        raise FragmentError("the clipboard is empty")
    if mime.hasFormat(FRAGMENT_MIME):
        raw = bytes(mime.data(FRAGMENT_MIME)).decode("utf-8", errors="replace")
    elif mime.hasText():
        raw = mime.text()
    else:
        raise FragmentError("the clipboard holds no nodes")
    try:
        fragment = json.loads(raw)
    except ValueError:
        raise FragmentError("the clipboard holds no nodes") from None
    return check_fragment(fragment)


def check_fragment(fragment: Any) -> dict[str, Any]:
    if (
        not isinstance(fragment, dict)
        or not isinstance(fragment.get("nodes"), list)
        or not isinstance(fragment.get("edges"), list)
    ):
        raise FragmentError("the clipboard holds no nodes")
    ids = set()
    for n in fragment["nodes"]:
        if not (
            isinstance(n, dict)
            and isinstance(n.get("id"), str)
            and isinstance(n.get("type"), str)
            and isinstance(n.get("params"), dict)
            and isinstance(n.get("pos"), list)
            and len(n["pos"]) == 2
            and all(isinstance(v, (int, float)) for v in n["pos"])
        ):
            raise FragmentError("a copied node is malformed")
        ids.add(n["id"])
    for e in fragment["edges"]:
        if not (
            isinstance(e, list) and len(e) == 4 and all(isinstance(v, str) for v in e) and e[0] in ids and e[1] in ids
        ):
            raise FragmentError("a copied connection is malformed")
    if not fragment["nodes"]:
        raise FragmentError("the clipboard holds no nodes")
    return fragment
