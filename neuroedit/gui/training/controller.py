"""The training controller: one run at a time for the window's document, in a worker thread.

It snapshots the document, starts a `TrainingWorker`, relays its chunks to the
dashboards and the canvas, writes results back into the document when training
pauses or ends (so Save stores them), and reacts to edits made while training:
learning rate, epochs and live layer parameters (L1/L2, dropout rate, ...) apply at
the next step; anything else pauses training and asks whether to continue or reset.
"""

from __future__ import annotations

import copy
import subprocess
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ...api.data import DataProblem, document_spec, load_training_data
from ...api.session import TrainingSession, reset_weights
from ...engine import EngineError
from ...engine.backend import LIVE_PARAMS
from ...engine.devices import resolve_device
from ...engine.trainer import LiveCall, Stopped, TrainConfig
from ...model import Document, Node, analyze, fitting_weights, node_type
from ..binding import DocBinding
from ..gc_guard import gui_thread_collector
from ..throttle import Throttle
from . import probes
from .warmup import KernelWarmup
from .worker import Chunk, TrainingWorker

ACTIVE = ("compiling", "running", "paused")
LIVE_SETTINGS = ("learning_rate", "epochs")
STOP_WAIT_MS = 30_000
STATUS_SECONDS = 0.25  # the status line is refreshed at a few Hz while training runs


def snapshot(doc: Document) -> Document:
    """A private copy the worker thread may read while the user keeps editing the real document."""
    return Document(
        nodes={k: Node(n.id, n.type, copy.deepcopy(n.params), n.pos) for k, n in doc.nodes.items()},
        edges=list(doc.edges),
        settings=dict(doc.settings),
        dataset=copy.deepcopy(doc.dataset),
        weights={k: dict(v) for k, v in doc.weights.items()},
        optimizer_state=dict(doc.optimizer_state),
        training_history=copy.deepcopy(doc.training_history),
    )


def status_text(state: str, message: str = "", chunk: Chunk | None = None) -> str:
    """The status-bar line for a state (what the engine is doing)."""
    where = f"epoch {chunk.epoch}, step {chunk.step}" if chunk is not None else ""
    if state == "compiling":
        return f"Compiling: {message}" if message else "Compiling..."
    if state == "running":
        return f"Training: {where}" if where else "Training..."
    if state == "paused":
        return f"Paused at {where}" if where else "Paused"
    return message


def stopped_text(stop: Stopped) -> str:
    if stop.reason == "early_stopping":
        return f"Stopped by {stop.message}"
    if stop.reason == "nonfinite":
        return f"Stopped because of NaN/Inf: {stop.message}"
    if stop.reason == "finished":
        return f"{stop.message[:1].upper()}{stop.message[1:]} (epoch {stop.epoch}, step {stop.step})"
    return f"Stopped at epoch {stop.epoch}, step {stop.step}"


