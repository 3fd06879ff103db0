"""`neuroedit` command line: `neuroedit [FILE]` opens the editor; subcommands work headless.

Each subcommand lives in its own module with `register(subparsers)`; its handler
returns the exit code. Expected failures raise `CliError` and print one line,
never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from types import ModuleType

from .._version import __version__
from .errors import CliError

# Subcommand modules, in the order `--help` lists them.
VERBOSE_FLAGS = ("-v", "--verbose")  # accepted before or after the subcommand

SUBCOMMANDS = (
    "info",
    "validate",
    "train",
    "evaluate",
    "predict",
    "runs",
    "data",
    "trace",
    "export",
    "import",
    "desktop",
)
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a program stopped by a closed pipe


def _subcommand_modules() -> list[ModuleType]:
    return [importlib.import_module(f"{__name__}.{name}_cmd") for name in SUBCOMMANDS]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neuroedit",
        description="NeuroEdit: draw a neural network, train it, and watch backpropagation. "
        "With no subcommand, opens the editor on FILE (or a template picker).",
    )
    parser.add_argument("--version", action="version", version=f"neuroedit {__version__}")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="show progress details (e.g. kernel loading) on stderr; anywhere on the line",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _subcommand_modules():
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    verbose = any(a in VERBOSE_FLAGS for a in argv)
    argv = [a for a in argv if a not in VERBOSE_FLAGS]
    from ..logs import setup_logging

    setup_logging(verbose)
    if not argv or (argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help", "--version")):
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
        code = int(handler(args) or 0)
        sys.stdout.flush()  # buffered output may meet a closed pipe: here, not at interpreter exit
        return code
    except CliError as e:
        print(f"neuroedit: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("neuroedit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return quiet_broken_pipe()


def quiet_broken_pipe() -> int:
    """The reader of our output went away (`neuroedit validate BIG | head -1`): stop without a traceback.

    stdout is pointed at devnull so that the interpreter's final flush cannot fail again.
    """
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return EXIT_BROKEN_PIPE
