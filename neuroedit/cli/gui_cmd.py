"""`neuroedit [FILE] [--train] [--screenshot PNG --quit-after S]`: open the editor."""

from __future__ import annotations

import argparse
import sys

from .errors import EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="neuroedit",
        description="Open the NeuroEdit editor on FILE.",
        epilog="Subcommands: info, validate, train, evaluate, data, trace, desktop (neuroedit COMMAND --help).",
    )
    p.add_argument("file", nargs="?", help="a .nedit network file (omit for the template picker)")
    p.add_argument("--train", action="store_true", help="start training as soon as the file is open")
    p.add_argument("--screenshot", metavar="PNG", help="save a screenshot of the window (with --quit-after)")
    p.add_argument("--quit-after", type=float, metavar="SECONDS", help="close the app after this many seconds")
    return p


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from ..gui.platform_check import check_platform, import_problem

    # Qt aborts the process when its platform cannot start, so look before creating the QApplication.
    warmup = None
    try:
        problem = check_platform()
        if problem is None:
            from ..gui.training.warmup import launch

            warmup = launch()  # first, so the kernel compile also has the seconds the window takes to build
        from ..gui.app import run_app
    except ImportError as e:
        problem = import_problem(e)
    if problem is not None:
        if warmup is not None:
            warmup.kill()
        print("\n".join(problem.lines()), file=sys.stderr)
        return EXIT_USAGE
    return run_app(args.file, train=args.train, screenshot=args.screenshot, quit_after=args.quit_after, warmup=warmup)
