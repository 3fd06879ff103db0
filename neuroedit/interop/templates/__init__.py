"""Code the exported scripts carry: real modules (linted and tested here), copied below each script's header.

Each template imports only the standard library, NumPy and the framework; the text
after its `# ---- body ----` line is pasted into the generated script.
"""

from __future__ import annotations

from pathlib import Path

MARKER = "# ---- body ----\n"


def body(name: str) -> str:
    """The pasted part of template `name` (e.g. "data")."""
    text = (Path(__file__).parent / f"{name}.py").read_text(encoding="utf-8")
    return text.split(MARKER, 1)[1].strip("\n") + "\n"
