"""Find and read a note's front matter (Obsidian's Properties) without ever raising.

Front matter exists only when line 1 is exactly `---` and a later line is exactly `---`
(OBSIDIAN.md); we find both ourselves, because `frontmatter.parse` strips the text and
cannot give line numbers. Simple front matter is read by `plainyaml`; the rest goes through
python-frontmatter's tuple API with a handler that loads with `yamlload.LOADER` (YAML 1.2
scalars, keys as written, duplicate keys recorded). Both keep the nodes, so each property,
tag, alias and link in a value has its line and column.

Alias bombs, recursive aliases, oversized or deeply nested YAML become a VK001 finding
and the front matter counts as INVALID (WRITE-SAFETY.md rows 2-5).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType

import msgspec

from vaultkit.mdplugin import WikiTarget, is_tag_name, split_wikilink
from vaultkit.model import EMPTY_MAPPING, FrontmatterState, Link, Span, Tag
from vaultkit.plainyaml import NOT_TEXT, STR, Node, key_text, load_simple

DELIMITER = "---"
MAX_CHARS = 256 * 1024  # larger front matter is a finding, not something to load
MAX_ALIASES = 100  # counted before composing: more is treated as an alias bomb
FIRST_LINE = 2  # the file line of the YAML's first line, just below the opening `---`


# Nothing prints these (`model.record` says why this matters).
class Problem(msgspec.Struct, frozen=True):
    """A finding about the front matter; `parse` adds the note's path."""

    line: int
    col: int
    code: str
    message: str


class Frontmatter(msgspec.Struct, frozen=True):
    state: FrontmatterState
    data: Mapping[str, object]
    property_lines: Mapping[str, int]
    body_line: int  # 1-based line after the closing `---` (1 without front matter)
    links: tuple[Link, ...]
    tags: tuple[Tag, ...]
    aliases: tuple[str, ...]
    problems: tuple[Problem, ...]


NO_LINES: Mapping[str, int] = MappingProxyType({})
# Front matter read: its root node (None when empty), its value, its duplicate keys.
_Loaded = tuple[Node | None, object, list[Node]]
ABSENT = Frontmatter(FrontmatterState.ABSENT, EMPTY_MAPPING, NO_LINES, 1, (), (), (), ())


def has_frontmatter(text: str) -> bool:
    """Line 1 is exactly `---`, ended by LF or CRLF (a BOM was already ruled out)."""
    return text.startswith(("---\n", "---\r\n"))


def closing_index(lines: Sequence[str]) -> int | None:
    """The 0-based index of the closing `---` line, when line 1 opens front matter."""
    for index in range(1, len(lines)):
        if lines[index] == DELIMITER:
            return index
    return None


def read_frontmatter(lines: Sequence[str], close: int) -> Frontmatter:
    """Read the front matter between line 1 and `lines[close]` (both `---`)."""
    text = "\n".join(lines[1:close])
    body_line = close + 2
    if len(text) > MAX_CHARS:
        problem = Problem(1, 1, "VK001", "front matter is larger than 256 KiB")
        return _invalid(body_line, (problem,))
    loaded: _Loaded | None = load_simple(text)
    if loaded is None:
        read = _load(text, close)
        if isinstance(read, Problem):
            return _invalid(body_line, (read,))
        loaded = read
    root, value, _ = loaded
    if value is not None and not isinstance(value, dict):
        assert root is not None  # a value only comes from a node
        line, col = _position(root.start_mark.line, root.start_mark.column)
        kind = "list" if isinstance(value, list) else "single value"
        message = f"front matter is a {kind}, not a mapping of properties"
        return _invalid(body_line, (Problem(line, col, "VK001", message),))
    return _mapping(lines, text, loaded, body_line)


def _invalid(body_line: int, problems: tuple[Problem, ...]) -> Frontmatter:
    state = FrontmatterState.INVALID
    return Frontmatter(state, EMPTY_MAPPING, NO_LINES, body_line, (), (), (), problems)


def _load(text: str, close: int) -> _Loaded | Problem:
    """Load with PyYAML through `frontmatter.parse`; any failure, or more aliases than
    anyone writes, becomes a VK001 problem."""
    # Imported here, for the front matter `load_simple` declines: most runs after an edit
    # read none, and PyYAML with python-frontmatter costs about 20 ms to import.
    import yaml

    from vaultkit import yamlload

    if text.count("*") > MAX_ALIASES:
        past = yamlload.alias_past(text, MAX_ALIASES)
        if past is not None:
            line, col = _position(*past)
            return Problem(line, col, "VK001", "front matter uses over 100 YAML aliases")
    try:
        return yamlload.load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (1, 1) if mark is None else _position(mark.line, mark.column)
        detail = exc.problem or exc.context or "not valid YAML"
        return Problem(min(line, close + 1), col, "VK001", f"invalid front matter: {detail}")
    except yamlload.TooLarge as exc:
        line, col = _position(exc.node.start_mark.line, exc.node.start_mark.column)
        return Problem(line, col, "VK001", f"invalid front matter: {exc}")
    except RecursionError:
        return Problem(1, 1, "VK001", "invalid front matter: nested too deeply")
    # PyYAML's constructors raise plain Python errors on crafted input (`!!int abc`,
    # `!!bool maybe`, `!!timestamp x`); a bad note must be a finding, never a crash.
    except (yaml.YAMLError, ValueError, TypeError, KeyError, AttributeError, OverflowError):
        message = "invalid front matter: a value does not fit its explicit YAML tag"
        return Problem(1, 1, "VK001", message)


