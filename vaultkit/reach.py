"""Every node's descendants in a directed graph, computed once for the whole graph (pure).

Asking networkx for each node's descendants walks the graph once per node: a vault whose
prerequisites form chains thousands deep costs time and memory quadratic in the depth.
Here each strongly connected component's descendants are a bitset (a Python int) over
the nodes in sorted order, built from its successors' in reverse topological order, so
each edge costs one OR. A bitset keeps only the span between its lowest and highest
node, which for notes named in order along a chain is about the chain's length. The
sorted list of paths is made only when a caller reads it (`Descendants`); its length is
a bit count.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from typing import Any, Protocol, TypeVar, overload

T = TypeVar("T", bound=Hashable)
N = TypeVar("N", bound=Hashable)


class Descendants(Sequence[T]):
    """The sorted descendants of one node, listed on first use; equal to that tuple."""

    __slots__ = ("_bits", "_listed", "_low", "_order")

    def __init__(self, low: int, bits: int, order: Sequence[T]) -> None:
        self._low = low  # the index in `order` of bit 0
        self._bits = bits
        self._order = order  # every node of the graph, sorted
        self._listed: tuple[T, ...] | None = None

    @classmethod
    def unpacked(cls, low: int, bits: bytes, order: Sequence[T]) -> Descendants[T]:
        """The descendants `packed` gave, over the same sorted `order`."""
        return cls(low, int.from_bytes(bits, "little"), order)

    def packed(self) -> tuple[int, bytes]:
        """(the index in `order` of bit 0, the bits as little-endian bytes)."""
        return self._low, self._bits.to_bytes((self._bits.bit_length() + 7) // 8, "little")

    def __len__(self) -> int:
        return self._bits.bit_count()

    def __bool__(self) -> bool:
        return self._bits != 0

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...
    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        return self._list()[index]

    def __iter__(self) -> Iterator[T]:
        return iter(self._list())

    def __eq__(self, other: object) -> bool:
        # Compared, neither is listed for good: a watcher's rescan compares every note's
        # with a fresh load's, and lists made for that were 270 kB of the 1.6 MB it kept.
        if isinstance(other, Descendants):
            if other._order is self._order:
                return self._bits << self._low == other._bits << other._low
            return self._items() == other._items()
        if isinstance(other, tuple):
            return self._items() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._list())

    def __repr__(self) -> str:
        return repr(self._list())

    def _list(self) -> tuple[T, ...]:
        if self._listed is None:
            self._listed = self._items()
        return self._listed

    def _items(self) -> tuple[T, ...]:
        """The descendants, as listed already or listed now (and not kept)."""
        if self._listed is not None:
            return self._listed
        digits = bin(self._bits)[:1:-1]  # bit 0 first
        order, low = self._order, self._low
        return tuple(order[low + i] for i, bit in enumerate(digits) if bit == "1")


class Digraph(Protocol[N]):
    """What reachability reads of a directed graph (`graph.DependencyGraph`, or networkx's
    `DiGraph`): its nodes, in a fixed order, and each node's successors."""

    @property
    def nodes(self) -> Iterable[N]: ...

    def successors(self, node: N, /) -> Iterator[N]: ...


def components(graph: Digraph[N]) -> list[list[N]]:
    """The strongly connected components, each listed after every component it reaches
    (Tarjan's algorithm, without recursion: chains thousands deep are common)."""
    index: dict[N, int] = {}
    low: dict[N, int] = {}
    stack: list[N] = []
    on_stack: set[N] = set()
    found: list[list[N]] = []
    for root in graph.nodes:
        if root in index:
            continue
        work = [(root, iter(graph.successors(root)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(graph.successors(successor))))
                    break
                if successor in on_stack and index[successor] < low[node]:
                    low[node] = index[successor]
            else:
                work.pop()
                if work and low[node] < low[work[-1][0]]:
                    low[work[-1][0]] = low[node]
                if low[node] == index[node]:
                    found.append(_popped(stack, on_stack, node))
    return found


def _popped(stack: list[N], on_stack: set[N], node: N) -> list[N]:
    """The component `node` heads: the stack down to it, taken off the stack."""
    at = len(stack) - 1
    while stack[at] != node:
        at -= 1
    members = stack[at:]
    del stack[at:]
    on_stack.difference_update(members)
    return members


def all_descendants(
    graph: Digraph[N],
    parts: list[list[N]] | None = None,
    key: Callable[[N], Any] | None = None,
) -> dict[N, Descendants[N]]:
    """Every node's descendants, as `nx.descendants` gives them (never the node itself,
    even on a cycle), each sorted by `key` (the nodes' own order without one: paths give
    theirs sooner by `model.path_order`); `parts`: the graph's `components`, when the
    caller has them already."""
    order = sorted(graph.nodes, key=key)  # type: ignore[type-var,arg-type]  # paths; ints in tests
    rank = {node: i for i, node in enumerate(order)}
    found_components = components(graph) if parts is None else parts
    number = {node: i for i, members in enumerate(found_components) for node in members}
    # Each component's own nodes, and what it reaches, as (lowest rank, bits above it);
    # every component it reaches comes before it in the list.
    own: list[tuple[int, int]] = []
    below: list[tuple[int, int]] = []
    for i, members in enumerate(found_components):
        own.append(_bitset([rank[node] for node in members]))
        reached = own[i] if len(members) > 1 else (0, 0)  # a loop reaches itself
        after = {number[s] for node in members for s in graph.successors(node)}
        after.discard(i)
        for successor in after:
            reached = _union(_union(reached, own[successor]), below[successor])
        below.append(reached)
    found = {}
    for node in graph.nodes:
        low, bits = below[number[node]]
        if rank[node] >= low:
            bits &= ~(1 << (rank[node] - low))
        found[node] = Descendants(low, bits, order)
    return found


def _bitset(ranks: list[int]) -> tuple[int, int]:
    low = min(ranks)
    bits = 0
    for rank in ranks:
        bits |= 1 << (rank - low)
    return low, bits


def _union(one: tuple[int, int], other: tuple[int, int]) -> tuple[int, int]:
    (low, bits), (other_low, other_bits) = one, other
    if not bits:
        return other
    if not other_bits:
        return one
    if low <= other_low:
        return low, bits | other_bits << (other_low - low)
    return other_low, other_bits | bits << (low - other_low)
