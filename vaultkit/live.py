"""The watcher's state: everything `watch` keeps between edits, in one object.

`LiveVault` holds the vault as last read, its progress, and the blocks of every note that
has any (what `who_shows` reads to find who shows what). It changes only through
`refresh` (some notes changed on disk); `fresh` reads the whole vault again into a new
one, and `compare` says what differs between the two: the watcher does that at every
rescan and takes the fresh one when anything does, and after every batch when asked to
verify.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath

import msgspec

from vaultkit.blocks import Block
from vaultkit.discover import is_conflict_copy
from vaultkit.model import path_order
from vaultkit.progress import Progress, track
from vaultkit.vault import Vault, refresh, reread
from vaultkit.whoshows import Links, Snapshot, who_shows


class LiveVault:
    """The vault as the watcher knows it; `now` is replaced whole, never changed in place."""

    def __init__(self, vault: Vault) -> None:
        self.now = Snapshot(vault, track(vault), scan_blocks(vault, vault.notes))
        self.links = Links()  # what notes with blocks link to: `who_shows` asks every time

    @property
    def vault(self) -> Vault:
        return self.now.vault

    @property
    def progress(self) -> Progress:
        return self.now.progress

    def refresh(self, changed: Iterable[PurePosixPath]) -> Snapshot:
        """Read the `changed` notes again; returns the state as it was before."""
        before = self.now
        vault = refresh(before.vault, changed)
        tracked = track(vault, before.tracked)
        notes = vault.notes
        moved = [path for path, note in notes.items() if before.vault.notes.get(path) is not note]
        blocks = {path: found for path, found in before.blocks.items() if path in notes}
        for path in moved:
            blocks.pop(path, None)
        blocks.update(scan_blocks(vault, moved))
        self.now = Snapshot(vault, tracked, blocks)
        return before

    def who_shows(self, changed: Iterable[PurePosixPath], before: Snapshot) -> set[PurePosixPath]:
        """The notes whose blocks may show something new since `before` (`refresh`'s answer)."""
        return who_shows(self.now, changed, previous=before, links=self.links)

    def fresh(self) -> LiveVault:
        """The state a watcher started now would have: every note read again from disk
        (parsed again unless its bytes are the ones parsed here), everything else computed
        from scratch."""
        return LiveVault(reread(self.vault))


class Comparison(msgspec.Struct, frozen=True):
    """What differs between the watcher's state and a fresh load."""

    behind: tuple[PurePosixPath, ...]  # notes whose bytes on disk the state has not read
    drifted: tuple[str, ...]  # what differs although the bytes are the same ("A.md: progress")


def compare(held: Snapshot, fresh: Snapshot) -> Comparison:
    """Compare the watcher's state with a fresh load of the same vault.

    Notes read from other bytes are `behind` (their events are on the way, or were lost);
    everything computed from the notes is compared only when none is, since a note that
    is behind changes what others show.
    """
    held_notes, fresh_notes = held.vault.notes, fresh.vault.notes
    behind = {
        path
        for path in held_notes.keys() | fresh_notes.keys()
        if _digest(held_notes.get(path)) != _digest(fresh_notes.get(path))
    }
    if behind:
        return Comparison(tuple(sorted(behind, key=path_order)), ())
    drifted = []
    held_files, fresh_files = held.vault.files, fresh.vault.files
    if (held_files.notes, held_files.excluded) != (fresh_files.notes, fresh_files.excluded):
        drifted.append("the vault's files")
    drifted += _progress_differences(held.progress, fresh.progress)
    for path in _differing(held.blocks, fresh.blocks):
        drifted.append(f"{path}: its blocks")
    return Comparison((), tuple(drifted))


def _differing(
    held: Mapping[PurePosixPath, object], fresh: Mapping[PurePosixPath, object]
) -> list[PurePosixPath]:
    """The paths whose values differ (or that one of the two lacks), in path order. Only
    those are sorted: sorting every path kept the parts of each (`path_order`) for good,
    made while a fresh load came and went, which kept the heap it left from shrinking."""
    return sorted(
        (path for path in held.keys() | fresh.keys() if held.get(path) != fresh.get(path)),
        key=path_order,
    )


def _progress_differences(held: Progress, fresh: Progress) -> list[str]:
    drifted = [f"{path}: its progress" for path in _differing(held.notes, fresh.notes)]
    if set(held.graph.edges) != set(fresh.graph.edges) or set(held.graph) != set(fresh.graph):
        drifted.append("the dependency graph")
    if held.cycles != fresh.cycles:
        drifted.append("the dependency cycles")
    if held.missing != fresh.missing:
        drifted.append("the missing prerequisites")
    return drifted


def _digest(note: object) -> str | None:
    return getattr(note, "digest", None)


def scan_blocks(
    vault: Vault, paths: Iterable[PurePosixPath]
) -> dict[PurePosixPath, tuple[Block, ...]]:
    """The well-formed blocks of each note in `paths` that sync may write and has any."""
    found: dict[PurePosixPath, tuple[Block, ...]] = {}
    for path in paths:
        if vault.is_linted(path) and not is_conflict_copy(path):
            blocks = vault.notes[path].blocks.blocks  # found when the note was parsed
            if blocks:
                found[path] = blocks
    return found
