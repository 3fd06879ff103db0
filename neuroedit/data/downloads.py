"""MNIST and Fashion-MNIST on request: the four IDX files, checked against their published SHA-256.

pooch fetches each file into a temporary file in the cache folder, checks its hash and only then
moves it into place, so the cache holds verified files or nothing; a file already there is
re-checked and kept. An interrupted download is restarted file by file (finished files stay).
The cache is the platform's user data folder (platformdirs), or `NEUROEDIT_DATA_DIR`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .errors import DataError

IDX_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
CACHE_ENV = "NEUROEDIT_DATA_DIR"
TIMEOUT_S = 30


@dataclass(frozen=True)
class RemoteDataset:
    """A data set published as the four IDX files at `url` (a folder URL), with their SHA-256 hashes."""

    name: str
    title: str
    url: str
    sha256: dict[str, str]
    size_mb: float


# Hashes as published in tensorflow/datasets, tensorflow_datasets/url_checksums/mnist.txt and
# fashion_mnist.txt (the same values torchvision's and keras' mirrors serve).
DATASETS: dict[str, RemoteDataset] = {
    "fashion-mnist": RemoteDataset(
        "fashion-mnist",
        "Fashion-MNIST",
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        {
            "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        },
        30.9,
    ),
    "mnist": RemoteDataset(
        "mnist",
        "MNIST",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        {
            "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        },
        11.6,
    ),
}

# (file name, bytes so far, bytes in the file or 0 when the server does not say)
Progress = Callable[[str, int, int], None]


class DownloadError(DataError):
    """A download failed: unreachable host, HTTP error, or a file whose hash does not match."""


class MissingDataset(DataError):
    """`idx:NAME` names a downloadable data set that is neither next to the document nor in the cache."""

    def __init__(self, dataset: RemoteDataset, looked_in: list[str]) -> None:
        self.dataset = dataset
        super().__init__(
            f"{dataset.title} is not on this computer (looked in {' and '.join(looked_in)}); it needs the files "
            f"{', '.join(IDX_FILES)}. Download them with: neuroedit data download {dataset.name}"
        )


def cache_dir() -> Path:
    """Where downloaded data sets live: $NEUROEDIT_DATA_DIR, else the user data folder's `datasets`."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_path

    return user_data_path("neuroedit", appauthor=False) / "datasets"


def dataset_folder(name: str) -> Path:
    return cache_dir() / name


def is_complete(folder: str | os.PathLike) -> bool:
    """All four IDX files are in `folder` (downloads only ever leave verified files there)."""
    return all(os.path.isfile(os.path.join(folder, f)) for f in IDX_FILES)


def resolve_idx_folder(location: str, full_path: str) -> str:
    """The IDX folder for `idx:LOCATION`: the folder next to the document, else the download cache.

    `full_path` is LOCATION resolved against the document's folder. Raises MissingDataset when
    LOCATION is a downloadable data set's name and neither place has it."""
    if os.path.isdir(full_path) or location not in DATASETS:
        return full_path
    cached = dataset_folder(location)
    if is_complete(cached):
        return str(cached)
    raise MissingDataset(DATASETS[location], [full_path, str(cached)])


class _ProgressHook:
    """pooch's progress-bar protocol (total, update, reset, close) forwarded to a callback."""

    def __init__(self, file: str, callback: Progress) -> None:
        self.file, self.callback = file, callback
        self.total = 0
        self.done = 0

    def update(self, n: int) -> None:
        self.done += n
        self.callback(self.file, min(self.done, self.total) if self.total else self.done, self.total)

    def reset(self) -> None:
        self.done = 0

    def close(self) -> None:
        pass


def download(
    name: str, mirror: str | None = None, progress: Progress | None = None, folder: Path | None = None
) -> Path:
    """Fetch the data set `name` into its cache folder (or `folder`) and return that folder.

    `mirror` is a folder URL serving the same four files. Raises DownloadError with a one-line message."""
    import pooch
    import requests

    if name not in DATASETS:
        raise DataError(f"unknown data set {name!r} to download; choose {' or '.join(DATASETS)}")
    dataset = DATASETS[name]
    target = folder or dataset_folder(name)
    base = (mirror or dataset.url).rstrip("/") + "/"
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DownloadError(f"cannot create the data folder {target}: {e.strerror or e}") from None
    _remove_partial_files(target)
    pooch.get_logger().setLevel("WARNING")  # the progress callback reports the files
    for file in IDX_FILES:
        url = base + file
        hook = _ProgressHook(file, progress) if progress else False
        try:
            pooch.retrieve(
                url,
                known_hash=f"sha256:{dataset.sha256[file]}",
                fname=file,
                path=target,
                downloader=pooch.HTTPDownloader(progressbar=hook, timeout=TIMEOUT_S),
            )
        except ValueError as e:
            if "hash" not in str(e).lower():
                raise DownloadError(f"{url}: {e}") from None
            (target / file).unlink(missing_ok=True)  # an older copy that failed the check goes too
            raise DownloadError(
                f"{url}: the file's SHA-256 does not match the published one for {dataset.title} "
                f"(nothing was kept); the server or mirror serves a different file"
            ) from None
        except requests.exceptions.HTTPError as e:
            status = e.response.status_code if e.response is not None else "an error"
            raise DownloadError(f"{url}: the server answered HTTP {status}") from None
        except requests.exceptions.RequestException:
            host = urlsplit(url).netloc or url
            advice = (
                "check the mirror URL and the network connection"
                if mirror
                else "check the network connection, or use a mirror (--mirror URL)"
            )
            raise DownloadError(f"cannot reach {host} to download {dataset.title}; {advice}") from None
        except OSError as e:
            raise DownloadError(f"cannot write {target / file}: {e.strerror or e}") from None
    return target


def _remove_partial_files(folder: Path) -> None:
    """Delete what a killed download left behind (pooch's temporary files are named tmp*)."""
    for leftover in folder.glob("tmp*"):
        try:
            leftover.unlink()
        except OSError:
            pass
