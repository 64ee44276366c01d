"""Results of a vault that has not changed since an earlier run, kept between runs.

Every note's progress, the findings of `lint`, the plan of `sync` and the text `status` and
`next` print depend only on the vault's files and their bytes, the configuration, vaultkit
itself, and what the command was asked (`api._shown` keys the text by it). A run that
finds the vault in the *state* an earlier run saw takes what that run computed instead of
computing it again, without decoding a single note. Each result is kept in the parse cache's file
(`cache.py`, the `results` table), as data that cannot run code (`packing.py`).

What makes a result not apply any more, exactly:

- The state: a sha256 of the files discovery found (every note, attachment, excluded and
  unread path, and why) with the sha256 of every note's and canvas's bytes. A note's is
  known without reading it while its file's stat (size, mtime_ns, ctime_ns, inode) is the
  one the parse cache kept, else its file is read and hashed (`cache.py`). A note edited,
  renamed, added or deleted changes the state, and so does any file name added or removed
  anywhere (it can change where a link resolves); a note touched without a change does not.
  When every file and stat is as the last run that trusted every stat found them, the
  state is that run's (`NoteCache.marked`), taken with its `Seen.record` (`recorded`).
- The configuration: its whole value is part of the key each result is kept under.
- vaultkit: a cache file written by another vaultkit (its stamp) starts empty.
- The clock, for what reads it: `lint`'s key holds today's date (VK601 overdue-task), and
  `status`'s the day it forecasts from.

A run that finds the vault changed only in some notes' bytes since a state results are
kept for (every file name, exclusion and canvas the same: the state's *names*) is told
which notes changed (`recall_earlier`), and brings what it needs up to date from those
results instead of computing everything again (`progress.py`, `planning.py` and
`linting.py` say how, exactly). A run brings all its results up to date from one earlier
state, so that those made from each other agree (a plan or a layout is brought up to date
with how the progress of the same state was: `tell`), chosen the first time one is asked
for: of the states that hold the first result the run asked for (its *kind*: what its
command is, such as `lint`'s findings of these notes on this day, or the text `status`
prints; when no state holds it, the next result it asked for that one holds), the one with
the fewest notes changed since (the latest, of those as near); a run whose results no
state holds starts from the state with the fewest notes changed. So each kind of run
starts from the state it last saw, whichever runs of other kinds came between.

Which states' results are kept: a state's results are forgotten, all at once, when each
result it holds is held by a state kept later (so each kind keeps its latest state, with
the results of other kinds of the same state that its own are brought up to date with:
`status`'s layout with the progress it was made from), or when a state with other names
is kept (no run could bring its results up to date from them); and the results of at most
`cache.STATES` states are kept (those written last). A run reads, of the other states,
only their records (`Seen.record`) and what they hold; then only the rows and parts it
asks for, each when first asked.

A result too large to decode and write whole after every edit is kept as a small value
that names its *parts* by digest (`part`, `recall_part_bytes`): each part is kept once, by
the sha256 of its bytes, for every state whose results use it, and forgotten with the last
of them, so a run brought up to date from an earlier one writes only the parts that
changed. A part that is not there (or not what the digest says) makes the result not kept.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeVar

import msgspec
from msgspec import field

from vaultkit.cache import RECORD, SLICE, NoteCache, record_slices
from vaultkit.model import Note, VaultFiles

if TYPE_CHECKING:
    from vaultkit.vault import Vault

logger = logging.getLogger(__name__)
T = TypeVar("T")
BASE = RECORD  # the row of `Seen.record`
TEXT = b"text\0"  # what a row `remember_text` keeps starts with


class Seen(msgspec.Struct, frozen=True):
    """A vault's state, and what it is made of."""

    state: str
    names: str  # sha256 of all but the notes' bytes: file names, exclusions, canvases' bytes
    notes: tuple[PurePosixPath, ...]  # the notes, in the vault's order
    digests: tuple[str, ...]  # the sha256 of each one's bytes, in the same order

    def record(self) -> bytes:
        """What a later run compares its own state with (`earlier`): the names part, then
        each note's digest as its `DIGEST` bytes (not as 64 hex digits: a run after an edit
        writes a record, and reads those of the other states kept)."""
        return self.names.encode("ascii") + b"\0" + _raw(self.digests)


