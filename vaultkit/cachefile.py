"""vaultkit's cache files on disk: opened only when that is safe, removed only when they
are provably vaultkit's (`cache.py` says what they hold).

A cache file is used only if it is a regular file of this user's, in a folder only this user
can write, no larger than `MAX_BYTES`, and an SQLite database with vaultkit's application
id, opened without following links and without blocking. Anything else is a `CacheError`
(the caller then goes on without a cache). Cleanup removes only files in vaultkit's own
folder, named as vaultkit names them, owned by this user, starting with its SQLite header.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import stat as stat_module
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

T = TypeVar("T")

NAME_RE = re.compile(r"[0-9a-f]{32}\.sqlite")  # what vaultkit names its cache files
APPLICATION_ID = 0x564B5043  # "VKPC", at byte 68 of the SQLite header
MAX_BYTES = 1 << 30  # a larger cache file is not read
SQLITE_HEADER = b"SQLite format 3\0"


class CacheError(Exception):
    """The cache file is not one vaultkit can use; the message says why."""


def open_checked(
    file: Path, timeout: float, prepare: Callable[[sqlite3.Connection], T]
) -> tuple[sqlite3.Connection, T]:
    """An open connection to the cache file (made if missing), after every check, and what
    `prepare` reads from it; a damaged file of vaultkit's is removed, to be made again next
    time. Raises `CacheError`."""
    dir_fd = _private_folder(file.parent)
    try:
        fd = _open_file(dir_fd, file.name)
        try:
            st = os.fstat(fd)
            _check_file(st)
            if st.st_size and not _is_ours(os.pread(fd, 100, 0)):
                raise CacheError("not a vaultkit cache (remove it to cache again)")
            db = _sqlite(file, dir_fd, st, timeout)
            if time.time() - st.st_mtime > 24 * 3600:  # in use: not to be forgotten
                os.utime(fd)
        finally:
            os.close(fd)
        try:
            return db, prepare(db)
        except BaseException as error:
            db.close()
            if isinstance(error, sqlite3.DatabaseError) and _damaged(error):
                os.unlink(file.name, dir_fd=dir_fd)
                raise CacheError(f"{error} (removed)") from None
            raise
    except sqlite3.Error as error:
        raise CacheError(str(error)) from None
    except OSError as error:
        raise CacheError(error.strerror or str(error)) from None
    finally:
        os.close(dir_fd)


def _sqlite(file: Path, dir_fd: int, st: os.stat_result, timeout: float) -> sqlite3.Connection:
    """SQLite on the file checked as `st`, still the file at that name."""
    db = sqlite3.connect(
        f"file:{quote(os.fspath(file))}?mode=rw",
        uri=True,
        timeout=timeout,
        isolation_level=None,  # transactions are explicit: `_transaction`
    )
    now = os.stat(file.name, dir_fd=dir_fd, follow_symlinks=False)
    if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
        db.close()
        raise CacheError("replaced while it was opened")
    return db


def _damaged(error: sqlite3.DatabaseError) -> bool:
    """Whether SQLite found the file damaged (not merely busy)."""
    return getattr(error, "sqlite_errorcode", None) in (11, 26)  # SQLITE_CORRUPT, _NOTADB


def _private_folder(folder: Path) -> int:
    """vaultkit's folder, made if missing, open: a folder of this user's no one else can write."""
    try:
        folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        raise CacheError(f"{folder}: {error.strerror or error}") from None
    st = os.fstat(dir_fd)
    if st.st_uid != os.getuid() or st.st_mode & 0o022:
        os.close(dir_fd)
        raise CacheError(f"{folder}: a folder others can write, or another user's")
    return dir_fd


def _open_file(dir_fd: int, name: str) -> int:
    flags = os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        return os.open(name, flags, dir_fd=dir_fd)
    except FileNotFoundError:
        pass
    try:
        return os.open(name, flags | os.O_CREAT | os.O_EXCL, 0o600, dir_fd=dir_fd)
    except FileExistsError:  # another vaultkit made it meanwhile
        return os.open(name, flags, dir_fd=dir_fd)


def _check_file(st: os.stat_result) -> None:
    if not stat_module.S_ISREG(st.st_mode):
        raise CacheError("not a regular file")
    if st.st_uid != os.getuid() or st.st_mode & 0o022:
        raise CacheError("a file others can write, or another user's")
    if st.st_size > MAX_BYTES:
        raise CacheError(f"larger than {MAX_BYTES >> 20} MiB")


def _is_ours(header: bytes) -> bool:
    """Whether a file starts as vaultkit's cache files do: SQLite, vaultkit's application id."""
    return header[:16] == SQLITE_HEADER and header[68:72] == APPLICATION_ID.to_bytes(4, "big")


@contextlib.contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")  # the write lock now: no reader turns writer midway
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def forget_old(folder: Path, before: float, keep: str) -> None:
    """Remove the caches of vaults not opened since `before` (moved, deleted, or cloned
    once into a temporary folder): only files vaultkit can show it wrote."""
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.name != keep and NAME_RE.fullmatch(entry.name):
                with contextlib.suppress(OSError):
                    _forget(folder, entry.name, before)


def _forget(folder: Path, name: str, before: float) -> None:
    fd = os.open(folder / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat_module.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
            return
        if st.st_mtime >= before or not _is_ours(os.pread(fd, 100, 0)):
            return
    finally:
        os.close(fd)
    os.unlink(folder / name)
    journal = folder / f"{name}-journal"  # SQLite's, beside the file it belongs to
    if journal.is_file() and not journal.is_symlink():
        os.unlink(journal)
