"""Links and embeds in the body: OBSIDIAN.md's "Links and embeds" table, row by row."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from vaultkit.parse import parse_note


def parse(text: str):
    return parse_note(PurePosixPath("note.md"), text.encode("utf-8"))


def links(text: str) -> list[tuple]:
    """(kind, target, headings, block, alias, embed, line, col, end_col) per link."""
    return [
        (
            link.kind,
            link.target,
            link.headings,
            link.block,
            link.alias,
            link.embed,
            link.span.line,
            link.span.col,
            link.span.end_col,
        )
        for link in parse(text).links
    ]


@pytest.mark.parametrize(
    ("written", "target", "headings", "block", "alias", "embed", "end_col"),
    [
        ("[[Note]]", "Note", (), None, None, False, 13),
        ("[[Note.md]]", "Note.md", (), None, None, False, 16),
        ("[[Folder/Note]]", "Folder/Note", (), None, None, False, 20),
        ("[[Note|shown text]]", "Note", (), None, "shown text", False, 24),
        ("[[Note#Heading]]", "Note", ("Heading",), None, None, False, 21),
        ("[[Note#H1#H2]]", "Note", ("H1", "H2"), None, None, False, 19),
        ("[[#Heading]]", "", ("Heading",), None, None, False, 17),
        ("[[Note#^block-id]]", "Note", (), "block-id", None, False, 23),
        ("[[#^block-id]]", "", (), "block-id", None, False, 19),
        ("[[Figure 1.png]]", "Figure 1.png", (), None, None, False, 21),
        ("[[Kubernetes 基礎]]", "Kubernetes 基礎", (), None, None, False, 22),
        ("[[P2 6–12 個月#階段一|第二期]]", "P2 6–12 個月", ("階段一",), None, "第二期", False, 27),
        ("[[ Note ]]", "Note", (), None, None, False, 15),
        ("![[Note]]", "Note", (), None, None, True, 14),
        ("![[Note#Heading|shown]]", "Note", ("Heading",), None, "shown", True, 28),
        ("![[Figure 1.png|300]]", "Figure 1.png", (), None, "300", True, 26),
        ("![[photo.jpg|640x480]]", "photo.jpg", (), None, "640x480", True, 27),
    ],
)
def test_wikilink_rows_are_read_with_their_parts_and_span(
    written, target, headings, block, alias, embed, end_col
):
    assert links(f"See {written} here.\n") == [
        ("wiki", target, headings, block, alias, embed, 1, 5, end_col)
    ]


def test_escaped_pipe_in_a_table_separates_the_alias_and_keeps_columns():
    text = "| Name | Link |\n|------|------|\n| x | [[Note\\|alias]] |\n"
    assert links(text) == [("wiki", "Note", (), None, "alias", False, 3, 7, 22)]


def test_escaped_pipe_outside_a_table_also_separates_the_alias():
    assert links("[[Note\\|alias]]\n") == [("wiki", "Note", (), None, "alias", False, 1, 1, 16)]


def test_links_in_a_table_cell_after_cjk_text_count_code_points():
    text = "| 名稱 | 連結 |\n|---|---|\n| 中文 | [[筆記]] 與 [[另一個]] |\n"
    assert links(text) == [
        ("wiki", "筆記", (), None, None, False, 3, 8, 14),
        ("wiki", "另一個", (), None, None, False, 3, 17, 24),
    ]


@pytest.mark.parametrize(
    ("written", "target", "headings", "block", "embed"),
    [
        ("[text](My%20Note.md)", "My Note.md", (), None, False),
        ("[text](<My Note.md>)", "My Note.md", (), None, False),
        ("[text](Note)", "Note", (), None, False),
        ("[up](../Other/Note.md)", "../Other/Note.md", (), None, False),
        ("[here](./Note.md#Part%20One)", "./Note.md", ("Part One",), None, False),
        ("[deep](Note.md#H1#H2)", "Note.md", ("H1", "H2"), None, False),
        ("[block](Note.md#^abc)", "Note.md", (), "abc", False),
        ("[same](#Heading)", "", ("Heading",), None, False),
        ("[中文](筆記.md)", "筆記.md", (), None, False),
        ("![alt](Attachments/pic.png)", "Attachments/pic.png", (), None, True),
    ],
)
def test_markdown_links_to_vault_files_are_url_decoded(written, target, headings, block, embed):
    found = links(f"A {written} b\n")
    assert found == [("markdown", target, headings, block, None, embed, 1, 3, 3 + len(written))]


def test_reference_style_markdown_link_points_at_its_use():
    text = "Read [the note][ref] now.\n\n[ref]: Some%20Note.md\n"
    assert links(text) == [("markdown", "Some Note.md", (), None, None, False, 1, 6, 21)]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[web](https://example.com/a.md)\n", id="http"),
        pytest.param("[mail](mailto:me@example.com)\n", id="mailto"),
        pytest.param("[app](obsidian://open?vault=v&file=Note)\n", id="obsidian uri"),
        pytest.param("[net](//host/share/Note.md)\n", id="network path"),
        pytest.param("<https://example.com>\n", id="autolink"),
        pytest.param("[text]()\n", id="empty destination"),
        pytest.param("[undefined reference]\n", id="no definition"),
    ],
)
def test_external_and_empty_markdown_links_are_not_vault_links(text):
    assert links(text) == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[[]]\n", id="empty"),
        pytest.param("[[ \t]]\n", id="blank"),
        pytest.param("[[#]]\n", id="empty heading"),
        pytest.param("[[Note\n]]\n", id="line break inside"),
        pytest.param("[[Note]\n", id="unclosed"),
        pytest.param("\\[[Note]]\n", id="escaped bracket"),
        pytest.param("`[[Note]]`\n", id="code span"),
        pytest.param("``a [[Note]] b``\n", id="double backtick code span"),
        pytest.param("```\n[[Note]]\n```\n", id="fenced code"),
        pytest.param("~~~md\n![[Note]]\n~~~\n", id="tilde fence"),
        pytest.param("Text\n\n    [[Note]]\n", id="indented code"),
        pytest.param("%% [[Note]] %%\n", id="inline comment"),
        pytest.param("%%\n[[Note]]\n\n[[Other]]\n%%\n", id="block comment"),
        pytest.param("<!-- [[Note]] -->\n", id="html comment"),
        pytest.param("<div>\n[[Note]]\n</div>\n", id="html block"),
        pytest.param("$[[Note]]$\n", id="inline math"),
        pytest.param("$$\n[[Note]]\n$$\n", id="math block"),
        pytest.param("a $$[[Note]]$$ b\n", id="display math inside a paragraph"),
        pytest.param("[x](https://e.com/[[Note]])\n", id="inside a url"),
    ],
)
def test_wikilinks_where_obsidian_does_not_read_them_are_left_alone(text):
    assert links(text) == []


def test_links_around_hidden_ones_keep_their_positions():
    text = "`[[Code]]` [[A]] %% [[Hidden]] %% [[B]] <!-- [[C]] --> [[D]]\n"
    assert [(target, col) for _, target, *_, col, _ in links(text)] == [
        ("A", 12),
        ("B", 35),
        ("D", 56),
    ]


def test_links_on_continuation_lines_of_a_paragraph_and_in_quotes():
    text = "First line\n  second [[A]]\n\n> Quote [[B]]\n> more ![[C]]\n>> nested [[D]]\n"
    assert [(target, line, col) for _, target, *_, line, col, _ in links(text)] == [
        ("A", 2, 10),
        ("B", 4, 9),
        ("C", 5, 8),
        ("D", 6, 11),
    ]


def test_links_inside_a_callout_count():
    text = "> [!note] See [[Title Link]]\n> Body [[Body Link]]\n"
    assert [(target, line, col) for _, target, *_, line, col, _ in links(text)] == [
        ("Title Link", 1, 15),
        ("Body Link", 2, 8),
    ]


def test_links_in_nested_list_items_with_tabs():
    text = "- top [[A]]\n\t- tab [[B]]\n\t\t- two tabs [[C]]\n"
    assert [(target, line, col) for _, target, *_, line, col, _ in links(text)] == [
        ("A", 1, 7),
        ("B", 2, 8),
        ("C", 3, 14),
    ]


def test_links_in_headings_count_and_keep_columns():
    text = "## Plan for [[Docker]] ##\n\nSetext [[Helm]]\n===\n"
    assert [(target, line, col) for _, target, *_, line, col, _ in links(text)] == [
        ("Docker", 1, 13),
        ("Helm", 3, 8),
    ]


def test_body_links_come_in_document_order_then_property_links():
    text = '---\nrequires: ["[[Docker]]"]\n---\nSee [[B]] then [x](A.md).\n'
    assert [(kind, target, line) for kind, target, *_, line, _, _ in links(text)] == [
        ("wiki", "B", 4),
        ("markdown", "A.md", 4),
        ("property", "Docker", 2),
    ]


def test_first_closing_brackets_end_the_link():
    assert links("[[a]]] and [[b|c]d]]\n") == [
        ("wiki", "a", (), None, None, False, 1, 1, 6),
        ("wiki", "b", (), None, "c]d", False, 1, 12, 21),
    ]
