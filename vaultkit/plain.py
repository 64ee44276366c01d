"""A body written in plain Markdown, read without markdown-it's block parser (pure).

Most notes are ATX headings, paragraphs, one level of list items, fenced code, tables
and HTML comments on a line of their own (vaultkit's block markers). For such a body the
blocks markdown-it would find follow from each line's first characters alone (and, for a
table, its delimiter row), so they are found here in one pass over the lines; each
block's inline text is then read as after a full parse (`body.read_inline_block`). A body
holding anything else (indentation, quotes, indented code, a code fence left open, math,
`%%` comments, other HTML, link reference definitions, setext headings, thematic breaks,
empty list items, a list item that does not start with text, a table under a paragraph
or not ended by a blank line or the body's end) is not plain: `read` returns None and the
body is parsed by markdown-it.

A test holds the two readings equal on generated notes, the corpus and notes written by
hypothesis.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from vaultkit.body import Found, read_inline_block
from vaultkit.lines import MD_TRIM_CHARS
from vaultkit.model import Record
from vaultkit.tablerow import (
    CELL_COLS,
    MAX_AUTOCOMPLETED_CELLS,
    cell_columns,
    delimiter_columns,
    split_row,
)

# What may not start the text of a paragraph or list item: blanks, and the characters
# that start (or, under a paragraph, make) another kind of block. `#` may (a heading is
# told apart), and so may `*` and `_` (list items and thematic breaks are told apart)
# and `[` (a line of text holding `]:` is not plain: no link reference definition).
_NOT_TEXT = frozenset(" \t#>`~<|$%+-=:" + MD_TRIM_CHARS)
_EMPHASIS = "*_"
_NOT_AFTER_STAR = {"*": ("", " ", "\t"), "_": ()}  # `*` then a blank opens a list item
_THEMATIC_BREAK_RE = re.compile(r"(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}")
_FENCE_CHARS = "`~"
_DIGITS = frozenset("0123456789")
_BLANKS = " \t"


class HtmlBlock(Record, frozen=True):
    """An HTML block of one line, with the fields of markdown-it's `html_block` token that
    finding the blocks in it reads (`blocks.blocks_in`)."""

    map: list[int]  # [its line, the next line], counted from the body's first line
    type: str = "html_block"
    level: int = 0


class Opener(msgspec.Struct, frozen=True):
    """The fields of a block's opening token that reading its inline text uses."""

    type: str
    tag: str
    markup: str = ""
    info: str = ""


class _Inline:
    """The fields of an `inline` token that reading it uses."""

    __slots__ = ("content", "map")
    children = None  # parsed when read
    meta: dict[Any, Any] = {}  # noqa: RUF012 - nothing in it, and only read

    def __init__(self, content: str, lines: list[int]) -> None:
        self.content = content
        self.map = lines


class _Row:
    """A table row, the source column of each of its cells' characters worked out when a
    position in one of them is first read (`tablerow.cell_columns`)."""

    __slots__ = ("_columns", "line")

    def __init__(self, line: str) -> None:
        self.line = line
        self._columns: list[list[int]] | None = None

    def columns(self) -> list[list[int]]:
        if self._columns is None:
            self._columns = cell_columns(self.line, 0)
        return self._columns


class _Cell:
    """The `inline` token of a table cell; its `meta` holds its characters' columns when
    they line up with its text, as `mdblock` gives them."""

    __slots__ = ("_column", "_row", "content", "map")
    children = None  # parsed when read

    def __init__(self, content: str, lines: list[int], row: _Row, column: int) -> None:
        self.content = content
        self.map = lines
        self._row = row
        self._column = column

    @property
    def meta(self) -> dict[Any, Any]:
        columns = self._row.columns()
        if self._column < len(columns) and len(columns[self._column]) == len(self.content):
            return {CELL_COLS: columns[self._column]}
        return {}


PARAGRAPH = Opener("paragraph_open", "p")
HEADER_CELL = Opener("th_open", "th")
CELL = Opener("td_open", "td")
HEADINGS = {level: Opener("heading_open", f"h{level}", "#" * level) for level in range(1, 7)}


