"""VK005 undecodable-note: a note whose bytes are not UTF-8.

## Why
Obsidian reads every note as UTF-8, so a note saved in another encoding (GBK, Big5,
Latin-1) shows replacement characters, and its links, tags and tasks are garbled. vaultkit
reads nothing from such a note and never writes into it.

## Example
```markdown fails at=file encoding=latin-1
Café au lait, crème brûlée.
```
```markdown passes
Café au lait, crème brûlée.
```

## Fix
Convert the note to UTF-8, for example `iconv -f GBK -t UTF-8 note.md > fixed.md`, check
the result, and replace the note with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from vaultkit.model import Diagnostic, Note
from vaultkit.rules.base import NoteContext, Scope, Severity

CODE = "VK005"
NAME = "undecodable-note"
SCOPE: Scope = "note"
SEVERITY: Severity = "error"
FIXABLE = False
DEFAULT_ENABLED = True


@dataclass(frozen=True, slots=True)
class Options:
    pass


def check(note: Note, ctx: NoteContext[Options]) -> Iterator[Diagnostic]:
    # The parser reports it when strict UTF-8 decoding fails.
    yield from (problem for problem in note.problems if problem.code == CODE)