def _position(mark_line: int, mark_column: int) -> tuple[int, int]:
    """A YAML mark (0-based, inside the front matter) as a 1-based file line and column."""
    return mark_line + FIRST_LINE, mark_column + 1


def _mapping(lines: Sequence[str], text: str, loaded: _Loaded, body_line: int) -> Frontmatter:
    links: list[Link] = []
    tags: list[Tag] = []
    aliases: list[str] = []
    key_lines: dict[str, int] = {}
    # A value holds `[[` only where the YAML does, or where an escape in double quotes
    # makes one: front matter with neither has no property links to look for.
    root, value, duplicates = loaded
    linked = "[[" in text or "\\" in text
    for key, (key_node, node) in _pairs(text, root).items():
        key_lines[key] = key_node.start_mark.line + FIRST_LINE
        if linked:
            links.extend(_property_links(lines, key, node))
        low = key.lower()
        if low == "tags":
            tags.extend(_tags(node))
        elif low == "aliases":
            aliases.extend(_texts(node))
    data = value if isinstance(value, dict) else {}
    return Frontmatter(
        state=FrontmatterState.MAPPING,
        data=MappingProxyType(data),
        property_lines=MappingProxyType(key_lines),
        body_line=body_line,
        links=tuple(links),
        tags=tuple(tags),
        aliases=tuple(aliases),
        problems=tuple(_duplicate_problem(node) for node in duplicates),
    )


def _pairs(text: str, root: Node | None) -> dict[str, tuple[Node, Node]]:
    """Top-level (key node, value node) by property name; the last one wins, as in the data."""
    if root is None or root.id != "mapping":
        return {}
    return {key_text(text, key): (key, value) for key, value in root.value}


def _duplicate_problem(node: Node) -> Problem:
    line, col = _position(node.start_mark.line, node.start_mark.column)
    return Problem(line, col, "VK002", f"property {node.value!r} is given more than once")


def _scalars(node: Node) -> list[Node]:
    """A property's scalar values: the value itself, or its list items (nested lists too)."""
    if node.id == "scalar":
        return [node]
    found = []
    stack, seen = [node], set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if current.id == "scalar":
            found.append(current)
        elif current.id == "sequence":
            stack.extend(reversed(current.value))
    return found


def _text_items(node: Node) -> Iterator[tuple[Node, str]]:
    """The text items of `tags` or `aliases`, trimmed: a text, or a list's text items.

    Obsidian keeps only text: empty items, numbers, booleans and nested values are dropped
    without a word. A date stays, since YAML 1.2 reads `2024-01-01` as text.
    """
    items = node.value if node.id == "sequence" else [node]
    for item in items:
        if item.id == "scalar" and item.tag not in NOT_TEXT and item.value.strip():
            yield item, item.value.strip()


def _texts(node: Node) -> Iterator[str]:
    return (text for _, text in _text_items(node))


def _tags(node: Node) -> Iterator[Tag]:
    for item, text in _text_items(node):
        name = text.removeprefix("#")
        if is_tag_name(name):
            yield Tag(name, _node_span(item), in_frontmatter=True)


def _node_span(node: Node) -> Span:
    line, col = _position(node.start_mark.line, node.start_mark.column)
    end_line, end_col = _position(node.end_mark.line, node.end_mark.column)
    return Span(line, col, end_line, end_col)


def _property_links(lines: Sequence[str], key: str, node: Node) -> list[Link]:
    """Wikilinks written in a property's text values, each at its `[[` in the file."""
    links: list[Link] = []
    for scalar in _scalars(node):
        if scalar.tag != STR or "[[" not in scalar.value:
            continue
        cursor = (scalar.start_mark.line + FIRST_LINE, scalar.start_mark.column + 1)
        for written, parts in _wikilinks_in(scalar.value):
            span = _find(lines, written, cursor, scalar.end_mark.line + FIRST_LINE)
            if span is None:
                span = _node_span(scalar)  # escaped in a quoted string: point at the value
            else:
                cursor = (span.end_line, span.end_col)
            links.append(
                Link(
                    parts.target,
                    parts.headings,
                    parts.block,
                    parts.alias,
                    written.startswith("!"),
                    "property",
                    span,
                    property=key,
                )
            )
    return links


def _wikilinks_in(text: str) -> Iterator[tuple[str, WikiTarget]]:
    """(`[[...]]` or `![[...]]` as written, its parts) for each wikilink in a text value."""
    start = text.find("[[")
    while start >= 0:
        close = text.find("]]", start + 2)
        if close < 0:
            return
        inner = text[start + 2 : close]
        parts = None if "\n" in inner or "[" in inner else split_wikilink(inner)
        if parts is not None:
            embed = start > 0 and text[start - 1] == "!"
            yield ("!" if embed else "") + text[start : close + 2], parts
            start = text.find("[[", close + 2)
        else:
            start = text.find("[[", start + 1)


def _find(lines: Sequence[str], written: str, cursor: tuple[int, int], last: int) -> Span | None:
    """Where `written` first appears at or after `cursor` (1-based), up to line `last`."""
    line, col = cursor
    while line <= min(last, len(lines)):
        at = lines[line - 1].find(written, col - 1)
        if at >= 0:
            return Span(line, at + 1, line, at + 1 + len(written))
        line, col = line + 1, 1
    return None
