"""File references: relative path, size and SHA-256; moved or changed files are reported."""

import os

from neuroedit.data import file_reference, verify_reference


def test_reference_is_relative_with_size_and_hash(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("a,y\n1,0\n")
    ref = file_reference("data/a.csv", str(tmp_path))
    assert ref["path"] == "data/a.csv" and ref["size"] == 8 and len(ref["sha256"]) == 64
    assert verify_reference(ref, str(tmp_path)) is None
    absolute = file_reference(str(tmp_path / "data" / "a.csv"), str(tmp_path))
    assert absolute["path"] == "data/a.csv"


def test_moved_file_reported(tmp_path):
    (tmp_path / "a.csv").write_text("a,y\n1,0\n")
    ref = file_reference("a.csv", str(tmp_path))
    os.rename(tmp_path / "a.csv", tmp_path / "b.csv")
    message = verify_reference(ref, str(tmp_path))
    assert "not found" in message and "a.csv" in message


def test_changed_file_reported(tmp_path):
    (tmp_path / "a.csv").write_text("a,y\n1,0\n")
    ref = file_reference("a.csv", str(tmp_path))
    (tmp_path / "a.csv").write_text("a,y\n2,0\n")  # same size, other content
    assert "SHA-256" in verify_reference(ref, str(tmp_path))
    (tmp_path / "a.csv").write_text("a,y\n1,0\n3,1\n")
    assert "bytes now" in verify_reference(ref, str(tmp_path))


def test_folder_reference(tmp_path, idx_folder):
    folder = idx_folder()
    ref = file_reference(folder.name, str(tmp_path))
    assert verify_reference(ref, str(tmp_path)) is None
    (folder / "t10k-labels-idx1-ubyte").write_bytes(b"\0\0\x08\x01\0\0\0\0")
    assert verify_reference(ref, str(tmp_path)) is not None


def test_bad_reference_dict():
    assert "no file path" in verify_reference({}, None)


def test_dataset_record_for_files_and_builtins(tmp_path):
    from neuroedit.data import check_dataset_record, dataset_record

    assert dataset_record("spiral:seed=2,n=100") == {"spec": "spiral:n=100,seed=2"}
    (tmp_path / "a.csv").write_text("a,y\n1,0\n")
    record = dataset_record("csv:a.csv:target=y", str(tmp_path))
    assert record["file"]["path"] == "a.csv" and check_dataset_record(record, str(tmp_path)) is None
    (tmp_path / "a.csv").write_text("a,y\n1,1\n")
    assert "changed" in check_dataset_record(record, str(tmp_path))
    assert check_dataset_record({"spec": "xor"}) is None