class Plain(Record, frozen=True):
    """What a plain body holds: what a full parse finds in it, and its HTML blocks."""

    found: Found
    html: list[HtmlBlock]  # as a full parse makes them (`blocks.blocks_in`)


def read(lines: list[str], body_line: int) -> Plain | None:
    """Read `lines[body_line - 1:]` (the body) when it is plain, else None."""
    body = lines[body_line - 1 :]
    reader = _Reader(lines, body_line)
    for index, line in enumerate(body):
        if not reader.line(index, line):
            return None
    if reader.fence:
        return None  # a code block left open
    reader.close(len(body))
    return Plain(reader.found, reader.html)


class _Reader:
    """Reads a body line by line into the blocks a full parse finds, while it is plain."""

    def __init__(self, lines: list[str], body_line: int) -> None:
        self.lines = lines
        self.body_line = body_line
        self.found = Found()
        self.html: list[HtmlBlock] = []
        self.env: dict[str, Any] = {}  # as markdown-it's, shared by the body's inline texts
        self.start = -1  # the body line where the open paragraph starts, or -1
        self.item: Opener | None = None  # the list item the open paragraph starts
        self.first = ""  # the open paragraph's first line, without the item's marker
        self.fence = ""  # the open code fence (its backticks or tildes), or ""
        self.code = -1  # the body line where the open code fence starts
        self.columns = 0  # the open table's number of columns, or 0
        self.filled = 0  # the open table's empty cells added to rows that have fewer
        self.delimiter = -1  # the body line of the open table's delimiter row

    def line(self, index: int, line: str) -> bool:
        """Read body line `index`; False when it is not plain."""
        if self.fence:
            self.close_fence(index, line)
            return True
        if self.columns and (read := self.in_table(index, line)) is not None:
            return read
        return self.block(index, line)

    def block(self, index: int, line: str) -> bool:
        """Read body line `index`, outside code and tables; False when it is not plain."""
        char = line[:1]
        if char and char in _FENCE_CHARS and line.startswith(char * 3):
            self.close(index)
            self.fence = char * (len(line) - len(line.lstrip(char)))
            self.code = index
            return not (char == "`" and "`" in line[len(self.fence) :])  # else code inline
        if not char or char in _BLANKS:
            self.close(index)
            return not line.strip(_BLANKS)  # else indented: code, or a list item's block
        if char == "#" and (level := _heading_level(line)):
            self.close(index)
            self.inline(_heading_text(line, level), [index, index + 1], HEADINGS[level], None)
            return True
        if char == "<":
            self.close(index)
            self.html.append(HtmlBlock([index, index + 1]))
            return line.startswith("<!--") and "-->" in line  # else other HTML
        if char == "|":
            return self.start < 0 and self.table(index, line)  # else under a paragraph
        marker = _list_marker(line)
        if marker is not None:
            if self.start >= 0 and self.item is None and marker.info not in ("", "1"):
                return False  # under a paragraph only `1.` starts a list: text, then
            self.close(index)
            self.start, self.item, self.first = index, marker, line[len(marker.info) + 2 :]
            return _is_text(self.first) and "]:" not in line  # else empty, or another block
        if self.start < 0:
            self.start, self.item, self.first = index, None, line
        return _is_text(line) and "]:" not in line  # else maybe a link reference definition

    def in_table(self, index: int, line: str) -> bool | None:
        """Read body line `index` in an open table: its delimiter row or a row (True),
        a line that ends it and is not plain (False); None when a blank line ends it."""
        if index == self.delimiter:
            return True
        if line[:1] == "|":
            return self.row(index, line, CELL)
        self.columns = 0
        return None if not line.strip(_BLANKS) else False

    def table(self, index: int, line: str) -> bool:
        """Open a table at body line `index`, its header row, when the next line is a
        delimiter row with as many columns; False when it is not (then a paragraph)."""
        following = self.body_line + index  # the next line's index in `lines`
        if following >= len(self.lines):
            return False
        columns = delimiter_columns(self.lines[following])
        if not columns or len(split_row(line.strip(MD_TRIM_CHARS))) != columns:
            return False
        self.columns, self.filled, self.delimiter = columns, 0, index + 1
        return self.row(index, line, HEADER_CELL)

    def row(self, index: int, line: str, opener: Opener) -> bool:
        """Read a table row's cells, as many as the table has columns; False when the
        table would end before it (too many empty cells added)."""
        cells = split_row(line.strip(MD_TRIM_CHARS))
        self.filled += self.columns - len(cells)
        if self.filled > MAX_AUTOCOMPLETED_CELLS:
            return False
        row = _Row(line)
        for column, cell in enumerate(cells[: self.columns]):
            token = _Cell(cell.strip(MD_TRIM_CHARS), [index, index + 1], row, column)
            read_inline_block(token, opener, None, self.lines, self.body_line, self.found, self.env)
        return True

    def close_fence(self, index: int, line: str) -> None:
        """End the open code fence when body line `index` closes it: the same character
        as often or more, indented less than four columns, then only blanks."""
        text = line.lstrip(_BLANKS)
        indent = line[: len(line) - len(text)]
        if "\t" in indent or len(indent) > 3 or not text.startswith(self.fence):
            return
        if text.rstrip(_BLANKS).strip(self.fence[0]):
            return
        start, end = self.body_line + self.code, self.body_line + index + 1
        self.found.code_lines.update(range(start, end))
        self.fence = ""

    def close(self, end: int) -> None:
        """End the open paragraph, if any, before body line `end`."""
        if self.start < 0:
            return
        if end == self.start + 1:
            content = self.first  # one line, the usual case
        else:
            rest = self.lines[self.body_line + self.start : self.body_line - 1 + end]
            content = "\n".join([self.first, *rest])
        self.inline(content.strip(MD_TRIM_CHARS), [self.start, end], PARAGRAPH, self.item)
        self.start = -1

    def inline(self, content: str, lines: list[int], opener: Opener, item: Opener | None) -> None:
        """Read a block's inline text as the full parse does (`body.read_tokens`)."""
        token = _Inline(content, lines)
        read_inline_block(token, opener, item, self.lines, self.body_line, self.found, self.env)


