"""Parsed notes kept between runs, outside the vault, as data that cannot run code.

A parsed note depends only on its path and bytes (and on vaultkit's own code), so a note
whose file has not changed since it was parsed is its cached copy. Where: one SQLite file
per vault, `<hash of the vault's path>.sqlite`, in the folder `vaultkit-parse-cache` under
`$VAULTKIT_CACHE_DIR`, else `$XDG_CACHE_HOME/vaultkit` (when absolute), else
`~/.cache/vaultkit`; an empty `VAULTKIT_CACHE_DIR` turns the cache off. Nothing is ever
written into the vault.

- Each note is one row: its file's stat (size, mtime_ns, ctime_ns, inode) and the sha256
  of its bytes; beside it, in a table of its own, the note encoded with msgspec's
  MessagePack, decoded straight into the model's structs, type-checked. A note whose
  stat is unchanged is taken without reading its file; one whose stat moved is read and
  hashed, and taken when the hash is the same. A stat taken within `RACY_NS` of its file's
  last change is not trusted (a second write in the same clock tick would keep it), so
  such a note is hashed next time. The rows are read on every run, the notes only when
  one is wanted (`Pending`): a run that recalls its results reads none.
- One row per note: a run updates the notes that changed without rewriting the file, and
  SQLite's locking lets `watch` and a pre-commit run share it.
- `stamp` (vaultkit's source, Python, the parsers) is checked before any row is used: a
  file written by another vaultkit starts empty.
- The same file keeps the results computed from the vault in the states runs saw it in
  (`results.py`): the `results` table, each state's results kept until a later state holds
  each of them (`remember`), and the `parts` a result is made of (each kept once, by the
  sha256 of its bytes, however many states' results use it: `uses`). A result of
  `SLICED_FROM` bytes or more is kept as the digests of its slices, each kept as a part: a
  result made again after an edit (the text `status` prints, say) shares with the earlier
  state's every slice the edit left as it was, and only the others are written.
  Beside them, the *mark* of the last run whose every stat was trusted: a sha256 of every
  file name, what is excluded or unread, the size cap and every note's and canvas's stat,
  with the state they were found in. A run with the same mark knows the state without
  reading a row (`vault.py`). Writing a row forgets it. Beside the mark, its *base*: each
  note's name, stat and digest as that run saw them (`lastrun.py`, a BLOB in `meta`), so
  that a run whose mark differs reads only the rows of the notes that moved since. It is
  kept while only those rows are written, and forgotten when a run that compared every
  row writes one.
- A row that does not decode to a note is forgotten, with a warning, and its note parsed
  from its file (`vault.py`).
- The cache is only an accelerator, opened and cleaned up as `cachefile.py` says: anything
  wrong with the file means "no cache" and one warning on stderr; the vault is then parsed
  as without one.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import itertools
import logging
import os
import sqlite3
import sys
import time
import weakref
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple, NoReturn

from vaultkit.cachefile import (
    APPLICATION_ID,
    CacheError,
    forget_old,
    open_checked,
    transaction,
)
from vaultkit.model import Note
from vaultkit.nogc import no_gc

if TYPE_CHECKING:
    import msgspec

logger = logging.getLogger(__name__)
EMPTY: Mapping[str, bytes] = MappingProxyType({})

CACHE_ENV = "VAULTKIT_CACHE_DIR"
FOLDER = "vaultkit-parse-cache"  # vaultkit's own folder inside the cache folder
SUFFIX = ".sqlite"
SCHEMA = 5  # PRAGMA user_version: the layout of the tables below
FORGET_AFTER = 30 * 24 * 3600.0  # seconds: the cache of a vault not opened since is removed
RACY_NS = 2_000_000_000  # a stat this close to its file's mtime may hide a second write
BUSY_TIMEOUT = 2.0  # seconds to wait for another vaultkit writing the same cache
STATES = 8  # the results of at most this many states of the vault are kept (`remember`)
# A result this large is kept as the digests of its `SLICE`-byte slices, each kept as a part
# (`_sliced`): after an edit most slices of a result are those an earlier state kept.
SLICED_FROM = 1 << 16
SLICE = 1 << 14
SLICED = b"slices\0"  # what such a row starts with, as no result `results.py` packs does
# The row of `results` that holds a state's record (`results.Seen.record`): its names, then
# NUL, then each note's digest. Other runs compare its start in SQL (`others`), so only
# the digests are sliced: after an edit one slice of them is new, and it is that alone
# another run compares note by note (`record_slices`).
RECORD = "names and digests"
_MANY = 500  # parts asked for in one statement: below SQLite's limit of variables
PACKAGE = Path(__file__).resolve().parent
MARK = "mark"  # the row of `meta` that holds `NoteCache.mark`
BASE = "base"  # the row of `meta` that holds what the marking run saw (`lastrun.py`)
# Parsed notes are written this many at a time as they come: a run that parses every note
# writes them while worker processes still parse, not all at the end.
WRITE_BATCH = 256
# ... and committed every this many, the mark (which says every row is as a run found it)
# forgotten with the first: what is left to commit (and to sync to the disk) once the
# last note is parsed is a few batches, not every note. Each note's row and its encoded
# note are written in one transaction, so any row a later run reads is whole.
COMMIT_EVERY = 2048
# SQLite's page cache while notes are written (KiB): large enough that the pages of a
# transaction wait there until it commits, instead of being spilled to the file early,
# which would lock out any other vaultkit reading the cache until then.
WRITE_CACHE_KIB = 64 * 1024

_TABLES = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE notes (
        path BLOB PRIMARY KEY,  -- os.fsencode of the vault-relative path
        size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER, inode INTEGER,  -- NULL: untrusted
        digest TEXT NOT NULL,
        skimmed INTEGER NOT NULL  -- 1: over the size cap when parsed, so only skimmed
    )""",
    # The notes apart from their rows, so that reading every row reads none of them.
    """CREATE TABLE blobs (
        path BLOB PRIMARY KEY,  -- the row of `notes` this is the note of
        note BLOB NOT NULL
    )""",
    """CREATE TABLE results (
        state TEXT NOT NULL,  -- the vault's files and their stats (`results.py`)
        what TEXT NOT NULL,  -- what was computed, with which configuration
        value BLOB NOT NULL,
        PRIMARY KEY (state, what)
    )""",
    """CREATE TABLE parts (
        digest TEXT PRIMARY KEY,  -- the sha256 of `value`
        value BLOB NOT NULL
    )""",
    """CREATE TABLE uses (
        state TEXT NOT NULL,  -- a state with results in `results`
        digest TEXT NOT NULL,  -- a part one of them is made of
        PRIMARY KEY (state, digest)
    )""",
    # The files' names lowered, as links are resolved (`index.py`), of the latest file
    # names a run resolved a link among: they follow from those alone (`results.py`).
    """CREATE TABLE names (
        names TEXT PRIMARY KEY,  -- `results.Seen.names` of the vault's files
        lowered BLOB NOT NULL
    )""",
)


