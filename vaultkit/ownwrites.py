"""Telling the watcher's own writes from the user's: the file exactly as it was written.

Content alone cannot tell them apart: a user who restores the bytes vaultkit wrote earlier
(`cp`, `git reset --hard`, an editor's undo) changed the note as much as any edit. So each
write is remembered by the file's stamp right after it (device, inode, size, modification
and change times): `cp` writes in place and moves the times, git and most editors make a
new inode. A write makes one event on the note (the rename of its temp file over it), so
a stamp answers for one event only.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

import msgspec


class Stamp(msgspec.Struct, frozen=True):
    device: int
    inode: int
    size: int
    modified_ns: int
    changed_ns: int

    @classmethod
    def of(cls, info: os.stat_result) -> Stamp:
        return cls(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def stamp(file: Path) -> Stamp | None:
    try:
        return Stamp.of(os.stat(file))
    except OSError:
        return None


def stamp_holding(file: Path, data: bytes) -> Stamp | None:
    """The file's stamp if it holds exactly `data`, else None (someone wrote meanwhile)."""
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if info.st_size != len(data) or handle.read(len(data) + 1) != data:
                return None
    except OSError:
        return None
    return Stamp.of(info)


class OwnWrites:
    """The notes the watcher wrote in the vault at `root`, with their stamps after the write."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._event: dict[PurePosixPath, Stamp] = {}  # answers for the next event
        self._unread: dict[PurePosixPath, Stamp] = {}  # until read back into the vault

    def record(self, path: PurePosixPath, data: bytes) -> None:
        """`data` was just written to the note `path`."""
        found = stamp_holding(self.root / path, data)
        if found is None:  # changed already: whatever comes next is the user's
            self._event.pop(path, None)
            self._unread.pop(path, None)
        else:
            self._event[path] = self._unread[path] = found

    def claims(self, path: PurePosixPath) -> bool:
        """Whether an event on `path` is the one our last write made (asked once per event)."""
        expected = self._event.pop(path, None)
        return expected is not None and expected == stamp(self.root / path)

    def unobserved(self) -> None:
        """The writes so far were made before the observer started: they make no event."""
        self._event.clear()

    def waiting(self) -> bool:
        """Whether some write is not read back yet."""
        return bool(self._unread)

    def take_unread(
        self, besides: Iterable[PurePosixPath] = ()
    ) -> tuple[list[PurePosixPath], list[PurePosixPath]]:
        """The writes not read back yet, but `besides`: (still as written, changed since).

        Each is answered once.
        """
        skip = set(besides)
        ours: list[PurePosixPath] = []
        changed: list[PurePosixPath] = []
        for path, expected in sorted(self._unread.items()):
            if path not in skip:
                (ours if stamp(self.root / path) == expected else changed).append(path)
        self._unread.clear()
        return ours, changed
