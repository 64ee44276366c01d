"""VK004 deprecated-property: `tag`, `alias` or `cssclass` instead of the plural.

## Why
Obsidian 1.4 deprecated the singular names and 1.9 stopped reading them: the note's tags,
aliases or CSS classes are silently gone from search, the tag pane and link suggestions.

## Example
```markdown fails at=2:1
---
tag: [learning, k8s]
---
```
```markdown passes
---
tags: [learning, k8s]
---
```

## Fix
Rename the key to `tags`, `aliases` or `cssclasses`. `vaultkit lint --fix` renames it
when the note has no plural key yet; when it has both, merge the two lists by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType

from vaultkit.model import Diagnostic, Edit, Note
from vaultkit.rules.base import NoOptions, NoteContext, RuleScope, Severity, locate, properties

CODE = "VK004"
NAME = "deprecated-property"
SCOPE: RuleScope = "note"
SEVERITY: Severity = "error"
FIXABLE = True
DEFAULT_ENABLED = True

PLURALS: Mapping[str, str] = MappingProxyType(
    {"tag": "tags", "alias": "aliases", "cssclass": "cssclasses"}
)
# After the key as written: optional blanks, then the colon that ends a YAML key.
KEY_END = re.compile(r"[ \t]*:")


Options = NoOptions  # this rule takes no options


def check(note: Note, ctx: NoteContext[Options]) -> Iterator[Diagnostic]:
    written = {key.casefold(): key for key in map(str, note.frontmatter)}
    for key, _ in properties(note, PLURALS):
        plural = PLURALS[key.casefold()]
        renamed = _same_case(key, plural)
        where = locate(ctx, note, key)
        if plural in written:
            existing = written[plural]
            message = f"{key!r} is deprecated and no longer read: merge it into {existing!r}"
            yield ctx.report_here(where, message)
            continue
        message = f"{key!r} is deprecated and no longer read: rename it {renamed!r}"
        yield ctx.report_here(where, message, _rename(ctx, where.line, key, renamed))


def _same_case(key: str, plural: str) -> str:
    """The plural in the key's case: `tag` -> `tags`, `TAG` -> `TAGS`, `Tag` -> `Tags`."""
    if key.isupper():
        return plural.upper()
    return key + plural[len(key) :]


def _rename(ctx: NoteContext[Options], line: int, key: str, renamed: str) -> Edit | None:
    """The edit, when the key is written plainly at the start of its line."""
    text = ctx.line(line)
    if text.startswith(key) and KEY_END.match(text, len(key)):
        return Edit(line, 1, key, renamed)
    return None
