"""VK105 ambiguous-link: a link that matches several files, and Obsidian guesses which.

Obsidian opens the one match under the linking note's folder without doubt, so
`[[Security and privacy]]` written in `Sync/` is no finding when `Sync/Security and
privacy.md` exists beside `Publish/Security and privacy.md`. The rule warns only when
Obsidian's pick falls to a tie-break: the shortest path, then alphabetical order.

## Why
Obsidian still opens one of the files, so the link works, but its choice rests on path
lengths and names: moving or adding one note can silently send the link somewhere
else, and readers of the Markdown (GitHub, other tools) cannot tell which note is meant.
The message says which file Obsidian opens.

## Example
```markdown fails at=1:7
Start [[Docker]] now.
```
```markdown passes
Start [[Skills/Docker]] now.
```
```markdown file path=Skills/Docker.md
# Docker, the skill
```
```markdown file path=Projects/Docker.md
# Docker, the side project
```

## Fix
Write enough of the path to pick one file: `[[Skills/Docker]]`, or `[[Skills/Docker|Docker]]`
to keep the shown text. vaultkit never rewrites the link for you.
"""

from __future__ import annotations

from collections.abc import Iterator

from vaultkit.model import Diagnostic, Note
from vaultkit.rules.base import NoOptions, NoteContext, RuleScope, Severity, named_list

CODE = "VK105"
NAME = "ambiguous-link"
SCOPE: RuleScope = "note"
SEVERITY: Severity = "warning"
FIXABLE = False
DEFAULT_ENABLED = True


Options = NoOptions  # this rule takes no options


def check(note: Note, ctx: NoteContext[Options]) -> Iterator[Diagnostic]:
    for link in note.links:
        found = ctx.vault.index.resolve(link, note.path)
        if not found.tie_break:
            continue
        candidates = found.candidates
        names = (repr(str(path)) for path in candidates[1:])
        others = named_list(names, len(candidates) - 1, ("file", "files"))
        message = (
            f"{link.target!r} matches {len(found.candidates)} files: "
            f"Obsidian opens {str(found.path)!r}, not {others}"
        )
        yield ctx.report_here(link.span, message)
