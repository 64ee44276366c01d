"""Plan what the managed blocks should hold, writing nothing (pure but for reading notes).

`plan` renders every block of the notes asked for and splices the result into each note's
*current* bytes. `syncing.py` writes a plan; VK501 reports its stale blocks, so `lint` and
`sync` make (or recall: `results.py`) one plan between them.

A note is never planned when it is a sync conflict copy, is not UTF-8, has front matter
that is not a mapping, has git conflict markers, changed on disk since it was parsed, or
has malformed markers (VK502): it becomes a `Skip` or problems instead (WRITE-SAFETY.md
rows 2, 3, 14).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from vaultkit import canvases as canvases_module
from vaultkit.blocks import Block, BlockScan, refusal, unseen
from vaultkit.config import CanvasSpec
from vaultkit.discover import is_conflict_copy
from vaultkit.jsoncanvas import CanvasError
from vaultkit.model import Diagnostic, Note
from vaultkit.progress import Progress, compute
from vaultkit.results import paths_digest, recall, remember
from vaultkit.summaries import fill
from vaultkit.vault import Vault

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
    placed: tuple[Block, ...] = ()  # the same blocks, positions as in `new`
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
    wanted = vault.notes.keys() if paths is None else set(paths)
    targets = sorted(path for path in wanted if vault.is_linted(path))
    canvases = canvases and bool(wanted)
    what = f"sync {canvases} {paths_digest(targets)}"
    kept = recall(vault, what, SyncPlan)
    if kept is None:
        kept = _plan(vault, progress if progress is not None else compute(vault), targets, canvases)
        remember(vault, what, kept)
    return kept


def _plan(
    vault: Vault, progress: Progress, targets: list[PurePosixPath], canvases: bool
) -> SyncPlan:
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
    if canvases:
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
    placed = tuple(
        after
        for block, after in zip(decoded.scan.blocks, filled.blocks, strict=True)
        if block in filled.stale
    )
    return NoteUpdate(path, kinds, decoded.data, new.encode("utf-8"), filled.stale, placed)


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
