"""Inline tags in the body: OBSIDIAN.md's "Tags" section, row by row."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from vaultkit.parse import parse_note


def parse(text: str):
    return parse_note(PurePosixPath("note.md"), text.encode("utf-8"))


def tags(text: str) -> list[tuple[str, int, int, int]]:
    """(name, line, col, end_col) per body tag."""
    return [
        (tag.name, tag.span.line, tag.span.col, tag.span.end_col)
        for tag in parse(text).tags
        if not tag.in_frontmatter
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("#tag\n", [("tag", 1, 1, 5)], id="line start"),
        pytest.param("a #area/sub b\n", [("area/sub", 1, 3, 12)], id="nested"),
        pytest.param("x #Tag\n", [("Tag", 1, 3, 7)], id="case kept"),
        pytest.param(
            "x #under_score-dash\n", [("under_score-dash", 1, 3, 20)], id="underscore dash"
        ),
        pytest.param("x #y1984\n", [("y1984", 1, 3, 9)], id="digits with a letter"),
        pytest.param("x #19-84\n", [("19-84", 1, 3, 9)], id="digits with a dash"),
        pytest.param("x #標籤 and #タグ\n", [("標籤", 1, 3, 6), ("タグ", 1, 11, 14)], id="cjk"),
        pytest.param("x #雲端/容器\n", [("雲端/容器", 1, 3, 9)], id="nested cjk"),
        pytest.param("x #🚀launch\n", [("🚀launch", 1, 3, 11)], id="emoji"),
        pytest.param("x #café\n", [("café", 1, 3, 8)], id="accented"),
        pytest.param("x\t#tab\n", [("tab", 1, 3, 7)], id="after a tab"),
        pytest.param("x\u3000#全角\n", [("全角", 1, 3, 6)], id="after an ideographic space"),
        pytest.param("#one #two\n", [("one", 1, 1, 5), ("two", 1, 6, 10)], id="two in a row"),
        pytest.param("# Heading #intag\n", [("intag", 1, 11, 17)], id="in a heading"),
        pytest.param("> [!note]\n> #quoted\n", [("quoted", 2, 3, 10)], id="in a callout"),
        pytest.param("- [ ] task #todo\n", [("todo", 1, 12, 17)], id="in a task"),
        pytest.param("| #cell | b |\n|---|---|\n", [("cell", 1, 3, 8)], id="in a table"),
    ],
)
def test_tags_obsidian_reads(text, expected):
    assert tags(text) == expected


@pytest.mark.parametrize("stop", list(".,;:!?()[]{}'\"<>*`~=+&%$@\\|"))
def test_a_tag_ends_at_punctuation(stop):
    assert tags(f"x #tag{stop} y\n") == [("tag", 1, 3, 7)]


@pytest.mark.parametrize("stop", ["\u2014", "\u2026", "\u201c", "\u2e3a", "\u2060", "\u200b"])
def test_a_tag_ends_at_general_punctuation(stop):
    assert tags(f"x #tag{stop}y\n") == [("tag", 1, 3, 7)]


@pytest.mark.parametrize("mark", list("，。、！？：；「」（）【】《》『』．～"))
def test_full_width_punctuation_is_part_of_the_tag(mark):
    assert tags(f"x #標籤{mark}然後 y\n") == [(f"標籤{mark}然後", 1, 3, 9)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("#實戰：構建\n", [("實戰：構建", 1, 1, 7)], id="a colon inside"),
        pytest.param("例如 #tag。\n", [("tag。", 1, 4, 9)], id="a full stop at the end"),
        pytest.param("例如 #tag,然後\n", [("tag", 1, 4, 8)], id="an ascii comma ends it"),
        pytest.param("例如 #標籤\u3000然後\n", [("標籤", 1, 4, 7)], id="an ideographic space"),
        pytest.param("x #👩\u200d💻dev\n", [("👩\u200d💻dev", 1, 3, 10)], id="emoji joiner kept"),
    ],
)
def test_cjk_tags_are_what_obsidian_reads(text, expected):
    assert tags(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("#1984\n", id="digits only"),
        pytest.param("a#b\n", id="inside a word"),
        pytest.param("中文#標籤\n", id="after cjk text"),
        pytest.param("(#tag)\n", id="after a parenthesis"),
        pytest.param("see https://example.com/#frag\n", id="url fragment"),
        pytest.param("[x](Note.md#frag)\n", id="markdown link fragment"),
        pytest.param("[[Note#Heading]]\n", id="wikilink heading"),
        pytest.param("# Heading\n", id="heading marker"),
        pytest.param("#\n", id="bare hash"),
        pytest.param("x ##double\n", id="double hash"),
        pytest.param("\\#escaped\n", id="escaped"),
        pytest.param("&#35;entity\n", id="entity"),
        pytest.param("`#code`\n", id="code span"),
        pytest.param("```\n#fenced\n```\n", id="fenced code"),
        pytest.param("Text\n\n    #indented\n", id="indented code"),
        pytest.param("$#math$\n", id="inline math"),
        pytest.param("$$\n#math\n$$\n", id="math block"),
        pytest.param("%% #hidden %%\n", id="inline comment"),
        pytest.param("%%\n#hidden\n%%\n", id="block comment"),
        pytest.param("<!-- #hidden -->\n", id="html comment"),
        pytest.param("<div>\n#html\n</div>\n", id="html block"),
    ],
)
def test_hashes_that_are_not_tags(text):
    assert tags(text) == []


def test_tags_on_later_lines_of_a_quoted_list():
    text = "> - first\n>   continued #later\n> - second #other\n"
    assert tags(text) == [("later", 2, 15, 21), ("other", 3, 12, 18)]


def test_text_property_with_a_hash_is_not_a_tag():
    note = parse("---\nnote: '#not-a-tag'\n---\nBody\n")
    assert note.tags == ()
