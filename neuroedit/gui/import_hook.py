"""PySide6's import hook, told not to read the source of every module imported after it.

To support `from __feature__ import snake_case` (which NeuroEdit does not use), PySide6 runs
`inspect.getsource` on each newly imported module from inside its import hook. That makes
imports slower (about a third of scikit-learn's metrics) and puts file reading and tokenizing
inside the hook of imports that run in worker threads (scikit-learn's metrics, data loaders)
while the GUI thread calls into PySide; one such pair was seen to deadlock. Every module is
marked as not using PySide's features instead.
"""

from __future__ import annotations

import sys


def skip_feature_scan() -> None:
    import PySide6.QtCore  # noqa: F401  (installs the hook)

    feature = sys.modules.get("shibokensupport.feature")
    if feature is not None and hasattr(feature, "_mod_uses_pyside"):
        feature._mod_uses_pyside = lambda module: False
