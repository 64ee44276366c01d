"""Formatters for `next` and `graph`, and what `status`'s use too (pure: a View in, text out).

Each command picks its formatter from a dict by name; no command branches on the format.
`status`'s formatters are in `statusreport.py`. The graph's import what draws it when
they run: `status` and `next` load none of it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import click

from vaultkit.bars import display_width, pad
from vaultkit.model import NoteProgress, State
from vaultkit.view import View

if TYPE_CHECKING:
    import networkx as nx

SCHEMA = 1

# A colour for `click.style`, or "dim"/"bold"; used only when writing to a terminal.
STATE_COLOURS: Mapping[State, str] = {
    State.DONE: "green",
    State.IN_PROGRESS: "yellow",
    State.READY: "cyan",
    State.BLOCKED: "red",
    State.UNTRACKED: "dim",
    State.DROPPED: "dim",
}
STATE_ORDER = (
    State.DONE,
    State.IN_PROGRESS,
    State.READY,
    State.BLOCKED,
    State.UNTRACKED,
    State.DROPPED,
)


def paint(view: View, text: str, style: str) -> str:
    """`text` in a colour for `click.style` (or "dim", "bold") when the view is in colour."""
    if not view.colour:
        return text
    if style in ("dim", "bold"):
        return click.style(text, **{style: True})
    return click.style(text, fg=style)


# -- next -----------------------------------------------------------------------------


def _next_items(view: View) -> list[NoteProgress]:
    if view.first is not None:
        return list(view.first)
    return view.progress.next(scope=(n.path for n in view.notes), limit=view.limit)


def next_text(view: View) -> str:
    items = _next_items(view)
    if not items:
        return "nothing to start: every note in scope is done, blocked or untracked\n"
    width = max(display_width(n.title) for n in items) + 2
    lines = []
    for number, item in enumerate(items, 1):
        state = paint(view, f"{item.state.value:<12}", STATE_COLOURS[item.state])
        unlocks = f"unlocks {len(item.unlocks)}" if item.unlocks else ""
        counts = f"{item.done}/{item.total}" if item.total else "-"
        lines.append(f"{number:2d}. {pad(item.title, width)}{state}{counts:>7}  {unlocks}".rstrip())
    return "\n".join(lines) + "\n"


def next_json(view: View) -> str:
    items = _next_items(view)
    payload = {
        "schema": SCHEMA,
        "vault": str(view.root),
        "next": [
            {
                "path": str(n.path),
                "title": n.title,
                "state": n.state.value,
                "unlocks": [str(p) for p in n.unlocks],
            }
            for n in items
        ],
    }
    return dump(payload)


# -- graph ----------------------------------------------------------------------------


def scoped_graph(view: View, *, every: bool = True) -> nx.DiGraph:
    """The dependency graph of the notes in scope, each node labelled with its progress;
    unless `every`, only the edges a picture draws (`drawn_edges`)."""
    import networkx as nx

    from vaultkit.summaries.graph import drawn_edges

    wanted = {n.path for n in view.notes}
    graph = nx.DiGraph()
    for path in sorted(p for p in view.progress.graph.nodes if p in wanted):
        item = view.progress.notes.get(path)
        graph.add_node(
            str(path),
            title=path.stem,
            state=item.state.value if item else State.UNTRACKED.value,
            done=item.done if item else 0,
            total=item.total if item else 0,
        )
    nodes = [p for p in view.progress.graph.nodes if p in wanted]
    for source, target in drawn_edges(view.progress.graph, nodes, every=every):
        graph.add_edge(str(source), str(target))
    return graph


def graph_mermaid(view: View) -> str:
    """The flowchart a `graph` block holds, without the code fence around it."""
    from vaultkit.summaries.graph import drawn_edges, flowchart, grouped

    graph = view.progress.graph
    wanted = {n.path for n in view.notes}
    paths = sorted(p for p in graph.nodes if p in wanted)
    position = {path: i for i, path in enumerate(paths)}
    nodes = [(view.label(p), view.progress.notes[p].state) for p in paths]
    drawn = drawn_edges(graph, paths, every=view.all_edges)
    edges = [(position[a], position[b]) for a, b in drawn]
    groups = grouped(paths, view.group, view.progress) if view.group else []
    return flowchart(nodes, edges, groups)


def graph_json(view: View) -> str:
    import networkx as nx

    data = nx.node_link_data(scoped_graph(view), edges="links")
    return dump({"schema": SCHEMA, "vault": str(view.root), **data})


def graph_graphml(view: View) -> str:
    import networkx as nx

    return "\n".join(nx.generate_graphml(scoped_graph(view))) + "\n"


def graph_dot(view: View) -> str:
    """A DOT digraph; with `--group-by`, each group a cluster labelled with its name."""
    from vaultkit.summaries.graph import grouped

    graph = scoped_graph(view, every=view.all_edges)
    lines = ["digraph vaultkit {", "  rankdir=LR;", "  node [shape=box, style=rounded];"]
    paths = [PurePosixPath(node) for node in graph.nodes]
    groups = grouped(paths, view.group, view.progress) if view.group else []
    for number, (name, members) in enumerate(groups, 1):
        lines += [f'  subgraph "cluster_{number}" {{', f'    label="{_dot_escape(name)}";']
        lines += [f"  {_dot_node(str(paths[i]), graph.nodes[str(paths[i])])}" for i in members]
        lines.append("  }")
    inside = {i for _, members in groups for i in members}
    for i, path in enumerate(paths):
        if i not in inside:
            lines.append(_dot_node(str(path), graph.nodes[str(path)]))
    for source, target in graph.edges:
        lines.append(f'  "{_dot_escape(source)}" -> "{_dot_escape(target)}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def graph_canvas(view: View) -> str:
    """A JSON Canvas of the graph, grouped by `--group-by` (else the configured group key),
    as Obsidian lays it out (and a final line break, for the terminal)."""
    from vaultkit.canvas import merge
    from vaultkit.canvases import picture_of
    from vaultkit.jsoncanvas import dumps

    notes = [n.path for n in view.notes if n.path in view.progress.graph]
    group = view.group or (lambda path: view.progress.notes[path].group)
    shown = picture_of(view.progress, notes, group, view.all_edges)
    return dumps(merge(None, shown)).decode("utf-8") + "\n"


def _dot_node(node: str, data: Mapping[str, Any]) -> str:
    label = f"{_dot_escape(data['title'])}\\n{data['state']} {data['done']}/{data['total']}"
    return f'  "{_dot_escape(node)}" [label="{label}", class="{data["state"]}"];'


def _dot_escape(text: str) -> str:
    """Text for inside a DOT double-quoted string."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def dump(payload: object) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


Formatter = Callable[[View], str]

NEXT_FORMATS: Mapping[str, Formatter] = {"text": next_text, "json": next_json}
GRAPH_FORMATS: dict[str, Formatter] = {
    "mermaid": graph_mermaid,
    "dot": graph_dot,
    "json": graph_json,
    "graphml": graph_graphml,
    "canvas": graph_canvas,
}
