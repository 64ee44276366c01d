"""Front matter in the simple YAML nearly every note has, read without PyYAML (pure).

Each line holds one property whose value is a scalar (a text, plain or quoted, on that
line; a number, date or boolean), a flow list of such scalars, or nothing, then maybe a
block list of them on the lines below. `load_simple` reads such front matter as
`yamlload.LOADER` reads it, into nodes with the attributes of PyYAML's that front matter
reading uses (`Node`); anything else gives None, and PyYAML reads it.

PyYAML (with python-frontmatter, which imports it) costs about 20 ms to import, more than
reading a note: a run that reads only simple front matter of texts does not import it. A
value that YAML might read as something else (a number, a date, `true`, `null`) is
resolved and constructed by PyYAML itself (`yamlload.resolved`), so the types cannot differ.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any, ClassVar, NamedTuple, Protocol

BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
NULL = "tag:yaml.org,2002:null"
STR = "tag:yaml.org,2002:str"
MERGE = "tag:yaml.org,2002:merge"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"
NOT_TEXT = (NULL, BOOL, INT, FLOAT)

# The first characters of the plain scalars `LOADER` may resolve to a tag other than text
# (YAML 1.2's booleans, numbers and null, dates, `<<` and `=`): a plain scalar starting
# with any other character is a text. A test holds this equal to `LOADER`'s resolvers.
TYPED_STARTS = frozenset("tTfFnN~<=-+.0123456789")


class Position(Protocol):
    """A 0-based line and column, as PyYAML's marks give them."""

    @property
    def line(self) -> int: ...

    @property
    def column(self) -> int: ...


class Node(Protocol):
    """What front matter reading uses of a node, PyYAML's or `PlainNode`."""

    id: ClassVar[str]  # "scalar", "sequence" or "mapping"

    @property
    def tag(self) -> str: ...

    @property
    def value(self) -> Any: ...

    @property
    def start_mark(self) -> Position: ...

    @property
    def end_mark(self) -> Position: ...


class Mark(NamedTuple):
    line: int
    column: int


class PlainNode:
    """A node read here: a scalar's text, or a list of nodes (of key and value pairs for a
    mapping), from `start_mark` to `end_mark`."""

    __slots__ = ("end_mark", "start_mark", "tag", "value")
    id: ClassVar[str] = ""

    def __init__(self, tag: str, value: Any, start_mark: Mark, end_mark: Mark) -> None:
        self.tag = tag
        self.value = value
        self.start_mark = start_mark
        self.end_mark = end_mark


class PlainScalar(PlainNode):
    __slots__ = ()
    id = "scalar"


class PlainSequence(PlainNode):
    __slots__ = ()
    id = "sequence"


class PlainMapping(PlainNode):
    __slots__ = ()
    id = "mapping"


def key_text(text: str, node: Node) -> str:
    """A property name as written. A list or mapping used as a key (a template's
    `{{date}}` reads as one) gets its source text, where PyYAML would fail: Obsidian
    reads such notes."""
    if node.id == "scalar":
        return str(node.value)
    lines = text.split("\n")[node.start_mark.line : node.end_mark.line + 1]
    lines[-1] = lines[-1][: node.end_mark.column]
    lines[0] = lines[0][node.start_mark.column :]
    return "\n".join(lines)


def duplicate_keys(node: Node) -> Iterator[Node]:
    """The key nodes of a mapping that repeat an earlier key (merge keys aside)."""
    seen: set[str] = set()
    for key_node, _ in node.value:
        if key_node.id == "scalar" and key_node.tag != MERGE:
            if key_node.value in seen:
                yield key_node
            seen.add(key_node.value)


# A property name written plainly: words of letters, digits, `_` and `-` (not starting
# with a digit, `_` or `-`) with single spaces between, then `:` and blanks or nothing.
_SIMPLE_KEY_RE = re.compile(r"([^\W\d_][\w-]*(?: [\w-]+)*):(?: +|$)")
# A text written plainly on one line, in a block (group 1, then trailing blanks) or in
# a flow list (up to the blanks before `,` or `]`): not starting as other YAML does
# (`&`, `*`, `!`, `|`, `>`, a quote, `%`, `@`, a backtick, `-`, `?`, `,`, a bracket), with
# no `#` or tab anywhere, no `:` but before a character other than a blank (`12:30`,
# `https://`), and in a flow list no `:`, bracket, comma or quote either.
_FIRST = r"[^\s\-?:,\[\]{}#&*!|>'\"%@`\\]"
_BLOCK_PLAIN_RE = re.compile(rf"({_FIRST}(?:[^:#\t]|:(?![ \t]|$))*?)[ ]*")
_FLOW_PLAIN_RE = re.compile(rf"{_FIRST}[^:#\t,\[\]{{}}\"']*?(?=[ ]*[,\]])")
# A quoted text on one line, without escapes: in double (group 1) or single quotes (2).
_QUOTED_RE = re.compile(r"\"([^\"\\]*)\"|'([^']*)'(?!')")
# A block list item: its indentation (group 1), `-` and a blank.
_ITEM_RE = re.compile(r"( *)- ")
# What YAML does not read as text on a line: control characters, tabs, the line breaks
# of YAML 1.1 (U+0085, U+2028, U+2029), a byte order mark, surrogates, non-characters.
# Written as the characters it matches, not as the complement of those it does not: the
# same set, compiled in a fraction of a millisecond instead of several.
_NOT_SIMPLE_CHAR_RE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)

