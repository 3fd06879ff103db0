"""Shared test set-up. Qt must render off screen; this runs before any test module imports Qt."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
