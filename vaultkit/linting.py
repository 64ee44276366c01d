"""Run the lint rules over a vault, drop what the user silenced, and apply fixes.

The whole vault is always read and indexed; `paths` only narrow which notes findings are
reported for, so a pre-commit run on one staged note still checks its links against every
other note. Notes Obsidian excludes are not linted (they stay link targets), and a sync
conflict copy gets only VK006: its other findings would repeat the original's.
"""

from __future__ import annotations

import codecs
import functools
import itertools
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING

import msgspec

from vaultkit.config import Config, check_codes, matches
from vaultkit.discover import is_conflict_copy
from vaultkit.halves import beside
from vaultkit.lines import line_starts
from vaultkit.linted import Kept, LintResult, check
from vaultkit.model import Diagnostic, Note, Paths, Record, path_order
from vaultkit.nogc import no_gc
from vaultkit.notefacts import has_task_links
from vaultkit.progress import Progress, compute
from vaultkit.results import (
    part,
    paths_digest,
    recall,
    recall_earlier,
    recall_part_bytes,
    remember,
    unpacked_part,
)
from vaultkit.rules import (
    BY_CODE,
    CARD_RULES,
    REGISTRY,
    vk006_conflict_copy,
    vk202_tag_case_mismatch,
    vk403_task_dependency,
    vk501_stale_block,
)
from vaultkit.rules.base import (
    Edit,
    NoteContext,
    RuleModule,
    Run,
    VaultContext,
    build_options,
)
from vaultkit.source import Source, decode
from vaultkit.suppress import Silencer
from vaultkit.vault import PROGRESS, Vault, refresh

if TYPE_CHECKING:
    from vaultkit.cards import Card

# `--fix` lints again after writing, because one fix can make another finding (a task that
# now counts makes a progress block stale); this many rounds is more than any vault needs.
MAX_FIX_ROUNDS = 5


class Active(Record, frozen=True):
    """A rule that runs, with its options read from the configuration."""

    rule: RuleModule
    options: object


def run(
    vault: Vault, progress: Progress, paths: Iterable[PurePosixPath] | None = None
) -> list[Diagnostic]:
    """The findings in the notes at `paths` (every linted note when None), sorted."""
    return list(check(vault, progress, paths).diagnostics)


@no_gc()  # thousands of objects made, none of them garbage: no scan of the heap
def _check(
    vault: Vault,
    progress: Progress | None,
    paths: Iterable[PurePosixPath] | None,
    what: str | None = None,
) -> LintResult:
    """`linted.check`'s result, kept as `what` (None: not kept)."""
    rules = active_rules(vault.config, vault.root)
    targets = _Targets.of(vault, paths)
    shared = Run(vault, [] if progress is None else [progress], Source(vault), {})
    cards = _cards(shared.source, targets.canvases, vault.config.max_note_size)
    step = _meter(len(rules))
    in_notes = [active for active in rules if active.rule.SCOPE == "note"]
    alone = [active for active in rules if active.rule.CODE in _CATCH_UP]
    recalled, jobs = _kept_or_jobs(alone, shared, targets)
    others = functools.partial(_in_vault, rules, shared, targets, cards, step)
    checking = _Checking(in_notes, shared, targets, step, others, jobs)
    found = _in_notes(checking, whole=paths is None) | recalled
    step()
    found = {d for d in found if targets.reports(d.path, d.code)}
    if paths is None:  # files that are not notes (a name that is not UTF-8) belong to no path
        codes = {active.rule.CODE for active in rules}
        found |= {d for d in vault.files.problems if d.code in codes}
    earlier = None if what is None else recall_earlier(vault, what, Kept)
    silenced = _silenced(found, Silencer.of(vault.config, shared.source), earlier)
    kept = sorted(found - silenced, key=_position)
    fixes = {d: shared.fixes[d] for d in kept if d in shared.fixes}
    hidden = tuple(sorted(silenced, key=_position))
    return LintResult(tuple(kept), len(targets.order), MappingProxyType(fixes), hidden)


