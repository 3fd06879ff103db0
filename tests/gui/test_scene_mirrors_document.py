"""Property test: rapid random edits, undos and redos on the document; the scene always mirrors it."""

from __future__ import annotations

from gui_helpers import assert_scene_mirrors
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neuroedit.gui.canvas import GraphScene
from neuroedit.gui.theme import LIGHT
from neuroedit.model import REGISTRY, Document, EditError

TYPES = sorted(REGISTRY)
OPS = (
    "add",
    "add",
    "connect",
    "connect",
    "remove",
    "param",
    "move",
    "rename",
    "paste",
    "undo",
    "undo",
    "redo",
    "go_to",
    "disconnect",
)


class _Window:
    """The two attributes assert_scene_mirrors needs, without a whole main window."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.scene = GraphScene(doc, LIGHT)


def _apply(doc: Document, op: str, a: int, b: int) -> None:
    ids = list(doc.nodes)
    pick = (lambda k: ids[k % len(ids)]) if ids else None
    if op == "add":
        doc.add_node(TYPES[a % len(TYPES)], pos=(float(a % 9) * 40, float(b % 7) * 30))
    elif op == "connect" and ids:
        src, dst = doc.nodes[pick(a)], doc.nodes[pick(b)]
        ports = [p.name for p in dst.spec.ports_in(dst.params)]
        if ports and src.spec.ports_out():
            doc.connect(src.id, dst.id, "out", ports[(a + b) % len(ports)])
    elif op == "disconnect" and doc.edges:
        doc.disconnect(doc.edges[a % len(doc.edges)])
    elif op == "remove" and ids:
        doc.remove_nodes({pick(a), pick(b)})
    elif op == "param" and ids:
        node = doc.nodes[pick(a)]
        if node.type in ("Add", "Concatenate"):
            doc.set_param(node.id, "num_inputs", 2 + b % 4)
        elif node.type == "Dense":
            doc.set_param(node.id, "units", 1 + b % 50)
        elif node.type == "Input":
            doc.set_param(node.id, "shape", [1 + b % 5, 2])
    elif op == "move" and ids:
        doc.move_nodes({pick(a): (float(b), float(-a))})
    elif op == "rename" and ids:
        doc.rename_node(pick(a), f"n{b}")
    elif op == "paste" and ids:
        doc.paste(doc.copy_fragment({pick(a), pick(b)}))
    elif op == "undo":
        doc.history.undo()
    elif op == "redo":
        doc.history.redo()
    elif op == "go_to":
        doc.history.go_to(a % (len(doc.history.texts) + 1))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 1000), st.integers(0, 1000)), min_size=5, max_size=40))
def test_scene_mirrors_document_after_every_step(qapp, steps):
    window = _Window(Document())
    for op, a, b in steps:
        try:
            _apply(window.doc, op, a, b)
        except EditError:
            pass
        assert_scene_mirrors(window)
    while window.doc.history.undo():
        pass
    assert_scene_mirrors(window)
    assert window.scene.node_items == {}
