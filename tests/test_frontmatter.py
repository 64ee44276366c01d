"""Front matter: OBSIDIAN.md's "Front matter (Properties)" section and WRITE-SAFETY rows 2-5.

Every YAML case runs under both loaders (libyaml's and PyYAML's pure one), because they
are known to differ; the C loader is the one vaultkit pins when it is installed.
"""

from __future__ import annotations

import datetime
import re
from pathlib import PurePosixPath

import pytest
import yaml

from vaultkit import plainyaml, yamlload
from vaultkit.model import Diagnostic, FrontmatterState, Span, Tag
from vaultkit.parse import parse_note

PATH = PurePosixPath("note.md")
LOADERS = [yamlload.PureLoader]
if yaml.__with_libyaml__:
    LOADERS.append(yamlload.CLoader)


@pytest.fixture(autouse=True, params=LOADERS, ids=lambda loader: loader.__name__)
def loader(request, monkeypatch):
    monkeypatch.setattr(yamlload, "LOADER", request.param)
    return request.param


def parse(text: str):
    return parse_note(PATH, text.encode("utf-8"))


def problems(text: str) -> list[tuple[int, int, str]]:
    return [(p.line, p.col, p.code) for p in parse(text).problems]


def test_the_pinned_loader_is_libyaml_when_installed():
    assert (yamlload.CLoader if yaml.__with_libyaml__ else yamlload.PureLoader) in LOADERS
    assert issubclass(yamlload.CLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader))


# --- where front matter is ---------------------------------------------------------------


def test_front_matter_is_read_with_file_line_numbers():
    note = parse("---\ntitle: Plan\nphase: one\n---\n# Body\n")
    assert note.frontmatter_state is FrontmatterState.MAPPING
    assert dict(note.frontmatter) == {"title": "Plan", "phase": "one"}
    assert dict(note.property_lines) == {"title": 2, "phase": 3}
    assert note.body_line == 5
    assert note.headings[0].span.line == 5


def test_crlf_front_matter_is_read():
    note = parse_note(PATH, b"---\r\ntitle: Plan\r\n---\r\nBody\r\n")
    assert (note.frontmatter_state, dict(note.frontmatter), note.body_line) == (
        FrontmatterState.MAPPING,
        {"title": "Plan"},
        4,
    )


def test_closing_delimiter_at_the_end_of_the_file_without_a_newline():
    note = parse("---\na: 1\n---")
    assert (note.frontmatter_state, note.body_line) == (FrontmatterState.MAPPING, 4)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("title: x\n---\n", id="no opening line"),
        pytest.param("---\ntitle: x\n", id="no closing line"),
        pytest.param("--- \ntitle: x\n---\n", id="blank after the opening"),
        pytest.param("----\ntitle: x\n----\n", id="four dashes"),
        pytest.param("---\ntitle: x\n--- \n", id="blank after the closing"),
        pytest.param("\n---\ntitle: x\n---\n", id="blank first line"),
        pytest.param("---\rtitle: x\r---\r", id="lone carriage returns"),
        pytest.param("\ufeff---\ntitle: x\n---\n", id="byte-order mark"),
        pytest.param("- a list\n- at the top\n", id="list at the top"),
    ],
)
def test_no_front_matter(text):
    note = parse(text)
    assert (note.frontmatter_state, dict(note.frontmatter), note.body_line) == (
        FrontmatterState.ABSENT,
        {},
        1,
    )
    assert note.problems == ()


def test_empty_front_matter_is_an_empty_mapping():
    note = parse("---\n---\nBody [[Link]]\n")
    assert (note.frontmatter_state, dict(note.frontmatter), note.body_line) == (
        FrontmatterState.MAPPING,
        {},
        3,
    )
    assert note.links[0].span.line == 3


def test_front_matter_with_only_a_comment_is_an_empty_mapping():
    note = parse("---\n# just a comment\n---\n")
    assert (note.frontmatter_state, note.problems) == (FrontmatterState.MAPPING, ())


