"""The Playground's diverging colour map (orange - white - blue) as images: shared by the decision-boundary
plot and the neuron view's per-neuron heat maps, so both read the same.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap

NEG = np.array([245, 147, 34], float)  # Playground orange (class 0 / low values)
MID = np.array([248, 248, 248], float)
POS = np.array([8, 119, 189], float)  # Playground blue (class 1 / high values)
# Class k's colour wherever classes are drawn (Data preview, decision boundary): classes 0 and 1 are NEG and POS.
CLASS_COLORS = np.array(
    [
        NEG,
        POS,
        [34, 160, 107],
        [200, 65, 75],
        [123, 92, 196],
        [15, 143, 156],
        [184, 134, 11],
        [214, 51, 132],
        [100, 100, 100],
        [60, 60, 160],
    ],
    float,
)


def class_color(k: int) -> str:
    """'#rrggbb' of class k."""
    r, g, b = CLASS_COLORS[k % len(CLASS_COLORS)].astype(int)
    return f"#{r:02x}{g:02x}{b:02x}"


LEVELS = 1025  # colours in the lookup table (odd: t = 0.5 is exactly white); adjacent ones differ by <= 1/255


def _blend(t: np.ndarray) -> np.ndarray:
    """The colour map itself, t in [0, 1] -> RGBA uint8 (alpha 255)."""
    t = np.asarray(t, float)[..., None]
    lo = MID + (NEG - MID) * np.clip(1 - 2 * t, 0, 1)
    hi = MID + (POS - MID) * np.clip(2 * t - 1, 0, 1)
    out = np.full(t.shape[:-1] + (4,), 255, np.uint8)
    out[..., :3] = np.where(t < 0.5, lo, hi).astype(np.uint8)
    return out


_TABLE = _blend(np.linspace(0.0, 1.0, LEVELS)).view(np.uint32).ravel()  # one RGBA word per level


def diverging(t: np.ndarray, alpha: int = 255) -> np.ndarray:
    """t in [0, 1] -> RGBA uint8: orange at 0, white at 0.5, blue at 1 (NaN: white; outside: clipped).

    A table lookup rather than blending per point, so live heat maps stay cheap.
    """
    t = np.asarray(t, float)
    x = np.empty(t.shape)
    np.clip(t, 0.0, 1.0, out=x)
    np.copyto(x, 0.5, where=np.isnan(x))
    x *= LEVELS - 1
    x += 0.5
    out = np.asarray(_TABLE[x.astype(np.intp)]).reshape(t.shape + (1,)).view(np.uint8)
    if alpha != 255:
        out[..., 3] = alpha
    return out


def signed_unit(m: np.ndarray) -> np.ndarray:
    """A neuron's map scaled to [0, 1] by its largest |value|: 0 stays white, the sign picks orange or blue."""
    m = np.asarray(m, float)
    scale = float(np.max(np.abs(m), where=np.isfinite(m), initial=0.0))
    return 0.5 + 0.5 * m / (scale or 1.0)


def to_pixmap(rgba: np.ndarray, size: int | None = None) -> QPixmap:
    """A pixmap of an (h, w, 4) uint8 image, row 0 at the bottom (y grows upwards as on the plot).

    With `size` it is smoothly scaled to size x size; without, it keeps one pixel per grid point.
    """
    a = np.ascontiguousarray(rgba[::-1])
    h, w = a.shape[:2]
    pixmap = QPixmap.fromImage(QImage(a.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy())
    if size is None:
        return pixmap
    return pixmap.scaled(size, size, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation)


def unit_pixmap(m: np.ndarray, size: int | None = None) -> QPixmap:
    """One neuron's map over the input plane as a picture (signed colours, scaled to its largest |value|)."""
    return to_pixmap(diverging(signed_unit(m)), size)
