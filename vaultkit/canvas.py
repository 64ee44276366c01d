"""The dependency graph as a JSON Canvas 1.0 file (Obsidian's `.canvas`), kept current.

Pure: plain values in, a canvas (the parsed JSON document) and its bytes out.

- `picture`: what vaultkit wants drawn: a file node per note (the note's vault path, so
  Obsidian shows the note itself), a group node per group, an edge per prerequisite
  (the transitive reduction unless asked for every edge), colours by state.
- `layout`: where a fresh canvas puts them: columns by depth in the graph (a note one
  column right of its deepest prerequisite; a dependency loop shares a column), a band of
  rows per group, top to bottom in group order, nothing overlapping.
- `merge`: the picture laid over the canvas on disk. vaultkit owns only the nodes and
  edges whose id starts with `PREFIX`: such a node keeps the place and size the user gave
  it; a new note takes a free place in its group (the group grows when it is full); a
  note that left the scope loses its node, and an edge to it goes too. Every other node,
  edge and key stays exactly as it was, in its order.
- `write_plan`: the bytes to write (`jsoncanvas.dumps`, the layout Obsidian writes), or
  None when the canvas on disk already holds that content in any layout, so that Obsidian
  saving it back causes no rewrite.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeGuard

import msgspec

from vaultkit.jsoncanvas import Canvas, dumps, loads
from vaultkit.model import State, path_order

if TYPE_CHECKING:
    pass

PREFIX = "vaultkit-"
NODE_WIDTH, NODE_HEIGHT = 360, 200
COLUMN_GAP, ROW_GAP = 140, 40  # between nodes
PADDING = 40  # inside a group, around its nodes
BAND_GAP = 100  # between groups: Obsidian draws a group's label above its top edge
SIDES = ("right", "left")  # an edge leaves a prerequisite on the right, enters on the left
# Canvas preset colours ("1" red ... "6" purple); untracked and dropped notes stay grey.
STATE_COLOURS: Mapping[State, str] = MappingProxyType(
    {State.BLOCKED: "1", State.IN_PROGRESS: "3", State.DONE: "4", State.READY: "5"}
)


class Box(msgspec.Struct, frozen=True):
    x: int
    y: int
    width: int
    height: int

    @property
    def bottom(self) -> int:
        return self.y + self.height

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    def overlaps(self, other: Box) -> bool:
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )

    def contains(self, other: Box) -> bool:
        return (
            self.x <= other.x
            and self.y <= other.y
            and other.right <= self.right
            and other.bottom <= self.bottom
        )


class Card(msgspec.Struct, frozen=True):
    """A note on the canvas."""

    path: PurePosixPath
    state: State
    group: str | None
    column: int  # depth in the drawn graph


class Picture(msgspec.Struct, frozen=True):
    """What the canvas should show: notes (sorted by path), groups (in order), edges."""

    cards: tuple[Card, ...]
    groups: tuple[str, ...]
    edges: tuple[tuple[PurePosixPath, PurePosixPath], ...]


def picture(
    notes: Collection[PurePosixPath],
    edges: Iterable[tuple[PurePosixPath, PurePosixPath]],
    state: Callable[[PurePosixPath], State],
    group: Callable[[PurePosixPath], str | None],
    group_order: Callable[[str], tuple[int, str, str]],
) -> Picture:
    """The picture of `notes` with the `edges` to draw between them."""
    drawn = tuple(sorted(edges, key=lambda edge: (path_order(edge[0]), path_order(edge[1]))))
    columns = _columns(notes, drawn)
    paths = sorted(notes, key=path_order)
    cards = tuple(Card(path, state(path), group(path), columns[path]) for path in paths)
    groups = sorted({card.group for card in cards if card.group is not None}, key=group_order)
    return Picture(cards, tuple(groups), drawn)


def _columns(
    notes: Collection[PurePosixPath], edges: Sequence[tuple[PurePosixPath, PurePosixPath]]
) -> dict[PurePosixPath, int]:
    """Each note's column: the longest path of drawn edges into it (loops share one)."""
    import networkx as nx

    sub = nx.DiGraph()
    sub.add_nodes_from(notes)
    sub.add_edges_from(edges)
    condensed = nx.condensation(sub)
    depth: dict[int, int] = {}
    for component in nx.topological_sort(condensed):
        before = [depth[p] + 1 for p in condensed.predecessors(component)]
        depth[component] = max(before, default=0)
    mapping = condensed.graph["mapping"]
    return {path: depth[mapping[path]] for path in notes}


# -- ids --------------------------------------------------------------------------------


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:16]


def note_id(path: PurePosixPath) -> str:
    return f"{PREFIX}note-{_digest(str(path))}"


def group_id(name: str) -> str:
    return f"{PREFIX}group-{_digest(name)}"


def edge_id(source: PurePosixPath, target: PurePosixPath) -> str:
    return f"{PREFIX}edge-{_digest(str(source), str(target))}"


