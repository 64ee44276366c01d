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

import re
from collections.abc import Hashable, Iterator
from typing import TYPE_CHECKING, Any

import yaml
from yaml.constructor import ConstructorError
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
