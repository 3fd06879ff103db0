"""One editor widget per declared parameter kind; each emits `committed(value)` once per user edit."""

from __future__ import annotations

import math
import re
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox, QWidget

from ..model import ACTIVATIONS, INITIALIZERS, LOSSES, OPTIMIZERS, SCHEDULES, ParamSpec

_CHOICE_HELP = {
    "activation": ACTIVATIONS,
    "loss": LOSSES,
    "optimizer": OPTIMIZERS,
    "schedule": SCHEDULES,
    "kernel_initializer": INITIALIZERS,
    "bias_initializer": INITIALIZERS,
}
INT_LIMIT = 2**31 - 1


class IntEditor(QSpinBox):
    committed = Signal(object)

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__()
        low = -INT_LIMIT if spec.minimum is None else math.ceil(spec.minimum) + (1 if spec.min_exclusive else 0)
        high = (
            INT_LIMIT if spec.maximum is None else int(min(spec.maximum, INT_LIMIT)) - (1 if spec.max_exclusive else 0)
        )
        self.setRange(low, high)
        self.setKeyboardTracking(False)
        self.setAccelerated(True)
        self.valueChanged.connect(lambda v: self.committed.emit(int(v)))

    def set_value(self, value: Any) -> None:
        self.blockSignals(True)
        self.setValue(int(value) if isinstance(value, (int, float)) else self.minimum())
        self.blockSignals(False)


class FloatEditor(QDoubleSpinBox):
    """Shows numbers as %g (0.001, 1e-07) and steps by a tenth of the value's order of magnitude."""

    committed = Signal(object)

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__()
        self.setDecimals(12)
        self.setRange(-1e12 if spec.minimum is None else spec.minimum, 1e12 if spec.maximum is None else spec.maximum)
        self.setKeyboardTracking(False)
        self.valueChanged.connect(lambda v: self.committed.emit(float(v)))

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        t = text.strip()
        try:
            float(t)
            return QValidator.State.Acceptable, text, pos
        except ValueError:
            ok = re.fullmatch(r"[-+]?(\d*\.?\d*([eE][-+]?\d*)?)?", t) is not None
            return (QValidator.State.Intermediate if ok else QValidator.State.Invalid), text, pos

    def stepBy(self, steps: int) -> None:
        v = abs(self.value())
        self.setSingleStep(10 ** (math.floor(math.log10(v)) - 1) if v > 0 else 0.01)
        super().stepBy(steps)

    def set_value(self, value: Any) -> None:
        self.blockSignals(True)
        self.setValue(float(value) if isinstance(value, (int, float)) else 0.0)
        self.blockSignals(False)


class BoolEditor(QCheckBox):
    committed = Signal(object)

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__()
        self.toggled.connect(lambda v: self.committed.emit(bool(v)))

    def set_value(self, value: Any) -> None:
        self.blockSignals(True)
        self.setChecked(bool(value))
        self.blockSignals(False)


class ChoiceEditor(QComboBox):
    committed = Signal(object)

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__()
        help_texts = _CHOICE_HELP.get(spec.name, {})
        for i, choice in enumerate(spec.choices):
            self.addItem(choice)
            if choice in help_texts:
                self.setItemData(i, help_texts[choice], Qt.ItemDataRole.ToolTipRole)
        self.setMaxVisibleItems(16)
        self.currentTextChanged.connect(lambda v: self.committed.emit(v))

    def set_value(self, value: Any) -> None:
        self.blockSignals(True)
        index = self.findText(str(value))
        self.setCurrentIndex(index)
        self.blockSignals(False)


class TextEditor(QLineEdit):
    committed = Signal(object)

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__()
        self._shown = ""
        self.editingFinished.connect(self._finish)

    def _finish(self) -> None:
        if self.text() != self._shown:
            self._shown = self.text()
            self.committed.emit(self.parse(self.text()))

    def parse(self, text: str) -> Any:
        return text

    def show_text(self, text: str) -> None:
        self._shown = text
        self.blockSignals(True)
        self.setText(text)
        self.blockSignals(False)

    def set_value(self, value: Any) -> None:
        self.show_text("" if value is None else str(value))


class ShapeEditor(TextEditor):
    """A per-sample shape typed as `28, 28` or `28x28`; anything else goes to the model, which explains."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self.setPlaceholderText("e.g. 2 or 28, 28")

    def parse(self, text: str) -> Any:
        parts = [p for p in re.split(r"[\s,×xX*()\[\]]+", text.strip()) if p]
        try:
            return [int(p) for p in parts]
        except ValueError:
            return text

    def set_value(self, value: Any) -> None:
        if isinstance(value, (list, tuple)):
            self.show_text(", ".join(str(v) for v in value))
        else:
            super().set_value(value)


_EDITORS = {
    "int": IntEditor,
    "float": FloatEditor,
    "bool": BoolEditor,
    "choice": ChoiceEditor,
    "shape": ShapeEditor,
    "str": TextEditor,
}


def make_editor(spec: ParamSpec) -> QWidget:
    """The widget for `spec`, with its description (and allowed range) as tooltip."""
    editor = _EDITORS[spec.kind](spec)
    tip = spec.description
    if spec.kind in ("int", "float") and spec.range_text():
        tip += f" ({spec.range_text()})"
    editor.setToolTip(tip)
    editor.setObjectName(f"param_{spec.name}")
    return editor