_Read = tuple[PlainNode, object]  # a value's node, and the value


def load_simple(text: str) -> tuple[PlainMapping, dict[str, object], list[Node]] | None:
    """The simple front matter `text` as `LOADER` reads it: the root, the value, the
    duplicate keys; None when it is not simple (`LOADER` reads it)."""
    if _NOT_SIMPLE_CHAR_RE.search(text) is not None:
        return None
    lines = text.split("\n")
    pairs: list[tuple[PlainNode, PlainNode]] = []
    value: dict[str, object] = {}
    index = 0
    while index < len(lines):
        line = lines[index]
        key = _SIMPLE_KEY_RE.match(line)
        if key is None:
            return None
        name = key.group(1)
        key_node = _scalar(STR, name, index, 0, key.end(1))
        read: _Read | None
        if key.end() < len(line):
            read = _line_value(line, index, key.end())
            index += 1
        else:
            read, index = _block_list(lines, index, key.end())
        if read is None:
            return None
        pairs.append((key_node, read[0]))
        value[name] = read[1]
    root = PlainMapping(MAP, pairs, _mark(0, 0), _mark(len(lines), 0))
    return root, value, list(duplicate_keys(root))


def _line_value(line: str, index: int, start: int) -> _Read | None:
    """The value written after a property's name on its line: a text or a flow list."""
    if line[start] == "[":
        return _flow_list(line, index, start)
    found = _text(line, index, start, flow=False)
    if found is None or found[1] != len(line):
        return None
    return _constructed(found[0])


def _text(line: str, index: int, start: int, *, flow: bool) -> tuple[PlainScalar, int] | None:
    """The text at `start` of line `index`, and where it ends (in a block, with the
    blanks after it)."""
    quoted = _QUOTED_RE.match(line, start)
    if quoted is not None:
        single = quoted.group(1) is None
        node = _scalar(STR, quoted.group(2 if single else 1), index, start, quoted.end())
        end = quoted.end()
        return node, end if flow else len(line) - len(line[end:].lstrip(" "))
    if flow:
        plain = _FLOW_PLAIN_RE.match(line, start)
        written = None if plain is None else plain.group()
    else:
        plain = _BLOCK_PLAIN_RE.fullmatch(line, start)
        written = None if plain is None else plain.group(1)
    if plain is None or written is None:
        return None
    return _scalar(_plain_tag(written), written, index, start, start + len(written)), plain.end()


def _flow_list(line: str, index: int, start: int) -> _Read | None:
    """`[a, "b", 'c']` on one line, then nothing."""
    items: list[PlainScalar] = []
    pos = _skip_blanks(line, start + 1)
    if not line.startswith("]", pos):
        while True:
            found = _text(line, index, pos, flow=True)
            if found is None:
                return None
            items.append(found[0])
            pos = _skip_blanks(line, found[1])
            if line.startswith("]", pos):
                break
            if not line.startswith(",", pos):
                return None
            pos = _skip_blanks(line, pos + 1)
    if line[pos + 1 :].strip(" "):
        return None
    return _sequence(items, _mark(index, start), _mark(index, pos + 1))


def _block_list(lines: list[str], index: int, end: int) -> tuple[_Read | None, int]:
    """The texts of a block list on the lines below property line `index` (none: the
    property is null), and the line after them."""
    items: list[PlainScalar] = []
    indent = None
    line = index + 1
    while line < len(lines):
        item = _ITEM_RE.match(lines[line])
        if item is None:
            break
        if indent is not None and item.group(1) != indent:
            return None, line
        indent = item.group(1)
        found = _text(lines[line], line, item.end(), flow=False)
        if found is None or found[1] != len(lines[line]):
            return None, line
        items.append(found[0])
        line += 1
    if not items:
        return (_scalar(NULL, "", index, end, end), None), line
    start = _mark(index + 1, len(indent or ""))
    return _sequence(items, start, _mark(line, 0)), line


def _sequence(items: list[PlainScalar], start: Mark, end: Mark) -> _Read | None:
    values = []
    for item in items:
        read = _constructed(item)
        if read is None:
            return None
        values.append(read[1])
    return PlainSequence(SEQ, items, start, end), values


def _constructed(node: PlainScalar) -> _Read | None:
    """The scalar and its value, made by `LOADER`'s constructor for its tag (None when
    that fails: `LOADER` then reports it)."""
    if node.tag == STR:
        return node, node.value
    from vaultkit.yamlload import constructed  # a value other than text: PyYAML makes it

    made = constructed(node.tag, node.value)
    return None if made is None else (node, made[0])


def _skip_blanks(line: str, pos: int) -> int:
    return len(line) - len(line[pos:].lstrip(" "))


def _plain_tag(text: str) -> str:
    """The tag `LOADER` resolves a plain scalar to (YAML 1.2's types, dates)."""
    if text[0] not in TYPED_STARTS:
        return STR
    from vaultkit.yamlload import resolved  # maybe other than text: PyYAML's resolvers say

    return resolved(text)


@functools.lru_cache(maxsize=4096)
def _mark(line: int, column: int) -> Mark:
    """A mark at a line and column; one object for each (nothing changes a mark)."""
    return Mark(line, column)


def _scalar(tag: str, value: str, line: int, start: int, end: int) -> PlainScalar:
    return PlainScalar(tag, value, _mark(line, start), _mark(line, end))
