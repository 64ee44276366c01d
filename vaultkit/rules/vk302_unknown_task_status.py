"""VK302 unknown-task-status: a task status character that is not mapped.

The default map follows the Tasks plugin: space to do, `x` and `X` done, `/` in progress,
`-` cancelled, `>` deferred (to do). Other characters render as checked in Obsidian, but
mean whatever the writer's theme or plugin says.

## Why
vaultkit counts an unmapped task as to do, so a note full of `[!]` or `[?]` tasks never
reaches done, and its progress disagrees with what the writer sees.

## Example
```markdown fails at=2:4
- [x] Pass the CKA
- [!] Renew the CKA before it lapses
```
```markdown passes
- [x] Pass the CKA
- [ ] Renew the CKA before it lapses
```

## Fix
Use a mapped character, or map yours in `.vaultkit.toml`:

```toml
[task-status]
"!" = "todo"
"?" = "todo"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from vaultkit.model import Diagnostic, Note
from vaultkit.rules.base import NoOptions, NoteContext, RuleScope, Severity

CODE = "VK302"
NAME = "unknown-task-status"
SCOPE: RuleScope = "note"
SEVERITY: Severity = "warning"
FIXABLE = False
DEFAULT_ENABLED = True


Options = NoOptions  # this rule takes no options


def check(note: Note, ctx: NoteContext[Options]) -> Iterator[Diagnostic]:
    mapped = ctx.config.task_status
    for task in note.tasks:
        if task.status not in mapped:
            message = (
                f"task status {task.status!r} is not mapped: it counts as todo"
                " (map it under [task-status])"
            )
            yield ctx.report_here(task.span, message)
