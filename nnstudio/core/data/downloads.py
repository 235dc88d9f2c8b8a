"""Download the course's datasets by name (MNIST, Fashion-MNIST, California housing) once, from mirrors, verified."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
import ssl
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Optional

from ..files import atomic_write_text
from ..i18n import tr
from .course_datasets import DATASETS, RemoteDataset, RemoteFile
from .table import DataError

DATA_DIR_VARIABLE = "NNSTUDIO_DATA_DIR"
MIRRORS_VARIABLE = "NNSTUDIO_DATASET_MIRRORS"
MARKER_FILE = "verified.json"  # written once a file's checksum matched: later only its size and time are compared
PART_SUFFIX = ".part"
CHUNK_BYTES = 64 * 1024
USER_AGENT = "NN-Studio (course datasets)"


class DownloadError(DataError):
    """A dataset could not be downloaded; `offline` is True when no mirror could even be reached."""

    def __init__(self, message: str, offline: bool = False) -> None:
        super().__init__(message)
        self.offline = offline


class DownloadCancelled(DownloadError):
    """The user stopped the download; the partial file was removed."""


class DatasetNotDownloaded(DataError):
    """A project uses a course dataset that is not in the cache folder yet; `key` says which."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


# ---------------------------------------------------------------- where things are

def data_dir() -> Path:
    """The cache folder of downloaded datasets: $NNSTUDIO_DATA_DIR, else the platform's data folder."""
    chosen = os.environ.get(DATA_DIR_VARIABLE, "").strip()
    if chosen:
        return Path(chosen).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / "nnstudio" / "datasets"


def dataset_folder(key: str) -> Path:
    return data_dir() / key


def remote_dataset(key: str, datasets: dict[str, RemoteDataset] = DATASETS) -> RemoteDataset:
    """The dataset called `key`; a DataError naming the known ones otherwise."""
    dataset = datasets.get(key) if isinstance(key, str) else None
    if dataset is None:
        raise DataError(tr("There is no course dataset called {name}; the names are {names}", name=repr(key),
                           names=", ".join(datasets)))
    return dataset


def mirrors_for(key: str, datasets: dict[str, RemoteDataset] = DATASETS) -> tuple[str, ...]:
    """The base URLs to try, in order: $NNSTUDIO_DATASET_MIRRORS (spaces or commas between URLs; `{key}` becomes
    the dataset's key) when set, else the dataset's own list."""
    chosen = os.environ.get(MIRRORS_VARIABLE, "").replace(",", " ").split()
    if chosen:
        return tuple(url.replace("{key}", key) for url in chosen)
    return remote_dataset(key, datasets).mirrors


def file_url(mirror: str, file_name: str, single_file: bool = False) -> str:
    """The URL of one file on a mirror: `{name}` is filled, else the name is appended, except to a full URL
    (no trailing '/') of a dataset with a single file."""
    if "{name}" in mirror:
        return mirror.replace("{name}", file_name)
    if single_file and not mirror.endswith("/"):
        return mirror
    return mirror.rstrip("/") + "/" + file_name


def size_text(size: int) -> str:
    """A size for people: '26 MB', '0.4 MB'."""
    megabytes = size / 1_000_000
    if megabytes >= 10:
        return tr("{size} MB", size=f"{megabytes:,.0f}")
    return tr("{size} MB", size=f"{megabytes:.1f}")


# ---------------------------------------------------------------- what is there already

