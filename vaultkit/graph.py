"""The dependency graph: each note's prerequisites -> networkx DiGraph, and its loops (pure).

An edge runs from a prerequisite to the note that requires it, so a note's ancestors are
everything it waits on and its descendants everything it unlocks. A node is a note that
names prerequisites, or is named as one. What a loop means for a note's state is decided
in `progress.py`; here it is only found. Every node's descendants at once: `reach.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx


Loop = frozenset[PurePosixPath]


def dependency_graph(
    requires: Iterable[tuple[PurePosixPath, Iterable[PurePosixPath], bool]],
) -> nx.DiGraph:
    """The graph of `(note, its prerequisites, whether it names any)` (read-only)."""
    import networkx as nx

    graph = nx.DiGraph()
    for path, prerequisites, names_any in requires:
        if names_any:
            graph.add_node(path)
        graph.add_edges_from((target, path) for target in prerequisites)
    return nx.freeze(graph)


def loops(graph: nx.DiGraph) -> tuple[Loop, ...]:
    """Every set of notes that wait on each other, a note that requires itself included."""
    import networkx as nx

    found = [frozenset(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    found += [frozenset({node}) for node in nx.nodes_with_selfloops(graph)]
    return tuple(found)


def cycles(graph: nx.DiGraph, found: Iterable[Loop]) -> tuple[tuple[PurePosixPath, ...], ...]:
    """One cycle through each loop, starting at its smallest note; sorted."""
    return tuple(sorted(_cycle(graph, loop) for loop in found))


def _cycle(graph: nx.DiGraph, loop: Loop) -> tuple[PurePosixPath, ...]:
    import networkx as nx

    cycle = nx.find_cycle(graph.subgraph(loop), source=min(loop))
    nodes = [edge[0] for edge in cycle]
    first = nodes.index(min(nodes))
    return tuple(nodes[first:] + nodes[:first])


def same_shape(one: nx.DiGraph, other: nx.DiGraph) -> bool:
    """Whether two graphs have the same nodes and edges."""
    return set(one.nodes) == set(other.nodes) and set(one.edges) == set(other.edges)


def direct_dependents(graph: nx.DiGraph, path: PurePosixPath) -> list[PurePosixPath]:
    """The notes that name `path` as a prerequisite themselves, sorted."""
    return sorted(graph.successors(path)) if path in graph else []


def upstream_and_downstream(
    graph: nx.DiGraph, paths: Iterable[PurePosixPath]
) -> set[PurePosixPath]:
    """`paths` and everything they wait on or unlock, directly or not."""
    import networkx as nx

    found = set(paths)
    for path in list(found):
        if path in graph:
            found |= nx.ancestors(graph, path) | nx.descendants(graph, path)
    return found


def edges_among(graph: nx.DiGraph, position: Mapping[PurePosixPath, int]) -> list[tuple[int, int]]:
    """The edges between the notes in `position`, as pairs of their positions."""
    return [(position[a], position[b]) for a, b in graph.edges if a in position and b in position]
