"""One watcher per vault: an exclusive `flock` on a dot-named file at the vault root.

The lock file is vaultkit's own: a regular file with one link, owned by the user, that
holds nothing but a pid. Anything else at its path (a symbolic link planted to make the
watcher overwrite a file elsewhere, a hard link to such a file, a FIFO, a file with other
content) is refused and left exactly as it was, and only the file the watcher itself
holds is ever removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from pathlib import Path

LOCK_NAME = ".vaultkit-watch.lock"  # dot-named: Obsidian, discovery and the watcher skip it
MAX_CONTENT = 32  # a pid and a newline; anything longer is not a lock vaultkit wrote
OPEN_FLAGS = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY


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
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pid = os.read(fd, MAX_CONTENT).decode("ascii", "replace").strip()
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
        if self._is_current(self._fd):  # never remove a file put in its place meanwhile
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()  # while still locked, so no one locks a file about to vanish
        os.close(self._fd)
        self._fd = None

    def _open(self) -> int:
        """The lock file, opened without following a link; refused unless it is ours."""
        try:
            fd = os.open(self.path, OPEN_FLAGS, 0o644)
        except OSError as error:
            if self.path.is_symlink():
                raise WatchError(self._refusal("is a symbolic link")) from None
            raise WatchError(f"cannot create the lock file {self.path}: {error}") from None
        problem = _not_ours(fd)
        if problem is not None:
            os.close(fd)
            raise WatchError(self._refusal(problem))
        return fd

    def _refusal(self, problem: str) -> str:
        return f"the lock file {self.path} {problem}: not vaultkit's; remove it if it is not yours"

    def _is_current(self, fd: int) -> bool:
        try:
            on_disk = os.stat(self.path, follow_symlinks=False)
        except FileNotFoundError:
            return False
        held = os.fstat(fd)
        return (on_disk.st_dev, on_disk.st_ino) == (held.st_dev, held.st_ino)


def _not_ours(fd: int) -> str | None:
    """Why the open file is not a lock vaultkit made, or None when it is one."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    if info.st_nlink != 1:
        return f"has {info.st_nlink} hard links"
    if info.st_uid != os.geteuid():
        return "belongs to another user"
    if info.st_size > MAX_CONTENT:
        return "holds more than a pid"
    content = os.pread(fd, MAX_CONTENT, 0).strip()
    if content and not content.isdigit():
        return "holds more than a pid"
    return None
