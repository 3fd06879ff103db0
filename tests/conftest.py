"""Shared test set-up. Qt must render off screen; this runs before any test module imports Qt."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_collection_modifyitems(items):
    """Everything under tests/gui needs Qt: mark it `gui`, so `-m "not gui"` runs the rest."""
    import pytest

    for item in items:
        if item.nodeid.startswith("tests/gui/") or "/tests/gui/" in str(item.path):
            item.add_marker(pytest.mark.gui)
