"""`graph`: a Mermaid flowchart of the dependency graph among the notes in scope.

Its nodes are the notes in scope that are in the dependency graph (they have or are named
as a prerequisite), as in `vaultkit graph`; its edges, the dependencies between them,
without the ones the picture already shows through a longer path (`drawn_edges`), unless
the block says `edges=all`. With `group-by=PROPERTY`, each group is a `subgraph`.

    ```mermaid
    flowchart LR
        subgraph g1["P1"]
            n1["Docker"]
        end
        n2["Helm"]
        n1 --> n2
        classDef vkDone fill:#d3f9d8,stroke:#2f9e44,color:#212529
        class n1 vkDone
        class n1,n2 internal-link
    ```

Node ids follow the sorted paths (n1, n2, ...), so a new note renames only the ids after
it; groups are g1, g2, ... in the order of `group_sort_key`. Labels are the notes' link
targets, which is what Obsidian's `internal-link` class opens on a click. An edge runs from
prerequisite to dependent. The syntax stays to what every Mermaid from 10 on parses:
quoted labels with `#quot;`-style entities, no markdown strings, no semicolons.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import PurePosixPath
from types import MappingProxyType

from vaultkit.graph import DependencyGraph
from vaultkit.model import State, path_order
from vaultkit.progress import Progress, group_sort_key
from vaultkit.reach import components
from vaultkit.summaries.scope import Context
from vaultkit.summaries.text import mermaid_label

EMPTY = "_No dependencies in scope._\n"
STATE_CLASSES: Mapping[State, tuple[str, str]] = MappingProxyType(
    {
        State.DONE: ("vkDone", "fill:#d3f9d8,stroke:#2f9e44,color:#212529"),
        State.IN_PROGRESS: ("vkInProgress", "fill:#fff3bf,stroke:#f08c00,color:#212529"),
        State.READY: ("vkReady", "fill:#d0ebff,stroke:#1c7ed6,color:#212529"),
        State.BLOCKED: ("vkBlocked", "fill:#ffe3e3,stroke:#e03131,color:#212529"),
        State.UNTRACKED: ("vkUntracked", "fill:#f1f3f5,stroke:#868e96,color:#212529"),
        State.DROPPED: ("vkDropped", "fill:#f1f3f5,stroke:#adb5bd,color:#868e96"),
    }
)


def drawn_edges(
    graph: DependencyGraph, nodes: Collection[PurePosixPath], *, every: bool = False
) -> list[tuple[PurePosixPath, PurePosixPath]]:
    """The edges among `nodes` that a picture draws, sorted by path.

    Unless `every`, an edge A->C is left out when the picture has another path from A to
    C (A->B->C): the transitive reduction, which keeps exactly what can be reached from
    where. Inside a dependency loop every edge stays, since each is the only way round.
    """
    wanted = {node for node in nodes if node in graph}
    edges = [(a, b) for a in wanted for b in graph.successors(a) if b in wanted]
    if not every and edges:
        edges = _reduced(DependencyGraph(wanted, edges), edges)
    return sorted(edges, key=lambda edge: (path_order(edge[0]), path_order(edge[1])))


def _reduced(
    sub: DependencyGraph, edges: list[tuple[PurePosixPath, PurePosixPath]]
) -> list[tuple[PurePosixPath, PurePosixPath]]:
    """The edges of the transitive reduction of `sub` with each loop drawn as one node (the
    condensation), and every edge inside a loop."""
    found = components(sub)  # each after every component it reaches
    number = {node: i for i, members in enumerate(found) for node in members}
    after: list[set[int]] = [set() for _ in found]
    for a, b in edges:
        if number[a] != number[b]:
            after[number[a]].add(number[b])
    beyond: list[int] = []  # what each component reaches, as bits of component numbers
    kept: set[tuple[int, int]] = set()
    for i, nexts in enumerate(after):
        via = 0  # what the components it leads to reach: an edge to one of those is implied
        for j in nexts:
            via |= beyond[j]
        kept.update((i, j) for j in nexts if not via >> j & 1)
        beyond.append(via | sum(1 << j for j in nexts))
    return [(a, b) for a, b in edges if number[a] == number[b] or (number[a], number[b]) in kept]


def format_graph(
    nodes: Sequence[tuple[str, State]],
    edges: Iterable[tuple[int, int]],
    groups: Sequence[tuple[str, Sequence[int]]] = (),
) -> str:
    """The block's text: the flowchart in a ```mermaid fence, or a line saying there is none."""
    if not nodes:
        return EMPTY
    return f"```mermaid\n{flowchart(nodes, edges, groups)}```\n"


def flowchart(
    nodes: Sequence[tuple[str, State]],
    edges: Iterable[tuple[int, int]],
    groups: Sequence[tuple[str, Sequence[int]]] = (),
) -> str:
    """Mermaid's `flowchart LR` source, each line ended.

    `nodes` are (label, state) in id order; `edges` index into them (from, to); `groups`
    are (title, the indices of its nodes), in the order they are drawn.
    """
    ids = [f"n{number}" for number in range(1, len(nodes) + 1)]
    lines = ["flowchart LR"]
    grouped = {i for _, members in groups for i in members}
    for number, (title, inside) in enumerate(groups, 1):
        lines.append(f'    subgraph g{number}["{mermaid_label(title)}"]')
        lines += [f"        {_node(ids[i], nodes[i][0])}" for i in inside]
        lines.append("    end")
    lines += [
        f"    {_node(ids[i], label)}" for i, (label, _) in enumerate(nodes) if i not in grouped
    ]
    lines += [f"    {ids[a]} --> {ids[b]}" for a, b in sorted(set(edges))]
    for state, (name, style) in STATE_CLASSES.items():
        members = [ids[i] for i, (_, node_state) in enumerate(nodes) if node_state is state]
        if members:
            lines += [f"    classDef {name} {style}", f"    class {','.join(members)} {name}"]
    if ids:
        lines.append(f"    class {','.join(ids)} internal-link")
    return "\n".join(lines) + "\n"


def _node(node_id: str, label: str) -> str:
    return f'{node_id}["{mermaid_label(label)}"]'


def render(ctx: Context) -> str:
    graph = ctx.progress.around(ctx.scope)  # the edges out of the notes in scope suffice
    paths = [path for path in ctx.scope if path in graph]
    position = {path: i for i, path in enumerate(paths)}
    nodes = [(ctx.names.label(path), ctx.progress.notes[path].state) for path in paths]
    every = ctx.block.params.get("edges") == "all"
    edges = [(position[a], position[b]) for a, b in drawn_edges(graph, paths, every=every)]
    key = ctx.group_key()
    if key is None:
        return format_graph(nodes, edges)
    return format_graph(
        nodes, edges, grouped(paths, lambda path: ctx.group(path, key), ctx.progress)
    )


def grouped(
    paths: Sequence[PurePosixPath],
    group: Callable[[PurePosixPath], str | None],
    progress: Progress,
) -> list[tuple[str, list[int]]]:
    """The groups of `paths` (title, the indices of its notes), in `group_sort_key` order;
    a note without a group is in none."""
    members: dict[str, list[int]] = {}
    for i, path in enumerate(paths):
        name = group(path)
        if name is not None:
            members.setdefault(name, []).append(i)
    ordered = sorted(members, key=lambda name: group_sort_key(progress, name))
    return [(name, members[name]) for name in ordered]