def _silenced(
    found: set[Diagnostic],
    silencer: Silencer,
    earlier: tuple[Kept, frozenset[PurePosixPath]] | None,
) -> set[Diagnostic]:
    """The `found` that the user silenced. Whether a finding is silenced follows from its
    place and code, its note's bytes and the configuration alone, so a finding at a place
    and of a code an earlier lint of the same notes (with the same configuration) showed
    or silenced, in a note not changed since, is shown or silenced again without reading
    its note."""
    if earlier is None:
        return {d for d in found if silencer.silences(d)}
    kept, changed = earlier
    shown, hidden = set(map(_place, kept.diagnostics)), set(map(_place, kept.silenced))
    silenced = set()
    for here in found:
        place = _place(here)
        if here.path in changed or not (place in shown or place in hidden):
            if silencer.silences(here):
                silenced.add(here)
        elif place in hidden:
            silenced.add(here)
    return silenced


def _place(found: Diagnostic) -> tuple[PurePosixPath, int, int, str]:
    """What decides whether a finding is silenced, besides its note's bytes."""
    return found.path, found.line, found.col, found.code


def _meter(rules: int) -> Callable[[], None]:
    """Tells `PROGRESS` that one more of the `rules` is running (then that all ran)."""
    done = itertools.count()

    def step() -> None:
        tell = PROGRESS.get()  # read each time: a process that shares the work has none
        if tell is not None:
            tell("running lint rules", next(done), rules)

    return step


def active_rules(config: Config, root: Path | None = None) -> tuple[Active, ...]:
    """The rules that run: `select` (default: every default-on rule) minus `ignore`.

    Raises ConfigError for an unknown code anywhere in the configuration, and for an
    unknown or ill-typed rule option, even of a rule that does not run.
    """
    check_codes(config, BY_CODE, root)
    where = config.source.name if config.source else "configuration"
    chosen = []
    for rule in REGISTRY:
        written = config.rules.get(rule.CODE, {})
        options = build_options(rule, written, f"{where}: [rules.{rule.CODE}]")
        selected = matches(config.select, rule.CODE) if config.select else rule.DEFAULT_ENABLED
        if selected and not matches(config.ignore, rule.CODE):
            chosen.append(Active(rule, options))
    return tuple(chosen)


class _Targets(Record, frozen=True):
    """The notes reported on: linted, among `paths`; a conflict copy only gets VK006."""

    order: tuple[PurePosixPath, ...]  # in the vault's (sorted) order
    paths: frozenset[PurePosixPath]
    # what results of these notes are kept under (`paths_digest`): of every linted note,
    # "all" (the state and the configuration say which notes), not a digest of their paths
    digest: str

    canvases: frozenset[PurePosixPath] = frozenset()  # canvas files reported on (VK106)

    @classmethod
    def of(cls, vault: Vault, paths: Iterable[PurePosixPath] | None) -> _Targets:
        wanted = None if paths is None else frozenset(paths)
        order = vault.linted_among(wanted)
        canvases = frozenset(
            path
            for path in vault.files.attachments
            if path.suffix.lower() == ".canvas" and (wanted is None or path in wanted)
        )
        digest = paths_digest(None if wanted is None else order)
        return cls(order, frozenset(order), digest, canvases)

    def reports(self, path: PurePosixPath, code: str) -> bool:
        if path in self.canvases:
            return True
        if path not in self.paths:
            return False
        # asked of each finding's note: asked of every note, it was a pass over the vault
        # after each edit
        return code == vk006_conflict_copy.CODE or not is_conflict_copy(path)


def _in_vault(
    rules: Sequence[Active],
    shared: Run,
    targets: _Targets,
    cards: Sequence[Card],
    step: Callable[[], None],
) -> set[Diagnostic]:
    """The findings of the `rules` that check the whole vault (but those with a catch-up,
    `_CATCH_UP`), and of those that check one note at a time in the canvases' text cards."""
    found: set[Diagnostic] = set()
    for active in rules:
        if active.rule.SCOPE != "note":
            step()
        if active.rule.CODE not in _CATCH_UP:  # found beside the note rules: `_checked`
            found.update(_findings(active, shared, targets, cards))
    return found


