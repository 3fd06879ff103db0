"""Copying and adding 1-D arrays with plain loops.

Numba compiles `a[:] = b` into general broadcasting code with a formatted shape error, which
costs a cold first run seconds; inside the kernels the sizes always agree, so a loop does.
"""

from __future__ import annotations

from numba import njit


@njit(cache=True, nogil=True, inline="always")
def copy_into(dst, src):
    for i in range(src.size):
        dst[i] = src[i]


@njit(cache=True, nogil=True, inline="always")
def add_into(dst, src):
    for i in range(src.size):
        dst[i] += src[i]
