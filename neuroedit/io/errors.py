"""The two errors of the file format: a file that cannot be loaded, a document that cannot be saved."""

from __future__ import annotations

from ..untrusted import clip

# Messages name the place and the problem; a hostile file must not make them megabytes long.
_MAX_PROBLEM, _MAX_PLACE = 1000, 200


class LoadError(ValueError):
    """A `.nedit` file that cannot be loaded; the message names the member, the place in it and the problem.

    Example: ``graph.json: nodes[3].params.units: expected a positive integer, got -4``.
    `source` is the path (or "<bytes>") the data came from; callers prefix it when they show the message.
    """

    def __init__(
        self, problem: str, member: str | None = None, where: str | None = None, source: str | None = None
    ) -> None:
        self.problem = clip(problem, _MAX_PROBLEM)
        self.member = None if member is None else clip(member, _MAX_PLACE)
        self.where = None if where is None else clip(where, _MAX_PLACE)
        self.source = source
        super().__init__(": ".join(part for part in (self.member, self.where, self.problem) if part))


class SaveError(ValueError):
    """A document holding something the format cannot store (e.g. NaN weights after a diverged run)."""