def _findings(
    active: Active, shared: Run, targets: _Targets, cards: Sequence[Card]
) -> Iterator[Diagnostic]:
    """The findings of a rule that checks the whole vault, or of one that checks one note
    at a time in the canvases' text cards (in the notes: `_in_notes`)."""
    rule = active.rule
    if rule.SCOPE == "vault":
        yield from rule.check(VaultContext(rule.CODE, active.options, shared, targets.paths))
        return
    if rule in CARD_RULES:
        for card in cards:
            path = card.note.path
            context = NoteContext(rule.CODE, active.options, shared, targets.paths, path)
            yield from map(card.described, rule.check(card.note, context))


# -- the rules that check one note at a time: their findings kept by note ----------------

IN_NOTES = "lint notes"  # what `_ByNote` is kept as (`results.py`)


class _ByNote(Record, frozen=True):
    """The findings of the rules that check one note at a time (`SCOPE == "note"`) in every
    linted note (or in some notes, as a part of the work sent back by `halves.beside`),
    with their fixes, and the notes whose headings and block ids each note's
    links name (`_reads`). A note's findings depend on its bytes, the configuration, the
    vault's file names (where links resolve) and the headings and block ids of those
    notes (VK103, VK104): on nothing else."""

    found: tuple[tuple[PurePosixPath, tuple[Diagnostic, ...]], ...]  # the notes with any
    fixes: tuple[tuple[Diagnostic, Edit], ...]
    reads: tuple[tuple[PurePosixPath, Paths], ...]  # the notes reading any


class _Checking(Record, frozen=True):
    """A lint run's work besides the findings kept by note: the note `rules`, and what is
    done beside them, in the same process (`jobs`) or meanwhile (`meanwhile`)."""

    rules: Sequence[Active]
    shared: Run
    targets: _Targets
    step: Callable[[], None]
    meanwhile: Callable[[], set[Diagnostic]]  # the other rules' findings
    jobs: tuple[_Job, ...]  # vault rules that read every note, kept when made


def _in_notes(checking: _Checking, *, whole: bool) -> set[Diagnostic]:
    """The findings of the note rules in every linted note (`whole`), else in the targets,
    with those of the other rules, found while the notes are checked (`_checked`).

    Kept for a later run, by note: a run after some notes' bytes changed (and nothing else)
    checks only those notes again, and the notes whose links name a heading or block in one.
    """
    shared, targets = checking.shared, checking.targets
    vault = shared.vault
    kept = recall(vault, IN_NOTES, _ByNote)
    recalled = kept is not None
    again: set[PurePosixPath] = set()
    if kept is None:
        earlier = recall_earlier(vault, IN_NOTES, _ByNote)
        if earlier is not None:
            kept, changed = earlier
            again = set(changed) | {p for p, read in kept.reads if not changed.isdisjoint(read)}
        elif not whole:
            part, also = _checked(checking, targets.order)
            return also.union(*(found for _, found in part.found))
    if kept is None:
        kept, again = _ByNote((), (), ()), set(vault.notes)
        notes: Sequence[PurePosixPath] = vault.linted_among(None)  # in path order already
    else:
        notes = sorted((path for path in again if vault.is_linted(path)), key=path_order)
    part, also = _checked(checking, notes)
    by_note = {path: found for path, found in kept.found if path not in again}
    by_note.update(part.found)
    shared.fixes.update((d, edit) for d, edit in kept.fixes if d.path not in again)
    if not recalled:
        reads = {path: read for path, read in kept.reads if path not in again}
        reads.update(part.reads)
        fixes = tuple(
            (d, shared.fixes[d]) for listed in by_note.values() for d in listed if d in shared.fixes
        )
        value = _ByNote(
            tuple(sorted(by_note.items(), key=_by_path)),
            fixes,
            tuple(sorted(((path, read) for path, read in reads.items() if read), key=_by_path)),
        )
        remember(vault, IN_NOTES, value)
    return also.union(*by_note.values())


