"""Dependencies between tasks, as the Tasks plugin writes them: `🆔 abc` and `⛔ abc,def`.

A task whose `⛔` names a task that is still to do or in progress is waiting on it (the
plugin calls it blocked); a done or cancelled task blocks nothing. Ids are vault-wide and
case-sensitive, as in the plugin. What goes wrong: an id given to several tasks, a `⛔`
naming an id no task has, and tasks that wait on each other in a loop (VK403). Pure: the
tasks' metadata is read from the notes (`taskmeta`), their kind from the status map.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

import msgspec

from vaultkit.model import Note, Record, Task, path_order
from vaultkit.taskmeta import may_hold, read_task

if TYPE_CHECKING:
    import networkx as nx

# Only a task whose text holds one of these can have an id or dependencies.
MARKER_CHARS = "🆔⛔"
MARKERS = re.compile(f"[{MARKER_CHARS}]|id::|dependson::", re.IGNORECASE)
OPEN_KINDS = frozenset({"todo", "in-progress"})


def has_marker(text: str) -> bool:
    """Whether `text` holds a Tasks-plugin id's or dependency's marker (`🆔`, `⛔`)."""
    return may_hold(text, MARKER_CHARS) and MARKERS.search(text) is not None


class TaskRef(msgspec.Struct, frozen=True, order=True):
    """One task: its note and its index in `Note.tasks`."""

    path: PurePosixPath
    index: int


class Linked(Record, frozen=True):
    """A task that has an id or dependencies."""

    ref: TaskRef
    task: Task
    description: str
    id: str | None
    depends_on: tuple[str, ...]


class TaskDependencies(Record, frozen=True):
    """Every task with an id or dependencies in the vault, and the ids' owners."""

    tasks: Mapping[TaskRef, Linked]
    owners: Mapping[str, tuple[TaskRef, ...]]  # id -> every task that has it, in order

    def waiting(
        self, path: PurePosixPath, kind_of: Mapping[str, str]
    ) -> list[tuple[Linked, Linked]]:
        """The open tasks of one note that wait on an open task: (waiting, blocker) pairs.

        `kind_of` maps a status character to `todo`, `done`, `in-progress` or `cancelled`
        (an unmapped character is to do). An id several tasks share blocks if any of them is open.
        """
        found = []
        for ref, linked in self.tasks.items():
            if ref.path != path or not linked.depends_on or not _open(linked, kind_of):
                continue
            for name in linked.depends_on:
                for owner in self.owners.get(name, ()):
                    blocker = self.tasks[owner]
                    if owner != ref and _open(blocker, kind_of):
                        found.append((linked, blocker))
        return found

    def loops(self) -> list[tuple[TaskRef, ...]]:
        """Tasks that wait on each other in a loop, each loop once, from its first task;
        each task in a loop waits on the next one."""
        if not any(linked.depends_on for linked in self.tasks.values()):
            return []  # nothing waits: no loop, and no need to load networkx
        import networkx as nx

        graph: nx.DiGraph = nx.DiGraph()
        for ref, linked in self.tasks.items():
            for name in linked.depends_on:
                for owner in self.owners.get(name, ()):
                    graph.add_edge(ref, owner)  # the waiting task -> what it waits on
        loops = []
        for component in nx.strongly_connected_components(graph):
            if len(component) > 1 or any(graph.has_edge(r, r) for r in component):
                first = min(component, key=_ref_order)
                cycle = nx.find_cycle(graph, first)
                loops.append(tuple(edge[0] for edge in cycle))
        return sorted(loops, key=lambda loop: _ref_order(loop[0]))


def _ref_order(ref: TaskRef) -> tuple[tuple[str, ...], int]:
    return path_order(ref.path), ref.index


def _open(linked: Linked, kind_of: Mapping[str, str]) -> bool:
    return kind_of.get(linked.task.status, "todo") in OPEN_KINDS


def task_dependencies(notes: Iterable[Note]) -> TaskDependencies:
    """The ids and dependencies written in the notes' tasks."""
    tasks: dict[TaskRef, Linked] = {}
    owners: dict[str, list[TaskRef]] = {}
    for note in sorted(notes, key=lambda n: path_order(n.path)):
        for index, task in enumerate(note.tasks):
            if not has_marker(task.text):
                continue
            meta = read_task(task.text)
            if meta.id is None and not meta.depends_on:
                continue
            ref = TaskRef(note.path, index)
            tasks[ref] = Linked(ref, task, meta.description, meta.id, meta.depends_on)
            if meta.id is not None:
                owners.setdefault(meta.id, []).append(ref)
    return TaskDependencies(tasks, {name: tuple(refs) for name, refs in owners.items()})
