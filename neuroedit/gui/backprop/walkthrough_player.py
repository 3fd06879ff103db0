"""The step-through state shared by the panel, the neuron view and the layer canvas marks.

A `WalkthroughPlayer` knows which sample to walk (a training sample, a mini-batch or typed input
values), holds the current `Walkthrough` and the current step, and plays the steps on a
timer. It recomputes the walk-through when the document changes (events, debounced to
one recomputation per event burst) and only while someone is watching (`active`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from ...api.walkthrough import Step, Walkthrough, walkthrough
from ...api.walkthrough.format import NumberFormat
from ..binding import DocBinding

MIN_INTERVAL_MS, MAX_INTERVAL_MS = 150, 3000


@dataclass
class SampleChoice:
    """What to walk: `mode` is "sample" (one index), "batch" (several indices) or "inputs" (typed values)."""

    mode: str = "sample"
    index: int = 0
    batch: list[int] = field(default_factory=lambda: [0, 1, 2, 3])
    inputs: dict[str, str] = field(default_factory=dict)  # Input id -> typed text ("4" or "0, 1")
    target: str = ""  # typed target ("" = none / from the data)


@dataclass(frozen=True)
class Visible:
    """What the views show at the current step: numbers of computed elements only."""

    values: frozenset[tuple[str, int]]  # (node, unit) whose forward value is known
    grads: frozenset[tuple[str, int]]  # (node, unit) whose dL/d(output) is known
    weight_grads: frozenset[tuple[str, tuple[str, tuple[int, ...]]]]  # (node, (name, index)) with dL/dw shown
    updated: frozenset[tuple[str, tuple[str, tuple[int, ...]]]]  # (node, (name, index)) with old → new shown
    loss: bool


def visible_at(w: Walkthrough, index: int) -> Visible:
    """Everything steps 0..index have computed (for the sample the current step shows)."""
    values, grads, wgrads, updated, loss = set(), set(), set(), set(), False
    current = w.steps[index].sample if 0 <= index < len(w.steps) else None
    for s in w.steps[: index + 1]:
        if s.sample not in (None, current):
            continue
        units = _units(w, s)
        if s.phase == "forward":
            values |= {(s.node, u) for u in units}
        elif s.phase == "loss":
            loss = True
        elif s.phase == "backward":
            if not s.highlight.weights:
                grads |= {(s.node, u) for u in units}
            wgrads |= {(s.node, wt) for wt in s.highlight.weights}
        elif s.phase == "update":
            updated |= {(s.node, wt) for wt in s.highlight.weights}
    return Visible(frozenset(values), frozenset(grads), frozenset(wgrads), frozenset(updated), loss)


def _units(w: Walkthrough, s: Step) -> tuple[int, ...]:
    """The elements a step computes; a summary step stands for every element of its node."""
    if s.summary or (not s.highlight.units and s.node in w.nodes):
        return tuple(range(w.nodes[s.node].value.size)) if s.node in w.nodes else ()
    return s.highlight.units


def parse_numbers(text: str, what: str) -> list[float]:
    """`4`, `-2.5`, `0, 1` or `[0, 1]` as a list of numbers; ValueError says which field is wrong."""
    cleaned = text.strip().strip("[]()")
    if not cleaned:
        raise ValueError(f"{what}: type a number")
    try:
        return [float(p) for p in cleaned.replace(";", ",").replace(" ", ",").split(",") if p]
    except ValueError:
        raise ValueError(f"{what}: {text.strip()!r} is not a number or a list of numbers") from None


class WalkthroughPlayer(QObject):
    """Current walk-through and step; `changed` after a recomputation, `step_changed` on every move."""

    changed = Signal()
    step_changed = Signal(int)
    playing_changed = Signal(bool)
    choice_changed = Signal()  # the sample choice was replaced (a data set was chosen or removed)

    def __init__(self, doc, base_dir: Callable[[], str | None] = lambda: None, parent=None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.base_dir = base_dir
        self.choice = SampleChoice()
        self.learning_rate: float | None = None  # None: the document's setting
        self.number = NumberFormat(3)
        self.notation = "standard"  # or "lecture": w_kj, δ terms, last layer updated first
        self.walk: Walkthrough | None = None
        self.error = ""
        self.index = 0
        self.active = False
        self._stale = True
        self._binding = DocBinding()
        self._debounce = QTimer(self, singleShot=True, interval=0)
        self._debounce.timeout.connect(self.recompute)
        self.timer = QTimer(self, interval=1000)
        self.timer.timeout.connect(self._tick)
        self.set_document(doc)

    # ---------------------------------------------------------------- document
    def set_document(self, doc) -> None:
        self.doc = doc
        ev = doc.events
        self._binding.bind(
            doc,
            [
                (ev.changed, self.invalidate),
                (ev.weights_changed, self.invalidate),
                (ev.settings_changed, self._setting_changed),
            ],
        )
        self.choice = default_choice(doc)
        self.index = 0
        self.invalidate()

    def _setting_changed(self, name: str, old, new) -> None:
        """A data set chosen for a blank network: walk its first sample instead of typed inputs (and back)."""
        if name == "dataset":
            choice = default_choice(self.doc)
            if choice.mode != self.choice.mode:
                self.choice = choice
                self.index = 0
                self.choice_changed.emit()
        self.invalidate()

    def detach(self) -> None:
        """Stop following the document (its views are going; the Document may outlive them)."""
        self._binding.unbind()

    def invalidate(self, *args) -> None:
        """The document changed: recompute soon (now if watched, else when someone starts watching)."""
        self._stale = True
        if self.active:
            self._debounce.start()

    def set_active(self, on: bool) -> None:
        self.active = on
        if on and self._stale:
            self._debounce.start()
        if not on:
            self.pause()

    def fresh(self) -> None:
        """Recompute now if the document changed since (hover texts must never show old numbers)."""
        if self._stale:
            self.recompute()

    def set_choice(self, choice: SampleChoice) -> None:
        self.choice = choice
        self.index = 0
        self.recompute()

    def set_notation(self, notation: str) -> None:
        self.notation = notation
        self.recompute()

    def set_learning_rate(self, lr: float | None) -> None:
        self.learning_rate = lr
        self.recompute()

    # ---------------------------------------------------------------- computing
    def recompute(self) -> None:
        """Walk the current sample with the document's current weights (keeps the step position)."""
        self._debounce.stop()
        self._stale = False
        try:
            self.walk = self._walk()
            self.error = ""
        except ValueError as e:  # WalkthroughError, GraphProblem, DataProblem: all say what to fix
            self.walk, self.error = None, str(e)
            self.pause()
        self.index = min(self.index, len(self.walk.steps) - 1) if self.walk else 0
        self.changed.emit()
        self.step_changed.emit(self.index)

    def _walk(self) -> Walkthrough:
        from ...api.session import ensure_weights

        ensure_weights(self.doc)
        c, kw = self.choice, {}
        if c.mode == "inputs":
            kw["inputs"] = {
                name: (v[0] if len(v) == 1 else v)
                for name, v in ((n, parse_numbers(t, f"input {n}")) for n, t in c.inputs.items())
            }
            if c.target.strip():
                kw["target"] = parse_numbers(c.target, "target")
        elif c.mode == "batch":
            if not c.batch:
                raise ValueError("mini-batch: type sample indices such as 0, 1, 2, 3")
            kw["sample"] = list(c.batch)
        else:
            kw["sample"] = int(c.index)
            if c.target.strip():
                kw["target"] = parse_numbers(c.target, "target")
        return walkthrough(
            self.doc,
            learning_rate=self.learning_rate,
            number=self.number,
            base_dir=self.base_dir(),
            notation=self.notation,
            **kw,
        )

    # ---------------------------------------------------------------- moving
    @property
    def step(self) -> Step | None:
        return self.walk.steps[self.index] if self.walk and self.walk.steps else None

    @property
    def count(self) -> int:
        return len(self.walk.steps) if self.walk else 0

    def visible(self) -> Visible | None:
        return visible_at(self.walk, self.index) if self.walk else None

    def go(self, index: int) -> None:
        if not self.count:
            return
        index = max(0, min(self.count - 1, int(index)))
        if index != self.index:
            self.index = index
            self.step_changed.emit(index)

    def next(self) -> bool:
        """One step on; False at the end."""
        if self.index + 1 >= self.count:
            return False
        self.go(self.index + 1)
        return True

    def previous(self) -> None:
        self.go(self.index - 1)

    def reset(self) -> None:
        self.pause()
        self.go(0)

    def first_of(self, phase: str) -> int | None:
        return next((s.index for s in self.walk.steps if s.phase == phase), None) if self.walk else None

    # ---------------------------------------------------------------- playing
    def set_speed(self, per_second: float) -> None:
        ms = int(1000 / max(per_second, 1e-3))
        self.timer.setInterval(max(MIN_INTERVAL_MS, min(MAX_INTERVAL_MS, ms)))

    def play(self) -> None:
        if not self.count:
            return
        if self.index + 1 >= self.count:
            self.go(0)
        self.timer.start()
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if self.timer.isActive():
            self.timer.stop()
            self.playing_changed.emit(False)

    def _tick(self) -> None:
        if not self.next():
            self.pause()

    # ---------------------------------------------------------------- committing
    def apply_update(self) -> int:
        """Write the update's new weights into the document as ONE undoable edit; returns how many changed."""
        if self.walk is None:
            return 0
        changes = []
        for node, nn in self.walk.nodes.items():
            for name, p in nn.params.items():
                if node not in self.doc.weights or name not in self.doc.weights[node]:
                    continue
                for index in zip(*np.nonzero(p.new != p.old)):
                    changes.append((node, name, tuple(int(i) for i in index), float(p.new[index])))
        if not changes:
            return 0
        with self.doc.history.macro(f"Apply backprop update ({len(changes)} weight{'s' if len(changes) > 1 else ''})"):
            for node, name, index, value in changes:
                self.doc.set_weight_value(node, name, index, value)
        return len(changes)


def default_choice(doc) -> SampleChoice:
    """Typed inputs for computation graphs (prefilled from a `values:` data set); sample 0 otherwise."""
    from ...data.spec import parse_spec

    inputs = {n.id: default_input_text(n.params.get("shape")) for n in doc.nodes.values() if n.type == "Input"}
    spec = (doc.dataset or {}).get("spec")
    if spec:
        try:
            parsed = parse_spec(spec)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.kind == "values":
            inputs.update({k: v for k, v in parsed.options.items() if k in inputs})
            return SampleChoice("inputs", inputs=inputs)
        return SampleChoice("sample", inputs=inputs)
    return SampleChoice("inputs", inputs=inputs)


TYPED_VALUES_MAX = 8  # inputs up to this many values start at zeros; larger ones are left for the user to type


def input_size(shape) -> int:
    size = 1
    for d in shape or ():
        size *= int(d)
    return size


def default_input_text(shape) -> str:
    """ "0" for a scalar input, "0, 0" for a 2-vector, empty for large inputs (an image is not typed by hand)."""
    size = input_size(shape)
    return ", ".join(["0"] * size) if size <= TYPED_VALUES_MAX else ""