def _checked(
    checking: _Checking, notes: Sequence[PurePosixPath]
) -> tuple[_ByNote, set[Diagnostic]]:
    """The findings of the note rules in the `notes` (a conflict copy gets only VK006's:
    its others would repeat the original's), and the other rules' findings. The notes are
    checked, and the `jobs` made, in a forked child process while `meanwhile` runs, when
    that pays (`halves.py`): what runs meanwhile (the rules that read the progress, which
    takes the longest) waits on nothing else."""
    shared, step = checking.shared, checking.step
    for _ in checking.rules:
        step()
    paths = checking.targets.paths
    work = functools.partial(_checked_with, checking.rules, shared, paths, notes, checking.jobs)
    files = shared.vault.files.notes
    done, also = beside(work, _Checked, files, checking.meanwhile, size=len(notes))
    shared.fixes.update(done.notes.fixes)
    for (what, _), made in zip(checking.jobs, done.made, strict=True):
        kept, blobs = made.found, dict(made.blobs)
        reused = [digest for digest in kept.parts if digest not in blobs]
        remember(shared.vault, what, kept, blobs, reused)
        shared.fixes.update(kept.fixes)
        also.update(kept.found)
    return done.notes, also


class _Checked(Record, frozen=True):
    """What `_checked_with` sends back: the findings by note, and what each job made."""

    notes: _ByNote
    made: tuple[_Made, ...]


def _checked_with(
    rules: Sequence[Active],
    shared: Run,
    paths: frozenset[PurePosixPath],
    notes: Sequence[PurePosixPath],
    jobs: Sequence[_Job],
) -> _Checked:
    """`_checked_in`'s findings in the `notes`, and what each of the `jobs` made."""
    return _Checked(_checked_in(rules, shared, paths, notes), tuple(make() for _, make in jobs))


def _checked_in(
    rules: Sequence[Active],
    shared: Run,
    paths: frozenset[PurePosixPath],
    notes: Sequence[PurePosixPath],
) -> _ByNote:
    """`_checked`'s findings in the `notes`: note by note, each rule's findings in the
    order of `rules`. One context per rule goes from note to note (its `path` set to the
    note's), and each rule's findings are taken before the next note: a context per rule
    and note, and a note looked up per rule, were a third of the time of it all."""
    rules_here = [(active.rule.check, _context(active, shared, paths)) for active in rules]
    in_copies = [(rule, ctx) for rule, ctx in rules_here if ctx.code == vk006_conflict_copy.CODE]
    found: list[tuple[PurePosixPath, tuple[Diagnostic, ...]]] = []
    reads: list[tuple[PurePosixPath, tuple[PurePosixPath, ...]]] = []
    vault = shared.vault
    for path in notes:
        note = vault.notes[path]
        listed: list[Diagnostic] = []
        for rule, ctx in in_copies if is_conflict_copy(path) else rules_here:
            ctx.path = path
            listed += rule(note, ctx)
        if listed:
            found.append((path, tuple(listed)))
        read = _reads(vault, note)
        if read:
            reads.append((path, read))
    fixes = shared.fixes
    return _ByNote(
        tuple(found),
        tuple((d, fixes[d]) for _, listed in found for d in listed if d in fixes),
        tuple(reads),
    )


def _context(active: Active, shared: Run, paths: frozenset[PurePosixPath]) -> NoteContext[object]:
    """A context for the note rule `active`, its `path` set to each note's in turn."""
    return NoteContext(active.rule.CODE, active.options, shared, paths, PurePosixPath())


def _by_path(item: tuple[PurePosixPath, object]) -> tuple[str, ...]:
    return path_order(item[0])


def _reads(vault: Vault, note: Note) -> tuple[PurePosixPath, ...]:
    """The notes whose headings or block ids the note's links name (VK103, VK104), sorted."""
    found = set()
    for link in note.links:
        if link.headings or link.block is not None:
            target = vault.index.resolve(link, note.path).path
            if target is not None:
                found.add(target)
    return tuple(sorted(found))


# -- the rules that check the whole vault and read every note: each with its own key -----


