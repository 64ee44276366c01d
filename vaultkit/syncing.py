"""Plan what the managed blocks should hold, and write it.

`plan` renders every block of the notes asked for and splices the result into each note's
*current* bytes; it writes nothing. `run` applies a plan through `writeback.apply`, the
only function that writes.

A note is never planned when it is a sync conflict copy, is not UTF-8, has front matter
that is not a mapping, has git conflict markers, changed on disk since it was parsed, or
has malformed markers (VK502): it becomes a `Skip` or problems instead (WRITE-SAFETY.md
rows 2, 3, 14).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from vaultkit import canvases as canvases_module
from vaultkit import writeback
from vaultkit.blocks import Block, BlockScan, refusal, unseen
from vaultkit.config import CanvasSpec
from vaultkit.discover import is_conflict_copy
from vaultkit.jsoncanvas import CanvasError
from vaultkit.model import Diagnostic, ExitCode, Note
from vaultkit.progress import Progress, compute
from vaultkit.results import paths_digest, recall, remember
from vaultkit.summaries import fill
from vaultkit.vault import Vault
from vaultkit.wording import plural
from vaultkit.writeback import Outcome, WriteResult

BOM = "\ufeff"
CANVAS = "canvas"  # the kind of an update that is a managed canvas
MARKER_BYTES = b"vaultkit:"  # no marker can be in a note without these bytes


@dataclass(frozen=True, slots=True)
class NoteUpdate:
    """A note whose blocks are out of date: its bytes now (`old`) and after the sync."""

    path: PurePosixPath
    kinds: tuple[str, ...]  # the kinds of the stale blocks, in file order, each once
    old: bytes
    new: bytes
    stale: tuple[Block, ...] = ()  # the stale blocks, positions as in `old`
    created: bool = False  # a managed canvas that does not exist yet (`old` is empty)

    @property
    def canvas(self) -> bool:
        return self.kinds == (CANVAS,)


@dataclass(frozen=True, slots=True)
class Skip:
    """A note with blocks that vaultkit will not write, and why."""

    path: PurePosixPath
    reason: str


@dataclass(frozen=True, slots=True)
class SyncPlan:
    updates: tuple[NoteUpdate, ...]
    skipped: tuple[Skip, ...]
    problems: tuple[Diagnostic, ...]  # VK502, sorted
    notes: int  # how many notes were looked at

    @property
    def blocks(self) -> int:
        return sum(len(update.stale) for update in self.updates)

    @property
    def unchanged(self) -> int:
        troubled = {skip.path for skip in self.skipped} | {p.path for p in self.problems}
        notes = [update for update in self.updates if not update.canvas]
        return self.notes - len(notes) - len(troubled - self.canvas_paths)

    @property
    def canvas_paths(self) -> set[PurePosixPath]:
        return {update.path for update in self.updates if update.canvas} | {
            skip.path for skip in self.skipped if skip.path.suffix.lower() == ".canvas"
        }


@dataclass(frozen=True, slots=True)
class _Decoded:
    note: Note
    data: bytes
    bom: bool
    text: str
    scan: BlockScan


def plan(
    vault: Vault,
    progress: Progress | None,
    paths: Iterable[PurePosixPath] | None = None,
    *,
    canvases: bool = True,
) -> SyncPlan:
    """What every block in the notes `paths` (default: every linted note) should hold, and
    (unless `canvases` is False, or `paths` is empty) every managed canvas.

    `progress` is the vault's (None: computed when needed). Recalled when an earlier run
    planned the same notes of the vault as it is now.
    """
    wanted = None if paths is None else sorted(set(paths), key=lambda path: path.parts)
    what = f"sync {canvases} {paths_digest(wanted)}"
    kept = recall(vault, what, SyncPlan)
    if kept is None:
        kept = _plan(vault, progress or compute(vault), wanted, canvases)
        remember(vault, what, kept)
    return kept


def _plan(
    vault: Vault,
    progress: Progress,
    paths: Iterable[PurePosixPath] | None,
    canvases: bool,
) -> SyncPlan:
    wanted = vault.notes.keys() if paths is None else set(paths)
    targets = sorted(path for path in wanted if vault.is_linted(path))
    updates: list[NoteUpdate] = []
    skipped: list[Skip] = []
    problems: list[Diagnostic] = []
    for path in targets:
        found = _plan_note(vault, progress, path)
        if isinstance(found, NoteUpdate):
            updates.append(found)
        elif isinstance(found, Skip):
            skipped.append(found)
        elif found:
            problems += found
    if canvases and wanted:
        for spec in vault.config.canvases:
            planned = _plan_canvas(vault, progress, spec)
            if isinstance(planned, NoteUpdate):
                updates.append(planned)
            elif planned is not None:
                skipped.append(planned)
    return SyncPlan(tuple(updates), tuple(skipped), tuple(sorted(problems)), len(targets))


def _plan_canvas(vault: Vault, progress: Progress, spec: CanvasSpec) -> NoteUpdate | Skip | None:
    path = PurePosixPath(spec.path)
    try:
        planned = canvases_module.plan(vault, progress, spec)
    except CanvasError as error:
        return Skip(path, f"not a canvas vaultkit can update: {error}")
    except OSError as error:
        return Skip(path, f"cannot be read: {error.strerror or error}")
    if planned is None:
        return None
    created = planned.old is None
    return NoteUpdate(path, (CANVAS,), planned.old or b"", planned.new, created=created)


def _plan_note(
    vault: Vault, progress: Progress, path: PurePosixPath
) -> NoteUpdate | Skip | list[Diagnostic] | None:
    """The note's update, why it is skipped, its VK502 problems, or None (up to date)."""
    decoded = _decode(vault, path)
    if not isinstance(decoded, _Decoded):
        return decoded
    if decoded.scan.problems:
        return [
            Diagnostic(path, p.span.line, p.span.col, "VK502", p.message)
            for p in decoded.scan.problems
        ]
    why = refusal(decoded.note, decoded.text)
    if why is not None:
        return Skip(path, why)
    filled = fill(decoded.text, path, decoded.scan.blocks, vault, progress)
    if not filled.stale:
        return None
    entry = unseen(vault.files.unread, filled.stale)
    if entry is not None:
        return Skip(path, f"the vault could not be read whole ({entry.path}: {entry.reason})")
    new = (BOM if decoded.bom else "") + filled.text
    kinds = tuple(dict.fromkeys(block.kind for block in filled.stale))
    return NoteUpdate(path, kinds, decoded.data, new.encode("utf-8"), filled.stale)


def _decode(vault: Vault, path: PurePosixPath) -> _Decoded | Skip | None:
    """The note's current text and blocks; None when it has no markers at all."""
    note = vault.notes[path]
    if note.decoded and not note.blocks.blocks and not note.blocks.problems:
        return None  # parsed without markers: nothing to read
    try:
        data = vault.read_bytes(path)
    except OSError as error:
        return Skip(path, f"cannot be read: {error.strerror or error}")
    if MARKER_BYTES not in data:
        return None
    if is_conflict_copy(path):
        return Skip(path, "a sync conflict copy: vaultkit never writes into one")
    if not note.parsed_from(data):
        return Skip(path, "changed on disk while vaultkit was reading the vault; run again")
    bom = data.startswith(BOM.encode("utf-8"))
    try:
        text = data.decode("utf-8").removeprefix(BOM)
    except UnicodeDecodeError:
        return Skip(path, "not UTF-8: vaultkit never writes into it")
    return _Decoded(note, data, bom, text, note.blocks)


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


@dataclass(frozen=True, slots=True)
class SyncReport:
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
