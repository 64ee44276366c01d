"""The block ruler that asks only the rules a line's first character allows: the same
tokens as markdown-it's own chains, which ask every rule at every line."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.ruler import Ruler

from vaultkit.mdblock import FirstCharRuler
from vaultkit.mdplugin import note_parser


def asking_every_rule() -> MarkdownIt:
    """vaultkit's parser with markdown-it's own block ruler, holding the same rules."""
    md = note_parser()
    plain: Ruler = Ruler()
    plain.__rules__ = md.block.ruler.__rules__
    md.block.ruler = plain
    return md


# Line starts of every block construct (and of none), indented and nested, so that each
# rule is asked where it matches, where it almost does, and as a paragraph's terminator.
STARTS = st.sampled_from(
    [
        *("", " ", "   ", "    ", "\t", "> ", ">", "- ", "* ", "+ ", "1. ", "2) ", "10. "),
        *("  - ", "    - ", "> - ", "- > ", "1. - "),
    ]
)
BODIES = st.sampled_from(
    [
        *("text", "[[Note]] #tag", "```", "```py", "~~~", "$$", "$$ x $$", "%%", "%% c %%"),
        *("# H", "###### H6", "####### seven", "#nospace", "***", "---", "___", "- - -"),
        *("===", "--", "| a | b |", "|---|---|", ":-:|", "- [ ] task", "[ref]: /url"),
        *("[ref]", "<div>", "</div>", "<!-- c -->", "<!--", "-->", "<pre>", "<?x ?>"),
        *("<!X>", "<![CDATA[", "]]>", "<span>", "1.5", "*not list", "+", "-", "$", "`"),
        "",
    ]
)
LINES = st.lists(st.tuples(STARTS, BODIES).map("".join), max_size=14)


@settings(max_examples=400)
@given(lines=LINES)
def test_the_tokens_are_those_of_markdown_its_own_block_ruler(lines):
    text = "\n".join(lines)

    assert note_parser().parse(text) == asking_every_rule().parse(text)


def test_the_parser_notes_are_read_with_asks_by_first_character():
    assert isinstance(note_parser().block.ruler, FirstCharRuler)


def test_a_rule_enabled_later_is_asked_too():
    md = note_parser().disable("heading")
    assert md.parse("# H\n")[0].type == "paragraph_open"

    md.enable("heading")

    assert md.parse("# H\n")[0].type == "heading_open"
