"""The block renderers' pure formatting, from hand-built NoteProgress values."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from msgspec.structs import replace

from vaultkit.index import LinkIndex
from vaultkit.model import NoteProgress, State
from vaultkit.summaries.graph import format_graph
from vaultkit.summaries.nextup import format_next
from vaultkit.summaries.noteprogress import ProgressView, format_progress
from vaultkit.summaries.rollup import Group, format_rollup
from vaultkit.summaries.text import (
    Namer,
    cell,
    gantt_text,
    markdown_text,
    mermaid_label,
    progress_bar,
)
from vaultkit.summaries.timeline import Section, Task, format_timeline

P = PurePosixPath
PATHS = [P("Docker.md"), P("Helm.md"), P("a/Same.md"), P("b/Same.md"), P("C#.md"), P("Hub.md")]


def namer(source: str = "Hub.md") -> Namer:
    # The index only needs the paths to resolve names.
    return Namer(LinkIndex(dict.fromkeys(PATHS), ()), P(source))


def item(
    path: str,
    state: State = State.READY,
    done: int = 0,
    total: int = 0,
    unlocks: tuple[str, ...] = (),
    start: str | None = None,
    due: str | None = None,
) -> NoteProgress:
    return NoteProgress(
        path=P(path),
        title=P(path).stem,
        state=state,
        done=done,
        total=total,
        in_progress=0,
        cancelled=0,
        unknown=0,
        group=None,
        requires=(),
        blocked_by=(),
        unlocks=tuple(P(u) for u in unlocks),
        start=start,
        due=due,
    )


@pytest.mark.parametrize(
    ("percent", "text"),
    [
        (0, "░░░░░░░░░░ 0%"),
        (9, "░░░░░░░░░░ 9%"),
        (60, "▓▓▓▓▓▓░░░░ 60%"),
        (99, "▓▓▓▓▓▓▓▓▓░ 99%"),
        (100, "▓▓▓▓▓▓▓▓▓▓ 100%"),
    ],
)
def test_the_bar_has_ten_cells_rounded_down(percent, text):
    assert progress_bar(percent) == text


def test_links_use_the_title_unless_it_is_ambiguous():
    names = namer()

    assert names.link(P("Docker.md")) == "[[Docker]]"
    assert names.link(P("a/Same.md")) == "[[a/Same|Same]]"
    assert names.link(P("b/Same.md")) == "[[b/Same|Same]]"


def test_a_name_no_wikilink_can_hold_becomes_a_markdown_link():
    assert namer().link(P("C#.md")) == "[C\\#](C%23.md)"


def test_a_pipe_in_a_table_cell_is_escaped():
    assert cell("[[a/Same|Same]]") == "[[a/Same\\|Same]]"
    assert cell("two\nlines") == "two lines"


def test_plain_text_escapes_markdown_syntax():
    assert markdown_text("*bold* [x] `c` <b> #tag 100%") == (
        "\\*bold\\* \\[x\\] \\`c\\` \\<b\\> \\#tag 100\\%"
    )


def test_mermaid_labels_use_entities_for_quotes_hashes_angle_brackets_and_percent():
    assert mermaid_label('Say "hi" #1 <b>') == "Say #quot;hi#quot; #35;1 #lt;b#gt;"
    assert mermaid_label("a %%{init: {}}%% b") == "a #37;#37;{init: {}}#37;#37; b"


def test_gantt_names_lose_colons_hashes_and_semicolons():
    assert gantt_text("P1: C#; 100%% done") == "P1： C＃； 100% % done"


# -- progress ------------------------------------------------------------------------------


def test_progress_shows_bar_counts_state_needs_and_unlocks():
    view = ProgressView(
        item=item("Helm.md", State.BLOCKED, 6, 10, unlocks=("x.md", "y.md", "z.md")),
        needs=(item("Docker.md", State.DONE, 5, 5), item("a/Same.md", State.IN_PROGRESS)),
        missing=("Terraform [draft]",),
        unlocks=(P("Docker.md"),),
    )

    assert format_progress(view, namer()) == (
        "▓▓▓▓▓▓░░░░ 60% · 6/10 tasks · blocked\n"
        "\n"
        "- Needs: [[Docker]] (done), [[a/Same|Same]] (in-progress), "
        "Terraform \\[draft\\] (not found)\n"
        "- Unlocks: [[Docker]] (3 notes in all)\n"
    )


def test_progress_says_which_prerequisites_are_in_a_loop_with_the_note():
    ansible = replace(item("Ansible.md"), blocked_by=(P("Helm.md"),), looping=(P("Helm.md"),))
    view = ProgressView(ansible, needs=(item("Helm.md", State.READY),), missing=(), unlocks=())

    assert format_progress(view, namer()) == (
        "░░░░░░░░░░ 0% · no tasks · ready\n\n- Needs: [[Helm]] (ready; loop, not blocking)\n"
    )


def test_progress_of_a_note_without_tasks_or_prerequisites_is_one_line():
    view = ProgressView(item("Helm.md", State.DONE), (), (), ())

    assert format_progress(view, namer()) == "▓▓▓▓▓▓▓▓▓▓ 100% · no tasks · done\n"


# -- rollup --------------------------------------------------------------------------------


def test_rollup_table_has_a_row_per_note_and_a_total():
    items = (
        item("Docker.md", State.DONE, 5, 5),
        item("Helm.md", State.IN_PROGRESS, 4, 7),
        item("a/Same.md", State.DROPPED, 0, 3),
    )

    assert format_rollup([Group("", items)], namer(), grouped=False) == (
        "| Note | State | Done | Progress |\n"
        "| --- | --- | ---: | --- |\n"
        "| [[Docker]] | done | 5/5 | ▓▓▓▓▓▓▓▓▓▓ 100% |\n"
        "| [[Helm]] | in-progress | 4/7 | ▓▓▓▓▓░░░░░ 57% |\n"
        "| [[a/Same\\|Same]] | dropped | 0/3 | ░░░░░░░░░░ 0% |\n"
        "| **Total** | 1 of 2 done | 9/12 | ▓▓▓▓▓▓▓░░░ 75% |\n"
        "\n"
    )


def test_rollup_groups_get_a_subtotal_row_before_their_notes():
    groups = [
        Group("[[Docker]]", (item("Helm.md", State.DONE, 2, 2),)),
        Group("\\(no phase\\)", (item("b/Same.md", State.DONE),)),
    ]

    assert format_rollup(groups, namer(), grouped=True) == (
        "| Note | State | Done | Progress |\n"
        "| --- | --- | ---: | --- |\n"
        "| **[[Docker]]** | 1 of 1 done | 2/2 | ▓▓▓▓▓▓▓▓▓▓ 100% |\n"
        "| [[Helm]] | done | 2/2 | ▓▓▓▓▓▓▓▓▓▓ 100% |\n"
        "| **\\(no phase\\)** | 1 of 1 done | — | ▓▓▓▓▓▓▓▓▓▓ 100% |\n"
        "| [[b/Same\\|Same]] | done | — | ▓▓▓▓▓▓▓▓▓▓ 100% |\n"
        "| **Total** | 2 of 2 done | 2/2 | ▓▓▓▓▓▓▓▓▓▓ 100% |\n"
        "\n"
    )


def test_an_empty_rollup_says_so():
    assert (
        format_rollup([Group("", ())], namer(), grouped=False) == "_No tracked notes in scope._\n"
    )


# -- next ----------------------------------------------------------------------------------


def test_next_is_a_numbered_list_with_state_counts_and_unlocks():
    items = [
        item("Helm.md", State.IN_PROGRESS, 4, 7, unlocks=("a.md", "b.md", "c.md")),
        item("Docker.md", State.READY),
    ]

    assert format_next(items, namer()) == (
        "1. [[Helm]] · in-progress · 4/7 tasks · unlocks 3\n2. [[Docker]] · ready · no tasks\n"
    )


def test_next_with_nothing_to_start_says_so():
    assert format_next([], namer()).startswith("_Nothing to start")


# -- graph ---------------------------------------------------------------------------------


def test_graph_is_a_flowchart_with_state_classes_and_internal_links():
    nodes = [("Docker", State.DONE), ('Say "hi"', State.READY), ("Helm", State.DONE)]

    assert format_graph(nodes, [(0, 1), (2, 1), (0, 1)]) == (
        "```mermaid\n"
        "flowchart LR\n"
        '    n1["Docker"]\n'
        '    n2["Say #quot;hi#quot;"]\n'
        '    n3["Helm"]\n'
        "    n1 --> n2\n"
        "    n3 --> n2\n"
        "    classDef vkDone fill:#d3f9d8,stroke:#2f9e44,color:#212529\n"
        "    class n1,n3 vkDone\n"
        "    classDef vkReady fill:#d0ebff,stroke:#1c7ed6,color:#212529\n"
        "    class n2 vkReady\n"
        "    class n1,n2,n3 internal-link\n"
        "```\n"
    )


def test_an_empty_graph_is_not_a_diagram():
    assert format_graph([], []) == "_No dependencies in scope._\n"


# -- timeline ------------------------------------------------------------------------------


def test_timeline_is_a_gantt_with_sections_bars_and_milestones():
    sections = [
        Section(
            "P1: basics",
            (
                Task("Docker", State.DONE, "2026-01-05", "2026-02-28"),
                Task("Helm", State.IN_PROGRESS, "2026-03-01", None),
            ),
        ),
        Section("empty", ()),
        Section(
            "(no phase)",
            (
                Task("AWS SAA", State.READY, None, "2026-06-30"),
                Task("Backwards", State.BLOCKED, "2026-05-02", "2026-05-01"),
            ),
        ),
    ]

    assert format_timeline(sections) == (
        "```mermaid\n"
        "gantt\n"
        "    dateFormat YYYY-MM-DD\n"
        "    section P1： basics\n"
        "    Docker :done, t1, 2026-01-05, 2026-02-28\n"
        "    Helm :active, milestone, t2, 2026-03-01, 0d\n"
        "    section (no phase)\n"
        "    AWS SAA :milestone, t3, 2026-06-30, 0d\n"
        "    Backwards :milestone, t4, 2026-05-02, 0d\n"
        "```\n"
    )


def test_a_timeline_without_dated_notes_is_not_a_diagram():
    assert format_timeline([Section("x", ())]).startswith("_No notes with a start or due date")


@pytest.mark.parametrize(
    ("name", "written"),
    [
        pytest.param("Click here", "\u200bClick here", id="click keyword"),
        pytest.param("Title ideas", "\u200bTitle ideas", id="title keyword"),
        pytest.param("Includes", "\u200bIncludes", id="includes alone"),
        pytest.param("2026-01-01 kickoff", "\u200b2026-01-01 kickoff", id="leading date"),
        pytest.param("5% tips", "\u200b5% tips", id="percent second: a comment"),
        pytest.param("%% note", "\u200b\u200b% % note", id="percent first"),
        pytest.param("Titles", "Titles", id="a longer word is no keyword"),
        pytest.param("Accounting", "Accounting", id="acc but not accTitle"),
        pytest.param("100% done", "100% done", id="percent later"),
    ],
)
def test_gantt_names_that_mermaid_would_read_as_syntax_start_with_a_zero_width_space(name, written):
    timeline = format_timeline([Section("s", (Task(name, State.READY, "2026-07-01", None),))])

    assert timeline.splitlines()[4] == f"    {written} :milestone, t1, 2026-07-01, 0d"
