"""Dates on tasks, and whether each group of notes is on track to meet its `due` date.

A note's done dates are the `✅` dates of its done tasks (the Tasks plugin's, read by
`taskmeta`); done tasks without one can be dated from git history (`history`). Its open
tasks' `📅` due and `⏳` scheduled dates are listed as they are.

A group is the notes whose group-by property (default `phase`) names the same value; its
due date is the `due` of the group's own note (the phase note the property links to). The
whole vault's due date is the latest `due` of any note. Each gets a `forecast`: the tasks
left, the pace at which its tasks were done in the trailing window, and the projected
finish against the due date.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from pathlib import PurePosixPath

import msgspec
from msgspec.structs import replace

from vaultkit.config import Config
from vaultkit.forecast import Forecast, forecast
from vaultkit.model import DatedTask, Note, NoteProgress, State, path_order
from vaultkit.taskmeta import may_hold, read_task

DONE_KINDS = frozenset({"done"})
# What a done, due or scheduled date starts with, in either of the Tasks plugin's formats.
DATE_CHARS = "✅📅📆🗓⏳⌛"
DATE_MARKERS = re.compile(f"[{DATE_CHARS}]|completion::|due::|scheduled::", re.IGNORECASE)
OPEN_KINDS = frozenset({"todo", "in-progress"})


class NoteDates(msgspec.Struct, frozen=True):
    done: tuple[date, ...]  # the ✅ dates of done tasks, sorted
    undated_done: int  # done tasks without a ✅ date
    open: tuple[DatedTask, ...]  # open tasks with a due or scheduled date, in note order

    def done_counts(self) -> dict[str, int]:
        """ISO date -> how many tasks were done that day, sorted by date."""
        return {day.isoformat(): count for day, count in sorted(Counter(self.done).items())}


NO_DATES = NoteDates((), 0, ())  # a note without tasks has none (most notes): made once


def note_dates(note: Note, config: Config) -> NoteDates:
    """The dates written on one note's tasks."""
    if not note.tasks:
        return NO_DATES
    if not _dated("\n".join(task.text for task in note.tasks)):
        # Most notes' tasks carry no date at all: one scan of them all says so.
        kinds = config.task_status
        undated = sum(kinds.get(task.status, "todo") in DONE_KINDS for task in note.tasks)
        return NoteDates((), undated, ())
    done: list[date] = []
    undated = 0
    dated: list[DatedTask] = []
    for task in note.tasks:
        if not _dated(task.text):  # most tasks carry no date: one scan says so
            undated += config.task_status.get(task.status, "todo") in DONE_KINDS
            continue
        kind = config.task_status.get(task.status, "todo")
        if kind in DONE_KINDS:
            day = read_task(task.text).done
            if day is None:
                undated += 1
            else:
                done.append(day)
        elif kind in OPEN_KINDS:
            meta = read_task(task.text)
            if meta.due or meta.scheduled:
                dated.append(DatedTask(task.span.line, meta.description, meta.due, meta.scheduled))
    return NoteDates(tuple(sorted(done)), undated, tuple(dated))


def _dated(text: str) -> bool:
    """Whether `text` holds a done, due or scheduled date's marker."""
    return may_hold(text, DATE_CHARS) and DATE_MARKERS.search(text) is not None


class GroupForecast(msgspec.Struct, frozen=True):
    """A group's forecast; `group` None is the whole vault."""

    group: str | None
    note: PurePosixPath | None  # the group's own note, whose `due` is the group's
    forecast: Forecast


def forecasts(
    notes: Mapping[PurePosixPath, NoteProgress],
    today: date,
    window_weeks: int,
    done_dates: Mapping[PurePosixPath, Sequence[date]] | None = None,
) -> list[GroupForecast]:
    """Every group with a due date (ordered by it), then the whole vault when any note has one.

    `done_dates`: each note's done dates, when not its ✅ dates (with dates from history).
    """
    return outlook(notes, done_dates).forecasts(today, window_weeks)


class Summed(msgspec.Struct, frozen=True):
    """What a forecast reads of a group's notes (of the whole vault's: `note` None)."""

    group: str | None
    note: PurePosixPath | None  # the group's own note, whose `due` is the group's
    own: bool  # that note's tasks count toward the group: it is in no group itself
    due: date
    remaining: int  # open tasks
    done: tuple[tuple[date, int], ...]  # each day tasks were done, and how many, by day

    def counts(self, item: NoteProgress) -> bool:
        """Whether a note that is not dropped is one of those summed."""
        return (
            self.note is None or item.group == self.group or (self.own and item.path == self.note)
        )