# What the notes are parsed and encoded with, by the name they are imported under.
PARSERS = ("markdown_it", "mdit_py_plugins", "yaml", "msgspec")


@functools.cache  # asked for only when a cache is read or written
def stamp() -> str:
    """What the cached notes were made by: vaultkit's source, Python, the parsers."""
    digest = hashlib.sha256(sys.version.encode())
    for name in PARSERS:
        digest.update(f"\0{name}={_installed(name)}".encode("utf-8", "surrogateescape"))
    for source in _sources():
        digest.update(f"\0{source}\0".encode())
        digest.update((PACKAGE / source).read_bytes())
    return digest.hexdigest()


def _installed(name: str) -> str:
    """Which copy of a parser is installed: where its first file is, and that file's stat.

    Installing any version writes the file anew (another inode and mtime), so this tells
    versions apart without importing the parser or reading its metadata (both cost more
    than a warm run may take).
    """
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return "missing"
    try:
        st = os.stat(spec.origin)
    except OSError:
        return f"{spec.origin} unreadable"
    return f"{spec.origin} {st.st_size} {st.st_mtime_ns} {st.st_ino}"


def _sources() -> list[str]:
    """vaultkit's Python files, relative to the package, sorted."""
    found = []
    for folder, subfolders, files in os.walk(PACKAGE):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        base = Path(folder).relative_to(PACKAGE)
        found += [(base / name).as_posix() for name in files if name.endswith(".py")]
    return sorted(found)


def cache_dir() -> Path | None:
    """The folder the cache goes in (vaultkit's own folder is made inside); None when off."""
    given = os.environ.get(CACHE_ENV)
    if given is not None:
        return Path(given) if given else None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG spec: a relative path is invalid, ignored
        base = os.fspath(Path.home() / ".cache")
    return Path(base) / "vaultkit"


Stat = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def file_stat(st: os.stat_result, now_ns: int) -> Stat | None:
    """What tells a note's file unchanged; None when it changed too recently to tell."""
    return file_stats([st], now_ns)[0]


