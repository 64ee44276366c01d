"""The one line model: CR, LF and CRLF each end a line, everywhere in vaultkit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaultkit.lines import (
    LINE_BREAK,
    conflict_marker,
    line_starts,
    lines_of,
    split_lines,
    without_break,
)


def test_split_lines_breaks_where_markdown_it_does():
    assert split_lines("a\r\nb\rc\nd") == ["a\r\n", "b\r", "c\n", "d"]
    assert split_lines("a\u2028b\x0cc\n") == ["a\u2028b\x0cc\n"]


def test_lines_of_drops_the_breaks_and_keeps_the_empty_last_line():
    assert lines_of("a\r\nb\rc\nd") == ["a", "b", "c", "d"]
    assert lines_of("a\rb\n") == ["a", "b", ""]


def test_line_starts_are_offsets_after_each_break():
    assert line_starts("a\r\nb\rc\nd") == [0, 3, 5, 7]
    assert line_starts("") == [0]


def test_without_break_keeps_the_text_of_the_line():
    assert [without_break(line) for line in split_lines("a \r\nb\r\n")] == ["a ", "b"]


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        pytest.param("<<<<<<< HEAD", "<", id="ours"),
        pytest.param("<<<<<<<", "<", id="ours, bare"),
        pytest.param("||||||| base", "|", id="base"),
        pytest.param("=======", "=", id="middle"),
        pytest.param(">>>>>>> feature/x", ">", id="theirs"),
        pytest.param(">>>>>>>\ttab", ">", id="theirs after a tab"),
    ],
)
def test_git_conflict_marker_lines_are_recognised(line, kind):
    assert conflict_marker(line) == kind


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("<<<<<<<< eight", id="eight"),
        pytest.param("<<<<<<<HEAD", id="glued"),
        pytest.param("======= text", id="middle with text"),
        pytest.param(" <<<<<<< HEAD", id="indented"),
        pytest.param("<<<<<<", id="six"),
    ],
)
def test_other_lines_are_not_conflict_markers(line):
    assert conflict_marker(line) == ""


@given(st.text(alphabet="ab\r\n\u2028\x0c", max_size=40))
def test_split_lines_breaks_only_after_cr_lf_and_crlf(text):
    lines = split_lines(text)
    breaks = [[m.end() for m in LINE_BREAK.finditer(line)] for line in lines]
    assert "".join(lines) == text
    assert all(found == [len(line)] for found, line in zip(breaks[:-1], lines, strict=False))
    assert not lines or breaks[-1] in ([], [len(lines[-1])])
    assert [without_break(line) for line in lines] == lines_of(text)[: len(lines)]
