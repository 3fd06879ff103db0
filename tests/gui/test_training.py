"""Live training driven from the editor: XOR to 100%, controls, live LR, NaN, early stopping, save/reopen/continue."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from gui_docs import chain_doc

from neuroedit import io as nedit_io
from neuroedit.model import Document

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
WAIT_MS = 30_000


@pytest.fixture
def train_window(make_window):
    """A main window with live training on a document (XOR from the samples unless given)."""

    def make(doc: Document | None = None, path: str | None = None, **settings):
        if doc is None:
            doc = nedit_io.load(SAMPLES / "xor.nedit")
        doc.settings.update(settings)
        return make_window(doc, path)

    return make


def wait_state(qtbot, window, *states: str) -> None:
    qtbot.waitUntil(lambda: window.training.state in states, timeout=WAIT_MS)


def finish_cleanly(window) -> None:
    """Stop any run before the test ends, so closing the window asks nothing."""
    window.training.shutdown()
    window.files.forced_dirty = False
    window.doc.history.set_clean()


def regression_doc(lr: float) -> Document:
    return chain_doc(
        2,
        {"units": 8, "activation": "relu"},
        {"units": 1, "activation": "linear"},
        "mse",
        "plane",
        learning_rate=lr,
        epochs=50,
        batch_mode="full",
    )


def test_train_xor_from_the_gui_to_full_accuracy(qtbot, train_window):
    w = train_window(epochs=3000, learning_rate=0.5, batch_mode="full", seed=0)
    before = {k: v.copy() for k, v in w.doc.weights.get("dense_1", {}).items()}
    w.training.train()
    wait_state(qtbot, w, "finished", "failed")
    assert w.training.last_stop is not None and w.training.last_stop.reason == "finished", w.training.message
    h = w.doc.training_history
    assert len(h["loss"]) == 3000 and h["accuracy"][-1] == 1.0 and h["val_accuracy"][-1] == 1.0
    assert "dense_1" in w.doc.weights and not all(
        np.array_equal(before.get(k), v) for k, v in w.doc.weights["dense_1"].items()
    )
    assert w.files.is_dirty() and "*" in w.windowTitle()
    assert "Finished" in w.statusBar().currentMessage()
    dash = w.dashboard
    dash.refresh_all()
    assert len(dash.loss_raw) > 0 and len(dash.metric_train) > 0 and dash.metric_train.y()[-1] == 1.0
    assert dash.boundary.latest is not None and set(dash.boundary.latest.neurons) == {"dense_1"}
    assert "epoch 3000 of 3000" in w.training_panel.progress_label.text()
    wire = w.scene.wire_items[next(e for e in w.doc.edges if e.dst == "dense_1")]
    assert wire.style.width is not None and wire.style.color is not None
    finish_cleanly(w)


def test_pause_resume_step_and_step_epoch(qtbot, train_window):
    w = train_window(epochs=100_000, batch_mode="minibatch", batch_size=2, shuffle=False)
    c = w.training
    c.step()  # not started yet: starts paused after one batch
    qtbot.waitUntil(lambda: c.state == "paused" and c.last_chunk is not None, timeout=WAIT_MS)
    assert c.last_chunk.step == 1 and c.last_chunk.step_in_epoch == 1
    c.step_epoch()  # 2 steps per epoch: one more to the epoch's end
    qtbot.waitUntil(lambda: c.state == "paused" and c.last_chunk.step == 2, timeout=WAIT_MS)
    assert c.last_chunk.step_in_epoch == 0 and c.last_chunk.epochs_done == 1
    c.train()  # resume
    qtbot.waitUntil(lambda: c.last_chunk.step > 50, timeout=WAIT_MS)
    c.pause()
    wait_state(qtbot, w, "paused")
    held = c.last_chunk.step
    qtbot.wait(150)
    assert c.last_chunk.step == held and c.state == "paused"
    assert w.doc.training_history and w.files.is_dirty()  # pausing commits the results
    c.step()
    qtbot.waitUntil(lambda: c.last_chunk.step == held + 1, timeout=WAIT_MS)
    c.stop()
    wait_state(qtbot, w, "finished")
    assert c.last_stop.reason == "stopped"
    assert w.doc.optimizer_state["iterations"][0] == held + 1
    finish_cleanly(w)


def test_learning_rate_change_takes_effect_at_the_next_step_and_undo(qtbot, train_window):
    w = train_window(epochs=100_000, learning_rate=0.5, batch_mode="full")
    c = w.training
    c.step()
    qtbot.waitUntil(lambda: c.state == "paused" and c.last_chunk is not None, timeout=WAIT_MS)
    w.doc.set_setting("learning_rate", 0.05)  # undoable edit, applied live (no question)
    assert not c.pending_change and not w.training_panel.banner.isVisibleTo(w.training_panel)
    c.step()
    qtbot.waitUntil(lambda: c.last_chunk.step == 2, timeout=WAIT_MS)
    assert w.dashboard.lr.y()[-1] == pytest.approx(0.05)
    w.doc.history.undo()
    c.step()
    qtbot.waitUntil(lambda: c.last_chunk.step == 3, timeout=WAIT_MS)
    assert w.dashboard.lr.y()[-1] == pytest.approx(0.5)
    assert w.training_panel.editor("learning_rate").value() == pytest.approx(0.5)
    finish_cleanly(w)


def test_nan_stops_with_step_and_node(qtbot, train_window):
    w = train_window(regression_doc(1e3))
    w.training.train()
    wait_state(qtbot, w, "finished", "failed")
    stop = w.training.last_stop
    assert stop is not None and stop.reason == "nonfinite" and stop.node == "out"
    text = w.statusBar().currentMessage()
    assert "NaN" in text and "step 3" in text and "node out" in text
    assert all(np.isfinite(a).all() for arrays in w.doc.weights.values() for a in arrays.values())
    finish_cleanly(w)


def test_early_stopping_stops_and_restores_the_best_weights(qtbot, train_window):
    from neuroedit.gui.training.controller import _build_session, snapshot

    w = train_window(epochs=500, early_stopping=True, es_monitor="val_accuracy", es_patience=3, es_restore_best=True)
    reference = snapshot(w.doc)
    w.training.train()
    wait_state(qtbot, w, "finished")
    stop = w.training.last_stop
    assert stop.reason == "early_stopping" and stop.epoch == 4
    assert "Stopped by early stopping at epoch 4" in w.statusBar().currentMessage()
    assert w.dashboard.best_epoch == 1 and w.dashboard.best_line.isVisible()
    assert len(w.doc.training_history["loss"]) == 4
    reference.settings.update(epochs=1, early_stopping=False)
    one = _build_session(reference, "xor", None)
    one.trainer.run()
    for name, a in one.backend.get_weights()["dense_1"].items():
        np.testing.assert_allclose(w.doc.weights["dense_1"][name], a, rtol=1e-6)
    finish_cleanly(w)


def test_save_reopen_continue_restores_history_and_optimizer_state(qtbot, train_window, tmp_path):
    from neuroedit.gui.training.controller import _build_session, snapshot

    path = tmp_path / "xor_adam.nedit"
    w = train_window(epochs=200, optimizer="adam", learning_rate=0.05, batch_mode="full")
    straight = snapshot(w.doc)
    w.training.train()
    wait_state(qtbot, w, "finished")
    assert w.files.write(str(path))
    finish_cleanly(w)

    again = train_window(nedit_io.load(path), str(path), epochs=100)
    assert len(again.dashboard.loss_raw) == 200 and len(again.dashboard.val_loss) == 200
    assert int(again.doc.optimizer_state["iterations"][0]) == 200
    again.training.train()
    wait_state(qtbot, again, "finished")
    h = again.doc.training_history
    assert h["epoch"][0] == 1 and h["epoch"][-1] == 300 and len(h["loss"]) == 300
    assert int(again.doc.optimizer_state["iterations"][0]) == 300
    straight.settings.update(epochs=300)  # one uninterrupted run of 300 epochs gives the same weights
    ref = _build_session(straight, "xor", None)
    ref.trainer.run()
    for name, a in ref.backend.get_weights()["dense_2"].items():
        np.testing.assert_allclose(again.doc.weights["dense_2"][name], a, rtol=1e-5, atol=1e-6)
    finish_cleanly(again)


def test_structural_edit_pauses_and_asks_then_continues(qtbot, train_window):
    w = train_window(epochs=1_000_000, batch_mode="full")
    c = w.training
    c.train()
    qtbot.waitUntil(lambda: c.last_chunk is not None and c.last_chunk.step > 20, timeout=WAIT_MS)
    w.doc.set_param("dense_1", "l2", 0.001)  # live: no question
    assert c.state == "running" and not c.pending_change
    w.doc.set_param("dense_1", "units", 3)  # structure: pause and ask
    assert c.pending_change == "structure" and c.state == "paused" and c.worker is None
    assert w.training_panel.banner.isVisibleTo(w.training_panel)
    assert w.doc.training_history["loss"]  # what was trained is kept
    assert w.doc.weights["dense_2"]["bias"].shape == (1,)  # kept; the old (2, 1) kernel no longer fits
    assert w.doc.weights["dense_2"].get("kernel", np.zeros((3, 1))).shape == (3, 1)
    w.training_panel.continue_button.click()
    wait_state(qtbot, w, "running")
    qtbot.waitUntil(lambda: c.session is not None, timeout=WAIT_MS)
    c.stop()
    wait_state(qtbot, w, "finished")
    assert w.doc.weights["dense_1"]["kernel"].shape == (2, 3)
    assert not w.training_panel.banner.isVisibleTo(w.training_panel)
    finish_cleanly(w)


@pytest.mark.parametrize("control", ["train", "step"])
def test_resume_or_step_after_an_edit_paused_training_continue_it(qtbot, train_window, control):
    w = train_window(epochs=1_000_000, batch_mode="full")
    c = w.training
    states: list[str] = []
    c.state_changed.connect(lambda state, _text: states.append(state))
    c.train()
    qtbot.waitUntil(lambda: c.last_chunk is not None and c.last_chunk.step > 20, timeout=WAIT_MS)
    w.doc.set_setting("batch_size", 2)  # not live: pause and ask
    assert c.pending_change and c.state == "paused" and c.worker is None
    getattr(c, control)()  # the toolbar's Train (Resume) or Step
    assert "idle" in states[-3:]  # the question's end is announced
    if control == "train":
        wait_state(qtbot, w, "running")
    else:
        qtbot.waitUntil(
            lambda: (
                c.state == "paused"
                and c.worker is not None
                and c.last_chunk is not None
                and c.last_chunk.step_in_epoch == 0
            ),
            timeout=WAIT_MS,
        )
    assert not c.pending_change and not w.training_panel.banner.isVisibleTo(w.training_panel)
    finish_cleanly(w)


def test_the_engine_compiles_in_the_background_at_launch_and_train_waits_for_it(qtbot, train_window, monkeypatch):
    from neuroedit.engine import numba_backend
    from neuroedit.gui.training import warmup

    monkeypatch.setattr(numba_backend, "kernels_cached", lambda part="training": False)  # a new install
    monkeypatch.setattr(warmup, "COMPILE", "import time; time.sleep(1.5)  # {dtype}")
    w = train_window(epochs=3)
    c = w.training
    statuses: list[str] = []
    c.state_changed.connect(lambda state, text: statuses.append(text))
    c.start_warmup()
    assert c.warmup.running
    assert "Preparing the training engine" in w.statusBar().currentMessage()
    c.train()
    wait_state(qtbot, w, "finished")
    assert any("finishing the training engine started at launch" in t for t in statuses)
    qtbot.waitUntil(
        lambda: "Training engine ready" in w.statusBar().currentMessage() or not c.warmup.running, timeout=WAIT_MS
    )
    finish_cleanly(w)


def test_while_the_launch_compile_works_on_the_inference_kernels_the_final_boundary_waits_for_it(
    qtbot, train_window, monkeypatch
):
    """Training starts once its kernels are on disk; the run's last picture waits for the background
    compile's inference kernels rather than compile them a second time in this process."""
    from neuroedit.engine import numba_backend
    from neuroedit.gui.training import warmup

    on_disk = {"training": True, "steps": False}
    monkeypatch.setattr(numba_backend, "kernels_cached", lambda part="training": on_disk[part])
    monkeypatch.setattr(warmup, "COMPILE", "import time; time.sleep(30)  # {dtype}")
    w = train_window(epochs=30)
    c = w.training
    chunks: list = []
    c.chunk_received.connect(chunks.append)
    c.start_warmup()
    c.train()
    qtbot.waitUntil(lambda: any(chunk.step > 0 for chunk in chunks), timeout=WAIT_MS)
    qtbot.wait(300)
    assert c.state == "running" and all(chunk.boundary is None for chunk in chunks)
    # every epoch trained is on screen, only the boundary waits (and the texts follow the last chunk)
    assert chunks[-1].epoch == 30 and chunks[-1].step == 30
    assert "epoch 30 of 30" in w.training_panel.progress_label.text()
    assert "epoch 30" in c.message
    on_disk["steps"] = True  # the background compile wrote them
    wait_state(qtbot, w, "finished")
    assert chunks[-1].boundary is not None
    finish_cleanly(w)


