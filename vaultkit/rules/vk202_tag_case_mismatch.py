"""VK202 tag-case-mismatch: one tag written in several casings across the vault.

Every occurrence that differs from the casing used most often is reported (a tie goes to
the casing that sorts first). Nested tags are compared as a whole: `#Area/ML` and
`#area/ml` are the same tag.

## Why
Obsidian matches tags ignoring case, so `#Kubernetes` and `#kubernetes` are one tag in
search, but the tag pane shows only one of the spellings, and tools outside Obsidian
(grep, GitHub, static site generators) treat them as two.

## Example
```markdown fails at=1:14
Studying for #kubernetes
```
```markdown passes
Studying for #Kubernetes
```
```markdown file path=Other.md
#Kubernetes and #Kubernetes again.
```

## Fix
Write the tag the way the rest of the vault does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from vaultkit.model import Diagnostic
from vaultkit.rules.base import RuleScope, Severity, VaultContext

CODE = "VK202"
NAME = "tag-case-mismatch"
SCOPE: RuleScope = "vault"
SEVERITY: Severity = "warning"
FIXABLE = False
DEFAULT_ENABLED = True


@dataclass(frozen=True, slots=True)
class Options:
    pass


def check(ctx: VaultContext[Options]) -> Iterator[Diagnostic]:
    vault = ctx.vault
    names = Counter(
        tag.name
        for path, note in vault.notes.items()
        if note.tags and vault.is_linted(path)
        for tag in note.tags
    )
    spellings: dict[str, Counter[str]] = {}
    for name, count in names.items():  # each spelling once, not each tag
        spellings.setdefault(name.lower(), Counter())[name] = count
    preferred = {
        folded: min(counts, key=lambda name: (-counts[name], name))
        for folded, counts in spellings.items()
        if len(counts) > 1
    }
    for path in ctx.paths if preferred else ():
        for tag in vault.notes[path].tags:
            usual = preferred.get(tag.name.lower())
            if usual is not None and tag.name != usual:
                count = spellings[tag.name.lower()][usual]
                places = "1 other place" if count == 1 else f"{count} other places"
                written, other = f"#{tag.name}", f"#{usual}"
                message = f"tag {written!r} is written {other!r} in {places}"
                yield ctx.report(path, tag.span, message)
