"""Undo/redo history without Qt: a stack of commands with merging, macros and a clean mark."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .document import Document


class Command:
    """One undoable change. Subclasses change the document only through its `_apply_*` methods."""

    text = ""

    def redo(self, doc: Document) -> None:
        raise NotImplementedError

    def undo(self, doc: Document) -> None:
        raise NotImplementedError

    def merge_with(self, newer: Command) -> bool:
        """Absorb `newer` (already applied) into this command; True if it did."""
        return False


class Macro(Command):
    """Several commands undone and redone as one step (paste, delete with edges, ...)."""

    def __init__(self, text: str, children: list[Command]) -> None:
        self.text = text
        self.children = children

    def redo(self, doc: Document) -> None:
        for c in self.children:
            c.redo(doc)

    def undo(self, doc: Document) -> None:
        for c in reversed(self.children):
            c.undo(doc)


class History:
    """Linear history. `index` counts the applied commands; `entries[:index]` are undoable."""

    def __init__(self, doc: Document) -> None:
        self._doc = doc
        self._entries: list[Command] = []
        self._index = 0
        self._clean_index: int | None = 0
        self._macro_stack: list[list[Command]] = []
        self._sealed = False
        self._busy = False

    # ------------------------------------------------------------------ queries
    @property
    def index(self) -> int:
        return self._index

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self._entries]

    def can_undo(self) -> bool:
        return self._index > 0 and not self._macro_stack

    def can_redo(self) -> bool:
        return self._index < len(self._entries) and not self._macro_stack

    def undo_text(self) -> str:
        return self._entries[self._index - 1].text if self.can_undo() else ""

    def redo_text(self) -> str:
        return self._entries[self._index].text if self.can_redo() else ""

    @property
    def is_clean(self) -> bool:
        return self._clean_index == self._index

    # ------------------------------------------------------------------ changes
    def push(self, command: Command) -> None:
        """Apply `command` and record it (inside a macro: record it in the macro)."""
        if self._busy:
            raise RuntimeError("a command may not push another command while it runs")
        self._busy = True
        try:
            command.redo(self._doc)
        finally:
            self._busy = False
        if self._macro_stack:
            self._macro_stack[-1].append(command)
            return
        self._record(command)

    def _record(self, command: Command) -> None:
        was_clean = self.is_clean
        del self._entries[self._index :]
        if self._clean_index is not None and self._clean_index > self._index:
            self._clean_index = None
        top = self._entries[-1] if self._entries else None
        if top is not None and not self._sealed and top.merge_with(command):
            if self._clean_index == self._index:
                self._clean_index = None
        else:
            self._entries.append(command)
            self._index += 1
        self._sealed = False
        self._after_change(was_clean)

    def seal(self) -> None:
        """The next command starts a new step even if it could merge (e.g. after a mouse release)."""
        self._sealed = True

    @contextmanager
    def macro(self, text: str) -> Iterator[None]:
        """Group the commands pushed inside into one undo step; on an exception they are rolled back."""
        self._macro_stack.append([])
        try:
            yield
        except BaseException:
            children = self._macro_stack.pop()
            for c in reversed(children):
                c.undo(self._doc)
            raise
        children = self._macro_stack.pop()
        if not children:
            return
        macro = Macro(text, children)
        if self._macro_stack:
            self._macro_stack[-1].append(macro)
        else:
            self._seal_and_record(macro)

    def _seal_and_record(self, command: Command) -> None:
        self._sealed = True
        self._record(command)
        self._sealed = True

    def undo(self) -> bool:
        if not self.can_undo():
            return False
        was_clean = self.is_clean
        self._index -= 1
        self._entries[self._index].undo(self._doc)
        self._sealed = True
        self._after_change(was_clean)
        return True

    def redo(self) -> bool:
        if not self.can_redo():
            return False
        was_clean = self.is_clean
        self._entries[self._index].redo(self._doc)
        self._index += 1
        self._sealed = True
        self._after_change(was_clean)
        return True

    def go_to(self, index: int) -> None:
        """Undo or redo until `index` commands are applied (Edit > History)."""
        while self._index > index and self.undo():
            pass
        while self._index < index and self.redo():
            pass

    def set_clean(self) -> None:
        was_clean = self.is_clean
        self._clean_index = self._index
        self._sealed = True
        self._after_change(was_clean, history=False)

    def clear(self) -> None:
        self._entries.clear()
        self._index = 0
        self._clean_index = 0
        self._doc.events.history_changed.emit()
        self._doc.events.clean_changed.emit(True)

    def _after_change(self, was_clean: bool, history: bool = True) -> None:
        if history:
            self._doc.events.history_changed.emit()
        if was_clean != self.is_clean:
            self._doc.events.clean_changed.emit(self.is_clean)
