"""Finding managed blocks with markdown-it, and splicing text between their markers."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from vaultkit.blocks import (
    EMPTY_SCAN,
    Block,
    SpliceRefused,
    block_text,
    find_blocks,
    splice,
)
from vaultkit.lines import split_lines
from vaultkit.model import Span
from vaultkit.parse import parse_note

BEGIN = "<!-- vaultkit:begin progress -->"
END = "<!-- vaultkit:end progress -->"


def found(text: str, body_line: int = 1) -> list[tuple[str, dict[str, str], int, int]]:
    scan = find_blocks(text, body_line)
    assert scan.problems == ()
    return [(b.kind, dict(b.params), b.begin.line, b.end.line) for b in scan.blocks]


def problems(text: str, body_line: int = 1) -> list[tuple[int, int]]:
    return [(p.span.line, p.span.col) for p in find_blocks(text, body_line).problems]


# -- finding: left alone and found -------------------------------------------------------


def test_a_block_is_found_with_its_parameters_and_marker_spans():
    text = (
        'Intro\n\n<!-- vaultkit:begin rollup group-by=phase folder="My Skills" -->\n'
        "old\n<!-- vaultkit:end rollup -->\n"
    )

    scan = find_blocks(text)

    assert scan.problems == ()
    [block] = scan.blocks
    assert block.kind == "rollup"
    assert dict(block.params) == {"group-by": "phase", "folder": "My Skills"}
    assert block.begin == Span(3, 1, 3, 65)
    assert block.end == Span(5, 1, 5, 29)
    assert block.label == 'rollup group-by=phase folder="My Skills"'


def test_text_without_vaultkit_is_not_parsed():
    assert find_blocks("# Title\n\n- [ ] task\n") is EMPTY_SCAN


def test_a_suppression_comment_is_not_a_marker():
    assert found("<!-- vaultkit: disable-next-line VK101 -->\n[[missing]]\n") == []


def test_front_matter_lines_are_skipped_and_positions_stay_file_lines():
    text = f"---\nnote: '{BEGIN}'\n---\n\n{BEGIN}\n{END}\n"

    assert found(text, body_line=4) == [("progress", {}, 5, 6)]


def test_crlf_positions_match_lf_positions():
    text = f"a\r\n\r\n{BEGIN}\r\nold\r\n{END}\r\n"

    assert found(text) == [("progress", {}, 3, 5)]


def test_a_marker_may_interrupt_a_paragraph_and_be_indented_up_to_three_spaces():
    text = f"para\n   {BEGIN}\n{END}\n"

    assert found(text) == [("progress", {}, 2, 3)]
    assert find_blocks(text).blocks[0].begin.col == 4


def test_several_blocks_of_one_kind_with_different_parameters_are_allowed():
    text = (
        "<!-- vaultkit:begin next folder=A -->\n<!-- vaultkit:end next -->\n\n"
        "<!-- vaultkit:begin next folder=B limit=3 -->\n<!-- vaultkit:end next -->\n"
    )

    assert found(text) == [
        ("next", {"folder": "A"}, 1, 2),
        ("next", {"folder": "B", "limit": "3"}, 4, 5),
    ]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(f"```markdown\n{BEGIN}\n{END}\n```\n", id="backtick fence"),
        pytest.param(f"~~~\n{BEGIN}\n~~~\n\n~~~\n{END}\n~~~\n", id="tilde fences"),
        pytest.param(f"Text\n\n    {BEGIN}\n    {END}\n", id="indented code"),
        pytest.param(f"Inline `{BEGIN}` and `{END}`\n", id="code spans"),
        pytest.param(f"````\n```\n{BEGIN}\n```\n{END}\n````\n", id="fence inside a longer fence"),
    ],
)
def test_markers_in_code_are_text(text):
    assert find_blocks(text) == EMPTY_SCAN


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(f"%%\n{BEGIN}\n{END}\n%%\n", id="comment"),
        pytest.param(f"%% hidden:\n\n{BEGIN}\n{END}\n", id="comment never closed"),
        pytest.param(f"$$\n{BEGIN}\n{END}\n$$\n", id="math"),
    ],
)
def test_markers_in_a_comment_or_math_are_text_as_obsidian_hides_them(text):
    assert find_blocks(text) == EMPTY_SCAN
    assert parse_note(PurePosixPath("a.md"), text.encode()).blocks == EMPTY_SCAN


# -- finding: reported ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where"),
    [
        pytest.param(f"{BEGIN}\ntext\n", [(1, 1)], id="begin without end"),
        pytest.param(f"text\n{END}\n", [(2, 1)], id="end without begin"),
        pytest.param(
            f"{BEGIN}\n\n<!-- vaultkit:begin next -->\n<!-- vaultkit:end next -->\n{END}\n",
            [(3, 1), (5, 1)],
            id="nested: the inner begin, then the orphan end",
        ),
        pytest.param(
            f"{BEGIN}\n<!-- vaultkit:end rollup -->\n", [(2, 1)], id="end of another kind"
        ),
        pytest.param(
            f"{BEGIN}\n{END}\n\n{BEGIN}\n{END}\n", [(4, 1)], id="duplicated kind and parameters"
        ),
        pytest.param(
            "<!-- vaultkit:begin rollup folder=A tag=x -->\n<!-- vaultkit:end rollup -->\n\n"
            "<!-- vaultkit:begin rollup tag=x folder=A -->\n<!-- vaultkit:end rollup -->\n",
            [(4, 1)],
            id="duplicated with parameters in another order",
        ),
        pytest.param(
            "<!-- vaultkit:begin rolup -->\n<!-- vaultkit:end rolup -->\n",
            [(1, 1)],
            id="unknown kind",
        ),
        pytest.param(
            "<!-- vaultkit:begin rollup colour=red -->\n<!-- vaultkit:end rollup -->\n",
            [(1, 1)],
            id="unknown parameter",
        ),
        pytest.param(
            "<!-- vaultkit:begin progress folder=A -->\n" + END + "\n",
            [(1, 1)],
            id="progress takes no parameters",
        ),
        pytest.param(
            "<!-- vaultkit:begin next limit=0 -->\n<!-- vaultkit:end next -->\n",
            [(1, 1)],
            id="limit 0",
        ),
        pytest.param(
            "<!-- vaultkit:begin next limit=-2 -->\n<!-- vaultkit:end next -->\n",
            [(1, 1)],
            id="negative limit",
        ),
        pytest.param(
            "<!-- vaultkit:begin next limit=five -->\n<!-- vaultkit:end next -->\n",
            [(1, 1)],
            id="limit not a number",
        ),
        pytest.param(
            "<!-- vaultkit:begin next limit=1001 -->\n<!-- vaultkit:end next -->\n",
            [(1, 1)],
            id="limit too large",
        ),
        pytest.param(
            "<!-- vaultkit:begin outline depth=7 -->\n<!-- vaultkit:end outline -->\n",
            [(1, 1)],
            id="depth deeper than a heading can be",
        ),
        pytest.param(
            "<!-- vaultkit:begin outline depth=0 -->\n<!-- vaultkit:end outline -->\n",
            [(1, 1)],
            id="depth 0",
        ),
        pytest.param(
            "<!-- vaultkit:begin graph edges=some -->\n<!-- vaultkit:end graph -->\n",
            [(1, 1)],
            id="edges neither all nor reduced",
        ),
        pytest.param(
            "<!-- vaultkit:begin outline folder=A -->\n<!-- vaultkit:end outline -->\n",
            [(1, 1)],
            id="an outline is of its own note",
        ),
        pytest.param(
            "<!-- vaultkit:begin next limit=3 limit=4 -->\n<!-- vaultkit:end next -->\n",
            [(1, 1)],
            id="parameter twice",
        ),
        pytest.param(
            '<!-- vaultkit:begin rollup folder="A B -->\n<!-- vaultkit:end rollup -->\n',
            [(1, 1)],
            id="unterminated quote",
        ),
        pytest.param(
            "<!-- vaultkit:begin rollup folder= -->\n<!-- vaultkit:end rollup -->\n",
            [(1, 1)],
            id="empty value",
        ),
        pytest.param(
            "<!-- vaultkit:begin rollup group=P2 -->\n<!-- vaultkit:end rollup -->\n",
            [(1, 1)],
            id="group names no group but this note's",
        ),
        pytest.param(
            "<!-- vaultkit:begin progress group=this -->\n" + END + "\n",
            [(1, 1)],
            id="progress has no group scope",
        ),
        pytest.param(
            "<!-- vaultkit:begin -->\n<!-- vaultkit:end -->\n", [(1, 1)], id="begin without a kind"
        ),
        pytest.param(f"> {BEGIN}\n> {END}\n", [(1, 3), (2, 3)], id="inside a quote"),
        pytest.param(f"- item\n\n  {BEGIN}\n  {END}\n", [(3, 3), (4, 3)], id="inside a list item"),
        pytest.param(f"<div>\n{BEGIN}\n</div>\n\n{END}\n", [(2, 1), (5, 1)], id="inside a div"),
        pytest.param(
            f"<!--\n{BEGIN}\n\n{END}\n",
            [(2, 1), (4, 1)],
            id="inside an open comment: it ends there",
        ),
        pytest.param(f"{BEGIN} trailing\n{END}\n", [(1, 1), (2, 1)], id="text after the marker"),
    ],
)
def test_malformed_markers_are_problems_at_the_offending_marker(text, where):
    assert problems(text) == where


@pytest.mark.parametrize("kind", ["rollup", "next", "graph", "timeline"])
def test_every_kind_with_a_scope_takes_group_this(kind):
    text = f"<!-- vaultkit:begin {kind} group=this -->\n<!-- vaultkit:end {kind} -->\n"
    scan = find_blocks(text)
    assert (scan.problems, [dict(b.params) for b in scan.blocks]) == ((), [{"group": "this"}])


def test_group_other_than_this_says_what_it_takes():
    text = "<!-- vaultkit:begin rollup group=P2 -->\n<!-- vaultkit:end rollup -->\n"
    assert [p.message for p in find_blocks(text).problems] == [
        "group takes only 'this' (the notes whose group is this note), not 'P2'"
    ]


def test_problem_lines_count_front_matter():
    assert problems(f"---\na: 1\n---\n{BEGIN}\n", body_line=4) == [(4, 1)]


def test_valid_blocks_are_still_listed_beside_problems():
    text = f"{BEGIN}\n{END}\n\n<!-- vaultkit:end next -->\n"

    scan = find_blocks(text)

    assert [(b.kind, b.begin.line) for b in scan.blocks] == [("progress", 1)]
    assert [(p.span.line, p.span.col) for p in scan.problems] == [(4, 1)]


# -- splicing ------------------------------------------------------------------------------


def only_block(text: str) -> Block:
    [block] = find_blocks(text).blocks
    return block


def test_splice_replaces_only_the_lines_between_the_markers():
    text = f"# Hub\n\nbefore\n{BEGIN}\nold 1\nold 2\n{END}\nafter\n"

    result = splice(text, only_block(text), "new\n")

    assert result == f"# Hub\n\nbefore\n{BEGIN}\nnew\n{END}\nafter\n"


def test_splice_fills_an_empty_block_and_adds_a_missing_final_line_break():
    text = f"{BEGIN}\n{END}\n"

    assert splice(text, only_block(text), "a\nb") == f"{BEGIN}\na\nb\n{END}\n"


def test_splice_with_an_empty_body_leaves_the_markers_adjacent():
    text = f"{BEGIN}\nold\n{END}\n"

    assert splice(text, only_block(text), "") == f"{BEGIN}\n{END}\n"


def test_splice_keeps_crlf_in_a_crlf_note():
    text = f"x\r\n{BEGIN}\r\nold\r\n{END}\r\ny\r\n"

    result = splice(text, only_block(text), "one\ntwo\n")

    assert result == f"x\r\n{BEGIN}\r\none\r\ntwo\r\n{END}\r\ny\r\n"


def test_splice_keeps_an_end_marker_without_final_newline():
    text = f"{BEGIN}\nold\n{END}"

    assert splice(text, only_block(text), "new\n") == f"{BEGIN}\nnew\n{END}"


def test_splice_of_a_second_block_leaves_the_first_alone():
    text = (
        f"{BEGIN}\nkeep\n{END}\n\n<!-- vaultkit:begin next -->\nold\n<!-- vaultkit:end next -->\n"
    )
    second = find_blocks(text).blocks[1]

    result = splice(text, second, "1. x\n")

    assert result == (
        f"{BEGIN}\nkeep\n{END}\n\n<!-- vaultkit:begin next -->\n1. x\n<!-- vaultkit:end next -->\n"
    )


def test_block_text_runs_from_the_begin_line_to_the_end_marker():
    text = f"x\r\n {BEGIN}\r\na\r\nb\r\n{END}\r\ny\r\n"

    assert block_text(text, only_block(text)) == f" {BEGIN}\r\na\r\nb\r\n{END}"


@pytest.mark.parametrize(
    "conflict",
    [
        "<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> origin/main\n",
        "<<<<<<<\nmine\n",
        ">>>>>>> branch\n",
    ],
)
def test_splice_refuses_a_note_with_git_conflict_markers(conflict):
    text = f"{BEGIN}\nold\n{END}\n\n{conflict}"

    with pytest.raises(SpliceRefused):
        splice(text, only_block(text), "new\n")


def test_a_setext_underline_is_not_a_conflict_marker():
    text = f"Title\n=======\n\n{BEGIN}\nold\n{END}\n"

    assert splice(text, only_block(text), "new\n") == f"Title\n=======\n\n{BEGIN}\nnew\n{END}\n"


def test_splice_refuses_a_block_that_is_not_in_the_text():
    text = f"{BEGIN}\nold\n{END}\n"
    block = only_block(text)

    with pytest.raises(SpliceRefused):
        splice("other\ntext\nhere\n", block, "new\n")


@pytest.mark.parametrize("body", ["<!-- vaultkit:end progress -->\n", "<div>\n", "   <b>x</b>\n"])
def test_generated_text_that_would_start_an_html_block_is_a_bug(body):
    text = f"{BEGIN}\n{END}\n"

    with pytest.raises(ValueError, match="HTML block"):
        splice(text, only_block(text), body)


# -- properties ----------------------------------------------------------------------------

# Text that stresses the parser: line breaks of every style, fences, quotes, HTML, markers.
FRAGMENTS = st.sampled_from(
    [
        "\n",
        "\r\n",
        "\r",
        " ",
        "    ",
        "```",
        "~~~",
        "> ",
        "- ",
        "<!--",
        "-->",
        "<div>",
        "#",
        "|",
        "x",
        "中文",
        BEGIN,
        END,
        "\t",
    ]
)
NOISE = st.lists(FRAGMENTS, max_size=30).map("".join)
# Front matter, the body's own block syntax and managed-block markers, in any order.
NOTE_LINES = st.sampled_from(
    [
        *("---", "a: 1", "", "%%", "$$", "```", "> q", "- item", "  - deeper", "| a |"),
        *("|---|", "    code", "<div>", "para", "# H", BEGIN, END, "<!-- vaultkit:begin next -->"),
    ]
)
BODY = st.lists(
    st.sampled_from(["line", "| a | b |", "1. [[x]]", "```", "", "▓░ 50%", "中"]), max_size=6
).map(lambda lines: "".join(line + "\n" for line in lines))


def built(before: str, after: str, newline: str) -> tuple[str, str, str]:
    head = before + newline + "\n" + BEGIN + newline
    tail = END + newline + "\n" + after
    return head, "old" + newline, tail


@given(before=NOISE, after=NOISE, body=BODY, newline=st.sampled_from(["\n", "\r\n"]))
def test_splice_changes_only_the_block_and_a_second_splice_changes_nothing(
    before, after, body, newline
):
    head, old, tail = built(before, after, newline)
    text = head + old + tail
    scan = find_blocks(text)
    assume(scan.problems == () and len(scan.blocks) == 1)
    block = scan.blocks[0]
    assume(block.begin.line == len(split_lines(head)))

    once = splice(text, block, body)

    assert once == head + body.replace("\n", newline) + tail
    rescan = find_blocks(once)
    if rescan.problems == () and len(rescan.blocks) == 1:
        assert splice(once, rescan.blocks[0], body) == once


@given(lines=st.lists(NOTE_LINES, max_size=12), newline=st.sampled_from(["\n", "\r\n"]))
def test_a_notes_parse_holds_the_blocks_find_blocks_finds_in_its_text(lines, newline):
    text = "".join(line + newline for line in lines)
    note = parse_note(PurePosixPath("a.md"), text.encode())

    assert note.blocks == find_blocks(text, note.body_line)


@given(text=st.text(max_size=200))
def test_find_blocks_never_raises(text):
    scan = find_blocks(text)
    for block in scan.blocks:
        assert block.begin.line < block.end.line


def test_blocks_can_be_set_members_and_compare_by_value():
    text = "<!-- vaultkit:begin next limit=3 -->\n<!-- vaultkit:end next -->\n"

    assert {only_block(text), only_block(text)} == {only_block(text)}