def test_reset_gives_fresh_weights_and_clears_the_plots(qtbot, train_window):
    w = train_window(epochs=50)
    w.training.train()
    wait_state(qtbot, w, "finished")
    trained = w.doc.weights["dense_1"]["kernel"].copy()
    w.training.reset()
    assert w.doc.training_history == {} and w.doc.optimizer_state == {}
    assert len(w.dashboard.loss_raw) == 0
    assert not np.array_equal(w.doc.weights["dense_1"]["kernel"], trained)
    finish_cleanly(w)


def test_plots_export_png_and_csv(qtbot, train_window, tmp_path):
    w = train_window(epochs=100)
    w.training.train()
    wait_state(qtbot, w, "finished")
    w.dashboard.refresh_all()
    for plot in (w.dashboard.loss_plot, w.dashboard.metric_plot, w.dashboard.boundary, w.dashboard.grad_hist):
        png, data = tmp_path / f"{plot.objectName()}.png", tmp_path / f"{plot.objectName()}.csv"
        assert plot.export_png(str(png)) and png.stat().st_size > 1000
        plot.export_csv(str(data))
        rows = list(csv.reader(data.open()))
        assert len(rows) > 2, plot.objectName()
    loss_rows = list(csv.reader((tmp_path / "plot_loss.csv").open()))
    assert {r[0] for r in loss_rows[1:]} == {"train (per step)", "train (smoothed)", "validation"}
    finish_cleanly(w)


