"""Read a file of the vault (a note, a configuration file) without ever hanging on it.

A vault can hold anything a file system can: a FIFO where a note was, a socket, a link to
a device. `open()` on a FIFO blocks until someone writes to it (and Python retries it
when a signal arrives, so not even Ctrl-C stops it), and reading `/dev/zero` never ends.
Every read therefore opens without blocking, checks on the open descriptor that it is a
regular file, and only then reads: anything else is a `NotAFile` error, an `OSError` like
every other reason a file cannot be read.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

CHUNK = 1 << 20


class NotAFile(OSError):
    """The path exists but is not a regular file (a FIFO, a socket, a device, a folder)."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(errno.EINVAL, "not a regular file", os.fspath(path))


def open_file(path: Path | str, *, follow_symlinks: bool = True) -> int:
    """A read-only descriptor of the regular file at `path`; the caller closes it.

    Raises `NotAFile` for anything but a regular file, and the `OSError` of `open`
    otherwise (with `follow_symlinks=False`, a symbolic link is `ELOOP`).
    """
    return _open_regular(path, follow_symlinks)[0]


def _open_regular(path: Path | str, follow_symlinks: bool) -> tuple[int, os.stat_result]:
    """`open_file`'s descriptor, and the file's stat as it was opened."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
    if not follow_symlinks:
        flags |= os.O_NOFOLLOW
    descriptor = os.open(path, flags)
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise NotAFile(path)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor, status


def read_descriptor(descriptor: int, size: int = -1) -> bytes:
    """Every byte of an open file, from its start, whatever its offset.

    `size` is what the file's stat said: one read of a byte more ends it when the file
    still has that size (a read of a regular file comes back short only at its end), not
    a read of `CHUNK` bytes and another to find the end. A file that grew or shrank
    since is read on to its end as ever."""
    chunks = []
    offset = 0
    if size >= 0:
        first = os.pread(descriptor, size + 1, 0)
        if len(first) == size:
            return first
        chunks.append(first)
        offset = len(first)
    while chunk := os.pread(descriptor, CHUNK, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def read_file(path: Path | str, *, follow_symlinks: bool = True) -> bytes:
    """The bytes of the regular file at `path`."""
    return read_stated(path, follow_symlinks=follow_symlinks)[0]


def read_stated(path: Path | str, *, follow_symlinks: bool = True) -> tuple[bytes, os.stat_result]:
    """The bytes of the regular file at `path`, and its stat as it was opened to be read:
    the bytes that stat tells unchanged later (`cache.file_stat`), taken from the one
    `fstat` that checks the file is regular, not by a `stat` of its own."""
    descriptor, status = _open_regular(path, follow_symlinks)
    try:
        return read_descriptor(descriptor, status.st_size), status
    finally:
        os.close(descriptor)
