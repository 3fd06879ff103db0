"""The Compare… dialog: what to vary, its values, how many epochs, and from which weights."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
)

from ...evaluation.compare import KINDS, CompareProblem, Variant, parse_variants


class CompareDialog(QDialog):
    """`variants()`, `epochs()` and `fresh()` after `exec()` returns Accepted (values are checked on OK)."""

    def __init__(self, parent, epochs: int, seed: int) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare training settings")
        self.setObjectName("compare_dialog")
        lay = QVBoxLayout(self)
        lay.addWidget(
            QLabel(
                "Train copies of this network, one per value, from the same initial weights.\n"
                "Their curves are overlaid in the Runs panel; the network itself is not changed."
            )
        )
        form = QFormLayout()
        self.kind = QComboBox()
        for key, (label, _) in KINDS.items():
            self.kind.addItem(label, key)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        form.addRow("Compare", self.kind)
        self.values = QLineEdit(KINDS["optimizer"][1])
        self.values.setObjectName("compare_values")
        self.values.setToolTip("Comma-separated values, e.g. sgd, momentum, adam")
        form.addRow("Values", self.values)
        self.epoch_box = QSpinBox()
        self.epoch_box.setRange(1, 100_000)
        self.epoch_box.setValue(max(1, min(epochs, 100_000)))
        form.addRow("Epochs", self.epoch_box)
        self.fresh_box = QCheckBox(f"fresh initial weights from seed {seed} (else: the current weights)")
        self.fresh_box.setChecked(True)
        form.addRow("Start", self.fresh_box)
        lay.addLayout(form)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c8414b")
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Train and compare")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self._variants: list[Variant] = []

    def _kind_changed(self) -> None:
        self.values.setText(KINDS[self.kind.currentData()][1])
        self.error.clear()

    def accept(self) -> None:
        try:
            self._variants = parse_variants(self.kind.currentData(), self.values.text())
        except CompareProblem as e:
            self.error.setText(str(e))
            return
        super().accept()

    def variants(self) -> list[Variant]:
        return self._variants

    def epochs(self) -> int:
        return self.epoch_box.value()

    def fresh(self) -> bool:
        return self.fresh_box.isChecked()
