"""Who shows what: which notes' blocks may show something different after some notes changed.

The watcher asks this after every edit, with its state before and after the edit
(`live.py` keeps both): the vault, its progress, and the blocks of every note that has any.
`planning.py` asks which notes a note's blocks show (`shown`), to plan again after a run
only the notes whose blocks show a note that changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from types import MappingProxyType

from msgspec.structs import replace

from vaultkit.blocks import Block
from vaultkit.graph import upstream_and_downstream
from vaultkit.model import Record, VaultFiles
from vaultkit.notefacts import group_of
from vaultkit.progress import Progress, Tracked
from vaultkit.summaries.scope import by_links, linked_notes, scope_members
from vaultkit.vault import Vault


class Snapshot(Record, frozen=True):
    """The vault at one moment, its progress, and the notes with blocks (with them)."""

    vault: Vault
    tracked: Tracked  # its progress, and what the next progress update may reuse
    blocks: Mapping[PurePosixPath, tuple[Block, ...]]

    @property
    def progress(self) -> Progress:
        return self.tracked.progress


def who_shows(
    now: Snapshot,
    changed: Iterable[PurePosixPath],
    *,
    previous: Snapshot | None = None,
    links: Links | None = None,
) -> set[PurePosixPath]:
    """The notes whose blocks may render differently because the `changed` notes changed.

    Always includes `changed`. A note that *left* a block's scope (a tag removed, a
    prerequisite dropped) can only be seen in the vault as it was, so pass that as
    `previous`. Without it, or when a note was added, deleted or renamed (names,
    ambiguity and groups may then change anywhere), every note with a block is returned:
    correct, only slower. `links`: what notes link to, kept from the last call.
    """
    changed = set(changed)
    if previous is None or not _same_names(previous.vault, now.vault):
        return changed | set(now.blocks)
    links = links or Links()
    found = set(changed)
    if _reorders(previous.progress, now.progress, changed):
        found |= {
            path
            for path, blocks in now.blocks.items()
            if any(_group_key(now.vault, block) for block in blocks)
        }
    for state in (now, previous):
        affected = _affected(state.progress, changed)
        for path, blocks in state.blocks.items():
            if path not in found and any(
                _reads(state, path, block, affected, links) for block in blocks
            ):
                found.add(path)
    return found


class Links:
    """What each note with blocks links to outside them, by its bytes and blocks.

    The answer depends on the vault's file names too: it is kept while they are the same.
    """

    def __init__(self) -> None:
        self._files: VaultFiles | None = None
        self._found: dict[PurePosixPath, tuple[str, tuple[Block, ...], set[PurePosixPath]]] = {}

    def of(
        self, vault: Vault, note: PurePosixPath, blocks: tuple[Block, ...]
    ) -> set[PurePosixPath]:
        """The notes `note` links to outside `blocks`, its blocks."""
        if vault.files is not self._files:
            self._files, self._found = vault.files, {}
        digest = vault.notes[note].digest
        known = self._found.get(note)
        if known is not None and known[0] == digest and known[1] == blocks:
            return known[2]
        found = linked_notes(note, vault, blocks)
        self._found[note] = (digest, blocks, found)
        return found


def _same_names(before: Vault, after: Vault) -> bool:
    return before.files == after.files and before.notes.keys() == after.notes.keys()


def _reorders(before: Progress, after: Progress, changed: set[PurePosixPath]) -> bool:
    """Whether a changed note's title or start date changed: any note with that title
    orders the groups of any block (`group_sort_key`), wherever its group's link leads."""

    def order(progress: Progress, path: PurePosixPath) -> tuple[str, str | None] | None:
        item = progress.notes.get(path)
        return None if item is None else (item.title, item.start)

    return any(order(before, path) != order(after, path) for path in changed)


def _affected(progress: Progress, changed: set[PurePosixPath]) -> set[PurePosixPath]:
    """The changed notes and everything up- or downstream of them.

    A note's state depends on its prerequisites and its "unlocks" on its dependents, so
    these are the only notes whose shown values a change can reach.
    """
    return upstream_and_downstream(progress.graph, changed)


def _reads(
    state: Snapshot,
    note: PurePosixPath,
    block: Block,
    affected: set[PurePosixPath],
    links: Links,
) -> bool:
    """Whether `block` (in `note`) shows anything of the `affected` notes."""
    if note in affected:
        return True
    if block.kind == "progress":  # the note itself, its prerequisites and dependents
        return False
    vault, progress, blocks = state.vault, state.progress, state.blocks[note]
    linked = links.of(vault, note, blocks) if by_links(block) else None
    members = scope_members(block, note, vault, progress, blocks, linked)
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
    key = _group_key(vault, block)
    if key is None:
        return set()
    labels = {group_of(vault, path, key) for path in members if path in vault.notes}
    found = set()
    for label in labels - {None}:
        resolution = vault.index.resolve_target(str(label), note)
        if resolution.path is not None:
            found.add(resolution.path)
    return found


def _group_key(vault: Vault, block: Block) -> str | None:
    """The property `block` groups its notes by, if it does (then ordered by `start`)."""
    key = block.params.get("group-by")
    if block.kind == "timeline":
        key = key or vault.config.group_by
    return key


def shown(
    vault: Vault,
    progress: Progress,
    note: PurePosixPath,
    blocks: tuple[Block, ...],
    among: Iterable[PurePosixPath] | None = None,
    only: Iterable[Block] | None = None,
) -> set[PurePosixPath]:
    """The notes the `blocks` of `note` other than `progress` show something of: the
    members of their scopes and the notes that head their groups. With `among`, only the
    members among those notes (a scope is a filter over the notes with progress). With
    `only`, what those of the blocks show.

    A `progress` block shows the note itself, its prerequisites and its dependents: what
    `upstream_and_downstream` finds from a changed note.
    """
    if among is not None:
        notes = progress.notes
        kept = {path: notes[path] for path in among if path in notes}
        progress = replace(progress, notes=MappingProxyType(kept))
    found: set[PurePosixPath] = set()
    for block in blocks if only is None else only:
        if block.kind != "progress":
            members = scope_members(block, note, vault, progress, blocks)
            found |= members
            if among is None:
                found |= _group_notes(vault, progress, block, note, members)
    return found
