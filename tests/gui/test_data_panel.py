"""The Data panel (offscreen, pytest-qt): form <-> spec, previews, worker-thread loading, import dialog."""

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from neuroedit.gui.data_import_dialog import ImportDialog, detect_format
from neuroedit.gui.data_panel import DataPanel


@pytest.fixture
def panel(qtbot):
    p = DataPanel()
    qtbot.addWidget(p)
    return p


def show(qtbot, panel, spec):
    """Set the spec and wait for the worker's result to reach the panel."""
    panel.set_spec(spec)
    qtbot.waitUntil(lambda: panel.info.text() != "Loading…" and not panel.is_loading(), timeout=10000)


def test_builtin_spec_fills_form_and_scatter(qtbot, panel):
    show(qtbot, panel, "spiral:n=200,noise=0.2,seed=3")
    assert panel.source.currentData() == "spiral"
    assert panel.n.value() == 200 and panel.noise.value() == pytest.approx(0.2) and panel.seed.value() == 3
    assert panel.preview.kind == "scatter"
    assert set(panel.preview.scatter.items) == {"train", "val", "test"}
    assert len(panel.preview.scatter.items["train"].data) == 150
    assert "train 150" in panel.info.text()
    assert len(panel.histogram.bars) == 3


def test_xor_tiny_set_shows_the_four_points_once(qtbot, panel):
    show(qtbot, panel, "xor")
    assert list(panel.preview.scatter.items) == ["train"]
    assert "no split" in panel.info.text()


def test_changing_a_parameter_updates_spec_and_makes_it_the_training_data(qtbot, panel):
    show(qtbot, panel, "circle")
    with qtbot.waitSignal(panel.spec_chosen, timeout=10000) as blocker:
        panel.n.setValue(300)
        panel.split.setText("80:10:10")
        panel.split.editingFinished.emit()
        assert panel.current_spec() == "circle:n=300,split=80:10:10"
    assert blocker.args == ["circle:n=300,split=80:10:10"]
    assert panel.dataset is not None and panel.dataset.spec == "circle:n=300,split=80:10:10"


def test_the_documents_own_spec_is_not_chosen_again_and_errors_are_never_chosen(qtbot, panel):
    chosen = []
    panel.spec_chosen.connect(chosen.append)
    show(qtbot, panel, "moons")
    panel.choose_spec("moons")
    qtbot.waitUntil(lambda: not panel.is_loading(), timeout=10000)
    panel.choose_spec("csv:missing.csv:target=y")
    qtbot.waitUntil(lambda: not panel.is_loading() and panel.info.text() != "Loading…", timeout=10000)
    assert chosen == [] and panel.error


def test_every_control_fits_the_default_dock_width(qtbot):
    """Import, Noise, Split and the spec are inside a 250-pixel dock, not off its right edge."""
    from PySide6.QtWidgets import QScrollArea

    panel = DataPanel()
    scroller = QScrollArea(widgetResizable=True)
    scroller.setWidget(panel)
    qtbot.addWidget(scroller)
    scroller.resize(250, 700)
    scroller.show()
    panel.set_spec("circle")
    qtbot.waitUntil(lambda: not panel.is_loading() and panel.noise.isVisible(), timeout=10000)
    assert panel.minimumSizeHint().width() <= 240
    for widget in (panel.import_button, panel.noise, panel.split, panel.spec_edit, panel.source):
        right = widget.mapTo(scroller.viewport(), widget.rect().topRight()).x()
        assert widget.isVisible() and right <= scroller.viewport().width(), widget.objectName()
    assert panel.height() == scroller.viewport().height()  # no scrolling: the preview fills what is left
    preview_bottom = panel.tabs.mapTo(scroller.viewport(), panel.tabs.rect().bottomLeft()).y()
    assert preview_bottom <= scroller.viewport().height()


def test_switching_source_uses_its_defaults(qtbot, panel):
    show(qtbot, panel, "moons:n=100")
    panel.source.setCurrentIndex(panel.source.findData("spiral_multi"))
    assert panel.current_spec() == "spiral_multi"
    assert not panel.is_field_visible(panel.classes) and panel.is_field_visible(panel.arms)
    assert panel.arms.isVisibleTo(panel) and not panel.classes.isVisibleTo(panel)
    panel.arms.setValue(4)
    assert panel.current_spec() == "spiral_multi:classes=4"


def test_regression_set_histogram_of_targets(qtbot, panel):
    show(qtbot, panel, "weather")
    assert panel.tabs.tabText(1) == "Targets" and len(panel.histogram.bars) == 1


