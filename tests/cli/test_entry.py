"""The `neuroedit` entry point: --version, --help for every subcommand, `python -m neuroedit`."""

import subprocess
import sys

import pytest

from neuroedit import __version__
from neuroedit.cli import SUBCOMMANDS, main

COMMANDS = sorted(SUBCOMMANDS)


def test_version(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip() == f"neuroedit {__version__}"


def test_top_level_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert f"    {name} " in out or f"    {name}\n" in out


@pytest.mark.parametrize("name", COMMANDS)
def test_every_subcommand_has_help(capsys, name):
    with pytest.raises(SystemExit) as e:
        main([name, "--help"])
    assert e.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: neuroedit {name}")


def test_python_dash_m():
    done = subprocess.run([sys.executable, "-m", "neuroedit", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == f"neuroedit {__version__}"
