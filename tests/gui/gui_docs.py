"""The small networks GUI tests train: input x -> Dense hidden -> Dense out -> Loss."""

from __future__ import annotations

from neuroedit.model import Document


def chain_doc(inputs: int, hidden: dict, out: dict, loss: str, spec: str | None = None, **settings) -> Document:
    """Nodes x, hidden, out, loss; `hidden`/`out` are Dense parameters; a clean history."""
    d = Document()
    d.add_node("Input", {"shape": [inputs]}, (0, 0), "x")
    d.add_node("Dense", hidden, (220, 0), "hidden")
    d.add_node("Dense", out, (440, 0), "out")
    d.add_node("Loss", {"loss": loss}, (660, 0), "loss")
    for a, b in (("x", "hidden"), ("hidden", "out"), ("out", "loss")):
        d.connect(a, b)
    if spec is not None:
        d.set_dataset({"spec": spec})
    d.settings.update({"optimizer": "sgd", **settings})  # the tests' learning rates were chosen for plain SGD
    d.history.set_clean()
    return d
