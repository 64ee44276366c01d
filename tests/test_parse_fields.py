"""Dataview inline fields and `%% comments %%` (OBSIDIAN.md, "Other syntax")."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from vaultkit.parse import parse_note


def parse(text: str):
    return parse_note(PurePosixPath("note.md"), text.encode("utf-8"))


def fields(text: str) -> list[tuple]:
    """(key, value, line, col, end_col, link targets) per field."""
    return [
        (f.key, f.value, f.span.line, f.span.col, f.span.end_col, [x.target for x in f.links])
        for f in parse(text).fields
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "requires:: [[Docker]], [[Helm]]\n",
            [("requires", "[[Docker]], [[Helm]]", 1, 1, 32, ["Docker", "Helm"])],
            id="own line with links",
        ),
        pytest.param("status:: done\n", [("status", "done", 1, 1, 14, [])], id="own line"),
        pytest.param("**Status**:: done\n", [("Status", "done", 1, 1, 18, [])], id="bold key"),
        pytest.param("`code`:: x\n", [("code", "x", 1, 1, 11, [])], id="key in backticks"),
        pytest.param("Due Date :: 2026\n", [("Due Date", "2026", 1, 1, 17, [])], id="spaced key"),
        pytest.param("empty::\n", [("empty", "", 1, 1, 8, [])], id="no value"),
        pytest.param("- due:: 2026-05-01\n", [("due", "2026-05-01", 1, 3, 19, [])], id="list item"),
        pytest.param("> 負責人:: 小明\n", [("負責人", "小明", 1, 3, 11, [])], id="cjk in a quote"),
        pytest.param(
            "Text [rating:: 5] and (hidden:: yes) end\n",
            [("rating", "5", 1, 6, 18, []), ("hidden", "yes", 1, 23, 37, [])],
            id="bracketed and parenthesised",
        ),
        pytest.param(
            "[requires:: [[A]] and [[B]]]\n",
            [("requires", "[[A]] and [[B]]", 1, 1, 29, ["A", "B"])],
            id="nested brackets",
        ),
        pytest.param(
            "(needs:: [[Draft (old)]])\n",
            [("needs", "[[Draft (old)]]", 1, 1, 26, ["Draft (old)"])],
            id="nested parentheses",
        ),
        pytest.param(
            "- [ ] task [due:: 2026-05-01]\n",
            [("due", "2026-05-01", 1, 12, 30, [])],
            id="in a task",
        ),
        pytest.param(
            "| a |\n|---|\n| [k:: v] |\n", [("k", "v", 3, 3, 10, [])], id="in a table cell"
        ),
        pytest.param(
            "First line\nsecond:: value\n", [("second", "value", 2, 1, 15, [])], id="second line"
        ),
    ],
)
def test_dataview_fields(text, expected):
    assert fields(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("key: value\n", id="one colon"),
        pytest.param("[key: value]\n", id="one colon in brackets"),
        pytest.param("[a:: unclosed\n", id="unclosed bracket"),
        pytest.param("[[Note]]:: x\n", id="wikilink as key"),
        pytest.param("[(k):: v]\n", id="bracket in key"),
        pytest.param("`key:: value`\n", id="code span"),
        pytest.param("```\nkey:: value\n```\n", id="fenced code"),
        pytest.param("%% key:: value %%\n", id="comment"),
        pytest.param("<!-- [k:: v] -->\n", id="html comment"),
        pytest.param("# key:: value\n", id="heading"),
    ],
)
def test_not_fields(text):
    assert fields(text) == []


def test_field_links_are_also_note_links():
    note = parse("requires:: [[Docker]], [[Kubernetes 基礎]]\n")
    assert [(x.kind, x.target, x.span.col) for x in note.links] == [
        ("wiki", "Docker", 12),
        ("wiki", "Kubernetes 基礎", 24),
    ]
    assert note.fields[0].links == note.links


def test_a_line_with_a_bracketed_field_is_no_full_line_field():
    assert fields("a:: b [c:: d]\n") == [("c", "d", 1, 7, 14, [])]


def test_comments_hide_everything_inside():
    text = "Visible [[A]] %% [[B]] #b %% [[C]] #c\n"
    note = parse(text)
    assert [x.target for x in note.links] == ["A", "C"]
    assert [t.name for t in note.tags] == ["c"]


def test_a_block_comment_can_span_blank_lines():
    text = "Before [[A]]\n%%\n[[Hidden]]\n\n#hidden\n- [ ] hidden task\n%%\n[[After]] #after\n"
    note = parse(text)
    assert [(x.target, x.span.line) for x in note.links] == [("A", 1), ("After", 8)]
    assert [(t.name, t.span.line) for t in note.tags] == [("after", 8)]
    assert note.tasks == ()


def test_an_unclosed_block_comment_runs_to_the_end():
    note = parse("[[A]]\n\n%%\n[[Hidden]]\n\n[[Also hidden]]\n")
    assert [x.target for x in note.links] == ["A"]


def test_an_unclosed_inline_comment_hides_the_rest_of_its_paragraph():
    note = parse("[[A]] %% [[B]]\n[[C]]\n\n[[D]]\n")
    assert [x.target for x in note.links] == ["A", "D"]


def test_a_one_line_comment_block_hides_its_line():
    note = parse("%% [[Hidden]] %%\n[[Shown]]\n")
    assert [(x.target, x.span.line) for x in note.links] == [("Shown", 2)]


def test_percent_signs_in_code_do_not_open_comments():
    note = parse("`%%` [[A]] `%%`\n\n```\n%%\n```\n[[B]]\n")
    assert [x.target for x in note.links] == ["A", "B"]


def test_comment_inside_a_list_item_ends_with_the_item():
    text = "- item\n  %%\n  [[Hidden]]\n  %%\n- [[Shown]]\n"
    assert [x.target for x in parse(text).links] == ["Shown"]
