"""`progress`: the note itself, a bar, its tasks, its state, what it needs and unlocks.

    ▓▓▓▓▓▓░░░░ 60% · 6/10 tasks · in-progress

    - Needs: [[Docker]] (done), [[Helm]] (ready), Terraform (not found)
    - Unlocks: [[CKA]], [[Side project 2]] (5 notes in all)

"Needs" lists the prerequisites in path order with their states; one in a dependency loop
with the note says it does not block (`[[Ansible]] (ready; loop, not blocking)`), and one
that does not resolve is plain text, so the block adds no broken link. "Unlocks" links the
direct dependents and counts every note that depends on this one, directly or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

import msgspec

from vaultkit.graph import direct_dependents
from vaultkit.model import NoteProgress
from vaultkit.summaries.scope import Context
from vaultkit.summaries.text import Namer, markdown_text, progress_bar, task_counts


class ProgressView(msgspec.Struct, frozen=True):
    item: NoteProgress
    needs: tuple[NoteProgress | PurePosixPath, ...]  # a path when it has no progress
    missing: tuple[str, ...]  # prerequisites as written that do not resolve
    unlocks: tuple[PurePosixPath, ...]  # direct dependents, sorted


def format_progress(view: ProgressView, names: Namer) -> str:
    item = view.item
    lines = [f"{progress_bar(item.percent)} · {task_counts(item)} · {item.state}"]
    needs = [_need(need, names, item.looping) for need in view.needs]
    needs += [f"{markdown_text(target)} (not found)" for target in view.missing]
    details = []
    if needs:
        details.append("- Needs: " + ", ".join(needs))
    if view.unlocks:
        details.append("- Unlocks: " + _unlocks(view.unlocks, len(item.unlocks), names))
    if details:
        lines += ["", *details]
    return "\n".join(lines) + "\n"


def _need(
    need: NoteProgress | PurePosixPath, names: Namer, looping: tuple[PurePosixPath, ...]
) -> str:
    if isinstance(need, PurePosixPath):
        return names.link(need)
    loop = "; loop, not blocking" if need.path in looping else ""
    return f"{names.link(need.path)} ({need.state}{loop})"


def _unlocks(direct: Sequence[PurePosixPath], every: int, names: Namer) -> str:
    text = ", ".join(names.link(path) for path in direct)
    return text if every <= len(direct) else f"{text} ({every} notes in all)"


def render(ctx: Context) -> str:
    item = ctx.progress.notes.get(ctx.note)
    if item is None:
        return "_This note is excluded from progress._\n"
    notes = ctx.progress.notes
    direct = direct_dependents(ctx.progress.around((ctx.note,)), ctx.note)
    view = ProgressView(
        item=item,
        needs=tuple(notes.get(path, path) for path in sorted(item.requires)),
        missing=item.missing,
        unlocks=tuple(direct),
    )
    return format_progress(view, ctx.names)
