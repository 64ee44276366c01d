"""How the plugin runs markdown-it's inline parser: text where no inline rule can start
is made one text token without it, exactly as the parser would make it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from vaultkit.mdplugin import CONTEXT, LAST_LINK_END, note_parser

MD = note_parser()

# Words and the characters that start inline syntax, line starts that make fields and
# malformed tasks, and blocks around them.
PIECES = st.sampled_from(
    [
        *("word", " ", "中文", "\n", "\t", "::", ":", "key:: v", "[k:: v]", "(k:: v)", "-[ ]"),
        *("[[A]]", "#tag", "^id", "%%", "$x$", "`c`", "\\", "&amp;", "<b>", "*", "_", "~~"),
        *("[l](u)", "![i](u)", "]", "!", "# ", "- ", "> ", "| a |", "|---|", "\n\n"),
    ]
)


def parsed_in_full(tokens: list[Token], index: int) -> list[Token]:
    """The children of the inline token at `index`, as markdown-it's inline parser makes them."""
    token = tokens[index]
    env = {CONTEXT: tokens[index - 1].type if index else "", LAST_LINK_END: -1}
    env[LAST_LINK_END] = token.content.rfind("](")
    children: list[Token] = []
    MD.inline.parse(token.content, MD, env, children)
    return children


@settings(max_examples=300)
@given(text=st.lists(PIECES, max_size=16).map("".join))
def test_each_inline_token_holds_what_the_inline_parser_makes_of_it(text):
    tokens = MD.parse(text)

    for index, token in enumerate(tokens):
        if token.type == "inline":
            assert token.children == parsed_in_full(tokens, index)


def test_plain_text_is_one_text_token():
    [_, inline, _] = MD.parse("Plain words, 中文 too.\n")

    assert [(child.type, child.content) for child in inline.children or []] == [
        ("text", "Plain words, 中文 too.")
    ]
