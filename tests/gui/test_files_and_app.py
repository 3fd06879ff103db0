"""Save/reopen, load errors, unsaved-change prompts, recent files, autosave recovery, templates, run_app."""

from __future__ import annotations

import json

from gui_helpers import assert_scene_mirrors, drag, port_pos

from neuroedit import io as nedit_io
from neuroedit.gui.files import Autosaver, RecentFiles, find_recoveries
from neuroedit.gui.templates import TEMPLATES, TEMPLATES_BY_KEY, samples_dir
from neuroedit.model import Document, Edge


def test_build_by_mouse_save_and_reopen(make_window, tmp_path):
    doc = Document()
    doc.add_node("Input", {"shape": [2]}, pos=(0.0, 0.0))
    doc.add_node("Dense", {"units": 4, "activation": "tanh"}, pos=(300.0, 0.0))
    doc.history.clear()
    w = make_window(doc)
    drag(w.canvas, port_pos(w, "input_1", "out", False), port_pos(w, "dense_1", "in", True))
    assert w.windowTitle().startswith("Untitled*")
    path = tmp_path / "built.nedit"
    assert w.files.write(str(path))
    assert w.windowTitle().startswith("built.nedit — ")
    assert not w.files.is_dirty()
    w2 = make_window()
    assert w2.files.load(str(path))
    assert list(w2.doc.nodes) == ["input_1", "dense_1"]
    assert w2.doc.edges == [Edge("input_1", "dense_1")]
    assert w2.doc.nodes["dense_1"].pos == (300.0, 0.0)
    assert_scene_mirrors(w2)
    assert w2.files.recent.paths()[0] == str(path)


def test_load_error_shows_dialog_and_keeps_running(make_window, tmp_path, dialogs):
    bad = tmp_path / "broken.nedit"
    bad.write_bytes(b"this is not a zip file")
    w = make_window(TEMPLATES_BY_KEY["xor"].create())
    before = list(w.doc.nodes)
    assert not w.files.load(str(bad))
    assert dialogs and dialogs[-1][0] == "critical" and "broken.nedit" in dialogs[-1][2]
    assert list(w.doc.nodes) == before
    assert not w.files.load(str(tmp_path / "missing.nedit"))
    assert len([d for d in dialogs if d[0] == "critical"]) == 2
    w.doc.set_param("dense_1", "units", 7)  # still editable
    assert_scene_mirrors(w)


def test_open_with_unsaved_changes_asks_and_cancel_keeps_document(make_window, tmp_path, monkeypatch, dialogs):
    from PySide6.QtWidgets import QMessageBox

    other = tmp_path / "other.nedit"
    nedit_io.save(TEMPLATES_BY_KEY["weather"].create(), other)
    w = make_window(TEMPLATES_BY_KEY["xor"].create())
    w.doc.set_param("dense_1", "units", 7)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Cancel))
    assert not w.files.open(str(other))
    assert w.doc.nodes["dense_1"].params["units"] == 7
    assert not w.close()  # closing asks too, and Cancel keeps the window
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard))
    assert w.files.open(str(other))
    assert w.doc.dataset == {"spec": "weather"}
    assert w.windowTitle().startswith("other.nedit — ")


def test_dropping_a_nedit_file_opens_it(make_window, tmp_path):
    path = tmp_path / "dropped.nedit"
    nedit_io.save(TEMPLATES_BY_KEY["compute_graph"].create(), path)
    w = make_window()
    w.canvas.files_dropped.emit([str(tmp_path / "notes.txt"), str(path)])
    assert set(w.doc.nodes) >= {"x", "y", "z", "w", "p", "q", "m", "f"}
    assert_scene_mirrors(w)


def test_recent_files_most_recent_first_and_existing_only(tmp_path):
    a, b = tmp_path / "a.nedit", tmp_path / "b.nedit"
    a.write_bytes(b"x")
    b.write_bytes(b"x")
    recent = RecentFiles()
    recent.add(str(a))
    recent.add(str(b))
    recent.add(str(a))
    assert recent.paths() == [str(a), str(b)]
    b.unlink()
    assert recent.paths() == [str(a)]


