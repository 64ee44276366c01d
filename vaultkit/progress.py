"""Progress: Vault -> Progress, every note's tasks, state and place in the graph (pure).

What each note says on its own (its tasks counted through the task status map, its
prerequisites from the `requires` property and `requires::` fields) comes from
`notefacts.py`; `graph.py` turns the prerequisites into the dependency graph, with an edge
from each prerequisite to its dependent, and each note's state follows from both.

Cycles are reported (VK401) and worked around: an edge inside a loop does not block, so a
loop of notes can still be started; every other edge does.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
from collections.abc import (
    Callable,
    Collection,
    ItemsView,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
    ValuesView,
)
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import overload

import msgspec
import msgspec.structs
from msgspec.structs import replace

from vaultkit.config import Config
from vaultkit.graph import DependencyGraph, Loop, cycles, dependency_graph, loops, same_shape
from vaultkit.model import (
    Link,
    NoteProgress,
    Paths,
    Record,
    State,
    TaskWait,
    VaultFiles,
    path_order,
)
from vaultkit.nogc import no_gc
from vaultkit.notefacts import Facts, note_facts
from vaultkit.reach import Descendants, all_descendants, components
from vaultkit.results import (
    earlier_state,
    part,
    recall,
    recall_earlier,
    recall_part_bytes,
    remember,
    tell,
    tell_since,
    told,
    unpacked_part,
)
from vaultkit.taskdeps import task_dependencies
from vaultkit.vault import Vault


class Progress(Record, frozen=True):
    """What `vaultkit status` shows, for every note that is not excluded."""

    notes: Mapping[PurePosixPath, NoteProgress]
    # The dependency graph (`graph.py`); or, recalled, what it is built from when first
    # read (`status` and `next` never read it).
    _graph: DependencyGraph | _Edges
    cycles: tuple[tuple[PurePosixPath, ...], ...]  # one cycle per loop of notes, sorted
    missing: tuple[tuple[PurePosixPath, Link], ...]  # prerequisite links that name no note

    @property
    def graph(self) -> DependencyGraph:
        graph = self._graph
        if isinstance(graph, _Edges):
            graph = graph.kept.graph()
            msgspec.structs.force_setattr(self, "_graph", graph)
        return graph

    def around(self, paths: Iterable[PurePosixPath]) -> DependencyGraph:
        """The graph, or of a recalled one that was not read whole yet, the part of it
        around `paths`: those of them that are nodes, and every edge into or out of one.
        What it says of their predecessors and successors is what the graph says."""
        graph = self._graph
        return graph.around(paths) if isinstance(graph, _Edges) else graph

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
        if limit is not None:
            return heapq.nsmallest(limit, candidates, key=next_key)  # as sorted()[:limit]
        return sorted(candidates, key=next_key)


def next_key(item: NoteProgress) -> tuple[int, int, tuple[str, ...]]:
    """Where a note comes among the notes to work on (`Progress.next`): first the least."""
    return (item.state is not State.IN_PROGRESS, -len(item.unlocks), path_order(item.path))


def compute(vault: Vault) -> Progress:
    """Every note's progress; recalled when an earlier run saw the vault as it is now, and
    brought up to date (`_catch_up`) when only some notes' bytes changed since."""
    kept = recall(vault, "progress", _Kept)
    blobs = None if kept is None else recall_part_bytes(vault, kept.parts)
    progress = None if kept is None or blobs is None else kept.progress(vault, blobs)
    if kept is not None and progress is not None:
        if kept.since is not None:
            tell_since(vault, "progress", kept.since.state, kept.since.caught_up(progress))
        return progress
    earlier = recall_earlier(vault, "progress", _Kept)
    caught = None
    if earlier is not None:
        before, changed = earlier
        blobs = recall_part_bytes(vault, before.parts, earlier=True)
        caught = None if blobs is None else _catch_up(vault, before, blobs, changed)
    if caught is not None:
        progress, made = caught
    else:
        tracked = track(vault)
        progress = tracked.progress
        made = _Kept.of(progress, _Shape.of(tracked))
    if made is not None:
        kept, blobs = made  # of a progress brought up to date, the parts made again alone
        remember(vault, "progress", kept, blobs, [d for d in kept.parts if d not in blobs])
    return progress


