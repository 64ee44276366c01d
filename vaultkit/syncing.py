"""Write what `planned.plan` says the managed blocks should hold.

`run` makes a plan (`planning.py`: it writes nothing) and applies it through
`writeback.apply`, the only function that writes; `unified_diff` shows it instead.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import msgspec

from vaultkit import writeback
from vaultkit.model import ExitCode
from vaultkit.planned import BOM, NoteUpdate, SyncPlan, plan
from vaultkit.vault import Vault
from vaultkit.wording import plural
from vaultkit.writeback import Outcome, WriteResult

if TYPE_CHECKING:
    from vaultkit.progress import Progress


def unified_diff(updates: Iterable[NoteUpdate]) -> str:
    """A unified diff of the planned changes, `a/PATH` to `b/PATH` as git writes them."""
    return "".join(line for update in updates for line in _diff_lines(update))


def _diff_lines(update: NoteUpdate) -> Iterator[str]:
    old = update.old.decode("utf-8").removeprefix(BOM).splitlines(keepends=True)
    new = update.new.decode("utf-8").removeprefix(BOM).splitlines(keepends=True)
    for line in difflib.unified_diff(old, new, f"a/{update.path}", f"b/{update.path}"):
        if line.endswith("\n"):
            yield line
        else:
            yield line + "\n\\ No newline at end of file\n"


class SyncReport(msgspec.Struct, frozen=True):
    """A plan and, unless it was only checked, what writing it did."""

    plan: SyncPlan
    results: tuple[WriteResult, ...]  # one per update, in the same order; () when not written
    written: bool  # False for --check and --diff

    @property
    def synced(self) -> tuple[NoteUpdate, ...]:
        """The updates written (or, when only checked, that would be)."""
        if not self.written:
            return self.plan.updates
        return tuple(u for u, r in zip(self.plan.updates, self.results, strict=True) if r.written)

    @property
    def not_written(self) -> tuple[tuple[NoteUpdate, WriteResult], ...]:
        pairs = zip(self.plan.updates, self.results, strict=True) if self.written else ()
        return tuple((u, r) for u, r in pairs if r.outcome is not Outcome.WRITTEN)

    @property
    def exit_code(self) -> ExitCode:
        """CLEAN when every block is current; FINDINGS when a note changed, would change, or
        could not be synced (skipped, malformed markers, or a write that did not happen)."""
        plan = self.plan
        troubled = plan.updates or plan.skipped or plan.problems
        return ExitCode.FINDINGS if troubled else ExitCode.CLEAN

    def summary(self) -> str:
        """`synced 3 notes (5 blocks); 41 unchanged`, and how many notes were left alone."""
        return summary([self], written=self.written)

    @property
    def left_alone(self) -> int:
        """How many notes were skipped, had malformed markers, or were not written."""
        left = len(self.plan.skipped) + len({p.path for p in self.plan.problems})
        return left + len(self.not_written)

    def details(self, show: Callable[[PurePosixPath], str]) -> list[str]:
        """One line per problem or note left alone, paths written by `show`."""
        lines = [
            f"{show(p.path)}:{p.line}:{p.col}: {p.code} {p.message}" for p in self.plan.problems
        ]
        lines += [f"{show(skip.path)}: skipped: {skip.reason}" for skip in self.plan.skipped]
        lines += [
            f"{show(update.path)}: not written ({result.outcome}): {result.detail}"
            for update, result in self.not_written
        ]
        return lines


def summary(reports: Sequence[SyncReport], *, written: bool) -> str:
    """The summary line of one sync, or of several vaults synced in one command (`written`:
    whether it wrote, or only checked)."""
    synced = [update for report in reports for update in report.synced]
    canvases = sum(update.canvas for update in synced)
    blocks = sum(len(update.stale) for update in synced)
    verb = "synced" if written else "would sync"
    text = f"{verb} {plural(len(synced) - canvases, 'note')} ({plural(blocks, 'block')})"
    if canvases:
        text += f" and {plural(canvases, 'canvas', 'canvases')}"
    text += f"; {sum(report.plan.unchanged for report in reports)} unchanged"
    left = sum(report.left_alone for report in reports)
    return text + (f"; {left} skipped" if left else "")


def run(
    vault: Vault,
    progress: Progress | None,
    paths: Iterable[PurePosixPath] | None = None,
    *,
    write: bool = True,
) -> SyncReport:
    """Plan the blocks of `paths` (default: every note) and, if `write`, write them
    (`progress`: the vault's, None to compute it when needed)."""
    sync_plan = plan(vault, progress, paths)
    if not write:
        return SyncReport(sync_plan, (), written=False)
    results = tuple(write_update(vault.root, update) for update in sync_plan.updates)
    return SyncReport(sync_plan, results, written=True)


def write_update(root: Path, update: NoteUpdate) -> WriteResult:
    """Write one planned update through the writer: a new canvas is created, never replaced."""
    if update.created:
        return writeback.create(root / update.path, update.new, root=root)
    return writeback.apply(root / update.path, update.old, update.new, root=root)