# --- shapes that are not a mapping --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("---\nSome text\n---\nBody\n", [(2, 1, "VK001")], id="thematic-break text"),
        pytest.param("---\n- a\n- b\n---\n", [(2, 1, "VK001")], id="list"),
        pytest.param("---\n\n42\n---\n", [(3, 1, "VK001")], id="number"),
        pytest.param("---\na: 1\nb: : x\n---\n", [(3, 4, "VK001")], id="bad mapping"),
        pytest.param("---\ntitle: ok\n\tbad: tab\n---\n", [(3, 1, "VK001")], id="tab indent"),
        pytest.param("---\na: !!int abc\n---\n", [(1, 1, "VK001")], id="bad explicit tag"),
        pytest.param("---\na: !!python/name:os.system\n---\n", [(2, 4, "VK001")], id="unsafe"),
        pytest.param("---\na: 1\n---\n---\n", [], id="a later delimiter is body"),
    ],
)
def test_front_matter_that_is_not_a_mapping_of_properties(text, expected):
    note = parse(text)
    assert problems(text) == expected
    if expected:
        assert note.frontmatter_state is FrontmatterState.INVALID
        assert (dict(note.frontmatter), dict(note.property_lines)) == ({}, {})


def test_unexpected_end_is_reported_where_each_loader_sees_it(loader):
    # The loaders differ here: libyaml stops at the start of the next line, the pure
    # loader at the end of the last one. Both are inside the front matter.
    expected = {"CLoader": (3, 1), "PureLoader": (2, 17)}[loader.__name__]
    assert problems("---\ntitle: [unclosed\n---\n") == [(*expected, "VK001")]


def test_invalid_front_matter_still_ends_where_the_closing_line_is():
    note = parse("---\nkey: [\n---\n[[Link]]\n")
    assert (note.frontmatter_state, note.body_line) == (FrontmatterState.INVALID, 4)
    assert [(x.target, x.span.line) for x in note.links] == [("Link", 4)]


def test_content_and_handler_keys_are_ordinary_properties():
    note = parse("---\ncontent: x\nhandler: y\nmetadata: z\n---\n")
    assert dict(note.frontmatter) == {"content": "x", "handler": "y", "metadata": "z"}


def test_template_placeholders_read_as_text_keys():
    note = parse("---\ncreated: {{date}}\n? [a, b]\n: 1\n---\n")
    assert note.frontmatter_state is FrontmatterState.MAPPING
    assert dict(note.frontmatter) == {"created": {"{date}": None}, "[a, b]": 1}


# --- YAML 1.2 scalars, as Obsidian reads them ---------------------------------------------


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("n", "n"),
        ("Yes", "Yes"),
        ("true", True),
        ("False", False),
        ("12:30", "12:30"),
        ("1:02:03", "1:02:03"),
        ("012345", 12345),
        ("0o17", 15),
        ("0x1F", 31),
        ("1_000", "1_000"),
        ("1.10", 1.1),
        ("-2.5e3", -2500.0),
        ("~", None),
        ("", None),
        ("2026-07-01", datetime.date(2026, 7, 1)),
        ("2024-02-30", "2024-02-30"),
        ('"yes"', "yes"),
    ],
)
def test_scalars_resolve_as_yaml_1_2(written, value):
    assert parse(f"---\nkey: {written}\n---\n").frontmatter["key"] == value


def test_property_names_are_kept_as_written():
    note = parse("---\ntrue: a\n1: b\nnull: c\n時間: d\n---\n")
    assert dict(note.frontmatter) == {"true": "a", "1": "b", "null": "c", "時間": "d"}
    assert dict(note.property_lines) == {"true": 2, "1": 3, "null": 4, "時間": 5}


# --- duplicates ---------------------------------------------------------------------------


def test_duplicate_key_is_reported_at_the_second_key_and_the_last_value_is_kept():
    note = parse("---\na: 1\nb: 2\n  \na: 3\n---\n")
    assert note.problems == (
        Diagnostic(PATH, 5, 1, "VK002", "property 'a' is given more than once"),
    )
    assert dict(note.frontmatter) == {"a": 3, "b": 2}
    assert note.property_lines["a"] == 5


def test_duplicate_keys_in_a_nested_mapping_and_several_repeats():
    text = "---\nmeta:\n  x: 1\n  x: 2\nt: a\nt: b\nt: c\n---\n"
    assert problems(text) == [(4, 3, "VK002"), (6, 1, "VK002"), (7, 1, "VK002")]


def test_merge_keys_are_not_duplicates():
    text = "---\nbase: &b {x: 1}\nmore:\n  <<: *b\n  y: 2\n---\n"
    note = parse(text)
    assert note.problems == ()
    assert note.frontmatter["more"] == {"x": 1, "y": 2}


# --- limits: bombs, depth, size ----------------------------------------------------------


