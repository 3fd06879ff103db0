"""Desktop integration: resources/ holds a valid entry, icons and MIME type; install/uninstall in XDG folders."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from neuroedit.cli import main
from neuroedit.desktop_integration import (
    ICON_SIZES,
    RESOURCES,
    desktop_entry,
    install,
    launch_command,
    placements,
)

ROOT = Path(__file__).resolve().parent.parent
needs_validator = pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None, reason="desktop-file-validate is not installed"
)


def _validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["desktop-file-validate", str(path)], check=False, capture_output=True, text=True, timeout=30)


@needs_validator
def test_the_shipped_desktop_entry_validates():
    done = _validate(RESOURCES / "neuroedit.desktop")
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_resources_hold_the_app_icon_in_every_size():
    svg = RESOURCES / "icons" / "neuroedit.svg"
    assert svg.read_bytes() == (ROOT / "neuroedit" / "resources" / "icons" / "neuroedit.svg").read_bytes(), (
        "run tools/make_icons.py"
    )
    for size in ICON_SIZES:
        png = (RESOURCES / "icons" / f"neuroedit-{size}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(png[16:20], "big") == size and int.from_bytes(png[20:24], "big") == size
    mime = (RESOURCES / "neuroedit-mime.xml").read_text()
    assert 'type="application/x-neuroedit"' in mime and 'pattern="*.nedit"' in mime


def test_exec_line_runs_this_installation():
    assert launch_command().endswith(" %f")
    assert sys.executable in launch_command() or str(Path(sys.executable).parent / "neuroedit") in launch_command()
    assert f"Exec={launch_command()}" in desktop_entry()


def test_install_and_uninstall_honour_xdg_data_home(tmp_path, monkeypatch, capsys):
    base = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(base))
    assert main(["desktop", "install"]) == 0
    assert str(base) in capsys.readouterr().out
    targets = [p.target for p in placements(base)]
    assert all(t.is_file() for t in targets)
    assert (base / "icons/hicolor/48x48/apps/neuroedit.png").is_file()
    assert (base / "icons/hicolor/scalable/mimetypes/application-x-neuroedit.svg").is_file()
    entry = (base / "applications/neuroedit.desktop").read_text()
    assert "MimeType=application/x-neuroedit;" in entry and "Icon=neuroedit" in entry
    if shutil.which("update-mime-database"):
        assert "application/x-neuroedit:*.nedit" in (base / "mime/globs2").read_text()
    if shutil.which("update-desktop-database"):
        assert "application/x-neuroedit=neuroedit.desktop" in (base / "applications/mimeinfo.cache").read_text()
    if shutil.which("desktop-file-validate"):
        done = _validate(base / "applications/neuroedit.desktop")
        assert done.returncode == 0 and not done.stdout.strip(), done.stdout
    assert main(["desktop", "uninstall"]) == 0
    assert not any(t.exists() for t in targets)
    if shutil.which("update-mime-database"):
        assert "neuroedit" not in (base / "mime/globs2").read_text()


def test_install_without_resources_is_a_one_line_error(tmp_path, monkeypatch, capsys):
    from neuroedit import desktop_integration
    from neuroedit.desktop_integration import DesktopError

    with pytest.raises(DesktopError, match="resources/ folder of a source checkout"):
        install(tmp_path / "xdg", resources=tmp_path / "nothing")
    monkeypatch.setattr(desktop_integration, "RESOURCES", tmp_path / "nothing")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert main(["desktop", "install"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
