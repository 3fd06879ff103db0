"""Hostile data files (issue 17, items 12-14): each ends as one DataError line, no warning, bounded memory."""

from __future__ import annotations

import gzip
import io
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest

from neuroedit.data import DataError, load, memory

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def message(spec: str, base) -> str:
    with pytest.raises(DataError) as info:
        load(spec, str(base))
    text = str(info.value)
    assert "\n" not in text and len(text) < 1200
    return text


def npy(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.lib.format.write_array(out, array, allow_pickle=array.dtype.hasobject)
    return out.getvalue()


def npy_with_header(shape_text: str, descr: str = "<f8") -> bytes:
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}".ljust(117) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode()


def write_npz(path, members: dict[str, bytes], compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def xy(n=8) -> dict[str, bytes]:
    return {"x.npy": npy(np.arange(n * 2, dtype=np.float32).reshape(n, 2)), "y.npy": npy(np.arange(n) % 2)}


def patch_central(path, offset: int, fmt: str, value: int) -> None:
    data = bytearray(path.read_bytes())
    (count,) = struct.unpack_from("<H", data, len(data) - 12)
    (at,) = struct.unpack_from("<I", data, len(data) - 6)
    for _ in range(count):
        struct.pack_into(fmt, data, at + offset, value)
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, at + 28)
        at += 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(data))


# ------------------------------------------------------------------ 12. tracebacks, now one line each


def test_12_csv_cell_over_the_csv_field_limit(tmp_path):
    (tmp_path / "d.csv").write_text('a,y\n"' + "9" * 140_000 + '",1\n2,0\n')
    assert message("csv:d.csv", tmp_path) == (
        f"{tmp_path}/d.csv: line 2: the line is damaged (csv.Error: field larger than field limit (131072))"
    )


def test_12_npz_class_names_pickled(tmp_path):
    members = xy()
    members["class_names.npy"] = npy(np.array(["a", {"evil": 1}], dtype=object))
    write_npz(tmp_path / "d.npz", members)
    assert "holds Python objects (a pickled array)" in message("npz:d.npz", tmp_path)


def test_12_npz_with_zero_samples(tmp_path):
    write_npz(tmp_path / "d.npz", {"x.npy": npy(np.zeros((0, 2), np.float32)), "y.npy": npy(np.zeros(0, np.int64))})
    assert message("npz:d.npz", tmp_path).endswith("array 'x' holds no samples")


def test_12_npz_encrypted_member(tmp_path):
    path = write_npz(tmp_path / "d.npz", xy())
    patch_central(path, 8, "<H", 1)
    assert message("npz:d.npz", tmp_path) == f"{path}: member 'x.npy' is encrypted"


def test_12_npz_unsupported_compression(tmp_path):
    path = write_npz(tmp_path / "d.npz", xy())
    patch_central(path, 10, "<H", 99)
    assert "uses a zip feature that cannot be read (NotImplementedError" in message("npz:d.npz", tmp_path)


def test_12_npz_zip_version_8_4(tmp_path):
    path = write_npz(tmp_path / "d.npz", xy())
    patch_central(path, 6, "<H", 84)
    assert message("npz:d.npz", tmp_path) == (
        f"{path}: the zip archive uses a zip feature that cannot be read (NotImplementedError: zip file version 8.4)"
    )


def test_12_npz_corrupt_deflate(tmp_path):
    path = write_npz(tmp_path / "d.npz", xy(200), zipfile.ZIP_DEFLATED)
    data = bytearray(path.read_bytes())
    data[40:60] = b"\xff" * 20  # inside x.npy's deflate stream
    path.write_bytes(bytes(data))
    assert "damaged" in message("npz:d.npz", tmp_path)


def test_12_npz_shape_beyond_any_array(tmp_path):
    write_npz(tmp_path / "d.npz", {"x.npy": npy_with_header("(0, 18446744073709551616)"), "y.npy": npy(np.arange(2))})
    assert "impossible shape (0, 18446744073709551616)" in message("npz:d.npz", tmp_path)


@pytest.mark.parametrize("images, labels", [((0, 2, 2), (0,)), ((3, 0, 2), (3,))])
def test_12_idx_without_samples_or_pixels(tmp_path, idx_writer, images, labels):
    folder = tmp_path / "mnist"
    folder.mkdir()
    idx_writer(folder / "train-images-idx3-ubyte", np.zeros(images))
    idx_writer(folder / "train-labels-idx1-ubyte", np.zeros(labels))
    assert message("idx:mnist", tmp_path).startswith("data set idx:mnist: ")