class _Found(Record, frozen=True):
    """A vault rule's findings (in the notes reported on) as data, with their fixes, and
    what of the notes decides them: for VK403 each linted note whose tasks may carry ids or
    dependencies (`read`: nothing more of it); for VK202 how often each spelling of a tag
    is written in the linted notes (`counts`) and each note's tag names (`parts`)."""

    found: tuple[Diagnostic, ...]
    fixes: tuple[tuple[Diagnostic, Edit], ...]
    read: tuple[tuple[PurePosixPath, tuple[str, ...]], ...] = ()  # in the vault's order
    counts: tuple[tuple[str, int], ...] = ()  # each spelling once, sorted
    # Each note's tag names as VK202 counts them (`_names`), in the vault's order, kept in
    # parts of `TAG_PART` notes, by digest (`results.part`): a run after a box was ticked
    # reads the part of the note ticked and writes none.
    parts: tuple[str, ...] = ()


TAG_PART = 128  # notes per part of VK202's tag names (`_Found.parts`)
_TagPart = tuple[tuple[str, ...], ...]  # the tag names of each note of a part, in order


class _Made(msgspec.Struct, frozen=True):
    """What a job sends back: the `_Found` to keep, with the bytes of the parts it names
    that were made in this run (the others are those of the result it was brought up to
    date from, kept already)."""

    found: _Found
    blobs: tuple[tuple[str, bytes], ...] = ()


# A vault rule's findings to make, and what they are kept as (`remember`).
_Job = tuple[str, Callable[[], _Made]]


def _kept_or_jobs(
    rules: Sequence[Active], shared: Run, targets: _Targets
) -> tuple[set[Diagnostic], tuple[_Job, ...]]:
    """The findings of the vault `rules` that read every note (`_CATCH_UP`) recalled, and
    the jobs that make those not kept for the vault as it is now: one after some notes
    changed (and nothing else) brings the earlier run's up to date, as the rule's own
    catch-up says, instead of reading every note again. The jobs read what is kept here:
    a child process that makes them (`_checked`) only computes."""
    recalled: set[Diagnostic] = set()
    jobs = []
    for active in rules:
        vault, code = shared.vault, active.rule.CODE
        what = f"lint {code} {targets.digest}"
        kept = recall(vault, what, _Found)
        if kept is not None:
            shared.fixes.update(kept.fixes)
            recalled.update(kept.found)
            continue
        earlier = recall_earlier(vault, what, _Found)
        if earlier is not None:
            make = functools.partial(_CATCH_UP[code], active, shared, targets, *earlier)
        else:
            make = functools.partial(_found_whole, active, shared, targets)
        jobs.append((what, make))
    return recalled, tuple(jobs)


def _found_whole(active: Active, shared: Run, targets: _Targets) -> _Made:
    """A vault rule's findings (with `_CATCH_UP`) from every note, as they are kept."""
    found = tuple(_findings(active, shared, targets, ()))
    fixes = tuple((d, shared.fixes[d]) for d in found if d in shared.fixes)
    vault = shared.vault
    if active.rule.CODE == vk403_task_dependency.CODE:
        return _Made(_Found(found, fixes, _task_linked(vault)))
    names = [_names(vault, path) for path in vault.notes]
    counts = vk202_tag_case_mismatch.spellings(name for listed in names for name in listed)
    made = [part(tuple(names[at : at + TAG_PART])) for at in range(0, len(names), TAG_PART)]
    blobs = [item for item in made if item is not None]  # text that packs, always
    digests = tuple(digest for digest, _ in blobs) if len(blobs) == len(made) else ()
    return _Made(_Found(found, fixes, (), _counted(counts), digests), tuple(blobs))


def _counted(spellings: vk202_tag_case_mismatch.Spellings) -> tuple[tuple[str, int], ...]:
    """The `spellings` as kept (`_Found.counts`)."""
    return tuple(sorted((name, n) for counts in spellings.values() for name, n in counts.items()))


def _names(vault: Vault, path: PurePosixPath) -> tuple[str, ...]:
    """The names of a note's tags as VK202 counts them, in order (none when not linted)."""
    return tuple(tag.name for tag in vault.notes[path].tags) if vault.is_linted(path) else ()


def _task_linked(vault: Vault) -> tuple[tuple[PurePosixPath, tuple[str, ...]], ...]:
    """The linted notes whose tasks may carry ids or dependencies (`has_task_links`)."""
    return tuple((path, ()) for path in vault.notes if _is_task_linked(vault, path))


