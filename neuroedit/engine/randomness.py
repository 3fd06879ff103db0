"""Counter-based random numbers for dropout and shuffling: the same (seed, step, op, element) gives the same number.

Both backends use this hash (splitmix64), so dropout masks match exactly and a
run is reproducible from its seed without carrying generator state around.
"""

from __future__ import annotations

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_STEP = np.uint64(0xD1B54A32D192ED03)
_OP = np.uint64(0x8CB92BA72F3D8DD7)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def uniform(seed: int, step: int, op_index: int, count: int) -> np.ndarray:
    """`count` numbers in [0, 1) with 24-bit resolution (exact in float32 and float64)."""
    with np.errstate(over="ignore"):
        base = np.uint64(seed) * _GOLDEN + np.uint64(step) * _STEP + np.uint64(op_index) * _OP
        z = base + np.arange(count, dtype=np.uint64)
        z = z + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(40)).astype(np.float64) / float(1 << 24)


_SHUFFLE = np.uint64(0x5851F42D4C957F2D)


def shuffle_keys(seed: int, epoch: int, n: int) -> np.ndarray:
    """One 64-bit key per position: splitmix64 of (seed, epoch, position)."""
    with np.errstate(over="ignore"):
        z = np.uint64(seed) * _GOLDEN + np.uint64(epoch) * _STEP + _SHUFFLE + np.arange(n, dtype=np.uint64)
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        return z ^ (z >> np.uint64(31))


def permutation(seed: int, epoch: int, n: int) -> np.ndarray:
    """The order of epoch `epoch`'s samples: a Fisher-Yates shuffle whose swaps come from the keys
    (a function of seed and epoch only, so no generator state is carried between epochs)."""
    keys = shuffle_keys(seed, epoch, n).tolist()
    out = list(range(n))
    for i in range(n - 1, 0, -1):
        j = keys[i] % (i + 1)
        out[i], out[j] = out[j], out[i]
    return np.array(out, dtype=np.int64)
