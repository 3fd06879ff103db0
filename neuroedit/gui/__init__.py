"""The desktop editor (PySide6). The only package that imports Qt; it follows document events."""

import os

# Qt's raster engine splits big fills over a thread pool and waits for it, holding the GIL:
# the pool's threads take the training worker's core and the worker waits for the GIL
# (py-spy: 10% of the GUI thread in QLatch waits while training). Read once, at first paint.
os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")