def _is_task_linked(vault: Vault, path: PurePosixPath) -> bool:
    """Whether VK403 reads the note at `path`: linted, with tasks that may carry ids or
    dependencies (`has_task_links`)."""
    return path not in vault.files.excluded and has_task_links(vault.notes[path])


def _task_links_caught_up(
    active: Active, shared: Run, targets: _Targets, kept: _Found, changed: frozenset[PurePosixPath]
) -> _Made:
    """VK403's findings after the `changed` notes changed: what they were when no changed
    note has or had tasks that may carry ids or dependencies, else found again from the
    notes that have them now (kept, and the changed ones), reading no other note."""
    vault = shared.vault
    before = {path for path, _ in kept.read}
    now = {path for path in changed if _is_task_linked(vault, path)}
    if before.isdisjoint(changed) and not now:
        return _Made(kept)
    linked = (before - changed) | now
    context = VaultContext(active.rule.CODE, active.options, shared, targets.paths)
    notes = [vault.notes[path] for path in linked]
    found = tuple(vk403_task_dependency.reported(context, notes))
    fixes = tuple((d, shared.fixes[d]) for d in found if d in shared.fixes)
    return _Made(_Found(found, fixes, tuple((path, ()) for path in vault.notes if path in linked)))


def _tags_caught_up(
    active: Active, shared: Run, targets: _Targets, kept: _Found, changed: frozenset[PurePosixPath]
) -> _Made:
    """VK202's findings after the `changed` notes changed, from the counts and tag names
    kept: a finding about a tag says its usual spelling and how often that is written
    (`verdict`), so the notes reported on again are the changed ones (their tags moved)
    and those with a tag whose verdict the change moved. When each changed note has the
    tag names it had (a box ticked), every count is what it was, and no verdict moved:
    only the parts of the changed notes are read (`_KeptTags`), and none is written.
    Found from every note when a part it reads is not kept."""
    vault = shared.vault
    tags = _KeptTags(vault, kept.parts)
    before = tags.of(changed)
    if before is None:
        return _found_whole(active, shared, targets)
    after = {path: _names(vault, path) for path in changed}
    touched = {n.lower() for path in changed for n in (*before[path], *after[path])}
    if not touched:  # no changed note has or had a tag: nothing VK202 reads changed
        return _Made(kept)
    was = vk202_tag_case_mismatch.counted(dict(kept.counts))
    now = was
    moved: set[str] = set()
    if before != after:
        added = Counter(name for names in after.values() for name in names)
        gone = Counter(name for names in before.values() for name in names)
        now = vk202_tag_case_mismatch.counted((Counter(dict(kept.counts)) + added) - gone)
        verdict = vk202_tag_case_mismatch.verdict
        moved = {folded for folded in touched if verdict(was, folded) != verdict(now, folded)}
    again = set(changed)
    if moved:
        every = tags.every(after)
        if every is None:
            return _found_whole(active, shared, targets)
        for path, names in every:
            if not moved.isdisjoint(map(str.lower, names)):
                again.add(path)
    context = VaultContext(active.rule.CODE, active.options, shared, targets.paths)
    reported = sorted((path for path in again if path in targets.paths), key=path_order)
    new = tuple(vk202_tag_case_mismatch.reported(context, now, reported))
    found = (*(d for d in kept.found if d.path not in again), *new)
    fixes = (
        *((d, edit) for d, edit in kept.fixes if d.path not in again),
        *((d, shared.fixes[d]) for d in new if d in shared.fixes),
    )
    if before == after:
        return _Made(_Found(found, fixes, (), kept.counts, kept.parts))
    digests, blobs = tags.with_names(after)
    return _Made(_Found(found, fixes, (), _counted(now), digests), blobs)


