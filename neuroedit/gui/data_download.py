"""Offers to download MNIST / Fashion-MNIST when an opened network needs it and it is not here.

The download runs in a thread (pooch via `neuroedit.data.downloads`) behind a progress dialog
that can cancel it; a cancelled or failed download leaves only verified files in the cache.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from ..data import DataError, parse_spec
from ..data.availability import unavailable_reason
from ..data.downloads import DATASETS, IDX_FILES, RemoteDataset, download

log = logging.getLogger(__name__)


class DownloadCancelled(Exception):
    """Raised from the progress callback to stop pooch mid-file (its temporary file is removed)."""


def missing_download(spec: str | None, base_dir: str | None) -> RemoteDataset | None:
    """The downloadable data set that `spec` names and this computer lacks, if any."""
    if not spec:
        return None
    try:
        parsed = parse_spec(spec)
    except DataError:
        return None
    if parsed.kind != "idx" or parsed.location not in DATASETS:
        return None
    return DATASETS[parsed.location] if unavailable_reason(spec, base_dir) else None


class _Signals(QObject):
    progress = Signal(str, int, int)
    done = Signal(str)  # "" on success, else the one-line error


class DataDownloadOffer(QObject):
    """Checks the document's data set (after New/Open) and offers the download with a progress bar."""

    downloaded = Signal()  # the data set is here now: views that found it missing look again

    def __init__(
        self,
        dataset_spec: Callable[[], str | None],
        folder: Callable[[], str | None],
        show_status: Callable[[str], None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.dataset_spec = dataset_spec
        self.folder = folder
        self.show_status = show_status
        self.dialog_parent = parent
        self.enabled = True  # off for unattended runs (screenshots), which must not wait for a dialog
        self.dialog: QProgressDialog | None = None
        self.last_error = ""
        self._title = ""
        self._cancel = threading.Event()
        self._signals = _Signals()
        self._signals.progress.connect(self._progress)
        self._signals.done.connect(self._finished)

    def check(self) -> bool:
        """Ask to download the document's data set if it is missing; True when a download started."""
        dataset = missing_download(self.dataset_spec(), self.folder())
        if not self.enabled or dataset is None or self.dialog is not None:
            return False
        answer = QMessageBox.question(
            self.dialog_parent,
            f"Download {dataset.title}?",
            f"This network trains on {dataset.title}, which is not on this computer yet.\n\n"
            f"Download it now (about {dataset.size_mb:.0f} MB, four files checked against their published "
            f"SHA-256)? You can also run: neuroedit data download {dataset.name}",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            self.show_status(f"{dataset.title} is missing: neuroedit data download {dataset.name}")
            return False
        self.start(dataset)
        return True

    def start(self, dataset: RemoteDataset, mirror: str | None = None) -> None:
        """Download `dataset` in a thread behind a cancellable progress dialog."""
        self._cancel.clear()
        self.dialog = QProgressDialog(f"Downloading {dataset.title}…", "Cancel", 0, 100, self.dialog_parent)
        self.dialog.setObjectName("data_download_progress")
        self.dialog.setWindowTitle(f"Downloading {dataset.title} — NeuroEdit")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self._cancel.set)
        self.dialog.show()
        self._title = dataset.title
        threading.Thread(target=self._run, args=(dataset.name, mirror), name="data-download", daemon=True).start()

    def _run(self, name: str, mirror: str | None) -> None:
        def progress(file: str, done: int, total: int) -> None:
            if self._cancel.is_set():
                raise DownloadCancelled()
            self._signals.progress.emit(file, done, total)

        try:
            download(name, mirror, progress)
            self._signals.done.emit("")
        except DownloadCancelled:
            self._signals.done.emit("the download was cancelled; run it again to continue")
        except DataError as e:
            self._signals.done.emit(str(e))
        except Exception as e:
            log.exception("data download failed")
            self._signals.done.emit(f"the download failed: {e}")

    def _progress(self, file: str, done: int, total: int) -> None:
        if self.dialog is None:
            return
        number = IDX_FILES.index(file) + 1 if file in IDX_FILES else 0
        self.dialog.setLabelText(f"Downloading {self._title}: {file} ({number} of {len(IDX_FILES)})")
        self.dialog.setValue(done * 100 // total if total else 0)

    def _finished(self, error: str) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        self.last_error = error
        if error:
            QMessageBox.critical(self.dialog_parent, f"{self._title} not downloaded", error)
            return
        self.show_status(f"{self._title} downloaded")
        self.downloaded.emit()
