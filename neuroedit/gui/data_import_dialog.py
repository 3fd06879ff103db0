"""The "Import data" dialog: pick a CSV/NPZ file or an IDX folder, preview it, choose target and split."""

from __future__ import annotations

import html
import os

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ..data import DataError, csv_preview, format_spec, parse_spec
from ..data.idx_source import find_idx_file
from ..data.npz_source import npz_keys
from ..data.references import relative_path
from ..data.spec import Spec

SCALES = ["default", "standard", "minmax", "none"]


def detect_format(path: str) -> str | None:
    """csv / npz / idx (a folder holding IDX files), or None."""
    if os.path.isdir(path):
        return "idx"
    ext = os.path.splitext(path)[1].lower()
    return {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".npz": "npz"}.get(ext)


class ImportDialog(QDialog):
    """Builds a `csv:`/`npz:`/`idx:` spec; `spec()` gives it after the dialog is accepted."""

    def __init__(self, parent=None, base_dir: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import data")
        self.setObjectName("data_import_dialog")
        self.base_dir = base_dir
        self.format: str | None = None
        self.path_edit = QLineEdit(objectName="import_path")
        self.path_edit.setPlaceholderText("a .csv or .npz file, or an MNIST-style IDX folder")
        self.path_edit.editingFinished.connect(lambda: self.set_path(self.path_edit.text()))
        file_button = QPushButton("File…")
        file_button.clicked.connect(self._browse_file)
        folder_button = QPushButton("IDX folder…")
        folder_button.clicked.connect(self._browse_folder)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(file_button)
        row.addWidget(folder_button)

        self.target = QComboBox(objectName="import_target")
        self.x_key = QComboBox(objectName="import_x_key")
        self.y_key = QComboBox(objectName="import_y_key")
        self.fashion = QCheckBox("Fashion-MNIST (class names)", objectName="import_fashion")
        self.split = QLineEdit("75:10:15", objectName="import_split")
        self.split.setToolTip("train:validation:test ratios; an IDX t10k set stays the test set")
        self.classes = QLineEdit(objectName="import_classes")
        self.classes.setPlaceholderText("all (or e.g. 2,6)")
        self.scale = QComboBox(objectName="import_scale")
        self.scale.addItems(SCALES)
        form = QFormLayout()
        form.addRow("Target column", self.target)
        form.addRow("Inputs array", self.x_key)
        form.addRow("Targets array", self.y_key)
        form.addRow("", self.fashion)
        form.addRow("Split", self.split)
        form.addRow("Classes", self.classes)
        form.addRow("Scaling", self.scale)
        self.form = form

        self.preview = QTableWidget(objectName="import_preview")
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.message = QLabel(objectName="import_message", wordWrap=True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addLayout(form)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(640, 520)
        self._update_rows()

    def set_path(self, path: str) -> None:
        """Inspect `path` and fill the preview and the choices."""
        path = path.strip()
        self.path_edit.setText(path)
        self.format = detect_format(path) if path else None
        self.preview.clear()
        self.preview.setRowCount(0)
        self.preview.setColumnCount(0)
        self.message.setText("")
        try:
            if not path:
                pass
            elif not os.path.exists(path):
                raise DataError(f"{path}: no such file or folder")
            elif self.format == "csv":
                self._inspect_csv(path)
            elif self.format == "npz":
                self._inspect_npz(path)
            elif self.format == "idx":
                self._inspect_idx(path)
            else:
                raise DataError(f"{os.path.basename(path)}: choose a .csv or .npz file or an IDX folder")
        except DataError as e:
            self.format = None
            self.message.setText(f"<span style='color:#c8414b'>{html.escape(str(e))}</span>")
        self._update_rows()

    def spec(self) -> str:
        """The spec string for the current choices (empty if nothing usable is chosen)."""
        if self.format is None:
            return ""
        path = relative_path(self.path_edit.text().strip(), self.base_dir)
        options: dict[str, str] = {}
        if self.format == "csv" and self.target.currentText():
            options["target"] = self.target.currentText()
        if self.format == "npz":
            options["x"], options["y"] = self.x_key.currentText(), self.y_key.currentText()
        if self.format == "idx" and self.fashion.isChecked() != ("fashion" in os.path.basename(path).lower()):
            options["fashion"] = "1" if self.fashion.isChecked() else "0"
        split = self.split.text().strip().replace(" ", "")
        if split and split != "75:10:15":
            options["split"] = split
        if self.classes.text().strip():
            options["classes"] = self.classes.text().replace(" ", "")
        if self.scale.currentText() != "default":
            options["scale"] = self.scale.currentText()
        text = format_spec(Spec(self.format, path, options))
        parse_spec(text)  # raises DataError if the path makes the spec ambiguous
        return text

    # ---------------------------------------------------------------- inspection
    def _inspect_csv(self, path: str) -> None:
        names, rows, header = csv_preview(path)
        self.target.clear()
        self.target.addItems(names)
        self.target.setCurrentIndex(len(names) - 1)
        self._fill_preview(names, rows)
        self.message.setText(
            f"{'Header row found' if header else 'No header row'}; "
            f"{len(names)} columns. Text in the target column becomes class names."
        )

    def _inspect_npz(self, path: str) -> None:
        keys = npz_keys(path)
        for combo, preferred in ((self.x_key, ("x", "x_train")), (self.y_key, ("y", "y_train"))):
            combo.clear()
            combo.addItems(keys)
            for key in preferred:
                if key in keys:
                    combo.setCurrentText(key)
                    break
        self.message.setText(f"Arrays in the file: {', '.join(keys) or 'none'}")

    def _inspect_idx(self, path: str) -> None:
        found = [f for p in ("train", "t10k") for k in ("images", "labels") if (f := find_idx_file(path, p, k))]
        if not any("train-images" in os.path.basename(f) for f in found):
            raise DataError(f"{path}: no train-images-idx3-ubyte file (raw or .gz) in this folder")
        self.fashion.setChecked("fashion" in os.path.basename(os.path.normpath(path)).lower())
        self.message.setText("Found: " + ", ".join(os.path.basename(f) for f in found))

    def _fill_preview(self, names: list[str], rows: list[list[str]]) -> None:
        self.preview.setColumnCount(len(names))
        self.preview.setHorizontalHeaderLabels(names)
        self.preview.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells[: len(names)]):
                self.preview.setItem(r, c, QTableWidgetItem(text))

    def _update_rows(self) -> None:
        visible = {
            self.target: self.format == "csv",
            self.x_key: self.format == "npz",
            self.y_key: self.format == "npz",
            self.fashion: self.format == "idx",
        }
        for widget, show in visible.items():
            self.form.setRowVisible(widget, show)
        self.preview.setVisible(self.format == "csv")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.format is not None)

    def _browse_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import data", self.base_dir or "", "Data files (*.csv *.tsv *.txt *.npz);;All files (*)"
        )
        if path:
            self.set_path(path)

    def _browse_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "IDX folder (MNIST / Fashion-MNIST)", self.base_dir or "")
        if path:
            self.set_path(path)