DIGEST = 32  # bytes of a sha256


@functools.lru_cache(maxsize=1)  # a run after an edit asks it twice: `earlier`, `_keep`
def _raw(digests: tuple[str, ...]) -> bytes:
    """The `digests` (each a sha256 in hex) as bytes, joined; empty when one is not such a
    digest (a record of no notes then: no vault with notes matches it)."""
    try:
        raw = bytes.fromhex("".join(digests))
    except ValueError:
        return b""
    return raw if len(raw) == DIGEST * len(digests) else b""


class Earlier(msgspec.Struct, frozen=True):
    """An earlier state of the vault with results kept, that differs from this one only in
    the bytes of the notes `changed`."""

    state: str
    changed: frozenset[PurePosixPath]
    holds: frozenset[str]  # the keys of its results
    written: int  # when it was last written: the larger, the later
    told: dict[str, object] = field(default_factory=dict)  # see `tell`


class Memo(msgspec.Struct, frozen=True):
    """What a loaded vault's state lets it recall. It holds for the vault it came with:
    one with other notes or files (`refresh`, `replace`) recalls nothing."""

    root: Path
    seen: Seen
    notes: Mapping[PurePosixPath, Note]
    files: VaultFiles
    names: Sequence[str]  # each of `files.notes` as text, in the same order
    kept: Mapping[str, bytes]  # the results kept for this state, by key
    others: list[tuple[Earlier, ...]] = field(default_factory=list)  # [] until looked for
    earlier: list[Earlier | None] = field(default_factory=list)  # [] until chosen: `_earlier`
    asked: list[str] = field(default_factory=list)  # the keys asked for, in turn, until then
    recorded: list[bool] = field(default_factory=list)  # [True] once `Seen.record` is kept
    pending: list[_Pending] = field(default_factory=list)  # see `together`
    by_text: list[dict[str, PurePosixPath]] = field(default_factory=list)  # see `paths`
    since: dict[str, tuple[str, object]] = field(default_factory=dict)  # see `tell_since`
    lowered: list[list[str]] = field(default_factory=list)  # to keep: see `KeptNames`
    # in a `session`: the cache's file opened, by process and thread (`_opened`)
    opened: dict[tuple[int, int], NoteCache] = field(default_factory=dict)

    @property
    def state(self) -> str:
        return self.seen.state

    @property
    def paths(self) -> dict[str, PurePosixPath]:
        """The vault's note paths by their text: what a recalled path is made of."""
        if not self.by_text:
            self.by_text.append(dict(zip(self.names, self.files.notes, strict=True)))
        return self.by_text[0]


class _Pending(msgspec.Struct, frozen=True):
    """Results remembered inside `together`, kept when it ends."""

    rows: dict[str, bytes] = field(default_factory=dict)
    parts: dict[str, bytes] = field(default_factory=dict)
    reused: set[str] = field(default_factory=set)


def seen(
    files: VaultFiles,
    digests: Mapping[PurePosixPath, str],
    canvases: Mapping[PurePosixPath, str],
) -> Seen:
    """The state of a vault with these files, each note with the sha256 of its bytes
    (known from the file's stat when it did not move: `cache.py`), and each canvas with
    that of its own."""
    names = hashlib.sha256()
    for part in (files.notes, files.attachments, sorted(files.excluded), files.unread, digests):
        names.update("\0".join(map(str, part)).encode("utf-8", "surrogateescape") + b"\1")
    names.update(repr(files.problems).encode("utf-8", "surrogateescape"))
    for path, content in canvases.items():
        names.update(f"{path}\0{content}\1".encode("utf-8", "surrogateescape"))
    return seen_with(names.hexdigest(), digests)


