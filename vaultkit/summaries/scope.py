"""Which notes a block talks about, and everything a renderer is given.

A block's scope is the notes it links to (front matter and body, resolved the way Obsidian
does, leaving out the note itself and the links inside the note's own managed blocks, which
vaultkit wrote), or, with `folder=`, `tag=` and/or `group=this`, the notes in that folder
(`folder=/` is the whole vault), with that tag (nested tags included) and/or whose group
(the configured `group-by` property, `phase` by default) is this note: the notes a
`group-by=phase` roll-up lists under the phase. Only notes with progress (not excluded) are
in a scope; a scope is sorted by path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from msgspec import field

from vaultkit.blocks import Block
from vaultkit.model import Record, path_order
from vaultkit.notefacts import group_of
from vaultkit.progress import Progress
from vaultkit.summaries.text import Namer
from vaultkit.vault import Vault

if TYPE_CHECKING:
    from vaultkit.listings import Listings


class Context(Record, frozen=True):
    """What a block renderer reads: the block, its note, the vault, and the scope."""

    block: Block
    note: PurePosixPath
    vault: Vault
    progress: Progress
    blocks: tuple[Block, ...]  # the note's own blocks
    names: Namer
    listings: Listings | None = None  # what `next` blocks scoped by folder, tag or group list
    _scope: list[tuple[PurePosixPath, ...]] = field(default_factory=list)  # once found

    @property
    def scope(self) -> tuple[PurePosixPath, ...]:
        """The notes the block reports on, sorted; found when a renderer first asks (a
        `progress` block never does)."""
        if not self._scope:
            found = scope_of(self.block, self.note, self.vault, self.progress, self.blocks)
            self._scope.append(found)
        return self._scope[0]

    def group_key(self, default: str | None = None) -> str | None:
        return self.block.params.get("group-by", default)

    def group(self, path: PurePosixPath, key: str) -> str | None:
        return group_of(self.vault, path, key)


def context(
    block: Block,
    note: PurePosixPath,
    vault: Vault,
    progress: Progress,
    blocks: Sequence[Block],
    listings: Listings | None = None,
) -> Context:
    names = Namer(vault.index, note)
    return Context(block, note, vault, progress, tuple(blocks), names, listings)


def scope_of(
    block: Block,
    note: PurePosixPath,
    vault: Vault,
    progress: Progress,
    blocks: Iterable[Block] = (),
) -> tuple[PurePosixPath, ...]:
    return tuple(sorted(scope_members(block, note, vault, progress, blocks), key=path_order))


def by_links(block: Block) -> bool:
    """Whether the block's scope is the notes its note links to (no `folder`, `tag`, `group`)."""
    return not {"folder", "tag", "group"} & block.params.keys()


def scope_members(
    block: Block,
    note: PurePosixPath,
    vault: Vault,
    progress: Progress,
    blocks: Iterable[Block] = (),
    linked: Iterable[PurePosixPath] | None = None,
) -> set[PurePosixPath]:
    """The notes a block reports on, unordered (`scope_of` sorts them).

    `linked`: `linked_notes(note, vault, blocks)` when the caller has it already.
    """
    if by_links(block):
        found = linked_notes(note, vault, blocks) if linked is None else linked
        members = set(found) & progress.notes.keys()
    else:
        params = block.params
        group = note if params.get("group") is not None else None
        members = in_scope(vault, progress, params.get("folder"), params.get("tag"), group)
    members.discard(note)
    return members


def in_scope(
    vault: Vault,
    progress: Progress,
    folder: str | None,
    tag: str | None,
    group: PurePosixPath | None,
) -> set[PurePosixPath]:
    """The notes with progress in `folder` that have `tag` and, with `group`, whose group
    names that note (`group_members`): a block's scope when it is not its links."""
    found: Iterable[PurePosixPath] = progress.notes.keys()
    if group is not None:
        found = group_members(group, vault, progress)
    return set(narrowed(vault, found, folder, tag)) & progress.notes.keys()


def linked_notes(
    note: PurePosixPath, vault: Vault, blocks: Iterable[Block] = ()
) -> set[PurePosixPath]:
    """The notes `note` links to, outside its managed blocks."""
    inner = [(block.begin.line, block.end.line) for block in blocks]  # generated between
    resolve = vault.index.resolve
    found: set[PurePosixPath] = set()
    for link in vault.notes[note].links:
        line = link.span.line
        if inner and link.kind != "property" and any(a < line < b for a, b in inner):
            continue
        target = resolve(link, note).path
        if target is not None:
            found.add(target)
    return found


def group_members(note: PurePosixPath, vault: Vault, progress: Progress) -> list[PurePosixPath]:
    """The notes whose group names `note`: a link to it, its title, or one of its aliases.

    Groups are labels (`notefacts.group_of`), so the answer is the one a `group-by` roll-up
    gives: the notes it lists under the group headed by this note.
    """
    opens: dict[str, bool] = {}  # each distinct label resolved once
    found = []
    for path, item in progress.notes.items():
        label = item.group
        if label is None:
            continue
        if label not in opens:
            opens[label] = names_group(vault, label, note)
        if opens[label]:
            found.append(path)
    return found


def names_group(vault: Vault, label: str, note: PurePosixPath) -> bool:
    """Whether the group `label` names `note`: a link to it, its title, or one of its aliases."""
    return vault.index.resolve_target(label, note).path == note


def narrowed(
    vault: Vault, paths: Iterable[PurePosixPath], folder: str | None, tag: str | None
) -> Iterable[PurePosixPath]:
    """The `paths` in `folder` (or below) that have `tag` (or one nested under it), as a
    block's, a canvas's or `vaultkit graph`'s `folder` and `tag` narrow its scope; `paths`
    themselves when neither is given."""
    if folder is None and tag is None:
        return paths
    found = list(paths)
    if folder is not None:
        found = in_folder(found, folder)
    if tag is not None:
        found = [path for path in found if has_tag(vault, path, tag)]
    return found


def in_folder(paths: Iterable[PurePosixPath], folder: str) -> list[PurePosixPath]:
    """The notes in `folder` or below (case-insensitively, like Obsidian search), in order."""
    prefix = "".join(f"{part}/" for part in folder.split("/") if part).casefold()
    inside: dict[str, bool] = {}  # notes share folders: each is compared once
    found = []
    for path in paths:
        parent = str(path).rpartition("/")[0]
        if parent not in inside:
            inside[parent] = f"{parent}/".casefold().startswith(prefix)
        if inside[parent]:
            found.append(path)
    return found


def has_tag(vault: Vault, path: PurePosixPath, tag: str) -> bool:
    """Whether the note has the tag or a tag nested under it (`area` finds `#area/sub`)."""
    wanted = tag.removeprefix("#").casefold()
    for found in vault.notes[path].tags:
        name = found.name.casefold()
        if name == wanted or name.startswith(wanted + "/"):
            return True
    return False
