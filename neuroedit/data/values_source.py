"""`values:x=4,y=-2,...`: one sample whose inputs are named after Input nodes (computation graphs)."""

from __future__ import annotations

import numpy as np

from .errors import DataError
from .raw import RawData


def load_values(options: dict[str, str]) -> RawData:
    if not options:
        raise DataError("values: give the inputs as name=number, e.g. values:x=4,y=-2,z=5,w=-1")
    names, values = [], []
    for name, text in options.items():
        try:
            values.append(float(text))
        except ValueError:
            raise DataError(f"values: {name}={text!r} is not a number") from None
        names.append(name)
    x = np.array([values], dtype=np.float32)
    return RawData(
        x,
        np.zeros((1, 0), dtype=np.float32),
        "none",
        feature_names=names,
        no_split=True,
        notes=["values: a single sample; each column feeds the Input node of the same name"],
    )