def test_autosave_and_recovery_round_trip(tmp_path):
    folder = tmp_path / "recovery"
    doc = TEMPLATES_BY_KEY["xor"].create()
    doc.set_param("dense_1", "units", 5)
    saver = Autosaver(lambda: (doc, "/somewhere/net.nedit", True), folder, interval_ms=60_000)
    assert saver.timer.interval() == 60_000
    assert saver.save_now()
    assert saver.data_path.is_file()
    assert find_recoveries(folder) == []  # this process is alive: not a crash
    meta = json.loads(saver.meta_path.read_text())
    meta["pid"] = 99_999_999  # a process that cannot exist: the session crashed
    saver.meta_path.write_text(json.dumps(meta))
    [found] = find_recoveries(folder)
    assert found.original == "/somewhere/net.nedit"
    restored = found.load()
    assert restored.nodes["dense_1"].params["units"] == 5
    assert restored.edges == doc.edges
    found.discard()
    assert find_recoveries(folder) == [] and not saver.data_path.exists()


def test_clean_exit_and_save_clear_the_recovery_file(make_window, tmp_path):
    w = make_window(TEMPLATES_BY_KEY["xor"].create())
    w.doc.set_param("dense_1", "units", 5)
    saver = w.files.autosaver
    assert saver.save_now() and saver.data_path.is_file()
    assert w.files.write(str(tmp_path / "saved.nedit"))
    assert not saver.data_path.exists()
    w.doc.set_param("dense_1", "units", 6)
    saver.save_now()
    assert saver.data_path.is_file()
    w.files.forced_dirty = False
    w.doc.history.set_clean()
    assert w.close()
    assert not saver.data_path.exists()


def test_templates_from_samples_and_code_agree(tmp_path):
    empty = tmp_path / "no-samples"
    empty.mkdir()
    for t in TEMPLATES:
        from_code = t.create(empty)
        assert from_code.history.is_clean and not from_code.history.texts
        if t.sample and samples_dir() is not None and (samples_dir() / t.sample).is_file():
            from_file = t.create()
            assert list(from_file.nodes) == list(from_code.nodes), t.key
            assert from_file.edges == from_code.edges, t.key
            assert {k: n.params for k, n in from_file.nodes.items()} == {
                k: n.params for k, n in from_code.nodes.items()
            }, t.key
    assert TEMPLATES_BY_KEY["blank"].create().nodes == {}


def test_run_app_screenshot_and_quit(tmp_path):
    from neuroedit.gui.app import run_app

    sample = samples_dir() / "xor.nedit" if samples_dir() else None
    path = tmp_path / "xor.nedit"
    nedit_io.save(TEMPLATES_BY_KEY["xor"].create(), path)
    png = tmp_path / "shots" / "main.png"
    assert run_app(str(sample or path), screenshot=str(png), quit_after=0.3) == 0
    assert png.is_file() and png.stat().st_size > 10_000


def test_run_app_unattended_with_bad_file_fails_cleanly(tmp_path, capsys):
    from neuroedit.gui.app import run_app

    bad = tmp_path / "bad.nedit"
    bad.write_text("nope")
    assert run_app(str(bad), screenshot=str(tmp_path / "x.png"), quit_after=0.1) == 1
    assert "cannot open" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_file_new_uses_the_template_picker(make_window, monkeypatch):
    from neuroedit.gui.template_picker import TemplatePicker

    def choose_weather(picker):
        picker.list.setCurrentRow([t.key for t in TEMPLATES].index("weather"))
        picker.accept()
        return TemplatePicker.DialogCode.Accepted

    monkeypatch.setattr(TemplatePicker, "exec", choose_weather)
    w = make_window()
    w.actions["new"].trigger()
    assert w.doc.dataset == {"spec": "weather"}
    assert w.windowTitle().startswith("Untitled — ")
    assert not w.files.is_dirty()
    assert_scene_mirrors(w)


def test_template_picker_lists_every_template(qtbot):
    from neuroedit.gui.template_picker import TemplatePicker

    picker = TemplatePicker()
    qtbot.addWidget(picker)
    titles = [picker.list.item(i).text().split("\n")[0] for i in range(picker.list.count())]
    assert titles == [
        "XOR",
        "Single neuron",
        "Weather",
        "Spiral",
        "Fashion-MNIST MLP",
        "Fashion-MNIST pullover vs shirt",
        "Computation graph",
        "XOR 2-3-1",
        "XOR 2-2-2-1",
        "Weather, 5 inputs",
        "Fashion-MNIST + Dropout",
        "784-300-1 linear",
        "784-300-1 ReLU",
        "Race: Ravine",
        "Race: Rosenbrock",
        "Race: Beale",
        "Race: Saddle",
        "Blank",
    ]