@pytest.mark.parametrize(
    "x, y, problem",
    [
        (np.ones((5, 0)), np.arange(5) % 2, "samples of shape (0,) hold no input values"),
        (np.ones((5, 2)), np.ones((5, 0)), "the targets of shape (0,) hold no values"),
    ],
)
def test_12_npz_without_values(tmp_path, x, y, problem):
    write_npz(tmp_path / "d.npz", {"x.npy": npy(x), "y.npy": npy(y)})
    assert message("npz:d.npz", tmp_path).endswith(problem)


def test_12_idx_corrupt_gzip(tmp_path, idx_writer):
    folder = tmp_path / "mnist"
    folder.mkdir()
    images = np.random.default_rng(0).integers(0, 256, (40, 8, 8))
    idx_writer(folder / "train-images-idx3-ubyte.gz", images, gz=True)
    idx_writer(folder / "train-labels-idx1-ubyte", np.zeros(40))
    data = bytearray((folder / "train-images-idx3-ubyte.gz").read_bytes())
    middle = len(data) // 2
    data[middle : middle + 16] = b"\xff" * 16
    (folder / "train-images-idx3-ubyte.gz").write_bytes(bytes(data))
    assert "is damaged" in message("idx:mnist", tmp_path)


def test_12_idx_dimensions_whose_product_overflows(tmp_path, idx_writer):
    folder = tmp_path / "mnist"
    folder.mkdir()
    # 2**16 × 2**16 × 2**16 × 2**16 = 2**64: zero in 64-bit arithmetic, far too much memory in fact
    (folder / "train-images-idx3-ubyte").write_bytes(
        bytes([0, 0, 8, 3]) + struct.pack(">III", 65536, 65536, 65536 * 65536 - 1)
    )
    idx_writer(folder / "train-labels-idx1-ubyte", np.zeros(4))
    text = message("idx:mnist", tmp_path)
    assert "65536 images but 4 labels" in text or "memory" in text


