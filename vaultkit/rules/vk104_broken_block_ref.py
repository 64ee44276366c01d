"""VK104 broken-block-ref: a link to `#^block-id` that is not in the target note.

## Why
Obsidian opens the note without scrolling to the block, and an embed of the block shows
"Unable to find block". Block ids disappear when the paragraph that carried one is
rewritten or moved to another note.

## Example
```markdown fails at=1:8
Quoted ![[Reading list#^cks]] here.
```
```markdown passes
Quoted ![[Reading list#^CKA]] here.
```
```markdown file path="Reading list.md"
- Certified Kubernetes Administrator guide ^cka
```

## Fix
Point the link at the block's current id (or its new note), or put the `^id` back at the
end of the paragraph.
"""

from __future__ import annotations

from collections.abc import Iterator

from vaultkit.model import Diagnostic, Note
from vaultkit.rules.base import NoOptions, NoteContext, RuleScope, Severity

CODE = "VK104"
NAME = "broken-block-ref"
SCOPE: RuleScope = "note"
SEVERITY: Severity = "error"
FIXABLE = False
DEFAULT_ENABLED = True


Options = NoOptions  # this rule takes no options


def check(note: Note, ctx: NoteContext[Options]) -> Iterator[Diagnostic]:
    index = ctx.vault.index
    for link in note.links:
        if link.block is None:
            continue
        target = index.resolve(link, note.path).path
        if target is None or index.has_block(target, link.block):
            continue
        message = f"no block '^{link.block}' in {str(target)!r}"
        yield ctx.report_here(link.span, message)
