"""`RawData`: what a source yields before splitting and scaling."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class RawData:
    """Unsplit samples plus their meaning; `test` holds a split the source ships (IDX t10k)."""

    x: np.ndarray
    y: np.ndarray
    task: str
    class_names: list[str] = field(default_factory=list)
    feature_names: list[str] = field(default_factory=list)
    target_names: list[str] = field(default_factory=list)
    test: tuple[np.ndarray, np.ndarray] | None = None
    no_split: bool = False
    is_image: bool = False
    default_scale: str = "none"
    notes: list[str] = field(default_factory=list)