def caught_up(vault: Vault, progress: Progress) -> CaughtUp | None:
    """How `progress`, the vault's now (`compute`), follows from the progress of the state
    this run brings its results up to date from (`results.recall_earlier`): as `compute`
    said when it brought it up to date from there (`told`), or else brought up to date
    from there now (a progress recalled for the vault as it is now, that was brought up to
    date from another state: the vault is back in a state a run of another kind saw, a box
    ticked and unticked), the same progress as another object. None when it cannot be."""
    caught = told(vault, "progress")
    if isinstance(caught, CaughtUp):
        return caught if caught.progress is progress else None
    earlier = recall_earlier(vault, "progress", _Kept)
    if earlier is None:
        return None
    kept, changed = earlier
    blobs = recall_part_bytes(vault, kept.parts, earlier=True)
    if blobs is None or _catch_up(vault, kept, blobs, changed) is None:
        return None
    caught = told(vault, "progress")
    return caught if isinstance(caught, CaughtUp) else None


PART = 128  # notes per `_Part`: what a run brought up to date writes for each note changed


@contextlib.contextmanager
def _unlocks_left_out(notes: Iterable[NoteProgress]) -> Iterator[None]:
    """The notes with empty `unlocks` meanwhile, as `_Part` keeps them: the notes a
    `Progress` shows are kept as they are, their `unlocks` set."""
    hidden = [(item, item.unlocks) for item in notes]
    for item, _ in hidden:
        msgspec.structs.force_setattr(item, "unlocks", ())
    try:
        yield
    finally:
        for item, unlocks in hidden:
            msgspec.structs.force_setattr(item, "unlocks", unlocks)


class _Shape(Record, frozen=True):
    """What decides the dependency graph besides the resolved prerequisites, as data."""

    tracked: Paths  # the notes that name prerequisites (`Facts.tracked_links`)
    task_linked: Paths  # the notes with task links (`Facts.task_links`)
    loops: tuple[Paths, ...]  # `graph.loops`, each sorted

    @classmethod
    def of(cls, tracked: Tracked) -> _Shape:
        facts = tracked.facts
        return cls(
            tuple(path for path, fact in facts.items() if fact.tracked_links),
            tuple(path for path, fact in facts.items() if fact.task_links),
            tuple(tuple(sorted(loop)) for loop in tracked.loops),
        )


class _Part(Record, frozen=True):
    """The progress of up to `PART` notes, `unlocks` left empty, and each one's `unlocks`
    as the bitset `reach.py` made (over the graph's nodes sorted: `_Kept.order`), not as
    a list."""

    notes: tuple[NoteProgress, ...]
    unlocks: tuple[tuple[int, bytes], ...]  # each note's, in the same order

    @classmethod
    def of(
        cls, notes: Sequence[NoteProgress], rank: Mapping[PurePosixPath, int]
    ) -> tuple[str, bytes] | None:
        """The notes' part, as `results.part` keeps it."""
        unlocks = tuple(_packed(item.unlocks, rank) for item in notes)
        with _unlocks_left_out(notes):
            return part(cls(tuple(notes), unlocks))