def _is_text(text: str) -> bool:
    """Whether `text` starts a paragraph of text where it stands (first in a line or
    after a list marker), and nothing else."""
    char = text[:1]
    if char and char in _EMPHASIS:  # `**bold**`, `_word_`; not a list item or a thematic break
        return text[1:2] not in _NOT_AFTER_STAR[char] and not _THEMATIC_BREAK_RE.fullmatch(text)
    if not char or char in _NOT_TEXT:
        return char == "#" and not _heading_level(text)
    if char in _DIGITS:
        digits = len(text) - len(text.lstrip("0123456789"))
        return text[digits : digits + 1] not in (".", ")")
    return not char.isspace()


def _heading_level(line: str) -> int:
    """The level of the ATX heading `line` is (its `#`s, then a blank or nothing), or 0."""
    level = len(line) - len(line.lstrip("#"))
    return level if level <= 6 and line[level : level + 1] in ("", " ", "\t") else 0


def _heading_text(line: str, level: int) -> str:
    """An ATX heading's text as markdown-it cuts it: without a closing run of `#`s."""
    end = len(line.rstrip(_BLANKS))
    end = max(end, level)
    hashes = end - len(line[:end].rstrip("#"))
    if hashes and end - hashes > level and line[end - hashes - 1] in _BLANKS:
        end -= hashes
    return line[level:end].strip(MD_TRIM_CHARS)


_BULLETS = {char: Opener("list_item_open", "li", char) for char in "-*+"}


def _list_marker(line: str) -> Opener | None:
    """The list item `line` opens (its marker then one blank), or None."""
    char = line[0]
    if char in _BULLETS:
        return _BULLETS[char] if line[1:2] == " " else None
    if char not in _DIGITS:
        return None
    digits = len(line) - len(line.lstrip("0123456789"))
    if digits > 9 or line[digits : digits + 1] not in (".", ")"):
        return None
    if line[digits + 1 : digits + 2] != " ":
        return None
    return Opener("list_item_open", "li", line[digits], line[:digits])