def test_moved_data_file_is_reported(qtbot, train_window, tmp_path):
    data = tmp_path / "points.csv"
    rows = "\n".join(f"{i % 7},{i % 5},{(i % 7 + i % 5) % 2}" for i in range(40))
    data.write_text("a,b,label\n" + rows + "\n")
    w = train_window(path=str(tmp_path / "net.nedit"))
    w.choose_dataset(f"csv:{data}")
    assert w.doc.dataset["file"]["sha256"] and w.training.check_dataset() == ""
    data.rename(tmp_path / "elsewhere.csv")
    problem = w.training.check_dataset()
    assert problem and "points.csv" in problem
    assert "points.csv" in w.training_panel.dataset_label.text()
    finish_cleanly(w)


def test_speed_limit_slows_training_down(qtbot, train_window):
    w = train_window(epochs=1_000_000, batch_mode="full")
    c = w.training
    w.training_panel.speed_combo.setCurrentIndex(3)  # 30 steps/s
    c.train()
    qtbot.waitUntil(lambda: c.state == "running" and c.last_chunk is not None, timeout=WAIT_MS)
    start = c.last_chunk.step
    qtbot.wait(1000)
    ran = c.last_chunk.step - start
    assert 10 <= ran <= 60, ran
    w.training_panel.speed_combo.setCurrentIndex(0)  # as fast as possible again
    qtbot.waitUntil(lambda: c.last_chunk.step > start + ran + 500, timeout=WAIT_MS)
    finish_cleanly(w)


