"""Python's garbage collector stays out of worker threads while they run (Qt destructors belong to the GUI thread)."""

from __future__ import annotations

import gc

from neuroedit.gui.gc_guard import gui_thread_collector


def test_holds_nest_and_the_last_release_restores_automatic_collection(qapp):
    guard = gui_thread_collector()
    assert gc.isenabled() and guard.holds == 0
    guard.hold()  # e.g. training starts
    guard.hold()  # and a data set loads meanwhile
    assert not gc.isenabled()
    guard.release()  # the load ends: training still runs
    assert not gc.isenabled()
    guard.release()
    assert gc.isenabled() and guard.holds == 0
    guard.release()  # an extra release changes nothing
    assert gc.isenabled() and guard.holds == 0


def test_data_panel_loads_with_the_collector_paused_in_its_thread(qtbot):
    from neuroedit.gui.data_panel import DataPanel

    seen: list[bool] = []
    panel = DataPanel()
    qtbot.addWidget(panel)
    original = panel._executor.submit

    def submit(work):
        def watched():
            seen.append(gc.isenabled())
            return work()

        return original(watched)

    panel._executor.submit = submit
    panel.set_spec("moons:n=200")
    qtbot.waitUntil(lambda: panel.dataset is not None, timeout=10000)
    assert seen == [False]  # in the loader thread automatic collection was off
    assert gc.isenabled() and gui_thread_collector().holds == 0
