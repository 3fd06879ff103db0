"""Bounded series for live plots: appending is O(chunk); memory and redraw cost stay bounded however long training runs.

When a series is full it keeps every second point and from then on only every
second new point (the stride doubles), so the whole run stays visible at a
coarser resolution instead of the start being forgotten.
"""

from __future__ import annotations

import numpy as np

DEFAULT_CAPACITY = 4096


class SeriesBuffer:
    """x and one or more y columns; `view()` returns the filled part (copies are not needed for setData)."""

    def __init__(self, columns: int = 1, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = max(4, int(capacity)) // 2 * 2
        self.columns = columns
        self._x = np.empty(self.capacity)
        self._y = np.empty((self.capacity, columns))
        self._n = 0
        self._stride = 1
        self._count = 0  # points offered so far; point i is kept while i % stride == 0
        self.version = 0  # changes whenever the content changes (redraw only when needed)

    def __len__(self) -> int:
        return self._n

    @property
    def stride(self) -> int:
        return self._stride

    def clear(self) -> None:
        self._n, self._stride, self._count = 0, 1, 0
        self.version += 1

    def append(self, x, y) -> None:
        """Append many points: x of shape (k,), y of shape (k,) or (k, columns)."""
        x = np.atleast_1d(np.asarray(x, dtype=float))
        y = np.asarray(y, dtype=float).reshape(len(x), self.columns)
        index = self._count + np.arange(len(x))
        self._count += len(x)
        while len(x):
            keep = index % self._stride == 0
            x, y, index = x[keep], y[keep], index[keep]
            k = min(self.capacity - self._n, len(x))
            self._x[self._n : self._n + k] = x[:k]
            self._y[self._n : self._n + k] = y[:k]
            self._n += k
            x, y, index = x[k:], y[k:], index[k:]
            if self._n == self.capacity:
                self._decimate()
        self.version += 1

    def _decimate(self) -> None:
        half = self._n // 2
        self._x[:half] = self._x[0 : 2 * half : 2]
        self._y[:half] = self._y[0 : 2 * half : 2]
        self._n = half
        self._stride *= 2

    @property
    def x(self) -> np.ndarray:
        return self._x[: self._n]

    def y(self, column: int = 0) -> np.ndarray:
        return self._y[: self._n, column]

    @property
    def last_x(self) -> float | None:
        return float(self._x[self._n - 1]) if self._n else None
