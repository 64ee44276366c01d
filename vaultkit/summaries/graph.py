"""`graph`: a Mermaid flowchart of the dependency graph among the notes in scope.

Its nodes are the notes in scope that are in the dependency graph (they have or are named
as a prerequisite), as in `vaultkit graph`; its edges, the dependencies between them.

    ```mermaid
    flowchart LR
        n1["Docker"]
        n2["Helm"]
        n1 --> n2
        classDef vkDone fill:#d3f9d8,stroke:#2f9e44,color:#212529
        class n1 vkDone
        class n1,n2 internal-link
    ```

Node ids follow the sorted paths (n1, n2, ...), so a new note renames only the ids after
it. Labels are the notes' link targets, which is what Obsidian's `internal-link` class
opens on a click. An edge runs from prerequisite to dependent. The syntax stays to what
every Mermaid from 10 on parses: quoted labels with `#quot;`-style entities, no markdown
strings, no semicolons.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePosixPath
from types import MappingProxyType

from vaultkit.model import State
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


def format_graph(
    nodes: Sequence[tuple[str, State]],
    edges: Iterable[tuple[int, int]],
) -> str:
    """`nodes` are (label, state) in id order; `edges` index into them (from, to)."""
    if not nodes:
        return EMPTY
    ids = [f"n{number}" for number in range(1, len(nodes) + 1)]
    lines = ["```mermaid", "flowchart LR"]
    lines += [f'    {ids[i]}["{mermaid_label(label)}"]' for i, (label, _) in enumerate(nodes)]
    lines += [f"    {ids[a]} --> {ids[b]}" for a, b in sorted(set(edges))]
    for state, (name, style) in STATE_CLASSES.items():
        members = [ids[i] for i, (_, node_state) in enumerate(nodes) if node_state is state]
        if members:
            lines += [f"    classDef {name} {style}", f"    class {','.join(members)} {name}"]
    lines += [f"    class {','.join(ids)} internal-link", "```"]
    return "\n".join(lines) + "\n"


def render(ctx: Context) -> str:
    paths = [path for path in ctx.scope if path in ctx.progress.graph]
    position = {path: i for i, path in enumerate(paths)}
    nodes = [(ctx.names.label(path), ctx.progress.notes[path].state) for path in paths]
    return format_graph(nodes, _edges(ctx, position))


def _edges(ctx: Context, position: Mapping[PurePosixPath, int]) -> list[tuple[int, int]]:
    graph = ctx.progress.graph
    return [
        (position[source], position[target])
        for source in position
        for target in graph.successors(source)
        if target in position
    ]