@pytest.mark.parametrize(
    "spec, loss, units, activation",
    [
        ("plane", "mse", 1, "linear"),
        ("spiral_multi:classes=3", "sparse_categorical_crossentropy", 3, "softmax"),
    ],
)
def test_decision_boundary_for_regression_and_multiclass(qtbot, train_window, spec, loss, units, activation):
    d = Document()
    d.add_node("Input", {"shape": [2]}, (0, 0), "x")
    d.add_node("Dense", {"units": 6, "activation": "tanh"}, (220, 0), "hidden")
    d.add_node("Dense", {"units": units, "activation": activation}, (440, 0), "out")
    d.add_node("Loss", {"loss": loss}, (660, 0), "loss")
    for a, b in (("x", "hidden"), ("hidden", "out"), ("out", "loss")):
        d.connect(a, b)
    d.set_dataset({"spec": spec})
    d.settings.update(epochs=20, optimizer="adam", learning_rate=0.01)
    d.history.set_clean()
    w = train_window(d)
    w.training.train()
    wait_state(qtbot, w, "finished", "failed")
    assert w.training.state == "finished", w.training.message
    view = w.dashboard.boundary
    view.refresh()
    assert view.isVisibleTo(w.dashboard) and view.latest is not None
    assert (view.latest.classes is None) == (units == 1)
    if units == 1:
        assert view.plane.task == "regression" and w.dashboard.metric_name == "mae"
        assert view.title == "Output over the input plane"  # no classes, no decision boundary
    else:
        assert set(np.unique(view.latest.classes)) <= {0, 1, 2}
        assert view.title == "Decision boundary"
    assert view.rgba(view.latest).shape[-1] == 4
    finish_cleanly(w)


