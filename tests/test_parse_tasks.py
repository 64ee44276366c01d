"""Task items and would-be task items: OBSIDIAN.md's "Task items" section."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from vaultkit.model import Span, Task
from vaultkit.parse import parse_note


def parse(text: str):
    return parse_note(PurePosixPath("note.md"), text.encode("utf-8"))


def tasks(text: str) -> list[tuple]:
    """(status, text, line, col) per task."""
    return [(t.status, t.text, t.span.line, t.span.col) for t in parse(text).tasks]


def malformed(text: str) -> list[tuple[str, str, int, int, int]]:
    """(written, fixed, line, col, end_col) per malformed task."""
    return [
        (m.written, m.fixed, m.span.line, m.span.col, m.span.end_col)
        for m in parse(text).malformed_tasks
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("- [ ] todo\n", (" ", "todo", 1, 4), id="dash"),
        pytest.param("* [x] done\n", ("x", "done", 1, 4), id="star"),
        pytest.param("+ [/] doing\n", ("/", "doing", 1, 4), id="plus"),
        pytest.param("1. [-] dropped\n", ("-", "dropped", 1, 5), id="dot"),
        pytest.param("3) [>] later\n", (">", "later", 1, 5), id="paren"),
        pytest.param("12. [X] big\n", ("X", "big", 1, 6), id="two digits"),
        pytest.param("- [?] odd\n", ("?", "odd", 1, 4), id="any char"),
        pytest.param("- [✓] mark\n", ("✓", "mark", 1, 4), id="unicode"),
        pytest.param("- [ ]\n", (" ", "", 1, 4), id="no text"),
        pytest.param("- [x]  spaced  \n", ("x", "spaced", 1, 4), id="trim"),
        pytest.param("- [x] 讀完 CAP 定理\n", ("x", "讀完 CAP 定理", 1, 4), id="cjk"),
        pytest.param("-   [ ] wide\n", (" ", "wide", 1, 6), id="wide marker"),
        pytest.param("  - [ ] indented\n", (" ", "indented", 1, 6), id="indent"),
        pytest.param("> - [ ] quoted\n", (" ", "quoted", 1, 6), id="quote"),
        pytest.param(">- [x] tight\n", ("x", "tight", 1, 5), id="tight quote"),
        pytest.param(
            "> [!todo] Callout\n> - [x] inside\n",
            ("x", "inside", 2, 6),
            id="callout",
        ),
        pytest.param(
            "- [ ] first line\n  still the paragraph\n",
            (" ", "first line", 1, 4),
            id="two-line item",
        ),
    ],
)
def test_task_items(text, expected):
    assert tasks(text) == [expected]


def test_nested_tasks_are_found_where_they_are_written():
    text = "- [ ] A\n  - [x] B\n    - plain note\n      - [ ] C\n- [/] D\n\t- [ ] E\n"
    assert tasks(text) == [
        (" ", "A", 1, 4),
        ("x", "B", 2, 6),
        (" ", "C", 4, 10),
        ("/", "D", 5, 4),
        (" ", "E", 6, 5),
    ]


def test_a_task_under_a_plain_item_is_found():
    assert tasks("- plain\n  - [ ] child\n") == [(" ", "child", 2, 6)]


def test_task_spans_cover_the_status_character_after_front_matter():
    note = parse("---\ntitle: x\n---\n\n- [x] done\n")
    assert note.tasks == (Task("x", "done", Span(5, 4, 5, 5)),)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("- []\n", id="empty brackets"),
        pytest.param("-[ ] glued\n", id="no space after marker"),
        pytest.param("- [ ]x\n", id="no space after brackets"),
        pytest.param("- [xx] two\n", id="two characters"),
        pytest.param("[ ] not a list\n", id="no marker"),
        pytest.param("- [[wikilink]]\n", id="wikilink"),
        pytest.param("- [text](url.md)\n", id="markdown link"),
        pytest.param("- [x](url.md)\n", id="one-letter markdown link"),
        pytest.param("```\n- [ ] code\n```\n", id="fenced code"),
        pytest.param("Text\n\n    - [ ] indented code\n", id="indented code"),
        pytest.param("%%\n- [ ] hidden\n%%\n", id="block comment"),
        pytest.param("<!--\n- [ ] hidden\n-->\n", id="html comment"),
        pytest.param("Para - [ ] inline\n", id="mid-line"),
        pytest.param("- text [ ] later\n", id="brackets later in the item"),
    ],
)
def test_not_tasks(text):
    assert tasks(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("-[ ] task\n", ("-[ ]", "- [ ]", 1, 1, 5), id="dash glued"),
        pytest.param("*[x] done\n", ("*[x]", "* [x]", 1, 1, 5), id="star glued"),
        pytest.param("1.[x] done\n", ("1.[x]", "1. [x]", 1, 1, 6), id="ordered glued"),
        pytest.param("-[]\n", ("-[]", "- [ ]", 1, 1, 4), id="glued and empty"),
        pytest.param("- [] task\n", ("- []", "- [ ]", 1, 1, 5), id="empty"),
        pytest.param("- [  ] task\n", ("- [  ]", "- [ ]", 1, 1, 7), id="two spaces"),
        pytest.param("- [ ]x\n", ("- [ ]", "- [ ] ", 1, 1, 6), id="text glued"),
        pytest.param("* [x]text\n", ("* [x]", "* [x] ", 1, 1, 6), id="done text glued"),
        pytest.param("1) [/]half\n", ("1) [/]", "1) [/] ", 1, 1, 7), id="ordered text glued"),
        pytest.param("  - []\n", ("- []", "- [ ]", 1, 3, 7), id="indented"),
        pytest.param("> -[ ] quoted\n", ("-[ ]", "- [ ]", 1, 3, 7), id="quoted glued"),
        pytest.param("> - [] quoted\n", ("- []", "- [ ]", 1, 3, 7), id="quoted empty"),
        pytest.param("Intro\n-[ ] second line\n", ("-[ ]", "- [ ]", 2, 1, 5), id="paragraph line"),
    ],
)
def test_malformed_tasks_point_at_the_marker(text, expected):
    assert malformed(text) == [expected]
    assert tasks(text) == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("- [ ] fine\n", id="a task"),
        pytest.param("- [a] odd status\n", id="odd status is still a task"),
        pytest.param("- [[wikilink]]\n", id="wikilink"),
        pytest.param("- [text](url.md)\n", id="markdown link"),
        pytest.param("- [x](url.md)\n", id="one-letter link"),
        pytest.param("- [](url.md)\n", id="empty link text"),
        pytest.param("- [x][ref]\n\n[ref]: a.md\n", id="reference link"),
        pytest.param("- [a]b prose\n", id="unusual letter glued"),
        pytest.param("I wrote [ ] in prose\n", id="prose"),
        pytest.param("*[x]* emphasis\n", id="emphasis"),
        pytest.param("-[text] glued\n", id="glued word in brackets"),
        pytest.param("```\n-[ ] code\n- []\n```\n", id="code"),
        pytest.param("%% -[ ] hidden %%\n", id="comment"),
        pytest.param("%%\n-[ ] hidden\n%%\n", id="block comment"),
        pytest.param("`-[ ]`\n", id="code span"),
        pytest.param("| -[ ] |\n|---|\n", id="table cell"),
    ],
)
def test_not_malformed_tasks(text):
    assert malformed(text) == []
