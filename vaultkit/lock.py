"""One watcher per vault: an exclusive `flock` on a dot-named file at the vault root."""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

LOCK_NAME = ".vaultkit-watch.lock"  # dot-named: Obsidian, discovery and the watcher skip it


class WatchError(Exception):
    """The watcher cannot start: `cli` prints `vaultkit: error: ...` and exits 2."""


class VaultLock:
    """An exclusive `flock` on `LOCK_NAME` at the vault root, holding the owner's pid.

    The kernel drops the lock when the process dies, so a crash never leaves the vault
    locked; the file is removed on a clean exit.
    """

    def __init__(self, root: Path) -> None:
        self.path = root / LOCK_NAME
        self._fd: int | None = None

    def __enter__(self) -> VaultLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as error:
                raise WatchError(f"cannot create the lock file {self.path}: {error}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pid = os.read(fd, 32).decode("ascii", "replace").strip()
                os.close(fd)
                owner = f" (pid {pid})" if pid.isdigit() else ""
                raise WatchError(
                    f"another vaultkit watch is running on this vault{owner}"
                ) from None
            if self._is_current(fd):
                break
            os.close(fd)  # an exiting watcher unlinked it after we opened it: start over
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # while still locked, so no one locks a file about to vanish
        os.close(self._fd)
        self._fd = None

    def _is_current(self, fd: int) -> bool:
        try:
            on_disk = self.path.stat()
        except FileNotFoundError:
            return False
        held = os.fstat(fd)
        return (on_disk.st_dev, on_disk.st_ino) == (held.st_dev, held.st_ino)
