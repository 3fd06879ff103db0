"""`neuroedit evaluate FILE`: loss and accuracy (or MAE) of a trained network on one split of its data."""

from __future__ import annotations

import argparse

from .common import load_document, load_graph_and_data
from .errors import CliError



def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "evaluate",
        help="compute loss and metrics of a network on its data",
        description="Evaluate the network in FILE with its stored weights on one split of its data set "
        "(or --data): prints the loss and the accuracy (classification) or mean absolute error (regression).",
        epilog="Exit status: 0 on success, 2 for bad arguments, unreadable files, unusable data, "
        "impossible networks or an empty split.",
    )
    p.add_argument("file", metavar="FILE", help="a .nedit network file")
    p.add_argument("--data", metavar="SPEC", help="data set (default: the file's)")
    p.add_argument("--split", choices=("train", "val", "test"), default="test", help="which split (default: test)")
    p.add_argument("--backend", choices=("numba", "reference"), default="numba", help=argparse.SUPPRESS)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..api.session import backend_for, split_inputs
    from ..engine import EngineError

    doc = load_document(args.file)
    graph, data = load_graph_and_data(args.file, doc, args.data)
    part = {"train": data.train, "val": data.val, "test": data.test}[args.split]
    if part is None:
        raise CliError(f"the data set {data.spec} has no {args.split} samples; try --split train")
    untrained = not doc.weights
    try:
        b = backend_for(doc, args.backend, graph)
        X = b.pack_inputs(split_inputs(graph, part[0]))
        loss, metric = b.evaluate(X, b.pack_targets(part[1], len(X)))
    except EngineError as e:
        raise CliError(f"{args.file}: {e}") from None
    parts = [f"loss: {loss:.4f}"]
    if b.metric:
        parts.append(f"{b.metric}: {metric:.4f}")
    note = " (untrained: the file has no weights, these are fresh initial ones)" if untrained else ""
    print(f"{args.split} ({len(X)} samples of {data.spec}): " + " - ".join(parts) + note)
    return 0
