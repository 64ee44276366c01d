"""A note as bytes: decoding, line endings, headings, block ids, conflict markers."""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath

import pytest

from vaultkit.model import BlockId, Diagnostic, FrontmatterState, Heading, Span
from vaultkit.parse import parse_note

PATH = PurePosixPath("Notes/note.md")
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def parse(text: str):
    return parse_note(PATH, text.encode("utf-8"))


def test_digest_is_the_sha256_of_the_bytes_as_read():
    data = b"# Title\r\n"
    assert parse_note(PATH, data).digest == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("data", "newline"),
    [
        (b"a\nb\r\n", "\n"),
        (b"a\r\nb\n", "\r\n"),
        (b"no line break", "\n"),
        (b"", "\n"),
        (b"\r\n", "\r\n"),
    ],
)
def test_newline_is_the_style_of_the_first_line_break(data, newline):
    assert parse_note(PATH, data).newline == newline


def test_crlf_note_keeps_lines_and_columns():
    data = b"---\r\ntags: [a]\r\n---\r\n# Head\r\nSee [[Link]] #tag\r\n"
    note = parse_note(PATH, data)
    assert note.newline == "\r\n"
    assert note.frontmatter_state is FrontmatterState.MAPPING
    assert note.body_line == 4
    assert note.headings == (Heading(1, "Head", Span(4, 1, 4, 7)),)
    assert [(x.target, x.span) for x in note.links] == [("Link", Span(5, 5, 5, 13))]
    assert [(t.name, t.span.line, t.span.col) for t in note.tags] == [("a", 2, 8), ("tag", 5, 14)]


def test_lone_carriage_returns_break_lines_as_markdown_it_reads_them():
    note = parse_note(PATH, b"one\rtwo [[Link]]\r")
    assert [(x.target, x.span.line, x.span.col) for x in note.links] == [("Link", 2, 5)]


def test_bom_is_stripped_remembered_and_not_counted_in_columns():
    note = parse_note(PATH, "\ufeff[[Link]] #tag\n".encode())
    assert note.bom is True
    assert note.decoded is True
    assert [(x.target, x.span.col) for x in note.links] == [("Link", 1)]
    assert [(t.name, t.span.col) for t in note.tags] == [("tag", 10)]


def test_bom_before_front_matter_makes_it_body_text():
    note = parse_note(PATH, "\ufeff---\ntitle: x\n---\n".encode())
    assert note.frontmatter_state is FrontmatterState.ABSENT
    assert note.body_line == 1
    assert note.frontmatter == {}
    assert note.headings == (Heading(2, "title: x", Span(2, 1, 2, 9)),)


def test_gbk_bytes_are_an_undecodable_note_with_the_offset_of_the_first_bad_byte():
    data = "ok\n中文筆記 [[Link]]\n".encode("gbk")
    note = parse_note(PATH, data)
    assert note.decoded is False
    assert note.problems == (
        Diagnostic(PATH, 1, 1, "VK005", "note is not UTF-8: byte 0xd6 at offset 3"),
    )
    assert "offset 3" in note.problems[0].message
    assert (note.links, note.tags, note.tasks, note.headings) == ((), (), (), ())
    assert note.frontmatter_state is FrontmatterState.ABSENT
    assert note.digest == hashlib.sha256(data).hexdigest()


def test_latin1_bytes_are_undecodable():
    note = parse_note(PATH, "café\n".encode("latin-1"))
    assert (note.decoded, [p.code for p in note.problems]) == (False, ["VK005"])
    assert "offset 3" in note.problems[0].message


def test_nul_characters_do_not_shift_columns():
    note = parse_note(PATH, b"a\x00b [[Link]]\n")
    assert [(x.target, x.span.col) for x in note.links] == [("Link", 5)]


@pytest.mark.parametrize("data", [b"> - <!--\n> ", b"> - <!--\n>", b"- <!--\n  "])
def test_an_html_block_open_at_the_end_of_a_note_without_a_final_line_break_is_read(data):
    note = parse_note(PurePosixPath("a.md"), b"[[Linked]]\n\n" + data)

    assert [(link.target, link.span) for link in note.links] == [("Linked", Span(1, 1, 1, 11))]
    assert note.problems == ()


