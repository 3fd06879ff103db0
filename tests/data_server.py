"""A local HTTP server on 127.0.0.1 serving small fake IDX files, for download tests (never the internet)."""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

from neuroedit.data.downloads import IDX_FILES, RemoteDataset


def idx_bytes(arr: np.ndarray) -> bytes:
    """An IDX file of unsigned bytes, gzipped as the real data sets are distributed."""
    arr = np.asarray(arr, dtype=np.uint8)
    header = bytes([0, 0, 0x08, arr.ndim]) + np.asarray(arr.shape, dtype=">u4").tobytes()
    return gzip.compress(header + arr.tobytes(), mtime=0)


def fake_idx_files(n_train: int = 30, n_test: int = 10) -> dict[str, bytes]:
    rng = np.random.default_rng(1)
    return {
        "train-images-idx3-ubyte.gz": idx_bytes(rng.integers(0, 256, (n_train, 4, 4))),
        "train-labels-idx1-ubyte.gz": idx_bytes(np.arange(n_train) % 10),
        "t10k-images-idx3-ubyte.gz": idx_bytes(rng.integers(0, 256, (n_test, 4, 4))),
        "t10k-labels-idx1-ubyte.gz": idx_bytes(np.arange(n_test) % 10),
    }


@dataclass
class FakeMirror:
    """What the server serves (`files`), what it was asked for (`requests`) and its folder URL."""

    files: dict[str, bytes]
    url: str = ""
    delay_s: float = 0.0  # wait before answering, so a test can cancel mid-download
    requests: list[str] = field(default_factory=list)

    def dataset(self, name: str = "mnist", title: str = "MNIST", hashes: dict[str, str] | None = None) -> RemoteDataset:
        """A data-set entry pointing at this server, with the served files' hashes (or `hashes`)."""
        sha = {f: hashlib.sha256(self.files[f]).hexdigest() for f in IDX_FILES}
        return RemoteDataset(name, title, self.url, {**sha, **(hashes or {})}, 0.01)


@contextmanager
def fake_mirror(files: dict[str, bytes] | None = None) -> Iterator[FakeMirror]:
    mirror = FakeMirror(dict(files or fake_idx_files()))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            name = self.path.rsplit("/", 1)[-1]
            mirror.requests.append(name)
            time.sleep(mirror.delay_s)
            body = mirror.files.get(name)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    mirror.url = f"http://127.0.0.1:{server.server_address[1]}/idx/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield mirror
    finally:
        server.shutdown()
        server.server_close()
