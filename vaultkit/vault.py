"""A vault read from disk: its files, every note parsed, and the link index.

This is where discovery, parsing and indexing meet. Parsing is pure and depends only on a
note's bytes, so large vaults are parsed in worker processes, a note whose bytes did not
change since the last run is taken from the cache (`cache.py`), and `refresh` re-parses
only the notes that changed (the watcher relies on it).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import itertools
import logging
import marshal
import os
from collections.abc import Callable, ItemsView, Iterable, Iterator, Mapping, ValuesView
from contextvars import ContextVar
from importlib import import_module
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import TypeVar, cast

import msgspec
import msgspec.structs
from msgspec.structs import replace

from vaultkit import lastrun
from vaultkit.cache import Named, NoteCache, Pending, Stat, file_stats, trusted, whole_stat
from vaultkit.config import Config
from vaultkit.discover import Survey, as_path, discover, each_note_stat, survey
from vaultkit.index import LinkIndex
from vaultkit.model import Note, Unread, VaultFiles, content_digest, path_order
from vaultkit.nogc import no_gc
from vaultkit.reading import read_file, read_stated
from vaultkit.results import KeptNames, Memo, earlier, recorded, seen, seen_with

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Told how far a long step (parsing the notes, running the lint rules) has got, as
# (what, done, total), when a run wants to show it (`meter`).
PROGRESS: ContextVar[Callable[[str, int, int], None] | None] = ContextVar("progress", default=None)

# The modules a run imports once the notes are parsed (by name), when it says so: imported
# while worker processes parse, by this process, which otherwise waits on them.
NEXT_MODULES: ContextVar[tuple[str, ...]] = ContextVar("next_modules", default=())

# Below this many notes, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 1500


class Vault(msgspec.Struct, frozen=True):
    root: Path
    files: VaultFiles
    notes: Mapping[PurePosixPath, Note]  # every .md note; excluded ones too (link targets)
    index: LinkIndex
    config: Config
    memo: Memo | None = None  # what earlier runs computed from the vault in this state

    def is_linted(self, path: PurePosixPath) -> bool:
        """Whether findings and progress are reported for a note (not excluded)."""
        return path in self.notes and path not in self.files.excluded

    def linted_among(self, wanted: frozenset[PurePosixPath] | None) -> tuple[PurePosixPath, ...]:
        """The linted notes among `wanted` (None: every note), in path order: the vault's
        own, so they are picked in one pass over it, and not sorted."""
        excluded = self.files.excluded
        if wanted is None:
            if not excluded:
                return tuple(self.notes)
            return tuple(path for path in self.notes if path not in excluded)
        return tuple(path for path in self.notes if path in wanted and path not in excluded)

    def read_bytes(self, path: PurePosixPath) -> bytes:
        """The note as it is on disk now (it may have changed since it was parsed)."""
        return read_file(os.path.join(self.root, path))  # not `/`: it parses the path again

    def unchanged_on_disk(self, path: PurePosixPath) -> bool:
        """Whether the note's file still holds the bytes it was parsed from."""
        try:
            return self.notes[path].parsed_from(self.read_bytes(path))
        except OSError:
            return False


def load_vault(root: Path, config: Config) -> Vault:
    """The vault at `root`: every note parsed, or taken from the cache when unchanged, with
    what earlier runs computed from it (`results`). When there is something to recall, the
    cached notes are decoded only when asked for: a run that recalls all it needs reads none."""
    return load_surveyed(root, config)[0]


def load_surveyed(root: Path, config: Config, *, beside: bool = False) -> tuple[Vault, Survey]:
    """`load_vault`, and the survey of the vault the load took, to tell later which notes
    may have changed since they were read (`moved_since`). `beside`: when the cache keeps
    no note, it is written by a child process while this one goes on (`write_beside`)."""
    marked = NoteCache.open(root, notes=False)  # its rows are read only when compared
    if marked is None or not marked.holds_notes():
        return _first_read(root, config, marked, beside=beside)
    found = survey(root, config)
    return _loaded(found, config, marked), found


