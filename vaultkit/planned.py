"""A plan of the managed blocks (`planning.py` makes one) as values, recalled when an earlier
run planned the same notes of the vault as it is now (`results.py`): a run that recalls its
plan loads none of what renders the blocks."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from vaultkit.model import Block, Diagnostic, Paths, Record
from vaultkit.results import paths_digest, recall, remember, together
from vaultkit.upnext import Ranking, Scope

if TYPE_CHECKING:
    from vaultkit.progress import Progress
    from vaultkit.vault import Vault

BOM = "\ufeff"
CANVAS = "canvas"  # the kind of an update that is a managed canvas


class NoteUpdate(Record, frozen=True):
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


class Skip(Record, frozen=True):
    """A note with blocks that vaultkit will not write, and why."""

    path: PurePosixPath
    reason: str


class SyncPlan(Record, frozen=True):
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
    planned the same notes of the vault as it is now; else made (`planning.made`), brought
    up to date when only some notes' bytes changed since.
    """
    wanted = None if paths is None else frozenset(paths)
    targets = vault.linted_among(wanted)
    canvases = canvases and bool(vault.notes if wanted is None else wanted)
    # every note: the state and the configuration say which ones, no digest of 10,000 paths
    what = f"sync {canvases} {paths_digest(None if wanted is None else targets)}"
    kept = recall(vault, what, _Kept)
    if kept is None:
        from vaultkit import planning  # the renderers, loaded only when a plan is made

        with together(vault):  # with the progress, when it is made for the plan
            kept = planning.made(vault, progress, Targets(vault, targets, wanted), canvases, what)
            remember(vault, what, kept)
    return kept.plan


def linted_count(vault: Vault) -> int:
    """How many notes of the vault are linted (not excluded)."""
    notes = vault.notes
    return len(notes) - sum(1 for path in vault.files.excluded if path in notes)


class Targets(Record, frozen=True):
    """The notes a plan is made of (`Vault.linted_among`), and whether a note is one of them
    without a set of them all: a plan brought up to date asks it of a few notes only."""

    vault: Vault
    order: tuple[PurePosixPath, ...]
    wanted: frozenset[PurePosixPath] | None  # what they were picked from (None: every note)

    def __contains__(self, path: object) -> bool:
        if self.wanted is not None and path not in self.wanted:
            return False
        return isinstance(path, PurePosixPath) and self.vault.is_linted(path)


class _Kept(Record, frozen=True):
    """A `SyncPlan` as data, with the notes each note's blocks other than `progress` show
    (`whoshows.shown`, as the vault was; of a `next` block scoped by folder, tag or group,
    the notes it lists), and the notes with a block whose scope is not the notes they link
    to (`scoped`: a note changed elsewhere may enter it): what a later run plans again
    after notes changed. With the ranking of the scope of each of their `next` blocks
    (`listings.py`), which a later run brings up to date."""

    plan: SyncPlan
    shows: tuple[tuple[PurePosixPath, Paths], ...]
    # each such note's blocks (`planning._scopes`), in order: a `next` block's `Listed`
    scoped: tuple[tuple[PurePosixPath, tuple[Listed | None, ...]], ...]
    ranked: tuple[tuple[Scope, Ranking], ...]  # in `Scope.order`


class Listed(Record, frozen=True):
    """What a `next` block whose scope is a folder, a tag or a group listed: as many notes
    as its limit (`full`), and the last of them (None when it listed none)."""

    full: bool
    last: PurePosixPath | None
