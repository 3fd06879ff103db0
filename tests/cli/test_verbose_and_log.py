"""`-v` shows progress chatter (kernel loading) on stderr; without it only results; both go to the log file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from neuroedit.logs import log_path

REPO = Path(__file__).resolve().parents[2]


def _evaluate(*flags: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "neuroedit", "evaluate", "samples/xor.nedit", *flags],
        cwd=REPO,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow  # two processes that load the kernels
def test_evaluate_is_quiet_without_v_and_chatty_with_it():
    quiet = _evaluate()
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr
    assert quiet.stdout.startswith("test (4 samples of xor)")
    verbose = _evaluate("-v")
    assert verbose.returncode == 0 and verbose.stdout == quiet.stdout
    assert re.search(r"neuroedit: (loading compiled|compiling) \w+ kernels", verbose.stderr), verbose.stderr
    logged = log_path().read_text(encoding="utf-8")
    assert re.search(r"INFO neuroedit\.engine\.numba_backend \[MainThread\] \w+ kernels ready", logged), logged
    assert str(log_path()).startswith(os.environ["HOME"])  # the temporary profile (tests/conftest.py)
