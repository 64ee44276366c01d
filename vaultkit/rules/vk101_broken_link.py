"""VK101 broken-link: a link to a note or file that is not in the vault.

Wikilinks, Markdown links to local files and links in properties are checked against the
whole vault, the way Obsidian resolves them (case-insensitive, `.md` optional for notes,
required for other files). Embeds are VK102; prerequisites that do not resolve are VK402.
The links in a canvas's text cards are checked too (and by VK102 to VK105), resolved from
the canvas's folder as Obsidian resolves them, and reported at the link's line and column
in the `.canvas` file, with the card's first line and the link's line in the card.

## Why
Obsidian shows the link as unresolved, and clicking it creates an empty note. In a
maintained vault that is nearly always a typo or a note that was renamed.

## Example
```markdown fails at=1:15
Plan lives in [[Projet Alpha]].
```
```markdown passes
Plan lives in [[Project Alpha]].
```
```markdown file path="Projects/Project Alpha.md"
# Project Alpha
```
```json fails path=Plan.canvas at=3:44
{
  "nodes":[
    {"id":"c1","type":"text","text":"Next: [[Projet Alpha]]","x":0,"y":0,"width":250,"height":60}
  ]
}
```

## Fix
Correct the target or create the note. Names you link to on purpose before the note
exists go in `ignore-targets`:

```toml
[rules.VK101]
ignore-targets = ["Inbox"]
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec

from vaultkit.model import Diagnostic, Link, Note
from vaultkit.notefacts import prerequisite_links
from vaultkit.rules.base import NoteContext, RuleScope, Severity

CODE = "VK101"
NAME = "broken-link"
SCOPE: RuleScope = "note"
SEVERITY: Severity = "error"
FIXABLE = False
DEFAULT_ENABLED = True


class Options(msgspec.Struct, frozen=True):
    ignore_targets: tuple[str, ...] = ()  # `ignore-targets`: link targets not to report


def check(note: Note, ctx: NoteContext[Options]) -> Iterator[Diagnostic]:
    for link in unresolved(note, ctx, ctx.options.ignore_targets, embeds=False):
        message = f"no note or file named {link.target!r}: Obsidian shows the link unresolved"
        yield ctx.report_here(link.span, message)


def unresolved(
    note: Note, ctx: NoteContext[Any], ignore: tuple[str, ...], *, embeds: bool
) -> Iterator[Link]:
    """The note's links (or embeds) that Obsidian cannot resolve, prerequisites left out."""
    ignored = {target.casefold() for target in ignore}
    prerequisites = prerequisite_links(note, ctx.config)  # a few at most
    resolve, path = ctx.vault.index.resolve, note.path
    for link in note.links:
        if link.embed is not embeds or (prerequisites and link in prerequisites):
            continue
        if ignored and link.target.casefold() in ignored:
            continue
        if resolve(link, path).path is None:
            yield link
