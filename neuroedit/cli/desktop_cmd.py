"""`neuroedit desktop install|uninstall`: the menu entry, icon and `.nedit` file type for this user."""

from __future__ import annotations

import argparse

from .errors import CliError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "desktop",
        help="add NeuroEdit to the desktop menu and open .nedit files with it (this user only)",
        description="Install or remove the desktop entry, the app icon and the .nedit file type "
        "(application/x-neuroedit) under $XDG_DATA_HOME (default ~/.local/share); no root needed. "
        "Afterwards .nedit files show the NeuroEdit icon and open in NeuroEdit on double-click.",
        epilog="Exit status: 0 on success, 2 if a file cannot be written or removed.",
    )
    p.add_argument("action", choices=("install", "uninstall"), help="install or uninstall")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..desktop_integration import DesktopError, data_home, install, uninstall

    base = data_home()
    try:
        files = install(base) if args.action == "install" else uninstall(base)
    except DesktopError as e:
        raise CliError(str(e)) from None
    if args.action == "install":
        print(
            f"Installed {len(files)} files under {base}: NeuroEdit is in the applications menu and opens .nedit files."
        )
    else:
        print(f"Removed {len(files)} files from {base}.")
    return 0
