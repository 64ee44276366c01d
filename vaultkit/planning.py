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

import functools
from collections.abc import Container, Iterable, Mapping, Sequence
from pathlib import PurePosixPath

from vaultkit.blocks import BlockScan, hidden_from, refusal, unseen
from vaultkit.config import CanvasSpec
from vaultkit.discover import is_conflict_copy
from vaultkit.graph import DependencyGraph
from vaultkit.halves import in_two
from vaultkit.listings import Listings
from vaultkit.model import Block, Diagnostic, Note, NoteProgress, Record, State, path_order
from vaultkit.nogc import no_gc
from vaultkit.planned import BOM, CANVAS, Listed, NoteUpdate, Skip, SyncPlan, Targets, _Kept
from vaultkit.progress import Progress, caught_up, compute, next_key
from vaultkit.results import recall_earlier
from vaultkit.summaries import RENDERERS, fill, renderer
from vaultkit.summaries.nextup import DEFAULT_LIMIT
from vaultkit.summaries.scope import by_links
from vaultkit.upnext import Ranking, Scope
from vaultkit.vault import Vault
from vaultkit.whoshows import shown

MARKER_BYTES = b"vaultkit:"  # no marker can be in a note without these bytes


class _Decoded(Record, frozen=True):
    note: Note
    data: bytes
    bom: bool
    text: str
    scan: BlockScan


def made(
    vault: Vault,
    progress: Progress | None,
    targets: Targets,
    canvases: bool,
    what: str,
) -> _Kept:
    """The plan of `targets` (`planned.plan`), brought up to date (`_catch_up`) from an
    earlier run's when only some notes' bytes changed since, else made anew."""
    progress = progress if progress is not None else compute(vault)
    earlier = recall_earlier(vault, what, _Kept)
    kept = None if earlier is None else _catch_up(vault, progress, targets, canvases, *earlier)
    return kept if kept is not None else _plan(vault, progress, list(targets.order), canvases)


Outcome = NoteUpdate | Skip | list[Diagnostic] | None  # a note's, as `_plan_note` gives it


@no_gc()  # thousands of objects made, none of them garbage: no scan of the heap
def _plan(vault: Vault, progress: Progress, targets: list[PurePosixPath], canvases: bool) -> _Kept:
    """The plan of the notes `targets` (and of the managed canvases, with `canvases`), the
    notes planned in two processes when that pays (`halves.py`)."""
    wanted = set(targets)
    outcomes: dict[PurePosixPath, Outcome] = {}
    shows: dict[PurePosixPath, tuple[PurePosixPath, ...]] = {}
    scoped: dict[PurePosixPath, tuple[Listed | None, ...]] = {}
    ranked: dict[Scope, Ranking] = {}
    work = functools.partial(_planned, vault, progress)
    kinds = {block.kind for path in targets for block in vault.notes[path].blocks.blocks}
    for kind in kinds & RENDERERS.keys():
        renderer(kind)  # imported here once, not again by the half forked to plan in
    for part in in_two(targets, work, _Kept, vault.files.notes):
        outcomes.update(_outcomes(part.plan, wanted))
        shows.update(part.shows)
        scoped.update(part.scoped)
        ranked.update(part.ranked)
    return _Kept(
        _assembled(vault, progress, {path: outcomes.get(path) for path in targets}, canvases),
        tuple((path, shows[path]) for path in targets if path in shows),
        tuple((path, scoped[path]) for path in _sorted(scoped)),
        tuple(sorted(ranked.items(), key=lambda item: item[0].order())),
    )


def _planned(vault: Vault, progress: Progress, paths: Sequence[PurePosixPath]) -> _Kept:
    """The plan of the notes at `paths` alone, with what their blocks show (`_shown`)."""
    listings = Listings(vault, progress)
    outcomes = {path: _plan_note(vault, progress, path, listings) for path in paths}
    shows, scoped = [], []
    for path in paths:
        now = _shown(vault, progress, path, listings)
        if now is not None:
            shows.append((path, _sorted(now[0])))
            if now[1]:
                scoped.append((path, now[1]))
    return _Kept(
        _assembled(vault, progress, outcomes, canvases=False),
        tuple(shows),
        tuple(scoped),
        listings.kept(_listed_scopes(vault, (path for path, _ in scoped))),
    )


