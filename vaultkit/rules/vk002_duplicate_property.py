"""VK002 duplicate-property: a property key given twice in the front matter.

## Why
Obsidian keeps one value per property, and YAML readers disagree about which one wins
(PyYAML silently keeps the last). The first value is lost without a word.

## Example
```markdown fails at=3:1
---
status: todo
status: done
---
```
```markdown passes
---
status: done
---
```

## Fix
Keep one of the two lines. To give a property several values, make it a list:
`tags: [a, b]`.
"""

from __future__ import annotations

from collections.abc import Iterator

from vaultkit.model import Diagnostic, Note
from vaultkit.rules.base import NoOptions, NoteContext, RuleScope, Severity

CODE = "VK002"
NAME = "duplicate-property"
SCOPE: RuleScope = "note"
SEVERITY: Severity = "error"
FIXABLE = False
DEFAULT_ENABLED = True


Options = NoOptions  # this rule takes no options


def check(note: Note, ctx: NoteContext[Options]) -> Iterator[Diagnostic]:
    # Found by the parser's duplicate-aware YAML loader.
    yield from (problem for problem in note.problems if problem.code == CODE)
