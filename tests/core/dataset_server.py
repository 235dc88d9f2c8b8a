"""A tiny web server on 127.0.0.1 for download tests: it serves small fake dataset files and misbehaves on request."""

from __future__ import annotations

import gzip
import hashlib
import io
import socket
import struct
import tarfile
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import numpy as np

from nnstudio.core.data.downloads import RemoteDataset, RemoteFile

# How a path is served: "ok", "404", "403", "truncate" (announces more bytes than it sends), "stall" (headers and
# half the file, then nothing until the test ends), "corrupt" (same size, different bytes).
Behaviour = str


class DatasetServer:
    """Serves `files` (name -> bytes) under every folder; `behaviour[folder]` says how that folder misbehaves.
    `hits` counts the requests per path, so a test can see that verified files are not fetched again."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.behaviour: dict[str, Behaviour] = {}
        self.hits: dict[str, int] = {}
        self.release = threading.Event()  # a stalled answer ends when this is set (at the end of the test)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server.hits[self.path] = server.hits.get(self.path, 0) + 1
                folder, _, name = self.path.strip("/").rpartition("/")
                how = server.behaviour.get(folder, "ok")
                data = server.files.get(name)
                if data is None or how in ("404", "403"):
                    self.send_error(403 if how == "403" else 404)
                    return
                if how == "corrupt":
                    data = bytes(b ^ 0xFF for b in data)
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data) + (1000 if how == "truncate" else 0)))
                self.end_headers()
                if how == "stall":
                    self.wfile.write(data[:len(data) // 2])
                    self.wfile.flush()
                    server.release.wait(10)
                    return
                self.wfile.write(data)
                self.wfile.flush()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       name="dataset-server")

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def mirror(self, folder: str) -> str:
        return f"{self.base}/{folder}/"

    def start(self) -> "DatasetServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@contextmanager
def serving(files: dict[str, bytes]) -> Iterator[DatasetServer]:
    server = DatasetServer(files).start()
    try:
        yield server
    finally:
        server.stop()


def refused_mirror() -> str:
    """A base URL on 127.0.0.1 where nothing listens: connecting is refused at once (as when offline)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


# ---------------------------------------------------------------- fake files

def idx_bytes(array: np.ndarray) -> bytes:
    return struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape) + \
        array.astype(np.uint8).tobytes()


def fake_mnist_files(train: int = 30, test: int = 10, size: int = 4, big: bool = False) -> dict[str, bytes]:
    """The four standard .gz files, tiny: training pixels 1..k, test pixels 200, labels 0..9 in turn. `big` makes
    the training images noise (so the .gz stays large: over several read chunks, for cancel tests)."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (train, size, size)) if big else np.arange(train * size * size).reshape(
        train, size, size) % 7 + 1
    arrays = {"train-images-idx3-ubyte.gz": images, "train-labels-idx1-ubyte.gz": np.arange(train) % 10,
              "t10k-images-idx3-ubyte.gz": np.full((test, size, size), 200), "t10k-labels-idx1-ubyte.gz":
              np.arange(test) % 10}
    return {name: gzip.compress(idx_bytes(np.asarray(array)), mtime=0) for name, array in arrays.items()}


CALIFORNIA_ROWS = np.array([
    # longitude, latitude, housingMedianAge, totalRooms, totalBedrooms, population, households, medianIncome, value
    [-122.23, 37.88, 41.0, 880.0, 129.0, 322.0, 126.0, 8.3252, 452600.0],
    [-122.22, 37.86, 21.0, 7099.0, 1106.0, 2401.0, 1138.0, 8.3014, 358500.0],
    [-122.24, 37.85, 52.0, 1467.0, 190.0, 496.0, 177.0, 7.2574, 352100.0],
    [-122.25, 37.85, 52.0, 1274.0, 235.0, 558.0, 219.0, 5.6431, 341300.0],
    [-122.25, 37.85, 52.0, 1627.0, 280.0, 565.0, 259.0, 3.8462, 342200.0],
    [-122.25, 37.85, 52.0, 919.0, 213.0, 413.0, 193.0, 4.0368, 269700.0],
])


def fake_california_tgz(rows: np.ndarray = CALIFORNIA_ROWS,
                        member: str = "CaliforniaHousing/cal_housing.data") -> bytes:
    """A cal_housing.tgz laid out like the real one: CaliforniaHousing/cal_housing.data, comma separated."""
    text = "\n".join(",".join(f"{v:g}" for v in row) for row in rows).encode()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        info = tarfile.TarInfo(member)
        info.size = len(text)
        archive.addfile(info, io.BytesIO(text))
    return out.getvalue()


def fake_dataset(key: str, files: dict[str, bytes], mirrors: tuple[str, ...] = (), title: str = "",
                 use_sha256: bool = False, exact_size: bool = True) -> RemoteDataset:
    """A RemoteDataset whose published sizes and checksums are those of `files`."""
    remote = tuple(RemoteFile(name, len(data), md5=None if use_sha256 else hashlib.md5(data).hexdigest(),
                              sha256=hashlib.sha256(data).hexdigest() if use_sha256 else None,
                              exact_size=exact_size)
                   for name, data in files.items())
    return RemoteDataset(key, title or key, "", remote, mirrors)
