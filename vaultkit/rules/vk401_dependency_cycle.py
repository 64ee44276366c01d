"""VK401 dependency-cycle: prerequisites that loop back to where they started.

Reported once in every note of the loop, at its link to the previous note, so a
pre-commit run on any one of them shows it. The message names the whole loop, up to 12
of its notes: a longer loop's names the 12 from the note back, then how many more there
are (`rules.base.named_loop`).

## Why
A loop has no first step: each note waits for another one in the loop. vaultkit keeps
working (an edge inside a loop does not block), but the plan the notes describe is not a
plan any more, and `next` cannot order them.

## Example
```markdown fails at=2:13
---
requires: ["[[Helm]]"]
---
```
```markdown passes
---
requires: []
---
```
```markdown file path=Helm.md
---
requires: ["[[note]]"]
---
```

## Fix
Decide which note really comes first, and remove the link that points back to it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import PurePosixPath

from vaultkit.model import Diagnostic, Span
from vaultkit.notefacts import prerequisite_links
from vaultkit.rules.base import (
    WHOLE_FILE,
    NoOptions,
    RuleScope,
    Severity,
    VaultContext,
    named_loop,
)

CODE = "VK401"
NAME = "dependency-cycle"
SCOPE: RuleScope = "vault"
SEVERITY: Severity = "error"
FIXABLE = False
DEFAULT_ENABLED = True


Options = NoOptions  # this rule takes no options


def check(ctx: VaultContext[Options]) -> Iterator[Diagnostic]:
    for cycle in ctx.progress.cycles:
        names = [repr(_name(path)) for path in cycle]
        for position, path in enumerate(cycle):
            if path not in ctx.paths:
                continue
            required = cycle[position - 1]
            back = functools.partial(_back, names, position)
            loop = named_loop(back, len(names), "requires", ("note", "notes"), "requiring")
            yield ctx.report(path, _link_to(ctx, path, required), f"dependency cycle: {loop}")


def _back(names: list[str], position: int, step: int) -> str:
    """The name `step` notes back round the loop from the one at `position`: edges run
    prerequisite -> dependent, so each note requires the one before it."""
    return names[(position - step) % len(names)]


def _link_to(ctx: VaultContext[Options], path: PurePosixPath, required: PurePosixPath) -> Span:
    """Where `path` names `required` as a prerequisite."""
    for link in prerequisite_links(ctx.vault.notes[path], ctx.config):
        if ctx.vault.index.resolve(link, path).path == required:
            return link.span
    return WHOLE_FILE  # pragma: no cover - every graph edge comes from such a link


def _name(path: PurePosixPath) -> str:
    return str(path.with_suffix("")) if path.suffix.lower() == ".md" else str(path)
