"""VK601 overdue: a note past its `due` date that is not done.

Off unless selected (`--select VK601`, or `select` in the configuration): unlike every
other rule it depends on the clock, so the same vault passes today and fails tomorrow. Use
it in a scheduled check, not in a pre-commit hook. Dropped notes are never overdue.

## Why
A plan in time is only useful while its dates mean something: a due date that passed
without the note being done is either work that is late or a date that should move.

## Example
```markdown fails at=2:1
---
due: 2020-01-31
---
- [ ] write the report
```
```markdown passes
---
due: 2020-01-31
---
- [x] write the report
```

## Fix
Finish the note, set a new `due` date, or mark it `status: dropped`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from vaultkit import clock
from vaultkit.model import Diagnostic, State
from vaultkit.rules.base import WHOLE_FILE, NoOptions, RuleScope, Severity, VaultContext, point
from vaultkit.wording import plural

CODE = "VK601"
NAME = "overdue"
SCOPE: RuleScope = "vault"
SEVERITY: Severity = "warning"
FIXABLE = False
DEFAULT_ENABLED = False


Options = NoOptions  # this rule takes no options


def check(ctx: VaultContext[Options]) -> Iterator[Diagnostic]:
    now = clock.today()
    for path in sorted(ctx.paths):
        item = ctx.progress.notes.get(path)
        if item is None or item.due is None or item.state in (State.DONE, State.DROPPED):
            continue
        due = dt.date.fromisoformat(item.due)
        if due >= now:
            continue
        days = (now - due).days
        ago = plural(days // 7, "week") if days >= 7 else plural(days, "day")
        left = f"{item.total - item.done} of {item.total} tasks left" if item.total else item.state
        message = f"due {item.due}, {ago} ago, and not done ({left})"
        line = ctx.vault.notes[path].property_lines.get(ctx.config.due_key)
        yield ctx.report(path, point(line, 1) if line else WHOLE_FILE, message)
