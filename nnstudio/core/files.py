"""Safe file writing: every save goes to a temporary file first, then replaces the old one in one step."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Optional, Union

from .i18n import tr
from .json_checks import short_value


MAX_PATH_CHARS = 4096  # no system NN Studio runs on takes longer paths


def path_problem(value: str) -> Optional[str]:
    """Why a text cannot be a file path on any system NN Studio runs on (NUL, lone surrogates, length)."""
    if len(value) > MAX_PATH_CHARS:
        return tr("is too long to be a file path ({count:,} characters)", count=len(value))
    if "\x00" in value:
        return tr("holds a NUL character, which no file name can have")
    try:
        os.fsencode(value)
    except UnicodeError:
        return tr("holds characters that cannot be in a file name")
    return None


def atomic_write_bytes(path: Union[str, Path], data: bytes) -> None:
    """Write `data` to `path` so that a crash leaves either the old file or the new one, never half of one."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        # Remove the half-written temporary file, then let the caller see the original error.
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass  # already moved into place or never created: nothing to clean up
        raise


def atomic_write_text(path: Union[str, Path], text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def read_user_file(path: Union[str, Path], max_bytes: int, error: type, what: str) -> bytes:
    """Read a file the user chose, turning every problem into `error` with a plain message.

    `what` names the kind of file in messages ("a project", "a model bundle"): marked with N_ by the caller,
    translated here."""
    path = Path(path)
    what = tr(what)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(path)
        # A pipe or a device (/dev/zero) has no size and may never end: reading one would hang or fill memory.
        if not stat.S_ISREG(info.st_mode):
            raise error(tr("'{file}' is not a regular file, so it cannot be {what}", file=path.name, what=what))
        if info.st_size > max_bytes:
            raise error(tr("'{file}' is too large to be {what} ({size} MB)", file=path.name, what=what,
                            size=info.st_size // 1_000_000))
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)  # never more than the limit, even if the file grew meanwhile
        if len(data) > max_bytes:
            raise error(tr("'{file}' is too large to be {what}", file=path.name, what=what))
        return data
    except error:
        raise
    except FileNotFoundError:
        raise error(tr("'{path}' does not exist", path=path)) from None
    except IsADirectoryError:
        raise error(tr("'{path}' is a folder, not {what}", path=path, what=what)) from None
    except OSError as exc:
        raise error(tr("'{file}' could not be read: {reason}", file=path.name, reason=exc.strerror or exc)) from None
    except ValueError as exc:  # a path with a NUL character, or one the system cannot encode
        raise error(tr("{path} is not a usable file path ({reason})", path=short_value(str(path), 80),
                       reason=str(exc)[:60])) from None
