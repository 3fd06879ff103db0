"""Seeded mutation fuzzing of the CSV, NPZ and IDX readers: only DataError may escape (as one line,
with no RuntimeWarning), and every data set that loads is usable: finite float32 inputs, targets
that fit the task, classes that exist. The seed is fixed, so a failure reproduces."""

from __future__ import annotations

import gzip
import io
import random
import zipfile

import numpy as np
import pytest

from neuroedit.data import DataError, load

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

CSV = (
    "# weather\nhumidity,temp,wind,label\n0.5,21.5,3,sunny\n0.9,12.0,11,rain\n0.7,15.5,7,cloudy\n"
    "0.4,25.0,2,sunny\n0.95,10.5,14,rain\n0.6,18.0,5,cloudy\n0.3,27.5,1,sunny\n0.85,11.0,12,rain\n"
)
EDGE_TEXT = [
    "",
    ",",
    ";",
    "\t",
    '"',
    '""',
    "nan",
    "inf",
    "-inf",
    "1e309",
    "9" * 400,
    "x" * 200,
    "\ufeff",
    "\x00",
    "\r\n",
    "\n",
    "1,2,3,4,5",
    "\ud800",
]


def npy(array) -> bytes:
    out = io.BytesIO()
    np.lib.format.write_array(out, np.asarray(array))
    return out.getvalue()


def npz_members() -> dict[str, bytes]:
    rng = np.random.default_rng(0)
    return {
        "x.npy": npy(rng.normal(size=(12, 3)).astype(np.float32)),
        "y.npy": npy(np.arange(12) % 3),
        "class_names.npy": npy(np.array(["a", "b", "c"])),
    }


def mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not out:
            break
        at = rng.randrange(len(out))
        kind = rng.randrange(5)
        if kind == 0:
            out[at] = rng.randrange(256)
        elif kind == 1:
            width = rng.choice((2, 4))
            value = rng.choice([0, 1, 255, 65535, 2**31 - 1, 2**32 - 1]) % (1 << (8 * width))
            out[at : at + width] = value.to_bytes(width, rng.choice(("little", "big")))
        elif kind == 2:
            del out[rng.randrange(len(out)) :]
        elif kind == 3:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 6)))
        else:
            out[at:at] = out[at : at + rng.randint(1, 32)]
    return bytes(out)


def mutate_csv(rng: random.Random) -> bytes:
    if rng.random() < 0.4:
        return mutate(rng, CSV.encode())
    lines = CSV.split("\n")
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(lines))
        cells = lines[i].split(",")
        cells[rng.randrange(len(cells))] = rng.choice(EDGE_TEXT)
        lines[i] = ",".join(cells)
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def mutate_npz(rng: random.Random) -> bytes:
    members = npz_members()
    name = rng.choice(list(members))
    if rng.random() < 0.5:
        members[name] = mutate(rng, members[name])
    else:
        members[name] = npy(
            rng.choice(
                [
                    np.zeros((0, 3)),
                    np.full((12, 3), np.nan),
                    np.arange(12) * 1e300,
                    np.array([0, 2**40] * 6),
                    np.ones((12, 3), np.int8),
                    np.zeros(12, bool),
                    np.array(["a", "bb"] * 6),
                    np.ones((11, 3)),
                    np.zeros(()),
                    -np.ones(12),
                ]
            )
        )
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])) as z:
        for member, raw in members.items():
            z.writestr(member, raw)
    return mutate(rng, data.getvalue()) if rng.random() < 0.3 else data.getvalue()


def check_loaded(ds) -> None:
    for split in ("train", "val", "test"):
        x, y = getattr(ds, split)
        assert x.dtype == np.float32 and np.isfinite(x).all()
        assert x.shape[0] == y.shape[0]
        if ds.task == "classification":
            assert y.dtype.kind == "i" and (y.size == 0 or 0 <= y.min() <= y.max() < ds.num_classes)
        else:
            assert np.isfinite(y).all()
    assert ds.num_classes <= 10_000


def outcome(spec: str, folder) -> str:
    try:
        ds = load(spec, str(folder))
    except DataError as e:
        assert str(e) and "\n" not in str(e) and len(str(e)) < 1200, str(e)
        return "refused"
    check_loaded(ds)
    return "loaded"


@pytest.mark.slow
@pytest.mark.parametrize("kind, count", [("csv", 250), ("npz", 250), ("idx", 150)])
def test_reader_mutants_end_in_data_error_or_a_usable_data_set(tmp_path, idx_folder, kind, count):
    rng = random.Random(f"issue-17-{kind}")
    seen = {"refused": 0, "loaded": 0}
    folder = idx_folder("mnist", gz=True) if kind == "idx" else tmp_path
    base = folder.parent if kind == "idx" else tmp_path
    originals = {p: p.read_bytes() for p in folder.iterdir()} if kind == "idx" else {}
    for _ in range(count):
        if kind == "csv":
            (tmp_path / "d.csv").write_bytes(mutate_csv(rng))
            spec = "csv:d.csv"
        elif kind == "npz":
            (tmp_path / "d.npz").write_bytes(mutate_npz(rng))
            spec = "npz:d.npz"
        else:
            for path, data in originals.items():
                path.write_bytes(data)
            victim = rng.choice(sorted(originals))
            raw = gzip.decompress(originals[victim])
            mutant = mutate(rng, raw) if rng.random() < 0.7 else raw
            victim.write_bytes(gzip.compress(mutant) if rng.random() < 0.8 else mutate(rng, originals[victim]))
            spec = f"idx:{folder.name}"
        seen[outcome(spec, base)] += 1
    assert seen["refused"] > 0 and seen["loaded"] > 0, seen
