"""The only module that writes a note (WRITE-SAFETY.md rows 8-10).

`apply(path, expected, new, root=...)` replaces a note's bytes with `new` only if the
note still holds `expected`, the bytes the new content was computed from:

1. resolve symlinks, so the link stays a link and its target is updated; a link to a
   file outside the vault's real root is refused (`REFUSED`): a vault copied from
   elsewhere may hold such a link, and vaultkit writes only inside the vault;
2. open the note without following a link swapped in meanwhile and without blocking, and
   keep it open to the end; something other than a regular file is refused;
3. read the note: different from `expected` -> `CONFLICT`, equal to `new` -> `UNCHANGED`
   (nothing is written), gone -> `CONFLICT`;
4. refuse a note with more than one hard link (replacing it would split the links and
   writing in place is not atomic) and a note no one may write (mode 0444: the user made
   it read-only, and root, who may write anything, respects that too);
5. write `new` to a dot-prefixed temp file in the same folder (Obsidian ignores dot files;
   the name is cut to fit the 255-byte limit), flush, fsync, copy the mode (and the owner
   when running as root);
6. check once more that the path still names the opened file and that it still holds
   `expected`: if the user saved meanwhile, drop the temp file -> `CONFLICT`;
7. `os.replace` the temp file over the note (never delete and re-create), fsync the folder;
8. read the old file through the descriptor kept open: an editor that appends in place
   between step 6 and the rename wrote into the file the rename just retired. Its bytes
   are put back (through the same kind of temp file, if the note still holds `new`): the
   user's edit wins -> `CONFLICT`, and the blocks are redone later.

The temp file is removed on every path that does not end in the replace. An `OSError` on
the way (a read-only folder, a full disk) becomes a `FAILED` result, never a crash.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

import msgspec

from vaultkit.reading import NotAFile, open_file, read_descriptor, read_file

logger = logging.getLogger(__name__)

TEMP_SUFFIX = ".vaultkit-tmp"


class Outcome(StrEnum):
    WRITTEN = "written"
    UNCHANGED = "unchanged"  # the note already holds `new`: not touched
    CONFLICT = "conflict"  # the note changed (or vanished) since it was read: not touched
    REFUSED = "refused"  # the note cannot be replaced safely: not touched
    FAILED = "failed"  # the file system said no: not touched


class WriteResult(msgspec.Struct, frozen=True):
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

NAME_MAX = 255  # bytes in one file name on every file system vaultkit writes to
RANDOM_PART = 8  # the characters `tempfile.mkstemp` puts between prefix and suffix
GIVE_BACK_TRIES = 3


def apply(path: Path, expected: bytes, new: bytes, *, root: Path) -> WriteResult:
    """Make the note at `path` hold `new`, if it still holds `expected`.

    `root` is the vault's root: a note whose real path is outside it is never written.
    """
    real, outside = _real(path, root)
    if outside is not None:
        return WriteResult(path, Outcome.REFUSED, outside)
    try:
        descriptor = open_file(real, follow_symlinks=False)
    except FileNotFoundError:
        return WriteResult(path, Outcome.CONFLICT, "the note no longer exists")
    except NotAFile:
        return WriteResult(path, Outcome.REFUSED, "not a regular file")
    except OSError as error:
        return WriteResult(path, Outcome.FAILED, _reason(error))
    try:
        return _apply_open(OpenNote(path, real, descriptor, os.fstat(descriptor)), expected, new)
    except OSError as error:
        return WriteResult(path, Outcome.FAILED, _reason(error))
    finally:
        os.close(descriptor)


class OpenNote(msgspec.Struct, frozen=True):
    """The note being written: as given, its real path, and the file opened there."""

    path: Path
    real: Path
    descriptor: int
    info: os.stat_result

    def holds(self, expected: bytes) -> bool:
        """Whether the real path still names the opened file and it holds `expected`."""
        try:
            now = os.stat(self.real, follow_symlinks=False)
        except FileNotFoundError:
            return False
        same = (now.st_dev, now.st_ino) == (self.info.st_dev, self.info.st_ino)
        return same and read_descriptor(self.descriptor) == expected


def _apply_open(note: OpenNote, expected: bytes, new: bytes) -> WriteResult:
    refusal = _refusal(note, read_descriptor(note.descriptor), expected, new)
    if refusal is not None:
        return WriteResult(note.path, *refusal)
    temp = _write_temp(note.real, note.info, new)
    try:
        before_final_check(note.real)
        if not note.holds(expected):
            _remove(temp)
            return WriteResult(
                note.path, Outcome.CONFLICT, "the note changed while it was being written"
            )
        os.replace(temp, note.real)
    except BaseException:
        _remove(temp)
        raise
    _fsync_folder(note.real.parent)
    logger.debug("wrote %s", note.real)
    late = read_descriptor(note.descriptor)
    if late != expected:
        return _give_back(note, late, new)
    return WriteResult(note.path, Outcome.WRITTEN)


def _refusal(
    note: OpenNote, current: bytes, expected: bytes, new: bytes
) -> tuple[Outcome, str] | None:
    info = note.info
    if current != expected:
        return Outcome.CONFLICT, "the note changed since it was read"
    if current == new:
        return Outcome.UNCHANGED, ""
    why = _not_replaceable(note.real, info)
    return None if why is None else (Outcome.REFUSED, why)


def _real(path: Path, root: Path) -> tuple[Path, str | None]:
    """The note's real path, and why it is never written when that is outside `root`."""
    real = Path(os.path.realpath(path))
    if real.is_relative_to(os.path.realpath(root)):
        return real, None
    return real, f"a link to {real}, outside the vault"


