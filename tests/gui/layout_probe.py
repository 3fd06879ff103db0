"""Run as a script: open the editor on the spiral sample and print where everything is, as JSON.

tests/gui/test_window_layout.py runs it in a subprocess on an offscreen screen of a chosen size
(and QT_SCALE_FACTOR), which a running QApplication cannot change.
"""

import json
import sys

from PySide6.QtCore import QTimer

from neuroedit.gui.app import make_application
from neuroedit.gui.main_window import MainWindow
from neuroedit.io import load


def rect(widget) -> list[int]:
    top_left = widget.mapToGlobal(widget.rect().topLeft())
    return [top_left.x(), top_left.y(), widget.width(), widget.height()]


def main() -> None:
    app = make_application()
    window = MainWindow(load(sys.argv[1]), sys.argv[1], restore_layout=True)
    window.show()

    def report() -> None:
        docks = {k: rect(d) for k, d in window.docks.items() if d.isVisible() and not d.visibleRegion().isEmpty()}
        print(
            json.dumps(
                {
                    "available": window.screen().availableGeometry().getRect(),
                    "window": window.frameGeometry().getRect(),
                    "canvas": rect(window.centralWidget()),
                    "status": rect(window.statusBar()),
                    "docks": docks,
                }
            )
        )
        window.files.autosaver.timer.stop()
        app.quit()

    QTimer.singleShot(300, report)
    app.exec()


if __name__ == "__main__":
    main()
