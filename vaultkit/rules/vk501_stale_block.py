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
markers. `vaultkit watch` keeps blocks current while you work in Obsidian. A note `sync`
refuses to replace (read-only, hard-linked, or a link to a file outside the vault) gets
the finding without a fix, and the finding says why.
"""

from __future__ import annotations

from collections.abc import Iterator

from vaultkit.model import Diagnostic, Edit
from vaultkit.rules.base import NoOptions, RuleScope, Severity, VaultContext
from vaultkit.source import decode

CODE = "VK501"
NAME = "stale-block"
SCOPE: RuleScope = "vault"
SEVERITY: Severity = "error"
FIXABLE = True
DEFAULT_ENABLED = True


Options = NoOptions  # this rule takes no options


def check(ctx: VaultContext[Options]) -> Iterator[Diagnostic]:
    """The stale blocks of the plan `vaultkit sync` makes for these notes (the same plan:
    computed once, or recalled, for both), each with the edit that replaces it, markers
    included, by the synced one: the markers make sure the edit lands on the block, even
    an empty one. A note sync leaves alone has none: malformed markers (VK502's), a note
    changed since it was read, one vaultkit never writes into, or blocks that may show what
    could not be read.
    """
    from vaultkit import planned  # the renderers: imported when a plan is made
    from vaultkit.blocks import block_text
    from vaultkit.writeback import refused

    # The notes reported on are linted ones: as many as the vault has are all of them,
    # planned as every note is, without a pass over the vault to pick them.
    whole = bool(ctx.paths) and len(ctx.paths) == planned.linted_count(ctx.vault)
    plan = planned.plan(ctx.vault, ctx.progress, None if whole else ctx.paths)
    for update in plan.updates:
        if update.canvas:
            continue
        old = decode(update.old)
        new = decode(update.new)
        why = refused(ctx.vault.root / update.path, ctx.vault.root)
        for block, after in zip(update.stale, update.placed, strict=True):
            if why is not None:  # no fix to offer: `sync` would refuse the note
                message = f"block {block.label!r} is out of date; sync refuses the note: {why}"
                yield ctx.report(update.path, block.begin, message)
                continue
            edit = Edit(block.begin.line, 1, block_text(old, block), block_text(new, after))
            message = f"block {block.label!r} is out of date: run `vaultkit sync`"
            yield ctx.report(update.path, block.begin, message, edit)
