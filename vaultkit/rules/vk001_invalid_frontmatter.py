"""VK001 invalid-frontmatter: front matter that does not parse, or is not a mapping.

## Why
Obsidian reads none of the note's properties: no tags, no aliases, no `requires`, and the
Properties view shows the block as invalid. vaultkit also treats the note as read-only,
because it cannot know what the broken front matter was meant to say.

## Example
```markdown fails at=3:1
---
tags: [learning
---
Notes on Kubernetes.
```
```markdown passes
---
tags: [learning]
---
Notes on Kubernetes.
```

## Fix
Correct the YAML at the line the message names. A `---` on a note's first line always
opens front matter: to start a note with a horizontal rule, write `***` or `___` instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from vaultkit.model import Diagnostic, Note
from vaultkit.rules.base import NoOptions, NoteContext, RuleScope, Severity

CODE = "VK001"
NAME = "invalid-frontmatter"
SCOPE: RuleScope = "note"
SEVERITY: Severity = "error"
FIXABLE = False
DEFAULT_ENABLED = True


Options = NoOptions  # this rule takes no options


def check(note: Note, ctx: NoteContext[Options]) -> Iterator[Diagnostic]:
    # The parser finds these while reading the note (it never raises); this rule owns them.
    yield from (problem for problem in note.problems if problem.code == CODE)
