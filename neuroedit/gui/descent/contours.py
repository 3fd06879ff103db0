"""Contour lines drawn on a heat map (an ImageItem), replaced as a whole when the map changes."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg


def replace_contours(
    image: pg.ImageItem, old: list[pg.IsocurveItem], data: np.ndarray, levels: np.ndarray, alpha: int
) -> list[pg.IsocurveItem]:
    """Remove `old` and draw a white line of opacity `alpha` at each level of `data` (the image's own array)."""
    for item in old:
        item.setParentItem(None)
        if item.scene() is not None:
            item.scene().removeItem(item)
    new = []
    for level in levels:
        iso = pg.IsocurveItem(data=data, level=float(level), pen=pg.mkPen((255, 255, 255, alpha), width=1))
        iso.setParentItem(image)
        new.append(iso)
    return new
