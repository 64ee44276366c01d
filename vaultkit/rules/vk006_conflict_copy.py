"""VK006 conflict-copy: a sync tool's conflict copy, or git conflict markers in a note.

Conflict copies are `Name (Conflicted copy DEVICE YYYYMMDDHHMM).md` (Obsidian Sync) and
`Name.sync-conflict-*.md` (Syncthing). Only this rule reports on a conflict copy: its
other findings would repeat the original's.

## Why
A conflict copy holds edits that are in no other note: Obsidian shows it as one more note,
and its links and tasks count twice. Git conflict markers (`<<<<<<<`, `>>>>>>>`) mean a
merge was left half done; vaultkit never writes into such a note.

## Example
```markdown fails at=2:1
# Plan
<<<<<<< HEAD
- [x] Read the CKA syllabus
=======
- [ ] Read the CKA syllabus
>>>>>>> laptop
```
```markdown fails at=file path="Plan (Conflicted copy laptop 202405011230).md"
# Plan
- [ ] Read the CKA syllabus
```
```markdown passes
# Plan
- [x] Read the CKA syllabus
```

## Fix
Merge what differs into the original note, then delete the conflict copy; for git
markers, keep the right lines and delete the marker lines.
"""

from __future__ import annotations

from collections.abc import Iterator

from vaultkit.discover import is_conflict_copy
from vaultkit.lines import conflict_marker
from vaultkit.model import Diagnostic, Note
from vaultkit.rules.base import WHOLE_FILE, NoOptions, NoteContext, RuleScope, Severity

CODE = "VK006"
NAME = "conflict-copy"
SCOPE: RuleScope = "note"
SEVERITY: Severity = "error"
FIXABLE = False
DEFAULT_ENABLED = True


Options = NoOptions  # this rule takes no options


def check(note: Note, ctx: NoteContext[Options]) -> Iterator[Diagnostic]:
    if is_conflict_copy(note.path):
        message = f"{note.path.name!r} is a sync conflict copy: merge it and delete it"
        yield ctx.report_here(WHOLE_FILE, message)
    # One finding per conflict, at its `<<<<<<<` line; every marker when none opens one.
    starts = [s for s in note.conflict_markers if conflict_marker(ctx.line(s.line)) == "<"]
    for span in starts or note.conflict_markers:
        marker = ctx.line(span.line)[:7]
        yield ctx.report_here(span, f"git conflict marker {marker!r}: finish the merge")
