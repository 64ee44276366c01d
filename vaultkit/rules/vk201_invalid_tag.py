"""VK201 invalid-tag: a front-matter tag Obsidian will not read.

A tag needs at least one character that is not a digit, and cannot contain spaces. In the
body such text is simply not a tag; in the `tags` property it is a tag the writer meant
and Obsidian drops.

## Why
The note is missing from the tag pane and from tag searches, without any sign in the
editor.

## Example
```markdown fails at=2:15
---
tags: [cloud, machine learning]
---
```
```markdown passes
---
tags: [cloud, machine-learning, y2024]
---
```

## Fix
Join words with `-`, `_` or `/` (`machine-learning`, `ml/ops`), and give numbers a
letter (`y2024`).
"""

from __future__ import annotations

from collections.abc import Iterator

from vaultkit.model import Diagnostic, Note
from vaultkit.rules.base import NoOptions, NoteContext, RuleScope, Severity, locate, properties

CODE = "VK201"
NAME = "invalid-tag"
SCOPE: RuleScope = "note"
SEVERITY: Severity = "error"
FIXABLE = False
DEFAULT_ENABLED = True


Options = NoOptions  # this rule takes no options


def check(note: Note, ctx: NoteContext[Options]) -> Iterator[Diagnostic]:
    for key, value in properties(note, ("tags",)):
        for written in _items(value):
            problem = _problem(written)
            if problem:
                yield ctx.report_here(locate(ctx, note, key, written), f"tag {written!r} {problem}")


def _items(value: object) -> list[str]:
    """The tags as written. `tags: a, b` is VK003's finding, not two bad tags."""
    if isinstance(value, str):
        return [] if "," in value else [value]
    if isinstance(value, list):
        return [
            str(item)
            for item in value
            if isinstance(item, str | int) and not isinstance(item, bool)
        ]
    return []


def _problem(written: str) -> str | None:
    name = written.strip().removeprefix("#")
    if not name:
        return None
    if any(char.isspace() for char in name):
        return "contains a space: Obsidian drops it"
    if name.isdigit():
        return "is only digits: Obsidian drops it"
    return None