class _KeptTags:
    """Each note's tag names as an earlier run kept them (`_Found.parts`), a part read when
    one of its notes is first asked for."""

    def __init__(self, vault: Vault, digests: tuple[str, ...]) -> None:
        self._vault = vault
        self._digests = digests
        self._count = len(vault.notes)
        self._at = {path: number for number, path in enumerate(vault.notes)}
        self._parts: dict[int, _TagPart] = {}

    def of(self, paths: Iterable[PurePosixPath]) -> dict[PurePosixPath, tuple[str, ...]] | None:
        """The tag names of the notes at `paths`; None when their parts are not kept."""
        at = self._at
        if not self._read({at[path] // TAG_PART for path in paths}):
            return None
        return {path: self._parts[at[path] // TAG_PART][at[path] % TAG_PART] for path in paths}

    def every(
        self, now: Mapping[PurePosixPath, tuple[str, ...]]
    ) -> list[tuple[PurePosixPath, tuple[str, ...]]] | None:
        """Each note's tag names, as kept but for the notes `now` names; None when a part
        is not kept."""
        if not self._read(range(len(self._digests))):
            return None
        kept = (names for number in range(len(self._digests)) for names in self._parts[number])
        return [(path, now.get(path, names)) for path, names in zip(self._at, kept, strict=True)]

    def with_names(
        self, now: Mapping[PurePosixPath, tuple[str, ...]]
    ) -> tuple[tuple[str, ...], tuple[tuple[str, bytes], ...]]:
        """The digests of the parts, the notes `now` names with those tag names (their
        parts read already: `of`), and the bytes of the parts made again; no digests when
        one cannot be kept."""
        again: dict[int, list[tuple[str, ...]]] = {}
        for path, names in now.items():
            number, index = divmod(self._at[path], TAG_PART)
            again.setdefault(number, list(self._parts[number]))[index] = names
        digests = list(self._digests)
        blobs = []
        for number, names_now in again.items():
            made = part(tuple(names_now))
            if made is None:
                return (), ()
            digests[number] = made[0]
            blobs.append(made)
        return tuple(digests), tuple(blobs)

    def _read(self, numbers: Iterable[int]) -> bool:
        """Whether the parts `numbers` are read (now, or before), as many notes as kept."""
        if len(self._digests) != -(-self._count // TAG_PART):
            return False
        wanted = [number for number in numbers if number not in self._parts]
        blobs = recall_part_bytes(self._vault, [self._digests[n] for n in wanted], earlier=True)
        if blobs is None:
            return False
        for number in wanted:
            found = unpacked_part(self._vault, blobs[self._digests[number]], _TagPart)
            if found is None or len(found) != min(TAG_PART, self._count - number * TAG_PART):
                return False
            self._parts[number] = found
        return True


_CatchUp = Callable[[Active, Run, _Targets, _Found, frozenset[PurePosixPath]], _Made]
_CATCH_UP: Mapping[str, _CatchUp] = MappingProxyType(
    {
        vk202_tag_case_mismatch.CODE: _tags_caught_up,
        vk403_task_dependency.CODE: _task_links_caught_up,
    }
)


def _cards(source: Source, canvases: Collection[PurePosixPath], max_size: int) -> list[Card]:
    """The text cards of the canvases reported on (`cards.py`)."""
    found: list[Card] = []
    if not canvases:
        return found
    from vaultkit.cards import text_cards  # the canvas code, for runs that report on canvases

    for path in sorted(canvases):
        text = source.text(path)
        if text is not None:
            found += text_cards(path, text, max_size)
    return found


def _position(found: Diagnostic) -> tuple[tuple[str, ...], int, int, str, str]:
    """Diagnostic order (path, line, col, code, message), without slow PurePath comparisons;
    the message orders two findings at one place, so every run prints them alike."""
    return found.path.parts, found.line, found.col, found.code, found.message


# -- fixes ----------------------------------------------------------------------------


class FixReport(Record, frozen=True):
    vault: Vault  # as it is after the fixes were written
    progress: Progress
    fixed: int  # fixable findings a plain `lint` lists that are gone now
    refused: Mapping[PurePosixPath, str]  # notes that were not written, and why
    caused: int = 0  # findings the fixes themselves caused, and fixed (a block gone stale)


def fix(
    vault: Vault, progress: Progress, paths: Iterable[PurePosixPath] | None = None
) -> FixReport:
    """Apply every offered fix of the findings that are not silenced, then lint again.

    Each note is written once per round through `writeback.apply` (compare-and-swap
    against the bytes the note was parsed from), and only when its edits still match.
    Stale blocks wait until no other fix is left, since those fixes change what the
    blocks say, so each block is written once. `fixed` counts the fixable findings of
    the first round that are gone at the end (a repaired task can also make a stale
    block right again), so it matches what a plain `lint` listed.
    """
    wanted = None if paths is None else tuple(paths)
    result = check(vault, progress, wanted)
    listed = Counter(map(_identity, result.fixes))
    caused = 0
    refused: dict[PurePosixPath, str] = {}
    for _ in range(MAX_FIX_ROUNDS):
        written = []
        for path, pending in _pending_by_note(result, refused).items():
            applied, why = _fix_note(vault, path, pending)
            if why:
                refused[path] = why
            elif applied:
                written.append(path)
            caused += sum(1 for found in applied if _identity(found) not in listed)
        if not written:
            break
        vault = refresh(vault, written)
        progress = compute(vault)
        result = check(vault, progress, wanted)
    fixed = (listed - Counter(map(_identity, result.diagnostics))).total()
    return FixReport(vault, progress, fixed, MappingProxyType(refused), caused)


def _identity(found: Diagnostic) -> tuple[PurePosixPath, str, str]:
    """The same finding in a later round: a fix above it may have moved its line."""
    return found.path, found.code, found.message


def _pending_by_note(
    result: LintResult, refused: Mapping[PurePosixPath, str]
) -> dict[PurePosixPath, list[tuple[Diagnostic, Edit]]]:
    """The fixes to write this round, by note: stale blocks only once nothing else is left."""
    fixes = [(found, edit) for found, edit in result.fixes.items() if found.path not in refused]
    if any(found.code != vk501_stale_block.CODE for found, _ in fixes):
        fixes = [(found, edit) for found, edit in fixes if found.code != vk501_stale_block.CODE]
    pending: dict[PurePosixPath, list[tuple[Diagnostic, Edit]]] = {}
    for found, edit in fixes:
        pending.setdefault(found.path, []).append((found, edit))
    return pending


def _fix_note(
    vault: Vault, path: PurePosixPath, pending: list[tuple[Diagnostic, Edit]]
) -> tuple[list[Diagnostic], str]:
    """(the findings whose edits were written, "") or ([], why the note was not written)."""
    try:
        data = vault.read_bytes(path)
    except OSError as error:
        return [], f"cannot read it: {error.strerror}"
    if not vault.notes[path].parsed_from(data):
        return [], "it changed since it was read"
    text, placed = _apply(decode(data), [edit for _, edit in pending])
    if not placed:
        return [], ""
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    new = bom + text.encode("utf-8")
    from vaultkit import writeback  # loaded by `--fix` alone: a plain lint writes nothing

    result = writeback.apply(vault.root / path, data, new, root=vault.root)
    if not result.written:
        return [], result.detail or str(result.outcome)
    return [found for index, (found, _) in enumerate(pending) if index in placed], ""


def apply_edits(text: str, edits: Iterable[Edit]) -> tuple[str, int]:
    """The text with every edit whose `old` text is still in place; (text, edits applied).

    An edit that overlaps one before it waits for the next round.
    """
    text, placed = _apply(text, list(edits))
    return text, len(placed)


def _apply(text: str, edits: Sequence[Edit]) -> tuple[str, set[int]]:
    """`apply_edits`, saying which edits (their indexes in `edits`) were applied."""
    starts = line_starts(text)
    found = []
    for index, edit in enumerate(edits):
        if 0 < edit.line <= len(starts) and edit.col > 0:
            offset = starts[edit.line - 1] + edit.col - 1
            if text.startswith(edit.old, offset):
                found.append((offset, offset + len(edit.old), edit.new, index))
    pieces, position, placed = [], 0, set()
    for start, end, new, index in sorted(found):
        if start < position:
            continue
        pieces += [text[position:start], new]
        position = end
        placed.add(index)
    pieces.append(text[position:])
    return "".join(pieces), placed
