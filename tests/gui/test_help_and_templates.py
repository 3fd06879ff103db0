"""Help › Getting started and About, the window icon, and a template for every sample."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog

from neuroedit._version import __version__
from neuroedit.gui.help_pages import AboutDialog, GettingStartedDialog
from neuroedit.gui.templates import TEMPLATES
from neuroedit.logs import log_path

ROOT = Path(__file__).resolve().parents[2]


def test_help_menu_opens_getting_started_and_about(make_window, monkeypatch):
    shown = []
    monkeypatch.setattr(QDialog, "exec", lambda self: shown.append(self) or 0)
    w = make_window()
    help_menu = next(m.menu() for m in w.menuBar().actions() if m.text() == "&Help")
    texts = [a.text() for a in help_menu.actions()]
    assert "Getting started" in texts and "About NeuroEdit" in texts
    w.help_actions["getting_started"].trigger()
    w.help_actions["about"].trigger()
    start, about = shown
    assert isinstance(start, GettingStartedDialog) and isinstance(about, AboutDialog)
    page = start.page.toPlainText()
    assert "File › New" in page and "Train" in page and "neuroedit data download fashion-mnist" in page
    assert f"NeuroEdit {__version__}" in about.text.text() and str(log_path()) in about.text.text()


def test_window_has_the_app_icon(make_window):
    w = make_window()
    assert not w.windowIcon().isNull()
    assert w.windowIcon().availableSizes() or w.windowIcon().pixmap(32, 32).width() == 32


def test_every_sample_is_a_template_and_builds():
    samples = sorted(p.name for p in (ROOT / "samples").glob("*.nedit"))
    assert sorted(t.sample for t in TEMPLATES if t.sample) == samples
    spiral = next(t for t in TEMPLATES if t.sample == "spiral.nedit").create()
    assert [n.params.get("units") for n in spiral.nodes.values() if n.type == "Dense"] == [8, 8, 1]
    assert spiral.dataset == {"spec": "spiral"}
