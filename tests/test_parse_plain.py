"""Plain Markdown and simple front matter read without the full parsers: the same notes.

A body of headings, paragraphs, flat lists, tables and one-line HTML comments is read
line by line (`plain`), inline text holding only wikilinks and tags without markdown-it's inline
parser (`body.is_simple`), in any body, and front matter of one-line texts and lists without libyaml
(`plainyaml.load_simple`). Each gives exactly what the full parse gives, or declines.
"""

from __future__ import annotations

import datetime
import re
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultkit import body, frontmatter, parse, plain, plainyaml, yamlload
from vaultkit.blocks import blocks_in
from vaultkit.model import Heading, Link, Span, Tag, Task
from vaultkit.plainyaml import load_simple

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from _vaultgen import generate

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
EXAMPLE = Path(__file__).resolve().parents[1] / "example-vault"


def read_in_full(text: str):
    """Every block's inline text parsed by markdown-it (`body.MD`), then read."""
    lines = text.split("\n")
    tokens = body.MD.parse(text, {})
    return body.read_tokens(tokens, lines, 1, None), blocks_in(tokens, text, 1)


def read_as_parsed(text: str):
    """The blocks parsed by markdown-it, the inline text read where it is simple."""
    lines = text.split("\n")
    env: dict[str, object] = {}
    tokens = body.parse_body(lines, 1, env)
    return body.read_tokens(tokens, lines, 1, env), blocks_in(tokens, text, 1)


def read_plain(text: str):
    lines = text.split("\n")
    found = plain.read(lines, 1)
    return None if found is None else (found.found, blocks_in(found.html, text, 1))


# Line starts: every kind of block, and text.
STARTS = st.sampled_from(
    [
        *("", "", "", "# ", "## ", "###### ", "####### ", "#", "- ", "* ", "+ ", "1. ", "2. "),
        *("1) ", "10. ", "-", "- - ", "-  ", " ", "  ", "    ", "\t", "> ", "```", "~~~"),
        *("<!-- vaultkit:begin progress -->", "<!-- vaultkit:end progress -->", "<!-- a"),
        *("-->", "<div>", "| a | b |", "|---|---|", "---", "===", "***", "%%", "$$", "[x]: /u"),
        *("[ ] ", "[x] ", "-[ ] ", "- [ ] ", "- [x] ", "1.5 ", "\u3000", "\xa0", "## a ##"),
        *("**b** ", "*x", "_x", "__", "___", "* * *", "*\t", "_ _ _", "```py", "~~~~", "````"),
        *("``` `x`", "   ```", "\t```", " ~~~", "```` ", "- ```", "[x]:", "a]: b"),
    ]
)
# Inline text: words, every character an inline rule starts at, and lines that make
# fields and malformed tasks.
PIECES = st.sampled_from(
    [
        *("word", "word", " ", "  ", "中文", "[[Note]]", "[[Note#Part|alias]]", "![[Embed]]"),
        *("[[", "]]", "[[|a]]", "[[a[b]]", "#tag", "#1", "a#b", " #t", "^id", "key:: v"),
        *("[k:: v]", "(k:: v)", "[l](u.md)", "`c`", "$x$", "%%", "&amp;", "<b>", "\\", "*"),
        *("_", "!", "(", ")", "]", "[", ":", "#", " ##", "\t", "\u3000", "-[ ] x", "]:"),
        *("[x]", "[l][x]", "[x][]"),
    ]
)
LINES = st.tuples(STARTS, st.lists(PIECES, max_size=6).map("".join)).map("".join)
BODIES = st.lists(LINES, max_size=12).map("\n".join)


@settings(max_examples=1500)
@given(text=BODIES)
def test_a_body_read_by_lines_holds_what_the_full_parse_finds(text):
    found = read_plain(text)

    assert found is None or found == read_in_full(text)


# Tables: rows of cells of inline text, with or without the outer pipes, some pipes
# escaped; delimiter rows, good and bad; and any other line.
CELLS = st.lists(PIECES, max_size=3).map("".join)
ROWS = st.tuples(
    st.sampled_from(["|", "|", "| ", "", "\\|", " |"]),
    st.lists(CELLS, min_size=1, max_size=3).map("|".join),
    st.sampled_from(["|", "|", "", " | ", "\\|", "|  ", "||"]),
).map("".join)
DELIMITERS = st.sampled_from(
    [
        *("|---|---|", "| - | - |", "|:-|-:|", "| :-: |", "|-|", "| --- |", "---|---", ":-|-:"),
        *("|-|-|-|", "| - | -", "|-||-|", "- | -", "-|", "|", "|---|--- x", "|:-:-|", " |-|-|"),
    ]
)
ALIGNS = st.sampled_from(["---", " - ", ":-:", " :-- ", "-:", "-"])