def _read_marker(folder: Path) -> dict:
    try:
        marker = json.loads((folder / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return marker if isinstance(marker, dict) else {}


def _checksum_text(file: RemoteFile) -> str:
    return f"sha256:{file.sha256}" if file.sha256 else f"md5:{file.md5}" if file.md5 else ""


def _is_verified(folder: Path, file: RemoteFile, marker: dict) -> bool:
    """The file is there, its checksum matched when it was downloaded, and its size and time have not changed
    since (a file written over afterwards is checked again)."""
    entry = marker.get(file.name)
    if not isinstance(entry, dict) or entry.get("checksum") != _checksum_text(file):
        return False
    try:
        status = (folder / file.name).stat()
    except OSError:
        return False
    return ([status.st_size, status.st_mtime_ns] == [entry.get("size"), entry.get("mtime_ns")]
            and (status.st_size == file.size or not file.exact_size))


def _matches(path: Path, file: RemoteFile) -> bool:
    """Whether a file that came another way (placed by hand) has the published size and checksum."""
    try:
        if file.exact_size and path.stat().st_size != file.size:
            return False
        digest = hashlib.sha256() if file.sha256 else hashlib.md5(usedforsecurity=False)
        with open(path, "rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return False
    return digest.hexdigest() == (file.sha256 or file.md5 or "").lower()


def _record(folder: Path, marker: dict, file: RemoteFile) -> None:
    status = (folder / file.name).stat()
    marker[file.name] = {"size": status.st_size, "mtime_ns": status.st_mtime_ns, "checksum": _checksum_text(file)}
    atomic_write_text(folder / MARKER_FILE, json.dumps(marker, indent=1))


def _in_place(folder: Path, file: RemoteFile, marker: dict) -> bool:
    """The file is verified, or was placed there by hand and matches the published checksum (checked once)."""
    if _is_verified(folder, file, marker):
        return True
    if not (folder / file.name).is_file() or not _matches(folder / file.name, file):
        return False
    try:
        _record(folder, marker, file)
    except OSError:
        pass  # a read-only folder: the check simply runs again next time
    return True


def is_downloaded(key: str, datasets: dict[str, RemoteDataset] = DATASETS) -> bool:
    """Every file of the dataset is in its folder with the size it had when its checksum was verified. Files
    placed there by hand (the same .gz / .tgz files) are checked once against the published checksums."""
    dataset = remote_dataset(key, datasets)
    folder = dataset_folder(key)
    marker = _read_marker(folder)
    return all(_in_place(folder, file, marker) for file in dataset.files)


# ---------------------------------------------------------------- downloading

class _MirrorFailed(Exception):
    """One mirror could not give one file; `reachable` is False when the server could not even be reached."""

    def __init__(self, reason: str, reachable: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reachable = reachable


def _unreachable_reason(error: BaseException) -> str:
    if isinstance(error, socket.gaierror):
        return tr("the server's name could not be found (no internet connection?)")
    if isinstance(error, ConnectionRefusedError):
        return tr("the connection was refused")
    if isinstance(error, TimeoutError):
        return tr("the server did not answer")
    return tr("the server could not be reached ({reason})", reason=str(error) or type(error).__name__)


def _open(url: str, timeout: float):
    """The response to a GET, or _MirrorFailed with the reason in words."""
    if not url.lower().startswith(("http://", "https://", "file:")):
        raise _MirrorFailed(tr("the address is not an http, https or file URL"))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 - the scheme is checked above
    except urllib.error.HTTPError as error:
        error.close()
        if error.code == 404:
            raise _MirrorFailed(tr("the file is not there (HTTP 404)")) from None
        if error.code == 403:
            raise _MirrorFailed(tr("the server refused (HTTP 403)")) from None
        raise _MirrorFailed(tr("the server answered HTTP {code}", code=error.code)) from None
    except urllib.error.URLError as error:
        reason = error.reason if isinstance(error.reason, BaseException) else OSError(str(error.reason))
        if isinstance(reason, FileNotFoundError):
            raise _MirrorFailed(tr("the file is not there")) from None
        if isinstance(reason, ssl.SSLError):  # the server answered; this computer could not trust it
            raise _MirrorFailed(tr("the secure connection failed ({reason})", reason=str(reason))) from None
        raise _MirrorFailed(_unreachable_reason(reason), reachable=False) from None
    except TimeoutError:  # connected, but no answer came: the server is there
        raise _MirrorFailed(tr("the server did not answer within {seconds} seconds",
                               seconds=f"{timeout:g}")) from None
    except (http.client.HTTPException, ConnectionResetError) as error:
        raise _MirrorFailed(tr("the server broke off the connection ({reason})",
                               reason=str(error) or type(error).__name__)) from None
    except (OSError, ValueError) as error:
        raise _MirrorFailed(_unreachable_reason(error), reachable=False) from None


def _fetch(url: str, file: RemoteFile, part: Path, on_bytes: Callable[[int], None],
           cancel: Optional[threading.Event], timeout: float) -> None:
    """Write one file to `part` and check its size and checksum; _MirrorFailed or DownloadCancelled otherwise."""
    md5 = hashlib.md5(usedforsecurity=False)  # the published checksums are MD5: integrity, not security
    sha256 = hashlib.sha256()
    received = 0
    with _open(url, timeout) as response:
        header = response.headers.get("Content-Length") or ""
        length = int(header) if header.isdigit() else None
        if file.exact_size and length is not None and length != file.size:
            raise _MirrorFailed(tr("the server's file has {size} bytes, not the published {expected}",
                                   size=f"{length:,}", expected=f"{file.size:,}"))
        expected = length if length is not None else file.size if file.exact_size else None
        # read1: whatever has arrived (up to a chunk), so progress and a cancel are seen while bytes trickle in
        read = getattr(response, "read1", response.read)
        with open(part, "wb") as out:
            while True:
                if cancel is not None and cancel.is_set():
                    raise DownloadCancelled(tr("The download was cancelled"))
                try:
                    chunk = read(CHUNK_BYTES)
                except TimeoutError:
                    raise _MirrorFailed(tr("the server stopped sending for {seconds} seconds",
                                           seconds=f"{timeout:g}")) from None
                except (http.client.HTTPException, OSError):
                    chunk = b""  # IncompleteRead or a reset connection: the size check below names it
                if not chunk:
                    break
                out.write(chunk)
                md5.update(chunk)
                sha256.update(chunk)
                received += len(chunk)
                if expected is not None and received > expected:
                    raise _MirrorFailed(tr("the server sent more than the {size} bytes it announced",
                                           size=f"{expected:,}"))
                on_bytes(len(chunk))
    if expected is not None and received != expected:
        raise _MirrorFailed(tr("the transfer stopped after {done} of {size} bytes (a truncated file)",
                               done=f"{received:,}", size=f"{expected:,}"))
    if (file.md5 and md5.hexdigest() != file.md5.lower()) or (file.sha256 and sha256.hexdigest()
                                                              != file.sha256.lower()):
        raise _MirrorFailed(tr("the file's checksum does not match the published one (a damaged or different "
                               "file)"))


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def download(key: str, progress: Optional[Callable[[int, int], None]] = None,
             cancel: Optional[threading.Event] = None, timeout: float = 20.0,
             datasets: dict[str, RemoteDataset] = DATASETS) -> Path:
    """Download the dataset's missing files into its folder and return the folder.

    Each file is written to '<name>.part' and renamed only once its size and checksum match; mirrors are tried in
    order. `progress(done_bytes, total_bytes)` is called from this (the downloading) thread; `cancel` is looked at
    between chunks (so within `timeout` seconds even when a server is silent). A server that sends nothing for
    `timeout` seconds fails that mirror. DownloadError says why each mirror failed; DownloadCancelled on cancel."""
    try:
        dataset = remote_dataset(key, datasets)
    except DataError as error:
        raise DownloadError(str(error)) from None
    mirrors = mirrors_for(key, datasets)
    folder = dataset_folder(key)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DownloadError(tr("The folder for downloaded data {folder} could not be made ({reason})",
                               folder=str(folder), reason=error.strerror or str(error))) from None
    marker = _read_marker(folder)
    total = dataset.size_bytes
    done = 0
    todo = []
    for file in dataset.files:
        if _in_place(folder, file, marker):
            done += file.size
        else:
            todo.append(file)
    if progress is not None:
        progress(done, total)
    for file in todo:
        done = _download_file(dataset, file, mirrors, folder, done, total, progress, cancel, timeout)
        _record(folder, marker, file)
    return folder


def _download_file(dataset: RemoteDataset, file: RemoteFile, mirrors: tuple[str, ...], folder: Path, done: int,
                   total: int, progress: Optional[Callable[[int, int], None]], cancel: Optional[threading.Event],
                   timeout: float) -> int:
    """Try each mirror for one file; the bytes done after it. Raises DownloadError when every mirror failed."""
    part = folder / (file.name + PART_SUFFIX)
    failures: list[tuple[str, _MirrorFailed]] = []
    for mirror in mirrors:
        url = file_url(mirror, file.name, single_file=len(dataset.files) == 1)
        received = 0

        def on_bytes(count: int) -> None:
            nonlocal received
            received += count
            if progress is not None:
                progress(done + min(received, file.size), total)  # an estimated size never runs past 100 %

        try:
            _fetch(url, file, part, on_bytes, cancel, timeout)
        except _MirrorFailed as failure:
            _remove(part)
            failures.append((url, failure))
            if progress is not None:
                progress(done, total)
            continue
        except BaseException:  # a cancel, Ctrl+C or a full disk: no partial file stays behind
            _remove(part)
            raise
        os.replace(part, folder / file.name)
        return done + file.size
    raise _all_failed(dataset, file, failures)


def _all_failed(dataset: RemoteDataset, file: RemoteFile,
                failures: list[tuple[str, _MirrorFailed]]) -> DownloadError:
    offline = bool(failures) and not any(failure.reachable for _url, failure in failures)
    lines = "\n".join(tr("• {address}: {reason}", address=url, reason=failure.reason) for url, failure in failures)
    if not failures:
        return DownloadError(tr("{dataset} could not be downloaded: there is no mirror to download it from",
                                dataset=tr(dataset.title)))
    if offline:
        return DownloadError(tr("{dataset} could not be downloaded: no server could be reached, so this computer "
                                "seems to be offline.\n{reasons}", dataset=tr(dataset.title), reasons=lines),
                             offline=True)
    return DownloadError(tr("{dataset} could not be downloaded ({file} failed on every mirror):\n{reasons}",
                            dataset=tr(dataset.title), file=file.name, reasons=lines))


def not_downloaded_error(key: str, datasets: dict[str, RemoteDataset] = DATASETS) -> DatasetNotDownloaded:
    """The plain message for a project whose course dataset is not in the cache yet."""
    dataset = remote_dataset(key, datasets)
    return DatasetNotDownloaded(
        tr("{dataset} is not downloaded yet ({size}). Download it in the Data panel, or with the command "
           "'nnstudio data download {key}'; it is kept in {folder}", dataset=tr(dataset.title),
           size=size_text(dataset.size_bytes), key=key, folder=str(dataset_folder(key))), key)


__all__ = ["DATASETS", "DATA_DIR_VARIABLE", "MIRRORS_VARIABLE", "DatasetNotDownloaded", "DownloadCancelled",
           "DownloadError", "RemoteDataset", "RemoteFile", "data_dir", "dataset_folder", "download", "file_url",
           "is_downloaded", "mirrors_for", "not_downloaded_error", "remote_dataset", "size_text"]