class TrainingController(QObject):
    """Owns the worker thread of the window's document. The panel and dashboards only call its methods."""

    state_changed = Signal(str, str)  # state (idle | compiling | running | paused | finished | failed), status text
    chunk_received = Signal(object)  # Chunk
    history_restored = Signal(object)  # the document's training_history (plots start from it); {} after Reset
    plane_changed = Signal(object)  # probes.Plane or None (2-D inputs: decision boundary)
    change_pending = Signal(str, str)  # kind (structure | settings | ""), question text; "" hides the question
    committed = Signal()  # weights/optimizer state/history were written into the document
    dataset_problem = Signal(str)  # the stored data-set file moved or changed ("" when fine)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.doc: Document = window.doc
        self.state = "idle"
        self.message = ""
        self.worker: TrainingWorker | None = None
        self.thread: QThread | None = None
        self.session: TrainingSession | None = None
        self.last_chunk: Chunk | None = None
        self.last_stop: Stopped | None = None
        self.pending_change = ""
        self.speed: float | None = None
        # where training runs (cpu, cuda, auto): a property of this machine, not of the document
        self.device = "cpu"
        self._uncommitted = False
        self._status = Throttle(STATUS_SECONDS, self._show_running_status, self)
        self._gc = gui_thread_collector()
        self._binding = DocBinding()
        self.warmup: KernelWarmup | None = None
        self.set_document(window.doc)

    # ------------------------------------------------------------------ document
    def set_document(self, doc: Document) -> None:
        """Follow a newly opened document: stop any run (its results belonged to the old one)."""
        self._shutdown(commit=False)
        self.doc = doc
        ev = doc.events
        self._binding.bind(
            doc,
            [
                (ev.node_added, lambda *a: self._structure_edited("a node was added")),
                (ev.node_removed, lambda *a: self._structure_edited("a node was removed")),
                (ev.node_renamed, lambda *a: self._structure_edited("a node was renamed")),
                (ev.edge_added, lambda *a: self._structure_edited("a connection was added")),
                (ev.edge_removed, lambda *a: self._structure_edited("a connection was removed")),
                (ev.param_changed, self._param_edited),
                (ev.settings_changed, self._setting_edited),
            ],
        )
        self.pending_change = ""
        self.change_pending.emit("", "")
        self.last_chunk = self.last_stop = None
        self._set_state("idle", "")
        self.history_restored.emit(doc.training_history if isinstance(doc.training_history, dict) else {})
        self.check_dataset()

    def base_dir(self) -> str | None:
        path = getattr(self.window.files, "path", None)
        return str(Path(path).parent) if path else None

    def check_dataset(self) -> str:
        """Say whether the data-set file recorded in the document is still where and what it was."""
        from ...data import check_dataset_record

        problem = ""
        if isinstance(self.doc.dataset, dict) and self.doc.dataset.get("file"):
            try:
                problem = check_dataset_record(self.doc.dataset, self.base_dir()) or ""
            except Exception as e:  # a malformed record from a hand-edited file
                problem = f"the data-set record is unreadable: {e}"
        self.dataset_problem.emit(problem)
        return problem

    def start_warmup(self, process: subprocess.Popen | None = None) -> None:
        """Compile the training kernels in the background (editor launch), or follow the compile
        `process` started earlier; the status bar says so."""
        self.warmup = KernelWarmup(self)
        self.warmup.message.connect(
            lambda text: self.window.statusBar().showMessage(text, 0 if "..." in text else 6000)
        )
        self.warmup.start(process)

    # ------------------------------------------------------------------ controls
    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def compiling_since_launch(self) -> bool:
        """Whether the kernels are still compiling in the background process started at launch."""
        return self.warmup is not None and self.warmup.running

    def train(self) -> None:
        """Train (or resume when paused; after an edit paused it, continue with the edited network)."""
        self._clear_pending()
        if self.state == "paused" and self.worker is not None:
            self.worker.control.resume()
        elif not self.active:
            self._start()

    def live_calls(self) -> tuple[LiveCall, ...]:
        """The last engine call and the one running now: their steps can be drawn before their chunks arrive."""
        session = self.session
        return session.trainer.live_calls if session is not None and self.state == "running" else ()

    def pause(self) -> None:
        if self.worker is not None and self.state in ("running", "compiling"):
            self.worker.control.pause()

    def step(self, n: int = 1) -> None:
        """One batch (n steps), then pause."""
        self._clear_pending()
        if self.worker is not None:
            self.worker.control.step(n)
        elif not self.active:
            self._start(steps=n)

    def step_epoch(self) -> None:
        self._clear_pending()
        if self.worker is not None:
            self.worker.control.step_epoch()
        elif not self.active:
            self._start(epoch_step=True)

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.control.stop()
        elif self.pending_change:
            self._clear_pending()
            self._set_state("idle", "Stopped")

    def reset(self) -> None:
        """New random initial weights from the seed; optimizer state and history start over."""
        self._shutdown(commit=False)
        self._clear_pending()
        try:
            reset_weights(self.doc)
        except Exception as e:  # the network cannot run yet: nothing to initialise
            self.doc.replace_weights({})
            self.doc.replace_training_results({}, {})
            self._set_state("idle", f"Reset: {e}".splitlines()[0])
        else:
            self._set_state("idle", f"Reset: new initial weights from seed {self.doc.settings.get('seed', 0)}")
        self.last_chunk = self.last_stop = None
        self._mark_dirty()
        self.history_restored.emit({})

    def forget_failure(self) -> None:
        """The cause of a failure was fixed (feedback.py): back to idle, and the message goes."""
        if self.state == "failed":
            self._set_state("idle", "")

    def set_speed(self, steps_per_second: float | None) -> None:
        self.speed = steps_per_second
        if self.worker is not None:
            self.worker.control.set_speed(steps_per_second)

    def continue_after_change(self, reset: bool = False) -> None:
        """The answer to the question after an edit: continue with the edited network, or reset it first."""
        self._clear_pending()
        if reset:
            self.reset()
        self._start()

    # ------------------------------------------------------------------ starting and stopping
    def set_device(self, device: str) -> None:
        """cpu, cuda or auto; used from the next start (a running session keeps its device)."""
        self.device = device

    def _start(self, steps: int | None = None, epoch_step: bool = False) -> None:
        a = analyze(self.doc)
        if not a.ok:
            self._set_state("failed", f"Cannot train: {a.errors[0]}")
            return
        try:
            spec = document_spec(self.doc)
        except DataProblem:
            self._set_state("failed", "Cannot train: choose a data set in the Data panel first")
            return
        try:
            device = resolve_device(self.device)  # cuda asked for but unusable: say why, never fall back
        except EngineError as e:
            self._set_state("failed", f"Cannot train: {e}")
            return
        snap = snapshot(self.doc)
        base = self.base_dir()
        warmup = self.warmup if self.compiling_since_launch else None
        worker = TrainingWorker(
            partial(_build_session, snap, spec, base, device),
            start_paused=steps is not None or epoch_step,
            steps=steps,
            plane_for=_plane_for,
            launch_compile=warmup,
        )
        if epoch_step:
            worker.control.step_epoch()
        worker.control.set_speed(self.speed)
        thread = QThread()
        thread.setObjectName("neuroedit-training")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # bound methods of this GUI-thread object: Qt queues the calls into the GUI thread
        worker.chunk_ready.connect(self._chunk_slot)
        worker.state_changed.connect(self._state_slot)
        worker.session_ready.connect(self._session_slot)
        worker.done.connect(self._done_slot)
        self.worker, self.thread, self.session = worker, thread, None
        self.last_stop = None
        self._set_state("compiling", "")
        self._gc.hold()
        thread.start()

    def _shutdown(self, commit: bool) -> None:
        """Stop the worker thread now (GUI thread); optionally keep what it trained."""
        worker, thread = self.worker, self.thread
        if worker is None or thread is None:
            return
        self.worker = self.thread = None
        worker.control.stop()
        thread.quit()
        thread.wait(STOP_WAIT_MS)
        self._gc.release()
        if commit and self.session is not None:
            self._commit_session(self.session)
        self.session = worker.session = worker.plane = None
        thread.deleteLater()
        if self.state in ACTIVE:
            chunk = self.last_chunk
            self._set_state("idle", f"Stopped at epoch {chunk.epoch}, step {chunk.step}" if chunk else "Stopped")

    def shutdown(self) -> None:
        """Stop training and keep its results (the window is closing)."""
        if self.warmup is not None:
            self.warmup.stop()
        self._shutdown(commit=True)

    # ------------------------------------------------------------------ results into the document
    def commit(self) -> None:
        """Write the current weights, optimizer state and history into the document (when idle or paused)."""
        if self.session is None or not self._uncommitted:
            return
        worker = self.worker
        if worker is not None:
            with worker.busy:
                self._commit_session(self.session)
        else:
            self._commit_session(self.session)

    def _commit_session(self, session: TrainingSession) -> None:
        if not self._uncommitted:
            return
        session.commit()
        snap = session.doc
        fitting = fitting_weights(self.doc, snap.weights)
        weights = fitting_weights(self.doc)  # arrays of layers this run did not train
        for op, arrays in fitting.items():
            weights.setdefault(op, {}).update(arrays)
        self.doc.replace_weights(weights)
        self.doc.replace_training_results(snap.optimizer_state, copy.deepcopy(snap.training_history))
        self._uncommitted = False
        self._mark_dirty()
        self.committed.emit()

    def _mark_dirty(self) -> None:
        files = getattr(self.window, "files", None)
        if files is not None:
            files.forced_dirty = True
            self.window.update_title()

    # ------------------------------------------------------------------ worker signals (GUI thread)
    @Slot(object)
    def _chunk_slot(self, chunk: Chunk) -> None:
        self._on_chunk(self.sender(), chunk)

    @Slot(str, str)
    def _state_slot(self, state: str, message: str) -> None:
        self._on_worker_state(self.sender(), state, message)

    @Slot(object)
    def _session_slot(self, session: TrainingSession) -> None:
        self._on_session(self.sender(), session)

    @Slot(object)
    def _done_slot(self, stop: Stopped | None) -> None:
        self._on_done(self.sender(), stop)

    def _on_session(self, worker: TrainingWorker, session: TrainingSession) -> None:
        if worker is None or worker is not self.worker:
            return
        self.session = session
        self.plane_changed.emit(worker.plane)

    def _on_chunk(self, worker: TrainingWorker, chunk: Chunk) -> None:
        if worker is None or worker is not self.worker:
            return
        self.last_chunk = chunk
        if chunk.events:
            self._uncommitted = True
        self.chunk_received.emit(chunk)
        if self.state == "running":
            self._status.request()

    def _show_running_status(self) -> None:
        if self.state == "running" and self.last_chunk is not None:
            self.message = status_text("running", "", self.last_chunk)
            self.state_changed.emit(self.state, self.message)

    def _on_worker_state(self, worker: TrainingWorker, state: str, message: str) -> None:
        if worker is None or worker is not self.worker:
            return
        if state == "paused":
            self.commit()
        if state == "failed":
            self._set_state("failed", f"Cannot train: {message}")
            return
        self._set_state(state, status_text(state, message, self.last_chunk))

    def _on_done(self, worker: TrainingWorker, stop: Stopped | None) -> None:
        if worker is None or worker is not self.worker:
            return
        thread = self.thread
        self.worker = self.thread = None
        if thread is not None:
            thread.quit()
            thread.wait(STOP_WAIT_MS)
            thread.deleteLater()
        self._gc.release()
        if self.session is not None:
            self._commit_session(self.session)
        self.session = worker.session = worker.plane = None
        if stop is not None:
            self.last_stop = stop
            self._set_state("finished", stopped_text(stop))
        elif self.state != "failed":
            self._set_state("failed", "Training failed")

    def _set_state(self, state: str, text: str) -> None:
        self.state, self.message = state, text
        self.state_changed.emit(state, text)

    # ------------------------------------------------------------------ edits while training
    def _structure_edited(self, what: str) -> None:
        if not self.active:
            return
        self._ask(
            "structure",
            f"The network changed ({what}) while training; training is paused. "
            "Continue keeps the weights that still fit (new or resized layers start fresh); "
            "Reset starts over with new random weights.",
        )

    def _param_edited(self, node_id: str, name: str, old: Any, new: Any) -> None:
        if not self.active:
            return
        node = self.doc.nodes.get(node_id)
        try:
            structural = node_type(node.type).param(name).structural if node is not None else True
        except KeyError:
            structural = True
        session = self.session
        if not structural and name in LIVE_PARAMS and session is not None and _has_op(session, node_id):
            session.trainer.set_op_param(node_id, name, new)
            self.window.show_status(
                f"{node_id}.{name} = {new:g} from the next step"
                if isinstance(new, float)
                else f"{node_id}.{name} = {new} from the next step"
            )
            return
        if structural:
            self._structure_edited(f"{node_id}.{name} changed")
        else:
            self._ask(
                "settings",
                f"{node_id}.{name} changed while training; training is paused. "
                "Continue applies it and keeps training; Reset starts over.",
            )

    def _setting_edited(self, name: str, old: Any, new: Any) -> None:
        if name == "dataset":
            self.check_dataset()
        if not self.active:
            return
        session = self.session
        if name in LIVE_SETTINGS and session is not None:
            if name == "learning_rate":
                session.trainer.set_learning_rate(float(new))
            else:
                session.trainer.config.epochs = int(new)
            self.window.show_status(f"{name.replace('_', ' ')} = {new} from the next step")
            return
        label = "the data set" if name == "dataset" else f"the setting {name}"
        self._ask(
            "settings",
            f"{label[0].upper()}{label[1:]} changed while training; training is paused. "
            "Continue applies it and keeps the trained weights; Reset starts over.",
        )

    def _ask(self, kind: str, text: str) -> None:
        """Stop the run (keeping its results) and ask how to go on; the panel shows the question."""
        self._shutdown(commit=True)
        self.pending_change = kind
        self._set_state("paused", "Paused: the network was edited while training")
        self.change_pending.emit(kind, text)

    def _clear_pending(self) -> None:
        """Forget the question after an edit; the run it paused has ended, so the state becomes idle (and says so)."""
        if self.pending_change:
            self.pending_change = ""
            self.change_pending.emit("", "")
            if self.worker is None and self.state == "paused":
                self._set_state("idle", self.message)


def _build_session(snap: Document, spec: str, base_dir: str | None, device: str = "cpu") -> TrainingSession:
    """Runs in the worker thread: load the data, build the backend (may compile), make the trainer."""
    from ...api.bridge import graph_spec

    graph = graph_spec(snap)
    data = load_training_data(graph, spec, base_dir)
    config = TrainConfig.from_settings(snap.settings)
    config.layer_stats = False  # the worker asks for layer statistics once per chunk instead of per call
    session = TrainingSession(snap, *data.train, validation=data.val, config=config, device=device, task=data.task)
    session.data = data
    return session


def _plane_for(session: TrainingSession) -> probes.Plane | None:
    data, graph = session.data, session.graph
    first = graph.op(graph.input_ids[0])
    ds = data.dataset
    return probes.make_plane(
        first.size, len(graph.input_ids), data.train, data.val, data.task, int(getattr(ds, "num_classes", 0) or 0)
    )


def _has_op(session: TrainingSession, op_id: str) -> bool:
    return any(op.id == op_id for op in session.graph.ops)
