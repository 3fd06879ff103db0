"""Logging: a rotating log file in the app's data folder, and the console with `-v`.

The file keeps what a user never sees (a worker thread's traceback, an uncaught GUI exception)
so that it can be reported; the console stays quiet unless asked.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

LOGGER = "neuroedit"
FILE_NAME = "neuroedit.log"
_TAG = "_neuroedit_handler"  # marks our handlers, so setting up twice replaces them


def log_path() -> Path:
    """The log file: `neuroedit.log` in the user data folder (platformdirs), e.g. ~/.local/share/neuroedit."""
    from platformdirs import user_data_path

    return user_data_path("neuroedit", appauthor=False) / FILE_NAME


def setup_logging(verbose: bool = False) -> Path | None:
    """Log INFO and up to the file (DEBUG with `verbose`), and to stderr with `verbose`; the file's path.

    None when the file cannot be opened (a read-only home): logging then goes nowhere but stderr."""
    logger = logging.getLogger(LOGGER)
    for handler in [h for h in logger.handlers if getattr(h, _TAG, False)]:
        logger.removeHandler(handler)
        handler.close()
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=2, encoding="utf-8")
    except OSError:
        file_handler = None
    if file_handler is not None:
        file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"))
        _add(logger, file_handler)
    if verbose:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(logging.Formatter("neuroedit: %(message)s"))
        _add(logger, console)
    return path if file_handler is not None else None


def _add(logger: logging.Logger, handler: logging.Handler) -> None:
    setattr(handler, _TAG, True)
    logger.addHandler(handler)
