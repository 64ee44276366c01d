"""Every node's descendants at once: the same sets, in sorted order, as networkx gives."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultkit.reach import Descendants, all_descendants

NODES = st.integers(min_value=0, max_value=30)


@settings(max_examples=300)
@given(edges=st.lists(st.tuples(NODES, NODES), max_size=80), lone=st.sets(NODES, max_size=5))
def test_descendants_are_networkx_descendants_sorted(edges, lone):
    graph = nx.DiGraph(edges)
    graph.add_nodes_from(lone)
    found = all_descendants(graph)
    assert found.keys() == set(graph.nodes)
    for node in graph.nodes:
        expected = tuple(sorted(nx.descendants(graph, node)))
        assert found[node] == expected
        assert len(found[node]) == len(expected)
        assert bool(found[node]) == bool(expected)


@given(edges=st.lists(st.tuples(NODES, NODES), max_size=40))
def test_descendants_of_a_dag_over_a_topological_order_match(edges):
    graph = nx.DiGraph((a, b) for a, b in edges if a < b)  # acyclic: edges go up
    found = all_descendants(graph)
    assert {n: list(d) for n, d in found.items()} == {
        n: sorted(nx.descendants(graph, n)) for n in graph.nodes
    }


def test_descendants_are_sorted_by_the_key_given():
    graph = nx.DiGraph([(1, 3), (1, 2), (2, 4)])
    found = all_descendants(graph, key=lambda node: -node)
    assert list(found[1]) == [4, 3, 2]
    assert list(found[2]) == [4]


def test_a_chain_unlocks_everything_after_each_note_and_a_loop_the_rest_of_it():
    graph = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d"), ("x", "y"), ("y", "x"), ("y", "y")])
    found = all_descendants(graph)
    assert found["a"] == ("b", "c", "d")
    assert found["c"] == ("d",) and found["d"] == ()
    assert (found["x"], found["y"]) == (("y",), ("x",))
    assert found["a"][1:] == ("c", "d") and found["a"][-1] == "d"
    assert hash(found["a"]) == hash(("b", "c", "d"))
    assert repr(found["b"]) == "('c', 'd')"


def test_a_chain_thousands_deep_is_counted_without_listing_it():
    graph = nx.path_graph(5_000, create_using=nx.DiGraph)
    found = all_descendants(graph)
    assert [len(found[n]) for n in (0, 1, 4_998, 4_999)] == [4_999, 4_998, 1, 0]
    assert found[0]._listed is None  # counting made no list


def test_descendants_compared_are_listed_by_neither():
    """A watcher's rescan compares every note's with a fresh load's: lists made for it and
    kept were 270 kB of the 10,000-note watcher's, left in the heap among freed pages."""
    graph = nx.DiGraph([("a", "b"), ("b", "c"), ("x", "y")])
    held, fresh = all_descendants(graph), all_descendants(nx.DiGraph(graph))
    assert held["a"] == fresh["a"] and held["x"] != fresh["a"] and held["a"] == ("b", "c")
    assert [held[n]._listed for n in "ax"] == [fresh[n]._listed for n in "ax"] == [None, None]


def test_descendants_over_the_same_order_compare_by_their_members_however_kept():
    order = ["a", "b", "c", "d"]
    assert Descendants(1, 0b110, order) == Descendants(2, 0b11, order)  # c, d both
    assert Descendants(1, 0b110, order) != Descendants(1, 0b101, order)  # c, d against b, d
    assert Descendants(0, 0, order) == Descendants(3, 0, order) == ()


@settings(max_examples=100, deadline=None)
@given(edges=st.lists(st.tuples(NODES, NODES), max_size=80))
def test_descendants_packed_as_data_come_back_the_same(edges):
    graph = nx.DiGraph(edges)
    order = sorted(graph.nodes)

    found = all_descendants(graph)

    for descendants in found.values():
        low, bits = descendants.packed()
        assert isinstance(bits, bytes)
        assert list(Descendants.unpacked(low, bits, order)) == list(descendants)
