"""Uncaught exceptions in the editor: logged with the traceback, document autosaved, a dialog says where the log is."""

from __future__ import annotations

import logging
import sys
import threading

import pytest

from neuroedit.gui.crash_handler import CrashHandler
from neuroedit.logs import log_path, setup_logging
from neuroedit.model.samples import xor

# The editor's own hook must see the exceptions, not pytest-qt's capture.
pytestmark = pytest.mark.qt_no_exception_capture


@pytest.fixture
def handler(make_window):
    setup_logging()
    w = make_window(xor())
    w.doc.set_param("dense_1", "units", 5)  # unsaved work
    crash = CrashHandler(w)
    crash.install()
    yield w, crash
    crash.uninstall()


def _raise_in_slot():
    raise RuntimeError("boom in a slot")


def test_exception_in_a_qt_slot_autosaves_and_shows_the_log(handler, dialogs, qtbot):
    w, crash = handler
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, _raise_in_slot)  # PySide6 hands the exception to sys.excepthook
    qtbot.waitUntil(lambda: bool(crash.reports), timeout=3000)
    kind, title, text = dialogs[-1]
    assert kind == "critical" and "Unexpected error" in title
    assert "RuntimeError: boom in a slot" in text and "_raise_in_slot" in text
    assert str(log_path()) in text and "autosaved" in text
    assert w.files.autosaver.data_path.is_file()
    for h in logging.getLogger("neuroedit").handlers:
        h.flush()
    logged = log_path().read_text()
    assert "uncaught exception" in logged and "Traceback" in logged and "boom in a slot" in logged


def test_exception_in_a_thread_is_reported_in_the_gui_thread(handler, dialogs, qtbot):
    _, crash = handler

    def work():
        raise ValueError("worker broke")

    t = threading.Thread(target=work, name="probe-worker")
    t.start()
    t.join()
    qtbot.waitUntil(lambda: bool(crash.reports), timeout=3000)
    assert "ValueError: worker broke" in dialogs[-1][2]
    assert "uncaught exception in thread probe-worker" in log_path().read_text()


def test_keyboard_interrupt_is_left_to_python(handler, dialogs, monkeypatch):
    _, crash = handler
    seen = []
    monkeypatch.setattr(sys, "__excepthook__", lambda *a: seen.append(a[0]))
    crash.handle(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert seen == [KeyboardInterrupt] and not crash.reports