def seen_with(names: str, digests: Mapping[PurePosixPath, str]) -> Seen:
    """The state of a vault whose names part (`Seen.names`) is `names`, each note with the
    sha256 of its bytes: what `seen` gives when the names part is known already."""
    state = hashlib.sha256(bytes.fromhex(names))
    state.update("".join(digests.values()).encode("ascii"))
    return Seen(state.hexdigest(), names, tuple(digests), tuple(digests.values()))


def recorded(
    state: str, notes: tuple[PurePosixPath, ...], kept: Mapping[str, bytes]
) -> Seen | None:
    """The vault's `state` again, from the results kept for it (`Seen.record`), for a vault
    with these notes; None when no record was kept for them."""
    names, _, joined = kept.get(BASE, b"").partition(b"\0")
    if not names or len(joined) != DIGEST * len(notes):
        return None
    text = joined.hex()
    digests = tuple(text[start : start + 64] for start in range(0, len(text), 64))
    return Seen(state, names.decode("ascii", "replace"), notes, digests)


def earlier(cache: NoteCache, now: Seen) -> tuple[Earlier, ...]:
    """The other states of the vault with results kept and the same names as `now`, each
    with the notes changed since (their results are not read)."""
    found = []
    ours = _raw(now.digests)
    mine: dict[str, bytes] | None = None  # the slices of ours, once a record kept in slices
    for other in cache.others(now.state, BASE, now.names.encode("ascii") + b"\0"):
        record: bytes | None = other.record
        slices = record_slices(other.record)
        if slices is not None:
            mine = _slices(ours) if mine is None else mine
            record = _joined_record(cache, *slices, mine)
        changed = None if record is None else _changed(record, now, ours)
        if changed:
            found.append(Earlier(other.state, changed, other.holds, other.written))
    return tuple(found)


def _slices(raw: bytes) -> dict[str, bytes]:
    """The `SLICE`s the cache keeps the digests of a record in (`raw`), by their sha256."""
    pieces = (raw[start : start + SLICE] for start in range(0, len(raw), SLICE))
    return {hashlib.sha256(piece).hexdigest(): piece for piece in pieces}


def _joined_record(
    cache: NoteCache, head: bytes, digests: list[str], mine: Mapping[str, bytes]
) -> bytes | None:
    """A record kept in slices (`cache.record_slices`), whole: each slice this run's own
    record has (`mine`) taken from there, only the others read (after an edit, one). None
    when one of those is not kept, or not what its digest says."""
    read = cache.parts(digest for digest in digests if digest not in mine)
    pieces = []
    for digest in digests:
        piece = mine.get(digest)
        if piece is None:
            piece = read.get(digest)
            if piece is None or hashlib.sha256(piece).hexdigest() != digest:
                return None
        pieces.append(piece)
    return head + b"".join(pieces)


CHUNK = DIGEST * 128  # a record's digests compared at once, before the notes in them one by one


