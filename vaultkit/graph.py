"""The dependency graph: each note's prerequisites -> a `DependencyGraph`, and its loops (pure).

An edge runs from a prerequisite to the note that requires it, so a note's ancestors are
everything it waits on and its descendants everything it unlocks. A node is a note that
names prerequisites, or is named as one. What a loop means for a note's state is decided
in `progress.py`; here it is only found. Every node's descendants at once: `reach.py`.

The graph is vaultkit's own small class, not a networkx `DiGraph`: every run that reports
progress builds one, and loading networkx alone costs a quarter of a second. It keeps the
orders a `DiGraph` keeps (nodes as first added, each node's edges as added), so what is
printed from it is the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, KeysView
from pathlib import PurePosixPath

from vaultkit.reach import components

Loop = frozenset[PurePosixPath]
Edge = tuple[PurePosixPath, PurePosixPath]


class DependencyGraph:
    """A read-only directed graph of notes."""

    __slots__ = ("_predecessors", "_successors")

    def __init__(self, nodes: Iterable[PurePosixPath] = (), edges: Iterable[Edge] = ()) -> None:
        successors: dict[PurePosixPath, dict[PurePosixPath, None]] = {}
        predecessors: dict[PurePosixPath, dict[PurePosixPath, None]] = {}
        for node in nodes:
            if node not in successors:
                successors[node], predecessors[node] = {}, {}
        for source, target in edges:
            if source not in successors:
                successors[source], predecessors[source] = {}, {}
            if target not in successors:
                successors[target], predecessors[target] = {}, {}
            successors[source][target] = None
            predecessors[target][source] = None
        self._successors = successors
        self._predecessors = predecessors

    @property
    def nodes(self) -> KeysView[PurePosixPath]:
        return self._successors.keys()

    @property
    def edges(self) -> list[Edge]:
        """Every edge, by source in node order, each source's in the order added."""
        return [(a, b) for a, targets in self._successors.items() for b in targets]

    def successors(self, node: PurePosixPath, /) -> Iterator[PurePosixPath]:
        return iter(self._successors[node])

    def predecessors(self, node: PurePosixPath, /) -> Iterator[PurePosixPath]:
        return iter(self._predecessors[node])

    def has_edge(self, source: PurePosixPath, target: PurePosixPath) -> bool:
        return target in self._successors.get(source, ())

    def number_of_edges(self) -> int:
        return sum(map(len, self._successors.values()))

    def __contains__(self, node: object) -> bool:
        return node in self._successors

    def __iter__(self) -> Iterator[PurePosixPath]:
        return iter(self._successors)

    def __len__(self) -> int:
        return len(self._successors)

    def __repr__(self) -> str:
        return f"<DependencyGraph: {len(self)} notes, {self.number_of_edges()} edges>"


def dependency_graph(
    requires: Iterable[tuple[PurePosixPath, Iterable[PurePosixPath], bool]],
) -> DependencyGraph:
    """The graph of `(note, its prerequisites, whether it names any)`."""
    nodes: dict[PurePosixPath, None] = {}  # in the order a DiGraph adds them
    edges: list[Edge] = []
    for path, prerequisites, names_any in requires:
        if names_any:
            nodes.setdefault(path)
        for target in prerequisites:
            nodes.setdefault(target)
            nodes.setdefault(path)
            edges.append((target, path))
    return DependencyGraph(nodes, edges)


def loops(
    graph: DependencyGraph, parts: list[list[PurePosixPath]] | None = None
) -> tuple[Loop, ...]:
    """Every set of notes that wait on each other, a note that requires itself included;
    `parts`: the graph's `components`, when the caller has them already."""
    parts = components(graph) if parts is None else parts
    found = [frozenset(members) for members in parts if len(members) > 1]
    found += [frozenset({node}) for node in graph.nodes if graph.has_edge(node, node)]
    return tuple(found)


def cycles(graph: DependencyGraph, found: Iterable[Loop]) -> tuple[tuple[PurePosixPath, ...], ...]:
    """One cycle through each loop, starting at its smallest note; sorted."""
    return tuple(sorted(_cycle(graph, loop) for loop in found))


def _cycle(graph: DependencyGraph, loop: Loop) -> tuple[PurePosixPath, ...]:
    import networkx as nx  # only a vault with a loop pays for loading it

    nodes = [node for node in graph.nodes if node in loop]  # in the graph's orders
    inside = nx.DiGraph()
    inside.add_nodes_from(nodes)
    inside.add_edges_from((a, b) for a in nodes for b in graph.successors(a) if b in loop)
    cycle = [edge[0] for edge in nx.find_cycle(inside, source=min(loop))]
    first = cycle.index(min(cycle))
    return tuple(cycle[first:] + cycle[:first])


def same_shape(one: DependencyGraph, other: DependencyGraph) -> bool:
    """Whether two graphs have the same nodes and edges."""
    return set(one.nodes) == set(other.nodes) and set(one.edges) == set(other.edges)


def direct_dependents(graph: DependencyGraph, path: PurePosixPath) -> list[PurePosixPath]:
    """The notes that name `path` as a prerequisite themselves, sorted."""
    return sorted(graph.successors(path)) if path in graph else []


def upstream_and_downstream(
    graph: DependencyGraph, paths: Iterable[PurePosixPath]
) -> set[PurePosixPath]:
    """`paths` and everything they wait on or unlock, directly or not."""
    start = set(paths)
    found = set(start)
    for step in (graph.predecessors, graph.successors):
        todo = [path for path in start if path in graph]
        seen = set(todo)
        while todo:
            for near in step(todo.pop()):
                if near not in seen:
                    seen.add(near)
                    todo.append(near)
        found |= seen
    return found