def _loaded(found: Survey, config: Config, marked: NoteCache | None) -> Vault:
    """`load_vault` from the survey `found`, with the cache `marked` opened to compare."""
    files, max_size, root = found.files, config.max_note_size, found.files.root
    stats = _stats(found)
    rest = _rest(found)
    mark = _mark(found, stats, rest, max_size)
    if marked is not None:
        with marked:
            vault = _as_it_was(marked, found, mark, config)
            if vault is None:
                vault = _since_base(marked, found, stats, (rest, mark), config)
        if vault is not None:
            return vault
    cache = None if marked is None else NoteCache.open(root)
    if cache is None:
        return _assemble(root, files, _parse_all(root, files.notes, max_size), config)
    with cache:
        named = (found.names, files.notes)
        kept, digests = _parse_with(cache, root, _by_path(found, stats), max_size, named)
        cache.save(kept)
        lost = [path for path in files.notes if path not in kept]
        return _settled(cache, found, stats, (rest, mark), (kept, digests, lost), config)


def _first_read(
    root: Path, config: Config, cache: NoteCache | None, *, beside: bool
) -> tuple[Vault, Survey]:
    """The vault read whole for a cache that keeps no note (`cache`; None: no cache), and
    its survey: every note is parsed, its stat taken from the `fstat` of the file it was
    read from (in the worker process that read it), and kept in the survey (`taken`). The
    survey takes none itself: it would have nothing to compare them with, and its 10,000
    `stat` calls cost a cold `lint` 35 ms before any note was read. `beside`: what the
    cache is to keep is written once the vault is read, by a child (`write_beside`)."""
    found = survey(root, config, note_stats=False)
    files, max_size = found.files, config.max_note_size
    with cache if cache is not None else contextlib.nullcontext():
        if cache is not None and beside:
            cache.hold()
        notes: dict[PurePosixPath, Note] = {}
        taken: dict[PurePosixPath, Stat | None] = {}
        for note, blob, stat in _parse_many(root, dict.fromkeys(files.notes), max_size):
            notes[note.path] = note
            taken[note.path] = stat = trusted(stat, found.started_ns)
            if cache is not None:
                skimmed = is_skimmed(note)
                cache.keep(note.path, stat, note, parsed=True, skimmed=skimmed, blob=blob)
        stats = [taken.get(path) for path in files.notes]
        found = replace(found, taken=tuple(stats))
        if cache is None:
            return _assemble(root, files, notes, config), found
        named = (found.names, files.notes)
        kept = _Kept(dict(notes), cache.unchanged({}, max_size, named), root, max_size)
        cache.save(kept)
        rest = _rest(found)
        marks = (rest, _mark(found, stats, rest, max_size))
        digests = {path: note.digest for path, note in notes.items()}
        lost = [path for path in files.notes if path not in notes]
        vault = _settled(cache, found, stats, marks, (kept, digests, lost), config)
        if beside:
            cache.write_beside()
        return vault, found


# The notes a load found: each one's note (or None: in the cache, read when wanted), the
# sha256 of each one's bytes, and those listed but not read, in the vault's order.
Loaded = tuple["_Kept", dict[PurePosixPath, str], list[PurePosixPath]]

# Up to this many notes moved (or an eighth of them), a run reads the cache's rows of those
# alone; more, and it reads every row at once (`_parse_with`), which then costs less.
MOVED = 64


def _settled(
    cache: NoteCache,
    found: Survey,
    stats: list[Stat | None],
    marks: tuple[str | None, str | None],
    loaded: Loaded,
    config: Config,
    names: str | None = None,
) -> Vault:
    """The vault with the notes `loaded`, its state (`seen`; `names`: the names part of it,
    when known), what is kept for that state, and, when every stat was trusted, the mark
    and base for a later run."""
    root, (rest, mark), (kept, digests, lost) = found.files.root, marks, loaded
    files = _mark_unread(root, found.files, lost)
    if names is None:
        now = seen(files, digests, _canvas_digests(root, files))
    else:
        now = seen_with(names, digests)
    recalled = cache.recall(now.state)
    if mark is not None and rest is not None and not lost:
        trusted = cast("list[Stat]", stats)  # every one, or there would be no mark
        base = lastrun.Base(
            config.max_note_size, rest, now.names, found.names, trusted, now.digests
        )
        cache.mark(mark, now.state, functools.partial(lastrun.pack, base))
    before = () if recalled else earlier(cache, now)
    # Nothing to recall: every note is read, and a plain mapping reads fastest.
    notes = MappingProxyType(kept if recalled or before else kept.every())
    memo = Memo(root, now, notes, files, found.names, recalled, [] if recalled else [before])
    return Vault(root, files, notes, _index(notes, files, memo), config, memo)