def test_12_idx_overflow_with_matching_labels_is_a_memory_error(tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    (folder / "train-images-idx3-ubyte").write_bytes(bytes([0, 0, 8, 3]) + struct.pack(">III", 2**16, 2**16, 2**32 - 1))
    (folder / "train-labels-idx1-ubyte").write_bytes(bytes([0, 0, 8, 1]) + struct.pack(">I", 2**16))
    assert "of memory" in message("idx:mnist", tmp_path)


# ------------------------------------------------------------------ 13. resources


def test_13_npz_class_labels_capped(tmp_path):
    write_npz(tmp_path / "d.npz", {"x.npy": npy(np.zeros((2, 2), np.float32)), "y.npy": npy(np.array([0, 2**40]))})
    assert message("npz:d.npz", tmp_path).endswith("labels go up to 1.09951e+12; at most 10,000 classes are supported")


def test_13_npz_class_names_of_huge_width_refused_from_the_header(tmp_path, monkeypatch):
    from neuroedit.data import npz_source

    monkeypatch.setattr(npz_source, "MAX_CLASS_NAME_BYTES", 100)  # scaled down from 16 MiB
    members = xy()
    members["class_names.npy"] = npy(np.array(["a" * 20, "b", "c"]))  # <U20: 240 bytes
    write_npz(tmp_path / "d.npz", members)
    assert message("npz:d.npz", tmp_path).endswith("'class_names' takes 240 bytes; names must be shorter")


def test_13_npz_bomb_refused_from_its_zip_directory(tmp_path):
    x = np.zeros((200_000, 8), np.float32)  # 6.4 MB of zeros, deflates about 1000:1
    write_npz(tmp_path / "d.npz", {"x.npy": npy(x), "y.npy": npy(np.zeros(200_000, np.int64))}, zipfile.ZIP_DEFLATED)
    assert "refusing a possible zip bomb" in message("npz:d.npz", tmp_path)


def test_13_npz_declared_size_checked_against_memory_before_inflating(tmp_path, monkeypatch):
    write_npz(tmp_path / "d.npz", xy(1000))
    monkeypatch.setattr(memory, "MEMORY_CAP_BYTES", 10_000)
    assert "of memory" in message("npz:d.npz", tmp_path)


def test_13_idx_gzip_bomb_stops_at_the_header_size(tmp_path, idx_writer):
    folder = tmp_path / "mnist"
    folder.mkdir()
    head = bytes([0, 0, 8, 3]) + struct.pack(">III", 4, 2, 2)
    with gzip.open(folder / "train-images-idx3-ubyte.gz", "wb") as f:
        f.write(head + bytes(16))
        for _ in range(64):
            f.write(bytes(1 << 20))  # 64 MiB more than the header promises, 64 KiB on disk
    idx_writer(folder / "train-labels-idx1-ubyte", np.zeros(4))
    assert os.path.getsize(folder / "train-images-idx3-ubyte.gz") < 200_000
    assert "more bytes than the header's 4 × 2 × 2" in message("idx:mnist", tmp_path)


def test_13_fifo_is_refused(tmp_path):
    os.mkfifo(tmp_path / "d.csv")
    assert message("csv:d.csv", tmp_path).endswith("is a named pipe (FIFO), not a regular file")


# ------------------------------------------------------------------ 14. accepted silently but wrong


def test_14_csv_row_with_an_extra_cell(tmp_path):
    (tmp_path / "d.csv").write_text("a,b,y\n1,2,0\n3,4,1,5\n5,6,0\n")
    assert message("csv:d.csv", tmp_path) == f"{tmp_path}/d.csv: line 3 has 4 cells, expected 3 like the first row"


def test_14_csv_target_too_large_for_a_number(tmp_path):
    (tmp_path / "d.csv").write_text("a,y\n1,0\n2," + "9" * 400 + "\n")
    text = message("csv:d.csv", tmp_path)
    assert text.startswith(f"{tmp_path}/d.csv: line 3, column 2 ('y'): the target '9999")
    assert "is not a finite number" in text and len(text) < 300


def test_14_csv_input_beyond_float32(tmp_path):
    (tmp_path / "d.csv").write_text("a,y\n1,0\n1e300,1\n")
    assert "line 3, column 1 ('a'): missing or infinite value, or beyond float32's range" in message(
        "csv:d.csv", tmp_path
    )


@pytest.mark.parametrize("bad, shown", [(np.nan, "nan"), (np.inf, "inf"), (1e300, "1e+300")])
def test_14_npz_non_finite_inputs(tmp_path, bad, shown):
    x = np.ones((4, 2))
    x[2, 1] = bad
    write_npz(tmp_path / "d.npz", {"x.npy": npy(x), "y.npy": npy(np.arange(4) % 2)})
    assert message("npz:d.npz", tmp_path) == (
        f"{tmp_path}/d.npz: array 'x' holds {shown} at index (2, 1); "
        "values must be finite numbers within float32's range"
    )


def test_14_npz_nan_regression_targets(tmp_path):
    write_npz(tmp_path / "d.npz", {"x.npy": npy(np.ones((4, 2))), "y.npy": npy(np.array([0.5, np.nan, 1.0, 2.0]))})
    assert "array 'y' holds nan at index (1,)" in message("npz:d.npz", tmp_path)


@pytest.mark.parametrize("scale", ["minmax", "standard"])
def test_11_values_near_the_float32_limit_scale_without_warnings(tmp_path, scale):
    (tmp_path / "d.csv").write_text("a,b,y\n" + "3e38,1,0\n-3e38,2,1\n1,1,0\n2,2,1\n" * 3)
    ds = load(f"csv:d.csv:scale={scale}", str(tmp_path))
    assert np.isfinite(ds.train[0]).all()


def test_11_standard_scaling_that_would_overflow_is_an_error(tmp_path):
    (tmp_path / "d.csv").write_text("a,y\n" + "3.4e38,0\n3.4e38,1\n-3.4e38,0\n" * 4)
    with pytest.raises(DataError, match="standard scaling overflows float32"):
        load("csv:d.csv:split=100:0:0", str(tmp_path))


def test_13_npz_huge_float_labels_give_a_short_message(tmp_path):
    write_npz(tmp_path / "d.npz", {"x.npy": npy(np.ones((3, 2))), "y.npy": npy(np.array([0.0, 1.0, 1e300]))})
    assert message("npz:d.npz:task=classification", tmp_path).endswith(
        "labels go up to 1e+300; at most 10,000 classes are supported"
    )


def test_pickle_is_never_called(tmp_path, monkeypatch):
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("unpickled"))
    monkeypatch.setattr(pickle, "load", lambda *a, **k: pytest.fail("unpickled"))
    write_npz(tmp_path / "d.npz", {"x.npy": npy(np.array([{"a": 1}], dtype=object)), "y.npy": npy(np.arange(1))})
    assert "pickled" in message("npz:d.npz", tmp_path)


def test_6_preview_reads_a_bounded_prefix(tmp_path, monkeypatch):
    from neuroedit.data import csv_preview, csv_source

    monkeypatch.setattr(csv_source, "PREVIEW_CHARS", 1000)
    (tmp_path / "one-line.csv").write_text(",".join(["1"] * 100_000) + "\n")
    names, rows, header = csv_preview(str(tmp_path / "one-line.csv"))
    assert len(names) == 501 and not header  # 1,000 characters: "1," 500 times and the next "1"
    os.mkfifo(tmp_path / "pipe.csv")
    with pytest.raises(DataError, match="is a named pipe"):
        csv_preview(str(tmp_path / "pipe.csv"))
