"""PNG images of the evaluation plots drawn with NumPy alone, so reports need neither Qt nor matplotlib.

`encode_png` writes an RGB array as PNG (zlib); `heatmap` and `line_chart` rasterise the confusion
matrix and the ROC/PR curves. Class names and legends go into the HTML around the images; the
images carry the numbers (cell counts, axis ticks) in a small built-in digit font.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

import numpy as np

# 3x5 glyphs, one string of 15 bits per character, row by row.
_GLYPHS = {
    "0": "111101101101111",
    "1": "010110010010111",
    "2": "111001111100111",
    "3": "111001111001111",
    "4": "101101111001001",
    "5": "111100111001111",
    "6": "111100111101111",
    "7": "111001001001001",
    "8": "111101111101111",
    "9": "111101111001111",
    ".": "000000000000010",
    "-": "000000111000000",
    "%": "101001010100101",
    " ": "000000000000000",
}
WHITE = (255, 255, 255)
INK = (40, 40, 48)
GRID = (226, 228, 232)
PALETTE = (
    (47, 124, 246),
    (232, 115, 12),
    (34, 160, 107),
    (200, 65, 75),
    (123, 92, 196),
    (15, 143, 156),
    (184, 134, 11),
    (214, 51, 132),
    (90, 90, 90),
    (120, 170, 40),
)


def color_hex(i: int) -> str:
    r, g, b = PALETTE[i % len(PALETTE)]
    return f"#{r:02x}{g:02x}{b:02x}"


def encode_png(rgb: np.ndarray) -> bytes:
    """An (h, w, 3) uint8 array as PNG bytes (8-bit RGB, no filtering)."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w, _ = rgb.shape
    raw = np.concatenate([np.zeros((h, 1), np.uint8), rgb.reshape(h, w * 3)], axis=1).tobytes()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def draw_text(img: np.ndarray, text: str, x: int, y: int, scale: int = 2, color=INK, anchor: str = "left") -> None:
    """Digits, '.', '-', '%' at (x, y) = top-left (or top-centre / top-right with `anchor`)."""
    width = len(text) * 4 * scale - scale
    if anchor == "center":
        x -= width // 2
    elif anchor == "right":
        x -= width
    for i, ch in enumerate(text):
        bits = _GLYPHS.get(ch)
        if bits is None:
            continue
        glyph = np.array([int(b) for b in bits], bool).reshape(5, 3)
        block = np.kron(glyph, np.ones((scale, scale), bool))
        x0 = x + i * 4 * scale
        ys, xs = np.nonzero(block)
        ys, xs = ys + y, xs + x0
        ok = (ys >= 0) & (ys < img.shape[0]) & (xs >= 0) & (xs < img.shape[1])
        img[ys[ok], xs[ok]] = color