def _changed(record: bytes, now: Seen, ours: bytes) -> frozenset[PurePosixPath] | None:
    """The notes whose bytes differ from those a state's `record` holds (`ours`: the
    digests of `now` as a record holds them); None when the state has other names (or the
    record is not one `Seen.record` made)."""
    names, _, joined = record.partition(b"\0")
    if names.decode("ascii", "replace") != now.names or len(joined) != len(ours):
        return None
    if len(ours) != DIGEST * len(now.digests):
        return None
    changed = []
    for start in range(0, len(ours), CHUNK):
        if joined[start : start + CHUNK] != ours[start : start + CHUNK]:
            for at in range(start, min(start + CHUNK, len(ours)), DIGEST):
                if joined[at : at + DIGEST] != ours[at : at + DIGEST]:
                    changed.append(now.notes[at // DIGEST])
    return frozenset(changed)


def _earlier(memo: Memo, key: str) -> Earlier | None:
    """The earlier state this run brings its results up to date from, chosen the first
    time one is asked for (`key`, unless the run asked for another first): see above."""
    if not memo.earlier:
        if not memo.others:
            with _opened(memo) as cache:
                memo.others.append(() if cache is None else earlier(cache, memo.seen))
        others = list(memo.others[0])
        for kind in (*memo.asked, key):
            holding = [other for other in others if kind in other.holds]
            if holding:
                others = holding
                break
        best = min(others, key=lambda other: (len(other.changed), -other.written), default=None)
        memo.earlier.append(best)
    return memo.earlier[0]


def _asked(memo: Memo, key: str) -> str:
    """`key`, noted as asked for in this run (what its kind is: `_earlier`)."""
    if not memo.earlier:
        memo.asked.append(key)
    return key


def _read(memo: Memo, state: str, key: str) -> bytes | None:
    """The result `key` kept for the vault in `state`, read now."""
    with _opened(memo) as cache:
        return None if cache is None else cache.result(state, key)


def recall(vault: Vault, what: str, kind: type[T]) -> T | None:
    """The result `what` kept for this vault as it is now, with its configuration."""
    memo = _memo(vault)
    if memo is None:
        return None
    blob = memo.kept.get(_asked(memo, _key(vault, what)))
    return None if blob is None else _unpacked(blob, kind, memo.paths)


def recall_earlier(
    vault: Vault, what: str, kind: type[T]
) -> tuple[T, frozenset[PurePosixPath]] | None:
    """The result `what` kept for the vault as an earlier run saw it (the state this run
    brings its results up to date from: `_earlier`), with the same configuration, and the
    notes whose bytes changed since: nothing else did."""
    memo = _memo(vault)
    if memo is None:
        return None
    key = _asked(memo, _key(vault, what))
    found = _earlier(memo, key)
    if found is None or key not in found.holds:
        return None
    blob = _read(memo, found.state, key)
    value = None if blob is None else _unpacked(blob, kind, memo.paths)
    return None if value is None else (value, found.changed)


def part(value: object) -> tuple[str, bytes] | None:
    """A part of a result (`remember`'s `parts`): its digest, and its bytes; None when it
    cannot be kept."""
    blob = _packed(value)
    return None if blob is None else (hashlib.sha256(blob).hexdigest(), blob)


def recall_part_bytes(
    vault: Vault, digests: Iterable[str], *, earlier: bool = False
) -> dict[str, bytes] | None:
    """The bytes of the parts with these digests, by digest, in turn: of the results kept
    for the vault as it is now, or (`earlier`) as the earlier run saw it (`recall_earlier`);
    left packed: a caller decodes only those it reads (`unpacked_part`). None when one of
    them is not kept, or not what its digest says."""
    memo = _memo(vault)
    if memo is None or (earlier and not memo.earlier):
        return None
    wanted = list(dict.fromkeys(digests))
    with _opened(memo) as cache:
        if cache is None:
            return None
        kept = cache.parts(wanted)
    blobs = {}
    for digest in wanted:
        blob = kept.get(digest)
        if blob is None or hashlib.sha256(blob).hexdigest() != digest:
            return None
        blobs[digest] = blob
    return blobs


def unpacked_part(vault: Vault, blob: bytes, kind: type[T]) -> T | None:
    """A part's bytes (`recall_part_bytes`) as a `kind`, its paths the vault's own; None
    when they are not one."""
    memo = _memo(vault)
    return None if memo is None else _unpacked(blob, kind, memo.paths)


def tell(vault: Vault, what: str, value: object) -> None:
    """Say how this run brought the result `what` up to date from the earlier run's, for
    the results computed from it (`told`)."""
    memo = _memo(vault)
    found = None if memo is None else _earlier(memo, _key(vault, what))
    if found is not None:
        found.told[what] = value


def tell_since(vault: Vault, what: str, state: str, value: object) -> None:
    """`tell`, for a result recalled for the vault as it is now that an earlier run brought
    up to date from the results of the vault in `state`: said when those are the results
    this run's earlier ones are (`told` looks)."""
    memo = _memo(vault)
    if memo is not None:
        memo.since[what] = (state, value)


def told(vault: Vault, what: str) -> object:
    """What `tell` (or `tell_since`) said of `what` in this run; None when it said nothing."""
    memo = _memo(vault)
    if memo is None:
        return None
    if what in memo.since:
        state, value = memo.since.pop(what)
        found = _earlier(memo, _key(vault, what))
        if found is not None and found.state == state:
            found.told.setdefault(what, value)
    found = memo.earlier[0] if memo.earlier else None
    return None if found is None else found.told.get(what)


def earlier_state(vault: Vault) -> str | None:
    """The state of the vault whose results `recall_earlier` recalled in this run."""
    memo = _memo(vault)
    found = None if memo is None or not memo.earlier else memo.earlier[0]
    return None if found is None else found.state


def remember(
    vault: Vault,
    what: str,
    value: object,
    parts: Mapping[str, bytes] = MappingProxyType({}),
    reused: Iterable[str] = (),
) -> None:
    """Keep a result of this vault as it is now, with its configuration, for a later run,
    with the `parts` (by digest: `part`) it names; those it names that are `reused` (their
    bytes recalled in this run: `recall_part_bytes`) are not written again."""
    memo = _memo(vault)
    blob = None if memo is None else _packed(value)
    if memo is not None and blob is not None:
        _add(memo, {_key(vault, what): blob}, parts, reused)


def recall_text(vault: Vault, what: str) -> str | None:
    """The text `remember_text` kept as `what` for this vault as it is now, with its
    configuration (read as it was written: no decoder runs)."""
    memo = _memo(vault)
    blob = None if memo is None else memo.kept.get(_asked(memo, _key(vault, what)))
    if blob is None or not blob.startswith(TEXT):
        return None
    try:
        return blob[len(TEXT) :].decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:  # not what vaultkit wrote
        return None


def remember_text(vault: Vault, what: str, text: str) -> None:
    """Keep a text that follows from this vault as it is now and its configuration, such
    as what a command printed, for a later run (`recall_text`)."""
    memo = _memo(vault)
    if memo is not None:
        _add(memo, {_key(vault, what): TEXT + text.encode("utf-8", "surrogatepass")})


def _add(
    memo: Memo,
    rows: dict[str, bytes],
    parts: Mapping[str, bytes] = MappingProxyType({}),
    reused: Iterable[str] = (),
) -> None:
    """Keep `rows` (and the `parts` they name) now, or with the others when `together` ends."""
    if memo.pending:
        memo.pending[-1].rows.update(rows)
        memo.pending[-1].parts.update(parts)
        memo.pending[-1].reused.update(reused)
    else:
        _keep(memo, rows, parts, reused)


@contextlib.contextmanager
def together(vault: Vault) -> Iterator[None]:
    """Keep the results remembered meanwhile in one write, when the block ends: or, within
    another such block, when that one ends (one write, not one each)."""
    memo = _memo(vault)
    if memo is None or memo.pending:
        yield
        return
    memo.pending.append(_Pending())
    try:
        yield
    finally:
        pending = memo.pending.pop()
        if pending.rows:
            _keep(memo, pending.rows, pending.parts, pending.reused)


def _keep(
    memo: Memo, rows: dict[str, bytes], parts: Mapping[str, bytes], reused: Iterable[str] = ()
) -> None:
    if not memo.recorded:
        rows[BASE] = memo.seen.record()
    record = (BASE, memo.seen.names.encode("ascii") + b"\0")
    lowered = None
    if memo.lowered:
        text = "\0".join(memo.lowered[-1]).encode("utf-8", "surrogateescape")
        lowered = (memo.seen.names, text)
    with _opened(memo) as cache:
        if cache is not None and cache.remember(memo.state, rows, record, parts, reused, lowered):
            memo.recorded.append(True)
            memo.lowered.clear()


class KeptNames:
    """The files' names lowered as links are resolved (`index.lowered_names`), kept between
    runs under the vault's file names (`Seen.names`): a run after an edit has the names
    of the run before, and does not lower 10,000 paths again (4 ms). Those a run made are
    kept with the next results it keeps (`_keep`)."""

    __slots__ = ("_memo",)

    def __init__(self, memo: Memo) -> None:
        self._memo = memo

    def recall(self) -> list[str] | None:
        memo = self._memo
        if not memo.kept and not any(memo.others):
            return None  # nothing is kept for these names (a first read): nothing to ask
        with _opened(memo) as cache:
            blob = None if cache is None else cache.lowered_names(memo.seen.names)
        if blob is None:
            return None
        text = blob.decode("utf-8", "surrogateescape")
        return text.split("\0") if text else []

    def keep(self, names: list[str]) -> None:
        self._memo.lowered.append(names)


# What `session` opened, each with where it is kept: a memo's `opened`, and the key there.
_Opened = list[tuple[NoteCache, dict[tuple[int, int], NoteCache], tuple[int, int]]]
_SESSION: ContextVar[_Opened | None] = ContextVar("session", default=None)


@contextlib.contextmanager
def session() -> Iterator[None]:
    """Read and keep results through one connection to the cache's file for each vault
    state (each `Memo`) until the block ends, not through a connection for each read
    and write (each opening checks the file anew: ten, 4 ms of a run after an edit).
    A command runs in one (`cli.main`); elsewhere each opens and closes its own."""
    opened: _Opened = []
    token = _SESSION.set(opened)
    try:
        yield
    finally:
        _SESSION.reset(token)
        for cache, where, key in opened:
            if key == _here():  # a forked process leaves its parent's alone
                where.pop(key, None)
                cache.close()


@contextlib.contextmanager
def _opened(memo: Memo) -> Iterator[NoteCache | None]:
    """The parse cache's file, for the results of the vault in `memo`'s state: in a
    `session`, opened once in each process and thread (SQLite's connections cross
    neither a fork nor, by default, a thread), else for this use alone. None when the
    cache is off or cannot be used."""
    opened = _SESSION.get()
    if opened is None:
        cache = NoteCache.open(memo.root, notes=False)
        with cache or contextlib.nullcontext():
            yield cache
        return
    key = _here()
    cache = memo.opened.get(key)
    if cache is None:
        cache = NoteCache.open(memo.root, notes=False)
        if cache is not None:
            memo.opened[key] = cache
            opened.append((cache, memo.opened, key))
    yield cache


def _here() -> tuple[int, int]:
    return os.getpid(), threading.get_ident()


def paths_digest(paths: Iterable[PurePosixPath] | None) -> str:
    """What a result asked for some notes (None: every note) is kept under."""
    return "all" if paths is None else _digest_of(tuple(paths))


@functools.lru_cache(maxsize=1)  # a run asks it of the same notes for each result it keeps
def _digest_of(paths: tuple[PurePosixPath, ...]) -> str:
    text = "\0".join(map(str, paths)).encode("utf-8", "surrogateescape")
    return hashlib.sha256(text).hexdigest()


def _memo(vault: Vault) -> Memo | None:
    memo = vault.memo
    if memo is None or memo.notes is not vault.notes or memo.files is not vault.files:
        return None
    return memo


def _key(vault: Vault, what: str) -> str:
    config = repr(vault.config).encode("utf-8", "surrogateescape")
    return f"{what} {hashlib.sha256(config).hexdigest()}"


def _packed(value: object) -> bytes | None:
    from vaultkit.packing import pack  # MessagePack's codec, loaded when a result is

    return pack(value)


def _unpacked(blob: bytes, kind: type[T], paths: Mapping[str, PurePosixPath]) -> T | None:
    from vaultkit.packing import unpack

    return unpack(blob, kind, paths)
