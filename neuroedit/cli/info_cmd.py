"""`neuroedit info FILE`: a short header and the Keras-style summary of a network file."""

from __future__ import annotations

import argparse

from ..model import analyze, format_summary
from .common import describe_dataset, describe_loss, describe_training, load_document


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "info",
        help="print a network's summary (layers, output shapes, parameter counts)",
        description="Print a short header (file, data set, loss, optimizer) and the Keras-style "
        "summary of a .nedit file: one row per node with its name, type, output shape "
        "and parameter count, then the total, trainable and non-trainable parameters.",
        epilog="Exit status: 0 on success, 2 if the file cannot be read.",
    )
    p.add_argument("file", metavar="FILE", help="a .nedit network file")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    doc = load_document(args.file)
    lines = [f"File: {args.file}"]
    if doc.description:
        lines.append(f"Description: {' '.join(doc.description.split())}")
    lines += [
        f"Data set: {describe_dataset(doc)}",
        f"Loss: {describe_loss(doc)}",
        f"Optimizer: {describe_training(doc)}",
        f"Trained weights: {'stored' if doc.weights else 'none (initialised when training starts)'}",
        "",
        format_summary(doc),
    ]
    errors = analyze(doc).errors
    if errors:
        lines.append("")
        lines.append(
            f"The network has {len(errors)} error{'s' if len(errors) != 1 else ''}; "
            f"run `neuroedit validate {args.file}` for details."
        )
    print("\n".join(lines))
    return 0