class Outlook(msgspec.Struct, frozen=True):
    """What `forecasts` reads of every note's progress, summed: each group with a due
    date, in the order forecast, then the whole vault. A progress brought up to date
    from an earlier run's brings it up to date (`updated`) from what the notes whose
    progress moved were and are: no other note is read."""

    groups: tuple[Summed, ...]

    def forecasts(self, today: date, window_weeks: int) -> list[GroupForecast]:
        return [
            GroupForecast(
                summed.group,
                summed.note,
                forecast(
                    [day for day, count in summed.done for _ in range(count)],
                    summed.remaining,
                    summed.due,
                    today,
                    window_weeks,
                ),
            )
            for summed in self.groups
        ]

    def updated(
        self,
        before: Mapping[PurePosixPath, NoteProgress],
        notes: Mapping[PurePosixPath, NoteProgress],
    ) -> Outlook | None:
        """These sums, of the notes as they were when only the notes `before` had the
        progress given there, for the `notes` now; None when one of those changed title,
        group or due date, or was dropped or taken up again (the groups and their due
        dates may be others: everything is summed again)."""
        pairs = [(old, notes[path]) for path, old in before.items()]
        if any(_grouping(old) != _grouping(new) for old, new in pairs):
            return None
        pairs = [(old, new) for old, new in pairs if new.state is not State.DROPPED]
        groups = []
        for summed in self.groups:
            moved = [(old, new) for old, new in pairs if summed.counts(new)]
            if moved:
                done = Counter(dict(summed.done))
                done.subtract(day for old, _ in moved for day in old.done_dates)
                done.update(day for _, new in moved for day in new.done_dates)
                left = sum(new.total - new.done - old.total + old.done for old, new in moved)
                summed = replace(
                    summed,
                    remaining=summed.remaining + left,
                    done=tuple(sorted((day, count) for day, count in done.items() if count)),
                )
            groups.append(summed)
        return Outlook(tuple(groups))


def _grouping(item: NoteProgress) -> tuple[str, str | None, str | None, bool]:
    """What decides which sums a note counts toward, and those sums' due dates."""
    return item.title, item.group, item.due, item.state is State.DROPPED


def outlook(
    notes: Mapping[PurePosixPath, NoteProgress],
    done_dates: Mapping[PurePosixPath, Sequence[date]] | None = None,
) -> Outlook:
    """What `forecasts` reads of the `notes`, summed (`done_dates`: as there)."""
    if done_dates is None:
        done_dates = {path: item.done_dates for path, item in notes.items()}
    counted = [item for item in notes.values() if item.state is not State.DROPPED]
    by_title: dict[str, NoteProgress] = {}
    for item in sorted(counted, key=lambda i: path_order(i.path)):
        by_title.setdefault(item.title, item)
    groups: dict[str, list[NoteProgress]] = {}
    for item in counted:
        if item.group is not None:
            groups.setdefault(item.group, []).append(item)
    result = []
    for name, members in groups.items():
        own = by_title.get(name)
        due = _date(own.due) if own is not None else None
        if due is None or own is None:
            continue
        if own.group is None and own not in members:
            members = [*members, own]  # a phase note's own tasks belong to its phase
        result.append(_summed(name, own.path, own.group is None, due, members, done_dates))
    result.sort(key=lambda g: (g.due, g.group or ""))
    dues = [day for item in counted if (day := _date(item.due)) is not None]
    if dues:
        result.append(_summed(None, None, False, max(dues), counted, done_dates))
    return Outlook(tuple(result))


def _summed(
    group: str | None,
    note: PurePosixPath | None,
    own: bool,
    due: date,
    members: Iterable[NoteProgress],
    done_dates: Mapping[PurePosixPath, Sequence[date]],
) -> Summed:
    members = list(members)
    remaining = sum(item.total - item.done for item in members)
    days = Counter(day for item in members for day in done_dates.get(item.path, ()))
    return Summed(group, note, own, due, remaining, tuple(sorted(days.items())))


def note_forecasts(
    notes: Mapping[PurePosixPath, NoteProgress],
    path: PurePosixPath,
    today: date,
    window_weeks: int,
    done_dates: Mapping[PurePosixPath, Sequence[date]] | None = None,
) -> list[GroupForecast]:
    """The forecast of one note: its group's when it is the group's own note (its `due`
    is the group's), else its own tasks against its own `due`; none without a due date."""
    if done_dates is None:
        done_dates = {path: item.done_dates for path, item in notes.items()}
    own = [g for g in forecasts(notes, today, window_weeks, done_dates) if g.note == path]
    item = notes.get(path)
    if own or item is None or item.state is State.DROPPED:
        return own
    due = _date(item.due)
    if due is None:
        return []
    return [
        GroupForecast(item.title, path, _forecast([item], done_dates, due, today, window_weeks))
    ]


def _forecast(
    members: Iterable[NoteProgress],
    done_dates: Mapping[PurePosixPath, Sequence[date]],
    due: date,
    today: date,
    window_weeks: int,
) -> Forecast:
    members = list(members)
    remaining = sum(item.total - item.done for item in members)
    days = [day for item in members for day in done_dates.get(item.path, ())]
    return forecast(days, remaining, due, today, window_weeks)


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def undated_done(note: Note, config: Config) -> list[str]:
    """The descriptions of the note's done tasks that carry no ✅ date."""
    found = []
    for task in note.tasks:
        if config.task_status.get(task.status) in DONE_KINDS:
            meta = read_task(task.text)
            if meta.done is None:
                found.append(meta.description)
    return found


def with_history(
    notes: Mapping[PurePosixPath, Note],
    progress: Mapping[PurePosixPath, NoteProgress],
    config: Config,
    completed: Callable[[PurePosixPath, list[str]], list[date]],
) -> dict[PurePosixPath, list[date]]:
    """Each note's done dates: its ✅ dates, and for its done tasks without one, the date
    `completed(path, descriptions)` gives (from git history)."""
    dates: dict[PurePosixPath, list[date]] = {}
    for path, item in progress.items():
        found = list(item.done_dates)
        if item.done > len(found):
            found += completed(path, undated_done(notes[path], config))
        dates[path] = sorted(found)
    return dates
