"""`neuroedit validate FILE`: every problem of a network, each with the node it belongs to."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..model import analyze
from .common import load_document

EXIT_OK, EXIT_ERRORS = 0, 1


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "validate",
        help="check a network file and list its problems",
        description="Load a .nedit file, infer every node's shape and list each problem as "
        "`error NODE: message` or `warning NODE: message` (NODE is `network` for problems "
        "of the whole graph).",
        epilog="Exit status: 0 if the network has no errors (warnings, such as an unused "
        "output, are allowed unless --strict is given), 1 if it has errors, 2 if the file "
        "cannot be read.",
    )
    p.add_argument("file", metavar="FILE", help="a .nedit network file")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 1)")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing; only set the exit status")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    doc = load_document(args.file)
    problems = analyze(doc).problems
    errors = [p for p in problems if p.severity == "error"]
    warnings = [str(p) for p in problems if p.severity != "error"] + _data_warnings(doc, args.file)
    if not args.quiet:
        for p in errors:
            print(f"{p.severity:<7} {p}")
        for w in warnings:
            print(f"warning {w}")
        print(
            f"{args.file}: {_count(len(errors), 'error')}, {_count(len(warnings), 'warning')}"
            + ("" if errors or warnings else " — OK")
        )
    failed = errors or (args.strict and warnings)
    return EXIT_ERRORS if failed else EXIT_OK


def _data_warnings(doc, path: str) -> list[str]:
    """The data set the file refers to but this computer lacks (e.g. Fashion-MNIST not downloaded yet)."""
    from ..data.availability import unavailable_reason

    spec = doc.dataset.get("spec") if isinstance(doc.dataset, dict) else None
    reason = unavailable_reason(str(spec), str(Path(path).resolve().parent)) if spec else None
    return [f"network: data set {spec} is unavailable: {reason}"] if reason else []


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
