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