def whole_stat(st: os.stat_result) -> Stat:
    """What of a stat tells its file unchanged, before `trusted` tells whether it can."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def trusted(stat: Stat | None, now_ns: int) -> Stat | None:
    """`file_stat` of a stat `whole_stat` took."""
    since = now_ns - RACY_NS
    return None if stat is None or stat[1] > since or stat[2] > since else stat


def file_stats(found: Iterable[os.stat_result | None], now_ns: int) -> list[Stat | None]:
    """`file_stat` of each stat (None where there is none), in one pass: a vault's
    thousands of notes are each asked this on every run."""
    since = now_ns - RACY_NS  # a change after this is too recent to tell
    return [
        None
        if st is None or st.st_mtime_ns > since or st.st_ctime_ns > since
        else (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        for st in found
    ]


# The notes of a vault, each as text and as the path the vault holds, in the same order: a
# decoded note's paths are taken to those (`decoder_for`), none made anew.
Named = tuple[Sequence[str], Sequence[PurePosixPath]]


class _Row(NamedTuple):
    stat: Stat | None
    digest: str
    skimmed: bool


class Other(NamedTuple):
    """Another state of the vault with results kept (`NoteCache.others`)."""

    state: str
    record: bytes  # its record row (`results.Seen.record`)
    holds: frozenset[str]  # what its results are
    written: int  # when it was last written: the larger, the later


class NoteCache:
    """The notes of one vault as last parsed, by file stat or by the hash of the bytes, and
    the results computed from the vault as it was last seen (`results.py`).

    `unchanged` and `same_bytes` answer from what was kept; `keep` records what this run
    read; `save` writes the changes and forgets the notes no longer in the vault.
    """

    def __init__(self, db: sqlite3.Connection, file: Path, rows: dict[bytes, _Row]) -> None:
        self.file = file
        self._db = db
        self._rows = rows
        self._read = bool(rows)  # a row was read from the file (else each is this run's)
        self._new: dict[bytes, tuple[Stat | None, str, bool, bytes | None]] = {}
        self._batch: list[bytes] = []  # the parsed notes of `_new` not written yet
        self._written: dict[bytes, _Row] = {}  # written in the open transaction
        self._writing = False  # a transaction is open: `save` or `COMMIT_EVERY` ends it
        self._wrote = False  # a transaction was opened this run
        self._failed = False  # writing failed this run: nothing more is tried
        self._paths: dict[str, PurePosixPath] = {}  # the paths asked for, by their text
        self._hits: dict[PurePosixPath, str] = {}  # what `unchanged` found kept, as it was
        self._held: list[Callable[[], None]] | None = None  # `save`s and `mark`s: `hold`

    @functools.cached_property
    def _decoder(self) -> msgspec.msgpack.Decoder[Note]:
        from vaultkit.packing import decoder_for  # notes are decoded only when one is wanted

        return decoder_for(self._paths)

    @classmethod
    def open(cls, root: Path, *, notes: bool = True) -> NoteCache | None:
        """The cache of the vault at `root`; None when it is off or cannot be used.

        `notes`: False to keep results only (`remember`): the notes' rows are not read."""
        base = cache_dir()
        if base is None:
            return None
        name = hashlib.sha256(os.fsencode(root.resolve())).hexdigest()[:32] + SUFFIX
        file = base / FOLDER / name
        try:
            db, rows = _connect(file, _prepared if notes else _prepared_empty)
        except CacheError as error:
            logger.warning("not using the parse cache %s: %s", file, error)
            return None
        return cls(db, file, rows)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> NoteCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def hold(self) -> None:
        """Write nothing until `write_beside`: what `keep`, `save` and `mark` record is held."""
        self._held = []

    def write_beside(self) -> None:
        """Close the cache, and write what was held since `hold` in a child process forked
        for it, while this process goes on: a watcher starting tracks its vault on one core
        (`watch.py`), and the writes take the other, 0.1 s on 10,000 notes. The child is
        handed to `reaping`. Where no child can share the work (`halves.can_fork`, or no
        process to spare), they are written here first."""
        import signal  # not imported by every run (about 1 ms)

        from vaultkit import halves, reaping

        held, self._held = self._held or [], None
        self.close()  # each writer opens its own: SQLite's connections do not cross a fork
        if not held:
            return
        pid = -1
        if halves.can_fork():
            # Ctrl-C stops the watcher, not the writes: held back until the child ignores it.
            mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            with contextlib.suppress(OSError):
                pid = os.fork()
            if pid == 0:  # pragma: no cover - the child: coverage does not follow it
                self._write_held(held, mask)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        if pid < 0:
            self._write_apart(held)
        else:
            reaping.later(pid, keep=held)  # and with it this cache's rows

    def _write_held(  # pragma: no cover - the child
        self, held: list[Callable[[], None]], mask: Iterable[int]
    ) -> NoReturn:
        """In the child forked by `write_beside`: write, and leave at once (no cleanup of
        the parent's: its open files, buffers and exit handlers are the parent's own).
        `mask`: the signals blocked before the fork."""
        import signal

        status = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C held back is dropped
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            status = 0 if self._write_apart(held) else 1
        except BaseException:  # the cache is only an accelerator: the next run parses
            logger.debug("not caching parsed notes in %s", self.file, exc_info=True)
        finally:
            os._exit(status)

    def _write_apart(self, held: list[Callable[[], None]]) -> bool:
        """Write what was held, on a connection of its own; whether it could be opened."""
        try:
            self._db, _ = _connect(self.file, _prepared_empty)
        except CacheError as error:
            logger.debug("not caching parsed notes in %s: %s", self.file, error)
            return False
        with self:
            for write in held:
                write()
        return True

    def unchanged(
        self, stats: Mapping[PurePosixPath, Stat | None], max_size: int, named: Named
    ) -> Pending:
        """The kept notes whose files have exactly these stats and that were parsed as
        `max_size` asks now (skimmed when larger), read from the file when wanted; `named`:
        the vault's notes (`Named`)."""
        hits = {}
        for path, current in stats.items() if self._rows else ():
            row = self._rows.get(os.fsencode(path))
            if (
                row is not None
                and current is not None
                and row.stat == current
                and row.skimmed == (current[0] > max_size)
            ):
                hits[path] = row.digest
        self._hits = hits
        return Pending(self.file, hits, self._decoder, (self._paths, named))

    def pending(
        self, paths: Iterable[PurePosixPath], digests: Iterable[str], named: Named
    ) -> Pending:
        """The kept notes at `paths` parsed from bytes with these sha256s, read when wanted;
        `named`: the vault's notes (`Named`)."""
        found = dict(zip(paths, digests, strict=True))
        return Pending(self.file, found, self._decoder, (self._paths, named))

    def marked(self, mark: str) -> str | None:
        """The state of the vault (`results.py`) the last run that saw it with `mark` (its
        files and their stats: `vault._mark`) found; None when none did, or a kept note
        changed since."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (MARK,)).fetchone()
        value = row[0] if row is not None and isinstance(row[0], str) else ""
        kept, _, state = value.partition(" ")
        return state if kept == mark and state else None

    def mark(self, mark: str, state: str, base: Callable[[], bytes | None]) -> None:
        """Keep that the vault with `mark` is in `state`, if it is not kept already: until
        a kept note changes (`save`, `save_moved`, `drop`); and the `base` it is made from
        (`lastrun.py`; None: none), until a run trusts every stat again or `save` writes."""
        if self._held is not None:
            self._held.append(functools.partial(self.mark, mark, state, base))
            return
        if self.marked(mark) == state:
            return
        packed = base()
        try:
            with transaction(self._db):
                self._db.execute(
                    "INSERT OR REPLACE INTO meta VALUES (?, ?)", (MARK, f"{mark} {state}")
                )
                if packed is None:
                    self._db.execute("DELETE FROM meta WHERE key = ?", (BASE,))
                else:
                    self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (BASE, packed))
        except sqlite3.Error as error:
            logger.debug("not keeping the mark in %s: %s", self.file, error)

    def holds_notes(self) -> bool:
        """Whether any note is kept (a cache made by this run, or emptied, keeps none)."""
        return self._db.execute("SELECT 1 FROM notes LIMIT 1").fetchone() is not None

    def base(self) -> object:
        """What the last run that trusted every stat saw, as `mark` kept it (`lastrun.unpack`
        reads it); None when none is kept."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (BASE,)).fetchone()
        return None if row is None else row[0]

    def row(self, path: PurePosixPath) -> None:
        """Read the row of `path` alone (the others are not read: `open(notes=False)`), for
        `holds`, `holds_bytes` and `keep`."""
        key = os.fsencode(path)
        found = self._db.execute(_ROW, (key,)).fetchone()
        if found is not None and found[0] == key and isinstance(found[5], str):
            self._rows[key] = _as_row(*found[1:])
            self._read = True

    def holds(self, path: PurePosixPath) -> bool:
        """Whether a note was kept for `path` (by any bytes)."""
        return bool(self._rows) and os.fsencode(path) in self._rows

    def holds_bytes(self, path: PurePosixPath, digest: str, skimmed: bool) -> bool:
        """Whether the note kept for `path` was parsed (or `skimmed`) from bytes with this
        sha256 (it is then read when wanted: `pending`)."""
        row = self._rows.get(os.fsencode(path))
        return row is not None and row.digest == digest and row.skimmed == skimmed

    def same_bytes(self, path: PurePosixPath, digest: str, skimmed: bool) -> Note | None:
        """The kept note at `path` if it was parsed (or `skimmed`) from bytes with this sha256."""
        key = os.fsencode(path)
        row = self._rows.get(key)
        self._paths[str(path)] = path
        if row is None or row.digest != digest or row.skimmed != skimmed:
            return None
        found = self._db.execute(_NOTE_OF, (key, digest)).fetchone()
        return None if found is None else decoded(path, found[0], self._decoder)

    def keep(
        self,
        path: PurePosixPath,
        stat: Stat | None,
        note: Note,
        *,
        parsed: bool,
        skimmed: bool,
        blob: bytes | None = None,
    ) -> None:
        """Record the note this run has for `path` (`parsed`: not taken from the cache;
        `skimmed`: over the size cap; `blob`: the note already encoded, as a worker process
        sends it)."""
        if not parsed:
            self.restat(path, stat, note.digest, skimmed)
            return
        if blob is None:
            from vaultkit.packing import encode

            blob = encode(note)
        if blob is None:
            return  # a note that cannot be encoded is parsed again next time
        key = os.fsencode(path)
        self._new[key] = (stat, note.digest, skimmed, blob)
        if self._held is None:
            self._batch.append(key)
            if len(self._batch) >= WRITE_BATCH:
                self._write_batch()

    def restat(self, path: PurePosixPath, stat: Stat | None, digest: str, skimmed: bool) -> None:
        """Record that the note kept for `path` (from bytes with this sha256) has this stat now."""
        key = os.fsencode(path)
        row = self._rows.get(key)
        if row is None or row.stat != stat or row.digest != digest:
            self._new[key] = (stat, digest, skimmed, None)

    def drop(self, path: PurePosixPath) -> None:
        """Forget the note kept for `path` (it did not decode): it is parsed next time."""
        _forget_note(self._db, path)

    @no_gc()  # a row for each of thousands of notes, none of them garbage: no scan of the heap
    def save(self, paths: Collection[PurePosixPath]) -> None:
        """Write what `keep` recorded and forget every note not in `paths` (among which is
        every note `keep` recorded)."""
        if self._held is not None:
            self._held.append(functools.partial(self.save, paths))
            return
        if (
            not self._new
            and not self._wrote
            and len(paths) == len(self._rows)
            and all(p in self._hits for p in paths)
        ):
            return  # each kept row is one of these paths' (`unchanged`): nothing to do
        if not self._read:  # each row is one `keep` recorded: of a path among `paths`
            self._write((), (MARK, BASE))
            return
        present = {os.fsencode(path) for path in paths}
        self._write(self._rows.keys() - present, (MARK, BASE))

    def save_moved(self, gone: Iterable[PurePosixPath]) -> None:
        """Write what `keep` recorded, and forget the notes at `gone`: for a run that read
        the rows of the notes that moved since the base alone (`row`), which stays."""
        self._write({os.fsencode(path) for path in gone}, (MARK,))

    def _write_batch(self) -> None:
        """Write the parsed notes `keep` recorded since the last batch, committed once
        `COMMIT_EVERY` are written (else `save` commits them)."""
        batch, self._batch = self._batch, []
        if not self._begin():
            return
        rows = [(key, self._new.pop(key)) for key in batch]
        try:
            self._insert(rows)
            self._written.update((key, _Row(*row[:3])) for key, row in rows)
            if len(self._written) >= COMMIT_EVERY:
                self._commit()
        except sqlite3.Error as error:
            self._fail(error)

    @no_gc()
    def _write(self, keys: Iterable[bytes], forget: tuple[str, ...]) -> None:
        """Write what `keep` recorded, forget the notes at `keys` and the rows of `meta`
        named in `forget`, and commit."""
        gone = [(key,) for key in keys]
        if not gone and not self._new and not self._wrote:
            return
        if not self._begin():
            return
        try:
            self._db.executemany("DELETE FROM meta WHERE key = ?", [(k,) for k in forget])
            self._db.executemany("DELETE FROM notes WHERE path = ?", gone)
            self._db.executemany("DELETE FROM blobs WHERE path = ?", gone)
            self._insert([(key, row) for key, row in self._new.items() if row[3] is not None])
            self._db.executemany(
                "UPDATE notes SET size = ?, mtime_ns = ?, ctime_ns = ?, inode = ?"
                " WHERE path = ? AND digest = ?",
                [
                    (*(stat or (None,) * 4), key, digest)
                    for key, (stat, digest, _, blob) in self._new.items()
                    if blob is None
                ],
            )
            self._written.update((key, _Row(*row[:3])) for key, row in self._new.items())
            self._commit()
        except sqlite3.Error as error:
            self._fail(error)
            return
        for (key,) in gone:
            self._rows.pop(key, None)
        self._new = {}
        forget_old(self.file.parent, time.time() - FORGET_AFTER, keep=self.file.name)

    def _commit(self) -> None:
        """Commit the open transaction: what it wrote is what the rows now are."""
        self._db.execute("COMMIT")
        self._writing = False
        self._rows.update(self._written)
        self._written = {}

    def _begin(self) -> bool:
        """Whether the transaction that writes notes is open, opening it when it is not."""
        if self._writing or self._failed:
            return self._writing
        try:
            self._db.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
            self._db.execute("BEGIN IMMEDIATE")  # the write lock now, as `transaction` takes it
            self._writing = True
            self._db.execute("DELETE FROM meta WHERE key = ?", (MARK,))  # rows change now
        except sqlite3.Error as error:
            self._fail(error)
            return False
        self._wrote = True
        return True

    def _insert(
        self, rows: list[tuple[bytes, tuple[Stat | None, str, bool, bytes | None]]]
    ) -> None:
        """Write the rows and notes of parsed notes (their `_new` entries, by key)."""
        self._db.executemany(
            "INSERT OR REPLACE INTO notes VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (key, *(stat or (None,) * 4), digest, skimmed)
                for key, (stat, digest, skimmed, _) in rows
            ],
        )
        self._db.executemany(
            "INSERT OR REPLACE INTO blobs VALUES (?, ?)", [(key, blob) for key, (*_, blob) in rows]
        )

    def _fail(self, error: sqlite3.Error) -> None:
        """Writing failed (another vaultkit holds the file, or the disk is full): what this
        run wrote is rolled back, and nothing more is tried."""
        logger.debug("not caching parsed notes in %s: %s", self.file, error)
        if self._writing:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
        self._writing, self._failed = False, True
        self._new, self._written, self._batch = {}, {}, []

    def recall(self, state: str) -> dict[str, bytes]:
        """The results kept for the vault in this `state`, by what they are."""
        rows = self._db.execute("SELECT what, value FROM results WHERE state = ?", (state,))
        return self._whole({what: value for what, value in rows if isinstance(value, bytes)})

    def result(self, state: str, what: str) -> bytes | None:
        """The result `what` kept for the vault in this `state`; None when none is."""
        row = self._db.execute(
            "SELECT value FROM results WHERE state = ? AND what = ?", (state, what)
        ).fetchone()
        if row is None or not isinstance(row[0], bytes):
            return None
        return self._whole({what: row[0]}).get(what)

    def _whole(self, rows: dict[str, bytes]) -> dict[str, bytes]:
        """The `rows`, each kept in slices (`_sliced`) joined again; one with a slice that is
        not kept, or not what its digest says, left out."""
        sliced = {what: _digests(value) for what, value in rows.items() if value.startswith(SLICED)}
        record = rows.get(RECORD)
        slices = None if record is None else record_slices(record)
        if slices is not None:
            sliced[RECORD] = slices[1]
        if not sliced:
            return rows
        found = self.parts(itertools.chain.from_iterable(sliced.values()))
        for what, digests in sliced.items():
            whole = _joined(found, digests)
            if whole is None:
                del rows[what]
            else:
                rows[what] = whole if what != RECORD or slices is None else slices[0] + whole
        return rows

    def parts(self, digests: Iterable[str]) -> dict[str, bytes]:
        """The parts kept with these digests (those kept), by digest."""
        wanted = list(dict.fromkeys(digests))
        found: dict[str, bytes] = {}
        for start in range(0, len(wanted), _MANY):
            some = wanted[start : start + _MANY]
            rows = self._db.execute(
                f"SELECT digest, value FROM parts WHERE digest IN ({','.join('?' * len(some))})",
                some,
            )
            found.update((d, v) for d, v in rows if isinstance(d, str) and isinstance(v, bytes))
        return found

    def lowered_names(self, names: str) -> bytes | None:
        """The files' names lowered that `remember` kept for the file names `names` (a
        `results.Seen.names`); None when none are kept for them."""
        row = self._db.execute("SELECT lowered FROM names WHERE names = ?", (names,)).fetchone()
        return row[0] if row is not None and isinstance(row[0], bytes) else None

    def others(self, state: str, record: str, start: bytes) -> list[Other]:
        """The states other than `state` with results kept, whose `record` row (`results.py`)
        starts with `start`: each with that row, the results it holds, and when it was
        last written (the larger, the later)."""
        records = self._db.execute(
            "SELECT state, value FROM results WHERE what = ? AND state != ?"
            " AND substr(value, 1, ?) = ?",
            (record, state, len(start), start),
        )
        found = {
            other: value
            for other, value in records
            if isinstance(other, str) and isinstance(value, bytes)
        }
        holds: dict[str, set[str]] = {other: set() for other in found}
        written = dict.fromkeys(found, 0)
        for other, what, rowid in self._db.execute("SELECT state, what, rowid FROM results"):
            if other in holds and isinstance(what, str) and what != record:
                holds[other].add(what)
                written[other] = max(written[other], rowid)
        return [
            Other(other, value, frozenset(holds[other]), written[other])
            for other, value in found.items()
            if holds[other]
        ]

    def remember(
        self,
        state: str,
        kept: Mapping[str, bytes],
        record: tuple[str, bytes],
        parts: Mapping[str, bytes] = EMPTY,
        reused: Iterable[str] = (),
        lowered: tuple[str, bytes] | None = None,
    ) -> bool:
        """Keep results of the vault in `state`, by what they are, and the `parts` they are
        made of, by digest (a part kept already is not written again, unless damaged), and
        of the parts `reused` (kept already, and read whole in this run) the digest alone.
        `record`: what each state's record row is kept as, and how this state's starts (its
        names: `results.Seen.record`). The results of another state are forgotten, all at
        once, when its record starts otherwise (no run could bring its results up to date
        from them), when a later state holds each result it holds, or when `STATES` later
        states are kept; and the parts no state kept uses. With them, the files' names
        `lowered` for the file names given first (`lowered_names`), in place of any others.
        False when they could not be kept."""
        rows, parts = _sliced(kept, record[0], parts)
        try:
            with transaction(self._db):
                self._db.executemany(
                    "INSERT OR REPLACE INTO results VALUES (?, ?, ?)",
                    [(state, what, value) for what, value in rows.items()],
                )
                self._db.executemany(_KEEP_PART, list(parts.items()))
                self._db.executemany(
                    "INSERT OR IGNORE INTO uses VALUES (?, ?)",
                    [(state, digest) for digest in itertools.chain(parts, reused)],
                )
                forgotten = [(other,) for other in self._forgotten(state, *record)]
                self._db.executemany("DELETE FROM results WHERE state = ?", forgotten)
                self._db.executemany("DELETE FROM uses WHERE state = ?", forgotten)
                self._db.execute("DELETE FROM parts WHERE digest NOT IN (SELECT digest FROM uses)")
                if lowered is not None:
                    self._db.execute("DELETE FROM names")
                    self._db.execute("INSERT INTO names VALUES (?, ?)", lowered)
        except sqlite3.Error as error:
            logger.debug("not keeping a result in %s: %s", self.file, error)
            return False
        return True

    def _forgotten(self, state: str, record: str, start: bytes) -> set[object]:
        """The states whose results `remember` forgets (see there). SQLite gives each row
        written a rowid above every other's (`INSERT OR REPLACE` writes it anew)."""
        rows = self._db.execute(
            # CASE, not AND: SQLite evaluates both sides of an AND in a result column, so
            # it read every result's value (megabytes) to compare the record rows' first bytes.
            "SELECT state, what, rowid, CASE WHEN what = ? THEN substr(value, 1, ?) = ? END"
            " FROM results",
            (record, len(start), start),
        ).fetchall()
        alike = {other for other, _, _, same in rows if same} | {state}
        latest: dict[object, tuple[int, object]] = {}  # by result: its latest row, its state
        written: dict[object, int] = {}  # by state: its latest row
        for other, what, rowid, _ in rows:
            written[other] = max(written.get(other, rowid), rowid)
            if other in alike and what != record and rowid > latest.get(what, (-1, None))[0]:
                latest[what] = (rowid, other)
        holding = {other for _, other in latest.values()}
        return written.keys() - sorted(holding, key=written.__getitem__, reverse=True)[:STATES]


