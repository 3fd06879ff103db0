"""PySide6 6.12.0 aborts CPython 3.11 after a few thousand calls of methods returning None.

The pin in pyproject.toml (`PySide6-Essentials>=6.10,<6.12`) avoids it; this test
fails if the pin is lost or a broken build sneaks back in.
"""

import sys

import pytest

PySide6 = pytest.importorskip("PySide6")

CALLS = 20_000


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())


def test_pyside_version_pin_holds():
    if sys.version_info[:2] == (3, 11):
        assert _version(PySide6.__version__) < (6, 12), (
            f"PySide6 {PySide6.__version__} on Python 3.11: 6.12.0 aborts after a few thousand Qt calls"
        )
    assert _version(PySide6.__version__) >= (6, 10)


def test_pyproject_keeps_the_pin():
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [d for d in pyproject["project"]["dependencies"] if d.lower().startswith("pyside6")]
    assert pins and all("<6.12" in d.replace(" ", "") for d in pins), pins


def test_many_qt_calls_survive_in_a_fresh_process():
    """The same loop in a child process, so an abort shows as a failed test, not a dead test run."""
    import subprocess
    import textwrap

    script = textwrap.dedent(f"""
        from PySide6.QtWidgets import QApplication, QGraphicsRectItem, QWidget
        app = QApplication([])
        widget, item = QWidget(), QGraphicsRectItem(0, 0, 10, 10)
        for i in range({CALLS}):
            widget.setToolTip("tip")
            item.setPos(float(i % 100), 0.0)
        print("survived")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "survived" in done.stdout, (
        f"Qt process died with exit code {done.returncode}: {done.stderr[-500:]}"
    )
