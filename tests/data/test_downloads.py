"""`neuroedit data download`: hashes checked, atomic and restartable, mirrors, one-line errors; idx: lookup."""

from __future__ import annotations

import hashlib

import pytest
from data_server import fake_mirror

from neuroedit.cli import main
from neuroedit.data import DataError, downloads, load
from neuroedit.data.availability import unavailable_reason
from neuroedit.data.downloads import IDX_FILES, DownloadError, MissingDataset, download


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("NEUROEDIT_DATA_DIR", str(folder))
    return folder


def test_published_hashes_are_registered_for_every_file():
    for dataset in downloads.DATASETS.values():
        assert set(dataset.sha256) == set(IDX_FILES)
        assert all(len(h) == 64 and int(h, 16) >= 0 for h in dataset.sha256.values())
    assert downloads.DATASETS["mnist"].sha256["train-images-idx3-ubyte.gz"].startswith("440fcabf")


def test_download_verifies_and_caches_then_idx_name_resolves(cache, monkeypatch):
    with fake_mirror() as mirror:
        monkeypatch.setitem(downloads.DATASETS, "mnist", mirror.dataset())
        seen = []
        folder = download("mnist", progress=lambda f, done, total: seen.append((f, done, total)))
        assert folder == cache / "mnist"
        assert sorted(p.name for p in folder.iterdir()) == sorted(IDX_FILES)
        assert {f for f, _, _ in seen} == set(IDX_FILES)
        assert all(done <= total for _, done, total in seen) and seen[-1][1] == seen[-1][2] > 0
        assert sorted(mirror.requests) == sorted(IDX_FILES)
        download("mnist")  # intact files are kept: nothing is fetched again
        assert len(mirror.requests) == 4
    ds = load("idx:mnist", base_dir=str(cache.parent / "elsewhere"))
    assert ds.input_shape == (4, 4) and ds.split_sizes()["test"] == 10


def test_hash_mismatch_is_an_error_and_leaves_nothing(cache, monkeypatch):
    with fake_mirror() as mirror:
        wrong = {"t10k-images-idx3-ubyte.gz": hashlib.sha256(b"something else").hexdigest()}
        monkeypatch.setitem(downloads.DATASETS, "mnist", mirror.dataset(hashes=wrong))
        with pytest.raises(DownloadError, match="t10k-images-idx3-ubyte.gz: the file's SHA-256 does not match"):
            download("mnist")
    names = [p.name for p in (cache / "mnist").iterdir()]
    assert "t10k-images-idx3-ubyte.gz" not in names and not [n for n in names if n.startswith("tmp")]


def test_a_cached_file_that_fails_the_check_is_replaced(cache, monkeypatch):
    with fake_mirror() as mirror:
        monkeypatch.setitem(downloads.DATASETS, "mnist", mirror.dataset())
        folder = download("mnist")
        (folder / "train-labels-idx1-ubyte.gz").write_bytes(b"corrupted")
        download("mnist")
        assert mirror.requests.count("train-labels-idx1-ubyte.gz") == 2
        assert (folder / "train-labels-idx1-ubyte.gz").read_bytes() == mirror.files["train-labels-idx1-ubyte.gz"]


def test_interrupted_download_restarts_safely(cache, monkeypatch):
    with fake_mirror() as mirror:
        monkeypatch.setitem(downloads.DATASETS, "mnist", mirror.dataset())
        served = dict(mirror.files)
        del mirror.files["t10k-images-idx3-ubyte.gz"]  # the connection "drops" at the third file
        with pytest.raises(DownloadError, match="HTTP 404"):
            download("mnist")
        folder = cache / "mnist"
        assert sorted(p.name for p in folder.iterdir()) == sorted(IDX_FILES[:2])
        (folder / "tmpab12cd").write_bytes(b"half a file from a killed run")
        mirror.files = served
        download("mnist")
        assert sorted(p.name for p in folder.iterdir()) == sorted(IDX_FILES)
        assert mirror.requests.count("train-images-idx3-ubyte.gz") == 1  # finished files were kept


def test_cli_download_with_mirror_and_progress(cache, capsys):
    with fake_mirror() as mirror:
        files = mirror.files
        # The real registry's hashes do not match the fake files: the mirror is used, the check still holds.
        assert main(["data", "download", "mnist", "--mirror", mirror.url]) == 2
        assert "does not match" in capsys.readouterr().err
        assert mirror.requests == ["train-images-idx3-ubyte.gz"]
    assert files and not list((cache / "mnist").glob("*.gz"))


def test_cli_download_ok(cache, capsys, monkeypatch):
    with fake_mirror() as mirror:
        monkeypatch.setitem(downloads.DATASETS, "fashion-mnist", mirror.dataset("fashion-mnist", "Fashion-MNIST"))
        assert main(["data", "download", "fashion-mnist"]) == 0
    out = capsys.readouterr()
    assert str(cache / "fashion-mnist") in out.out and "100%" in out.err
    assert main(["data", "info", "idx:fashion-mnist:classes=2,6"]) == 0
    assert "Pullover" in capsys.readouterr().out


def test_unreachable_host_is_one_line(cache, capsys):
    assert main(["data", "download", "mnist", "--mirror", "http://127.0.0.1:9/mnist/"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (
        "neuroedit: error: cannot reach 127.0.0.1:9 to download MNIST; check the mirror URL and the network connection"
    )
    assert "Traceback" not in "\n".join(err)


def test_missing_data_names_the_files_and_the_command(cache, tmp_path):
    with pytest.raises(MissingDataset) as info:
        load("idx:fashion-mnist", base_dir=str(tmp_path))
    message = str(info.value)
    assert all(f in message for f in IDX_FILES)
    assert "neuroedit data download fashion-mnist" in message and "\n" not in message
    assert isinstance(info.value, DataError)
    assert unavailable_reason("idx:fashion-mnist", str(tmp_path)) == message
    assert unavailable_reason("xor", None) is None
    assert "not found" in unavailable_reason("csv:nothing.csv", str(tmp_path))


def test_folder_next_to_the_document_wins_over_the_cache(cache, tmp_path, monkeypatch):
    from data_server import fake_idx_files

    with fake_mirror() as mirror:
        monkeypatch.setitem(downloads.DATASETS, "mnist", mirror.dataset())
        download("mnist")  # cache: 30 training images
    beside = tmp_path / "doc" / "mnist"
    beside.mkdir(parents=True)
    for name, body in fake_idx_files(n_train=50).items():
        (beside / name).write_bytes(body)
    assert load("idx:mnist:split=100:0:0", base_dir=str(tmp_path / "doc")).split_sizes()["train"] == 50
    assert load("idx:mnist:split=100:0:0", base_dir=str(tmp_path)).split_sizes()["train"] == 30


def test_validate_warns_about_a_missing_data_set(cache, tmp_path, capsys):
    from neuroedit.io import save
    from neuroedit.model.samples import fashion_mnist_binary

    path = tmp_path / "fashion.nedit"
    save(fashion_mnist_binary(), path)
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "warning network: data set idx:fashion-mnist:classes=2,6 is unavailable" in out
    assert "neuroedit data download fashion-mnist" in out and "1 warning" in out
    assert main(["validate", "--strict", str(path)]) == 1