def _sliced(
    kept: Mapping[str, bytes], record: str, parts: Mapping[str, bytes]
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The rows `kept`, each one of `SLICED_FROM` bytes or more as `SLICED` and the sha256
    of each `SLICE` of it in turn (of the `record` row, which other runs compare the start
    of in SQL, what follows its first NUL), and the `parts` with those slices among them."""
    rows, parts = dict(kept), dict(parts)
    for what, value in kept.items():
        head, body = b"", value
        if what == record:
            head, nul, body = value.partition(b"\0")
            head += nul
        if len(body) >= SLICED_FROM:
            digests = []
            for start in range(0, len(body), SLICE):
                piece = body[start : start + SLICE]
                digest = hashlib.sha256(piece).hexdigest()
                parts[digest] = piece
                digests.append(digest)
            rows[what] = head + SLICED + bytes.fromhex("".join(digests))
    return rows, parts


def record_slices(record: bytes) -> tuple[bytes, list[str]] | None:
    """Of a record row (`RECORD`) kept in slices: its start to its first NUL (kept whole),
    and the digests of its slices in turn; None for one kept whole."""
    head, nul, body = record.partition(b"\0")
    return (head + nul, _digests(body)) if body.startswith(SLICED) else None


def _digests(value: bytes) -> list[str]:
    """The digests a `SLICED` row names, in order (none when it is not whole)."""
    raw = value[len(SLICED) :]
    if len(raw) % 32:
        return []
    return [raw[at : at + 32].hex() for at in range(0, len(raw), 32)]


def _joined(found: Mapping[str, bytes], digests: Sequence[str]) -> bytes | None:
    """The slices with these `digests` joined, of those `found`; None when one is missing
    or is not what its digest says (or none is named)."""
    slices = []
    for digest in digests:
        piece = found.get(digest)
        if piece is None or hashlib.sha256(piece).hexdigest() != digest:
            return None
        slices.append(piece)
    return b"".join(slices) if slices else None


# A part kept, or (a part already kept that is not these bytes: damaged) mended.
_KEEP_PART = """INSERT INTO parts VALUES (?, ?)
    ON CONFLICT (digest) DO UPDATE SET value = excluded.value WHERE value != excluded.value"""

# The note kept for a path, if it was parsed from the bytes with this sha256.
_NOTE_OF = (
    "SELECT blobs.note FROM notes JOIN blobs USING (path) WHERE path = ? AND notes.digest = ?"
)


def decoded(
    path: PurePosixPath, blob: object, decoder: msgspec.msgpack.Decoder[Note]
) -> Note | None:
    """The note in `blob`; None when it is not the note of `path` as vaultkit writes them."""
    from vaultkit.packing import decode

    note = decode(blob, decoder) if isinstance(blob, bytes) else None
    return note if note is not None and note.path == path else None


def _forget_note(db: sqlite3.Connection, path: PurePosixPath) -> None:
    """Forget a note, and the mark and base that say it is kept: the next run reads every
    row, and parses it and keeps it again."""
    key = os.fsencode(path)
    with contextlib.suppress(sqlite3.Error), transaction(db):
        db.execute("DELETE FROM meta WHERE key IN (?, ?)", (MARK, BASE))
        db.execute("DELETE FROM notes WHERE path = ?", (key,))
        db.execute("DELETE FROM blobs WHERE path = ?", (key,))


class Pending:
    """The kept notes `NoteCache.unchanged` found, each read from the cache file when it is
    first wanted: a run that recalls its results (`results.py`) reads none of them.

    A note is read alone until reading them one by one has cost about what reading the
    rest at once does (a quarter of them); then the rest are read at once. A note is taken
    only as parsed from the bytes its file was found to hold: another vaultkit may have
    kept another one since. One that is not kept any more, or does not decode (not what
    vaultkit wrote: forgotten, with a warning), is None: the caller parses its file.
    """

    def __init__(
        self,
        file: Path,
        digests: dict[PurePosixPath, str],
        decoder: msgspec.msgpack.Decoder[Note],
        paths: tuple[dict[str, PurePosixPath], Named],
    ) -> None:
        self.file = file
        self._digests = digests  # the sha256 of the bytes each note was parsed from
        self._taken: set[PurePosixPath] = set()
        self._decoder = decoder
        self._paths = paths  # what the decoder maps paths to, and the paths to map, once
        self._alone = max(16, len(digests) // 4)  # how many more to read one by one
        self._read: dict[PurePosixPath, bytes] | None = None  # the rest, read at once
        self._db: sqlite3.Connection | None = None
        self._usable = True  # False once the file could not be opened again

    def __contains__(self, path: object) -> bool:
        return path in self._digests

    def digest(self, path: PurePosixPath) -> str:
        """The sha256 of the bytes the note kept for `path` was parsed from."""
        return self._digests[path]

    def take(self, path: PurePosixPath) -> Note | None:
        """The kept note of `path` (one of these, taken once), decoded; None: parse its file."""
        if self._read is None and self._alone <= 0:
            self.read_all()
        self._taken.add(path)
        if self._read is not None:
            blob = self._read.pop(path, None)
        else:
            self._alone -= 1
            db = self._connection()
            key = os.fsencode(path)
            found = None if db is None else db.execute(_NOTE_OF, (key, self._digests[path]))
            blob = None if found is None else (found.fetchone() or (None,))[0]
        note = None if blob is None else decoded(path, blob, self._decoder)
        if blob is not None and note is None:
            self._forget(path)
        if len(self._taken) == len(self._digests):
            self.close()
        return note

    def read_all(self) -> None:
        """Read every note not taken yet, at once: each will be wanted."""
        left = {os.fsencode(path): path for path in self._digests if path not in self._taken}
        db = self._connection() if left else None
        self._read = {}
        if db is None:
            return
        rows = db.execute(
            "SELECT path, notes.digest, blobs.note FROM notes JOIN blobs USING (path)"
        )
        for key, digest, blob in rows:
            path = left.get(key)
            if path is not None and self._digests[path] == digest:
                self._read[path] = blob
        self.close()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _connection(self) -> sqlite3.Connection | None:
        """The cache file, opened when first needed (what loaded the vault has closed it)."""
        if self._db is None and self._usable:
            try:
                self._db, _ = open_checked(self.file, BUSY_TIMEOUT, _prepare)
            except CacheError as error:
                logger.warning("not using the parse cache %s: %s", self.file, error)
                self._usable = False
                return None
            weakref.finalize(self, self._db.close)
            known, (texts, paths) = self._paths
            known.update(zip(texts, paths, strict=True))
        return self._db

    def _forget(self, path: PurePosixPath) -> None:
        logger.warning(
            "the note kept for %r in the parse cache %s is not one vaultkit wrote:"
            " read from its file instead",
            str(path),
            self.file,
        )
        db = self._connection()
        if db is not None:
            _forget_note(db, path)


# --- the file --------------------------------------------------------------------------


def _connect(
    file: Path, prepared: Callable[[sqlite3.Connection], dict[bytes, _Row]]
) -> tuple[sqlite3.Connection, dict[bytes, _Row]]:
    """An open connection to the cache file (made if missing) and its rows (as `prepared`
    reads them), after every check of `cachefile.open_checked`; a new file, or another
    vaultkit's, starts empty."""
    return open_checked(file, BUSY_TIMEOUT, prepared)


def _prepared(db: sqlite3.Connection) -> dict[bytes, _Row]:
    _prepare(db)
    return _read_rows(db)


def _prepared_empty(db: sqlite3.Connection) -> dict[bytes, _Row]:
    _prepare(db)
    return {}


def _prepare(db: sqlite3.Connection) -> None:
    """Check the file's layout and stamp; a new file, or one from another vaultkit, starts empty."""
    db.execute("PRAGMA trusted_schema = OFF")  # the schema runs no functions
    # Some builds (Debian's) overwrite every page a write frees with zeros, a copy of it
    # journaled first: after an edit, the forgotten state's results and the note's old row,
    # a megabyte, a third of the time the cache's writes took. FAST overwrites what was
    # deleted only where that writes nothing more (this user's own notes, in a folder only
    # this user can read: `cachefile.py`).
    db.execute("PRAGMA secure_delete = FAST")
    if _stamp_of(db) == stamp():
        return
    with transaction(db):
        if _stamp_of(db) == stamp():
            return  # another vaultkit made it meanwhile
        for table in ("notes", "blobs", "results", "parts", "uses", "names", "meta"):
            db.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in _TABLES:
            db.execute(statement)
        db.execute("INSERT INTO meta VALUES ('stamp', ?)", (stamp(),))
        db.execute(f"PRAGMA user_version = {SCHEMA}")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def _stamp_of(db: sqlite3.Connection) -> object:
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version != SCHEMA:
        return None
    row = db.execute("SELECT value FROM meta WHERE key = 'stamp'").fetchone()
    return row and row[0]


# Each row, with whether its stat is whole (a stat of another type is not trusted).
_ROWS = """SELECT path, size, mtime_ns, ctime_ns, inode, digest, skimmed,
    typeof(size) = 'integer' AND typeof(mtime_ns) = 'integer'
    AND typeof(ctime_ns) = 'integer' AND typeof(inode) = 'integer'
    FROM notes"""
_ROW = f"{_ROWS} WHERE path = ? AND typeof(skimmed) = 'integer'"
# A row vaultkit would not write: checked by SQLite, without turning each row into objects.
_FOREIGN = """SELECT 1 FROM notes
    WHERE typeof(path) != 'blob' OR typeof(digest) != 'text' OR typeof(skimmed) != 'integer'
    LIMIT 1"""


def _read_rows(db: sqlite3.Connection) -> dict[bytes, _Row]:
    if db.execute(_FOREIGN).fetchone() is not None:
        raise CacheError("a row that is not what vaultkit writes")
    return {
        key: _Row((size, mtime, ctime, inode) if whole else None, digest, bool(skimmed))
        for key, size, mtime, ctime, inode, digest, skimmed, whole in db.execute(_ROWS)
    }


def _as_row(
    size: int, mtime: int, ctime: int, inode: int, digest: str, skimmed: int, whole: int
) -> _Row:
    return _Row((size, mtime, ctime, inode) if whole else None, digest, bool(skimmed))
