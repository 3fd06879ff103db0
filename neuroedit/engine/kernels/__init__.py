"""The compiled (Numba) kernels, one module per job.

- activations.py, losses.py, optimizers.py: the per-element math, by named code;
- ops.py: each tape row's forward and backward side by side, and the passes over the tape;
- matmul.py: the matrix products; run.py: batches of steps, gradients, inference;
- epochs.py: many epochs per call (the loop of engine/epochs.py).

Every function is `@njit(cache=True, nogil=True)`: compiled once per dtype, cached on disk, and
run without the GIL so a GUI thread stays responsive. Numba's on-disk cache only watches the
file that defines a function, so each module repeats the codes it uses as literals and
`codes.check` compares them with neuroedit/vocabulary.py and the tape's layout at import.
"""

from __future__ import annotations

import glob
import hashlib
import os
from pathlib import Path

_HERE = Path(__file__).resolve().parent
# Every file whose code or numbers end up inside a compiled kernel.
_SOURCES = (
    *sorted(_HERE.glob("*.py")),
    _HERE.parent / "gemm.py",
    _HERE.parent / "tape.py",
    _HERE.parent / "epochs.py",
    _HERE.parents[1] / "vocabulary.py",
)


def _drop_stale_cache() -> None:
    """Numba checks only the defining file of a cached function, yet a kernel contains the code of the
    functions it calls from other files: when any source changed, drop every cached kernel of this package."""
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in _SOURCES)).hexdigest()
    from numba.core import caching, config

    root = getattr(config, "CACHE_DIR", "")  # NUMBA_CACHE_DIR
    folder = (
        os.path.join(root, caching._CacheLocator.get_suitable_cache_subpath(str(_SOURCES[0])))
        if root
        else str(_HERE / "__pycache__")
    )
    stamp = os.path.join(folder, "sources.sha256")
    try:
        with open(stamp, encoding="ascii") as f:
            if f.read() == digest:
                return
    except OSError:
        pass
    try:
        for cached in glob.glob(os.path.join(folder, "*.nb[ic]")):
            os.remove(cached)
        os.makedirs(folder, exist_ok=True)
        with open(stamp, "w", encoding="ascii") as f:
            f.write(digest)
    except OSError:
        pass  # a read-only install: its files do not change either


_drop_stale_cache()
