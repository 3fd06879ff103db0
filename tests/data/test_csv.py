"""CSV import: header detection, delimiters, targets, text labels, errors with line and column."""

import numpy as np
import pytest

from neuroedit.data import DataError, load


def write(tmp_path, text, name="d.csv"):
    (tmp_path / name).write_text(text)
    return str(tmp_path)


def test_header_and_text_labels(tmp_path):
    base = write(tmp_path, "length,width,kind\n1,2,cat\n3,4,dog\n5,6,cat\n7,8,bird\n")
    ds = load("csv:d.csv:target=kind,scale=none,split=1:0:0", base)
    assert ds.feature_names == ["length", "width"] and ds.target_names == ["kind"]
    assert ds.task == "classification" and ds.class_names == ["bird", "cat", "dog"]
    pairs = sorted(zip(ds.train[0][:, 0].tolist(), ds.train[1].tolist()))
    assert pairs == [(1, 1), (3, 2), (5, 1), (7, 0)]


def test_no_header_last_column_default_and_integer_classes(tmp_path):
    base = write(tmp_path, "0.5,1,0\n0.1,2,1\n0.2,3,1\n0.3,4,0\n")
    ds = load("csv:d.csv:scale=none,split=1:0:0", base)
    assert ds.feature_names == ["column 1", "column 2"]
    assert ds.task == "classification" and ds.class_names == ["0", "1"]


def test_float_target_is_regression_and_target_by_index(tmp_path):
    base = write(tmp_path, "y,a,b\n0.25,1,2\n0.5,3,4\n0.75,5,6\n")
    ds = load("csv:d.csv:target=0,scale=none,split=1:0:0", base)
    assert ds.task == "regression" and ds.feature_names == ["a", "b"]
    assert sorted(ds.train[1][:, 0].tolist()) == [0.25, 0.5, 0.75]


def test_several_target_columns(tmp_path):
    base = write(tmp_path, "a,b,y1,y2\n1,2,0.1,0.2\n3,4,0.3,0.4\n")
    ds = load("csv:d.csv:target=y1,y2,split=1:0:0", base)
    assert ds.train[1].shape == (2, 2) and ds.input_shape == (2,)


@pytest.mark.parametrize("sep", [";", "\t"])
def test_other_delimiters(tmp_path, sep):
    base = write(tmp_path, sep.join(["a", "b", "y"]) + "\n" + "\n".join(sep.join(["1", "2", "0"]) for _ in range(4)))
    assert load("csv:d.csv", base).input_shape == (2,)


def test_quoted_cells_and_blank_lines(tmp_path):
    base = write(tmp_path, '"a","b","label"\n"1","2","yes"\n\n"3","4","no"\n')
    ds = load("csv:d.csv:split=1:0:0", base)
    assert ds.class_names == ["no", "yes"] and ds.split_sizes()["train"] == 2


def test_non_numeric_cell_reports_line_and_column(tmp_path):
    base = write(tmp_path, "a,b,y\n1,2,0\n3,4,1\n5,abc,0\n")
    with pytest.raises(DataError, match=r"line 4, column 2 \('b'\): 'abc' is not a number"):
        load("csv:d.csv", base)


def test_missing_cell_reports_line_and_column(tmp_path):
    base = write(tmp_path, "a,b,y\n1,2,0\n,4,1\n")
    with pytest.raises(DataError, match=r"line 3, column 1 \('a'\): missing value"):
        load("csv:d.csv", base)


def test_nan_cell_is_missing(tmp_path):
    base = write(tmp_path, "a,b,y\n1,2,0\n3,nan,1\n")
    with pytest.raises(DataError, match=r"line 3, column 2"):
        load("csv:d.csv", base)


def test_missing_target(tmp_path):
    base = write(tmp_path, "a,b,y\n1,2,cat\n3,4,\n")
    with pytest.raises(DataError, match=r"line 3, column 3 \('y'\): missing target"):
        load("csv:d.csv", base)


def test_ragged_row(tmp_path):
    base = write(tmp_path, "a,b,y\n1,2,0\n3,4\n")
    with pytest.raises(DataError, match="line 3 has 2 cells, expected 3"):
        load("csv:d.csv", base)


def test_unknown_target_column_lists_columns(tmp_path):
    base = write(tmp_path, "a,b,y\n1,2,0\n")
    with pytest.raises(DataError, match="no column named 'z'; columns are a, b, y"):
        load("csv:d.csv:target=z", base)
    with pytest.raises(DataError, match="out of range"):
        load("csv:d.csv:target=7", base)


def test_missing_file_and_empty_file(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load("csv:nope.csv", str(tmp_path))
    base = write(tmp_path, "\n\n")
    with pytest.raises(DataError, match="empty"):
        load("csv:d.csv", base)


def test_task_option_forces_regression(tmp_path):
    base = write(tmp_path, "a,y\n1,0\n2,1\n3,2\n")
    assert load("csv:d.csv:task=regression,split=1:0:0", base).task == "regression"


def test_large_numeric_file_matches_loadtxt(tmp_path):
    rng = np.random.default_rng(0)
    data = np.column_stack([rng.standard_normal((500, 5)).round(5), rng.integers(0, 3, 500)])
    np.savetxt(tmp_path / "d.csv", data, delimiter=",", fmt="%.5f")
    ds = load("csv:d.csv:scale=none,split=1:0:0,seed=0", str(tmp_path))
    assert ds.num_classes == 3
    got = ds.train[0][np.lexsort(ds.train[0].T[::-1])]
    want = data[:, :5].astype(np.float32)
    np.testing.assert_array_equal(got, want[np.lexsort(want.T[::-1])])
