"""The suite runs in a temporary HOME: the user's real NeuroEdit profile is never read or written."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path

import pytest

REAL_HOME = pwd.getpwuid(os.getuid()).pw_dir  # the account's home, whatever HOME says
TEST_HOME = os.environ["HOME"]  # tests/conftest.py pointed it at a temporary folder

# Where NeuroEdit keeps things in a real profile (QStandardPaths/QSettings/platformdirs on Linux).
PROFILE_FOLDERS = (
    ".local/share/NeuroEdit",
    ".config/NeuroEdit",
    ".local/share/neuroedit",
    ".cache/neuroedit",
    ".local/state/neuroedit",
)


def _snapshot(home: str) -> dict[str, tuple[int, float]]:
    found = {}
    for sub in PROFILE_FOLDERS:
        for root, _dirs, files in os.walk(os.path.join(home, sub)):
            for name in files:
                p = os.path.join(root, name)
                st = os.stat(p)
                found[p] = (st.st_size, st.st_mtime)
    return found


def test_home_and_xdg_folders_are_temporary():
    assert Path.home() == Path(TEST_HOME) != Path(REAL_HOME)
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        assert os.environ[var].startswith(TEST_HOME)


def test_app_writes_land_in_the_temporary_profile_not_the_real_one():
    """A subprocess opens the editor, autosaves and stores settings the way a real session does."""
    pytest.importorskip("PySide6")
    before = _snapshot(REAL_HOME)
    script = (
        "from PySide6.QtCore import QSettings, QStandardPaths\n"
        "from neuroedit.gui.app import make_application\n"
        "from neuroedit.gui.files import Autosaver, recovery_dir\n"
        "from neuroedit.model import Document\n"
        "app = make_application()\n"
        "QSettings().setValue('probe', 1); QSettings().sync()\n"
        "saver = Autosaver(lambda: (Document(), None, True))\n"
        "assert saver.save_now(), saver.last_error\n"
        "print(recovery_dir())\n"
        "print(QSettings().fileName())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    recovery, settings = done.stdout.split()
    assert recovery.startswith(TEST_HOME) and settings.startswith(TEST_HOME)
    assert list(Path(recovery).glob("autosave-*.nedit"))
    assert _snapshot(REAL_HOME) == before