def _since_base(
    cache: NoteCache,
    found: Survey,
    stats: list[Stat | None],
    marks: tuple[str | None, str | None],
    config: Config,
) -> Vault | None:
    """The vault, as `_parse_with` would load it, from the base of the last run that
    trusted every stat (`lastrun.py`): a note whose stat is the base's has the bytes the
    base says (its kept note is read when wanted), and only the notes that moved since are
    read and hashed, and parsed when the cache does not keep a note of their bytes. None
    when there is no base, its size cap is another, or too many notes moved."""
    base = lastrun.unpack(cache.base())
    max_size, files = config.max_note_size, found.files
    if base is None or base.cap != max_size:
        return None
    diff = base.moved(found.names, stats, MOVED)
    if diff is None:
        return None
    moved, where = diff
    if where is None:
        digests = dict(zip(files.notes, base.digests, strict=True))
    else:
        digests = {
            path: "" if j is None else base.digests[j]
            for path, j in zip(files.notes, where, strict=True)
        }
    unparsed: dict[PurePosixPath, bytes | None] = {}
    lost = []
    for i in moved:
        path = files.notes[i]
        taken = stats[i] is not None or found.names[i] in found.stats
        got = _moved(cache, files.root, path, stats[i], max_size) if taken else None
        if got is None:
            lost.append(path)
            del digests[path]
        elif isinstance(got, str):
            digests[path] = got
        else:
            unparsed[path] = got
    parsed: dict[PurePosixPath, Note] = {}
    by_path = dict(zip(files.notes, stats, strict=True)) if unparsed else {}
    for note, blob, _ in _parse_many(files.root, unparsed, max_size):
        digests[note.path], parsed[note.path] = note.digest, note
        skimmed = is_skimmed(note)
        cache.keep(note.path, by_path[note.path], note, parsed=True, skimmed=skimmed, blob=blob)
    cache.save_moved([*lost, *_gone(base, where)])
    waiting = dict(digests)  # the kept notes, read when wanted
    for path in parsed:
        del waiting[path]
    notes: dict[PurePosixPath, Note | None] = dict.fromkeys(digests)
    notes.update(parsed)
    pending = cache.pending(waiting, waiting.values(), (found.names, files.notes))
    kept = _Kept(notes, pending, files.root, max_size)
    same = where is None and not lost and marks[0] == base.rest
    loaded = (kept, digests, lost)
    return _settled(cache, found, stats, marks, loaded, config, base.seen if same else None)


def _moved(
    cache: NoteCache, root: Path, path: PurePosixPath, stat: Stat | None, max_size: int
) -> str | bytes | None:
    """A note whose stat moved since the base: its bytes' sha256 when the cache keeps a
    note of those bytes (read when wanted), else its bytes, to be parsed; None when it
    cannot be read (not a note)."""
    try:
        data = read_file(root / path)
    except OSError:
        return None
    digest, skimmed = content_digest(data), len(data) > max_size
    cache.row(path)
    if cache.holds_bytes(path, digest, skimmed):
        cache.restat(path, stat, digest, skimmed)
        return digest
    return data


def _gone(base: lastrun.Base, where: list[int | None] | None) -> list[PurePosixPath]:
    """The base's notes that are not notes of the vault any more."""
    if where is None:
        return []
    present = set(where)
    return [PurePosixPath(name) for j, name in enumerate(base.names) if j not in present]


def _as_it_was(cache: NoteCache, found: Survey, mark: str | None, config: Config) -> Vault | None:
    """The vault as the last run with the same `mark` saw it (`NoteCache.marked`), with the
    results kept for that state: no note is read, hashed or decoded (each is decoded when
    first asked for). None when no such run kept results, or `mark` is None."""
    files, root = found.files, found.files.root
    state = None if mark is None else cache.marked(mark)
    kept = cache.recall(state) if state is not None else {}
    now = recorded(state, files.notes, kept) if state is not None else None
    if now is None:
        return None
    pending = functools.partial(cache.pending, now.notes, now.digests, (found.names, files.notes))
    notes = MappingProxyType(_Kept(files.notes, pending, root, config.max_note_size))
    memo = Memo(root, now, notes, files, found.names, kept, [])
    return Vault(root, files, notes, _index(notes, files, memo), config, memo)


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
            # Not `root / path`: pathlib would intern each name, for good, in a table the
            # process keeps (a megabyte for 10,000 notes, left at every rescan).
            data = read_file(os.path.join(root, path))
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
        return replace(vault, notes=frozen, index=vault.index.with_notes(frozen), memo=None)
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
    files = _mark_unread(root, files, [path for path in files.notes if path not in notes])
    frozen = MappingProxyType(dict(notes))
    return Vault(root, files, frozen, _index(frozen, files), config)


