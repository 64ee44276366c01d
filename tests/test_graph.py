"""The dependency graph is vaultkit's own class: it reads like a networkx DiGraph built the same
way (same nodes, edges and orders), and what is computed from it matches networkx."""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
from pathlib import Path, PurePosixPath

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultkit.graph import DependencyGraph, dependency_graph, loops, upstream_and_downstream
from vaultkit.reach import components
from vaultkit.summaries.graph import drawn_edges

NAMES = st.sampled_from([PurePosixPath(f"n{i}.md") for i in range(12)])
REQUIRES = st.lists(
    st.tuples(NAMES, st.lists(NAMES, max_size=4), st.booleans()),
    max_size=12,
    unique_by=lambda r: r[0],
)
EDGES = st.lists(st.tuples(NAMES, NAMES), max_size=40)


def networkx_dependency_graph(requires):
    """How the dependency graph was built with networkx: node by node, edge by edge."""
    graph = nx.DiGraph()
    for path, prerequisites, names_any in requires:
        if names_any:
            graph.add_node(path)
        graph.add_edges_from((target, path) for target in prerequisites)
    return graph


@settings(max_examples=300)
@given(requires=REQUIRES)
def test_the_graph_keeps_every_order_a_networkx_digraph_keeps(requires):
    ours, theirs = dependency_graph(requires), networkx_dependency_graph(requires)
    assert list(ours.nodes) == list(theirs.nodes)
    assert ours.edges == list(theirs.edges)
    assert ours.number_of_edges() == theirs.number_of_edges()
    for node in theirs.nodes:
        assert list(ours.successors(node)) == list(theirs.successors(node))
        assert list(ours.predecessors(node)) == list(theirs.predecessors(node))


@settings(max_examples=300)
@given(edges=EDGES)
def test_components_are_networkx_components_each_after_those_it_reaches(edges):
    graph = DependencyGraph((), edges)
    found = components(graph)
    assert sorted(map(sorted, found)) == sorted(
        map(sorted, nx.strongly_connected_components(nx.DiGraph(edges)))
    )
    position = {node: i for i, members in enumerate(found) for node in members}
    assert all(position[a] >= position[b] for a, b in edges)


@settings(max_examples=300)
@given(edges=EDGES, every=st.booleans())
def test_drawn_edges_are_the_transitive_reduction_networkx_finds(edges, every):
    graph = DependencyGraph((), edges)
    nodes = sorted(graph.nodes)[::2] + sorted(graph.nodes)[1:4]
    assert drawn_edges(graph, nodes, every=every) == networkx_drawn_edges(edges, nodes, every)


def networkx_drawn_edges(edges, nodes, every):
    wanted = set(nodes)
    sub = nx.DiGraph()
    sub.add_nodes_from(wanted)
    sub.add_edges_from((a, b) for a, b in edges if a in wanted and b in wanted)
    drawn = list(sub.edges)
    if not every and drawn:
        condensed = nx.condensation(sub)
        component = condensed.graph["mapping"]
        kept = set(nx.transitive_reduction(condensed).edges)
        drawn = [
            (a, b)
            for a, b in drawn
            if component[a] == component[b] or (component[a], component[b]) in kept
        ]
    return sorted(drawn, key=lambda edge: (edge[0].parts, edge[1].parts))


@given(edges=EDGES)
def test_loops_are_the_components_of_several_notes_and_the_notes_that_require_themselves(edges):
    graph = DependencyGraph((), edges)
    theirs = nx.DiGraph(edges)
    expected = {frozenset(c) for c in nx.strongly_connected_components(theirs) if len(c) > 1}
    expected |= {frozenset({node}) for node in nx.nodes_with_selfloops(theirs)}
    assert set(loops(graph)) == expected


@given(edges=EDGES, start=st.lists(NAMES, max_size=3))
def test_upstream_and_downstream_are_networkx_ancestors_and_descendants(edges, start):
    graph = DependencyGraph((), edges)
    theirs = nx.DiGraph(edges)
    expected = set(start)
    for node in start:
        if node in theirs:
            expected |= nx.ancestors(theirs, node) | nx.descendants(theirs, node)
    assert upstream_and_downstream(graph, start) == expected


def test_a_chain_thousands_deep_is_reduced_without_recursion():
    chain = [PurePosixPath(f"{i:05}.md") for i in range(5_000)]
    edges = [*itertools.pairwise(chain), (chain[0], chain[-1])]
    graph = DependencyGraph((), edges)
    assert drawn_edges(graph, chain) == edges[:-1]


def test_lint_and_status_of_a_vault_without_loops_do_not_load_networkx(tmp_path: Path):
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / "a.md").write_text("- [ ] one\n", encoding="utf-8")
    (tmp_path / "b.md").write_text(
        '---\nrequires: ["[[a]]"]\n---\n<!-- vaultkit:begin progress -->\n'
        "<!-- vaultkit:end progress -->\n",
        encoding="utf-8",
    )
    script = textwrap.dedent(
        f"""
        import sys
        from vaultkit.cli import main
        for command in ("lint", "status", "sync"):
            main([command, {str(tmp_path)!r}])
        print("networkx" in sys.modules, file=sys.stderr)
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        env={"VAULTKIT_CACHE_DIR": str(tmp_path / "cache"), "PATH": ""},
    )
    assert run.stderr.splitlines()[-1] == "False"
