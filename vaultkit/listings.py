"""What a `next` block scoped by folder, tag or group lists, from one ranking per scope.

Such a block lists the first few notes to work on among all of its scope (a hub's `next
folder="Skills"` among thousands): finding them by `Progress.next` reads the progress of
every note in the vault. A plan keeps, for each such scope, the order of every note in it
to work on (`upnext.Ranking`); a plan brought up to date after some notes changed
(`planning._catch_up`) moves in it only the notes whose progress moved, and those whose
bytes changed (a tag added or a group named: they may have entered or left the scope), so
a block reads the progress of the notes it lists alone.

A scope is a block's folder and tag and, with `group=`, its note: the notes it holds are
the same for every block with that scope, but for the block's own note, which a block
never lists (`scope.scope_members`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath

from msgspec import field

from vaultkit.model import Block, NoteProgress, Record
from vaultkit.progress import Progress
from vaultkit.summaries.scope import in_scope, names_group, narrowed
from vaultkit.upnext import Ranking, Scope
from vaultkit.vault import Vault

Kept = tuple[tuple[Scope, Ranking], ...]  # the rankings a plan keeps, by scope


def members(scope: Scope, vault: Vault, progress: Progress) -> set[PurePosixPath]:
    """The notes with progress in `scope`, as `scope.scope_members` finds them (with the
    block's own note)."""
    return in_scope(vault, progress, scope.folder, scope.tag, scope.group)


def holds(scope: Scope, vault: Vault, progress: Progress, path: PurePosixPath) -> bool:
    """Whether the note at `path` is one of the `members` of `scope`, found for it alone."""
    item = progress.notes.get(path)
    if item is None:
        return False
    if scope.group is not None:
        label = item.group
        if label is None or not names_group(vault, label, scope.group):
            return False
    return bool(narrowed(vault, [path], scope.folder, scope.tag))


class Listings(Record, frozen=True):
    """The ranking of each scope asked for: made from its notes' progress when first
    asked, or kept from an earlier plan and brought up to date (`caught_up`)."""

    vault: Vault
    progress: Progress
    ranked: dict[Scope, Ranking] = field(default_factory=dict)

    def first(self, block: Block, note: PurePosixPath, limit: int) -> list[NoteProgress]:
        """The first `limit` notes `note`'s `block` lists: `Progress.next` of its scope."""
        ranking = self.ranking(Scope.of(block, note))
        paths = [path for path in ranking.first(limit + 1) if path != note][:limit]
        notes = self.progress.notes
        return [notes[path] for path in paths]

    def ranking(self, scope: Scope) -> Ranking:
        found = self.ranked.get(scope)
        if found is None:
            notes = self.progress.notes
            found = Ranking.of(notes[path] for path in members(scope, self.vault, self.progress))
            self.ranked[scope] = found
        return found

    def kept(self, scopes: Iterable[Scope]) -> Kept:
        """The rankings of these `scopes`, to keep with a plan (each made when not yet)."""
        return tuple((scope, self.ranking(scope)) for scope in sorted(set(scopes), key=Scope.order))

    @classmethod
    def caught_up(
        cls,
        vault: Vault,
        progress: Progress,
        kept: Kept,
        before: Mapping[PurePosixPath, NoteProgress],
        changed: Iterable[PurePosixPath],
    ) -> Listings:
        """The rankings `kept` of the vault before the notes `changed` changed, when the
        notes `before` had the progress given there (nothing else changed), for the vault
        now with `progress`; one that is not of the notes as they were is made when asked."""
        changed = tuple(changed)
        ranked = {}
        for scope, ranking in kept:
            now = ranking.updated(
                before, progress.notes, functools.partial(holds, scope, vault, progress), changed
            )
            if now is not None:
                ranked[scope] = now
        return cls(vault, progress, ranked)
