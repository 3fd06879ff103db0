"""scikit-learn is imported when a metric is computed, never when the CLI or the file format loads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_cli_and_file_format_imports_do_not_load_scikit_learn():
    code = (
        "import sys, neuroedit.cli, neuroedit.cli.evaluate_cmd, neuroedit.cli.predict_cmd, "
        "neuroedit.cli.runs_cmd, neuroedit.io, neuroedit.model.runs\n"
        "print(','.join(m for m in sys.modules if m.split('.')[0] == 'sklearn'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
