"""`neuroedit runs FILE`: the training runs recorded in a network file, one line each."""

from __future__ import annotations

import argparse
import json
import math

from .common import load_document


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "runs",
        help="list the training runs recorded in a network file",
        description="List the training runs recorded in FILE: when, how long, seed, what changed from the "
        "previous run and the final metrics. --json prints them whole (with their curves).",
        epilog="Exit status: 0 on success, 2 for unreadable files.",
    )
    p.add_argument("file", metavar="FILE", help="a .nedit network file")
    p.add_argument("--json", action="store_true", help="print the runs as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..model.runs import describe_changes, run_title

    doc = load_document(args.file)
    if args.json:
        print(json.dumps(_plain(doc.runs), indent=2))
        return 0
    if not doc.runs:
        print(f"{args.file}: no training runs recorded")
        return 0
    for r in doc.runs:
        epochs = len(r["history"].get("loss", []))
        metrics = "  ".join(f"{k} {v:.4f}" for k, v in r["metrics"].items() if math.isfinite(v))
        print(
            f"{run_title(r)}  {r['started_at']}  {r['duration_s']:.2f} s  {epochs} epochs  seed {r['seed']}"
            f"  {r['dataset']}"
        )
        print(f"    {describe_changes(r, limit=6)}")
        if metrics:
            print(f"    {metrics}")
    return 0


def _plain(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
