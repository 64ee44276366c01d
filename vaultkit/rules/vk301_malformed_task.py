"""VK301 malformed-task: a line that tries to be a task and is not one.

`-[ ]` (no space after the marker), `- []` (nothing in the brackets) and `- [ ]x` (no
space after the brackets) look like tasks in the editor but are plain text to Obsidian.

## Why
Obsidian shows no checkbox, the Tasks and Dataview plugins skip the line, and vaultkit
leaves it out of the note's progress: the work is silently not counted.

## Example
```markdown fails at=2:1
- [x] Install kubectl
-[ ] Create a kind cluster
```
```markdown passes
- [x] Install kubectl
- [ ] Create a kind cluster
```

## Fix
Write `- [ ] ` exactly: marker, space, brackets holding one character, space.
`vaultkit lint --fix` rewrites the prefix.
"""

from __future__ import annotations

from collections.abc import Iterator

from vaultkit.model import Diagnostic, Edit, Note
from vaultkit.rules.base import NoOptions, NoteContext, RuleScope, Severity

CODE = "VK301"
NAME = "malformed-task"
SCOPE: RuleScope = "note"
SEVERITY: Severity = "error"
FIXABLE = True
DEFAULT_ENABLED = True


Options = NoOptions  # this rule takes no options


def check(note: Note, ctx: NoteContext[Options]) -> Iterator[Diagnostic]:
    for task in note.malformed_tasks:
        message = f"{task.written!r} is not a task: write {task.fixed!r}"
        fix = Edit(task.span.line, task.span.col, task.written, task.fixed)
        yield ctx.report_here(task.span, message, fix)
