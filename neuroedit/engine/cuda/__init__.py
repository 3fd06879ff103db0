"""The numba.cuda GPU backend: kernels, device buffers, the step launcher and the Backend adapter.

Importing this package imports nothing heavy; `devices.py` (one level up) says whether
a GPU can be used, and `backend.CudaBackend` runs the CPU's tape on it. Kernels are
compiled at their first launch and cached on disk (`cache=True`, next to the modules),
except the dtype-specialised matrix product, which is built per dtype at run time.
"""