def test_billion_laughs_is_invalid():
    levels = ["a: &a [" + ", ".join(['"lol"'] * 9) + "]"]
    for index in range(1, 9):
        name, previous = "abcdefghi"[index], "abcdefghi"[index - 1]
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    note = parse("---\n" + "\n".join(levels) + "\n---\n")
    assert (note.frontmatter_state, [p.code for p in note.problems]) == (
        FrontmatterState.INVALID,
        ["VK001"],
    )


def test_more_than_a_hundred_aliases_is_invalid():
    text = "---\nbase: &x 1\nitems: [" + ", ".join(["*x"] * 101) + "]\n---\n"
    note = parse(text)
    assert problems(text) == [(3, 9 + 4 * 100, "VK001")]
    assert note.frontmatter_state is FrontmatterState.INVALID


def test_a_hundred_aliases_are_fine():
    text = "---\nbase: &x 1\nitems: [" + ", ".join(["*x"] * 100) + "]\n---\n"
    assert parse(text).frontmatter["items"] == [1] * 100


def test_a_number_too_long_to_read_is_named_where_it_is_written():
    text = "---\ntitle: x\nbig: " + "9" * 5_000 + "\n---\n"
    note = parse(text)
    assert [(p.line, p.col, p.code, p.message) for p in note.problems] == [
        (3, 6, "VK001", "invalid front matter: a number of 5,000 digits (at most 4,300 are read)")
    ]
    assert note.frontmatter_state is FrontmatterState.INVALID


def test_a_number_of_as_many_digits_as_are_read_is_read():
    assert parse("---\nbig: " + "9" * 4_300 + "\n---\n").frontmatter["big"] == 10**4_300 - 1


def test_an_ill_fitting_explicit_tag_is_still_said_to_be_one():
    assert [p.message for p in parse("---\nn: !!int abc\n---\n").problems] == [
        "invalid front matter: a value does not fit its explicit YAML tag"
    ]


def test_an_alias_that_refers_to_itself_is_invalid():
    assert problems("---\na: &a [*a]\n---\n") == [(2, 4, "VK001")]


@pytest.mark.parametrize("depth", [200, 5000])
def test_deep_nesting_is_invalid_or_read_but_never_a_crash(depth):
    text = "---\na: " + "[" * depth + "]" * depth + "\n---\n[[Body]]\n"
    note = parse(text)
    assert note.frontmatter_state in (FrontmatterState.INVALID, FrontmatterState.MAPPING)
    assert [x.target for x in note.links] == ["Body"]


def test_deep_nesting_past_libyaml_limit_is_invalid():
    text = "---\na: " + "[" * 5000 + "]" * 5000 + "\n---\n"
    assert [code for _, _, code in problems(text)] == ["VK001"]


def test_oversized_front_matter_is_invalid_without_loading_it():
    text = "---\n" + "k: " + "x" * (300 * 1024) + "\n---\nBody\n"
    note = parse(text)
    assert problems(text) == [(1, 1, "VK001"), (1, 1, "VK007")]  # the note is over its cap too
    assert note.body_line == 4


# --- tags and aliases ---------------------------------------------------------------------


def tag_names(text: str) -> list[str]:
    return [t.name for t in parse(text).tags if t.in_frontmatter]


@pytest.mark.parametrize(
    ("written", "names"),
    [
        pytest.param("tags: [Cloud, MLOps]", ["Cloud", "MLOps"], id="flow list"),
        pytest.param("tags:\n  - Cloud\n  - MLOps", ["Cloud", "MLOps"], id="block list"),
        pytest.param("tags: my-tag", ["my-tag"], id="single string"),
        pytest.param("tags: a, b", [], id="comma-separated string"),
        pytest.param('tags: ["#hash", "#"]', ["hash"], id="hash prefix optional"),
        pytest.param("Tags: [Upper]", ["Upper"], id="key case"),
        pytest.param("TAGS: [loud]", ["loud"], id="key upper case"),
        pytest.param("tags: [two words, ok]", ["ok"], id="spaces dropped"),
        pytest.param("tags: [1984, y1984]", ["y1984"], id="digits only dropped"),
        pytest.param("tags:\n  - #x\n  - real", ["real"], id="hash starts a comment"),
        pytest.param("tags: [雲端, 🚀]", ["雲端", "🚀"], id="cjk and emoji"),
        pytest.param("tags: [area/sub]", ["area/sub"], id="nested"),
        pytest.param("tags: [a.b]", [], id="punctuation"),
        pytest.param("tags:", [], id="empty"),
        pytest.param("tag: [old]", [], id="deprecated singular"),
        pytest.param("tags:\n  - \n  - kept\n  -", ["kept"], id="empty items dropped"),
        pytest.param("tags: [true, 1.5, yes]", ["yes"], id="only text items: YAML 1.2"),
        pytest.param("tags: '  padded '", ["padded"], id="trimmed"),
        pytest.param("tags: [實戰：構建]", ["實戰：構建"], id="full-width punctuation kept"),
    ],
)
def test_front_matter_tags(written, names):
    assert tag_names(f"---\n{written}\n---\n") == names


