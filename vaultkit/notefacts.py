"""What progress needs from one note on its own: Note -> Facts (pure).

Its tasks counted through the task status map, the state its `status` property sets, its
prerequisites (the `requires` property's links and `requires::` fields, resolved), its
group, its start and due dates. A note's facts change only when the note does, or when the
vault's file names do (links resolve differently), so `progress.track` reuses them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import PurePosixPath
from types import MappingProxyType

from vaultkit.config import Config
from vaultkit.model import Link, Note, Record, State
from vaultkit.schedule import NoteDates, note_dates
from vaultkit.taskdeps import has_marker
from vaultkit.vault import Vault

MANUAL_STATES: Mapping[str, State] = MappingProxyType(
    {
        "todo": State.READY,
        "in-progress": State.IN_PROGRESS,
        "done": State.DONE,
        "dropped": State.DROPPED,
    }
)


class TaskCounts(Record, frozen=True):
    done: int = 0
    todo: int = 0
    in_progress: int = 0
    cancelled: int = 0
    unknown: int = 0

    @property
    def total(self) -> int:
        return self.done + self.todo + self.in_progress


NO_TASKS = TaskCounts()  # the counts of a note without tasks (most notes): made once


def count_tasks(note: Note, config: Config) -> TaskCounts:
    if not note.tasks:
        return NO_TASKS
    tally = {"done": 0, "todo": 0, "in-progress": 0, "cancelled": 0}
    unknown = 0
    for task in note.tasks:
        kind = config.task_status.get(task.status)
        if kind is None:
            unknown += 1
            kind = "todo"
        tally[kind] += 1
    return TaskCounts(
        done=tally["done"],
        todo=tally["todo"],
        in_progress=tally["in-progress"],
        cancelled=tally["cancelled"],
        unknown=unknown,
    )


def prerequisite_links(note: Note, config: Config) -> tuple[Link, ...]:
    """The `requires` property's links and the links in `requires::` fields, as written."""
    if not note.property_lines and not note.fields:
        return ()  # no property (so no property link) and no field: nothing to look for
    keys = {key.casefold() for key in config.requires}
    from_properties = [
        link
        for link in note.links
        if link.kind == "property" and (link.property or "").casefold() in keys
    ]
    from_fields = [
        link for field in note.fields if field.key.casefold() in keys for link in field.links
    ]
    return (*from_properties, *from_fields)


def manual_state(note: Note, config: Config) -> State | None:
    """The `status` property, when it holds one of the states vaultkit knows."""
    value = note.frontmatter.get(config.status_key)
    if isinstance(value, str):
        return MANUAL_STATES.get(value.strip().casefold())
    return None


def group_of(vault: Vault, path: PurePosixPath, key: str) -> str | None:
    """A property's value as a group label: a link names its note's title."""
    note = vault.notes.get(path)
    return None if note is None else _group(vault, note, key)


def _group(vault: Vault, note: Note, key: str) -> str | None:
    """`group_of` the note at hand."""
    value = _property(note.frontmatter, key)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None or value == "":
        return None
    for link in note.links:
        if link.kind == "property" and (link.property or "").casefold() == key.casefold():
            target = vault.index.resolve(link, note.path).path
            return target.stem if target is not None else link.target
    return _text(value)


class Facts(Record, frozen=True):
    """What progress needs from one note on its own, given the vault's file names."""

    note: Note
    counts: TaskCounts
    manual: State | None
    prerequisites: tuple[PurePosixPath, ...]  # resolved notes, in the order written
    missing: tuple[Link, ...]  # prerequisite links that resolve to no note
    tracked_links: bool  # it names prerequisites at all (resolved or not)
    group: str | None
    start: str | None
    due: str | None
    task_links: bool  # a task has a Tasks-plugin id or dependencies (`🆔`, `⛔`)
    dates: NoteDates


def note_facts(vault: Vault, note: Note) -> Facts:
    config = vault.config
    links = prerequisite_links(note, config)
    resolved = [(link, vault.index.resolve(link, note.path).path) for link in links]
    return Facts(
        note=note,
        counts=count_tasks(note, config),
        manual=manual_state(note, config),
        prerequisites=tuple(t for _, t in resolved if t is not None and t in vault.notes),
        missing=tuple(link for link, t in resolved if t is None or t not in vault.notes),
        tracked_links=bool(links),
        group=_group(vault, note, config.group_by),
        start=_date(note.frontmatter.get(config.start_key)),
        due=_date(note.frontmatter.get(config.due_key)),
        task_links=has_task_links(note),
        dates=note_dates(note, config),
    )


def has_task_links(note: Note) -> bool:
    """Whether any task may carry a Tasks-plugin id or dependency (checked cheaply)."""
    if not note.tasks:
        return False
    return has_marker("\n".join(task.text for task in note.tasks))


def _property(frontmatter: Mapping[str, object], key: str) -> object:
    if key in frontmatter:
        return frontmatter[key]
    folded = key.casefold()
    for name, value in frontmatter.items():
        if name.casefold() == folded:
            return value
    return None


def _date(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.strip():
        try:
            return dt.date.fromisoformat(value.strip()[:10]).isoformat()
        except ValueError:
            return None
    return None


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
