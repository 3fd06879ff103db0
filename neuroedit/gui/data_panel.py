"""The Data panel: choose a built-in data set (with its parameters) or import a file, and preview it.

Changing a parameter rebuilds the spec string and reloads the preview in a worker thread
(debounced), so large files never block the UI. What the user chooses here is the training
data: once a chosen set has loaded without error, the panel emits `spec_chosen`. Every row
fits the dock's default width (one field per row), so nothing sits off its right edge.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..data import DataError, Dataset, available_sources, format_shape, format_spec, load, parse_spec
from ..data.generators import GENERATORS
from ..data.spec import Spec
from .data_import_dialog import ImportDialog
from .data_preview import ClassHistogram, DataPreview, preview_kind, scatter_key_html
from .gc_guard import gui_thread_collector

FILE_KINDS = ("csv", "npz", "idx")
FILE_ITEM = "__file__"
DEFAULT_SPLIT = "75:10:15"
COMMON = ("seed", "split", "scale", "classes", "features")
VALUES_EXAMPLE = "values:x=4,y=-2,z=5,w=-1"


class _LoadSignals(QObject):
    """Carries a finished load from the worker thread to the GUI thread (queued connection)."""

    finished = Signal(int, object, str)


class DataPanel(QWidget):
    spec_chosen = Signal(str)
    dataset_loaded = Signal(object)  # the Dataset now previewed (or None)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.base_dir: str | None = None
        self.dataset: Dataset | None = None
        self.error = ""
        self._file_spec: Spec | None = None
        self._generation = 0
        self._chosen_generation = -1  # the load whose success makes its spec the training data
        self._document_spec = ""  # the spec the document holds (set_spec); choosing it again is no change
        self._updating = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="data-load")
        self._signals = _LoadSignals()
        self._signals.finished.connect(self._on_loaded)
        self._reload = QTimer(self, singleShot=True, interval=150)
        self._reload.timeout.connect(self._start_load)
        self._build()
        self._update_visibility()

    # ---------------------------------------------------------------- public
    def set_spec(self, spec: str | None) -> None:
        """Show `spec` (from the document) in the form and preview it; emits nothing."""
        self._document_spec = (spec or "").strip()
        self._show_spec(spec)

    def choose_spec(self, spec: str) -> None:
        """The user's choice: preview it and, once it loads, make it the training data."""
        before = self._generation
        self._show_spec(spec)
        if self._generation != before:  # a load started (the spec parsed)
            self._chosen_generation = self._generation

    def _show_spec(self, spec: str | None) -> None:
        self._updating = True
        try:
            if not spec:
                self.spec_edit.setText("")
                self._show(None, "")
                return
            self.spec_edit.setText(spec)
            try:
                parsed = parse_spec(spec)
            except DataError as e:
                self._show(None, str(e))
                return
            self._form_from_spec(parsed)
        finally:
            self._updating = False
        self._update_visibility()
        self._start_load()

    def set_base_dir(self, folder: str | None) -> None:
        """Folder that relative file paths start from (the .nedit file's folder)."""
        self.base_dir = folder

    def current_spec(self) -> str:
        return self.spec_edit.text().strip()

    def is_loading(self) -> bool:
        return self._pending is not None and not self._pending.done()

    # ---------------------------------------------------------------- layout
    def _build(self) -> None:
        self.source = QComboBox(objectName="data_source")
        for info in available_sources():
            if info.group == "file":
                continue
            self.source.addItem(f"{info.name} — {info.description}", info.name)
            index = self.source.count() - 1
            self.source.setItemData(index, info.reason or info.description, Qt.ItemDataRole.ToolTipRole)
            if not info.available:
                self.source.model().item(index).setEnabled(False)
        self.source.addItem("imported file", FILE_ITEM)
        self.source.currentIndexChanged.connect(self._on_source_changed)
        self.source.setToolTip("the data set to train on: a built-in generator, a scikit-learn set or a file")
        self.source.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.source.setMinimumContentsLength(12)
        self.import_button = QPushButton("Import file…", objectName="data_import")
        self.import_button.clicked.connect(self._import)

        self.n = QSpinBox(objectName="data_n", minimum=4, maximum=1_000_000, singleStep=100, value=500)
        self.noise = QDoubleSpinBox(objectName="data_noise", minimum=0, maximum=10, singleStep=0.05, decimals=3)
        self.arms = QSpinBox(objectName="data_arms", minimum=3, maximum=20, value=3)
        self.seed = QSpinBox(objectName="data_seed", minimum=0, maximum=2**31 - 1)
        self.split = QLineEdit(DEFAULT_SPLIT, objectName="data_split")
        self.split.setToolTip("train:validation:test ratios, e.g. 75:10:15 or 80:20")
        self.scale = QComboBox(objectName="data_scale")
        self.scale.addItems(["default", "standard", "minmax", "none"])
        self.scale.setToolTip("input scaling, fitted on the training split only")
        self.features = QLineEdit(objectName="data_features")
        self.features.setPlaceholderText("x1,x2 (add x1sq,x2sq,x1x2,sinx1,sinx2)")
        self.classes = QLineEdit(objectName="data_classes")
        self.classes.setPlaceholderText("all (or e.g. 2,6)")
        # (label, widget) in display order, one per row so that every field fits a narrow dock.
        self._fields = [
            (QLabel(text), widget)
            for text, widget in (
                ("Samples", self.n),
                ("Noise", self.noise),
                ("Arms", self.arms),
                ("Seed", self.seed),
                ("Split", self.split),
                ("Scaling", self.scale),
                ("Features", self.features),
                ("Classes", self.classes),
            )
        ]
        for _, widget in self._fields:
            widget.setMinimumWidth(60)
        self._visible = {widget: True for _, widget in self._fields}
        self.grid = QGridLayout()
        self.grid.setColumnStretch(1, 1)
        for spin in (self.n, self.arms, self.seed):
            spin.valueChanged.connect(self._on_form_changed)
        self.noise.valueChanged.connect(self._on_form_changed)
        self.scale.currentIndexChanged.connect(self._on_form_changed)
        for edit in (self.split, self.features, self.classes):
            edit.editingFinished.connect(self._on_form_changed)

        self.spec_edit = QLineEdit(objectName="data_spec")
        self.spec_edit.setToolTip("the data-set spec stored in the file; edit and press Enter")
        self.spec_edit.setMinimumWidth(60)
        self.spec_edit.returnPressed.connect(lambda: self.choose_spec(self.spec_edit.text().strip()))
        spec_row = QHBoxLayout()
        spec_row.addWidget(self.spec_edit, 1)
        spec_row.addWidget(self.import_button)

        self.info = QLabel(objectName="data_info", wordWrap=True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview = DataPreview()
        self.histogram = ClassHistogram()
        self.tabs = QTabWidget(objectName="data_tabs")
        self.tabs.addTab(self.preview, "Preview")
        self.tabs.addTab(self.histogram, "Classes")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.source)
        layout.addLayout(self.grid)
        layout.addLayout(spec_row)
        layout.addWidget(self.info)
        layout.addWidget(self.tabs, 1)
        self._pending: Future | None = None

    # ---------------------------------------------------------------- form <-> spec
    def _kind(self) -> str:
        return self.source.currentData() or ""

    def _spec_from_form(self) -> str:
        kind = self._kind()
        options: dict[str, str] = {}
        location = ""
        generator = GENERATORS.get(kind)
        if kind == FILE_ITEM:
            if self._file_spec is None:
                return ""
            kind, location = self._file_spec.kind, self._file_spec.location
            options = {k: v for k, v in self._file_spec.options.items() if k not in COMMON}
        elif kind.startswith("sklearn:"):
            kind, location = "sklearn", kind.split(":", 1)[1]
        elif generator is not None:
            if "n" in generator.params and self.n.value() != generator.params["n"]:
                options["n"] = str(self.n.value())
            if "noise" in generator.params and abs(self.noise.value() - generator.params["noise"]) > 1e-9:
                options["noise"] = f"{self.noise.value():g}"
            if "classes" in generator.params and self.arms.value() != generator.params["classes"]:
                options["classes"] = str(self.arms.value())
        if kind == "values":
            return self.current_spec() if self.current_spec().startswith("values") else VALUES_EXAMPLE
        if self.seed.value():
            options["seed"] = str(self.seed.value())
        split = self.split.text().replace(" ", "")
        if split and split != DEFAULT_SPLIT:
            options["split"] = split
        if self.scale.currentText() != "default":
            options["scale"] = self.scale.currentText()
        if self.features.text().strip():
            options["features"] = self.features.text().replace(" ", "")
        if self.classes.text().strip() and kind != "spiral_multi":
            options["classes"] = self.classes.text().replace(" ", "")
        return format_spec(Spec(kind, location, options))

    def _form_from_spec(self, spec: Spec) -> None:
        if spec.kind in FILE_KINDS:
            self._file_spec = spec
            self.source.setItemText(self.source.findData(FILE_ITEM), f"{spec.kind}: {os.path.basename(spec.location)}")
            key = FILE_ITEM
        else:
            key = f"sklearn:{spec.location}" if spec.kind == "sklearn" else spec.kind
        index = self.source.findData(key)
        if index >= 0:
            self.source.setCurrentIndex(index)
        o = spec.options
        generator = GENERATORS.get(spec.kind)
        params = generator.params if generator else {}
        self.n.setValue(_int(o.get("n"), int(params.get("n", 500))))
        self.noise.setValue(_float(o.get("noise"), float(params.get("noise", 0.1))))
        if spec.kind == "spiral_multi":
            self.arms.setValue(_int(o.get("classes"), 3))
        self.seed.setValue(_int(o.get("seed"), 0))
        self.split.setText(o.get("split", DEFAULT_SPLIT))
        self.scale.setCurrentText(o.get("scale", "default"))
        self.features.setText(o.get("features", ""))
        self.classes.setText("" if spec.kind == "spiral_multi" else o.get("classes", ""))

    def _update_visibility(self) -> None:
        kind = self._kind()
        generator = GENERATORS.get(kind)
        params = generator.params if generator else {}
        rows = {
            self.n: "n" in params,
            self.noise: "noise" in params,
            self.arms: kind == "spiral_multi",
            self.features: generator is not None or bool(self.features.text().strip()),
            self.classes: kind != "spiral_multi" and kind != "values",
            self.seed: kind != "values",
            self.split: kind != "values",
            self.scale: kind != "values",
        }
        self._visible.update(rows)
        self._relayout()

    def is_field_visible(self, widget: QWidget) -> bool:
        return self._visible.get(widget, False)

    def _relayout(self) -> None:
        for label, widget in self._fields:
            self.grid.removeWidget(label)
            self.grid.removeWidget(widget)
            label.setVisible(self._visible[widget])
            widget.setVisible(self._visible[widget])
        visible = [(label, widget) for label, widget in self._fields if self._visible[widget]]
        for row, (label, widget) in enumerate(visible):
            self.grid.addWidget(label, row, 0)
            self.grid.addWidget(widget, row, 1)

    # ---------------------------------------------------------------- reactions
    def _on_source_changed(self) -> None:
        if self._updating:
            return
        generator = GENERATORS.get(self._kind())
        self._updating = True
        if generator is not None:
            self.n.setValue(int(generator.params.get("n", self.n.value())))
            self.noise.setValue(float(generator.params.get("noise", self.noise.value())))
        else:
            self.features.setText("")  # extra features exist only for the 2-D built-in sets
        self._updating = False
        self._update_visibility()
        self._on_form_changed()

    def _on_form_changed(self, *_args) -> None:
        if self._updating:
            return
        spec = self._spec_from_form()
        self.spec_edit.setText(spec)
        if spec:
            self._chosen_generation = self._generation + 1  # the load the timer starts
            self._reload.start()

    def _import(self) -> None:
        dialog = ImportDialog(self, self.base_dir)
        if dialog.exec() and dialog.spec():
            self.choose_spec(dialog.spec())

    # ---------------------------------------------------------------- loading
    def _start_load(self) -> None:
        spec = self.current_spec()
        if not spec:
            return
        self._generation += 1
        generation = self._generation
        self.info.setText("Loading…")
        base_dir = self.base_dir

        def work() -> tuple[object, str]:
            try:
                return load(spec, base_dir), ""
            except DataError as e:
                return None, str(e)
            except (MemoryError, OSError) as e:
                return None, f"{spec}: {e}"

        gui_thread_collector().hold()  # the loader thread must not run Qt destructors
        future = self._executor.submit(work)
        future.add_done_callback(lambda f: self._signals.finished.emit(generation, *f.result()))
        self._pending = future

    def _on_loaded(self, generation: int, dataset, error: str) -> None:
        gui_thread_collector().release()
        if generation != self._generation:
            return  # a newer request superseded this one
        self._show(dataset, error)
        spec = self.current_spec()
        if generation == self._chosen_generation and not error and spec != self._document_spec:
            self._document_spec = spec
            self.spec_chosen.emit(spec)

    def _show(self, dataset: Dataset | None, error: str) -> None:
        self.dataset = dataset
        self.error = error
        self.preview.show_dataset(dataset)
        self.histogram.show_dataset(dataset)
        self.tabs.setTabText(1, "Targets" if dataset is not None and dataset.task == "regression" else "Classes")
        if error:
            self.info.setText(f"<span style='color:#c8414b'>{_escape(error)}</span>")
        elif dataset is None:
            self.info.setText("Choose a data set, or import a CSV, NPZ or IDX file.")
        else:
            self.info.setText(summary_html(dataset))
        self.dataset_loaded.emit(dataset)

    def heightForWidth(self, width: int) -> int:
        """The least height at `width`: in the dock's scroll area the panel then takes the dock's height.

        Qt's default (the preferred height of every part, the wrapped summary making it height-for-width)
        made the scroll area taller than the dock and pushed the preview below its bottom edge.
        """
        layout = self.layout()
        return layout.minimumHeightForWidth(width) if layout.hasHeightForWidth() else self.minimumSizeHint().height()

    def closeEvent(self, event) -> None:
        self._reload.stop()
        self._generation += 1  # drop any load still running
        super().closeEvent(event)


def summary_html(ds: Dataset) -> str:
    """Two or three lines: task and shape, split sizes, notes."""
    sizes = ds.split_sizes()
    task = ds.task + (f", {ds.num_classes} classes" if ds.task == "classification" else "")
    lines = [
        f"<b>{task}</b> · input {format_shape(ds.input_shape)}" + (" (images)" if ds.is_image else ""),
        f"train {sizes['train']:,} · validation {sizes['val']:,} · test {sizes['test']:,}",
    ]
    if preview_kind(ds) == "scatter":
        lines.append(scatter_key_html(ds))
    lines += [f"<i>{_escape(n)}</i>" for n in ds.notes[:3]]
    return "<br>".join(lines)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _float(text: str | None, default: float) -> float:
    try:
        return float(text) if text is not None else default
    except ValueError:
        return default