def _not_replaceable(real: Path, info: os.stat_result) -> str | None:
    """Why the regular file at `real`, with this stat, is never replaced; None when it may be."""
    if info.st_nlink > 1:
        return f"the note has {info.st_nlink} hard links; replacing it would split them"
    if not info.st_mode & WRITE_BITS or not os.access(real, os.W_OK):
        return "read-only: not written"
    return None


def refused(path: Path, root: Path) -> str | None:
    """Why `apply` would refuse the note at `path` whatever it is asked to write (a link
    out of the vault, not a regular file, hard links, read-only); None when it would not,
    or when the note cannot be looked at now (`apply` then says why)."""
    real, outside = _real(path, root)
    if outside is not None:
        return outside
    try:
        info = os.stat(real, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    return _not_replaceable(real, info)


WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def _give_back(note: OpenNote, late: bytes, new: bytes) -> WriteResult:
    """The user's bytes, written into the retired file after the replace, back in place.

    Only while the note still holds `new` (a later save of theirs is newer still), and
    again if they kept writing into the retired file meanwhile.
    """
    for _ in range(GIVE_BACK_TRIES):
        try:
            if read_file(note.real, follow_symlinks=False) != new:
                break
        except OSError:
            break
        temp = _write_temp(note.real, note.info, late)
        try:
            os.replace(temp, note.real)
        except BaseException:
            _remove(temp)
            raise
        _fsync_folder(note.real.parent)
        again = read_descriptor(note.descriptor)
        if again == late:
            break
        new, late = late, again
    logger.info("%s was edited during the write: the edit was put back", note.real)
    return WriteResult(
        note.path, Outcome.CONFLICT, "the note was edited while it was being replaced"
    )


def _write_temp(real: Path, info: os.stat_result, data: bytes) -> Path:
    """`data` in a new dot-prefixed file beside `real`, flushed to disk, with its mode."""
    import tempfile  # with `shutil` and `random`: 3 ms that a lint asking `refused` skips

    handle, name = tempfile.mkstemp(
        prefix=_temp_prefix(real.name), suffix=TEMP_SUFFIX, dir=real.parent
    )
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


def _temp_prefix(name: str) -> str:
    """`.NAME.`, with NAME cut (at a character) so the whole temp name fits NAME_MAX."""
    room = NAME_MAX - len(os.fsencode(TEMP_SUFFIX)) - RANDOM_PART - 2
    while len(os.fsencode(name)) > room:
        name = name[:-1]
    return f".{name}."


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


def create(path: Path, new: bytes, *, root: Path) -> WriteResult:
    """Make a file that does not exist yet (a managed canvas) hold `new`.

    The bytes go to a dot-prefixed temp file in the same folder first, which is then
    hard-linked to `path`: the file appears whole or not at all, and an existing file
    (the user made one meanwhile) is never replaced -> `CONFLICT`. Missing folders are
    made, never through a link that leads outside the vault's real `root` (`REFUSED`).
    Where hard links are not possible, the file is created exclusively and written.
    """
    existing = path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not Path(os.path.realpath(existing)).is_relative_to(os.path.realpath(root)):
        return WriteResult(path, Outcome.REFUSED, f"{existing} leads outside the vault")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return _create(path, new)
    except FileExistsError:
        return WriteResult(path, Outcome.CONFLICT, "the file was created meanwhile")
    except OSError as error:
        return WriteResult(path, Outcome.FAILED, _reason(error))


def _create(path: Path, new: bytes) -> WriteResult:
    name = f"{_temp_prefix(path.name)}{os.urandom(RANDOM_PART // 2).hex()}{TEMP_SUFFIX}"
    temp = path.parent / name
    _write_new(temp, new)
    try:
        os.link(temp, path)
    except FileExistsError:
        raise
    except OSError:  # no hard links on this file system
        _write_new(path, new)
    finally:
        _remove(temp)
    _fsync_folder(path.parent)
    logger.debug("created %s", path)
    return WriteResult(path, Outcome.WRITTEN)


def _write_new(path: Path, data: bytes) -> None:
    """`data` in a file that must not exist yet, with the mode the umask gives new files."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        _remove(path)
        raise
