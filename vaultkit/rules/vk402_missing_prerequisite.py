"""VK402 missing-prerequisite: a prerequisite that is not a note in the vault.

Prerequisites come from the `requires` property and `requires::` fields (the names are
configurable).

## Why
A prerequisite that does not resolve is something the note needs that was never written,
or was renamed: the note stays `blocked` until the link names a note, and its progress
block and `vaultkit status` show the name as "not found".

## Example
```markdown fails at=1:12
requires:: [[Dokcer]]
```
```markdown passes
requires:: [[Docker]]
```
```markdown file path=Docker.md
- [ ] Build an image
```

## Fix
Correct the link or create the prerequisite note. A file that is not a note (a PDF, an
image) cannot be a prerequisite: link to a note about it instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from vaultkit.model import Diagnostic
from vaultkit.rules.base import NoOptions, RuleScope, Severity, VaultContext

CODE = "VK402"
NAME = "missing-prerequisite"
SCOPE: RuleScope = "vault"
SEVERITY: Severity = "error"
FIXABLE = False
DEFAULT_ENABLED = True


Options = NoOptions  # this rule takes no options


def check(ctx: VaultContext[Options]) -> Iterator[Diagnostic]:
    for path, link in ctx.progress.missing:
        if path not in ctx.paths:
            continue
        found = ctx.vault.index.resolve(link, path).path
        if found is None:
            message = f"prerequisite {link.target!r} does not resolve to a note"
        else:
            message = f"prerequisite {link.target!r} is {str(found)!r}, which is not a note"
        yield ctx.report(path, link.span, message)
