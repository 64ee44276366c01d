"""VK003 property-type: a reserved or dependency property of the wrong shape.

Reserved properties (`tags`, `aliases`, `cssclasses`) are lists of text. A dependency
property (`requires`, or the names configured in `requires`) is a link or a list of links,
each written as a quoted `"[[Note]]"`.

## Why
Obsidian reads only the shapes it expects. `tags: a, b` is one text value, not two tags;
an unquoted `- #x` item is a YAML comment, so the tag is lost; an unquoted `[[Docker]]`
is a nested YAML list, not a link, so the dependency silently disappears from the graph.
An item left empty (`- ` with nothing after it, as templates leave them) is no mistake:
Obsidian drops it, and so does vaultkit.

## Example
```markdown fails at=2:11
---
requires: [[Docker]]
---
```
```markdown passes
---
requires: "[[Docker]]"
---
```
```markdown file path=Docker.md
A note named Docker.
```

## Fix
Write reserved properties as YAML lists (`tags: [a, b]`, or one `- item` per line), quote
tags that start with `#` or leave the `#` out, and quote every link: `requires:
["[[Docker]]", "[[Helm]]"]`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from vaultkit.model import Diagnostic, Note, Span
from vaultkit.rules.base import (
    NoOptions,
    NoteContext,
    RuleScope,
    Severity,
    locate,
    properties,
    property_line_numbers,
)

CODE = "VK003"
NAME = "property-type"
SCOPE: RuleScope = "note"
SEVERITY: Severity = "error"
FIXABLE = False
DEFAULT_ENABLED = True

LIST_PROPERTIES = ("tags", "aliases", "cssclasses")
# A property value Obsidian tracks as a link: the whole text is one `[[...]]`.
WIKILINK_VALUE = re.compile(r"\s*\[\[[^\[\]]+\]\]\s*")

# A list item that is nothing but a YAML comment: `  - #x`; group 1 the comment.
ITEM_COMMENT = re.compile(r"[ \t]*-[ \t]+(#.*?)[ \t]*")
# A key whose whole value is a YAML comment: `tags: #x`; group 1 the comment.
VALUE_COMMENT = re.compile(r"[^#]*?:[ \t]+(#.*?)[ \t]*")

# (text to point at, message): the text is looked for in the property's lines.
Problem = tuple[str | None, str]


Options = NoOptions  # this rule takes no options


def check(note: Note, ctx: NoteContext[Options]) -> Iterator[Diagnostic]:
    found: list[tuple[str, Problem]] = []
    for key, value in properties(note, LIST_PROPERTIES):
        found += [(key, problem) for problem in _list_problems(key, value)]
        for at, comment in _comments(ctx, note, key, value):
            yield ctx.report_here(at, _comment_message(key, comment))
    for key, value in properties(note, ctx.config.requires):
        found += [(key, problem) for problem in _link_problems(key, value)]
    for key, (needle, message) in found:
        yield ctx.report_here(locate(ctx, note, key, needle), message)


def _list_problems(key: str, value: object) -> Iterator[Problem]:
    if value is None:
        return
    if isinstance(value, str):
        if key.casefold() == "tags" and "," in value:
            yield value, f"{key} {value!r} is one text value, not a list of tags"
        return
    if not isinstance(value, list):
        yield None, f"{key} must be a list of text, not {value!r}"
        return
    for item in value:
        if isinstance(item, list | dict):
            yield None, f"item {item!r} in {key} is not text"


def _comments(
    ctx: NoteContext[Options], note: Note, key: str, value: object
) -> Iterator[tuple[Span, str]]:
    """Where an unquoted `#` turned a value the writer meant into a YAML comment.

    An empty item (`- ` alone) is no value either, and is fine: Obsidian drops it.
    """
    lines = property_line_numbers(note, key)
    for number in lines:
        if number == lines.start:
            found = VALUE_COMMENT.fullmatch(ctx.line(number)) if value is None else None
        else:
            found = ITEM_COMMENT.fullmatch(ctx.line(number)) if isinstance(value, list) else None
        if found:
            yield Span(number, found.start(1) + 1, number, found.end(1) + 1), found.group(1)


def _comment_message(key: str, comment: str) -> str:
    how = "quote it or leave out the '#'" if key.casefold() == "tags" else "quote it"
    return f"an unquoted '#' starts a YAML comment: {comment!r} is not in {key} ({how})"


def _link_problems(key: str, value: object) -> Iterator[Problem]:
    items = value if isinstance(value, list) and not _unquoted_link(value) else [value]
    for item in items:
        if item is None or (isinstance(item, str) and WIKILINK_VALUE.fullmatch(item)):
            continue
        if _unquoted_link(item):
            written = f"[[{_flatten(item)}]]"
            yield written, f"{key} item {written!r} is not quoted: YAML reads it as a nested list"
        else:
            yield _text(item), f'{key} item {item!r} is not a link: write it as "[[...]]"'


def _unquoted_link(item: object) -> bool:
    """`[[Docker]]` unquoted: YAML's list of a list of one text."""
    return (
        isinstance(item, list)
        and len(item) == 1
        and isinstance(item[0], list)
        and len(item[0]) == 1
        and isinstance(item[0][0], str)
    )


def _flatten(item: object) -> str:
    while isinstance(item, list) and item:
        item = item[0]
    return str(item)


def _text(item: object) -> str | None:
    return item if isinstance(item, str) and item else None