def test_empty_note():
    note = parse_note(PATH, b"")
    assert (note.decoded, note.frontmatter_state, note.body_line) == (
        True,
        FrontmatterState.ABSENT,
        1,
    )
    assert (note.links, note.tags, note.tasks, note.problems) == ((), (), (), ())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("# One\n", [(1, "One", 1, 1, 6)], id="atx"),
        pytest.param("### Three ###\n", [(3, "Three", 1, 1, 10)], id="closing hashes"),
        pytest.param("#\n", [(1, "", 1, 1, 2)], id="empty"),
        pytest.param("   ## Indented\n", [(2, "Indented", 1, 4, 15)], id="indented"),
        pytest.param("Title\n=====\n", [(1, "Title", 1, 1, 6)], id="setext 1"),
        pytest.param("Sub\n---\n", [(2, "Sub", 1, 1, 4)], id="setext 2"),
        pytest.param("# 🚀 三年計畫\n", [(1, "🚀 三年計畫", 1, 1, 9)], id="emoji and cjk"),
        pytest.param("> ## Quoted\n", [(2, "Quoted", 1, 3, 12)], id="in a quote"),
        pytest.param("```\n# not\n```\n", [], id="fenced code"),
        pytest.param("<div>\n# not\n</div>\n", [], id="html block"),
        pytest.param("#tag is not\n", [], id="tag"),
    ],
)
def test_headings(text, expected):
    assert [
        (h.level, h.text, h.span.line, h.span.col, h.span.end_col) for h in parse(text).headings
    ] == expected


def test_headings_after_front_matter_use_file_lines():
    note = parse("---\na: 1\n---\n\n## Part\n")
    assert note.headings == (Heading(2, "Part", Span(5, 1, 5, 8)),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Some text ^abc-1\n", [("abc-1", 1, 11, 17)], id="end of a line"),
        pytest.param("Some text ^Id9  \n", [("Id9", 1, 11, 15)], id="trailing blanks"),
        pytest.param("- item ^item1\n", [("item1", 1, 8, 14)], id="list item"),
        pytest.param("> quoted ^q\n", [("q", 1, 10, 12)], id="quote"),
        pytest.param("| a |\n|---|\n\n^table-id\n", [("table-id", 4, 1, 10)], id="own line"),
        pytest.param("Line one ^first\nline two\n", [("first", 1, 10, 16)], id="first line"),
        pytest.param("text^abc\n", [], id="no blank before"),
        pytest.param("^abc more\n", [], id="not at the end"),
        pytest.param("x ^ab_c\n", [], id="underscore"),
        pytest.param("`^abc`\n", [], id="code span"),
        pytest.param("x [^1]\n", [], id="footnote"),
    ],
)
def test_block_ids(text, expected):
    found = [(b.id, b.span.line, b.span.col, b.span.end_col) for b in parse(text).block_ids]
    assert found == expected


def test_block_id_positions_count_front_matter():
    assert parse("---\nx: 1\n---\nPara ^p1\n").block_ids == (BlockId("p1", Span(4, 6, 4, 9)),)


def test_git_conflict_markers_are_found_as_lines():
    text = "Intro\n<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> feature/x\nEnd\n"
    assert parse(text).conflict_markers == (
        Span(2, 1, 2, 13),
        Span(4, 1, 4, 8),
        Span(6, 1, 6, 18),
    )


def test_diff3_base_marker_counts_inside_a_conflict():
    text = "<<<<<<< ours\na\n||||||| base\nb\n=======\nc\n>>>>>>> theirs\n"
    assert [s.line for s in parse(text).conflict_markers] == [1, 3, 5, 7]


def test_conflict_markers_in_front_matter_count_too():
    note = parse("---\n<<<<<<< HEAD\na: 1\n=======\na: 2\n>>>>>>> other\n---\n")
    assert [s.line for s in note.conflict_markers] == [2, 4, 6]
    assert note.frontmatter_state is FrontmatterState.INVALID


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Title\n=======\n", id="setext underline"),
        pytest.param("=======\n", id="separator alone"),
        pytest.param("```\n<<<<<<< HEAD\n=======\n>>>>>>> x\n```\n", id="fenced code"),
        pytest.param("    <<<<<<< HEAD\n", id="indented"),
        pytest.param("<<<<<<<< eight\n", id="eight"),
        pytest.param("<<<<<<<x\n", id="no space"),
    ],
)
def test_not_conflict_markers(text):
    assert parse(text).conflict_markers == ()


def test_stray_markers_without_a_pair_still_count_but_not_the_separator():
    assert [s.line for s in parse("<<<<<<< HEAD\n=======\nno end\n").conflict_markers] == [1]


def test_every_corpus_note_parses():
    paths = sorted(CORPUS.rglob("*.md"))
    if not paths:
        pytest.skip("the shared corpus is not on this machine")
    notes = [parse_note(PurePosixPath(p.name), p.read_bytes()) for p in paths]
    assert all(note.decoded for note in notes)
    assert sum(len(note.tasks) for note in notes) > 900
    assert [p for p, note in zip(paths, notes, strict=True) if note.problems] == []
