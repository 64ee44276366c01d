"""Invariants of `parse_note` on any input: it never raises, and every position it reports
points at what it claims to be in the file as saved."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaultkit.model import Note, Span
from vaultkit.parse import parse_note

PATH = PurePosixPath("fuzz.md")

# Pieces of Obsidian Markdown that meet in awkward ways: containers, code, comments,
# math, tables, links, tags, tasks, fields, front matter, and characters of every width.
# fmt: off
PIECES = [
    "\n", "\n", "\n", "\r\n", " ", "  ", "    ", "\t", "> ", ">", "- ", "* ", "+ ", "1. ",
    "2) ", "[ ] ", "[x] ", "[/]", "[]", "-[ ]", "[", "]", "(", ")", "[[", "]]", "![[", "!",
    "|", "\\|", "\\", "#", "##", "# ", "^", "^id-1", "%%", "`", "```", "~~~", "$", "$$",
    "<!--", "-->", "<div>", "</div>", "::", ":", "key", "Note", "a.md", "](", "](a.md)",
    "#tag", "tag/sub", "標籤", "筆記", "🚀", "é", "---", "===", "<<<<<<< ", "=======",
    ">>>>>>> ", "|---|", "| a |", "x", "yes", "tags: ", "- \"[[A]]\"", "&a ", "*a", "\x00",
    "\n- [ ] task", "\n  - [x] sub", "\n\t- [/] tab", "\n> - [-] quoted", "\n1. [>] n",
    "\nreq:: [[A]], [[B]]", " [k:: [[C]]]", " (k:: v)", "\n| [[A\\|b]] | #t |", "\n|---|---|",
]
# fmt: on

markdownish = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
front = st.one_of(
    st.just(""),
    st.lists(st.sampled_from(PIECES), max_size=15).map(
        lambda parts: "---\n" + "".join(parts) + "\n---\n"
    ),
)


def source_lines(note: Note, data: bytes) -> list[str]:
    """The file's lines; NUL reads as U+FFFD, as in markdown-it (columns do not move)."""
    text = data.decode("utf-8").replace("\x00", "\ufffd")
    text = text[1:] if note.bom else text
    return re.split(r"\r\n|\r|\n", text)


def check_span(lines: list[str], span: Span) -> str:
    """The text from the span's start to the end of its line, after sanity checks."""
    assert 1 <= span.line <= len(lines)
    assert 1 <= span.end_line <= len(lines)
    assert (span.line, span.col) < (span.end_line, span.end_col)
    assert 1 <= span.col <= len(lines[span.line - 1]) + 1
    return lines[span.line - 1][span.col - 1 :]


def check_positions(note: Note, data: bytes) -> None:
    lines = source_lines(note, data)
    for link in note.links:
        at = check_span(lines, link.span)
        if link.kind == "wiki":
            assert at.startswith("![[" if link.embed else "[["), (link, at)
            written = lines[link.span.line - 1][link.span.col - 1 : link.span.end_col - 1]
            assert written.endswith("]]"), (link, written)
        elif link.kind == "markdown":
            assert at.startswith("![" if link.embed else "["), (link, at)
    for tag in note.tags:
        at = check_span(lines, tag.span)
        if not tag.in_frontmatter:
            assert at.startswith("#" + tag.name), (tag, at)
            assert tag.span.end_col - tag.span.col == len(tag.name) + 1
    for task in note.tasks:
        at = check_span(lines, task.span)
        line = lines[task.span.line - 1]
        assert at.startswith(task.status + "]"), (task, line)
        assert line[task.span.col - 2] == "[", (task, line)
    for heading in note.headings:
        at = check_span(lines, heading.span) if heading.text else ""
        assert not heading.text or at.startswith("#") or at.startswith(heading.text[0])
    for block in note.block_ids:
        assert check_span(lines, block.span).startswith("^" + block.id)
    for found in note.fields:
        assert "::" in check_span(lines, found.span) or found.span.end_line > found.span.line
    for bad in note.malformed_tasks:
        assert check_span(lines, bad.span).startswith(bad.written), bad
    for marker in note.conflict_markers:
        assert check_span(lines, marker)[:7] in ("<<<<<<<", "=======", ">>>>>>>", "|||||||")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_any_bytes_parse_without_raising(data):
    note = parse_note(PATH, data)
    assert note.decoded == _is_utf8(data)
    if note.decoded:
        check_positions(note, data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_parses_and_positions_point_at_what_they_claim(text):
    data = text.encode("utf-8")
    check_positions(parse_note(PATH, data), data)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front, markdownish, st.booleans())
def test_markdownish_text_positions_point_at_what_they_claim(head, body, bom):
    data = (("\ufeff" if bom else "") + head + body).encode("utf-8")
    check_positions(parse_note(PATH, data), data)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
