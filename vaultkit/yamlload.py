"""PyYAML set up to read front matter as Obsidian does, and to refuse what would hang it.

Imported only for front matter `plainyaml` does not read alone (importing PyYAML and
python-frontmatter costs more than reading a note). The loader:

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

import re
import sys
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, cast

import frontmatter
import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from vaultkit import plainyaml
from vaultkit.plainyaml import BOOL, FLOAT, INT, STR, TIMESTAMP, duplicate_keys, key_text

if TYPE_CHECKING:
    _Loading = yaml.SafeLoader
else:
    _Loading = object

MAX_NODES = 100_000  # values once aliases are expanded

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
        self.duplicates: list[plainyaml.Node] = []

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Hashable, Any]:
        if not isinstance(node, MappingNode):
            raise ConstructorError(None, None, "expected a mapping", node.start_mark)
        self.duplicates.extend(duplicate_keys(node))
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


def _construct_int(loader: _VaultLoading, node: ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    if text[:2] in ("0o", "0x"):
        return int(text, 0)
    try:
        return int(text, 10)
    except ValueError:
        # Python reads at most `sys.get_int_max_str_digits()` decimal digits (4,300 by
        # default): a longer number is said to be one, not an ill-fitting tag.
        digits, limit = sum(ch.isdigit() for ch in text), sys.get_int_max_str_digits()
        if not 0 < limit < digits:
            raise
        raise TooLarge(
            f"a number of {digits:,} digits (at most {limit:,} are read)", node
        ) from None


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


class TooLarge(Exception):
    """The front matter would expand into too many values, refers to itself, or holds a
    number too long to read."""

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


class Handler(frontmatter.YAMLHandler):
    """python-frontmatter's YAML handler, loading with `LOADER` and keeping the nodes."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.root: Node | None = None
        self.value: object = None
        self.duplicates: list[plainyaml.Node] = []

    def split(self, text: str) -> tuple[str, str]:
        # `frontmatter.parse` strips what it is given, which would shift every line:
        # hand back the front matter exactly as it was cut from the note.
        return self.text, ""

    def load(self, fm: str, **kwargs: object) -> dict[str, object]:
        loader = LOADER(fm)
        try:
            self.root = loader.get_single_node()
            if self.root is not None and "*" in fm:
                check_expansion(self.root)
            self.value = None if self.root is None else loader.construct_document(self.root)
            self.duplicates = loader.duplicates
        finally:
            loader.dispose()
        return self.value if isinstance(self.value, dict) else {}


def load(text: str) -> tuple[plainyaml.Node | None, object, list[plainyaml.Node]]:
    """The front matter `text` read through `frontmatter.parse`: its root node, its value,
    its duplicate keys. Raises what PyYAML raises, or `TooLarge`."""
    handler = Handler(text)
    frontmatter.parse(text, handler=handler)
    # PyYAML's nodes have all of `plainyaml.Node` (its stubs give `id` to the subclasses).
    root = cast("plainyaml.Node | None", handler.root)
    return root, handler.value, handler.duplicates


def alias_past(text: str, limit: int) -> tuple[int, int] | None:
    """Where the YAML `text` has used more than `limit` aliases (its 0-based line and
    column), counted before composing; None when it has not, or is not valid YAML."""
    count = 0
    try:
        for event in yaml.parse(text, Loader=LOADER):
            count += isinstance(event, yaml.AliasEvent)
            if count > limit and event.start_mark is not None:
                return event.start_mark.line, event.start_mark.column
    except yaml.YAMLError:
        return None  # the real load reports it, at its line
    return None


def resolved(text: str) -> str:
    """The tag `LOADER` resolves a plain scalar to (YAML 1.2's types, dates)."""
    resolvers = LOADER.yaml_implicit_resolvers
    for tag, pattern in [*resolvers.get(text[0], []), *resolvers.get(None, [])]:
        if pattern.match(text):
            return str(tag)
    return STR


# What `LOADER`'s scalar constructors are called with: they use only what a safe
# constructor has (its bool values, its timestamp pattern).
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def constructed(tag: str, value: str) -> tuple[object] | None:
    """What `LOADER`'s constructor for `tag` makes of a plain scalar `value` (in a tuple);
    None when it fails (`LOADER` then reports it)."""
    try:
        return (LOADER.yaml_constructors[tag](_CONSTRUCTOR, ScalarNode(tag, value)),)
    except (
        yaml.YAMLError,
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        OverflowError,
        TooLarge,
    ):
        return None
