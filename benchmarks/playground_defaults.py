"""Do the default training settings train a hand-built network on the Playground sets?

`python benchmarks/playground_defaults.py [--seeds N]`: Input(2) → Dense(8, tanh) →
Dense(1, sigmoid) → binary cross-entropy (what a newcomer builds, with the Loss the editor
picks) on circle, xor_quadrants, gaussians and spiral, trained with the document's default
settings (batch 32, 100 epochs) and with the optimizer/learning rate replaced by a few
alternatives, for several seeds. Prints, per set and candidate, the first epoch at which
validation accuracy reached 95 % (— when it never did) and the final validation accuracy.
The default must reach the target on every seed of circle within 100 epochs.
"""

from __future__ import annotations

import argparse
import time

from neuroedit.api.bridge import graph_spec
from neuroedit.api.data import load_training_data
from neuroedit.api.session import TrainingSession
from neuroedit.engine.trainer import EpochEnd
from neuroedit.model import Document, default_settings

TARGET = 0.95
SETS = ("circle", "xor_quadrants", "gaussians", "spiral")
CANDIDATES = (
    ("default", {}),
    ("sgd 0.01", {"optimizer": "sgd", "learning_rate": 0.01}),
    ("sgd 0.3", {"optimizer": "sgd", "learning_rate": 0.3}),
    ("adam 0.03", {"optimizer": "adam", "learning_rate": 0.03}),
)


def newcomer_network(spec: str, seed: int, **settings) -> Document:
    d = Document()
    d.add_node("Input", {"shape": [2]}, node_id="x")
    d.add_node("Dense", {"units": 8, "activation": "tanh"}, node_id="hidden")
    d.add_node("Dense", {"units": 1, "activation": "sigmoid"}, node_id="out")
    d.add_node("Loss", {"loss": "binary_crossentropy"}, node_id="loss")
    for a, b in (("x", "hidden"), ("hidden", "out"), ("out", "loss")):
        d.connect(a, b)
    d.set_dataset({"spec": spec})
    d.settings.update(seed=seed, **settings)
    return d


def run(doc: Document) -> tuple[int | None, float]:
    """(first epoch with val_accuracy >= TARGET or None, final val_accuracy)."""
    data = load_training_data(graph_spec(doc), doc.dataset["spec"])
    session = TrainingSession(doc, *data.train, validation=data.val)
    session.trainer.config.layer_stats = False
    first, last = None, 0.0
    for event in session.trainer.run_iter():
        if isinstance(event, EpochEnd):
            last = event.logs.get("val_accuracy", 0.0)
            if first is None and last >= TARGET:
                first = event.epoch
    return first, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    d = default_settings()
    print(
        f"defaults: {d['optimizer']} lr {d['learning_rate']}, batch {d['batch_size']}, {d['epochs']} epochs; "
        f"cells: first epoch at val accuracy >= {TARGET:.0%} / final val accuracy, seeds 0..{args.seeds - 1}"
    )
    for spec in SETS:
        for name, settings in CANDIDATES:
            started = time.perf_counter()
            cells = []
            for seed in range(args.seeds):
                first, last = run(newcomer_network(spec, seed, **settings))
                cells.append(f"{first if first is not None else '—'}/{last:.2f}")
            print(
                f"{spec:14s} {name:10s} "
                + "  ".join(f"{c:>9s}" for c in cells)
                + f"   ({time.perf_counter() - started:.1f} s)",
                flush=True,
            )


if __name__ == "__main__":
    main()
