"""The only module that writes a note (WRITE-SAFETY.md rows 8-10).

`apply(path, expected, new)` replaces a note's bytes with `new` only if the note still
holds `expected`, the bytes the new content was computed from:

1. resolve symlinks, so the link stays a link and its target is updated;
2. read the note: gone or different from `expected` -> `CONFLICT`, equal to `new` ->
   `UNCHANGED` (nothing is written);
3. refuse a note with more than one hard link (`REFUSED`): replacing it would split the
   links and writing in place is not atomic, so neither is worth the risk;
4. write `new` to a dot-prefixed temp file in the same folder (Obsidian ignores dot files),
   flush, fsync, copy the mode (and the owner when running as root);
5. read the note once more: if the user saved meanwhile, drop the temp file -> `CONFLICT`;
6. `os.replace` the temp file over the note (never delete and re-create), fsync the folder.

The temp file is removed on every path that does not end in the replace. An `OSError` on
the way (a read-only folder, a full disk) becomes a `FAILED` result, never a crash.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

logger = logging.getLogger(__name__)

TEMP_SUFFIX = ".vaultkit-tmp"


class Outcome(StrEnum):
    WRITTEN = "written"
    UNCHANGED = "unchanged"  # the note already holds `new`: not touched
    CONFLICT = "conflict"  # the note changed (or vanished) since it was read: not touched
    REFUSED = "refused"  # the note cannot be replaced safely: not touched
    FAILED = "failed"  # the file system said no: not touched


@dataclass(frozen=True, slots=True)
class WriteResult:
    path: Path  # the path given
    outcome: Outcome
    detail: str = ""  # why, for CONFLICT, REFUSED and FAILED

    @property
    def written(self) -> bool:
        return self.outcome is Outcome.WRITTEN


def _no_race(path: Path) -> None:
    """Default for `before_final_check`: nothing happens between the two reads."""


# Called with the real path after the first check and the temp file are done, just
# before the final re-read and the replace. Tests set it to save the note at that moment
# to prove a racing save is never lost.
before_final_check: Callable[[Path], None] = _no_race


def apply(path: Path, expected: bytes, new: bytes) -> WriteResult:
    """Make the note at `path` hold `new`, if it still holds `expected`."""
    real = Path(os.path.realpath(path))
    try:
        info = os.stat(real)
        if not stat.S_ISREG(info.st_mode):
            return WriteResult(path, Outcome.REFUSED, "not a regular file")
        current = real.read_bytes()
    except FileNotFoundError:
        return WriteResult(path, Outcome.CONFLICT, "the note no longer exists")
    except OSError as error:
        return WriteResult(path, Outcome.FAILED, _reason(error))
    refusal = _refusal(info, current, expected, new)
    if refusal is not None:
        return WriteResult(path, *refusal)
    try:
        return _replace(path, real, info, expected, new)
    except OSError as error:
        return WriteResult(path, Outcome.FAILED, _reason(error))


def _refusal(
    info: os.stat_result, current: bytes, expected: bytes, new: bytes
) -> tuple[Outcome, str] | None:
    if current != expected:
        return Outcome.CONFLICT, "the note changed since it was read"
    if current == new:
        return Outcome.UNCHANGED, ""
    if info.st_nlink > 1:
        return (
            Outcome.REFUSED,
            f"the note has {info.st_nlink} hard links; replacing it would split them",
        )
    return None


def _replace(
    path: Path, real: Path, info: os.stat_result, expected: bytes, new: bytes
) -> WriteResult:
    temp = _write_temp(real, info, new)
    try:
        before_final_check(real)
        if real.read_bytes() != expected:
            _remove(temp)
            return WriteResult(
                path, Outcome.CONFLICT, "the note changed while it was being written"
            )
        os.replace(temp, real)
    except BaseException:
        _remove(temp)
        raise
    _fsync_folder(real.parent)
    logger.debug("wrote %s", real)
    return WriteResult(path, Outcome.WRITTEN)


def _write_temp(real: Path, info: os.stat_result, data: bytes) -> Path:
    """`data` in a new dot-prefixed file beside `real`, flushed to disk, with its mode."""
    handle, name = tempfile.mkstemp(prefix=f".{real.name}.", suffix=TEMP_SUFFIX, dir=real.parent)
    temp = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
            # mkstemp makes 0600 files; the note keeps the mode it had.
            os.fchmod(file.fileno(), stat.S_IMODE(info.st_mode))
            if os.geteuid() == 0:
                os.fchown(file.fileno(), info.st_uid, info.st_gid)
    except BaseException:
        _remove(temp)
        raise
    return temp


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError as error:
        # The note is already replaced; only durability across a power cut is in doubt.
        logger.warning("could not fsync %s: %s", folder, _reason(error))


def _remove(temp: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        temp.unlink()


def _reason(error: OSError) -> str:
    return error.strerror or str(error)