def _mark_unread(root: Path, files: VaultFiles, missing: list[PurePosixPath]) -> VaultFiles:
    """`files`, with the notes `missing` (listed, in order, but not read) that could not be
    read though they are still there (no permission, an I/O error, a FIFO put in a note's
    place) marked: the vault is not whole."""
    lost = [path for path in missing if os.path.lexists(root / path)]
    if not lost:
        return files
    unread = tuple(Unread(path, "could not be read", hides_notes=True) for path in lost)
    for entry in unread:
        logger.warning("skipped %s: %s", entry.path, entry.reason)
    return msgspec.structs.replace(files, unread=files.unread + unread)


def _index(
    notes: Mapping[PurePosixPath, Note], files: VaultFiles, memo: Memo | None = None
) -> LinkIndex:
    return LinkIndex(notes, files.attachments, None if memo is None else KeptNames(memo))


def parse_note(path: PurePosixPath, data: bytes, max_size: int) -> Note:
    """`parse.parse_note`, its parsers imported only when a note is parsed: a run that
    takes every note from the cache never loads them."""
    from vaultkit import parse

    return parse.parse_note(path, data, max_size)


def is_skimmed(note: Note) -> bool:
    """`parse.is_skimmed` (imported when needed, as `parse_note` is)."""
    if not note.problems:
        return False  # nearly every note: asked of each one parsed, in the main process
    from vaultkit import parse

    return parse.is_skimmed(note)


def read_and_parse(
    root: Path | str, path: PurePosixPath, max_size: int
) -> tuple[Note, Stat] | None:
    """Parse one note, with its file's stat as it was read (`cache.whole_stat`); None when
    it vanished or cannot be read (it is then not a note)."""
    try:
        # Joined as text: a third of the time of `root / path`, which parses the path again.
        data, status = read_stated(os.path.join(root, path))
    except OSError:
        return None
    return parse_note(path, data, max_size), whole_stat(status)


def _parse_with(
    cache: NoteCache,
    root: Path,
    stats: dict[PurePosixPath, Stat | None],
    max_size: int,
    named: Named,
) -> tuple[_Kept, dict[PurePosixPath, str]]:
    """Every note with a stat, and the sha256 of its bytes: the cached one when its file's
    stat, or else its bytes, are unchanged, and it was parsed or skimmed as the size cap
    asks now; `named`: the vault's notes (`cache.Named`)."""
    kept = cache.unchanged(stats, max_size, named)
    notes: dict[PurePosixPath, Note | None] = dict.fromkeys(stats)
    unparsed: dict[PurePosixPath, bytes | None] = {}
    for path in notes:
        if path in kept:
            continue
        if not cache.holds(path):
            unparsed[path] = None  # nothing to compare the bytes with: read when parsed
            continue
        try:
            data = read_file(root / path)
        except OSError:
            continue
        skimmed = len(data) > max_size
        note = cache.same_bytes(path, content_digest(data), skimmed)
        if note is None:
            unparsed[path] = data
        else:
            notes[path] = note
            cache.keep(path, stats[path], note, parsed=False, skimmed=skimmed)
    for note, blob, _ in _parse_many(root, unparsed, max_size):
        notes[note.path] = note
        skimmed = is_skimmed(note)
        cache.keep(note.path, stats[note.path], note, parsed=True, skimmed=skimmed, blob=blob)
    found = {path: note for path, note in notes.items() if note is not None or path in kept}
    digests = {
        path: kept.digest(path) if note is None else note.digest for path, note in found.items()
    }
    return _Kept(found, kept, root, max_size), digests


