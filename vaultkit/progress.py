"""Progress and the dependency graph: Vault -> Progress (pure).

Each note's tasks are counted through the task status map, its prerequisites come from the
`requires` property and `requires::` fields, and the dependency graph is a networkx
DiGraph with an edge from each prerequisite to its dependent.

Cycles are reported (VK401) and worked around: an edge inside a loop does not block, so a
loop of notes can still be started; every other edge does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from types import MappingProxyType

import networkx as nx

from vaultkit.config import Config
from vaultkit.model import Link, Note, NoteProgress, State
from vaultkit.vault import Vault

MANUAL_STATES: Mapping[str, State] = MappingProxyType(
    {
        "todo": State.READY,
        "in-progress": State.IN_PROGRESS,
        "done": State.DONE,
        "dropped": State.DROPPED,
    }
)


@dataclass(frozen=True, slots=True)
class TaskCounts:
    done: int = 0
    todo: int = 0
    in_progress: int = 0
    cancelled: int = 0
    unknown: int = 0

    @property
    def total(self) -> int:
        return self.done + self.todo + self.in_progress


@dataclass(frozen=True, slots=True)
class Progress:
    notes: Mapping[PurePosixPath, NoteProgress]
    graph: nx.DiGraph
    cycles: tuple[tuple[PurePosixPath, ...], ...]
    missing: tuple[tuple[PurePosixPath, Link], ...]

    def next(
        self, scope: Iterable[PurePosixPath] | None = None, limit: int | None = None
    ) -> list[NoteProgress]:
        """Notes to work on: in progress first, then those that unlock the most."""
        paths = self.notes.keys() if scope is None else set(scope) & self.notes.keys()
        candidates = [
            self.notes[path]
            for path in paths
            if self.notes[path].state in (State.IN_PROGRESS, State.READY)
        ]
        candidates.sort(key=_next_key)
        return candidates if limit is None else candidates[:limit]


def _next_key(item: NoteProgress) -> tuple[int, int, PurePosixPath]:
    return (item.state is not State.IN_PROGRESS, -len(item.unlocks), item.path)


def count_tasks(note: Note, config: Config) -> TaskCounts:
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
    if note is None:
        return None
    value = _property(note.frontmatter, key)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None or value == "":
        return None
    for link in note.links:
        if link.kind == "property" and (link.property or "").casefold() == key.casefold():
            target = vault.index.resolve(link, path).path
            return target.stem if target is not None else link.target
    return _text(value)


def compute(vault: Vault) -> Progress:
    config = vault.config
    counts = {path: count_tasks(note, config) for path, note in vault.notes.items()}
    graph, missing = _dependency_graph(vault)
    loops = [frozenset(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    loops += [frozenset({n}) for n in nx.nodes_with_selfloops(graph)]
    loop_of = {node: loop for loop in loops for node in loop}
    done = _done_notes(vault, counts)
    notes: dict[PurePosixPath, NoteProgress] = {}
    for path, note in vault.notes.items():
        if not vault.is_linted(path):
            continue
        requires = tuple(graph.predecessors(path)) if path in graph else ()
        open_ = tuple(p for p in requires if p not in done)
        blocking = [p for p in open_ if p not in loop_of.get(path, ())]
        state = _state(note, counts[path], config, bool(requires), bool(blocking), done)
        notes[path] = _note_progress(vault, note, counts[path], state, requires, open_, graph)
    cycles = tuple(sorted(_describe_loop(graph, loop) for loop in loops))
    return Progress(MappingProxyType(notes), graph, cycles, tuple(missing))


def _dependency_graph(
    vault: Vault,
) -> tuple[nx.DiGraph, list[tuple[PurePosixPath, Link]]]:
    graph = nx.DiGraph()
    missing: list[tuple[PurePosixPath, Link]] = []
    for path, note in vault.notes.items():
        links = prerequisite_links(note, vault.config)
        if links:
            graph.add_node(path)
        for link in links:
            target = vault.index.resolve(link, path).path
            if target is None or target not in vault.notes:
                missing.append((path, link))
                continue
            graph.add_edge(target, path)
    return graph, missing


def _done_notes(
    vault: Vault, counts: Mapping[PurePosixPath, TaskCounts]
) -> frozenset[PurePosixPath]:
    """Notes that no longer hold anything back: done, or dropped by the user."""
    finished = set()
    for path, note in vault.notes.items():
        manual = manual_state(note, vault.config)
        tally = counts[path]
        if manual in (State.DONE, State.DROPPED) or (tally.total and tally.done == tally.total):
            finished.add(path)
    return frozenset(finished)


def _state(
    note: Note,
    tally: TaskCounts,
    config: Config,
    has_prerequisites: bool,
    blocked: bool,
    done: frozenset[PurePosixPath],
) -> State:
    manual = manual_state(note, config)
    if manual is State.DROPPED:
        return State.DROPPED
    if manual is State.DONE or (tally.total and tally.done == tally.total):
        return State.DONE
    if manual is State.IN_PROGRESS or tally.done or tally.in_progress:
        return State.IN_PROGRESS
    if blocked:
        return State.BLOCKED
    if note.tasks or manual is not None or has_prerequisites:
        return State.READY
    return State.UNTRACKED


def _note_progress(
    vault: Vault,
    note: Note,
    tally: TaskCounts,
    state: State,
    requires: tuple[PurePosixPath, ...],
    open_: tuple[PurePosixPath, ...],
    graph: nx.DiGraph,
) -> NoteProgress:
    config = vault.config
    unlocks = tuple(sorted(nx.descendants(graph, note.path))) if note.path in graph else ()
    return NoteProgress(
        path=note.path,
        title=note.title,
        state=state,
        done=tally.done,
        total=tally.total,
        in_progress=tally.in_progress,
        cancelled=tally.cancelled,
        unknown=tally.unknown,
        group=group_of(vault, note.path, config.group_by),
        requires=tuple(sorted(requires)),
        blocked_by=tuple(sorted(open_)),
        unlocks=unlocks,
        start=_date(note.frontmatter.get(config.start_key)),
        due=_date(note.frontmatter.get(config.due_key)),
    )


def _describe_loop(graph: nx.DiGraph, loop: frozenset[PurePosixPath]) -> tuple[PurePosixPath, ...]:
    """One cycle through the loop's smallest note, starting there."""
    start = min(loop)
    cycle = nx.find_cycle(graph.subgraph(loop), source=start)
    nodes = [edge[0] for edge in cycle]
    first = nodes.index(min(nodes))
    return tuple(nodes[first:] + nodes[:first])


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


def group_sort_key(progress: Progress, group: str | None) -> tuple[int, str, str]:
    """Order groups as a plan reads: by the group note's `start` date, then by name.

    A group named by a link (`phase: "[[P2 6–12 個月]]"`) takes the start date of that
    note; notes without a group come last.
    """
    if group is None:
        return (2, "", "")
    starts = [p.start for p in progress.notes.values() if p.title == group and p.start]
    return (0, min(starts), group) if starts else (1, "", group)
