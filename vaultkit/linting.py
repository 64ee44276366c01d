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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import MappingProxyType

from vaultkit.cards import Card, text_cards
from vaultkit.config import Config, check_codes, matches
from vaultkit.discover import conflict_copies, is_conflict_copy
from vaultkit.halves import beside
from vaultkit.lines import line_starts
from vaultkit.linted import Kept, LintResult, check
from vaultkit.model import Diagnostic, Note, path_order
from vaultkit.nogc import no_gc
from vaultkit.notefacts import has_task_links
from vaultkit.progress import Progress, compute
from vaultkit.results import paths_digest, recall, recall_earlier, remember
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

# `--fix` lints again after writing, because one fix can make another finding (a task that
# now counts makes a progress block stale); this many rounds is more than any vault needs.
MAX_FIX_ROUNDS = 5


# eq=False, repr=False on records nothing compares or prints: Python compiles each
# method a dataclass generates as the module is imported.
@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Active:
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
    cards = _cards(shared.source, targets.canvases)
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


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class _Targets:
    """The notes reported on: linted, among `paths`; a conflict copy only gets VK006."""

    order: tuple[PurePosixPath, ...]  # in the vault's (sorted) order
    paths: frozenset[PurePosixPath]
    copies: frozenset[PurePosixPath]

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
        return cls(order, frozenset(order), conflict_copies(order), canvases)

    def reports(self, path: PurePosixPath, code: str) -> bool:
        if path in self.canvases:
            return True
        if path not in self.paths:
            return False
        return path not in self.copies or code == vk006_conflict_copy.CODE


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


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class _ByNote:
    """The findings of the rules that check one note at a time (`SCOPE == "note"`) in every
    linted note (or in some notes, as a part of the work sent back by `halves.beside`),
    with their fixes, and the notes whose headings and block ids each note's
    links name (`_reads`). A note's findings depend on its bytes, the configuration, the
    vault's file names (where links resolve) and the headings and block ids of those
    notes (VK103, VK104): on nothing else."""

    found: tuple[tuple[PurePosixPath, tuple[Diagnostic, ...]], ...]  # the notes with any
    fixes: tuple[tuple[Diagnostic, Edit], ...]
    reads: tuple[tuple[PurePosixPath, tuple[PurePosixPath, ...]], ...]  # the notes reading any


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class _Checking:
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
        remember(shared.vault, what, made)
        shared.fixes.update(made.fixes)
        also.update(made.found)
    return done.notes, also


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class _Checked:
    """What `_checked_with` sends back: the findings by note, and each job's `_Found`."""

    notes: _ByNote
    made: tuple[_Found, ...]


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


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class _Found:
    """A vault rule's findings (in the notes reported on) as data, with their fixes, and the
    notes whose contents decide them, each with what of it does: for VK202 each linted
    note's tags by name (it counts their spellings), for VK403 each linted note whose tasks
    may carry ids or dependencies (nothing more)."""

    found: tuple[Diagnostic, ...]
    fixes: tuple[tuple[Diagnostic, Edit], ...]
    read: tuple[tuple[PurePosixPath, tuple[str, ...]], ...]  # in the vault's order


# A vault rule's findings to make, and what they are kept as (`remember`).
_Job = tuple[str, Callable[[], _Found]]


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
        what = f"lint {code} {paths_digest(targets.order)}"
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


def _found_whole(active: Active, shared: Run, targets: _Targets) -> _Found:
    """A vault rule's findings (with `_CATCH_UP`) from every note, as they are kept."""
    found = tuple(_findings(active, shared, targets, ()))
    fixes = tuple((d, shared.fixes[d]) for d in found if d in shared.fixes)
    return _Found(found, fixes, _READ[active.rule.CODE](shared.vault))


def _tag_names(vault: Vault) -> tuple[tuple[PurePosixPath, tuple[str, ...]], ...]:
    named = ((path, _names(vault, path)) for path in vault.notes)
    return tuple((path, names) for path, names in named if names)


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
) -> _Found:
    """VK403's findings after the `changed` notes changed: what they were when no changed
    note has or had tasks that may carry ids or dependencies, else found again from the
    notes that have them now (kept, and the changed ones), reading no other note."""
    vault = shared.vault
    before = {path for path, _ in kept.read}
    now = {path for path in changed if _is_task_linked(vault, path)}
    if before.isdisjoint(changed) and not now:
        return kept
    linked = (before - changed) | now
    context = VaultContext(active.rule.CODE, active.options, shared, targets.paths)
    notes = [vault.notes[path] for path in linked]
    found = tuple(vk403_task_dependency.reported(context, notes))
    fixes = tuple((d, shared.fixes[d]) for d in found if d in shared.fixes)
    return _Found(found, fixes, tuple((path, ()) for path in vault.notes if path in linked))


