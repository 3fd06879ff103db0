"""The numba.cuda GPU backend: kernels, device buffers, the step launcher and the Backend adapter.

Importing this package imports nothing heavy; `devices.py` (one level up) says whether
a GPU can be used, and `backend.CudaBackend` runs the CPU's tape on it.
"""
