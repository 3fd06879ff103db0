"""Register NeuroEdit with the user's desktop (XDG folders, no root): menu entry, icon, `.nedit` file type.

The files come from the top-level `resources/` folder of the checkout NeuroEdit runs from. The
installed desktop entry runs this very installation (its absolute path), so it works from a venv
that is not on PATH. After copying, the desktop's caches are refreshed when the tools exist.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
DESKTOP_FILE = "neuroedit.desktop"
MIME_FILE = "neuroedit-mime.xml"
MIME_TYPE = "application/x-neuroedit"
ICON_NAME = "neuroedit"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


class DesktopError(Exception):
    """Installing or removing the desktop files failed; the message says what and where."""


@dataclass(frozen=True)
class Placement:
    """One installed file: where it comes from (None: generated) and where it goes."""

    source: Path | None
    target: Path


def data_home() -> Path:
    """$XDG_DATA_HOME, or ~/.local/share as the XDG base-directory spec says."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def placements(base: Path, resources: Path | None = None) -> list[Placement]:
    """Every file `install` writes under the data folder `base`."""
    resources = resources or RESOURCES
    icons = base / "icons" / "hicolor"
    out = [
        Placement(None, base / "applications" / DESKTOP_FILE),
        Placement(resources / MIME_FILE, base / "mime" / "packages" / "neuroedit.xml"),
    ]
    mime_icon = MIME_TYPE.replace("/", "-")
    for name, kind in ((ICON_NAME, "apps"), (mime_icon, "mimetypes")):
        out.append(Placement(resources / "icons" / "neuroedit.svg", icons / "scalable" / kind / f"{name}.svg"))
        for size in ICON_SIZES:
            out.append(
                Placement(
                    resources / "icons" / f"neuroedit-{size}.png", icons / f"{size}x{size}" / kind / f"{name}.png"
                )
            )
    return out


def launch_command() -> str:
    """The Exec= command line that starts this installation: its `neuroedit` script, else `python -m neuroedit`."""
    script = Path(sys.executable).parent / "neuroedit"
    parts = [str(script)] if script.is_file() else [sys.executable, "-m", "neuroedit"]
    return " ".join(_exec_quote(p) for p in parts) + " %f"


def _exec_quote(arg: str) -> str:
    """Quote an Exec= argument as the Desktop Entry spec asks (double quotes; \\, ", `, $ escaped)."""
    if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`"):
        return arg
    return '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'


def desktop_entry(resources: Path | None = None) -> str:
    """The shipped desktop entry with Exec= pointing at this installation."""
    resources = resources or RESOURCES
    lines = _read(resources / DESKTOP_FILE).splitlines()
    return "\n".join(f"Exec={launch_command()}" if line.startswith("Exec=") else line for line in lines) + "\n"


def install(base: Path | None = None, resources: Path | None = None) -> list[Path]:
    """Copy the desktop entry, icons and MIME type under `base` (default: XDG data home); return the files."""
    base = base or data_home()
    entry = desktop_entry(resources)
    written = []
    for p in placements(base, resources):
        try:
            p.target.parent.mkdir(parents=True, exist_ok=True)
            if p.source is None:
                p.target.write_text(entry, encoding="utf-8")
            else:
                shutil.copyfile(_existing(p.source), p.target)
        except OSError as e:
            raise DesktopError(f"cannot write {p.target}: {e.strerror or e}") from None
        written.append(p.target)
    refresh_caches(base)
    return written


def uninstall(base: Path | None = None) -> list[Path]:
    """Remove what `install` wrote under `base`; return the files that were there."""
    base = base or data_home()
    removed = []
    for p in placements(base):
        try:
            p.target.unlink()
            removed.append(p.target)
        except FileNotFoundError:
            continue
        except OSError as e:
            raise DesktopError(f"cannot remove {p.target}: {e.strerror or e}") from None
    refresh_caches(base)
    return removed


def refresh_caches(base: Path) -> list[str]:
    """Rebuild the user's MIME and desktop-entry caches, with the tools that are installed; their names."""
    ran = []
    for tool, folder in (
        ("update-mime-database", base / "mime"),
        ("update-desktop-database", base / "applications"),
        ("gtk-update-icon-cache", base / "icons" / "hicolor"),
    ):
        if shutil.which(tool) and folder.is_dir():
            args = [tool, "-q", "-t", str(folder)] if tool == "gtk-update-icon-cache" else [tool, str(folder)]
            try:
                subprocess.run(args, capture_output=True, timeout=60, check=False)
                ran.append(tool)
            except (OSError, subprocess.SubprocessError):
                pass
    return ran


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise DesktopError(
            f"{path} is missing: `neuroedit desktop` needs the resources/ folder of a source "
            "checkout (install NeuroEdit with `pip install -e .`)"
        )
    return path


def _read(path: Path) -> str:
    try:
        return _existing(path).read_text(encoding="utf-8")
    except OSError as e:
        raise DesktopError(f"cannot read {path}: {e.strerror or e}") from None