def _tags_caught_up(
    active: Active, shared: Run, targets: _Targets, kept: _Found, changed: frozenset[PurePosixPath]
) -> _Found:
    """VK202's findings after the `changed` notes changed, from the tag names kept for each
    note: a finding about a tag says its usual spelling and how often that is written
    (`verdict`), so the notes reported on again are the changed ones (their tags moved)
    and those with a tag whose verdict the change moved. Only those notes are read. When
    each changed note has the tag names it had (a box ticked), every count is what it
    was, and no verdict moved."""
    vault = shared.vault
    before = dict(kept.read)
    after = dict(before)
    for path in changed:
        names = _names(vault, path)
        if names:
            after[path] = names
        else:
            after.pop(path, None)
    touched = {n.lower() for path in changed for n in (*before.get(path, ()), *after.get(path, ()))}
    if not touched:  # no changed note has or had a tag: nothing VK202 reads changed
        return kept
    same = all(before.get(path) == after.get(path) for path in changed)
    now = vk202_tag_case_mismatch.spellings(name for names in after.values() for name in names)
    moved = set() if same else _moved(before, now, touched)
    again = set(changed)
    if moved:
        again.update(p for p, names in after.items() if not moved.isdisjoint(map(str.lower, names)))
    context = VaultContext(active.rule.CODE, active.options, shared, targets.paths)
    reported = sorted((path for path in again if path in targets.paths), key=path_order)
    new = tuple(vk202_tag_case_mismatch.reported(context, now, reported))
    found = (*(d for d in kept.found if d.path not in again), *new)
    fixes = (
        *((d, edit) for d, edit in kept.fixes if d.path not in again),
        *((d, shared.fixes[d]) for d in new if d in shared.fixes),
    )
    if same:
        return _Found(found, fixes, kept.read)
    tags = tuple((path, after[path]) for path in vault.notes if path in after)  # in order
    return _Found(found, fixes, tags)


def _moved(
    before: Mapping[PurePosixPath, tuple[str, ...]],
    now: vk202_tag_case_mismatch.Spellings,
    touched: set[str],
) -> set[str]:
    """The tags (by folded name) among `touched` whose verdict is not what it was when the
    notes had the tag names `before`; `now`: the spellings the notes have now."""
    was = vk202_tag_case_mismatch.spellings(name for names in before.values() for name in names)
    verdict = vk202_tag_case_mismatch.verdict
    return {folded for folded in touched if verdict(was, folded) != verdict(now, folded)}


_CatchUp = Callable[[Active, Run, _Targets, _Found, frozenset[PurePosixPath]], _Found]
_CATCH_UP: Mapping[str, _CatchUp] = MappingProxyType(
    {
        vk202_tag_case_mismatch.CODE: _tags_caught_up,
        vk403_task_dependency.CODE: _task_links_caught_up,
    }
)
_READ: Mapping[str, Callable[[Vault], tuple[tuple[PurePosixPath, tuple[str, ...]], ...]]] = (
    MappingProxyType(
        {vk202_tag_case_mismatch.CODE: _tag_names, vk403_task_dependency.CODE: _task_linked}
    )
)


def _cards(source: Source, canvases: Iterable[PurePosixPath]) -> list[Card]:
    """The text cards of the canvases reported on (`cards.py`)."""
    found: list[Card] = []
    for path in sorted(canvases):
        text = source.text(path)
        if text is not None:
            found += text_cards(path, text)
    return found


def _position(found: Diagnostic) -> tuple[tuple[str, ...], int, int, str, str]:
    """Diagnostic order (path, line, col, code, message), without slow PurePath comparisons;
    the message orders two findings at one place, so every run prints them alike."""
    return found.path.parts, found.line, found.col, found.code, found.message


# -- fixes ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class FixReport:
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
