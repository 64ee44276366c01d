"""A vault read from disk: its files, every note parsed, and the link index.

This is where discovery, parsing and indexing meet. Parsing is pure and depends only on a
note's bytes, so large vaults are parsed in worker processes, a note whose bytes did not
change since the last run is taken from the cache (`cache.py`), and `refresh` re-parses
only the notes that changed (the watcher relies on it).
"""

from __future__ import annotations

import itertools
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import TypeVar

from vaultkit.cache import CacheError, NoteCache, Stat, decode, decoder_for, encode, file_stat
from vaultkit.config import Config
from vaultkit.discover import discover
from vaultkit.index import LinkIndex
from vaultkit.model import Note, Unread, VaultFiles, content_digest
from vaultkit.parse import is_skimmed, parse_note
from vaultkit.reading import read_file

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Told how far parsing has got, (what, done, total), when a run wants to show it (`meter`).
PARSE_PROGRESS: ContextVar[Callable[[str, int, int], None] | None] = ContextVar(
    "parse_progress", default=None
)

# Below this many notes, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 1500


@dataclass(frozen=True, slots=True)
class Vault:
    root: Path
    files: VaultFiles
    notes: Mapping[PurePosixPath, Note]  # every .md note; excluded ones too (link targets)
    index: LinkIndex
    config: Config

    def is_linted(self, path: PurePosixPath) -> bool:
        """Whether findings and progress are reported for a note (not excluded)."""
        return path in self.notes and path not in self.files.excluded

    def read_bytes(self, path: PurePosixPath) -> bytes:
        """The note as it is on disk now (it may have changed since it was parsed)."""
        return read_file(self.root / path)

    def unchanged_on_disk(self, path: PurePosixPath) -> bool:
        """Whether the note's file still holds the bytes it was parsed from."""
        try:
            return self.notes[path].parsed_from(self.read_bytes(path))
        except OSError:
            return False


def load_vault(root: Path, config: Config) -> Vault:
    """The vault at `root`: every note parsed, or taken from the cache when unchanged."""
    files = discover(root, config)
    cache = NoteCache.open(root)
    if cache is None:
        return _assemble(root, files, _parse_all(root, files.notes, config.max_note_size), config)
    with cache:
        try:
            notes = _parse_with(cache, root, files.notes, config.max_note_size)
        except CacheError as error:  # then nothing it holds is used
            logger.warning("not using the parse cache %s: %s", cache.file, error)
            notes = _parse_with(cache.forgotten(), root, files.notes, config.max_note_size)
        cache.save(notes)
    return _assemble(root, files, notes, config)


def reread(vault: Vault) -> Vault:
    """The vault as it is on disk now: discovered again and every note read again.

    A note whose bytes are the ones `vault` parsed is taken from it (parsing depends only
    on the bytes); the others are parsed. What the watcher compares its state with.
    """
    root, config = vault.root, vault.config
    files = discover(root, config)
    notes: dict[PurePosixPath, Note | None] = {}
    unparsed = []
    for path in files.notes:
        known = vault.notes.get(path)
        try:
            data = read_file(root / path)
        except OSError:
            continue  # gone or not readable: not a note
        if (
            known is not None
            and known.parsed_from(data)
            and is_skimmed(known) == (len(data) > config.max_note_size)
        ):
            notes[path] = known
        else:
            notes[path] = None
            unparsed.append(path)
    notes.update(_parse_all(root, tuple(unparsed), config.max_note_size))
    found = {path: note for path, note in notes.items() if note is not None}  # in path order
    return _assemble(root, files, found, config)


def refresh(vault: Vault, changed: Iterable[PurePosixPath]) -> Vault:
    """The vault after `changed` paths were added, modified or deleted on disk.

    Only those notes are read again (in worker processes when there are many). When the
    set of files changed, discovery runs again (it is cheap) so that exclusions and the
    link index stay exact, and every note it finds that was not read yet is read too: a
    note renamed is deleted under one name and created under another, and the vault must
    not hold a file name without its note when only one of them is refreshed.
    """
    changed = set(changed)
    present = {path for path in changed if (vault.root / path).is_file()}
    known = set(vault.files.notes) | set(vault.files.attachments)
    files = vault.files
    if present != changed & known or not present <= known:
        files = discover(vault.root, vault.config)
    kept = {path: note for path, note in vault.notes.items() if path not in changed}
    paths = tuple(sorted(set(files.notes) - kept.keys()))
    parsed = _parse_all(vault.root, paths, vault.config.max_note_size)
    if files is vault.files and parsed.keys() == changed & vault.notes.keys():
        # Only contents changed: the same notes in the same order, the same file names.
        notes = dict(vault.notes)
        notes.update(parsed)
        frozen = MappingProxyType(notes)
        return replace(vault, notes=frozen, index=vault.index.with_notes(frozen))
    if files is vault.files:
        # A note could be read now and not before, or the other way round: its name comes
        # or goes for link resolution, which goes by `files` (so a new one, then).
        files = discover(vault.root, vault.config)
    notes = {**kept, **parsed}
    ordered = {path: notes[path] for path in files.notes if path in notes}
    return _assemble(vault.root, files, ordered, vault.config)


def _assemble(
    root: Path, files: VaultFiles, notes: Mapping[PurePosixPath, Note], config: Config
) -> Vault:
    files = _mark_unread(root, files, notes)
    frozen = MappingProxyType(dict(notes))
    return Vault(root, files, frozen, _index(frozen, files), config)


