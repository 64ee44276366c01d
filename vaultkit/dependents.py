"""Which notes' blocks may show something different after some notes changed.

The watcher asks this after every edit, so the answers it builds on are kept: the notes
that hold blocks (updated from the previous vault's answer, by the notes that changed)
and each note's block scan (`syncing.blocks_of`, by content).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import networkx as nx

from vaultkit.blocks import Block
from vaultkit.model import Note, VaultFiles, path_order
from vaultkit.progress import Progress, group_of
from vaultkit.summaries.scope import scope_members
from vaultkit.syncing import blocks_of
from vaultkit.vault import Vault


def dependents(
    vault: Vault,
    progress: Progress,
    changed: Iterable[PurePosixPath],
    *,
    previous: tuple[Vault, Progress] | None = None,
) -> set[PurePosixPath]:
    """The notes whose blocks may render differently because the `changed` notes changed.

    Always includes `changed`. A note that *left* a block's scope (a tag removed, a
    prerequisite dropped) can only be seen in the vault as it was, so pass that as
    `previous=(vault, progress)`. Without it, or when a note was added, deleted or renamed
    (names, ambiguity and groups may then change anywhere), every note with a block is
    returned: correct, only slower.
    """
    changed = set(changed)
    if previous is None or previous[0].files.notes != vault.files.notes:
        return changed | {path for path, _ in notes_with_blocks(vault)}
    found = set(changed)
    for state_vault, state_progress in ((vault, progress), previous):
        affected = _affected(state_progress, changed)
        for path, blocks in notes_with_blocks(state_vault):
            if path not in found and any(
                _reads(state_vault, state_progress, path, block, blocks, affected)
                for block in blocks
            ):
                found.add(path)
    return found


def _affected(progress: Progress, changed: set[PurePosixPath]) -> set[PurePosixPath]:
    """The changed notes and everything up- or downstream of them.

    A note's state depends on its prerequisites and its "unlocks" on its dependents, so
    these are the only notes whose shown values a change can reach.
    """
    affected = set(changed)
    for path in changed:
        if path in progress.graph:
            affected |= nx.ancestors(progress.graph, path) | nx.descendants(progress.graph, path)
    return affected


def _reads(
    vault: Vault,
    progress: Progress,
    note: PurePosixPath,
    block: Block,
    blocks: Sequence[Block],
    affected: set[PurePosixPath],
) -> bool:
    """Whether `block` shows anything of the `affected` notes."""
    if note in affected:
        return True
    if block.kind == "progress":  # the note itself, its prerequisites and dependents
        return False
    members = scope_members(block, note, vault, progress, blocks)
    if not affected.isdisjoint(members):
        return True
    # A group's own note orders and heads its group (its `start` date, its title).
    return not affected.isdisjoint(_group_notes(vault, progress, block, note, members))


def _group_notes(
    vault: Vault,
    progress: Progress,
    block: Block,
    note: PurePosixPath,
    members: Iterable[PurePosixPath],
) -> set[PurePosixPath]:
    key = block.params.get("group-by")
    if block.kind == "timeline":
        key = key or vault.config.group_by
    if key is None:
        return set()
    labels = {group_of(vault, path, key) for path in members if path in vault.notes}
    found = set()
    for label in labels - {None}:
        resolution = vault.index.resolve_target(str(label), note)
        if resolution.path is not None:
            found.add(resolution.path)
    return found


def notes_with_blocks(vault: Vault) -> list[tuple[PurePosixPath, tuple[Block, ...]]]:
    """Every linted note that holds well-formed blocks, with them, sorted by path."""
    for recent in _RECENT:
        if recent.notes is vault.notes:  # the watcher asks for the vault before and after
            return recent.found
    latest = _RECENT[-1] if _RECENT else None
    if latest is not None and latest.root == vault.root and latest.files is vault.files:
        found = _update_notes_with_blocks(vault, latest)
    else:
        found = _find_notes_with_blocks(vault)
    _RECENT.append(_Found(vault.root, vault.files, vault.notes, found))
    del _RECENT[:-2]
    return found


@dataclass(frozen=True, slots=True)
class _Found:
    root: Path
    files: VaultFiles
    notes: Mapping[PurePosixPath, Note]
    found: list[tuple[PurePosixPath, tuple[Block, ...]]]


_RECENT: list[_Found] = []


def _find_notes_with_blocks(vault: Vault) -> list[tuple[PurePosixPath, tuple[Block, ...]]]:
    found = []
    excluded = vault.files.excluded
    for path in vault.notes:  # in path order already
        if path not in excluded:
            blocks = blocks_of(vault, path)
            if blocks:
                found.append((path, blocks))
    return found


def _update_notes_with_blocks(
    vault: Vault, earlier: _Found
) -> list[tuple[PurePosixPath, tuple[Block, ...]]]:
    """`earlier`'s answer, with the notes that changed since (the same files) looked at."""
    changed = {path for path, note in vault.notes.items() if earlier.notes.get(path) is not note}
    if not changed:
        return earlier.found
    kept = dict(earlier.found)
    excluded = vault.files.excluded
    for path in changed:
        blocks = () if path in excluded else blocks_of(vault, path)
        if blocks:
            kept[path] = blocks
        else:
            kept.pop(path, None)
    return sorted(kept.items(), key=lambda item: path_order(item[0]))