def table_of(columns: int) -> st.SearchStrategy[str]:
    """A header row of `columns` cells, a delimiter row as wide, then rows."""
    header = st.lists(CELLS, min_size=columns, max_size=columns).map("|".join)
    delimiter = st.lists(ALIGNS, min_size=columns, max_size=columns).map("|".join)
    rows = st.lists(ROWS, max_size=4)
    return st.tuples(header, delimiter, rows).map(
        lambda table: "\n".join([f"|{table[0]}|", f"|{table[1]}|", *table[2]])
    )


TABLES = st.one_of(
    st.integers(1, 3).flatmap(table_of),
    st.tuples(ROWS, DELIMITERS, st.lists(st.one_of(ROWS, DELIMITERS), max_size=4)).map(
        lambda table: "\n".join([table[0], table[1], *table[2]])
    ),
)
TABLE_BODIES = st.lists(st.one_of(TABLES, st.just(""), LINES), max_size=5).map("\n".join)


@settings(max_examples=1500)
@given(text=TABLE_BODIES)
def test_a_body_with_tables_read_by_lines_holds_what_the_full_parse_finds(text):
    found = read_plain(text)

    assert found is None or found == read_in_full(text)


@settings(max_examples=1500)
@given(text=BODIES)
def test_simple_inline_text_read_as_it_is_holds_what_its_parse_finds(text):
    assert read_as_parsed(text) == read_in_full(text)


def vault_notes() -> list[Path]:
    folders = [EXAMPLE, *(sorted(CORPUS.iterdir()) if CORPUS.is_dir() else [])]
    return [path for folder in folders for path in sorted(folder.rglob("*.md"))]


def test_every_note_of_the_corpus_and_the_example_parses_as_in_full(monkeypatch):
    notes = vault_notes()
    fast = [parse.parse_note(PurePosixPath(p.name), p.read_bytes()) for p in notes]
    monkeypatch.setattr(plain, "read", lambda lines, body_line: None)
    monkeypatch.setattr(frontmatter, "load_simple", lambda text: None)
    full = [parse.parse_note(PurePosixPath(p.name), p.read_bytes()) for p in notes]

    assert fast == full


def test_every_note_of_a_generated_vault_parses_as_in_full(tmp_path, monkeypatch):
    layout = generate(tmp_path, 200)
    paths = sorted(tmp_path.rglob("*.md"))
    fast = [parse.parse_note(PurePosixPath(p.name), p.read_bytes()) for p in paths]
    monkeypatch.setattr(plain, "read", lambda lines, body_line: None)
    monkeypatch.setattr(frontmatter, "load_simple", lambda text: None)
    full = [parse.parse_note(PurePosixPath(p.name), p.read_bytes()) for p in paths]

    assert layout.total == len(fast) == 200
    assert fast == full


SKILL = """\
# S00001 Docker

Cluster 模型 #deploy [[Hub]] text.
More text, (81 notes) 0% · 0/3.

<!-- vaultkit:begin progress -->
░░░░░░░░░░ 0% · 0/3 tasks · ready

- Unlocks: [[S00003 Helm]], [[S00011 Kubeflow]] (81 notes in all)
<!-- vaultkit:end progress -->

## Checklist

- [ ] trace 架構 練習 1
- [x] schema 練習 2
"""


def test_headings_paragraphs_lists_and_markers_are_plain():
    found = read_plain(SKILL)

    assert found is not None
    assert found == read_in_full(SKILL)
    assert found[0].headings == [
        Heading(1, "S00001 Docker", Span(1, 1, 1, 16)),
        Heading(2, "Checklist", Span(12, 1, 12, 13)),
    ]
    assert found[0].tags == [Tag("deploy", Span(3, 12, 3, 19), False)]
    assert [link.target for link in found[0].links] == ["Hub", "S00003 Helm", "S00011 Kubeflow"]
    assert found[0].links[0] == Link("Hub", (), None, None, False, "wiki", Span(3, 20, 3, 27))
    assert found[0].tasks == [
        Task(" ", "trace 架構 練習 1", Span(14, 4, 14, 5)),
        Task("x", "schema 練習 2", Span(15, 4, 15, 5)),
    ]
    assert [(block.kind, block.begin.line, block.end.line) for block in found[1].blocks] == [
        ("progress", 6, 10)
    ]


