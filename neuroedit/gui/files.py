"""Recent files (QSettings) and crash recovery: a minutely autosave that the next start offers to restore."""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, QTimer

from .. import io as nedit_io
from ..io.atomic import write_atomic
from ..model import Document

MAX_RECENT = 10
AUTOSAVE_MS = 60_000


class RecentFiles:
    """Most recent first; files that no longer exist are dropped when listed."""

    KEY = "files/recent"

    def __init__(self, settings: QSettings | None = None) -> None:
        self.settings = settings or QSettings()

    def paths(self) -> list[str]:
        value = self.settings.value(self.KEY, [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [p for p in items if isinstance(p, str) and os.path.isfile(p)]

    def add(self, path: str) -> None:
        path = os.path.abspath(path)
        items = [path] + [p for p in self.paths() if p != path]
        self.settings.setValue(self.KEY, items[:MAX_RECENT])

    def clear(self) -> None:
        self.settings.setValue(self.KEY, [])


def recovery_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".neuroedit") / "recovery"


@dataclass(frozen=True)
class Recovery:
    """An autosave left behind by a session that did not exit cleanly."""

    data_path: Path
    original: str | None
    saved_at: float

    def load(self) -> Document:
        """The autosaved document; a damaged autosave is set aside so that no later start offers it again."""
        try:
            return nedit_io.load(self.data_path)
        except Exception:  # whatever went wrong, the next start must not meet this autosave again
            self.set_aside()
            raise

    def set_aside(self) -> None:
        """Rename the autosave to `*.damaged.nedit` (kept for the curious, never offered) and drop its record."""
        with contextlib.suppress(OSError):
            self.data_path.replace(self.data_path.with_suffix(".damaged.nedit"))
        with contextlib.suppress(OSError):
            self.data_path.with_suffix(".json").unlink()

    def discard(self) -> None:
        for p in (self.data_path, self.data_path.with_suffix(".json")):
            try:
                p.unlink()
            except FileNotFoundError:
                pass


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def find_recoveries(folder: Path | None = None) -> list[Recovery]:
    """Autosaves of sessions that are no longer running, newest first."""
    folder = folder or recovery_dir()
    found = []
    for meta_path in folder.glob("autosave-*.json"):
        try:
            meta = json.loads(meta_path.read_text("utf-8"))
            pid = int(meta["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        data = meta_path.with_suffix(".nedit")
        if data.is_file() and not _pid_alive(pid):
            original = meta.get("path") if isinstance(meta.get("path"), str) else None
            found.append(Recovery(data, original, float(meta.get("time", 0.0))))
    return sorted(found, key=lambda r: -r.saved_at)


class Autosaver(QObject):
    """Writes the document to this process's recovery file every minute while it has unsaved changes."""

    def __init__(
        self,
        current: Callable[[], tuple[Document, str | None, bool]],
        folder: Path | None = None,
        interval_ms: int = AUTOSAVE_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._current = current
        self.folder = folder or recovery_dir()
        stem = f"autosave-{os.getpid()}"
        self.data_path = self.folder / f"{stem}.nedit"
        self.meta_path = self.folder / f"{stem}.json"
        self.timer = QTimer(self, interval=interval_ms)
        self.timer.timeout.connect(self.save_now)
        self.timer.start()
        self.last_error = ""

    def save_now(self) -> bool:
        """Autosave if there is anything unsaved; False (and `last_error`) when writing failed."""
        doc, path, dirty = self._current()
        if not dirty:
            self.clear()
            return True
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(self.data_path, nedit_io.to_bytes(doc))
            meta = {"pid": os.getpid(), "path": path, "time": time.time()}
            write_atomic(self.meta_path, json.dumps(meta).encode("utf-8"))
        except (OSError, ValueError) as e:
            self.last_error = f"autosave failed: {e}"
            return False
        return True

    def clear(self) -> None:
        """Remove this session's recovery file (after a save and on a clean exit)."""
        for p in (self.data_path, self.meta_path):
            try:
                p.unlink()
            except FileNotFoundError:
                pass
            except OSError:
                pass
