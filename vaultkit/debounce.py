"""When `watch` acts: which paths an event concerns, when a note is quiet, how often to write.

Everything here is pure: time is a number the caller passes in, so tests replay recorded
event sequences with a fake clock. The watcher (`watch.py`) feeds it real events and
`time.monotonic()`.

Editors save in different shapes (in place with several `modified` events, a temp file
renamed over the note, vim's backup rename, a polling observer's delete + create), so an
event never says what happened to a note: it only says "look at this path again once it
has been quiet" (WRITE-SAFETY.md rows 7 and 11).
"""

from __future__ import annotations

import enum
import os
from collections import OrderedDict, deque
from pathlib import Path, PurePosixPath

import msgspec
from msgspec import field
from watchdog.events import (
    EVENT_TYPE_CLOSED,
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    FileSystemEvent,
)

# Event types that can mean a file's bytes or its name changed. `opened` and
# `closed_no_write` cannot, and a folder's `modified` only says an entry came or went
# (the entry gets its own event).
FILE_CHANGES = frozenset(
    {
        EVENT_TYPE_MODIFIED,
        EVENT_TYPE_CREATED,
        EVENT_TYPE_DELETED,
        EVENT_TYPE_MOVED,
        EVENT_TYPE_CLOSED,
    }
)
# A folder created, deleted or renamed: its notes' own events can be missing (a folder
# moved in from outside the vault, a polling observer), so the watcher rescans.
FOLDER_CHANGES = frozenset({EVENT_TYPE_CREATED, EVENT_TYPE_DELETED, EVENT_TYPE_MOVED})


CEILING_FACTOR = 10  # a note written non-stop is still handled after 10 quiet periods
RESCAN_EVERY = 300.0  # seconds between rescans that catch lost events
WRITE_LIMIT = 20  # writes to one note ...
LIMIT_PERIODS = 24  # ... within this many quiet periods (60 s at 2.5 s) trip the breaker


class WatchOptions(msgspec.Struct, frozen=True):
    """How `watch` runs: its quiet period, its observer, how often it rescans and how
    many writes to one note trip its breaker."""

    quiet_period: float = 2.5
    polling: bool = False
    rescan_every: float = RESCAN_EVERY
    write_limit: int = WRITE_LIMIT
    verify: bool = False  # compare the state with a fresh load after every batch

    @property
    def ceiling(self) -> float:
        return CEILING_FACTOR * self.quiet_period

    @property
    def limit_window(self) -> float:
        return LIMIT_PERIODS * self.quiet_period


class Change(msgspec.Struct, frozen=True):
    """What one event asks of the watcher."""

    paths: tuple[PurePosixPath, ...] = ()  # vault-relative notes to look at again
    rescan: bool = False  # a folder changed: compare every note with the disk


def classify(event: FileSystemEvent, root: Path) -> Change:
    """The notes an event concerns (both ends of a move), or a rescan for a folder."""
    if event.is_directory:
        return Change(rescan=event.event_type in FOLDER_CHANGES)
    if event.event_type not in FILE_CHANGES:
        return Change()
    ends = [event.src_path, event.dest_path] if event.event_type == EVENT_TYPE_MOVED else []
    ends = ends or [event.src_path]
    found = (note_path(os.fsdecode(end), root) for end in ends if end)
    return Change(paths=tuple(dict.fromkeys(p for p in found if p is not None)))


def note_path(path: str, root: Path) -> PurePosixPath | None:
    """`path` relative to the vault when it can be a note, else None.

    Dot-named files and folders are skipped: Obsidian hides them (`.obsidian/`, `.trash/`),
    and editors and vaultkit name their temporary files that way. Plain string work: the
    observer's paths start with the root exactly as it was given, and every write makes
    several events.
    """
    prefix = str(root).rstrip("/") + "/"
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix) :]
    if not relative.lower().endswith(".md") or "/." in "/" + relative:
        return None
    return PurePosixPath(relative)


class _Pending(msgspec.Struct):
    first: float  # the first event since the path was last handled
    last: float  # the latest event