class _Kept(Record, frozen=True):
    """A `Progress` as data: the graph as its nodes and edges, and every note's progress
    in `_Part`s of `PART` notes each, in order, named by their digests: a run brought up to
    date from this one writes only the parts of the notes whose progress it judged again."""

    parts: tuple[str, ...]
    nodes: Paths
    edges: tuple[int, ...]  # each edge's two nodes, by their indexes in `nodes`, in turn
    cycles: tuple[Paths, ...]
    missing: tuple[tuple[PurePosixPath, Link], ...]
    shape: _Shape
    since: _Since | None = None  # when brought up to date from an earlier run's (`_catch_up`)

    @classmethod
    def of(cls, progress: Progress, shape: _Shape) -> tuple[_Kept, dict[str, bytes]] | None:
        """The progress as data, with its parts' bytes by digest; None when it cannot be kept."""
        graph = progress.graph
        nodes = tuple(graph.nodes)
        rank = {path: index for index, path in enumerate(_sorted(nodes))}
        notes = list(progress.notes.values())
        made = _all_made(
            [_Part.of(notes[start : start + PART], rank) for start in range(0, len(notes), PART)]
        )
        if made is None:
            return None
        at = {path: index for index, path in enumerate(nodes)}
        kept = cls(
            made[0],
            nodes,
            tuple(at[node] for edge in graph.edges for node in edge),
            progress.cycles,
            progress.missing,
            shape,
        )
        return kept, made[1]

    def progress(self, vault: Vault, blobs: Mapping[str, bytes]) -> Progress | None:
        """The progress kept in these parts' bytes (this one's, `blobs` by digest), each
        part decoded when one of its notes is first read (`_Notes`); None when the parts
        are not as many as the vault's notes need."""
        excluded = vault.files.excluded
        paths = [path for path in vault.notes if not excluded or path not in excluded]
        if len(self.parts) != -(-len(paths) // PART):
            return None
        read = functools.partial(_decoded_part, vault, _Order(self.nodes))
        notes = _Notes(paths, [blobs[digest] for digest in self.parts], read)
        return Progress(notes, _Edges(self), self.cycles, self.missing)

    def graph(self) -> DependencyGraph:
        nodes, edges = self.nodes, self.edges
        return DependencyGraph(
            nodes,
            zip(
                map(nodes.__getitem__, edges[::2]), map(nodes.__getitem__, edges[1::2]), strict=True
            ),
        )

    def near(self, changed: Iterable[PurePosixPath]) -> DependencyGraph:
        """The part of the graph a catch-up reads: the `changed` notes that are nodes, the
        notes that require one of them, and every edge into one of those or out of a
        changed note: their predecessors, and the changed notes' successors, are those
        of the whole graph."""
        nodes, edges = self.nodes, self.edges
        at = {node: index for index, node in enumerate(nodes)}
        starts = {at[path] for path in changed if path in at}
        pairs = list(zip(edges[::2], edges[1::2], strict=True))
        dirty = starts | {target for source, target in pairs if source in starts}
        return DependencyGraph(
            [nodes[index] for index in sorted(dirty)],
            [(nodes[s], nodes[t]) for s, t in pairs if t in dirty or s in starts],
        )


class _Edges:
    """The graph a recalled progress was made with, as `kept`: built whole when it is
    first read (`Progress.graph`), and read around a few notes (`around`) without that."""

    __slots__ = ("_at", "_touching", "kept")

    def __init__(self, kept: _Kept) -> None:
        self.kept = kept
        self._at: dict[PurePosixPath, int] | None = None  # each node's index
        # The index of each edge into or out of each node, by the node's index: a block
        # rendered reads the graph around its note, and a run may render dozens.
        self._touching: dict[int, list[int]] = {}

    def around(self, paths: Iterable[PurePosixPath]) -> DependencyGraph:
        nodes, edges = self.kept.nodes, self.kept.edges
        if self._at is None:
            self._at = {node: index for index, node in enumerate(nodes)}
            touching = self._touching
            for edge, (source, target) in enumerate(zip(edges[::2], edges[1::2], strict=True)):
                touching.setdefault(source, []).append(edge)
                touching.setdefault(target, []).append(edge)
        at = self._at
        wanted = {at[path] for path in paths if path in at}
        found = sorted({edge for node in wanted for edge in self._touching.get(node, ())})
        return DependencyGraph(
            [nodes[index] for index in sorted(wanted)],
            [(nodes[edges[2 * edge]], nodes[edges[2 * edge + 1]]) for edge in found],
        )


class _Order(Sequence[PurePosixPath]):
    """The graph's nodes, sorted (what the bits of a kept note's `unlocks` stand for):
    sorted when a note's `unlocks` are first listed, as most runs only count them."""

    __slots__ = ("_nodes", "_sorted")

    def __init__(self, nodes: Sequence[PurePosixPath]) -> None:
        self._nodes = nodes
        self._sorted: list[PurePosixPath] | None = None

    def __len__(self) -> int:
        return len(self._nodes)

    @overload
    def __getitem__(self, index: int) -> PurePosixPath: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[PurePosixPath]: ...
    def __getitem__(self, index: int | slice) -> PurePosixPath | Sequence[PurePosixPath]:
        if self._sorted is None:
            self._sorted = _sorted(self._nodes)
        return self._sorted[index]


def _decoded_part(vault: Vault, order: Sequence[PurePosixPath], blob: bytes) -> _Part:
    """A kept part's notes, each with its `unlocks` over the sorted graph nodes `order`."""
    found = unpacked_part(vault, blob, _Part)
    if found is None:  # bytes that are what their digest says, which vaultkit wrote
        raise ValueError("a kept part of the progress is not one")
    for item, (low, bits) in zip(found.notes, found.unlocks, strict=True):
        unlocks = Descendants.unpacked(low, bits, order) if bits else ()
        msgspec.structs.force_setattr(item, "unlocks", unlocks)
    return found


class _Notes(Mapping[PurePosixPath, NoteProgress]):
    """Every note's progress, kept in `_Part`s of `PART` notes each in the vault's order,
    each part decoded when one of its notes is first read (a run brought up to date after
    an edit reads a few); the notes `judged` again are those given instead."""

    __slots__ = ("_at", "_blobs", "_judged", "_parts", "_paths", "_read", "_whole")

    def __init__(
        self,
        paths: Sequence[PurePosixPath],
        blobs: Sequence[bytes],
        read: Callable[[bytes], _Part],
        judged: Mapping[PurePosixPath, NoteProgress] = MappingProxyType({}),
    ) -> None:
        self._paths = paths  # every note's, in order
        self._blobs = blobs  # each part's bytes, in order
        self._read = read
        self._judged = judged
        self._parts: dict[int, tuple[NoteProgress, ...]] = {}
        self._at: dict[PurePosixPath, int] | None = None
        self._whole: dict[PurePosixPath, NoteProgress] | None = None

    def judged(self, notes: Mapping[PurePosixPath, NoteProgress]) -> _Notes:
        """The same notes, but those of `notes` as given there (the parts decoded shared)."""
        found = _Notes(self._paths, self._blobs, self._read, {**self._judged, **notes})
        found._parts, found._at = self._parts, self._at
        return found

    def __len__(self) -> int:
        return len(self._paths)

    def __iter__(self) -> Iterator[PurePosixPath]:
        return iter(self._paths)

    def __contains__(self, path: object) -> bool:
        return path in self._index()

    def __getitem__(self, path: PurePosixPath) -> NoteProgress:
        if self._whole is not None:
            return self._whole[path]
        found = self._judged.get(path)
        if found is not None:
            return found
        at = self._index()[path]
        return self.part(at // PART)[at % PART]

    def values(self) -> ValuesView[NoteProgress]:
        return self._all().values()

    def items(self) -> ItemsView[PurePosixPath, NoteProgress]:
        return self._all().items()

    def part(self, number: int) -> tuple[NoteProgress, ...]:
        """The notes of part `number` as kept (none judged again)."""
        found = self._parts.get(number)
        if found is None:
            found = self._read(self._blobs[number]).notes
            first = number * PART
            if [item.path for item in found] != self._paths[first : first + PART]:
                raise ValueError("a kept part of the progress holds other notes")
            self._parts[number] = found
        return found

    def part_of(self, path: PurePosixPath) -> int:
        """The number of the part that holds the note at `path`."""
        return self._index()[path] // PART

    def decoded(self) -> int:
        """How many parts were decoded."""
        return len(self._parts)

    def _index(self) -> dict[PurePosixPath, int]:
        if self._at is None:
            self._at = {path: index for index, path in enumerate(self._paths)}
        return self._at

    def _all(self) -> dict[PurePosixPath, NoteProgress]:
        if self._whole is None:
            whole: dict[PurePosixPath, NoteProgress] = {}
            for number in range(len(self._blobs)):
                whole.update((item.path, item) for item in self.part(number))
            whole.update(self._judged)
            self._whole = whole
        return self._whole


class _Since(Record, frozen=True):
    """How a kept progress was brought up to date from the progress of the vault in `state`
    (`_catch_up`): what a later run that recalls it tells (`CaughtUp`), as that run did.
    `before`: the progress of the notes that moved, as it was, `unlocks` left empty (the
    graph is the same: they are those of now)."""

    state: str
    reorders: bool
    before: tuple[NoteProgress, ...]

    def caught_up(self, progress: Progress) -> CaughtUp:
        notes = progress.notes
        before = {
            item.path: msgspec.structs.replace(item, unlocks=notes[item.path].unlocks)
            for item in self.before
        }
        return CaughtUp(progress, self.reorders, frozenset(before), MappingProxyType(before))


def _sorted(paths: Iterable[PurePosixPath]) -> list[PurePosixPath]:
    """`sorted(paths)`, compared in C (`path_order`)."""
    return sorted(paths, key=path_order)


def _catch_up(
    vault: Vault, kept: _Kept, blobs: Mapping[str, bytes], changed: frozenset[PurePosixPath]
) -> tuple[Progress, tuple[_Kept, dict[str, bytes]] | None] | None:
    """The progress `kept` of the vault before the notes `changed` changed (nothing else
    did), its parts' bytes `blobs` by digest, brought up to date as `track` updates the
    watcher's: when no changed note names other prerequisites, starts or stops naming
    any, or has (or had) task links, the graph is the same, and only the changed notes
    and the notes that require them are judged again, from the parts that hold them and
    their prerequisites (no other part is decoded). None otherwise: everything is
    computed again."""
    previous = kept.progress(vault, blobs)
    if previous is None:
        return None
    shape = kept.shape
    graph = kept.near(changed)
    facts = {path: note_facts(vault, vault.notes[path]) for path in changed}
    tracked, task_linked = set(shape.tracked), set(shape.task_linked)
    for path, fact in facts.items():
        if (
            fact.task_links
            or path in task_linked
            or fact.tracked_links != (path in tracked)
            or set(fact.prerequisites) != set(graph.predecessors(path) if path in graph else ())
        ):
            return None
    dirty = set(changed)
    for path in changed:
        if path in graph:
            dirty.update(graph.successors(path))  # their prerequisite may be done now
    notes = previous.notes
    if any(vault.is_linted(path) and path not in notes for path in dirty):
        return None  # not the vault `kept` was of
    for path in dirty - facts.keys():
        facts[path] = note_facts(vault, vault.notes[path])
    loop_of = {node: frozenset(loop) for loop in shape.loops for node in loop}
    judge = _Judge(graph, _done_of(vault, previous, graph, facts, dirty), loop_of, {})
    judged = {
        path: judge.progress(facts[path], notes[path].unlocks, notes[path].waiting)
        for path in dirty
        if vault.is_linted(path)
    }
    missing = _missing_now(vault, previous.missing, facts, changed)
    now = replace(kept, missing=missing)
    progress = Progress(_judged(notes, judged), _Edges(now), previous.cycles, missing)
    reorders = any(
        (notes[path].title, notes[path].start) != (item.title, item.start)
        for path, item in judged.items()
        if path in changed
    )
    moved = frozenset(path for path, item in judged.items() if item != notes[path])
    before = MappingProxyType({path: notes[path] for path in moved})
    tell(vault, "progress", CaughtUp(progress, reorders, moved, before))
    made = _parts_now(kept.parts, progress.notes, moved)
    since = _since(vault, reorders, before.values())
    return progress, None if made is None else (
        replace(now, parts=made[0], since=since),
        made[1],
    )


def _judged(
    notes: Mapping[PurePosixPath, NoteProgress], judged: Mapping[PurePosixPath, NoteProgress]
) -> Mapping[PurePosixPath, NoteProgress]:
    """`notes` with the notes `judged` again as given there."""
    if isinstance(notes, _Notes):
        return notes.judged(judged)
    return MappingProxyType({**notes, **judged})


def _since(vault: Vault, reorders: bool, before: Iterable[NoteProgress]) -> _Since | None:
    state = earlier_state(vault)
    if state is None:
        return None
    kept = [msgspec.structs.replace(item, unlocks=()) for item in before]
    return _Since(state, reorders, tuple(kept))


def _parts_now(
    digests: Sequence[str],
    notes: Mapping[PurePosixPath, NoteProgress],
    moved: frozenset[PurePosixPath],
) -> tuple[tuple[str, ...], dict[str, bytes]] | None:
    """The digests of the parts of the progress `notes` (`_Notes`), with the bytes of
    those made again: the parts `digests` that hold none of the `moved` notes (whose
    progress changed) are as they are (kept already), the others made again; None when one
    cannot be kept. A note's `unlocks` are packed as they were unpacked: the graph is the
    same."""
    assert isinstance(notes, _Notes)  # a caught-up progress's, always
    again = {notes.part_of(path) for path in moved}
    now: list[str] = []
    made: dict[str, bytes] = {}
    for number, digest in enumerate(digests):
        if number not in again:
            now.append(digest)
            continue
        part = _Part.of([notes[item.path] for item in notes.part(number)], {})
        if part is None:
            return None
        now.append(part[0])
        made[part[0]] = part[1]
    return tuple(now), made


def _all_made(
    made: Sequence[tuple[str, bytes] | None],
) -> tuple[tuple[str, ...], dict[str, bytes]] | None:
    """The digests of the parts `made`, in order, and their bytes; None when one is None."""
    found = [item for item in made if item is not None]
    if len(found) < len(made):
        return None
    return tuple(digest for digest, _ in found), dict(found)


class CaughtUp(Record, frozen=True):
    """A progress brought up to date from an earlier run's (`_catch_up`): the graph is the
    one that run saw, and only the changed notes and the notes that require them may have
    another state. `reorders`: a changed note's title or start date changed, which orders
    the groups of any block (`group_sort_key`). `moved`: the notes whose progress is not
    what it was (any field of it), and `before`, what it was."""

    progress: Progress
    reorders: bool
    moved: frozenset[PurePosixPath]
    before: Mapping[PurePosixPath, NoteProgress]


def _done_of(
    vault: Vault,
    previous: Progress,
    graph: DependencyGraph,
    facts: Mapping[PurePosixPath, Facts],
    dirty: Iterable[PurePosixPath],
) -> frozenset[PurePosixPath]:
    """Which prerequisites of the `dirty` notes are done: as `previous` judged them, but for
    the notes `facts` are given for, and the excluded ones, which it does not judge."""
    needed = {p for path in dirty if path in graph for p in graph.predecessors(path)}
    done = set()
    for path in needed:
        item = previous.notes.get(path)
        if path in facts or item is None:
            fact = facts.get(path) or note_facts(vault, vault.notes[path])
            finished = _finished(fact)
        else:
            finished = item.state in (State.DONE, State.DROPPED)  # as `_state` judges
        if finished:
            done.add(path)
    return frozenset(done)


def _missing_now(
    vault: Vault,
    before: tuple[tuple[PurePosixPath, Link], ...],
    facts: Mapping[PurePosixPath, Facts],
    changed: frozenset[PurePosixPath],
) -> tuple[tuple[PurePosixPath, Link], ...]:
    """`Progress.missing` with the changed notes' prerequisite links that name no note."""
    if not any(facts[path].missing for path in changed) and not any(
        item[0] in changed for item in before
    ):
        return before  # no changed note names a prerequisite that is no note, nor did
    found = [item for item in before if item[0] not in changed]
    found += [(path, link) for path in changed for link in facts[path].missing]
    rank = {path: index for index, path in enumerate(vault.notes)}
    return tuple(sorted(found, key=lambda item: rank[item[0]]))  # stable: links keep order


def _packed(
    unlocks: Sequence[PurePosixPath], rank: Mapping[PurePosixPath, int]
) -> tuple[int, bytes]:
    """A note's unlocks as `Descendants.packed` gives them (a list, when it is one, too)."""
    if isinstance(unlocks, Descendants):
        return unlocks.packed()
    bits = 0
    for path in unlocks:
        bits |= 1 << rank[path]
    return 0, bits.to_bytes((bits.bit_length() + 7) // 8, "little")


class Tracked(Record, frozen=True):
    """A vault's progress with what the next `track` of the same vault may reuse."""

    progress: Progress
    facts: Mapping[PurePosixPath, Facts]
    files: VaultFiles  # the file names the facts' links were resolved against
    loops: tuple[Loop, ...]


@no_gc()  # thousands of objects made, none of them garbage: no scan of the heap
def track(vault: Vault, previous: Tracked | None = None) -> Tracked:
    """Every note's progress, reusing what `previous` (the same vault, earlier) computed.

    The facts of notes that did not change are reused, and when no prerequisite changed
    either, only the changed notes and the notes that require them are computed again.
    """
    facts = _all_facts(vault, previous)
    if (
        previous is not None
        and previous.files is vault.files
        and _same_edges(facts, previous)
        and not _task_links_changed(facts, previous)
    ):
        return _update(vault, facts, previous)
    graph = dependency_graph(
        (path, fact.prerequisites, fact.tracked_links) for path, fact in facts.items()
    )
    parts = components(graph)
    found = loops(graph, parts)
    waits = _task_waits(facts, vault.config)
    loop_of = {node: loop for loop in found for node in loop}
    judge = _Judge(graph, _done(facts), loop_of, waits)
    unlocks = _unlocks(graph, previous, parts)
    notes = {
        path: judge.progress(fact, unlocks.get(path, ()))
        for path, fact in facts.items()
        if vault.is_linted(path)
    }
    progress = Progress(MappingProxyType(notes), graph, cycles(graph, found), _missing(facts))
    return Tracked(progress, facts, vault.files, found)


def _update(vault: Vault, facts: dict[PurePosixPath, Facts], previous: Tracked) -> Tracked:
    """`previous` brought up to date when only tasks, states, groups or dates changed."""
    graph = previous.progress.graph
    changed = [path for path, fact in facts.items() if fact is not previous.facts.get(path)]
    dirty = set(changed)
    for path in changed:
        if path in graph:
            dirty.update(graph.successors(path))  # their prerequisite may be done now
    loop_of = {node: loop for loop in previous.loops for node in loop}
    judge = _Judge(graph, _done(facts), loop_of, {})  # no task links changed: none wait anew
    notes = dict(previous.progress.notes)
    for path in dirty:
        if vault.is_linted(path):
            notes[path] = judge.progress(facts[path], notes[path].unlocks, notes[path].waiting)
    progress = Progress(MappingProxyType(notes), graph, previous.progress.cycles, _missing(facts))
    return Tracked(progress, facts, vault.files, previous.loops)


def _same_edges(facts: Mapping[PurePosixPath, Facts], previous: Tracked) -> bool:
    old = previous.facts
    if facts.keys() != old.keys():
        return False
    return all(
        fact is old[path]
        or (
            fact.prerequisites == old[path].prerequisites
            and fact.tracked_links == old[path].tracked_links
        )
        for path, fact in facts.items()
    )


class _Judge(Record, frozen=True):
    """Decides each note's state from the graph, what is done, and the loops."""

    graph: DependencyGraph
    done: frozenset[PurePosixPath]
    loop_of: Mapping[PurePosixPath, frozenset[PurePosixPath]]
    waits: Mapping[PurePosixPath, tuple[TaskWait, ...]]

    def progress(
        self,
        fact: Facts,
        unlocks: Sequence[PurePosixPath],
        waiting: tuple[TaskWait, ...] | None = None,
    ) -> NoteProgress:

        path = fact.note.path
        if waiting is None:
            waiting = self.waits.get(path, ())
        if path not in self.graph and not fact.missing and not waiting:
            # Most notes: no prerequisite, no task waited on, nothing blocks.
            return _note_progress(fact, _state(fact, False, False), (), (), unlocks, (), ())
        requires = tuple(self.graph.predecessors(path)) if path in self.graph else ()
        open_ = tuple(p for p in requires if p not in self.done)
        loop = self.loop_of.get(path, frozenset())
        looping = tuple(p for p in open_ if p in loop)
        # A prerequisite that names no note is not done: it blocks like an open one; so
        # does a task of another note that one of this note's tasks waits on.
        blocking = len(looping) < len(open_) or bool(fact.missing) or bool(waiting)
        state = _state(fact, bool(requires or fact.missing), blocking)
        blocked_by = (*open_, *(wait.on for wait in waiting if wait.on not in open_))
        return _note_progress(fact, state, requires, blocked_by, unlocks, looping, waiting)


def _task_links_changed(facts: Mapping[PurePosixPath, Facts], previous: Tracked) -> bool:
    """A changed note that has (or had) task ids or dependencies: whose state depends on
    whose is then anyone's guess, so everything is computed again."""
    old = previous.facts
    return any(
        fact is not old.get(path) and (fact.task_links or (path in old and old[path].task_links))
        for path, fact in facts.items()
    )


def _task_waits(
    facts: Mapping[PurePosixPath, Facts], config: Config
) -> dict[PurePosixPath, tuple[TaskWait, ...]]:
    """Each note's open tasks that wait on an open task in another note."""
    linked = [fact.note for fact in facts.values() if fact.task_links]
    if not linked:
        return {}
    deps = task_dependencies(linked)
    waits: dict[PurePosixPath, tuple[TaskWait, ...]] = {}
    for note in linked:
        found = tuple(
            TaskWait(
                waiting.task.span.line,
                waiting.description,
                blocker.ref.path,
                blocker.task.span.line,
                blocker.description,
            )
            for waiting, blocker in deps.waiting(note.path, config.task_status)
            if blocker.ref.path != note.path
        )
        if found:
            waits[note.path] = tuple(dict.fromkeys(found))
    return waits


def _done(facts: Mapping[PurePosixPath, Facts]) -> frozenset[PurePosixPath]:
    return frozenset(path for path, fact in facts.items() if _finished(fact))


def _missing(facts: Mapping[PurePosixPath, Facts]) -> tuple[tuple[PurePosixPath, Link], ...]:
    return tuple((path, link) for path, fact in facts.items() for link in fact.missing)


def _all_facts(vault: Vault, previous: Tracked | None) -> dict[PurePosixPath, Facts]:
    known: Mapping[PurePosixPath, Facts] = {}
    if previous is not None and previous.files is vault.files:
        known = previous.facts  # same file names: links resolve as before
    facts = {}
    for path, note in vault.notes.items():
        old = known.get(path)
        facts[path] = old if old is not None and old.note is note else note_facts(vault, note)
    return facts


def _unlocks(
    graph: DependencyGraph, previous: Tracked | None, parts: list[list[PurePosixPath]]
) -> Mapping[PurePosixPath, Sequence[PurePosixPath]]:
    """Every note's transitive dependents, sorted; reused when no edge changed."""
    if previous is not None and same_shape(previous.progress.graph, graph):
        return {path: item.unlocks for path, item in previous.progress.notes.items()}
    return all_descendants(graph, parts, key=path_order)  # PurePosixPath's order, in C


def _finished(fact: Facts) -> bool:
    """Whether a note no longer holds anything back: done, or dropped by the user."""
    tally = fact.counts
    return fact.manual in (State.DONE, State.DROPPED) or bool(
        tally.total and tally.done == tally.total
    )


def _state(fact: Facts, has_prerequisites: bool, blocked: bool) -> State:
    tally = fact.counts
    if fact.manual is State.DROPPED:
        return State.DROPPED
    if fact.manual is State.DONE or (tally.total and tally.done == tally.total):
        return State.DONE
    if fact.manual is State.IN_PROGRESS or tally.done or tally.in_progress:
        return State.IN_PROGRESS
    if blocked:
        return State.BLOCKED
    if fact.note.tasks or fact.manual is not None or has_prerequisites:
        return State.READY
    return State.UNTRACKED


def _note_progress(
    fact: Facts,
    state: State,
    requires: tuple[PurePosixPath, ...],
    open_: tuple[PurePosixPath, ...],
    unlocks: Sequence[PurePosixPath],
    looping: tuple[PurePosixPath, ...],
    waiting: tuple[TaskWait, ...],
) -> NoteProgress:
    tally = fact.counts
    return NoteProgress(
        path=fact.note.path,
        title=fact.note.title,
        state=state,
        done=tally.done,
        total=tally.total,
        in_progress=tally.in_progress,
        cancelled=tally.cancelled,
        unknown=tally.unknown,
        group=fact.group,
        requires=_in_order(requires),
        blocked_by=_in_order(set(open_)) if open_ else (),
        unlocks=unlocks,
        start=fact.start,
        due=fact.due,
        missing=tuple(sorted({link.target for link in fact.missing})) if fact.missing else (),
        looping=_in_order(looping),
        waiting=waiting,
        done_dates=fact.dates.done,
        dated_tasks=fact.dates.open,
    )


def _in_order(paths: Collection[PurePosixPath]) -> tuple[PurePosixPath, ...]:
    """`tuple(sorted(paths))`, without sorting none or one (most notes' lists)."""
    return tuple(paths) if len(paths) < 2 else tuple(_sorted(paths))


def group_sort_key(progress: Progress, group: str | None) -> tuple[int, str, str]:
    """Order groups as a plan reads: by the group note's `start` date, then by name.

    A group named by a link (`phase: "[[P2 6–12 個月]]"`) takes the start date of that
    note; notes without a group come last.
    """
    if group is None:
        return (2, "", "")
    starts = [p.start for p in progress.notes.values() if p.title == group and p.start]
    return (0, min(starts), group) if starts else (1, "", group)
