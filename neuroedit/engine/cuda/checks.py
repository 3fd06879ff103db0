"""Finite checks that stop a run on the device, without the host waiting on every step.

`flag_nonfinite` raises flag[0] if any element is NaN or Inf; `settle_step` turns
a raised flag or a non-finite loss into failed[0] = k, after which every step kernel
does nothing; `restore_if_failed` puts back what step k's forward pass changed.
"""

from __future__ import annotations

import math

from numba import cuda


@cuda.jit(cache=True)
def flag_nonfinite(n, a, flag, failed):
    i = cuda.grid(1)
    if failed[0] < 0 and i < n and not math.isfinite(a[i]):
        flag[0] = 1


@cuda.jit(cache=True)
def settle_step(k, losses, flag, failed):
    """One thread: step k failed if its loss or a gradient is not finite; the flag is cleared for the next step."""
    if cuda.grid(1) == 0:
        if failed[0] < 0 and (flag[0] != 0 or not math.isfinite(losses[k])):
            failed[0] = k
        flag[0] = 0


@cuda.jit(cache=True)
def restore_if_failed(n, k, failed, dst, src):
    i = cuda.grid(1)
    if failed[0] == k and i < n:
        dst[i] = src[i]