TABLE = """\
## Rollup

| Note | State |
| --- | ---: |
| [[S00001 Docker]] | ready #t |
| [[Hub\\|the hub]] |
"""


def test_a_table_is_plain_and_its_cells_are_read_at_their_columns():
    found = read_plain(TABLE)

    assert found is not None
    assert found == read_in_full(TABLE)
    assert found[0].links == [
        Link("S00001 Docker", (), None, None, False, "wiki", Span(5, 3, 5, 20)),
        Link("Hub", (), None, "the hub", False, "wiki", Span(6, 3, 6, 19)),
    ]
    assert found[0].tags == [Tag("t", Span(5, 29, 5, 31), False)]


def test_a_table_that_would_add_too_many_empty_cells_is_left_to_the_full_parse():
    header = "|" + " a |" * 1000
    delimiter = "|" + "-|" * 1000
    text = "\n".join([header, delimiter, *["| x |"] * 66])

    one_row_fewer = text.rsplit("\n", 1)[0]

    assert plain.read(text.split("\n"), 1) is None
    assert read_plain(one_row_fewer) == read_in_full(one_row_fewer)


@pytest.mark.parametrize(
    "text",
    [
        "text\n| a | b |\n| - | - |",
        "| a | b |\n| - | - |\ntext",
        "| a | b |\n| - | - |\n# heading",
        "| a |\n| - | - |",
        "| a | b |\n  | - | - |",
        "| a | b |\n| - | - |\n  | c | d |",
        "| a | b |",
        "text\n    indented",
        "- item\n  continued",
        "> quote",
        "```\ncode, never closed",
        "``` `not a fence, code` ```",
        "$$\nx\n$$",
        "%% comment %%",
        "<div>\n</div>",
        "<!-- comment\nover lines -->",
        "[ref]: https://example.com",
        "Title\n===",
        "Title\n---",
        "***",
        "_ _ _",
        "*\temphasis",
        "-",
        "- # heading in an item",
        "text\n2. not a list",
    ],
)
def test_other_markdown_is_left_to_the_full_parse(text):
    assert plain.read(text.split("\n"), 1) is None


@pytest.mark.parametrize(
    ("content", "simple"),
    [
        ("See [[Note]], [[Other#Part|alias]] and #tag.", True),
        ("(81 notes in all) 50% · 3/6", True),
        ("an ![[embed]]", False),
        ("a [link](note.md)", False),
        ("a `code span`", False),
        ("key:: value", False),
        ("a ^block-id", False),
        ("text\n-[ ] malformed", False),
        ("%% comment %%", False),
    ],
)
def test_inline_text_is_simple_when_only_wikilinks_and_tags_can_start_in_it(content, simple):
    assert body.is_simple(content) is simple


@settings(max_examples=1500)
@given(text=st.lists(LINES, max_size=4).map("\n".join))
def test_inline_text_is_simple_when_not_simple_re_finds_nothing_in_it(text):
    assert body.is_simple(text) is (body.NOT_SIMPLE_RE.search(text) is None)


# Front matter lines: property names, separators, values, list items, other YAML.
KEYS = st.sampled_from(["tags", "aliases", "a", "Title", "my key", "中文", "true", "1a", "k-1"])
SEPARATORS = st.sampled_from([": ", ":", ":  ", " : ", ": \t"])
VALUES = st.sampled_from(
    [
        *("", "", "x", "Word two ", "[[Note]]", '"[[N]]"', "'s'", '"a\\"b"', "''", '""', "'a''b'"),
        *("[a, b]", "[]", "[ ]", "[a, b, ]", '["[[A]]", "[[B]]"]', "[#t, 中文]", "[a,b]", "[ a ]"),
        *("2024-01-01", "12", "1.5", "true", "yes", "null", "~", "#t", "a #c", "a: b", "&a x"),
        *("*a", "- x", "|", ">", "中文 值", "a,b", "[a", "{a: b}", " ", "a\u2028b", "x\x07"),
        *("12:30", "https://x.y/z", "2024-03-23 15:14", "2024-01-01T10:00:00Z", "2024-02-30"),
        *(".inf", "0x1F", "0o17", "-5", "+1", "1e3", "1_000", "False", "NULL", "[1, 2.5, true]"),
        *("a:b", "a: ", "x:", "[12:30]", "a :b"),
    ]
)
ITEMS = st.sampled_from(
    ["- x", "  - x", '  - "[[N]]"', "-", "- [a]", "    - y", "- 12", "- #t", "- 2024-01-01"]
)
YAML_LINES = st.one_of(
    st.tuples(KEYS, SEPARATORS, VALUES).map("".join), ITEMS, st.sampled_from(["", "# c", "  x"])
)


