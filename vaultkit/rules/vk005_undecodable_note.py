"""VK005 undecodable-note: a note whose bytes, or whose file name, are not UTF-8.

## Why
Obsidian reads every note as UTF-8, so a note saved in another encoding (GBK, Big5,
Latin-1) shows replacement characters, and its links, tags and tasks are garbled. vaultkit
reads nothing from such a note and never writes into it.

A file name with bytes that are not UTF-8 (`bad\\xffname.md`, made on a system with another
encoding, or by an archive tool) cannot be opened by Obsidian under the name it shows.
vaultkit leaves such a note out of the vault and reports it at 1:1, its path showing each
such byte as `\\xff`; this finding comes only when the whole vault is linted.

## Example
```markdown fails at=file encoding=latin-1
Café au lait, crème brûlée.
```
```markdown passes
Café au lait, crème brûlée.
```

## Fix
Convert the note to UTF-8, for example `iconv -f GBK -t UTF-8 note.md > fixed.md`, check
the result, and replace the note with it. Rename a file whose name is not UTF-8, for
example with `convmv -f latin1 -t utf8 --notest`.
"""

from __future__ import annotations

from collections.abc import Iterator

from vaultkit.model import Diagnostic, Note
from vaultkit.rules.base import NoOptions, NoteContext, RuleScope, Severity

CODE = "VK005"
NAME = "undecodable-note"
SCOPE: RuleScope = "note"
SEVERITY: Severity = "error"
FIXABLE = False
DEFAULT_ENABLED = True


Options = NoOptions  # this rule takes no options


def check(note: Note, ctx: NoteContext[Options]) -> Iterator[Diagnostic]:
    # The parser reports it when strict UTF-8 decoding fails.
    yield from (problem for problem in note.problems if problem.code == CODE)
