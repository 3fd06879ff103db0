"""`neuroedit` checks Qt's platform before creating the QApplication: a clear message and exit 2, never an abort."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from neuroedit.gui.platform_check import (
    check_platform,
    debian_package,
    import_problem,
    missing_libraries,
    wanted_platforms,
)

REPO = Path(__file__).resolve().parents[2]

LDD_MISSING = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f03)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f03)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxkbcommon-x11.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f03)
"""


def _check(env, ldd_output="", plugin_exists=True, reachable=True, tmp_path=None):
    plugin = (tmp_path or Path("/nonexistent")) / "libqxcb.so"
    if plugin_exists:
        plugin.write_bytes(b"")
    seen = []

    def ldd(path):
        seen.append(path)
        return ldd_output

    problem = check_platform(env, ldd=ldd, plugin=lambda name: plugin, display_reachable=lambda d: reachable)
    return problem, seen


def test_missing_xcb_libraries_are_listed_with_the_install_command(tmp_path):
    problem, seen = _check({"DISPLAY": ":0"}, LDD_MISSING, tmp_path=tmp_path)
    assert seen == [str(tmp_path / "libqxcb.so")]
    assert problem.missing_libraries == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxkbcommon-x11.so.0"]
    text = "\n".join(problem.lines())
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0" in text
    assert "libxcb-cursor" not in text  # installed, so not blamed
    assert "QT_QPA_PLATFORM=offscreen" in text


def test_no_display_suggests_the_cli_and_offscreen(tmp_path):
    problem, seen = _check({}, LDD_MISSING, tmp_path=tmp_path)
    assert "DISPLAY is not set" in problem.message and not seen
    assert "neuroedit train" in problem.lines()[-1]


def test_all_libraries_present_and_display_reachable_is_fine(tmp_path):
    ok = LDD_MISSING.replace("not found", "/lib/x.so (0x1)")
    assert _check({"DISPLAY": ":0"}, ok, tmp_path=tmp_path)[0] is None
    unreachable, _ = _check({"DISPLAY": ":7"}, ok, reachable=False, tmp_path=tmp_path)
    assert "cannot connect to the display :7" in unreachable.message


def test_headless_platforms_need_nothing(tmp_path):
    for platform in ("offscreen", "minimal", "offscreen:fontengine=freetype", "vnc"):
        assert _check({"QT_QPA_PLATFORM": platform}, LDD_MISSING, tmp_path=tmp_path)[0] is None


def test_platform_order_and_fallback(tmp_path):
    assert wanted_platforms({}) == ["xcb"]
    assert wanted_platforms({"XDG_SESSION_TYPE": "wayland"}) == ["wayland", "xcb"]
    assert wanted_platforms({"QT_QPA_PLATFORM": "wayland;xcb"}) == ["wayland", "xcb"]
    runtime = tmp_path / "run"
    runtime.mkdir()
    (runtime / "wayland-1").write_bytes(b"")
    wayland = {"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-1", "XDG_RUNTIME_DIR": str(runtime)}
    assert _check(wayland, LDD_MISSING, tmp_path=tmp_path)[0] is None
    # No Wayland socket: Qt falls back to xcb, whose missing libraries are the useful message.
    problem, _ = _check({**wayland, "WAYLAND_DISPLAY": "gone", "DISPLAY": ":0"}, LDD_MISSING, tmp_path=tmp_path)
    assert problem.packages == ["libxcb-icccm4", "libxcb-keysyms1", "libxkbcommon-x11-0"]


def test_debian_package_names():
    assert debian_package("libxcb-icccm.so.4") == "libxcb-icccm4"
    assert debian_package("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"
    assert debian_package("libEGL.so.1") == "libegl1"
    assert debian_package("libdbus-1.so.3") == "libdbus-1-3"
    assert debian_package("libglib-2.0.so.0") == "libglib2.0-0"
    problem = import_problem(ImportError("libEGL.so.1: cannot open shared object file: No such file or directory"))
    assert problem.packages == ["libegl1"]


def test_real_ldd_of_the_installed_plugin_finds_nothing_missing():
    from neuroedit.gui.platform_check import plugin_path

    if not plugin_path("xcb").is_file():
        pytest.skip("PySide6 without the xcb plugin")
    assert missing_libraries(str(plugin_path("xcb"))) == []


def test_editor_without_a_display_exits_2_with_a_message():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run(
        [sys.executable, "-m", "neuroedit", "samples/xor.nedit"],
        cwd=REPO,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "no display found" in done.stderr and "QT_QPA_PLATFORM=offscreen" in done.stderr
    assert "Traceback" not in done.stderr