@pytest.mark.slow
def test_neuroedit_train_screenshot_quits_while_training(tmp_path):
    from neuroedit.gui.app import run_app

    doc = nedit_io.load(SAMPLES / "xor.nedit")
    doc.settings["epochs"] = 10_000_000
    path = tmp_path / "long.nedit"
    nedit_io.save(doc, path)
    png = tmp_path / "training.png"
    assert run_app(str(path), train=True, screenshot=str(png), quit_after=2.5) == 0
    assert png.is_file() and png.stat().st_size > 20_000


@pytest.mark.slow
def test_save_while_training_stores_the_weights_trained_so_far(qtbot, train_window, tmp_path, dialogs):
    w = train_window(epochs=1_000_000, learning_rate=0.5, batch_mode="full", seed=0)
    w.training.train()
    qtbot.waitUntil(
        lambda: (
            w.training.state == "running" and w.training.last_chunk is not None and bool(w.training.last_chunk.events)
        ),
        timeout=WAIT_MS,
    )
    qtbot.wait(300)
    path = tmp_path / "while-training.nedit"
    assert w.files.write(str(path)), dialogs
    saved = nedit_io.load(path)
    assert len(saved.training_history.get("loss", [])) > 0, "the history trained so far is in the file"
    assert saved.optimizer_state or saved.weights["dense_1"]
    finish_cleanly(w)


