"""A note over `max-note-size`: reported (VK007) and read line by line, never parsed."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from vaultkit.config import Config
from vaultkit.parse import is_skimmed, parse_note
from vaultkit.vault import load_vault

NOTE = """\
---
requires: "[[Setup]]"
tags: [log]
---
# Build log #ops

Some prose with [[Docker#Install|docker]] and ![[diagram.png]] and #tag/sub. ^para

- [x] first [[Helm]]
  - [ ] nested #later
    1. [/] deeper
- plain item
- [ ] second ^task-2

```sh
- [ ] not a task [[NotALink]] #nottag
```

## Part two ##

- [-] cancelled
"""


def parse(text: str, max_size: int):
    return parse_note(PurePosixPath("log.md"), text.encode("utf-8"), max_size)


def reading(note) -> dict[str, object]:
    return {
        "frontmatter": dict(note.frontmatter),
        "headings": note.headings,
        "tasks": note.tasks,
        "links": note.links,
        "tags": note.tags,
        "block_ids": note.block_ids,
        "code": note.conflict_markers,
    }


def test_a_note_over_the_cap_is_reported_at_its_first_line():
    note = parse(NOTE, max_size=100)
    assert [(str(p.path), p.line, p.col, p.code) for p in note.problems] == [
        ("log.md", 1, 1, "VK007")
    ]
    assert note.problems[0].message == (
        f"note is {len(NOTE):,} bytes, over max-note-size (100): read line by line"
        " (front matter, headings, tasks, wikilinks, tags, block ids), not parsed"
    )
    assert is_skimmed(note) and not is_skimmed(parse(NOTE, max_size=len(NOTE)))


def test_a_note_at_the_cap_is_parsed():
    assert parse(NOTE, max_size=len(NOTE.encode())).problems == ()


def test_skimming_reads_what_a_parse_reads_from_plain_lines():
    assert reading(parse(NOTE, max_size=100)) == reading(parse(NOTE, max_size=10_000))


def test_skimmed_tasks_keep_their_positions():
    tasks = parse(NOTE, max_size=100).tasks
    assert [(t.status, t.text, t.span.line, t.span.col) for t in tasks] == [
        ("x", "first [[Helm]]", 9, 4),
        (" ", "nested #later", 10, 6),
        ("/", "deeper", 11, 9),
        (" ", "second ^task-2", 13, 4),
        ("-", "cancelled", 21, 4),
    ]


@pytest.mark.parametrize(
    "text",
    [
        # About 300 kB each: a parse of a megabyte of these took 4 to 5 s.
        pytest.param("[[" * 150_000, id="open brackets"),
        pytest.param("#t " * 100_000, id="tags"),
        pytest.param("*_" * 150_000, id="emphasis marks"),
        pytest.param("word [[link]] #tag " * 16_000, id="one line"),
        pytest.param("- [ ] task\n" * 27_000, id="tasks"),
    ],
)
def test_hard_notes_over_the_cap_are_skimmed_by_default(text):
    note = parse_note(PurePosixPath("big.md"), text.encode())
    assert [p.code for p in note.problems] == ["VK007"]
    assert note.problems[0].message.startswith(
        f"note is {len(text):,} bytes, over max-note-size (250,000)"
    )


def test_every_task_of_a_skimmed_checklist_counts_where_it_is_written():
    text = "".join(f"- [{'x' if i % 3 == 0 else ' '}] task {i}\n" for i in range(1, 30_001))
    note = parse_note(PurePosixPath("big.md"), text.encode())
    assert is_skimmed(note) and len(note.tasks) == 30_000
    assert sum(task.status == "x" for task in note.tasks) == 10_000
    last = note.tasks[-1]
    assert (last.text, last.span.line, last.span.col) == ("task 30000", 30_000, 4)


def test_the_long_line_is_still_read_whole_when_skimmed():
    note = parse("word [[link]] #tag " * 30_000 + "\n", max_size=1_000)
    assert (len(note.links), len(note.tags)) == (30_000, 30_000)
    last = 19 * 29_999
    assert (note.links[-1].span.col, note.tags[-1].span.col) == (last + 6, last + 15)


def test_a_cached_note_is_read_again_when_the_cap_moves_past_it(make_vault):
    root = make_vault({"log.md": NOTE})
    parsed = load_vault(root, Config())  # fills the cache
    skimmed = load_vault(root, replace(Config(), max_note_size=100))
    again = load_vault(root, Config())
    assert [is_skimmed(v.notes[PurePosixPath("log.md")]) for v in (parsed, skimmed, again)] == [
        False,
        True,
        False,
    ]


def test_lint_reports_the_oversized_note_with_its_findings(make_vault, vk):
    root = make_vault({"log.md": NOTE, ".vaultkit.toml": "max-note-size = 100\n"})
    result = vk("lint", root, "--select", "VK007,VK101", cwd=root)
    assert [line.split(" ", 2)[:2] for line in result.out.splitlines()] == [
        ["log.md:1:1:", "VK007"],
        ["log.md:7:17:", "VK101"],
        ["log.md:9:13:", "VK101"],
    ]


def test_a_lazy_line_that_looks_like_indented_code_keeps_the_item_open():
    # The second line continues the first item's paragraph (lazily: it is left of the
    # item's text); the third, left of it too, starts a list with any number, since only
    # a paragraph that would take the line in needs a `1.` to break it.
    text = "  1. [ ] alpha\n    - [ ] beta\n2) [ ] gamma\n"
    tasks = parse(text, max_size=1).tasks
    assert [(t.text, t.span.line, t.span.col) for t in tasks] == [("alpha", 1, 7), ("gamma", 3, 5)]
    assert reading(parse(text, max_size=1)) == reading(parse(text, max_size=10_000))


WORD = st.sampled_from(
    ["alpha", "[[Note]]", "[[A#H|x]]", "![[pic.png]]", "#tag", "#a/b", "#1", "x#y", "^id"]
)
TEXT = st.lists(WORD, min_size=1, max_size=4).map(" ".join)
ITEM = st.tuples(
    st.sampled_from(["", "  ", "    ", "\t"]),
    st.sampled_from(["-", "*", "1.", "2)"]),
    st.sampled_from([" [ ] ", " [x] ", " ", "  [/] "]),
    TEXT,
).map("".join)
LINE = st.one_of(TEXT, ITEM, st.tuples(st.sampled_from(["# ", "## ", "    "]), TEXT).map("".join))
PLAIN_NOTES = st.lists(st.one_of(LINE, st.just("")), max_size=12).map("\n".join)


@settings(max_examples=150, deadline=None)
@given(text=PLAIN_NOTES)
def test_skimming_nested_lists_headings_and_code_reads_what_a_parse_reads(text):
    wiki = reading(parse(text, max_size=10**9))
    wiki["links"] = tuple(link for link in wiki["links"] if link.kind == "wiki")
    assert reading(parse(text, max_size=1)) == {**wiki, "code": wiki["code"]}
