"""vaultkit's block rules for markdown-it-py: `%%` comments over several lines, tables
whose cells know the source column of each of their characters, and a block ruler that
asks at each line only the rules that can match it.

A `%%` comment that starts a line and closes on a later one (or never) is one
`vk_comment_block` token whose content is never parsed, so nothing in it is read (OBSIDIAN.md,
"Other syntax"). markdown-it's table rule drops the backslash of an escaped pipe (`\\|`), so
the inline text of a cell no longer lines up with the source: each cell's inline token gets,
in `meta["vk_cols"]`, the 0-based source column of each of its characters.

markdown-it tries every rule of a chain, in order, at every line (and at every line of a
paragraph, each rule that could end it), and most of them return at once on the line's
first character: a fence needs `` ` `` or `~`, a heading `#`. `FirstCharRuler` makes each
chain one rule that looks that character up and tries only the rules that can match it,
in the same order: the same tokens, for a third of the calls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from markdown_it import MarkdownIt
from markdown_it.parser_block import RuleFuncBlockType
from markdown_it.ruler import Ruler
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.table import table as _table_rule
from markdown_it.token import Token

from vaultkit.tablerow import CELL_COLS, cell_columns

COMMENT_BLOCK = "vk_comment_block"


# The characters one of which must start a line (after its indentation) for a block rule
# to match it, by rule name; a rule not named here is asked at every line.
FIRST_CHARS: Mapping[str, str] = MappingProxyType(
    {
        "vk_comment_block": "%",
        "math_block": "$",
        "fence": "`~",
        "blockquote": ">",
        "hr": "*-_",
        "list": "*-+0123456789",
        "reference": "[",
        "html_block": "<",
        "heading": "#",
    }
)


def block_rules(md: MarkdownIt) -> None:
    """Add vaultkit's block rules to `md` (use with `md.use(block_rules)`)."""
    md.block.ruler.before("table", "vk_comment_block", _comment_block, {"alt": ["paragraph"]})
    md.block.ruler.at("table", _table_with_columns, {"alt": ["paragraph", "reference"]})


def ask_by_first_char(md: MarkdownIt) -> None:
    """Give `md` a block ruler that asks only the rules that can match a line."""
    ruler: FirstCharRuler = FirstCharRuler()
    ruler.__rules__ = md.block.ruler.__rules__
    md.block.ruler = ruler


class FirstCharRuler(Ruler[RuleFuncBlockType]):
    """markdown-it's block ruler, each chain compiled to one rule (`_by_first_char`)."""

    def __compile__(self) -> None:
        super().__compile__()
        assert self.__cache__ is not None
        for chain in self.__cache__:
            rules = [
                (rule.name, rule.fn)
                for rule in self.__rules__
                if rule.enabled and (not chain or chain in rule.alt)
            ]
            self.__cache__[chain] = [_by_first_char(rules)]


def _by_first_char(rules: Sequence[tuple[str, RuleFuncBlockType]]) -> RuleFuncBlockType:
    """One rule trying, in order, those of `rules` that can match the line's first character."""
    anywhere = tuple(fn for name, fn in rules if name not in FIRST_CHARS)
    asked = {
        char: tuple(fn for name, fn in rules if char in FIRST_CHARS.get(name, char))
        for char in "".join(FIRST_CHARS.values())
    }

    def rule(state: StateBlock, line: int, end_line: int, silent: bool) -> bool:
        pos = state.bMarks[line] + state.tShift[line]
        for fn in asked.get(state.src[pos : pos + 1], anywhere):
            if fn(state, line, end_line, silent):
                return True
        return False

    return rule


def _comment_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A `%%` comment that starts a line and closes on a later one (or never closes)."""
    if state.is_code_block(start_line):
        return False
    pos = state.bMarks[start_line] + state.tShift[start_line]
    line_end = state.eMarks[start_line]
    if not state.src.startswith("%%", pos):
        return False
    close = state.src.find("%%", pos + 2, line_end)
    if close >= 0:
        if state.src[close + 2 : line_end].strip():
            return False  # `%% note %% text` is an inline comment in a paragraph
        last = start_line
    else:
        last = _closing_comment_line(state, start_line + 1, end_line)
    if silent:
        return True
    token = state.push(COMMENT_BLOCK, "", 0)
    token.map = [start_line, last + 1]
    token.block = True
    state.line = last + 1
    return True


def _closing_comment_line(state: StateBlock, first: int, end_line: int) -> int:
    """The line holding the closing `%%`; unclosed, the comment runs to the container's end."""
    line = first
    while line < end_line:
        if state.sCount[line] < state.blkIndent and not state.isEmpty(line):
            return line - 1  # the line belongs to an outer block
        if state.src.find("%%", state.bMarks[line], state.eMarks[line]) >= 0:
            return line
        line += 1
    return end_line - 1


def _table_with_columns(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """markdown-it's table rule, then the source column of each cell character."""
    count = len(state.tokens)
    if not _table_rule(state, start_line, end_line, silent):
        return False
    if not silent:
        _mark_cells(state, state.tokens[count:])
    return True


def _mark_cells(state: StateBlock, tokens: list[Token]) -> None:
    cells: list[list[int]] = []
    index = 0
    for token in tokens:
        if token.type == "tr_open" and token.map:
            cells, index = _cell_columns(state, token.map[0]), 0
        elif token.type == "inline":
            if index < len(cells) and len(cells[index]) == len(token.content):
                token.meta[CELL_COLS] = cells[index]
            index += 1


def _cell_columns(state: StateBlock, line: int) -> list[list[int]]:
    """Split a table row as markdown-it does, keeping each character's 0-based column."""
    begin = state.bMarks[line] + state.tShift[line]
    offset = begin - (state.src.rfind("\n", 0, begin) + 1)
    return cell_columns(state.src[begin : state.eMarks[line]], offset)
