"""Helpers shared by the headless subcommands: load a file or fail with one line, describe a document."""

from __future__ import annotations

from pathlib import Path

from ..model import Document
from .errors import CliError

# Exit code for "the file cannot be read" (argparse also uses 2 for bad arguments).
EXIT_UNREADABLE = 2


def load_document(path: str) -> Document:
    """Load a `.nedit` file; any failure becomes a one-line CliError with exit code 2."""
    from ..io import LoadError, load

    if not Path(path).exists():
        raise CliError(f"{path}: no such file", EXIT_UNREADABLE)
    if Path(path).is_dir():
        raise CliError(f"{path}: is a folder, not a .nedit file", EXIT_UNREADABLE)
    try:
        return load(path)
    except LoadError as e:
        raise CliError(f"{path}: {e}", EXIT_UNREADABLE) from None
    except OSError as e:
        raise CliError(f"{path}: {e.strerror or e}", EXIT_UNREADABLE) from None


def load_graph_and_data(path: str, doc: Document, data_spec: str | None):
    """The engine graph of `doc` and its data set (or `data_spec`), relative paths from the file's folder;
    an impossible network or unusable data becomes a one-line CliError."""
    from ..api.bridge import GraphProblem, graph_spec
    from ..api.data import DataProblem, document_spec, load_training_data

    try:
        graph = graph_spec(doc)
        return graph, load_training_data(graph, document_spec(doc, data_spec), str(Path(path).resolve().parent))
    except (GraphProblem, DataProblem) as e:
        raise CliError(f"{path}: {e}") from None


def describe_dataset(doc: Document) -> str:
    """The data-set reference as the file stores it, e.g. `xor` or `idx:fashion-mnist`."""
    spec = doc.dataset.get("spec") if isinstance(doc.dataset, dict) else None
    return str(spec) if spec else "(none)"


def describe_loss(doc: Document) -> str:
    losses = [n.params.get("loss", "?") for n in doc.nodes.values() if n.type == "Loss"]
    return ", ".join(str(x) for x in losses) if losses else "(no Loss node)"


def describe_training(doc: Document) -> str:
    """Optimizer, learning rate, batching and epochs in one line, e.g. `sgd, lr 0.5, full batch, 500 epochs`."""
    s = doc.settings
    mode = s.get("batch_mode")
    if mode == "full":
        batching = "full batch"
    elif mode == "stochastic":
        batching = "stochastic (batch 1)"
    else:
        batching = f"mini-batch {s.get('batch_size')}"
    return f"{s.get('optimizer')}, lr {s.get('learning_rate'):g}, {batching}, {s.get('epochs')} epochs"
