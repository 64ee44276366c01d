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
from collections.abc import Iterable, Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any

from vaultkit.model import Diagnostic
from vaultkit.rules.base import NoOptions, RuleScope, Severity, VaultContext

CODE = "VK202"
NAME = "tag-case-mismatch"
SCOPE: RuleScope = "vault"
SEVERITY: Severity = "warning"
FIXABLE = False
DEFAULT_ENABLED = True

Spellings = Mapping[str, Counter[str]]  # by a tag's name in lower case: each spelling's count


Options = NoOptions  # this rule takes no options


def check(ctx: VaultContext[Options]) -> Iterator[Diagnostic]:
    vault = ctx.vault
    names = (
        tag.name
        for path, note in vault.notes.items()
        if note.tags and vault.is_linted(path)
        for tag in note.tags
    )
    yield from reported(ctx, spellings(names), ctx.paths)


def spellings(names: Iterable[str]) -> dict[str, Counter[str]]:
    """How often each spelling of each tag is written, among the tag `names` of every linted
    note (a name once for each time it is written)."""
    return counted(Counter(names))


def counted(counts: Mapping[str, int]) -> dict[str, Counter[str]]:
    """`spellings`, of the tag names written as often as `counts` says."""
    found: dict[str, Counter[str]] = {}
    for name, count in counts.items():  # each spelling once, not each tag
        found.setdefault(name.lower(), Counter())[name] = count
    return found


def verdict(found: Spellings, folded: str) -> tuple[str, int] | None:
    """The usual spelling of the tag `folded` and how often it is written, when the tag is
    written in several spellings (None otherwise): all that a finding about it says."""
    counts = found.get(folded)
    if counts is None or len(counts) < 2:
        return None
    usual = min(counts, key=lambda name: (-counts[name], name))  # a tie: the first in order
    return usual, counts[usual]


def reported(
    ctx: VaultContext[Any], found: Spellings, paths: Iterable[PurePosixPath]
) -> Iterator[Diagnostic]:
    """The findings in the notes at `paths`, where the tags are spelled as `found` says."""
    if not any(len(counts) > 1 for counts in found.values()):
        return
    for path in paths:
        for tag in ctx.vault.notes[path].tags:
            usual = verdict(found, tag.name.lower())
            if usual is not None and tag.name != usual[0]:
                written, other, count = f"#{tag.name}", f"#{usual[0]}", usual[1]
                places = "1 other place" if count == 1 else f"{count} other places"
                message = f"tag {written!r} is written {other!r} in {places}"
                yield ctx.report(path, tag.span, message)