def moved_since(found: Survey) -> list[PurePosixPath]:
    """The notes that may not hold the bytes a load from `found` read, in path order: added
    or removed since, or whose stat moved since or was taken too close to a write to tell
    (`cache.file_stat`: a second write within the same tick of the clock leaves the stat
    as it was). Any other note holds them, as the parse cache trusts."""
    before = dict(zip(found.names, _stats(found), strict=True))
    moved: list[str] = []

    def compare(name: str, now: os.stat_result) -> None:
        # Each stat taken now as it is: whether one is too close to a write does not
        # matter here, only whether the one it is compared with was (None: it was).
        then = before.pop(name, None)
        if then is None or then != whole_stat(now):
            moved.append(name)

    each_note_stat(found.files.root, compare)  # the stats compared one by one, none kept
    moved.extend(before)  # gone since (or no stat to take now)
    if not moved:
        return []
    paths = dict(zip(found.names, found.files.notes, strict=True))
    return sorted((paths.get(name) or as_path(name) for name in moved), key=path_order)


def _stats(found: Survey) -> list[Stat | None]:
    """The stat of each note (`file_stat`), in path order; None for one not taken."""
    if found.taken is not None:
        return list(found.taken)
    return file_stats(map(found.stats.get, found.names), found.started_ns)


def _by_path(found: Survey, stats: list[Stat | None]) -> dict[PurePosixPath, Stat | None]:
    """The stat of each note that is there, by path; a note whose stat could not be taken
    is gone or not readable: not a note."""
    return {
        path: stat
        for path, name, stat in zip(found.files.notes, found.names, stats, strict=True)
        if stat is not None or name in found.stats
    }


def _mark(found: Survey, stats: list[Stat | None], rest: str | None, max_size: int) -> str | None:
    """What tells the vault unchanged since a run saw it: every note's name and stat, the
    size cap, and the `rest` (`_rest`), when every one of those can be trusted
    (`file_stat`); None when one cannot."""
    if rest is None or None in stats:
        return None
    names = "\0".join(found.names).encode("utf-8", "surrogateescape")
    digest = hashlib.sha256(f"{len(names)} {rest} {max_size}\n".encode("ascii") + names)
    # The stats as `marshal` writes them: from C, a fifth of the time `repr` takes; in its
    # version 2, which shares no reference between equal values, equal stats are equal bytes.
    digest.update(marshal.dumps(stats, 2))
    return digest.hexdigest()


def _rest(found: Survey) -> str | None:
    """What else tells the vault unchanged since a run saw it: every attachment's name,
    what is excluded or unread, and each canvas's stat; None when one of those stats
    cannot be trusted (`file_stat`)."""
    files = found.files
    canvases = [found.stats.get(str(path)) for path in files.attachments if is_canvas(path)]
    canvas_stats = file_stats(canvases, found.started_ns)
    if None in canvas_stats:
        return None
    parts = (
        "\0".join(map(str, files.attachments)),
        "\0".join(sorted(map(str, files.excluded))),
        repr((files.unread, files.problems, canvas_stats)),
    )
    text = "\1".join(parts).encode("utf-8", "surrogateescape")
    return hashlib.sha256(text).hexdigest()


def _canvas_digests(root: Path, files: VaultFiles) -> dict[PurePosixPath, str]:
    """The sha256 of each canvas's bytes ("" when it cannot be read): lint and sync read
    them too."""
    digests = {}
    for path in files.attachments:
        if is_canvas(path):
            try:
                digests[path] = content_digest(read_file(root / path))
            except OSError:
                digests[path] = ""
    return digests


def is_canvas(path: PurePosixPath) -> bool:
    return path.suffix.lower() == ".canvas"