def heatmap(matrix: np.ndarray, normalized: bool = False, cell: int = 44) -> np.ndarray:
    """The confusion matrix as coloured cells with their counts (or row shares in %)."""
    m = np.asarray(matrix, dtype=np.float64)
    k = m.shape[0]
    rows = m.sum(axis=1, keepdims=True)
    share = np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
    level = share if normalized else (m / m.max() if m.max() > 0 else m)
    pad = 4
    img = np.full((k * cell + 2 * pad, k * cell + 2 * pad, 3), 255, np.uint8)
    low, high = np.array([247, 251, 255.0]), np.array([8, 69, 148.0])
    scale = 2 if cell >= 40 else 1
    for i in range(k):
        for j in range(k):
            c = low + (high - low) * level[i, j]
            y0, x0 = pad + i * cell, pad + j * cell
            img[y0 : y0 + cell - 1, x0 : x0 + cell - 1] = c.astype(np.uint8)
            text = f"{share[i, j] * 100:.0f}%" if normalized else f"{int(m[i, j])}"
            ink = WHITE if level[i, j] > 0.5 else INK
            draw_text(img, text, x0 + cell // 2, y0 + cell // 2 - 5 * scale // 2, scale, ink, "center")
    return img


def line_chart(
    series: Sequence[tuple[np.ndarray, np.ndarray]],
    colors: Sequence[tuple[int, int, int]],
    width: int = 420,
    height: int = 340,
    diagonal: bool = False,
) -> np.ndarray:
    """Curves on the unit square [0, 1] x [0, 1] with a grid and tick labels (ROC and PR plots)."""
    img = np.full((height, width, 3), 255, np.uint8)
    left, right, top, bottom = 44, 12, 10, 30
    pw, ph = width - left - right, height - top - bottom

    def px(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return left + np.clip(x, 0, 1) * pw, top + (1 - np.clip(y, 0, 1)) * ph

    for t in np.linspace(0, 1, 6):
        gx, gy = px(np.array([t]), np.array([t]))
        img[top : top + ph + 1, round(gx[0])] = GRID
        img[round(gy[0]), left : left + pw + 1] = GRID
        label = f"{t:.1f}"
        draw_text(img, label, round(gx[0]), top + ph + 8, 2, INK, "center")
        draw_text(img, label, left - 6, round(gy[0]) - 5, 2, INK, "right")
    img[top : top + ph + 1, left] = INK
    img[top + ph, left : left + pw + 1] = INK
    if diagonal:
        d = np.linspace(0, 1, 400)
        xs, ys = px(d, d)
        dashed = (np.arange(400) // 8) % 2 == 0
        _plot_points(img, xs[dashed], ys[dashed], (150, 150, 150), 1)
    for (x, y), color in zip(series, colors):
        xs, ys = px(np.asarray(x, np.float64), np.asarray(y, np.float64))
        _polyline(img, xs, ys, color)
    return img


def _polyline(img: np.ndarray, xs: np.ndarray, ys: np.ndarray, color, thickness: int = 2) -> None:
    if len(xs) == 0:
        return
    if len(xs) == 1:
        _plot_points(img, xs, ys, color, thickness)
        return
    lengths = np.hypot(np.diff(xs), np.diff(ys))
    steps = np.maximum(np.ceil(lengths * 2).astype(np.int64), 1)
    t = np.concatenate([np.arange(s) / s for s in steps] + [np.array([1.0])])
    seg = np.concatenate([np.full(s, i) for i, s in enumerate(steps)] + [np.array([len(steps) - 1])])
    _plot_points(img, xs[seg] + (xs[seg + 1] - xs[seg]) * t, ys[seg] + (ys[seg + 1] - ys[seg]) * t, color, thickness)


def _plot_points(img: np.ndarray, xs: np.ndarray, ys: np.ndarray, color, thickness: int) -> None:
    h, w, _ = img.shape
    for dx in range(thickness):
        for dy in range(thickness):
            cx = np.round(xs).astype(np.int64) + dx - thickness // 2
            cy = np.round(ys).astype(np.int64) + dy - thickness // 2
            ok = (cx >= 0) & (cx < w) & (cy >= 0) & (cy < h)
            img[cy[ok], cx[ok]] = color


def scatter_chart(
    x: np.ndarray, y: np.ndarray, width: int = 420, height: int = 340, identity: bool = True
) -> np.ndarray:
    """Points (x, y) in their own range, with the line y = x (predicted against true values)."""
    x, y = np.asarray(x, np.float64).ravel(), np.asarray(y, np.float64).ravel()
    finite = np.isfinite(x) & np.isfinite(y)
    x, y = x[finite], y[finite]
    lo = float(min(x.min(initial=0.0), y.min(initial=0.0))) if len(x) else 0.0
    hi = float(max(x.max(initial=1.0), y.max(initial=1.0))) if len(x) else 1.0
    span = (hi - lo) or 1.0
    img = line_chart([], [], width, height, diagonal=identity)
    left, right, top, bottom = 44, 12, 10, 30
    img[top + 1 : height - bottom, left + 1 : width - right] = 255
    pw, ph = width - left - right, height - top - bottom
    img[top + ph - 1 : top + ph + 20, :] = 255
    img[:, :left] = 255
    for t in np.linspace(0, 1, 6):
        gx, gy = left + t * pw, top + (1 - t) * ph
        img[top : top + ph + 1, round(gx)] = GRID
        img[round(gy), left : left + pw + 1] = GRID
        label = f"{lo + t * span:.2f}"
        draw_text(img, label, round(gx), top + ph + 8, 1, INK, "center")
        draw_text(img, label, left - 4, round(gy) - 2, 1, INK, "right")
    img[top : top + ph + 1, left] = INK
    img[top + ph, left : left + pw + 1] = INK
    if identity:
        d = np.linspace(0, 1, 400)
        _plot_points(img, left + d * pw, top + (1 - d) * ph, (150, 150, 150), 1)
    _plot_points(img, left + (x - lo) / span * pw, top + (1 - (y - lo) / span) * ph, PALETTE[0], 3)
    return img
