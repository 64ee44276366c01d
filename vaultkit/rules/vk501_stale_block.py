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
from pathlib import PurePosixPath

from vaultkit.blocks import Block, block_text, refusal, unseen
from vaultkit.model import Diagnostic
from vaultkit.rules.base import Edit, RuleScope, Severity, VaultContext
from vaultkit.summaries import fill

CODE = "VK501"
NAME = "stale-block"
SCOPE: RuleScope = "vault"
SEVERITY: Severity = "error"
FIXABLE = True
DEFAULT_ENABLED = True


@dataclass(frozen=True, slots=True)
class Options:
    pass


def check(ctx: VaultContext[Options]) -> Iterator[Diagnostic]:
    for path in ctx.paths:
        for block, fix in _stale(ctx, path):
            message = f"block {block.label!r} is out of date: run `vaultkit sync`"
            yield ctx.report(path, block.begin, message, fix)


def _stale(ctx: VaultContext[Options], path: PurePosixPath) -> Iterator[tuple[Block, Edit]]:
    """Each stale block with the edit that replaces it, markers included, by the synced
    one: the markers make sure the edit lands on the block, even an empty one.

    A note sync leaves alone has none: malformed markers (VK502's), a note changed since
    it was read, one vaultkit never writes into, or blocks that may show what could not be read.
    """
    note = ctx.vault.notes[path]
    scan = note.blocks  # found when the note was parsed, in the bytes `parsed_text` holds
    if not scan.blocks or scan.problems:
        return
    text = ctx.run.source.parsed_text(path)
    if text is None or refusal(note, text) is not None:
        return
    filled = fill(text, path, scan.blocks, ctx.vault, ctx.progress)
    if unseen(ctx.vault.files.unread, filled.stale) is not None:
        return  # computed from a vault that could not be read whole: sync will not write it
    after = dict(zip(scan.blocks, filled.blocks, strict=True))
    for block in filled.stale:
        new = block_text(filled.text, after[block])
        yield block, Edit(block.begin.line, 1, block_text(text, block), new)