def _catch_up(
    vault: Vault,
    progress: Progress,
    targets: Targets,
    canvases: bool,
    kept: _Kept,
    changed: frozenset[PurePosixPath],
) -> _Kept | None:
    """The plan `kept` of the vault before the notes `changed` changed (nothing else did),
    with `progress` brought up to date from that run's (`progress.caught_up`; else None:
    planned again).

    The notes *affected*: the changed notes and the notes whose progress is not what it
    was (`CaughtUp.moved`). Planned again: each affected note, each note that requires or
    is required by one whose state is not what it was (a `progress` block shows the note,
    the states of its prerequisites and links to its dependents: a box ticked that leaves
    a note's state as it was changes no other note's), the notes that were skipped, and each note
    whose other blocks showed an affected note, or show a changed one now (it entered
    their scope: a tag added), or any note when a changed note's title or start date
    changed (they order every block's groups). The graph is the same, and no other note's
    bytes or progress changed, so no other note's blocks can show anything else. In the
    ranking of each scope of a `next` block kept, only the affected notes move
    (`Listings.caught_up`).

    What it costs follows from the notes planned again and the size of the plan kept (its
    stale blocks, skips and problems, and the notes whose blocks show other notes), not
    from the number of notes in the vault: no step goes over every note.
    """
    caught = caught_up(vault, progress)
    if caught is None:
        return None
    progress = caught.progress  # `progress`, or the same made again from that run's
    affected = changed | caught.moved
    listings = Listings.caught_up(vault, progress, kept.ranked, caught.before, changed)
    restated = _restated(progress, caught.before)
    near = affected | _neighbours(progress.around(restated), restated)
    again = {path for path in near if path in targets}
    again.update(skip.path for skip in kept.plan.skipped if skip.path in targets)
    shows = dict(kept.shows)
    scoped = dict(kept.scoped)
    for path, found in shows.items():
        if path not in again and (
            caught.reorders
            or not affected.isdisjoint(found)
            or (path in scoped and _entered(vault, progress, path, changed, affected, scoped[path]))
        ):
            again.add(path)
    outcomes = _outcomes(kept.plan, targets)
    for path in _sorted(again):
        outcomes[path] = _plan_note(vault, progress, path, listings)
        now = _shown(vault, progress, path, listings)
        shows.pop(path, None)
        scoped.pop(path, None)
        if now is not None:
            shows[path] = _sorted(now[0])
            if now[1]:
                scoped[path] = now[1]
    in_order = {path: outcomes[path] for path in _sorted(outcomes)}
    return _Kept(
        _assembled(vault, progress, in_order, canvases, notes=len(targets.order)),
        tuple((path, shows[path]) for path in _sorted(shows)),
        tuple((path, scoped[path]) for path in _sorted(scoped)),
        listings.kept(_listed_scopes(vault, scoped)),
    )


def _neighbours(graph: DependencyGraph, paths: Iterable[PurePosixPath]) -> set[PurePosixPath]:
    """`paths`, and the notes that require one of them or that one of them requires."""
    found = set(paths)
    for path in paths:
        if path in graph:
            found.update(graph.predecessors(path))
            found.update(graph.successors(path))
    return found


def _restated(
    progress: Progress, before: Mapping[PurePosixPath, NoteProgress]
) -> set[PurePosixPath]:
    """The notes whose state is not what it was `before` (what it was of each note whose
    progress changed), or that have no progress now."""
    notes = progress.notes
    return {
        path
        for path, item in before.items()
        if (now := notes.get(path)) is None or now.state != item.state
    }


def _entered(
    vault: Vault,
    progress: Progress,
    path: PurePosixPath,
    changed: frozenset[PurePosixPath],
    affected: frozenset[PurePosixPath],
    listed: tuple[Listed | None, ...],
) -> bool:
    """Whether a changed note is now in the scope of a block of the note at `path` (which
    did not change) other than `progress`, or, of a `next` block, an affected note is now
    one it lists (`_enters`: what it `listed` says where its list ends). A scope of the
    notes it links to is left out: its links, and where they lead, are the same as when
    it showed what it showed."""
    blocks = _scopes(vault, path)
    if len(blocks) != len(listed):
        return True  # not the note the plan was made of
    for block, cut in zip(blocks, listed, strict=True):
        if cut is None:
            if shown(vault, progress, path, blocks, among=changed, only=(block,)):
                return True
        elif any(
            _enters(progress, member, cut)
            for member in shown(vault, progress, path, blocks, among=affected, only=(block,))
        ):
            return True
    return False


def _enters(progress: Progress, path: PurePosixPath, listed: Listed) -> bool:
    """Whether the note in the scope of a `next` block that `listed` what it says is one to
    work on that now comes before the last it listed, or there is room after it."""
    item = progress.notes[path]
    if item.state not in (State.IN_PROGRESS, State.READY):
        return False
    if not listed.full:
        return True
    last = None if listed.last is None else progress.notes.get(listed.last)
    return last is not None and next_key(item) < next_key(last)


