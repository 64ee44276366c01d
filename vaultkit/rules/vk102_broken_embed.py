"""VK102 broken-embed: an embed (`![[...]]`) of a note or file that is not in the vault.

## Why
Obsidian shows an empty box saying the note "is not created yet", or a broken image, in
the middle of the note: the content the writer meant to show is missing.

## Example
```markdown fails at=1:1
![[Diagram]]
```
```markdown passes
![[diagram.png]]
```
```markdown file path=Attachments/Diagram.PNG
not really an image
```

## Fix
Correct the name (non-note files need their extension), or add the file to the vault.
Targets embedded on purpose before they exist go in `ignore-targets` under
`[rules.VK102]`.
"""

from __future__ import annotations

from collections.abc import Iterator

import msgspec

from vaultkit.model import Diagnostic, Note
from vaultkit.rules.base import NoteContext, RuleScope, Severity
from vaultkit.rules.vk101_broken_link import unresolved

CODE = "VK102"
NAME = "broken-embed"
SCOPE: RuleScope = "note"
SEVERITY: Severity = "error"
FIXABLE = False
DEFAULT_ENABLED = True


class Options(msgspec.Struct, frozen=True):
    ignore_targets: tuple[str, ...] = ()  # `ignore-targets`: embed targets not to report


def check(note: Note, ctx: NoteContext[Options]) -> Iterator[Diagnostic]:
    for link in unresolved(note, ctx, ctx.options.ignore_targets, embeds=True):
        message = f"no note or file named {link.target!r} to embed"
        yield ctx.report_here(link.span, message)
