"""PyYAML set up to read front matter as Obsidian does, and to refuse what would hang it.

The loader:

- is libyaml's `CSafeLoader` when present (pinned: the pure loader treats tabs
  differently and recurses on deep nesting), else `SafeLoader`;
- resolves scalars as YAML 1.2 does, like Obsidian: `yes`/`no`/`on`/`off` stay text,
  `12:30` stays text, `012` is 12; dates stay `datetime.date`;
- records duplicate keys (PyYAML silently keeps the last one, and so do we);
- keeps property names as written (`true:` is the key "true").

`check_expansion` refuses aliases that expand past `MAX_NODES` values or refer to
themselves (WRITE-SAFETY.md rows 2-5).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Hashable, Iterator
from typing import TYPE_CHECKING, Any

import yaml
from yaml.constructor import ConstructorError
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

if TYPE_CHECKING:
    _Loading = yaml.SafeLoader
else:
    _Loading = object

MAX_NODES = 100_000  # values once aliases are expanded

BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
NULL = "tag:yaml.org,2002:null"
STR = "tag:yaml.org,2002:str"
MERGE = "tag:yaml.org,2002:merge"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
NOT_TEXT = (NULL, BOOL, INT, FLOAT)

# YAML 1.2 core schema scalars (PyYAML implements 1.1, where `yes` is true and `12:30`
# is 750): booleans are only true/false; integers are decimal, `0o` octal or `0x` hex;
# floats have no sexagesimal form.
YAML12BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
YAML12INT_RE = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
YAML12FLOAT_RE = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


class _VaultLoading(_Loading):
    """Mixed into a SafeLoader: keys as written, duplicate keys recorded."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.text = stream
        self.duplicates: list[ScalarNode] = []

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Hashable, Any]:
        if not isinstance(node, MappingNode):
            raise ConstructorError(None, None, "expected a mapping", node.start_mark)
        self.duplicates.extend(_duplicate_keys(node))
        self.flatten_mapping(node)
        mapping: dict[Hashable, Any] = {}
        for key_node, value_node in node.value:
            key = key_text(self.text, key_node)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


class PureLoader(_VaultLoading, yaml.SafeLoader):
    """vaultkit's loader on PyYAML's pure-Python SafeLoader."""


class CLoader(_VaultLoading, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """vaultkit's loader on libyaml's CSafeLoader (the pure one when libyaml is missing)."""


# The loader that runs, pinned: the C and pure loaders differ on tabs, and only the C
# one bounds nesting depth without recursing.
LOADER: type[_VaultLoading] = CLoader if yaml.__with_libyaml__ else PureLoader


def key_text(text: str, node: Node) -> str:
    """A property name as written. A list or mapping used as a key (a template's
    `{{date}}` reads as one) gets its source text, where PyYAML would fail: Obsidian
    reads such notes."""
    if isinstance(node, ScalarNode):
        return str(node.value)
    lines = text.split("\n")[node.start_mark.line : node.end_mark.line + 1]
    lines[-1] = lines[-1][: node.end_mark.column]
    lines[0] = lines[0][node.start_mark.column :]
    return "\n".join(lines)


def _construct_int(loader: _VaultLoading, node: ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    return int(text, 0) if text[:2] in ("0o", "0x") else int(text, 10)


def _construct_timestamp(loader: _VaultLoading, node: ScalarNode) -> object:
    """A date, or the text itself when it is no real date (`2024-02-30`)."""
    try:
        value: object = yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return str(node.value)
    return value


def _use_yaml12(loader: type[_VaultLoading]) -> None:
    """Swap YAML 1.1's bool, int and float resolvers for YAML 1.2's."""
    loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in (BOOL, INT, FLOAT)]
        for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
    }
    loader.add_implicit_resolver(BOOL, YAML12BOOL_RE, list("tTfF"))
    loader.add_implicit_resolver(INT, YAML12INT_RE, list("-+0123456789"))
    loader.add_implicit_resolver(FLOAT, YAML12FLOAT_RE, list("-+0123456789."))
    loader.add_constructor(INT, _construct_int)
    loader.add_constructor(TIMESTAMP, _construct_timestamp)


_use_yaml12(PureLoader)
_use_yaml12(CLoader)


def _duplicate_keys(node: MappingNode) -> Iterator[ScalarNode]:
    seen: set[str] = set()
    for key_node, _ in node.value:
        if isinstance(key_node, ScalarNode) and key_node.tag != MERGE:
            if key_node.value in seen:
                yield key_node
            seen.add(key_node.value)