def owned(item: Mapping[str, Any]) -> bool:
    """Whether vaultkit made this node or edge (and so may move, change or remove it)."""
    ident = item.get("id")
    return isinstance(ident, str) and ident.startswith(PREFIX)


# -- layout -----------------------------------------------------------------------------


def layout(shown: Picture) -> list[dict[str, Any]]:
    """The nodes of a fresh canvas: each group, then its notes; notes without a group last."""
    nodes: list[dict[str, Any]] = []
    top = 0
    bands: list[str | None] = [*shown.groups, None]
    for name in bands:
        cards = [card for card in shown.cards if card.group == name]
        if not cards:
            continue
        placed = _band(cards, top)
        if name is not None:
            nodes.append(_group_node(name, _around(placed.values())))
        nodes += [_file_node(card, placed[card.path]) for card in cards]
        top = max(box.bottom for box in placed.values()) + PADDING + BAND_GAP
    return nodes


def _band(cards: Sequence[Card], top: int) -> dict[PurePosixPath, Box]:
    """Rows of one group's cards from `top`: each column filled downwards, in path order."""
    rows: dict[int, int] = {}
    placed = {}
    for card in cards:
        row = rows.get(card.column, 0)
        rows[card.column] = row + 1
        placed[card.path] = Box(
            card.column * (NODE_WIDTH + COLUMN_GAP),
            top + PADDING + row * (NODE_HEIGHT + ROW_GAP),
            NODE_WIDTH,
            NODE_HEIGHT,
        )
    return placed


def _around(boxes: Iterable[Box]) -> Box:
    boxes = list(boxes)
    left, top = min(b.x for b in boxes) - PADDING, min(b.y for b in boxes) - PADDING
    right, bottom = max(b.right for b in boxes) + PADDING, max(b.bottom for b in boxes) + PADDING
    return Box(left, top, right - left, bottom - top)


def _file_node(card: Card, box: Box) -> dict[str, Any]:
    node: dict[str, Any] = {"id": note_id(card.path), "type": "file", "file": str(card.path)}
    node |= _geometry(box)
    colour = STATE_COLOURS.get(card.state)
    if colour is not None:
        node["color"] = colour
    return node


def _group_node(name: str, box: Box) -> dict[str, Any]:
    return {"id": group_id(name), "type": "group", **_geometry(box), "label": name}


def _geometry(box: Box) -> dict[str, int]:
    return {"x": box.x, "y": box.y, "width": box.width, "height": box.height}


def _box(node: Mapping[str, Any]) -> Box | None:
    """A node's rectangle, or None when its geometry is not numbers."""
    values = [node.get(key) for key in ("x", "y", "width", "height")]
    numbers = [int(v) for v in values if _finite(v)]
    return Box(*numbers) if len(numbers) == len(values) else None


def _finite(value: object) -> TypeGuard[int | float]:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _edge(source: PurePosixPath, target: PurePosixPath) -> dict[str, Any]:
    return {
        "id": edge_id(source, target),
        "fromNode": note_id(source),
        "fromSide": SIDES[0],
        "toNode": note_id(target),
        "toSide": SIDES[1],
    }


# -- merge ------------------------------------------------------------------------------


# What vaultkit sets on its own nodes; the rest of such a node (its place and size, a
# group's colour) is the user's.
OWNED_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"file": ("type", "file", "color"), "group": ("type", "label")}
)


def merge(existing: Canvas | None, shown: Picture) -> Canvas:
    """The canvas on disk (None: no file yet) with vaultkit's part made to show `shown`."""
    existing = existing or {}
    wanted = {node["id"]: node for node in layout(shown)}
    nodes: list[dict[str, Any]] = []
    for node in existing.get("nodes", []):
        if not owned(node):
            nodes.append(node)
        elif node["id"] in wanted and all(node["id"] != kept.get("id") for kept in nodes):
            nodes.append(_refreshed(node, wanted[node["id"]]))
    kept = {node["id"] for node in nodes if owned(node)}
    fresh = [node for ident, node in wanted.items() if ident not in kept]
    if kept:
        groups = {note_id(card.path): card.group for card in shown.cards}
        nodes += _placed(nodes, fresh, groups)
    else:  # the whole picture is new: below whatever the user drew
        nodes += _shifted(fresh, _below(_boxes(nodes), fresh))
    merged = {"nodes": nodes, "edges": _merged_edges(existing.get("edges", []), shown, nodes)}
    merged |= {key: value for key, value in existing.items() if key not in merged}
    return merged


