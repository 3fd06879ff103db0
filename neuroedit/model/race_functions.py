"""The classic 2-D test functions of optimizer comparisons, as computation graphs of primitive ops.

Each is a Document whose Input nodes `x` and `y` are the position an optimizer moves
and whose other Input nodes are constants; the data set `values:x=..,y=..,c=..` gives
the start point and the constants, and the `value` loss makes f(x, y) the objective.
The document's learning rate is SGD's in the optimizer race (neuroedit.api.race).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .document import Document

COLUMN = 200.0
ROW = 110.0


@dataclass(frozen=True)
class RaceFunction:
    """A test function for File > New: its key, title, formula and document builder."""

    key: str
    title: str
    formula: str
    build: Callable[[], Document]


class _Builder:
    """Adds inputs and ops column by column, each op one column right of its deepest operand."""

    def __init__(self) -> None:
        self.doc = Document()
        self.depth: dict[str, int] = {}
        self.rows: dict[int, int] = {}

    def _pos(self, depth: int) -> tuple[float, float]:
        row = self.rows.get(depth, 0)
        self.rows[depth] = row + 1
        return depth * COLUMN, row * ROW

    def input(self, name: str) -> str:
        node = self.doc.add_node("Input", {"shape": [1]}, pos=self._pos(0), node_id=name)
        self.depth[node] = 0
        return node

    def op(self, type_name: str, name: str, a: str, b: str | None = None) -> str:
        depth = 1 + max(self.depth[a], self.depth[b] if b else 0)
        node = self.doc.add_node(type_name, pos=self._pos(depth), node_id=name)
        self.depth[node] = depth
        if b is None:
            self.doc.connect(a, node, dst_port="in")
        else:
            self.doc.connect(a, node, dst_port="x")
            self.doc.connect(b, node, dst_port="y")
        return node

    def finish(self, output: str, values: str, learning_rate: float, description: str) -> Document:
        loss = self.doc.add_node("Loss", {"loss": "value"}, pos=((self.depth[output] + 1) * COLUMN, 0.0))
        self.doc.connect(output, loss, dst_port="in")
        for name, value in (
            ("optimizer", "sgd"),
            ("learning_rate", learning_rate),
            ("batch_mode", "full"),
            ("epochs", 1),
            ("shuffle", False),
        ):
            self.doc.set_setting(name, value)
        self.doc.set_dataset({"spec": f"values:{values}"})
        self.doc.description = description
        self.doc.history.clear()
        return self.doc


def ravine() -> Document:
    g = _Builder()
    x, y, c = g.input("x"), g.input("y"), g.input("c")
    f = g.op("OpAdd", "f", g.op("OpSquare", "x2", x), g.op("OpMultiply", "cy2", c, g.op("OpSquare", "y2", y)))
    return g.finish(
        f,
        "x=-4,y=1,c=10",
        0.09,
        "Elongated quadratic (a ravine) f = x² + c·y², c = 10: the gradient points "
        "mostly across the valley, so plain gradient descent zig-zags; momentum and Adam go along it.",
    )


def rosenbrock() -> Document:
    g = _Builder()
    x, y, a, b = g.input("x"), g.input("y"), g.input("a"), g.input("b")
    left = g.op("OpSquare", "u2", g.op("OpSubtract", "u", a, x))
    right = g.op("OpMultiply", "bv2", b, g.op("OpSquare", "v2", g.op("OpSubtract", "v", y, g.op("OpSquare", "x2", x))))
    f = g.op("OpAdd", "f", left, right)
    return g.finish(
        f,
        "x=-1.5,y=2,a=1,b=100",
        0.0015,
        "Rosenbrock's banana f = (a - x)² + b·(y - x²)², a = 1, b = 100: "
        "a curved, flat-bottomed valley with the minimum at (1, 1).",
    )


def beale() -> Document:
    g = _Builder()
    x, y = g.input("x"), g.input("y")
    c1, c2, c3 = g.input("c1"), g.input("c2"), g.input("c3")
    xy = g.op("OpMultiply", "xy", x, y)
    xy2 = g.op("OpMultiply", "xy2", xy, y)
    xy3 = g.op("OpMultiply", "xy3", xy2, y)
    terms = []
    for k, (c, prod) in enumerate(((c1, xy), (c2, xy2), (c3, xy3)), start=1):
        inner = g.op("OpAdd", f"t{k}", g.op("OpSubtract", f"s{k}", c, x), prod)
        terms.append(g.op("OpSquare", f"t{k}_2", inner))
    f = g.op("OpAdd", "f", g.op("OpAdd", "f12", terms[0], terms[1]), terms[2])
    return g.finish(
        f,
        "x=1,y=1.5,c1=1.5,c2=2.25,c3=2.625",
        0.01,
        "Beale's function f = (1.5 - x + xy)² + (2.25 - x + xy²)² + (2.625 - x + xy³)²: "
        "steep walls and flat plateaus; the minimum is at (3, 0.5).",
    )


def saddle() -> Document:
    g = _Builder()
    x, y = g.input("x"), g.input("y")
    f = g.op("OpSubtract", "f", g.op("OpSquare", "x2", x), g.op("OpSquare", "y2", y))
    return g.finish(
        f,
        "x=-1.5,y=0.001",
        0.05,
        "A saddle f = x² - y²: starting almost on the ridge (y = 0.001), the "
        "gradient in y is tiny, so plain gradient descent lingers near the saddle point (0, 0) while "
        "adaptive methods escape.",
    )


FUNCTIONS: dict[str, RaceFunction] = {
    f.key: f
    for f in (
        RaceFunction("ravine", "Ravine", "x² + 10·y²", ravine),
        RaceFunction("rosenbrock", "Rosenbrock", "(1 - x)² + 100·(y - x²)²", rosenbrock),
        RaceFunction("beale", "Beale", "(1.5 - x + xy)² + (2.25 - x + xy²)² + (2.625 - x + xy³)²", beale),
        RaceFunction("saddle", "Saddle", "x² - y²", saddle),
    )
}
