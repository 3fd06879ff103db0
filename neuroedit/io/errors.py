"""The two errors of the file format: a file that cannot be loaded, a document that cannot be saved."""

from __future__ import annotations


class LoadError(ValueError):
    """A `.nedit` file that cannot be loaded; the message names the member, the place in it and the problem.

    Example: ``graph.json: nodes[3].params.units: expected a positive integer, got -4``.
    `source` is the path (or "<bytes>") the data came from; callers prefix it when they show the message.
    """

    def __init__(self, problem: str, member: str | None = None, where: str | None = None,
                 source: str | None = None) -> None:
        self.problem = problem
        self.member = member
        self.where = where
        self.source = source
        super().__init__(": ".join(part for part in (member, where, problem) if part))


class SaveError(ValueError):
    """A document holding something the format cannot store (e.g. NaN weights after a diverged run)."""