def _refreshed(node: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    """One of vaultkit's nodes as the user left it, with what vaultkit owns brought up to
    date. A node without usable geometry takes the fresh layout's."""
    result = dict(node)
    for key in OWNED_KEYS[wanted["type"]]:
        if key in wanted:
            result[key] = wanted[key]
        else:
            result.pop(key, None)
    if _box(result) is None:
        result |= {key: wanted[key] for key in ("x", "y", "width", "height")}
    return result


def _boxes(nodes: Iterable[Mapping[str, Any]]) -> list[Box]:
    return [box for node in nodes if (box := _box(node)) is not None]


def _placed(
    nodes: Sequence[dict[str, Any]],
    fresh: Sequence[dict[str, Any]],
    group_of: Mapping[str, str | None],
) -> list[dict[str, Any]]:
    """`fresh` nodes (from `layout`) moved to free places beside the `nodes` kept.

    A new group goes below everything with its new notes; a new note of a group already
    drawn goes into that group's rectangle.
    """
    groups = {node["id"]: node for node in nodes if owned(node) and node["type"] == "group"}
    cards = [n for n in nodes if n.get("type") != "group" and _box(n) is not None]
    taken = _boxes(cards)
    everything = _boxes(nodes)
    placed: list[dict[str, Any]] = []
    new_groups = {node["id"] for node in fresh if node["type"] == "group"}
    for node in fresh:
        if node["type"] != "group":
            continue
        band = [node] + [
            n
            for n in fresh
            if n["type"] == "file" and group_id(group_of[n["id"]] or "") == node["id"]
        ]
        moved = _shifted(band, _below(everything, band))
        placed += moved
        everything += _boxes(moved)
        taken += _boxes(moved[1:])
    for node in fresh:
        group = group_of.get(node["id"])
        if node["type"] == "group" or (group is not None and group_id(group) in new_groups):
            continue
        box = _free_place(node, groups.get(group_id(group)) if group else None, taken, everything)
        placed.append(node | _geometry(box))
        taken.append(box)
        everything.append(box)
    return placed


def _below(taken: Sequence[Box], nodes: Sequence[Mapping[str, Any]]) -> int:
    """How far down `nodes` must move to start below every box in `taken`."""
    boxes = _boxes(nodes)
    if not taken or not boxes:
        return 0
    return max(0, max(b.bottom for b in taken) + BAND_GAP - min(b.y for b in boxes))


def _shifted(nodes: Iterable[dict[str, Any]], down: int) -> list[dict[str, Any]]:
    return [node | {"y": node["y"] + down} for node in nodes]


def _free_place(
    node: Mapping[str, Any], group: dict[str, Any] | None, taken: list[Box], everything: list[Box]
) -> Box:
    """A free place for a new note: in its group's rectangle when the group is drawn (the
    group grows downwards when it is full), else where the fresh layout puts it, or below
    everything when that place is taken."""
    area = _box(group) if group is not None else None
    if group is None or area is None:
        box = Box(node["x"], node["y"], NODE_WIDTH, NODE_HEIGHT)
        if any(box.overlaps(other) for other in taken):
            box = Box(node["x"], max(b.bottom for b in everything) + BAND_GAP, *box.size)
        return box
    left = max(area.x + PADDING, min(node["x"], area.right - PADDING - NODE_WIDTH))
    y = area.y + PADDING
    while True:
        box = Box(left, y, NODE_WIDTH, NODE_HEIGHT)
        if not any(box.overlaps(other) for other in taken):
            break
        y += NODE_HEIGHT + ROW_GAP
    group["width"] = max(area.width, box.right + PADDING - area.x)
    group["height"] = max(area.height, box.bottom + PADDING - area.y)
    return box


def _merged_edges(
    existing: Iterable[Mapping[str, Any]], shown: Picture, nodes: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    wanted = {edge_id(a, b): _edge(a, b) for a, b in shown.edges}
    present = {node.get("id") for node in nodes}
    edges: list[dict[str, Any]] = []
    seen: set[str] = set()
    for edge in existing:
        if not owned(edge):
            # The user's edge stays, unless it ends at a node of vaultkit's that is gone.
            ends = (edge.get("fromNode"), edge.get("toNode"))
            if all(end in present for end in ends) or not _owned_id(ends):
                edges.append(dict(edge))
        elif edge["id"] in wanted and edge["id"] not in seen:
            seen.add(edge["id"])
            ours = wanted[edge["id"]]
            edges.append(dict(edge) | {"fromNode": ours["fromNode"], "toNode": ours["toNode"]})
    edges += [edge for ident, edge in wanted.items() if ident not in seen]
    return edges


def _owned_id(ends: Iterable[object]) -> bool:
    return any(isinstance(end, str) and end.startswith(PREFIX) for end in ends)


# -- reading and writing ------------------------------------------------------------------


def write_plan(current: bytes | None, shown: Picture) -> bytes | None:
    """The bytes to write for `shown` over a canvas file holding `current` (None: no file);
    None when the file already shows it, whatever its layout. Raises
    `jsoncanvas.CanvasError`."""
    existing = loads(current) if current is not None else None
    merged = merge(existing, shown)
    if existing is not None and merged == _with_lists(existing):
        return None
    return dumps(merged)


def _with_lists(canvas: Canvas) -> Canvas:
    return {"nodes": [], "edges": [], **canvas}