class _Kept(Mapping[PurePosixPath, Note]):
    """A vault's notes in path order, those taken from the cache decoded on first use: a
    run that recalls its results (`results`) decodes none of them.

    A kept note that does not decode (not what vaultkit wrote) is parsed from its file,
    with a warning, and forgotten by the cache.
    """

    def __init__(
        self,
        notes: dict[PurePosixPath, Note | None] | tuple[PurePosixPath, ...],
        kept: Pending | Callable[[], Pending],
        root: Path,
        max_size: int,
    ) -> None:
        self._listed = notes  # by path (None: still in `kept`), or the paths of kept ones
        self._by_path = notes if isinstance(notes, dict) else None
        self._pending = kept  # or what makes it, when a note is first wanted
        self._root = root
        self._max_size = max_size

    @property
    def _notes(self) -> dict[PurePosixPath, Note | None]:
        if self._by_path is None:
            self._by_path = dict.fromkeys(self._listed)
        return self._by_path

    @property
    def _kept(self) -> Pending:
        if not isinstance(self._pending, Pending):
            self._pending = self._pending()
        return self._pending

    def __getitem__(self, path: PurePosixPath) -> Note:
        note = self._notes[path]
        if note is None:
            note = self._notes[path] = self._decode(path)
        return note

    def __contains__(self, path: object) -> bool:
        return path in self._notes

    def __iter__(self) -> Iterator[PurePosixPath]:
        return iter(self._listed)

    def __len__(self) -> int:
        return len(self._listed)

    def values(self) -> ValuesView[Note]:
        return self.every().values()

    def items(self) -> ItemsView[PurePosixPath, Note]:
        return self.every().items()

    def every(self) -> dict[PurePosixPath, Note]:
        """Every note, decoded."""
        notes = self._notes
        if not any(note is None for note in notes.values()):
            return cast("dict[PurePosixPath, Note]", dict(notes))  # each one read (cold runs)
        self._kept.read_all()
        with no_gc():  # thousands of new objects, none of them garbage
            return {path: self[path] for path in notes}

    def _decode(self, path: PurePosixPath) -> Note:
        note = self._kept.take(path)
        if note is not None:
            return note
        try:
            data = read_file(self._root / path)
        except OSError:
            data = b""  # gone since its stat was taken: as an empty note, until the next run
        return parse_note(path, data, self._max_size)


def _parse_all(
    root: Path, paths: tuple[PurePosixPath, ...], max_size: int
) -> dict[PurePosixPath, Note]:
    return {note.path: note for note, _, _ in _parse_many(root, dict.fromkeys(paths), max_size)}


def _parse_many(
    root: Path, unparsed: Mapping[PurePosixPath, bytes | None], max_size: int
) -> Iterator[tuple[Note, bytes | None, Stat | None]]:
    """Each note parsed from its bytes (read now where None), in order, with the note as
    the cache keeps it when it was encoded on the way, and its file's stat as it was read
    (`cache.whole_stat`; None for bytes given); one that cannot be read is left out.

    Many notes are parsed in forked worker processes (`workers.py`), which read the files
    themselves (cheaper than sending them the bytes) and send each note back as the cache's
    MessagePack, which the cache then stores as it is. The parsers are imported before the
    workers start, which then have them; the modules this run needs next are imported
    meanwhile (`NEXT_MODULES`), and no process collects garbage (there is none). The notes
    decoded here are then frozen out of the collector's scans (`gc.freeze`).
    """
    workers = min(os.cpu_count() or 1, 4)
    if len(unparsed) < PARALLEL_THRESHOLD or workers < 2 or not hasattr(os, "fork"):
        for path, data in _counted(unparsed.items(), len(unparsed)):
            if data is not None:
                yield parse_note(path, data, max_size), None, None
            elif (read := read_and_parse(root, path, max_size)) is not None:
                yield read[0], None, read[1]
        return
    from vaultkit import workers as forked

    paths = list(unparsed)
    import_module("vaultkit.parse")  # once, here: the workers start with it
    import_module("vaultkit.yamlload")  # and with PyYAML, which parse imports when first needed
    import_module("vaultkit.packing")  # and with what they send each note back encoded with
    with forked.parsing(root, paths, max_size, workers) as (chunks, results), no_gc():
        for name in NEXT_MODULES.get():
            import_module(name)
        from vaultkit.packing import decode, decoder_for

        decoder = decoder_for({str(path): path for path in paths})
        weights = [len(chunk) for chunk in chunks]
        for sent, stats in _counted(results, len(paths), weights):
            for item, stat in zip(sent, stats, strict=True):
                note = decode(item, decoder) if isinstance(item, bytes) else item
                if note is not None:
                    yield note, item if isinstance(item, bytes) else None, stat
        # The notes live as long as the run: out of the collector's sight for good, or each
        # later collection would scan them all again (more than the decoding). Freed as
        # ever when nothing refers to them; a note holds no reference cycle.
        gc.freeze()


def _counted(items: Iterable[T], total: int, weights: Iterable[int] = ()) -> Iterator[T]:
    """`items`, telling `PROGRESS` how many notes are parsed as each one is reached
    (an item is as many notes as its weight, else one)."""
    tell = PROGRESS.get()
    if tell is None:
        yield from items
        return
    done = 0
    for item, weight in zip(items, itertools.chain(weights, itertools.repeat(1)), strict=False):
        yield item
        done += weight
        tell("parsing notes", done, total)
