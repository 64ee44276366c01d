"""VK502 malformed-block: managed-block markers vaultkit cannot use.

A begin marker without an end (or the reverse), a block inside another, two blocks of the
same kind with the same parameters, an unknown kind or parameter, a parameter value
vaultkit cannot use (`limit=0`, `group=P2`), or a marker inside a list, a quote or another
HTML block.

## Why
vaultkit never writes into a note whose markers it cannot pair up: guessing could
overwrite the writer's own text. Until the markers are fixed, the block stays as it is.

## Example
```markdown fails at=3:1
# Skills
<!-- vaultkit:begin progress -->
<!-- vaultkit:begin progress -->
░░░░░░░░░░ 0% · no tasks · untracked
<!-- vaultkit:end progress -->
```
```markdown passes
# Skills
<!-- vaultkit:begin progress -->
░░░░░░░░░░ 0% · no tasks · untracked
<!-- vaultkit:end progress -->
```

## Fix
Give each `<!-- vaultkit:begin KIND ... -->` one `<!-- vaultkit:end KIND -->` below it,
each alone on its line at the top level of the note. The kinds are `progress`, `rollup`,
`next`, `graph`, `timeline` and `burnup`; their parameters `group-by`, `folder`, `tag`, `group`
(only `group=this`: the notes whose group is this note) and `limit` (1 to 1000).
"""

from __future__ import annotations

from collections.abc import Iterator

from vaultkit.model import Diagnostic, Note
from vaultkit.rules.base import NoOptions, NoteContext, RuleScope, Severity

CODE = "VK502"
NAME = "malformed-block"
SCOPE: RuleScope = "note"
SEVERITY: Severity = "error"
FIXABLE = False
DEFAULT_ENABLED = True


Options = NoOptions  # this rule takes no options


def check(note: Note, ctx: NoteContext[Options]) -> Iterator[Diagnostic]:
    for problem in note.blocks.problems:  # found when the note was parsed
        yield ctx.report_here(problem.span, problem.message)
