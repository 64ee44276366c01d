"""VK103 broken-heading: a link to `#Heading` that is not in the target note.

Headings are compared the way Obsidian compares them: case and punctuation ignored, and
`[[Note#Part#Detail]]` needs `Detail` under `Part`.

## Why
Obsidian opens the note at its top instead of the section, and an embed of the section
shows "Unable to find section". It usually means the heading was renamed.

## Example
```markdown fails at=1:5
See [[Kubernetes#Scheduling]] first.
```
```markdown passes
See [[Kubernetes#pods]] and [[#Notes]] first.

## Notes
```
```markdown file path=Kubernetes.md
# Kubernetes
## Pods
```

## Fix
Link to the heading as it is now written (Obsidian's link suggestions list them after
typing `#`), or restore the heading.
"""

from __future__ import annotations

from collections.abc import Iterator

from vaultkit.model import Diagnostic, Note
from vaultkit.rules.base import NoOptions, NoteContext, RuleScope, Severity

CODE = "VK103"
NAME = "broken-heading"
SCOPE: RuleScope = "note"
SEVERITY: Severity = "error"
FIXABLE = False
DEFAULT_ENABLED = True


Options = NoOptions  # this rule takes no options


def check(note: Note, ctx: NoteContext[Options]) -> Iterator[Diagnostic]:
    index = ctx.vault.index
    for link in note.links:
        if not link.headings:
            continue
        target = index.resolve(link, note.path).path
        if target is None or index.has_heading(target, link.headings):
            continue
        heading = "#".join(link.headings)
        message = f"no heading {heading!r} in {str(target)!r}: Obsidian opens the note at the top"
        yield ctx.report_here(link.span, message)
