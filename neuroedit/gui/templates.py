"""Starting points for File > New: the course networks from `samples/`, or built in code when not shipped.

An installed package may not have the repository's `samples/` folder next to it, so
each template can also build its network from `neuroedit.model.samples`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import io as nedit_io
from ..model import Document
from ..model import samples as course
from ..model.race_functions import FUNCTIONS


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    summary: str
    sample: str | None
    build: Callable[[], Document]

    def create(self, samples: Path | None = None) -> Document:
        """A fresh, clean, untitled document: the sample file if readable, else the code-built network."""
        folder = samples if samples is not None else samples_dir()
        if self.sample and folder is not None and (folder / self.sample).is_file():
            try:
                doc = nedit_io.load(folder / self.sample)
                doc.history.clear()
                return doc
            except (OSError, nedit_io.LoadError):
                pass
        doc = self.build()
        doc.history.clear()
        return doc


def samples_dir() -> Path | None:
    """The repository's `samples/` folder beside the package (a checkout or an editable install)."""
    folder = Path(__file__).resolve().parents[2] / "samples"
    return folder if folder.is_dir() else None


TEMPLATES: tuple[Template, ...] = (
    Template("xor", "XOR", "2-2-1 sigmoid network that solves XOR", "xor.nedit", course.xor),
    Template(
        "single_neuron",
        "Single neuron",
        "One sigmoid neuron on XOR, the lecture's worked example",
        "xor_single_neuron.nedit",
        course.xor_single_neuron,
    ),
    Template(
        "weather",
        "Weather",
        "Regression: temperature and cloudiness → 8 sigmoid units → 1 output",
        "weather.nedit",
        course.weather,
    ),
    Template(
        "spiral",
        "Spiral",
        "Two tanh layers of 8 learn the Playground's two spirals (2-8-8-1)",
        "spiral.nedit",
        course.spiral,
    ),
    Template(
        "fashion_mlp",
        "Fashion-MNIST MLP",
        "28×28 images → Dense 300 relu → Dense 10 softmax",
        "fashion_mnist_mlp.nedit",
        course.fashion_mnist_mlp,
    ),
    Template(
        "fashion_binary",
        "Fashion-MNIST pullover vs shirt",
        "One sigmoid neuron on 28×28 images (785 parameters)",
        "fashion_mnist_binary.nedit",
        course.fashion_mnist_binary,
    ),
    Template(
        "compute_graph",
        "Computation graph",
        "f = (x·y + max(z, w))², forward and backward by hand",
        "compute_graph.nedit",
        course.compute_graph,
    ),
    Template("xor_2_3_1", "XOR 2-3-1", "XOR with three hidden sigmoid neurons", "xor_2_3_1.nedit", course.xor_2_3_1),
    Template(
        "xor_2_2_2_1",
        "XOR 2-2-2-1",
        "XOR with two hidden layers of two neurons",
        "xor_2_2_2_1.nedit",
        course.xor_2_2_2_1,
    ),
    Template(
        "weather_5",
        "Weather, 5 inputs",
        "The lecture's 57-parameter network; an epoch is 250 updates",
        "weather_5_inputs.nedit",
        course.weather_5_inputs,
    ),
    Template(
        "fashion_dropout",
        "Fashion-MNIST + Dropout",
        "Dense 300 relu → Dropout 0.2 → Dense 100 → Dense 10",
        "fashion_mnist_dropout.nedit",
        course.fashion_mnist_dropout,
    ),
    Template(
        "fashion_linear",
        "784-300-1 linear",
        "Pullover vs shirt through 300 linear units",
        "fashion_mnist_linear.nedit",
        course.fashion_mnist_linear,
    ),
    Template(
        "fashion_relu",
        "784-300-1 ReLU",
        "Pullover vs shirt through 300 ReLU units",
        "fashion_mnist_relu.nedit",
        course.fashion_mnist_relu,
    ),
    *(
        Template(
            f"race_{f.key}", f"Race: {f.title}", f"Optimizer race on f = {f.formula}", f"race_{f.key}.nedit", f.build
        )
        for f in FUNCTIONS.values()
    ),
    Template("blank", "Blank", "An empty canvas: drag nodes from the palette", None, Document),
)

TEMPLATES_BY_KEY = {t.key: t for t in TEMPLATES}
