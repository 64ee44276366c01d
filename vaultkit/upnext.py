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
from dataclasses import dataclass
from pathlib import PurePosixPath

from vaultkit.model import NoteProgress, State

Entry = tuple[int, int, str]  # `_entry`: ordered as `progress.next_key` orders notes

TO_WORK_ON = (State.IN_PROGRESS, State.READY)


@dataclass(frozen=True, slots=True)
class Ranking:
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
    ) -> Ranking | None:
        """This ranking, of the notes as they were when only the notes `before` had the
        progress given there, for the `notes` now: each of those in `scope` out of its
        place and into its new one. None when one of them is not where it was."""
        entries = list(self.entries)
        for path, old in before.items():
            if not scope(path):
                continue
            if old.state in TO_WORK_ON:
                entry = _entry(old)
                at = bisect.bisect_left(entries, entry)
                if at == len(entries) or entries[at] != entry:
                    return None  # not the ranking of the notes as they were
                del entries[at]
            new = notes[path]
            if new.state in TO_WORK_ON:
                bisect.insort(entries, _entry(new))
        return Ranking(tuple(entries))


def _entry(item: NoteProgress) -> Entry:
    """`progress.next_key`, compared in C: its path as text with each `/` a NUL, which
    orders paths as their parts do (no name holds a NUL)."""
    started = int(item.state is not State.IN_PROGRESS)
    return (started, -len(item.unlocks), str(item.path).replace("/", "\0"))
