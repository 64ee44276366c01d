"""Parsed notes kept between runs, by content, outside the vault.

A parsed note depends only on its path and bytes (and on vaultkit's own code), so a note
whose bytes hash to the digest of its cached copy is that copy. One file per vault, in
`$VAULTKIT_CACHE_DIR`, else `$XDG_CACHE_HOME/vaultkit`, else `~/.cache/vaultkit`; an
empty `VAULTKIT_CACHE_DIR` turns the cache off. Nothing is ever written into the vault.

The cache is only an accelerator: a file that is missing, unreadable, from another
version of vaultkit (`stamp`) or not what vaultkit wrote is treated as empty, and a cache
that cannot be written is skipped. Either way the vault is parsed as without one.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import logging
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from importlib import metadata
from pathlib import Path, PurePosixPath

from vaultkit.model import Note

logger = logging.getLogger(__name__)

CACHE_ENV = "VAULTKIT_CACHE_DIR"
FORGET_AFTER = 30 * 24 * 3600.0  # seconds: the cache of a vault not opened since is removed
PACKAGE = Path(__file__).resolve().parent


@functools.cache  # asked for only when a cache is read or written
def stamp() -> str:
    """What the cached notes were made by: vaultkit's source, Python, the parsers."""
    digest = hashlib.sha256(sys.version.encode())
    for name in ("markdown-it-py", "mdit-py-plugins", "PyYAML"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f"{name}={metadata.version(name)}".encode())
    for source in sorted(PACKAGE.rglob("*.py")):
        digest.update(source.relative_to(PACKAGE).as_posix().encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def cache_dir() -> Path | None:
    """Where the cache files go; None when the cache is turned off."""
    given = os.environ.get(CACHE_ENV)
    if given is not None:
        return Path(given) if given else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "vaultkit"


class NoteCache:
    """The notes of one vault as last parsed: `get` them by content, `save` the new set."""

    def __init__(self, file: Path, notes: Mapping[PurePosixPath, Note]) -> None:
        self.file = file
        self._notes = dict(notes)

    @classmethod
    def open(cls, root: Path) -> NoteCache | None:
        """The cache of the vault at `root` (empty when there is none); None when off."""
        folder = cache_dir()
        if folder is None:
            return None
        name = hashlib.sha256(os.fsencode(root.resolve())).hexdigest()[:32]
        file = folder / f"{name}.pickle"
        return cls(file, _read(file))

    def get(self, path: PurePosixPath, digest: str) -> Note | None:
        """The cached note at `path` if it was parsed from bytes with this digest."""
        note = self._notes.get(path)
        return note if note is not None and note.digest == digest else None

    def save(self, notes: Mapping[PurePosixPath, Note]) -> None:
        """Keep exactly `notes`; written only when they differ from what is kept."""
        if notes.keys() == self._notes.keys() and all(
            self._notes[path] is note for path, note in notes.items()
        ):
            return
        self._notes = dict(notes)
        try:
            _write(self.file, (stamp(), self._notes))
        except OSError as error:
            logger.debug("not caching parsed notes in %s: %s", self.file, error)
            return
        _forget_old(self.file.parent, time.time() - FORGET_AFTER)


def _read(file: Path) -> dict[PurePosixPath, Note]:
    try:
        with open(file, "rb") as source:
            if not _trusted(os.fstat(source.fileno())):
                return {}
            data = source.read()
    except OSError:
        return {}
    try:
        with _no_gc():  # millions of new objects, none of them garbage
            made_by, notes = pickle.loads(data)
    except Exception:  # a cache that is not what we wrote is no cache
        return {}
    if made_by != stamp() or not isinstance(notes, dict):
        return {}
    return notes


def _trusted(stat: os.stat_result) -> bool:
    """Unpickling runs code: only a file of this user's that no one else can write."""
    mine = not hasattr(os, "getuid") or stat.st_uid == os.getuid()
    return mine and not stat.st_mode & 0o022


def _write(file: Path, value: object) -> None:
    file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with _no_gc():
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    fd, temp = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, file)  # another run writing at once: the last one wins, whole
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _forget_old(folder: Path, before: float) -> None:
    """Remove the caches (and stray temp files) last written before `before`: vaults
    moved, deleted, or cloned once into a temporary folder."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name.endswith(".pickle") or entry.name.startswith("."):
                with contextlib.suppress(OSError):
                    if entry.stat().st_mtime < before:
                        os.unlink(entry.path)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
