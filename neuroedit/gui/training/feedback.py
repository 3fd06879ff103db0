"""Where training's answers appear: "Cannot train" where the user is looking, and the Train action's state.

A refusal shows in the status bar (a label that hover tips cannot wipe out) and raises the
panel that holds the fix: Problems for a broken network, Data for a missing or unusable data
set, Training always. It goes away by itself once an edit removes its cause.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from ...api.data import DataProblem, document_spec
from ...model import analyze
from ..binding import DocBinding
from .controller import TrainingController

CANNOT = "Cannot train"
TRAIN_TEXT = {"paused": "Resume", "compiling": "Training", "running": "Training"}   # the toolbar shows it


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
    """Follows the controller's state for one window (see the module docstring)."""

    def __init__(self, window, controller: TrainingController) -> None:
        self.window = window
        self.controller = controller
        self.label = QLabel()
        self.label.setObjectName("training_refusal")
        self.label.setStyleSheet(f"color: {window.colors.error.name()}")
        self.label.hide()
        window.statusBar().addWidget(self.label, 1)
        self._binding = DocBinding()
        controller.state_changed.connect(self._on_state)
        self.follow(window.doc)

    def follow(self, doc) -> None:
        self._binding.bind(doc, [(doc.events.history_changed, self._recheck)])
        self._recheck()

    def _on_state(self, state: str, text: str) -> None:
        train = self.window.actions.get("train")
        if train is not None:
            train.setText(TRAIN_TEXT.get(state, "Train"))
        refused = state == "failed" and text.startswith(CANNOT)
        self.label.setText(text if refused else "")
        self.label.setVisible(refused)
        if refused:
            self.window.statusBar().clearMessage()   # the label is what should be read now
            self._raise_docks(text)

    def _raise_docks(self, text: str) -> None:
        doc = self.window.doc
        keys = ["training"]
        if not analyze(doc).ok:
            keys.append("problems")
        elif "data" in text.lower():
            keys.append("data")
        for key in keys:
            dock = self.window.docks.get(key)
            if dock is not None:
                dock.show()
                dock.raise_()

    def _recheck(self, *args) -> None:
        """An edit may have fixed what Train refused: then the refusal goes."""
        c = self.controller
        if c.state == "failed" and c.message.startswith(CANNOT) and not blocking_reason(self.window.doc):
            c.forget_failure()
