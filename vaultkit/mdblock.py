"""vaultkit's block rules for markdown-it-py: `%%` comments over several lines, and tables
whose cells know the source column of each of their characters.

A `%%` comment that starts a line and closes on a later one (or never) is one
`vk_comment_block` token whose content is never parsed, so nothing in it is read (OBSIDIAN.md,
"Other syntax"). markdown-it's table rule drops the backslash of an escaped pipe (`\\|`), so
the inline text of a cell no longer lines up with the source: each cell's inline token gets,
in `meta["vk_cols"]`, the 0-based source column of each of its characters.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.common.utils import MD_TRIM_CHARS
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.table import table as _table_rule
from markdown_it.token import Token

COMMENT_BLOCK = "vk_comment_block"
CELL_COLS = "vk_cols"  # meta key on a table cell's inline token: 0-based column per character


def block_rules(md: MarkdownIt) -> None:
    """Add vaultkit's block rules to `md` (use with `md.use(block_rules)`)."""
    md.block.ruler.before("table", "vk_comment_block", _comment_block, {"alt": ["paragraph"]})
    md.block.ruler.at("table", _table_with_columns, {"alt": ["paragraph", "reference"]})


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
    raw = state.src[begin : state.eMarks[line]]
    offset = begin - (state.src.rfind("\n", 0, begin) + 1)
    offset += len(raw) - len(raw.lstrip(MD_TRIM_CHARS))
    text = raw.strip(MD_TRIM_CHARS)
    cells: list[list[int]] = [[]]
    escaped = False
    for index, char in enumerate(text):
        if char == "|" and not escaped:
            cells.append([])
        elif char == "|":
            cells[-1][-1] = index  # `\|`: the backslash is dropped, the pipe kept
        else:
            cells[-1].append(index)
        escaped = char == "\\"
    if cells and not cells[0]:
        cells.pop(0)
    if cells and not cells[-1]:
        cells.pop()
    return [_trimmed(text, cell, offset) for cell in cells]


def _trimmed(text: str, cell: list[int], offset: int) -> list[int]:
    """Columns of the cell's characters once surrounding blanks are trimmed."""
    while cell and text[cell[0]] in MD_TRIM_CHARS:
        cell = cell[1:]
    while cell and text[cell[-1]] in MD_TRIM_CHARS:
        cell = cell[:-1]
    return [offset + index for index in cell]
