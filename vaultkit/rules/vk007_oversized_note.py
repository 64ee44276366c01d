"""VK007 oversized-note: a note larger than `max-note-size`, read only line by line.

## Why
A Markdown parser can take minutes and gigabytes on a large note of the wrong kind (a
bracket or a tag every few bytes, hundreds of thousands of tasks), so vaultkit parses a
note only up to a size cap, `max-note-size` (250,000 bytes unless configured). A
larger note is read line by line instead: its front matter, ATX headings, tasks,
wikilinks and embeds, tags and block ids count as usual, but Markdown links, Dataview
fields, `%% comments %%`, setext headings and code spans are not read, so findings and
progress for it may differ from a parse. A canvas's text cards are read as notes too (their
links are checked): when the cards that may hold a link hold more than `max-note-size`
bytes of text between them, none is read, and VK007 is reported at the top of the canvas.

## Example
```markdown fails at=file max-note-size=40
# Log

- [x] a task in a note over the cap
```
```markdown passes max-note-size=40
Short.
```

## Fix
Split the note into smaller ones, or raise the cap in `.vaultkit.toml`
(`max-note-size = 1_000_000`) if vaultkit stays fast enough on it.
"""

from __future__ import annotations

from collections.abc import Iterator

from vaultkit.model import Diagnostic, Note
from vaultkit.rules.base import NoOptions, NoteContext, RuleScope, Severity

CODE = "VK007"
NAME = "oversized-note"
SCOPE: RuleScope = "note"
SEVERITY: Severity = "warning"
FIXABLE = False
DEFAULT_ENABLED = True


Options = NoOptions  # this rule takes no options


def check(note: Note, ctx: NoteContext[Options]) -> Iterator[Diagnostic]:
    # The parser reports it when the note is over the cap.
    yield from (problem for problem in note.problems if problem.code == CODE)
