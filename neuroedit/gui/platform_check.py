"""Checks, before the QApplication exists, that Qt's platform plugin can start on this machine.

Qt aborts the process (SIGABRT) when its platform plugin cannot load or find a display, with
a message that may name the wrong library. On Linux we look first: is there a display to talk
to, and does the xcb plugin find every shared library it links (as `ldd` reports them)?
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# Platforms that need no display server: the user chose them on purpose.
HEADLESS_PLATFORMS = {"offscreen", "minimal", "minimalegl", "vnc", "linuxfb", "eglfs", "vkkhrdisplay"}
HEADLESS_HINT = (
    "To work without a display, use the command line (`neuroedit train FILE`, "
    "`neuroedit evaluate FILE`) or run the editor off screen with QT_QPA_PLATFORM=offscreen "
    "(e.g. for --screenshot)."
)

# Debian/Ubuntu package of a library whose name the generic rule in `debian_package` gets wrong.
_PACKAGE_OVERRIDES = {
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libz.so.1": "zlib1g",
    "libstdc++.so.6": "libstdc++6",
    "libpng16.so.16": "libpng16-16",
    "libpcre2-8.so.0": "libpcre2-8-0",
}

Ldd = Callable[[str], str]


@dataclass
class PlatformProblem:
    """Why the editor cannot start here, and what to do about it."""

    message: str
    missing_libraries: list[str] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"neuroedit: error: the editor cannot start: {self.message}"]
        if self.packages:
            out.append("On Debian/Ubuntu, install them with:  sudo apt-get install " + " ".join(self.packages))
        out.append(HEADLESS_HINT)
        return out


def debian_package(library: str) -> str:
    """The Debian/Ubuntu package that ships a shared library: `libxcb-icccm.so.4` -> `libxcb-icccm4`."""
    if library in _PACKAGE_OVERRIDES:
        return _PACKAGE_OVERRIDES[library]
    match = re.fullmatch(r"(.+?)\.so\.(\d+)(?:\..*)?", library)
    if not match:
        return library
    stem, version = match.group(1).lower(), match.group(2)
    return f"{stem}-{version}" if stem[-1].isdigit() else f"{stem}{version}"


def run_ldd(path: str) -> str:
    """`ldd PATH` output (every library the loader would pick, recursively), or "" if ldd is absent."""
    try:
        return subprocess.run(["ldd", path], check=False, capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def missing_libraries(plugin: str, ldd: Ldd = run_ldd) -> list[str]:
    """Shared libraries that `plugin` (and the libraries it links) need but the loader cannot find."""
    missing = []
    for line in ldd(plugin).splitlines():
        name, sep, target = line.strip().partition("=>")
        if sep and target.strip().startswith("not found") and name.strip() not in missing:
            missing.append(name.strip())
    return missing


def plugin_path(name: str) -> Path:
    """Where Qt keeps the platform plugin `name` (e.g. libqxcb.so); importing QtCore starts no app."""
    from PySide6.QtCore import QLibraryInfo

    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms" / f"libq{name}.so"


def wanted_platforms(env: dict[str, str]) -> list[str]:
    """The platform plugins Qt will try, in order (QT_QPA_PLATFORM, or the session's default)."""
    chosen = env.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return [p.split(":", 1)[0].strip().lower() for p in chosen.split(";") if p.strip()]
    if env.get("XDG_SESSION_TYPE") == "wayland":
        return ["wayland", "xcb"]
    return ["xcb"]


def x_display_reachable(display: str) -> bool:
    """Can we connect to the X server of a local DISPLAY such as `:0`? Remote ones are assumed reachable."""
    match = re.fullmatch(r"(unix)?:(\d+)(?:\.\d+)?", display.strip())
    if not match:
        return bool(re.fullmatch(r"[^:]+:\d+(?:\.\d+)?", display.strip()))  # host:N over TCP (ssh -X)
    path = f"/tmp/.X11-unix/X{match.group(2)}"
    for address in (path, "\0" + path):  # the socket file, or Linux's abstract socket of the same name
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(2.0)
            try:
                s.connect(address)
                return True
            except OSError:
                continue
    return False


def _wayland_reachable(env: dict[str, str]) -> bool:
    name = env.get("WAYLAND_DISPLAY", "wayland-0")
    path = name if os.path.isabs(name) else os.path.join(env.get("XDG_RUNTIME_DIR", ""), name)
    return bool(env.get("XDG_RUNTIME_DIR") or os.path.isabs(name)) and os.path.exists(path)


def check_platform(
    env: dict[str, str] | None = None,
    ldd: Ldd = run_ldd,
    plugin: Callable[[str], Path] = plugin_path,
    display_reachable: Callable[[str], bool] = x_display_reachable,
) -> PlatformProblem | None:
    """None when Qt can start one of the platforms it will try; else the first reason it cannot."""
    if not sys.platform.startswith("linux"):
        return None
    env = dict(os.environ if env is None else env)
    problems: list[PlatformProblem] = []
    for name in wanted_platforms(env):
        if name in HEADLESS_PLATFORMS:
            return None
        if name == "wayland":
            if _wayland_reachable(env):
                return None
            problems.append(PlatformProblem("no Wayland display (WAYLAND_DISPLAY is not set or not reachable)."))
        elif name == "xcb":
            problem = _xcb_problem(env, ldd, plugin("xcb"), display_reachable)
            if problem is None:
                return None
            problems.append(problem)
        else:
            return None  # a platform we know nothing about: let Qt judge it
    with_libs = [p for p in problems if p.missing_libraries]
    return (with_libs or problems)[0] if problems else None


def _xcb_problem(
    env: dict[str, str], ldd: Ldd, plugin: Path, display_reachable: Callable[[str], bool]
) -> PlatformProblem | None:
    display = env.get("DISPLAY", "").strip()
    if not display:
        return PlatformProblem("no display found (DISPLAY is not set): the editor needs a graphical session.")
    if plugin.is_file():
        missing = missing_libraries(str(plugin), ldd)
        if missing:
            packages = list(dict.fromkeys(debian_package(lib) for lib in missing))
            return PlatformProblem(
                f"Qt's X11 (xcb) platform plugin needs libraries that are not installed: {', '.join(missing)}.",
                missing,
                packages,
            )
    if not display_reachable(display):
        return PlatformProblem(
            f"cannot connect to the display {display} (is the X server running, and may this user use it?)."
        )
    return None


def import_problem(error: ImportError) -> PlatformProblem:
    """Qt's own libraries failed to load (e.g. `libEGL.so.1: cannot open shared object file`)."""
    text = str(error)
    match = re.search(r"([\w.+-]+\.so(?:\.\d+)*): cannot open shared object file", text)
    if match:
        library = match.group(1)
        return PlatformProblem(
            f"Qt needs the library {library}, which is not installed.", [library], [debian_package(library)]
        )
    return PlatformProblem(f"Qt (PySide6) cannot be imported: {text}")