class Debouncer:
    """Per-path quiet periods: a path is due once no event touched it for `quiet` seconds,
    or `ceiling` seconds after its first event, so a note written non-stop is still handled.
    """

    def __init__(self, quiet: float, ceiling: float) -> None:
        if quiet < 0 or ceiling < quiet:
            raise ValueError(f"need 0 <= quiet <= ceiling, got {quiet} and {ceiling}")
        self.quiet = quiet
        self.ceiling = ceiling
        self._pending: dict[PurePosixPath, _Pending] = {}

    def touch(self, path: PurePosixPath, now: float) -> None:
        """An event on `path` at `now`: start or extend its quiet period."""
        pending = self._pending.get(path)
        if pending is None:
            self._pending[path] = _Pending(first=now, last=now)
        else:
            pending.last = max(pending.last, now)

    def __contains__(self, path: object) -> bool:
        """Whether `path` is waiting to be quiet (someone may be typing in it)."""
        return path in self._pending

    def __len__(self) -> int:
        return len(self._pending)

    def due(self, now: float) -> list[PurePosixPath]:
        """Remove and return the paths whose time has come, sorted."""
        ready = sorted(path for path, p in self._pending.items() if now >= self._deadline(p))
        for path in ready:
            del self._pending[path]
        return ready

    def next_deadline(self) -> float | None:
        """When the next path becomes due; None when nothing is waiting."""
        return min((self._deadline(p) for p in self._pending.values()), default=None)

    def _deadline(self, pending: _Pending) -> float:
        return min(pending.last + self.quiet, pending.first + self.ceiling)


class Verdict(enum.Enum):
    WRITE = "write"
    TRIP = "trip"  # the first refusal: the caller says so once
    HOLD = "hold"  # still cooling down: refuse quietly


class WriteLimiter(msgspec.Struct):
    """A circuit breaker against a loop with another program that rewrites our blocks.

    Rendering is deterministic and unchanged blocks are never written, so vaultkit alone
    writes a note about once per edit. More than `limit` writes to one note within
    `window` seconds means something keeps undoing them: stop writing that note for
    `window` seconds (the periodic rescan catches it up afterwards).

    A note is remembered while one of its writes is inside the window, no longer: the
    notes are kept least recently written first, and each write forgets those before it
    whose last write has left the window. Kept for good, a queue (600 bytes) for each note
    ever written or only checked grew a watcher by 1 kB an edit on a vault of 10,000 notes.
    """

    limit: int
    window: float
    # Each note with a write inside the window: the times of those writes, in order; the
    # notes least recently written first.
    _writes: OrderedDict[PurePosixPath, deque[float]] = field(default_factory=OrderedDict)
    _tripped: dict[PurePosixPath, float] = field(default_factory=dict)  # path -> until

    def check(self, path: PurePosixPath, now: float) -> Verdict:
        until = self._tripped.get(path)
        if until is not None:
            if now < until:
                return Verdict.HOLD
            del self._tripped[path]
            self._writes.pop(path, None)
        if self._count(path, now) < self.limit:
            return Verdict.WRITE
        self._tripped[path] = now + self.window
        return Verdict.TRIP

    def record(self, path: PurePosixPath, now: float) -> None:
        since = now - self.window
        writes = self._writes.pop(path, None) or deque()
        while writes and writes[0] <= since:
            writes.popleft()
        writes.append(now)
        self._writes[path] = writes  # the most recently written, last
        while self._writes:  # forget the notes whose last write has left the window
            first, kept = next(iter(self._writes.items()))
            if kept[-1] > since:
                break
            del self._writes[first]

    def remembered(self) -> list[PurePosixPath]:
        """The notes with a write inside the window when one was last recorded, least
        recently written first."""
        return list(self._writes)

    def _count(self, path: PurePosixPath, now: float) -> int:
        """How many writes to the note are inside the window at `now`."""
        return sum(1 for at in self._writes.get(path, ()) if at > now - self.window)