def test_front_matter_tags_point_at_their_items_and_come_first():
    note = parse('---\ntitle: x\ntags:\n  - one\n  - "#two"\n---\nBody #three\n')
    assert note.tags == (
        Tag("one", Span(4, 5, 4, 8), True),
        Tag("two", Span(5, 5, 5, 11), True),
        Tag("three", Span(7, 6, 7, 12), False),
    )


@pytest.mark.parametrize(
    ("written", "aliases"),
    [
        ("aliases: [Roadmap, 路線圖]", ("Roadmap", "路線圖")),
        ("aliases:\n  - One\n  - 2024\n  - false\n  - 2024-05-01", ("One", "2024-05-01")),
        ("aliases:\n  - \n  - ' Padded '", ("Padded",)),
        ("aliases: Single", ("Single",)),
        ("Aliases: [Case]", ("Case",)),
        ("aliases:\n  - ~\n  - kept", ("kept",)),
        ("alias: old", ()),
    ],
)
def test_aliases(written, aliases):
    assert parse(f"---\n{written}\n---\n").aliases == aliases


# --- links in properties ------------------------------------------------------------------


def property_links(text: str) -> list[tuple]:
    return [
        (
            x.property,
            x.target,
            x.headings,
            x.alias,
            x.embed,
            x.span.line,
            x.span.col,
            x.span.end_col,
        )
        for x in parse(text).links
        if x.kind == "property"
    ]


def test_quoted_links_in_a_flow_list():
    text = '---\nrequires: ["[[Docker]]", "[[Kubernetes 基礎]]"]\n---\n'
    assert property_links(text) == [
        ("requires", "Docker", (), None, False, 2, 13, 23),
        ("requires", "Kubernetes 基礎", (), None, False, 2, 27, 44),
    ]


def test_quoted_links_in_a_block_list_and_a_single_value():
    text = '---\nphase: "[[P2 6–12 個月]]"\nrequires:\n  - "[[A#Part|a]]"\n  - \'![[B]]\'\n---\n'
    assert property_links(text) == [
        ("phase", "P2 6–12 個月", (), None, False, 2, 9, 23),
        ("requires", "A", ("Part",), "a", False, 4, 6, 18),
        ("requires", "B", (), None, True, 5, 6, 12),
    ]


def test_several_links_in_one_text_value():
    text = '---\nnote: "see [[A]] and [[A]] again"\n---\n'
    assert [(t, col) for _, t, *_, col, _ in property_links(text)] == [("A", 12), ("A", 22)]


def test_unquoted_wikilink_is_a_nested_list_not_a_link():
    note = parse("---\nrequires: [[Docker]]\n---\n")
    assert note.frontmatter["requires"] == [["Docker"]]
    assert property_links("---\nrequires: [[Docker]]\n---\n") == []


def test_link_written_with_escapes_points_at_its_value():
    text = '---\nup: "\\x5B\\x5BHome]]"\n---\n'
    assert property_links(text) == [("up", "Home", (), None, False, 2, 5, 21)]


def test_links_in_nested_mappings_are_not_property_links():
    assert property_links('---\nmeta:\n  up: "[[Home]]"\n---\n') == []


def test_the_simple_reader_refuses_exactly_what_yaml_does_not_read_as_text_on_a_line():
    # Everything but a line feed, printable ASCII, U+00A0 to U+FFFD without the YAML 1.1
    # line breaks (U+2028, U+2029), surrogates, the byte order mark and U+FFFE/U+FFFF,
    # and every character past U+FFFF.
    read = "\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
    not_read = re.compile(f"[^{read}]")

    refused = [chr(c) for c in range(0x110000) if plainyaml._NOT_SIMPLE_CHAR_RE.match(chr(c))]

    assert refused == [chr(c) for c in range(0x110000) if not_read.match(chr(c))]
    assert "\t" in refused and "\x85" in refused and "\u2028" in refused and "階" not in refused
