"""`neuroedit` command line: `neuroedit [FILE]` opens the editor; subcommands work headless.

Each subcommand lives in its own module with `register(subparsers)`; its handler
returns the exit code. Expected failures raise `CliError` and print one line,
never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .._version import __version__
from .errors import CliError

# Subcommand modules, in the order `--help` lists them.
VERBOSE_FLAGS = ("-v", "--verbose")  # accepted before or after the subcommand

SUBCOMMANDS = ("info", "validate", "train", "evaluate", "data", "trace", "desktop")


def _available_subcommands() -> dict[str, object]:
    modules = {}
    for name in SUBCOMMANDS:
        try:
            modules[name] = importlib.import_module(f"{__name__}.{name}_cmd")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}_cmd":
                raise
    return modules


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neuroedit",
        description="NeuroEdit: draw a neural network, train it, and watch backpropagation. "
        "With no subcommand, opens the editor on FILE (or a template picker).",
    )
    parser.add_argument("--version", action="version", version=f"neuroedit {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="show progress details (e.g. kernel loading) on stderr; anywhere on the line")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _available_subcommands().values():
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    verbose = any(a in VERBOSE_FLAGS for a in argv)
    argv = [a for a in argv if a not in VERBOSE_FLAGS]
    from ..logs import setup_logging

    setup_logging(verbose)
    modules = _available_subcommands()
    if not argv or (argv[0] not in modules and argv[0] not in ("-h", "--help", "--version")):
        from . import gui_cmd

        return _run(gui_cmd.main, argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return _run(args.handler, args)


def _run(handler, args) -> int:
    try:
        return int(handler(args) or 0)
    except CliError as e:
        print(f"neuroedit: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("neuroedit: interrupted", file=sys.stderr)
        return 130
