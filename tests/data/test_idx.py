"""IDX folders (MNIST / Fashion-MNIST): spellings, gzip, test split, class names, bad files."""

import numpy as np
import pytest

from neuroedit.data import DataError, load


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("dotted", [False, True])
def test_loads_all_spellings(idx_folder, gz, dotted):
    folder = idx_folder(gz=gz, dotted=dotted)
    ds = load(f"idx:{folder.name}", str(folder.parent))
    assert ds.input_shape == (4, 3) and ds.is_image
    assert ds.split_sizes()["test"] == 20
    assert ds.split_sizes()["train"] + ds.split_sizes()["val"] == 40
    assert ds.class_names == [str(i) for i in range(10)]
    assert ds.train[0].dtype == np.float32 and ds.train[0].min() >= 0 and ds.train[0].max() <= 1


def test_pixels_scaled_and_test_kept_in_order(idx_folder):
    folder = idx_folder()
    raw = (folder / "t10k-images-idx3-ubyte").read_bytes()[16:]
    ds = load(f"idx:{folder}")
    expected = np.frombuffer(raw, np.uint8).reshape(20, 4, 3) / 255
    np.testing.assert_allclose(ds.test[0], expected, rtol=1e-6)
    assert ds.test[1].tolist() == [i % 10 for i in range(20)]


def test_fashion_names_by_folder_name_or_option(idx_folder):
    ds = load(f"idx:{idx_folder(name='fashion-mnist')}")
    assert ds.class_names[2] == "Pullover" and ds.class_names[6] == "Shirt"
    ds = load(f"idx:{idx_folder(name='plain')}:fashion=1")
    assert ds.class_names[0] == "T-shirt/top"


def test_class_subset_pullover_vs_shirt(idx_folder):
    ds = load(f"idx:{idx_folder(name='fashion')}:classes=2,6")
    assert ds.class_names == ["Pullover", "Shirt"] and ds.num_classes == 2
    assert set(ds.test[1].tolist()) == {0, 1} and ds.class_counts("test") == [2, 2]
    assert sum(ds.split_sizes().values()) == 12


def test_missing_train_files(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="train-images-idx3-ubyte"):
        load(f"idx:{tmp_path / 'empty'}")


def test_bad_magic(idx_folder, idx_writer):
    folder = idx_folder()
    idx_writer(folder / "train-labels-idx1-ubyte", np.arange(40) % 10, magic=[0x1F, 0x8B, 8, 1])
    with pytest.raises(DataError, match="magic"):
        load(f"idx:{folder}")


def test_truncated_file(idx_folder):
    folder = idx_folder()
    path = folder / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-5])
    with pytest.raises(DataError, match="truncated"):
        load(f"idx:{folder}")


def test_truncated_gz_file(idx_folder):
    folder = idx_folder(gz=True)
    path = folder / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(DataError):
        load(f"idx:{folder}")


def test_image_label_count_mismatch(idx_folder, idx_writer):
    folder = idx_folder()
    idx_writer(folder / "train-labels-idx1-ubyte", np.arange(39) % 10)
    with pytest.raises(DataError, match="40 images but 39 labels"):
        load(f"idx:{folder}")


def test_only_one_test_file(idx_folder):
    folder = idx_folder()
    (folder / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DataError, match="t10k"):
        load(f"idx:{folder}")


def test_without_test_files_splits_train(idx_folder):
    folder = idx_folder()
    (folder / "t10k-labels-idx1-ubyte").unlink()
    (folder / "t10k-images-idx3-ubyte").unlink()
    ds = load(f"idx:{folder}:split=50:25:25")
    assert sum(ds.split_sizes().values()) == 40 and ds.split_sizes()["test"] == 10
