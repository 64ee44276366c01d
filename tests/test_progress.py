"""Progress and the dependency graph, computed from real vaults on disk."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from types import SimpleNamespace

import pytest

from vaultkit.config import Config
from vaultkit.model import State
from vaultkit.progress import Progress, _Edges, compute, group_sort_key, track
from vaultkit.vault import load_vault, refresh

P = PurePosixPath


def progress_of(root: Path, config: Config | None = None) -> Progress:
    return compute(load_vault(root, config or Config()))


def test_task_counts_follow_the_default_status_map(make_vault):
    root = make_vault(
        {
            "a.md": """\
            - [ ] todo
            - [x] done
            - [X] done too
            - [/] in progress
            - [-] cancelled
            - [>] deferred
            - [?] unknown character
            """
        }
    )
    item = progress_of(root).notes[P("a.md")]
    assert (item.done, item.total, item.in_progress, item.cancelled, item.unknown) == (
        2,
        6,
        1,
        1,
        1,
    )
    assert item.percent == 33
    assert item.state is State.IN_PROGRESS


def test_a_configured_status_character_is_counted_as_its_kind(make_vault):
    root = make_vault({"a.md": "- [!] urgent but done\n- [ ] todo\n"})
    config = Config(task_status={" ": "todo", "x": "done", "!": "done"})
    item = progress_of(root, config).notes[P("a.md")]
    assert (item.done, item.total, item.unknown) == (1, 2, 0)


@pytest.mark.parametrize(
    ("text", "state"),
    [
        pytest.param("- [x] a\n- [x] b\n", State.DONE, id="every counted task done"),
        pytest.param("- [x] a\n- [-] dropped\n", State.DONE, id="cancelled tasks leave the total"),
        pytest.param("---\nstatus: done\n---\nno tasks\n", State.DONE, id="status done"),
        pytest.param("---\nstatus: Done\n---\n- [ ] a\n", State.DONE, id="status wins, any case"),
        pytest.param("- [x] a\n- [ ] b\n", State.IN_PROGRESS, id="some task done"),
        pytest.param("- [/] a\n- [ ] b\n", State.IN_PROGRESS, id="a task in progress"),
        pytest.param("---\nstatus: in-progress\n---\n", State.IN_PROGRESS, id="status in-progress"),
        pytest.param("- [ ] a\n", State.READY, id="tasks, nothing started"),
        pytest.param("---\nstatus: todo\n---\n", State.READY, id="status todo"),
        pytest.param("just prose\n", State.UNTRACKED, id="no tasks, status or prerequisites"),
        pytest.param("---\nstatus: someday\n---\n", State.UNTRACKED, id="unknown status ignored"),
        pytest.param("---\nstatus: dropped\n---\n- [x] a\n", State.DROPPED, id="status dropped"),
    ],
)
def test_state_of_a_note_without_prerequisites(make_vault, text, state):
    root = make_vault({"a.md": text})
    assert progress_of(root).notes[P("a.md")].state is state


def test_prerequisites_come_from_the_property_and_from_dataview_fields(make_vault):
    root = make_vault(
        {
            "Docker.md": "- [x] install\n",
            "Helm.md": "- [ ] charts\n",
            "K8s.md": '---\nrequires: ["[[Docker]]"]\n---\nrequires:: [[Helm]]\n- [ ] pods\n',
        }
    )
    progress = progress_of(root)
    k8s = progress.notes[P("K8s.md")]
    assert k8s.requires == (P("Docker.md"), P("Helm.md"))
    assert k8s.blocked_by == (P("Helm.md"),)
    assert k8s.state is State.BLOCKED
    assert sorted(progress.graph.edges) == [
        (P("Docker.md"), P("K8s.md")),
        (P("Helm.md"), P("K8s.md")),
    ]


def test_a_done_prerequisite_leaves_the_note_ready(make_vault):
    root = make_vault(
        {
            "Docker.md": "---\nstatus: done\n---\n",
            "K8s.md": '---\nrequires: ["[[Docker]]"]\n---\n',
        }
    )
    k8s = progress_of(root).notes[P("K8s.md")]
    assert (k8s.state, k8s.blocked_by) == (State.READY, ())


def test_a_dropped_prerequisite_does_not_block(make_vault):
    root = make_vault(
        {
            "Old.md": "---\nstatus: dropped\n---\n- [ ] never\n",
            "New.md": '---\nrequires: ["[[Old]]"]\n---\n- [ ] start\n',
        }
    )
    assert progress_of(root).notes[P("New.md")].state is State.READY


def test_in_progress_beats_blocked_and_still_lists_open_prerequisites(make_vault):
    root = make_vault(
        {
            "A.md": "- [ ] a\n",
            "B.md": '---\nrequires: ["[[A]]"]\n---\n- [x] started anyway\n- [ ] rest\n',
        }
    )
    b = progress_of(root).notes[P("B.md")]
    assert (b.state, b.blocked_by) == (State.IN_PROGRESS, (P("A.md"),))


def test_unlocks_is_transitive_and_sorted(make_vault):
    root = make_vault(
        {
            "A.md": "- [ ] a\n",
            "B.md": '---\nrequires: ["[[A]]"]\n---\n',
            "C.md": '---\nrequires: ["[[B]]"]\n---\n',
            "D.md": '---\nrequires: ["[[A]]"]\n---\n',
        }
    )
    progress = progress_of(root)
    assert progress.notes[P("A.md")].unlocks == (P("B.md"), P("C.md"), P("D.md"))
    assert progress.notes[P("C.md")].unlocks == ()


def test_a_cycle_is_reported_from_its_smallest_note_and_does_not_block_itself(make_vault):
    root = make_vault(
        {
            "Base.md": "- [ ] base\n",
            "C.md": '---\nrequires: ["[[B]]"]\n---\n- [ ] c\n',
            "B.md": '---\nrequires: ["[[A]]", "[[Base]]"]\n---\n- [ ] b\n',
            "A.md": '---\nrequires: ["[[C]]"]\n---\n- [ ] a\n',
        }
    )
    progress = progress_of(root)
    assert progress.cycles == ((P("A.md"), P("B.md"), P("C.md")),)
    assert progress.notes[P("A.md")].state is State.READY
    assert progress.notes[P("C.md")].state is State.READY
    assert progress.notes[P("B.md")].state is State.BLOCKED  # by Base, outside the loop
    assert progress.notes[P("A.md")].blocked_by == (P("C.md"),)
    assert progress.notes[P("A.md")].looping == (P("C.md"),)
    assert progress.notes[P("B.md")].looping == (P("A.md"),)  # Base is not in the loop


def test_a_prerequisite_outside_the_loop_is_not_looping(make_vault):
    root = make_vault(
        {
            "Ansible.md": '---\nrequires: ["[[Terraform]]", "[[Linux]]"]\n---\n- [ ] a\n',
            "Terraform.md": '---\nrequires: ["[[Ansible]]"]\n---\n- [ ] t\n',
            "Linux.md": "- [x] shell\n",
        }
    )
    ansible = progress_of(root).notes[P("Ansible.md")]
    assert (ansible.state, ansible.blocked_by, ansible.looping) == (
        State.READY,
        (P("Terraform.md"),),
        (P("Terraform.md"),),
    )


def test_a_prerequisite_that_does_not_resolve_is_missing_not_an_edge(make_vault):
    root = make_vault({"A.md": '---\nrequires: ["[[Nowhere]]"]\n---\n- [ ] a\n'})
    progress = progress_of(root)
    assert [(path, link.target) for path, link in progress.missing] == [(P("A.md"), "Nowhere")]
    assert list(progress.graph.edges) == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('---\nrequires: ["[[Ghost]]"]\n---\n- [ ] a\n', id="with tasks"),
        pytest.param('---\nrequires: ["[[Ghost]]"]\n---\n', id="prerequisites only"),
        pytest.param("requires:: [[Ghost]], [[Ghost#Setup]]\n- [ ] a\n", id="Dataview field"),
    ],
)
def test_a_prerequisite_that_does_not_exist_blocks_the_note_and_is_named(make_vault, text):
    root = make_vault({"A.md": text})
    a = progress_of(root).notes[P("A.md")]
    assert (a.state, a.blocked_by, a.missing) == (State.BLOCKED, (), ("Ghost",))


def test_a_missing_prerequisite_does_not_undo_progress_already_made(make_vault):
    root = make_vault({"A.md": '---\nrequires: ["[[Ghost]]"]\n---\n- [x] a\n- [ ] b\n'})
    a = progress_of(root).notes[P("A.md")]
    assert (a.state, a.missing) == (State.IN_PROGRESS, ("Ghost",))


def test_a_prerequisite_that_resolves_to_an_attachment_is_missing(make_vault):
    root = make_vault({"A.md": '---\nrequires: ["[[diagram.png]]"]\n---\n', "diagram.png": ""})
    a = progress_of(root).notes[P("A.md")]
    assert (a.state, a.missing) == (State.BLOCKED, ("diagram.png",))


def test_next_puts_in_progress_first_then_what_unlocks_most(make_vault):
    root = make_vault(
        {
            "Busy.md": "- [x] a\n- [ ] b\n",
            "Leaf.md": "- [ ] leaf\n",
            "Root.md": "- [ ] root\n",
            "Mid.md": '---\nrequires: ["[[Root]]"]\n---\n- [ ] m\n',
            "Top.md": '---\nrequires: ["[[Mid]]"]\n---\n- [ ] t\n',
            "Done.md": "- [x] done\n",
        }
    )
    progress = progress_of(root)
    assert [n.path for n in progress.next()] == [P("Busy.md"), P("Root.md"), P("Leaf.md")]
    assert [n.path for n in progress.next(limit=2)] == [P("Busy.md"), P("Root.md")]
    assert [n.path for n in progress.next(scope=[P("Leaf.md"), P("Mid.md")])] == [P("Leaf.md")]


def test_group_is_the_linked_note_title_or_the_text(make_vault):
    root = make_vault(
        {
            "Phases/P1 0–6 個月.md": "---\nstart: 2026-01-01\n---\n",
            "Phases/P2.md": "---\nstart: 2026-07-01\n---\n",
            "Docker.md": '---\nphase: "[[P1 0–6 個月]]"\n---\n- [ ] a\n',
            "Kafka.md": "---\nphase: later\n---\n- [ ] a\n",
            "Helm.md": '---\nphase: "[[P2]]"\n---\n- [ ] a\n',
            "Loose.md": "- [ ] a\n",
        }
    )
    progress = progress_of(root)
    groups = {str(p): n.group for p, n in progress.notes.items() if n.total}
    assert groups == {
        "Docker.md": "P1 0–6 個月",
        "Kafka.md": "later",
        "Helm.md": "P2",
        "Loose.md": None,
    }
    ordered = sorted(
        {"later", "P2", "P1 0–6 個月", None}, key=lambda g: group_sort_key(progress, g)
    )
    assert ordered == ["P1 0–6 個月", "P2", "later", None]


def test_start_and_due_are_iso_dates(make_vault):
    root = make_vault({"a.md": "---\nstart: 2026-07-01\ndue: '2026-12-31'\n---\n- [ ] a\n"})
    item = progress_of(root).notes[P("a.md")]
    assert (item.start, item.due) == ("2026-07-01", "2026-12-31")


def test_excluded_notes_have_no_progress_but_still_satisfy_links(make_vault):
    root = make_vault(
        {
            ".obsidian/app.json": '{"userIgnoreFilters": ["Templates/"]}',
            "Templates/Skill.md": "- [ ] step\n",
            "A.md": '---\nrequires: ["[[Skill]]"]\n---\n- [ ] a\n',
        }
    )
    progress = progress_of(root)
    assert sorted(progress.notes) == [P("A.md")]
    assert progress.missing == ()


def test_computing_from_the_previous_progress_gives_what_a_fresh_computation_gives(make_vault):
    root = make_vault(
        {
            "A.md": "- [ ] a\n",
            "B.md": '---\nrequires: ["[[A]]"]\n---\n- [ ] b\n',
            "C.md": '---\nrequires: ["[[B]]"]\n---\n- [ ] c\n',
            "D.md": "- [ ] d\n",
        }
    )
    vault = load_vault(root, Config())
    before = track(vault)
    (root / "A.md").write_text("- [x] a\n", encoding="utf-8")
    (root / "D.md").write_text('---\nrequires: ["[[C]]", "[[Gone]]"]\n---\n- [ ] d\n')
    vault = refresh(vault, [P("A.md"), P("D.md")])

    again = track(vault, before).progress
    fresh = compute(vault)

    assert dict(again.notes) == dict(fresh.notes)
    assert sorted(again.graph.edges) == sorted(fresh.graph.edges)
    assert (again.cycles, again.missing) == (fresh.cycles, fresh.missing)
    assert again.notes[P("B.md")].state is State.READY
    assert again.notes[P("A.md")].unlocks == (P("B.md"), P("C.md"), P("D.md"))


def test_a_task_only_change_updates_the_note_and_the_notes_that_require_it(make_vault):
    root = make_vault(
        {
            "A.md": "- [ ] a\n",
            "B.md": '---\nrequires: ["[[A]]"]\n---\n- [ ] b\n',
            "C.md": '---\nrequires: ["[[B]]"]\n---\n- [ ] c\n',
            "X.md": '---\nrequires: ["[[Y]]"]\n---\n- [ ] x\n',
            "Y.md": '---\nrequires: ["[[X]]"]\n---\n- [ ] y\n',
        }
    )
    vault = load_vault(root, Config())
    before = track(vault)
    (root / "A.md").write_text("- [x] a\n", encoding="utf-8")
    (root / "Y.md").write_text('---\nrequires: ["[[X]]"]\n---\n- [x] y\n', encoding="utf-8")
    vault = refresh(vault, [P("A.md"), P("Y.md")])

    again = track(vault, before).progress
    fresh = compute(vault)

    assert again.graph is before.progress.graph  # no prerequisite changed: the graph is reused
    assert dict(again.notes) == dict(fresh.notes)
    assert (again.cycles, again.missing) == (fresh.cycles, fresh.missing)
    states = {str(p): n.state.value for p, n in again.notes.items()}
    assert states == {
        "A.md": "done",
        "B.md": "ready",
        "C.md": "blocked",
        "X.md": "ready",
        "Y.md": "done",
    }


def test_a_recalled_graph_read_around_some_notes_holds_them_and_every_edge_touching_one():
    a, b, c, d, e = (PurePosixPath(f"{name}.md") for name in "abcde")
    nodes = (a, b, c, d, e)
    kept = SimpleNamespace(nodes=nodes, edges=(0, 1, 1, 2, 2, 3, 3, 1, 4, 4))  # a->b ... e->e
    edges = _Edges(kept)  # type: ignore[arg-type]

    around_b = edges.around([b, PurePosixPath("gone.md")])
    around_e = edges.around([e])

    assert list(around_b.nodes) == [b, a, c, d]
    assert around_b.edges == [(b, c), (a, b), (d, b)]
    assert sorted(around_b.predecessors(b)) == [a, d]
    assert list(around_e.nodes) == [e]
    assert around_e.edges == [(e, e)]
