"""VK501 stale-block: a managed block whose content is out of date.

A block is stale when `vaultkit sync` would write something else between its markers:
a task was ticked, a note was added to the block's scope, a prerequisite got done.

## Why
The summary in the note (and on GitHub) no longer tells the truth about the vault. Run as
a pre-commit hook or in CI, this keeps committed summaries current.

## Example
```markdown fails at=2:1
- [x] Write the Dockerfile
<!-- vaultkit:begin progress -->
░░░░░░░░░░ 0% · 0/1 tasks · ready
<!-- vaultkit:end progress -->
```
```markdown passes
- [x] Write the Dockerfile
<!-- vaultkit:begin progress -->
▓▓▓▓▓▓▓▓▓▓ 100% · 1/1 tasks · done
<!-- vaultkit:end progress -->
```

## Fix
Run `vaultkit sync` (or `vaultkit lint --fix`), which rewrites only the text between the
markers. `vaultkit watch` keeps blocks current while you work in Obsidian.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from vaultkit.blocks import block_text, find_blocks
from vaultkit.model import Diagnostic, Span
from vaultkit.rules.base import Edit, Scope, Severity, VaultContext, decode
from vaultkit.syncing import NoteUpdate, plan

CODE = "VK501"
NAME = "stale-block"
SCOPE: Scope = "vault"
SEVERITY: Severity = "error"
FIXABLE = True
DEFAULT_ENABLED = True


@dataclass(frozen=True, slots=True)
class Options:
    pass


def check(ctx: VaultContext[Options]) -> Iterator[Diagnostic]:
    # Malformed markers are VK502's: the plan reports them and plans no update there.
    for update in plan(ctx.vault, ctx.progress, ctx.paths, canvases=False).updates:
        fixes = _fixes(update, ctx.vault.notes[update.path].body_line)
        for block in update.stale:
            message = f"block {block.label!r} is out of date: run `vaultkit sync`"
            yield ctx.report(update.path, block.begin, message, fixes.get(block.begin))


def _fixes(update: NoteUpdate, body_line: int) -> dict[Span, Edit]:
    """For each stale block, the edit that replaces it, markers included, with the synced
    one: the markers make sure the edit lands on the block, even an empty one."""
    old, new = decode(update.old), decode(update.new)
    before = find_blocks(old, body_line).blocks
    after = find_blocks(new, body_line).blocks
    if len(before) != len(after):  # pragma: no cover - a sync keeps every marker
        return {}
    stale = {block.begin for block in update.stale}
    return {
        block.begin: Edit(block.begin.line, 1, block_text(old, block), block_text(new, now))
        for block, now in zip(before, after, strict=True)
        if block.begin in stale
    }