def _scopes(vault: Vault, path: PurePosixPath) -> tuple[Block, ...]:
    """The note's blocks other than `progress` whose scope is not the notes it links to."""
    blocks = vault.notes[path].blocks.blocks
    return tuple(b for b in blocks if b.kind != "progress" and not by_links(b))


def _listed_scopes(vault: Vault, paths: Iterable[PurePosixPath]) -> set[Scope]:
    """The scopes of the `next` blocks of the notes at `paths` that show what they list."""
    return {
        Scope.of(block, path)
        for path in paths
        for block in vault.notes[path].blocks.blocks
        if _listing(block)
    }


def _listing(block: Block) -> bool:
    """Whether the block is a `next` block whose scope is a folder, a tag or a group: it
    shows the notes it lists, not its whole scope (`Listed`)."""
    return block.kind == "next" and not by_links(block)


def _sorted(paths: Iterable[PurePosixPath]) -> tuple[PurePosixPath, ...]:
    return tuple(sorted(paths, key=path_order))


def _shown(
    vault: Vault, progress: Progress, path: PurePosixPath, listings: Listings
) -> tuple[set[PurePosixPath], tuple[Listed | None, ...]] | None:
    """What the note's blocks other than `progress` show, with what each of its blocks of
    `_scopes` listed (None but for `next` blocks: `listings`); None when it has no such
    block."""
    blocks = vault.notes[path].blocks.blocks
    if all(block.kind == "progress" for block in blocks):
        return None
    others = tuple(block for block in blocks if not _listing(block))
    found = shown(vault, progress, path, blocks, only=others)
    listed: list[Listed | None] = []
    for block in _scopes(vault, path):
        if not _listing(block):
            listed.append(None)
            continue
        limit = int(block.params.get("limit", DEFAULT_LIMIT))
        items = listings.first(block, path, limit)
        found.update(item.path for item in items)
        full = len(items) >= limit
        listed.append(Listed(full, items[-1].path if full and items else None))
    return found, tuple(listed)


def _outcomes(plan: SyncPlan, notes: Container[PurePosixPath]) -> dict[PurePosixPath, Outcome]:
    """The outcome in `plan` of each of the `notes` that has one (the others are up to
    date), undone from `_assembled`."""
    found: dict[PurePosixPath, Outcome] = {}
    for update in plan.updates:
        if not update.canvas and update.path in notes:
            found[update.path] = update
    for skip in plan.skipped:
        if skip.path in notes:
            found[skip.path] = skip
    for problem in plan.problems:
        if problem.path in notes:
            listed = found.setdefault(problem.path, [])
            if isinstance(listed, list):
                listed.append(problem)
    return found


def _assembled(
    vault: Vault,
    progress: Progress,
    outcomes: Mapping[PurePosixPath, Outcome],
    canvases: bool,
    *,
    notes: int | None = None,
) -> SyncPlan:
    """The plan of notes with these `outcomes` (in path order), and of the managed canvases;
    `notes` planned in all (default: one for each outcome, None counted)."""
    updates: list[NoteUpdate] = []
    skipped: list[Skip] = []
    problems: list[Diagnostic] = []
    for found in outcomes.values():
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
    count = len(outcomes) if notes is None else notes
    return SyncPlan(tuple(updates), tuple(skipped), tuple(sorted(problems)), count)


def _plan_canvas(vault: Vault, progress: Progress, spec: CanvasSpec) -> NoteUpdate | Skip | None:
    from vaultkit import canvases  # what draws a canvas, loaded when a vault has one
    from vaultkit.jsoncanvas import CanvasError

    path = PurePosixPath(spec.path)
    try:
        planned = canvases.plan(vault, progress, spec)
    except CanvasError as error:
        return Skip(path, f"not a canvas vaultkit can update: {error}")
    except OSError as error:
        return Skip(path, f"cannot be read: {error.strerror or error}")
    if planned is None:
        return None
    entry = hidden_from(vault.files.unread, spec.folder if spec.tag is None else None)
    if entry is not None:  # as for a note's blocks: a note it would show may be unread
        return Skip(path, f"the vault could not be read whole ({entry.path}: {entry.reason})")
    created = planned.old is None
    return NoteUpdate(path, (CANVAS,), planned.old or b"", planned.new, created=created)


def _plan_note(
    vault: Vault, progress: Progress, path: PurePosixPath, listings: Listings
) -> Outcome:
    """The note's update, why it is skipped, its VK502 problems, or None (up to date);
    `next` blocks scoped by folder, tag or group list what `listings` says."""
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
    filled = fill(decoded.text, path, decoded.scan.blocks, vault, progress, listings)
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
