"""`next`: what to work on next among the notes in scope (`Progress.next`).

    1. [[Helm]] · in-progress · 4/7 tasks · unlocks 3
    2. [[Terraform]] · ready · no tasks

In-progress notes first, then those that unlock the most; `limit=N` (default 5) keeps the
first N.
"""

from __future__ import annotations

from collections.abc import Sequence

from vaultkit.model import NoteProgress
from vaultkit.summaries.scope import Context, by_links
from vaultkit.summaries.text import Namer, task_counts

DEFAULT_LIMIT = 5
EMPTY = "_Nothing to start in scope: every note is done, blocked or untracked._\n"


def format_next(items: Sequence[NoteProgress], names: Namer) -> str:
    if not items:
        return EMPTY
    lines = []
    for number, item in enumerate(items, 1):
        parts = [names.link(item.path), str(item.state), task_counts(item)]
        if item.unlocks:
            parts.append(f"unlocks {len(item.unlocks)}")
        lines.append(f"{number}. " + " · ".join(parts))
    return "\n".join(lines) + "\n"


def render(ctx: Context) -> str:
    limit = int(ctx.block.params.get("limit", DEFAULT_LIMIT))
    if ctx.listings is not None and not by_links(ctx.block):
        items = ctx.listings.first(ctx.block, ctx.note, limit)
    else:
        items = ctx.progress.next(scope=ctx.scope, limit=limit)
    return format_next(items, ctx.names)