def test_the_dashboard_draws_a_running_calls_steps_once_before_and_after_its_chunk(make_window):
    """The worker sends a chunk per ~0.1 s engine call; the redraw timer draws the steps in between."""
    from neuroedit.engine.trainer import LiveCall, Progress
    from neuroedit.gui.training.worker import Chunk

    def chunk(first: int, values) -> Chunk:
        n = len(values)
        done = Progress(1, first, first, 10, np.array(values, float), np.zeros(n), np.full(n, 0.1))
        return Chunk(events=[done], epoch=1, step=first + n, step_in_epoch=first + n, steps_per_epoch=10)

    dash = make_window(nedit_io.load(SAMPLES / "xor.nedit")).dashboard
    losses, counter = np.full(4, np.nan), np.zeros(2, np.int64)
    running = LiveCall(
        epoch=1, first_step=2, step_in_epoch=2, steps_per_epoch=10, losses=losses, lrs=np.full(4, 0.1), counter=counter
    )
    losses[:3], counter[0] = (0.8, 0.7, 0.6), 3
    dash.live_source = lambda: (running,)
    dash.redraw()
    assert len(dash.loss_raw) == 0  # a run's first call is drawn from its chunk (steps may restart at 0)
    dash.on_chunk(chunk(0, [1.0, 0.9]))
    later = LiveCall(
        epoch=1,
        first_step=9,
        step_in_epoch=9,
        steps_per_epoch=10,
        losses=np.ones(1),
        lrs=np.ones(1),
        counter=np.array([1, 0]),
    )
    dash.live_source = lambda: (later,)  # the chunk of steps 2..5 still waits in the queue: draw nothing
    dash.redraw()
    assert len(dash.loss_raw) == 2
    dash.live_source = lambda: (running,)
    dash.redraw()
    assert list(dash.loss_raw.y()) == [1.0, 0.9, 0.8, 0.7, 0.6]
    counter[0] = 7  # the call returned and the next one counts its own steps:
    dash.redraw()  # this call's unfinished slots are NaN and not drawn
    assert len(dash.loss_raw) == 5
    dash.on_chunk(chunk(2, [0.8, 0.7, 0.6, 0.5]))
    np.testing.assert_allclose(dash.loss_raw.y(), [1.0, 0.9, 0.8, 0.7, 0.6, 0.5])
    np.testing.assert_allclose(dash.loss_raw.x, np.arange(1, 7) / 10)
    dash.live_source = None
    dash.on_chunk(chunk(6, [0.4]))
    assert len(dash.loss_raw) == 7 and dash.lr.y()[-1] == pytest.approx(0.1)
    dash.new_run()  # a new run may number its steps from 0 again
    dash.on_chunk(chunk(0, [2.0]))
    assert len(dash.loss_raw) == 8
    last = LiveCall(
        epoch=1,
        first_step=1,
        step_in_epoch=1,
        steps_per_epoch=10,
        losses=np.array([1.9, 1.8, np.nan]),
        lrs=np.full(3, 0.1),
        counter=counter,
        final=np.array([2]),
    )
    now = LiveCall(
        epoch=1,
        first_step=3,
        step_in_epoch=3,
        steps_per_epoch=10,
        losses=np.array([1.7, np.nan]),
        lrs=np.full(2, 0.1),
        counter=counter,
    )
    counter[0] = 1
    dash.live_source = lambda: (last, now)  # the last call returned, its chunk not handled yet
    dash.redraw()
    np.testing.assert_allclose(dash.loss_raw.y()[-4:], [2.0, 1.9, 1.8, 1.7])


def test_live_training_draws_every_step_once(qtbot, train_window):
    """20,000 steps in ~0.1 s engine calls, drawn from the running calls and from the chunks."""
    doc = chain_doc(
        2,
        {"units": 4, "activation": "tanh"},
        {"units": 1, "activation": "sigmoid"},
        "binary_crossentropy",
        "spiral:n=20000,noise=0.1,seed=2",
        epochs=1,
        batch_mode="minibatch",
        batch_size=1,
        learning_rate=0.01,
    )
    w = train_window(doc)
    w.training.train()
    wait_state(qtbot, w, "finished", "failed")
    assert w.training.last_stop.reason == "finished", w.training.message
    x = w.dashboard.loss_raw.x
    assert np.all(np.diff(x) > 0)  # in order, no step twice
    buffer, steps = w.dashboard.loss_raw, w.training.last_chunk.step
    kept = range(0, steps, buffer.stride)  # every stride-th step is kept
    assert len(buffer) == len(kept) and x[-1] == pytest.approx((kept[-1] + 1) / steps)  # none missing
    finish_cleanly(w)