class TooLarge(Exception):
    """The front matter would expand into too many values, or refers to itself."""

    def __init__(self, message: str, node: Node) -> None:
        super().__init__(message)
        self.node = node


def check_expansion(root: Node) -> None:
    """Raise `TooLarge` when aliases expand past MAX_NODES values or refer to themselves."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_NODES:
                raise TooLarge("aliases expand to too many values", node)
        elif key in open_nodes:
            raise TooLarge("an alias refers to itself", node)
        elif key not in sizes:
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


# --- simple front matter, read without the YAML parser ------------------------------------

SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"

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

_Read = tuple[Node, object]  # a value's node, and the value
# What `LOADER`'s scalar constructors are called with: they use only what a safe
# constructor has (its bool values, its timestamp pattern).
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def load_simple(text: str) -> tuple[MappingNode, dict[str, object], list[ScalarNode]] | None:
    """Front matter written in the simple YAML nearly every note has, read as `LOADER`
    reads it, into the same nodes: the root, the value, the duplicate keys. Each line
    holds one property whose value is a scalar (a text, plain or quoted, on that line; a
    number, date or boolean), a flow list of such scalars, or nothing, then maybe a block
    list of them on the lines below. Anything else gives None (`LOADER` reads it)."""
    if _NOT_SIMPLE_CHAR_RE.search(text) is not None:
        return None
    lines = text.split("\n")
    pairs: list[tuple[Node, Node]] = []
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
    root = MappingNode(MAP, pairs, _mark(0, 0), _mark(len(lines), 0), flow_style=False)
    return root, value, list(_duplicate_keys(root))


def _line_value(line: str, index: int, start: int) -> _Read | None:
    """The value written after a property's name on its line: a text or a flow list."""
    if line[start] == "[":
        return _flow_list(line, index, start)
    found = _text(line, index, start, flow=False)
    if found is None or found[1] != len(line):
        return None
    return _constructed(found[0])


def _text(line: str, index: int, start: int, *, flow: bool) -> tuple[ScalarNode, int] | None:
    """The text at `start` of line `index`, and where it ends (in a block, with the
    blanks after it)."""
    quoted = _QUOTED_RE.match(line, start)
    if quoted is not None:
        single = quoted.group(1) is None
        node = _scalar(STR, quoted.group(2 if single else 1), index, start, quoted.end())
        node.style = "'" if single else '"'
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
    items: list[ScalarNode] = []
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
    return _sequence(items, _mark(index, start), _mark(index, pos + 1), flow=True)


def _block_list(lines: list[str], index: int, end: int) -> tuple[_Read | None, int]:
    """The texts of a block list on the lines below property line `index` (none: the
    property is null), and the line after them."""
    items: list[ScalarNode] = []
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
    return _sequence(items, start, _mark(line, 0), flow=False), line


def _sequence(items: list[ScalarNode], start: Mark, end: Mark, *, flow: bool) -> _Read | None:
    values = []
    for item in items:
        read = _constructed(item)
        if read is None:
            return None
        values.append(read[1])
    return SequenceNode(SEQ, items, start, end, flow_style=flow), values


def _constructed(node: ScalarNode) -> _Read | None:
    """The scalar and its value, made by `LOADER`'s constructor for its tag (None when
    that fails: `LOADER` then reports it)."""
    if node.tag == STR:
        return node, node.value
    try:
        return node, LOADER.yaml_constructors[node.tag](_CONSTRUCTOR, node)
    except (yaml.YAMLError, ValueError, TypeError, KeyError, AttributeError, OverflowError):
        return None


def _skip_blanks(line: str, pos: int) -> int:
    return len(line) - len(line[pos:].lstrip(" "))


def _plain_tag(text: str) -> str:
    """The tag `LOADER` resolves a plain scalar to (YAML 1.2's types, dates)."""
    resolvers = LOADER.yaml_implicit_resolvers
    for tag, pattern in [*resolvers.get(text[0], []), *resolvers.get(None, [])]:
        if pattern.match(text):
            return str(tag)
    return STR


@functools.lru_cache(maxsize=4096)
def _mark(line: int, column: int) -> Mark:
    """A mark at a line and column; one object for each (nothing changes a mark)."""
    return Mark("<unicode string>", 0, line, column, None, 0)


def _scalar(tag: str, value: str, line: int, start: int, end: int) -> ScalarNode:
    return ScalarNode(tag, value, _mark(line, start), _mark(line, end))
