"""Random edit / undo / redo sequences (hypothesis state machine).

Invariants after every step: the graph is consistent (edges join existing ports,
one edge per input, no cycles), a view that follows only the events mirrors the
document, analysis never raises, undo returns exactly to the state recorded at
that history index, a "clean" document equals what was last saved, and undoing
everything gives back the initial document (a small chain).
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from neuroedit.model import REGISTRY, SETTINGS, Document, Edge, EditError, analyze

from .conftest import chain, snapshot

TYPES = sorted(REGISTRY)
SHAPES = [[1], [2], [3], [4, 4]]


def value_for(spec, draw):
    """A valid value for a parameter spec, drawn with hypothesis."""
    if spec.kind == "bool":
        return draw(st.booleans())
    if spec.kind == "choice":
        return draw(st.sampled_from(spec.choices))
    if spec.kind == "shape":
        return draw(st.sampled_from(SHAPES))
    if spec.kind == "str":
        return draw(st.text(max_size=5))
    lo = spec.minimum if spec.minimum is not None else -5
    hi = spec.maximum if spec.maximum is not None else lo + 10
    if spec.kind == "int":
        return draw(st.integers(int(lo) + spec.min_exclusive, min(int(hi) - spec.max_exclusive, int(lo) + 10)))
    return draw(
        st.floats(lo, min(hi, lo + 10), exclude_min=spec.min_exclusive, exclude_max=spec.max_exclusive, allow_nan=False)
    )


class Mirror:
    """A minimal 'view' that knows only what the events told it."""

    def __init__(self, doc: Document) -> None:
        self.nodes = set(doc.nodes)
        self.edges = set(doc.edges)
        ev = doc.events
        ev.node_added.connect(lambda node_id: self.nodes.add(node_id))
        ev.node_removed.connect(lambda node_id: self.nodes.remove(node_id))
        ev.edge_added.connect(lambda edge: self.edges.add(edge))
        ev.edge_removed.connect(lambda edge: self.edges.remove(edge))
        ev.node_renamed.connect(self._rename)

    def _rename(self, old: str, new: str) -> None:
        self.nodes.remove(old)
        self.nodes.add(new)
        self.edges = {
            Edge(new if e.src == old else e.src, new if e.dst == old else e.dst, e.src_port, e.dst_port)
            for e in self.edges
        }


class EditSequence(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.doc = Document()
        chain(self.doc, ("Input", {"shape": [2]}), ("Dense", {"units": 3}), ("Activation", {}), ("Loss", {}))
        self.doc.history.clear()
        self.mirror = Mirror(self.doc)
        self.states = [snapshot(self.doc)]  # states[k]: the document with k history steps applied
        self.saved = snapshot(self.doc)

    # ------------------------------------------------------------ helpers
    def _after_edit(self) -> None:
        """Record the new state at the current index; a new or merged step drops the redo branch."""
        k, now = self.doc.history.index, snapshot(self.doc)
        if k >= len(self.states) or now != self.states[k] or len(self.doc.history.texts) + 1 != len(self.states):
            self.states = self.states[:k] + [now]

    def _refused(self) -> None:
        assert snapshot(self.doc) == self.states[self.doc.history.index], "a refused edit changed the document"

    def _edit(self, fn) -> None:
        try:
            fn()
        except EditError:
            self._refused()
            return
        self._after_edit()

    def _ids(self) -> list[str]:
        return list(self.doc.nodes)

    # ------------------------------------------------------------ rules
    @rule(
        type_name=st.sampled_from(TYPES + ["Input", "Activation", "OpAdd"]),
        x=st.floats(-500, 500),
        y=st.floats(-500, 500),
        data=st.data(),
    )
    def add_node(self, type_name, x, y, data):
        params = {}
        if type_name == "Input":
            params["shape"] = data.draw(st.sampled_from(SHAPES))
        self._edit(lambda: self.doc.add_node(type_name, params, (x, y)))

    @precondition(lambda self: self.doc.nodes)
    @rule(type_name=st.sampled_from(["Dense", "Activation", "Dropout", "OpSquare", "PReLU"]), data=st.data())
    def grow(self, type_name, data):
        """Add a layer fed by an existing node, as a user extending a network would (two steps)."""
        src = data.draw(st.sampled_from([n.id for n in self.doc.nodes.values() if n.spec.ports_out()] or [None]))
        self._edit(lambda: self.doc.add_node(type_name))
        if src is not None:
            new = list(self.doc.nodes)[-1]
            self._edit(lambda: self.doc.connect(src, new))

    @precondition(lambda self: self.doc.nodes)
    @rule(data=st.data())
    def remove(self, data):
        ids = data.draw(st.lists(st.sampled_from(self._ids()), min_size=1, max_size=3))
        self._edit(lambda: self.doc.remove_nodes(ids))

    @precondition(lambda self: len(self.doc.nodes) >= 2)
    @rule(data=st.data())
    def connect(self, data):
        """Mostly wires an output to a free input (so graphs grow); sometimes anything, to hit refusals."""
        nodes = list(self.doc.nodes.values())
        if data.draw(st.booleans()):
            src = data.draw(st.sampled_from([n.id for n in nodes if n.spec.ports_out()] or [nodes[0].id]))
            free = [
                (n.id, p.name)
                for n in nodes
                for p in n.spec.ports_in(n.params)
                if p.name not in self.doc.incoming(n.id)
            ]
            dst, port = data.draw(st.sampled_from(free or [(nodes[0].id, "in")]))
        else:
            src = data.draw(st.sampled_from(self._ids()))
            dst = data.draw(st.sampled_from(self._ids()))
            node = self.doc.nodes[dst]
            port = data.draw(st.sampled_from([p.name for p in node.spec.ports_in(node.params)] or ["in"]))
        self._edit(lambda: self.doc.connect(src, dst, dst_port=port))

    @precondition(lambda self: self.doc.edges)
    @rule(data=st.data())
    def disconnect(self, data):
        edge = data.draw(st.sampled_from(self.doc.edges))
        self._edit(lambda: self.doc.disconnect(edge))

    @precondition(lambda self: any(n.spec.params for n in self.doc.nodes.values()))
    @rule(data=st.data())
    def set_param(self, data):
        node = data.draw(st.sampled_from([n for n in self.doc.nodes.values() if n.spec.params]))
        spec = data.draw(st.sampled_from(node.spec.params))
        value = value_for(spec, data.draw)
        self._edit(lambda: self.doc.set_param(node.id, spec.name, value))

    @precondition(lambda self: self.doc.nodes)
    @rule(data=st.data(), dx=st.integers(-50, 50))
    def move(self, data, dx):
        ids = data.draw(st.lists(st.sampled_from(self._ids()), min_size=1, max_size=2, unique=True))
        self._edit(lambda: self.doc.move_nodes({i: (self.doc.nodes[i].pos[0] + dx, 0.0) for i in ids}))

    @precondition(lambda self: self.doc.nodes)
    @rule(data=st.data(), name=st.sampled_from(["a", "b", "hidden", "dense_1", "9bad"]))
    def rename(self, data, name):
        old = data.draw(st.sampled_from(self._ids()))
        self._edit(lambda: self.doc.rename_node(old, name))

    @rule(data=st.data())
    def set_setting(self, data):
        spec = data.draw(st.sampled_from(SETTINGS))
        value = value_for(spec, data.draw)
        self._edit(lambda: self.doc.set_setting(spec.name, value))

    @precondition(lambda self: self.doc.nodes)
    @rule(data=st.data())
    def paste(self, data):
        ids = data.draw(st.lists(st.sampled_from(self._ids()), min_size=1, max_size=3, unique=True))
        self._edit(lambda: self.doc.paste(self.doc.copy_fragment(ids)))

    @rule()
    def undo(self):
        if self.doc.history.undo():
            assert snapshot(self.doc) == self.states[self.doc.history.index]
        else:
            assert self.doc.history.index == 0

    @rule()
    def redo(self):
        if self.doc.history.redo():
            assert snapshot(self.doc) == self.states[self.doc.history.index]

    @rule()
    def seal(self):
        self.doc.history.seal()

    @rule()
    def save(self):
        self.doc.history.set_clean()
        self.saved = snapshot(self.doc)

    # ------------------------------------------------------------ invariants
    @invariant()
    def graph_is_consistent(self):
        doc = self.doc
        seen_inputs = set()
        for e in doc.edges:
            assert e.src in doc.nodes and e.dst in doc.nodes
            dst = doc.nodes[e.dst]
            assert e.dst_port in [p.name for p in dst.spec.ports_in(dst.params)]
            assert e.src_port in [p.name for p in doc.nodes[e.src].spec.ports_out()]
            assert (e.dst, e.dst_port) not in seen_inputs
            seen_inputs.add((e.dst, e.dst_port))
        assert set(doc.weights) <= set(doc.nodes)
        assert all(n.id == k for k, n in doc.nodes.items())
        a = analyze(doc)
        assert not any("cycle" in p.message for p in a.problems)
        assert set(a.order) == set(doc.nodes)

    @invariant()
    def events_mirror_the_document(self):
        assert self.mirror.nodes == set(self.doc.nodes)
        assert self.mirror.edges == set(self.doc.edges)

    @invariant()
    def clean_means_saved(self):
        if self.doc.history.is_clean:
            assert snapshot(self.doc) == self.saved

    def teardown(self):
        self.doc.history.go_to(0)
        assert snapshot(self.doc) == self.states[0]


EditSequence.TestCase.settings = settings(
    max_examples=100, stateful_step_count=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestEditSequence = EditSequence.TestCase