def read_frontmatter(yaml_lines: list[str]):
    lines = ["---", *yaml_lines, "---", "body"]
    return frontmatter.read_frontmatter(lines, len(lines) - 2)


@settings(max_examples=1500)
@given(yaml_lines=st.lists(YAML_LINES, min_size=1, max_size=6))
def test_simple_front_matter_reads_as_libyaml_reads_it(yaml_lines):
    simple = read_frontmatter(yaml_lines)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(frontmatter, "load_simple", lambda text: None)
        full = read_frontmatter(yaml_lines)

    assert simple == full


def test_numbers_dates_and_booleans_are_simple_front_matter():
    text = "date: 2024-01-01\ncount: 12\ndone: true\nempty: ~\nurl: https://example.com/a"
    loaded = load_simple(text)

    assert loaded is not None
    assert loaded[1] == {
        "date": datetime.date(2024, 1, 1),
        "count": 12,
        "done": True,
        "empty": None,
        "url": "https://example.com/a",
    }


def test_one_line_texts_and_lists_are_simple_front_matter():
    text = 'phase: "[[P16 階段]]"\ntags: [skill, 學習]\nrequires:\n  - "[[S01]]"\n  - b\nnote:'
    loaded = load_simple(text)

    assert loaded is not None
    root, value, duplicates = loaded
    assert value == {
        "phase": "[[P16 階段]]",
        "tags": ["skill", "學習"],
        "requires": ["[[S01]]", "b"],
        "note": None,
    }
    assert duplicates == []
    assert [(key.value, key.start_mark.line) for key, _ in root.value] == [
        ("phase", 0),
        ("tags", 1),
        ("requires", 2),
        ("note", 5),
    ]


def test_plain_scalars_other_than_text_start_with_a_character_the_simple_reader_knows():
    # A plain scalar starting with any other character is a text without asking PyYAML.
    # (`!`, `&` and `*` have resolvers too, but start no plain text the reader takes.)
    resolvers = yamlload.LOADER.yaml_implicit_resolvers
    typed = {first for first, found in resolvers.items() if found}
    left_out = typed - plainyaml.TYPED_STARTS

    assert left_out == {"", "!", "&", "*"}
    assert not any(first and re.fullmatch(plainyaml._FIRST, first) for first in left_out)


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(
    ("front", "imported"),
    [
        pytest.param('tags: [skill]\nrequires:\n  - "[[S01]]"\nstatus: doing', "False", id="texts"),
        pytest.param("due: 2024-01-01", "True", id="a date: PyYAML makes it"),
        pytest.param("nested:\n  key: value", "True", id="not simple: PyYAML reads it"),
    ],
)
def test_pyyaml_is_imported_only_for_front_matter_the_simple_reader_cannot_read_alone(
    front, imported
):
    note = f"---\n{front}\n---\nbody\n".encode()
    code = (
        "import sys\n"
        "from pathlib import PurePosixPath\n"
        "from vaultkit.parse import parse_note\n"
        f"note = parse_note(PurePosixPath('a.md'), {note!r})\n"
        "print(sorted(note.frontmatter), 'yaml' in sys.modules, 'frontmatter' in sys.modules)\n"
    )
    keys = sorted(line.split(":")[0] for line in front.split("\n") if not line.startswith(" "))

    assert run_python(code) == f"{keys} {imported} {imported}\n"


@pytest.mark.parametrize(
    "text",
    [
        "a: text # comment",
        "time: 12: 30",
        "nested:\n  key: value",
        "text: |\n  block",
        "anchor: &a x",
        "flow: {a: b}",
        "list: [a, [b]]",
        'escaped: "a\\tb"',
        "",
        "a: x\n\nb: y",
    ],
)
def test_other_yaml_is_left_to_libyaml(text):
    assert load_simple(text) is None
