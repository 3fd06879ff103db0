"""PySide6's import hook no longer reads every imported module's source (neuroedit/gui/import_hook.py)."""

import sys


def test_modules_imported_after_the_gui_are_not_scanned_for_pyside_features():
    import neuroedit.gui.app as app  # its source names PySide6: the original scan would say True

    assert sys.modules["shibokensupport.feature"]._mod_uses_pyside(app) is False