def _mark_unread(root: Path, files: VaultFiles, notes: Mapping[PurePosixPath, Note]) -> VaultFiles:
    """`files`, with the notes that could not be read though they are still there (no
    permission, an I/O error, a FIFO put in a note's place) marked: the vault is not whole."""
    lost = [path for path in files.notes if path not in notes and os.path.lexists(root / path)]
    if not lost:
        return files
    unread = tuple(Unread(path, "could not be read", hides_notes=True) for path in lost)
    for entry in unread:
        logger.warning("skipped %s: %s", entry.path, entry.reason)
    return replace(files, unread=files.unread + unread)


def _index(notes: Mapping[PurePosixPath, Note], files: VaultFiles) -> LinkIndex:
    return LinkIndex(notes, files.attachments)


def _read_and_parse(root: Path, path: PurePosixPath, max_size: int) -> Note | None:
    """Parse one note; None when it vanished or cannot be read (it is then not a note)."""
    try:
        data = read_file(root / path)
    except OSError:
        return None
    return parse_note(path, data, max_size)


def _parse_with(
    cache: NoteCache, root: Path, paths: tuple[PurePosixPath, ...], max_size: int
) -> dict[PurePosixPath, Note]:
    """Every note: the cached one when its file's stat, or else its bytes, are unchanged,
    and it was parsed or skimmed as the size cap asks now."""
    now = time.time_ns()
    stats: dict[PurePosixPath, Stat | None] = {}
    base = os.fspath(root)
    for path in paths:
        try:
            stats[path] = file_stat(os.stat(f"{base}/{path}"), now)
        except OSError:
            continue  # gone or not readable: not a note, as without a cache
    notes: dict[PurePosixPath, Note | None] = dict.fromkeys(stats)
    for path, hit in cache.unchanged(stats).items():
        size = stats[path][0]  # type: ignore[index]  # a hit has a stat
        notes[path] = hit if is_skimmed(hit) == (size > max_size) else None
    unparsed: dict[PurePosixPath, bytes | None] = {}
    for path, note in notes.items():
        if note is not None:
            continue
        if not cache.holds(path):
            unparsed[path] = None  # nothing to compare the bytes with: read when parsed
            continue
        try:
            data = read_file(root / path)
        except OSError:
            continue
        kept = cache.same_bytes(path, content_digest(data))
        if kept is None or is_skimmed(kept) != (len(data) > max_size):
            unparsed[path] = data
        else:
            notes[path] = kept
            cache.keep(path, stats[path], kept, parsed=False)
    for note, blob in _parse_many(root, unparsed, max_size):
        notes[note.path] = note
        cache.keep(note.path, stats[note.path], note, parsed=True, blob=blob)
    return {path: note for path, note in notes.items() if note is not None}  # in path order


def _parse_all(
    root: Path, paths: tuple[PurePosixPath, ...], max_size: int
) -> dict[PurePosixPath, Note]:
    return {note.path: note for note, _ in _parse_many(root, dict.fromkeys(paths), max_size)}


def _parse_many(
    root: Path, unparsed: Mapping[PurePosixPath, bytes | None], max_size: int
) -> Iterator[tuple[Note, bytes | None]]:
    """Each note parsed from its bytes (read now where None), in order, with the note as
    the cache keeps it when it was encoded on the way; one that cannot be read is left out.

    Many notes are parsed in worker processes, which read the files themselves (cheaper
    than sending them the bytes) and send each note back as the cache's MessagePack:
    a quarter of the cost of pickling the dataclasses, on both sides, and the cache then
    stores those bytes as they are.
    """
    workers = min(os.cpu_count() or 1, 4)
    if len(unparsed) < PARALLEL_THRESHOLD or workers < 2:
        for path, data in _counted(unparsed.items(), len(unparsed)):
            note = (
                _read_and_parse(root, path, max_size)
                if data is None
                else parse_note(path, data, max_size)
            )
            if note is not None:
                yield note, None
        return
    paths = list(unparsed)
    size = max(200, len(paths) // (workers * 4))
    chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
    decoder = decoder_for({str(path): path for path in paths})
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(_parse_chunk, [root] * len(chunks), chunks, [max_size] * len(chunks))
        weights = [len(chunk) for chunk in chunks]
        for sent in _counted(results, len(paths), weights):
            for item in sent:
                note = decode(item, decoder) if isinstance(item, bytes) else item
                if note is not None:
                    yield note, item if isinstance(item, bytes) else None


def _parse_chunk(
    root: Path, paths: list[PurePosixPath], max_size: int
) -> list[bytes | Note | None]:
    """In a worker: each note encoded for the cache, or as itself when it cannot be."""
    sent: list[bytes | Note | None] = []
    for path in paths:
        note = _read_and_parse(root, path, max_size)
        blob = None if note is None else encode(note)
        sent.append(note if blob is None else blob)
    return sent


def _counted(items: Iterable[T], total: int, weights: Iterable[int] = ()) -> Iterator[T]:
    """`items`, telling `PARSE_PROGRESS` how many notes are parsed as each one is reached
    (an item is as many notes as its weight, else one)."""
    tell = PARSE_PROGRESS.get()
    if tell is None:
        yield from items
        return
    done = 0
    for item, weight in zip(items, itertools.chain(weights, itertools.repeat(1)), strict=False):
        yield item
        done += weight
        tell("parsing notes", done, total)
