"""The `Dataset` container every source returns: three splits plus what the samples mean."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

Split = tuple[np.ndarray, np.ndarray]


@dataclass
class Dataset:
    """Prepared data: `train`, `val`, `test` are `(x, y)` pairs; `x` has a leading sample axis.

    Classification targets `y` are integer class indices of shape (n,); regression targets
    are float32 of shape (n, outputs); task "none" has targets of shape (n, 0).
    `scaling` records what was fitted on the training split so new inputs can be treated alike.
    """

    train: Split
    val: Split
    test: Split
    task: str
    num_classes: int
    class_names: list[str]
    input_shape: tuple[int, ...]
    spec: str
    feature_names: list[str] = field(default_factory=list)
    target_names: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    is_image: bool = False
    scaling: dict = field(default_factory=dict)

    @property
    def splits(self) -> dict[str, Split]:
        return {"train": self.train, "val": self.val, "test": self.test}

    def split_sizes(self) -> dict[str, int]:
        return {name: int(x.shape[0]) for name, (x, _) in self.splits.items()}

    def class_counts(self, split: str = "train") -> list[int]:
        """Samples per class in one split (empty list unless classification)."""
        if self.task != "classification":
            return []
        y = self.splits[split][1]
        return [int(c) for c in np.bincount(y.astype(np.int64), minlength=self.num_classes)]

    def scale_inputs(self, x: np.ndarray) -> np.ndarray:
        """Apply the scaling fitted on the training split to new raw inputs (e.g. for predict)."""
        x = np.asarray(x, dtype=np.float32)
        if self.scaling.get("method") == "standard":
            x = (x - self.scaling["mean"]) / self.scaling["std"]
        elif self.scaling.get("method") == "minmax":
            x = (x - self.scaling["min"]) / self.scaling["range"]
        return x.astype(np.float32, copy=False)
