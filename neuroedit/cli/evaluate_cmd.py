"""`neuroedit evaluate FILE`: metrics of a trained network on one split of its data, as a report.

Text and Markdown show the confusion matrix, the per-class table, the averages and ROC AUC;
JSON has fixed keys for scripts; HTML is one self-contained file with the plots as PNG.
"""

from __future__ import annotations

import argparse
import logging
import sys

from ..engine.devices import DEVICES
from .common import load_document
from .errors import CliError

SPLIT_CHOICES = ("train", "validation", "val", "test")
log = logging.getLogger(__name__)  # the console shows it with -v (the CLI is quiet otherwise)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "evaluate",
        help="confusion matrix, precision/recall/F1, ROC AUC (or MAE/R²) of a network on its data",
        description="Evaluate the network in FILE with its stored weights on one split of its data set "
        "(or --data). Classification: confusion matrix, per-class precision/recall/F1/support, macro and "
        "weighted averages, accuracy, ROC AUC, average precision and log loss. Regression: MAE, MSE, RMSE, R².",
        epilog="Exit status: 0 on success, 2 for bad arguments, unreadable files, unusable data, "
        "impossible networks or an empty split.",
    )
    add_data_arguments(p)
    p.add_argument(
        "--report", choices=("text", "markdown", "json", "html"), default="text", help="report format (default: text)"
    )
    p.add_argument("-o", "--output", metavar="PATH", help="write the report to PATH instead of standard output")
    p.add_argument(
        "--threshold",
        type=float,
        metavar="T",
        help="binary classifiers: predict the positive class when its probability is >= T (default 0.5)",
    )
    p.set_defaults(handler=run)


def add_data_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="a .nedit network file")
    p.add_argument("--data", metavar="SPEC", help="data set (default: the file's)")
    p.add_argument("--split", choices=SPLIT_CHOICES, default="test", help="which split (default: test)")
    add_device_argument(p)


def add_device_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--device",
        choices=DEVICES,
        default="cpu",
        help="where the network runs: cpu (default), cuda (an NVIDIA GPU; an error when there is "
        "none) or auto (the GPU when there is one)",
    )


def evaluate_file(args: argparse.Namespace, threshold: float | None = None):
    """Load FILE and evaluate it; every expected failure becomes a one-line CliError."""
    from pathlib import Path

    from ..engine import EngineError
    from ..evaluation import EvaluationProblem
    from ..evaluation.evaluate import evaluate_document

    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise CliError(f"--threshold must be between 0 and 1, got {threshold:g}")
    doc = load_document(args.file)
    if not doc.weights:
        log.info(
            "%s has no trained weights; evaluating fresh initial ones from seed %s",
            args.file,
            doc.settings.get("seed", 0),
        )
    try:
        return evaluate_document(
            doc, args.data, args.split, str(Path(args.file).resolve().parent), threshold, args.device
        )
    except (EvaluationProblem, EngineError) as e:
        raise CliError(f"{args.file}: {e}") from None


def check_threshold(threshold: float | None, ev) -> None:
    proba = ev.predictions.proba
    if threshold is not None and (proba is None or proba.shape[1] != 2):
        what = f"{proba.shape[1]} classes" if proba is not None else "a regression network"
        raise CliError(f"--threshold applies to binary classifiers only; this is {what}")


def write_output(text: str, path: str | None) -> None:
    if not path:
        sys.stdout.write(text)
        return
    from ..io.atomic import write_atomic

    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as e:
        raise CliError(f"{path}: cannot write: {e.strerror or e}") from None


def run(args: argparse.Namespace) -> int:
    from ..evaluation.report import report

    ev = evaluate_file(args, args.threshold)
    check_threshold(args.threshold, ev)
    write_output(report(ev, args.report, title=args.file), args.output)
    if args.output:
        log.info("wrote the %s report to %s", args.report, args.output)
    return 0
