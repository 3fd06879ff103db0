"""Where training's answers appear: "Cannot train" where the user is looking, and the Train action's state.

A refusal shows in the status bar (a label that hover tips cannot wipe out) and raises the
panel that holds the fix: Problems for a broken network, Data for a missing or unusable data
set, Training always. It goes away by itself once an edit removes its cause.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QLabel, QStatusBar

from ...api.data import DataProblem, document_spec
from ...model import analyze
from ..binding import DocBinding
from .controller import TrainingController

CANNOT = "Cannot train"
TRAIN_TEXT = {"paused": "Resume", "compiling": "Training", "running": "Training"}  # the toolbar shows it


def blocking_reason(doc) -> str:
    """Why the document cannot be trained as it is ("" when it can): the checks Train makes before starting."""
    result = analyze(doc)
    if not result.ok:
        return f"{CANNOT}: {result.errors[0]}"
    try:
        document_spec(doc)
    except DataProblem:
        return f"{CANNOT}: choose a data set in the Data panel first"
    return ""


class TrainingFeedback:
    """Follows the controller's state (see the module docstring); `follow` takes File › New/Open's document."""

    def __init__(
        self,
        controller: TrainingController,
        status_bar: QStatusBar,
        train: QAction,
        error: QColor,
        show_panel: Callable[[str], None],
    ) -> None:
        self.controller = controller
        self.status_bar = status_bar
        self.train = train
        self.show_panel = show_panel
        self.label = QLabel()
        self.label.setObjectName("training_refusal")
        self.label.setStyleSheet(f"color: {error.name()}")
        self.label.hide()
        status_bar.addWidget(self.label, 1)
        self._binding = DocBinding()
        controller.state_changed.connect(self._on_state)
        self.follow(controller.doc)

    def follow(self, doc, path: str | None = None) -> None:
        self._binding.bind(doc, [(doc.events.history_changed, self._recheck)])
        self._recheck()

    def _on_state(self, state: str, text: str) -> None:
        self.train.setText(TRAIN_TEXT.get(state, "Train"))
        refused = state == "failed" and text.startswith(CANNOT)
        self.label.setText(text if refused else "")
        self.label.setVisible(refused)
        if refused:
            self.status_bar.clearMessage()  # the label is what should be read now
            self._raise_panels(text)

    def _raise_panels(self, text: str) -> None:
        keys = ["training"]
        if not analyze(self.controller.doc).ok:
            keys.append("problems")
        elif "data" in text.lower():
            keys.append("data")
        for key in keys:
            self.show_panel(key)

    def _recheck(self, *args) -> None:
        """An edit may have fixed what Train refused: then the refusal goes."""
        c = self.controller
        if c.state == "failed" and c.message.startswith(CANNOT) and not blocking_reason(c.doc):
            c.forget_failure()
