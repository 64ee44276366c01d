"""The notes to work on in a scope, in the order `next` lists them, kept between runs.

`Progress.next` orders every note in progress or ready to start (`next_key`): in progress
first, then those that unlock the most, then by path. Listing the first few reads every
note's progress; a `Ranking` keeps the order of them all, so that a run whose progress was
brought up to date from an earlier run's (`progress.CaughtUp`) moves only the notes whose
progress moved, and reads the progress of the notes it lists alone.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping
from pathlib import PurePosixPath

import msgspec

from vaultkit.model import Block, NoteProgress, Record, State

Entry = tuple[int, int, str]  # `_entry`: ordered as `progress.next_key` orders notes

TO_WORK_ON = (State.IN_PROGRESS, State.READY)


class Ranking(Record, frozen=True):
    """Every note in scope to work on, in order, each as its `_entry`."""

    entries: tuple[Entry, ...]

    @classmethod
    def of(cls, notes: Iterable[NoteProgress]) -> Ranking:
        """The ranking of the notes in scope, `notes`."""
        return cls(tuple(sorted(_entry(item) for item in notes if item.state in TO_WORK_ON)))

    def first(self, limit: int | None) -> list[PurePosixPath]:
        """The paths of the first `limit` notes (None: of every one), in order."""
        entries = self.entries if limit is None else self.entries[:limit]
        return [PurePosixPath(key.replace("\0", "/")) for _, _, key in entries]

    def updated(
        self,
        before: Mapping[PurePosixPath, NoteProgress],
        notes: Mapping[PurePosixPath, NoteProgress],
        scope: Callable[[PurePosixPath], bool],
        changed: Iterable[PurePosixPath] = (),
    ) -> Ranking | None:
        """This ranking, of the notes as they were when only the notes `before` had the
        progress given there, for the `notes` now: each of those in `scope` out of its
        place and into its new one. None when one of them is not where it was.

        The notes `changed` may have entered or left the scope too (a tag added or
        removed): each is taken out of the ranking when it is in it, and put in its place
        when it is in `scope` now."""
        entries = list(self.entries)
        changed = set(changed)
        for path in before.keys() | changed:
            old = before.get(path, notes.get(path))
            if path in changed:
                if old is not None and old.state in TO_WORK_ON:
                    _remove(entries, _entry(old))
            elif not scope(path):
                continue
            elif old is not None and old.state in TO_WORK_ON and not _remove(entries, _entry(old)):
                return None  # not the ranking of the notes as they were
            new = notes.get(path)
            if new is not None and new.state in TO_WORK_ON and scope(path):
                bisect.insort(entries, _entry(new))
        return Ranking(tuple(entries))


def _remove(entries: list[Entry], entry: Entry) -> bool:
    """Take `entry` out of the sorted `entries`; whether it was there."""
    at = bisect.bisect_left(entries, entry)
    if at == len(entries) or entries[at] != entry:
        return False
    del entries[at]
    return True


class Scope(msgspec.Struct, frozen=True):
    """What a block scoped by folder, tag or group is about (`listings.py` finds its
    notes): its folder, its tag and, with `group=`, its note, whose group it is."""

    folder: str | None
    tag: str | None
    group: PurePosixPath | None

    @classmethod
    def of(cls, block: Block, note: PurePosixPath) -> Scope:
        """The scope of `block`, a block of `note` not scoped by its links."""
        params = block.params
        group = note if params.get("group") is not None else None
        return cls(params.get("folder"), params.get("tag"), group)

    def order(self) -> tuple[bool, str, bool, str, tuple[str, ...]]:
        """A sort key: scopes kept in this order are kept as the same bytes."""
        folder, tag, group = self.folder, self.tag, self.group
        return (folder is None, folder or "", tag is None, tag or "", group.parts if group else ())


def _entry(item: NoteProgress) -> Entry:
    """`progress.next_key`, compared in C: its path as text with each `/` a NUL, which
    orders paths as their parts do (no name holds a NUL)."""
    started = int(item.state is not State.IN_PROGRESS)
    return (started, -len(item.unlocks), str(item.path).replace("/", "\0"))