def test_image_grid_for_idx_folder(qtbot, panel, tmp_path):
    folder = tmp_path / "fashion"
    folder.mkdir()
    for name, arr in (
        ("train-images-idx3-ubyte", np.full((30, 28, 28), 128, np.uint8)),
        ("train-labels-idx1-ubyte", (np.arange(30) % 10).astype(np.uint8)),
    ):
        (folder / name).write_bytes(bytes([0, 0, 8, arr.ndim]) + np.array(arr.shape, ">u4").tobytes() + arr.tobytes())
    panel.set_base_dir(str(tmp_path))
    show(qtbot, panel, "idx:fashion:classes=2,6")
    assert panel.preview.kind == "images"
    captions = {label.text() for label in panel.preview.images.labels}
    assert captions <= {"Pullover", "Shirt"} and captions
    assert panel.source.currentData() == "__file__" and panel.classes.text() == "2,6"
    panel.seed.setValue(5)
    assert panel.current_spec() == "idx:fashion:classes=2,6,seed=5"


def test_table_for_tabular_csv(qtbot, panel, tmp_path):
    (tmp_path / "d.csv").write_text(
        "a,b,c,kind\n" + "".join(f"{i},{i + 1},{i * 2},{'yes' if i % 2 else 'no'}\n" for i in range(40))
    )
    panel.set_base_dir(str(tmp_path))
    show(qtbot, panel, "csv:d.csv:target=kind")
    assert panel.preview.kind == "table"
    table = panel.preview.table
    assert table.columnCount() == 4 and table.horizontalHeaderItem(3).text() == "kind"
    assert table.item(0, 3).text() in ("yes", "no")


def test_error_is_shown_not_raised(qtbot, panel):
    show(qtbot, panel, "csv:missing.csv")
    assert panel.dataset is None and "no such file" in panel.error
    assert "no such file" in panel.info.text()
    panel.set_spec("spiral:n=abc")
    qtbot.waitUntil(lambda: "not a whole number" in panel.error, timeout=10000)
    panel.set_spec(None)
    assert panel.preview.kind == "empty" and panel.current_spec() == ""


def test_large_load_runs_in_worker_thread(qtbot, panel):
    panel.set_spec("gaussians:n=400000")
    assert panel.info.text() == "Loading…"  # returned before the data exists
    qtbot.waitUntil(lambda: panel.dataset is not None, timeout=20000)
    assert panel.dataset.split_sizes()["train"] == 300000


def test_import_dialog_csv(qtbot, tmp_path):
    (tmp_path / "d.csv").write_text("x1,x2,label\n1,2,cat\n3,4,dog\n")
    dialog = ImportDialog(base_dir=str(tmp_path))
    qtbot.addWidget(dialog)
    dialog.set_path(str(tmp_path / "d.csv"))
    assert dialog.format == "csv" and dialog.preview.rowCount() == 2
    assert [dialog.target.itemText(i) for i in range(3)] == ["x1", "x2", "label"]
    assert dialog.spec() == "csv:d.csv:target=label"
    dialog.target.setCurrentText("x1")
    dialog.split.setText("60:20:20")
    assert dialog.spec() == "csv:d.csv:split=60:20:20,target=x1"


def test_import_dialog_npz_and_idx(qtbot, tmp_path):
    np.savez(tmp_path / "m.npz", x_train=np.zeros((3, 2)), y_train=np.zeros(3, int))
    dialog = ImportDialog(base_dir=str(tmp_path))
    qtbot.addWidget(dialog)
    dialog.set_path(str(tmp_path / "m.npz"))
    assert dialog.spec() == "npz:m.npz:x=x_train,y=y_train"
    folder = tmp_path / "fashion-mnist"
    folder.mkdir()
    (folder / "train-images-idx3-ubyte.gz").write_bytes(b"")
    dialog.set_path(str(folder))
    assert dialog.format == "idx" and dialog.fashion.isChecked()
    assert dialog.spec() == "idx:fashion-mnist"
    dialog.classes.setText("2, 6")
    assert dialog.spec() == "idx:fashion-mnist:classes=2,6"


def test_import_dialog_rejects_unknown_file(qtbot, tmp_path):
    (tmp_path / "a.xyz").write_text("?")
    dialog = ImportDialog()
    qtbot.addWidget(dialog)
    dialog.set_path(str(tmp_path / "a.xyz"))
    assert dialog.spec() == "" and "choose a .csv" in dialog.message.text()
    assert detect_format(str(tmp_path)) == "idx"
