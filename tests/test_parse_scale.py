"""Notes that are hard on a Markdown parser cost a bounded amount of work per byte.

Work is counted, not timed: the Python function calls a parse makes (`sys.setprofile`),
and the memory it allocates (`tracemalloc`). The benchmark `benchmarks/scale.py` times
the same notes.
"""

from __future__ import annotations

import sys
import tracemalloc
from pathlib import PurePosixPath
from types import FrameType

from vaultkit.parse import parse_note


def parse(text: str):
    return parse_note(PurePosixPath("note.md"), text.encode("utf-8"))


def calls_per_byte(text: str) -> float:
    calls = 0

    def count(frame: FrameType, event: str, arg: object) -> None:
        nonlocal calls
        calls += event == "call"

    sys.setprofile(count)
    try:
        parse(text)
    finally:
        sys.setprofile(None)
    return calls / len(text)


def peak_bytes_per_byte(text: str) -> float:
    tracemalloc.start()
    try:
        parse(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / len(text)


def test_a_note_of_open_brackets_asks_no_rule_to_look_far_ahead():
    # Each `[` once made markdown-it look for the end of a link label through 50 levels
    # of nested brackets: about 700 calls a byte.
    assert calls_per_byte("[[" * 10_000) < 20


def test_a_note_of_emphasis_marks_costs_no_token_per_mark():
    # 20 MB of `*_` once needed 9 GB: a token and a delimiter for every mark.
    assert peak_bytes_per_byte("*_" * 50_000) < 10


def test_links_still_end_after_many_open_brackets():
    text = "[" * 5_000 + " [a](b.md) [[c]]\n"
    assert [(link.target, link.span.col) for link in parse(text).links] == [
        ("b.md", 5_002),
        ("c", 5_012),
    ]


def test_emphasis_around_links_and_tags_hides_nothing():
    note = parse("*[[a]]* _#b_ **[c](c.md)** __x #d__\n")
    assert [(link.target, link.span.col) for link in note.links] == [("a", 2), ("c.md", 16)]
    assert [(tag.name, tag.span.col) for tag in note.tags] == [("d__", 32)]


def test_reference_links_are_still_read_without_a_parenthesis():
    note = parse("[a] and [b][] and [c][r]\n\n[a]: a.md\n[b]: b.md\n[r]: c.md\n")
    assert [(link.target, link.span.col) for link in note.links] == [
        ("a.md", 1),
        ("b.md", 9),
        ("c.md", 19),
    ]


def test_a_field_after_blanks_still_starts_its_line_on_a_long_paragraph():
    text = "word [[link]] #tag " * 1_000 + "\n  key:: [[value]]\n"
    note = parse(text)
    assert [(f.key, f.value, f.span.line, f.span.col) for f in note.fields] == [
        ("key", "[[value]]", 2, 3)
    ]
    assert len(note.links) == 1_001
    assert (note.tags[-1].span.line, note.tags[-1].span.col) == (1, 19_001 - 5)
