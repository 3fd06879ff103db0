"""`neuroedit predict FILE --out preds.csv`: one row per sample with the network's prediction and loss."""

from __future__ import annotations

import argparse
import csv
import io
import sys

from .evaluate_cmd import (
    add_data_arguments,
    check_threshold,
    evaluate_file,
    log,
    write_output,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "predict",
        help="write the network's prediction for every sample of a split as CSV",
        description="Run the network in FILE on one split of its data set (or --data) and write one row per "
        "sample: index, true, predicted, p_<class> for every class (classification), loss.",
        epilog="Exit status: 0 on success, 2 for bad arguments, unreadable files, unusable data, "
        "impossible networks or an empty split.",
    )
    add_data_arguments(p)
    p.add_argument("--out", metavar="PATH", required=True, help="the CSV file to write ('-' for standard output)")
    p.add_argument(
        "--threshold",
        type=float,
        metavar="T",
        help="binary classifiers: predict the positive class when its probability is >= T (default 0.5)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..evaluation.report import predictions_csv_rows

    ev = evaluate_file(args, args.threshold)
    check_threshold(args.threshold, ev)
    header, rows = predictions_csv_rows(ev, args.threshold)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    if args.out == "-":
        sys.stdout.write(buffer.getvalue())
        return 0
    write_output(buffer.getvalue(), args.out)
    log.info("wrote %d predictions (%s split) to %s", len(rows), ev.predictions.split, args.out)
    return 0
