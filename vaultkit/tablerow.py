"""A GFM table's lines as markdown-it-py reads them: the delimiter row, and a row split into
cells, each with the source column of each of its characters (pure).

markdown-it's table rule drops the backslash of an escaped pipe (`\\|`), so the text of a
cell no longer lines up with the source: `cell_columns` gives the column each character of
a cell came from. `mdblock` and `plain` both read tables with these.
"""

from __future__ import annotations

import re

from vaultkit.lines import MD_TRIM_CHARS

CELL_COLS = "vk_cols"  # meta key on a table cell's inline token: 0-based column per character
# As markdown-it's table rule: a table ends before a row that would make the empty cells
# added to rows shorter than the header more than this (a row longer takes some back).
MAX_AUTOCOMPLETED_CELLS = 0x10000

_ALIGN_RE = re.compile(r":?-+:?")
_DELIMITER_CHARS = frozenset("|-: \t")


def delimiter_columns(line: str) -> int:
    """How many columns the delimiter row `line` (`| --- | :-: |`, not indented) gives a
    table, as markdown-it's table rule counts them; 0 when `line` is no delimiter row."""
    if len(line) < 2 or line[0] not in "|-:" or line[1] not in "|-: \t":
        return 0
    if line[0] == "-" and line[1] in " \t":
        return 0  # a list item
    if not _DELIMITER_CHARS.issuperset(line):
        return 0
    pieces = line.split("|")
    count = 0
    for index, piece in enumerate(pieces):
        text = piece.strip(MD_TRIM_CHARS)
        if not text:
            if index in (0, len(pieces) - 1):
                continue  # `|---|` has empty ends, but no empty column in between
            return 0
        if not _ALIGN_RE.fullmatch(text):
            return 0
        count += 1
    return count


def split_row(text: str) -> list[str]:
    """The cells of a table row (trimmed) as markdown-it splits it: at each pipe that no
    backslash escapes, the backslash of `\\|` dropped, the empty ends left out; untrimmed."""
    pieces = _escaped_split(text) if "\\" in text else text.split("|")
    if pieces and pieces[0] == "":
        pieces.pop(0)
    if pieces and pieces[-1] == "":
        pieces.pop()
    return pieces


def _escaped_split(text: str) -> list[str]:
    pieces: list[str] = []
    current = ""
    last = 0
    escaped = False
    for pos, char in enumerate(text):
        if char == "|":
            if not escaped:
                pieces.append(current + text[last:pos])
                current = ""
                last = pos + 1
            else:
                current += text[last : pos - 1]
                last = pos
        escaped = char == "\\"
    pieces.append(current + text[last:])
    return pieces


def cell_columns(raw: str, offset: int) -> list[list[int]]:
    """Split a table row as markdown-it does, keeping each character's 0-based column:
    `raw` is the row from its first non-blank character, which is at column `offset`."""
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
