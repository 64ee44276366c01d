"""Run the lint rules over a vault, drop what the user silenced, and apply fixes.

The whole vault is always read and indexed; `paths` only narrow which notes findings are
reported for, so a pre-commit run on one staged note still checks its links against every
other note. Notes Obsidian excludes are not linted (they stay link targets), and a sync
conflict copy gets only VK006: its other findings would repeat the original's.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import MappingProxyType

from vaultkit import writeback
from vaultkit.config import Config, check_codes
from vaultkit.discover import is_conflict_copy
from vaultkit.lines import line_starts
from vaultkit.model import Diagnostic
from vaultkit.progress import Progress, compute
from vaultkit.rules import BY_CODE, REGISTRY, matches, vk006_conflict_copy
from vaultkit.rules.base import (
    Edit,
    NoteContext,
    RuleModule,
    Run,
    Source,
    VaultContext,
    build_options,
    decode,
)
from vaultkit.suppress import Silencer
from vaultkit.vault import Vault, refresh

# `--fix` lints again after writing, because one fix can make another finding (a task that
# now counts makes a progress block stale); this many rounds is more than any vault needs.
MAX_FIX_ROUNDS = 5


@dataclass(frozen=True, slots=True)
class Active:
    """A rule that runs, with its options read from the configuration."""

    rule: RuleModule
    options: object


@dataclass(frozen=True, slots=True)
class LintResult:
    diagnostics: tuple[Diagnostic, ...]  # sorted, silenced ones left out
    notes: int  # how many notes were checked
    fixes: Mapping[Diagnostic, Edit]  # the fix `--fix` would apply, for findings that have one


def run(
    vault: Vault, progress: Progress, paths: Iterable[PurePosixPath] | None = None
) -> list[Diagnostic]:
    """The findings in the notes at `paths` (every linted note when None), sorted."""
    return list(check(vault, progress, paths).diagnostics)


def check(
    vault: Vault, progress: Progress, paths: Iterable[PurePosixPath] | None = None
) -> LintResult:
    """Lint the notes at `paths` (note paths; None for every note) against the whole vault."""
    rules = active_rules(vault.config, vault.root)
    targets = _Targets.of(vault, paths)
    shared = Run(vault, progress, Source(vault), {})
    found = {found for active in rules for found in _findings(active, shared, targets)}
    found = {d for d in found if targets.reports(d.path, d.code)}
    if paths is None:  # files that are not notes (a name that is not UTF-8) belong to no path
        codes = {active.rule.CODE for active in rules}
        found |= {d for d in vault.files.problems if d.code in codes}
    silencer = Silencer.of(vault.config, shared.source)
    kept = sorted((d for d in found if not silencer.silences(d)), key=_position)
    fixes = {d: shared.fixes[d] for d in kept if d in shared.fixes}
    return LintResult(tuple(kept), len(targets.order), MappingProxyType(fixes))


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


@dataclass(frozen=True, slots=True)
class _Targets:
    """The notes reported on: linted, among `paths`; a conflict copy only gets VK006."""

    order: tuple[PurePosixPath, ...]  # in the vault's (sorted) order
    paths: frozenset[PurePosixPath]
    copies: frozenset[PurePosixPath]

    @classmethod
    def of(cls, vault: Vault, paths: Iterable[PurePosixPath] | None) -> _Targets:
        wanted = None if paths is None else frozenset(paths)
        order = tuple(
            path
            for path in vault.notes
            if vault.is_linted(path) and (wanted is None or path in wanted)
        )
        return cls(order, frozenset(order), frozenset(filter(is_conflict_copy, order)))

    def reports(self, path: PurePosixPath, code: str) -> bool:
        if path not in self.paths:
            return False
        return path not in self.copies or code == vk006_conflict_copy.CODE


def _findings(active: Active, shared: Run, targets: _Targets) -> Iterator[Diagnostic]:
    rule = active.rule
    if rule.SCOPE == "vault":
        yield from rule.check(VaultContext(rule.CODE, active.options, shared, targets.paths))
        return
    for path in targets.order:
        if targets.reports(path, rule.CODE):
            context = NoteContext(rule.CODE, active.options, shared, targets.paths, path)
            yield from rule.check(shared.vault.notes[path], context)


def _position(found: Diagnostic) -> tuple[tuple[str, ...], int, int, str]:
    """Diagnostic order (path, line, col, code), without slow PurePath comparisons."""
    return found.path.parts, found.line, found.col, found.code


# -- fixes ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FixReport:
    vault: Vault  # as it is after the fixes were written
    progress: Progress
    fixed: int  # edits written
    refused: Mapping[PurePosixPath, str]  # notes that were not written, and why


def fix(
    vault: Vault, progress: Progress, paths: Iterable[PurePosixPath] | None = None
) -> FixReport:
    """Apply every offered fix of the findings that are not silenced, then lint again.

    Each note is written once per round through `writeback.apply` (compare-and-swap
    against the bytes the note was parsed from), and only when its edits still match.
    """
    wanted = None if paths is None else tuple(paths)
    fixed = 0
    refused: dict[PurePosixPath, str] = {}
    for _ in range(MAX_FIX_ROUNDS):
        result = check(vault, progress, wanted)
        written = []
        for path, edits in _edits_by_note(result).items():
            count, why = _fix_note(vault, path, edits)
            if why:
                refused[path] = why
            elif count:
                written.append(path)
                fixed += count
        if not written:
            break
        vault = refresh(vault, written)
        progress = compute(vault)
    return FixReport(vault, progress, fixed, MappingProxyType(refused))


def _edits_by_note(result: LintResult) -> dict[PurePosixPath, list[Edit]]:
    edits: dict[PurePosixPath, list[Edit]] = {}
    for found, edit in result.fixes.items():
        edits.setdefault(found.path, []).append(edit)
    return edits


def _fix_note(vault: Vault, path: PurePosixPath, edits: list[Edit]) -> tuple[int, str]:
    """(edits written, "") or (0, why the note was not written)."""
    try:
        data = vault.read_bytes(path)
    except OSError as error:
        return 0, f"cannot read it: {error.strerror}"
    if not vault.notes[path].parsed_from(data):
        return 0, "it changed since it was read"
    text, count = apply_edits(decode(data), edits)
    if not count:
        return 0, ""
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    new = bom + text.encode("utf-8")
    result = writeback.apply(vault.root / path, data, new, root=vault.root)
    return (count, "") if result.written else (0, result.detail or str(result.outcome))


def apply_edits(text: str, edits: Iterable[Edit]) -> tuple[str, int]:
    """The text with every edit whose `old` text is still in place; (text, edits applied).

    An edit that overlaps one before it waits for the next round.
    """
    starts = line_starts(text)
    placed = []
    for edit in edits:
        if 0 < edit.line <= len(starts) and edit.col > 0:
            offset = starts[edit.line - 1] + edit.col - 1
            if text.startswith(edit.old, offset):
                placed.append((offset, offset + len(edit.old), edit.new))
    pieces, position, count = [], 0, 0
    for start, end, new in sorted(placed):
        if start < position:
            continue
        pieces += [text[position:start], new]
        position, count = end, count + 1
    pieces.append(text[position:])
    return "".join(pieces), count
