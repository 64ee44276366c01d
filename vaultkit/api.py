"""The one door to the pipeline: find the vault, read its configuration, index it, compute
progress, and return what a command shows.

Each command is one call that returns a value: `status_view`, `next_view`, `graph_view`,
`lint_paths` (with `--fix`) and `sync_paths`, all opening the vault with `open_vaults`;
`cli` turns the value into text, and `watch` drives `load`, `plan_sync` and `write_planned`.
`status`, `lint`, `sync` and `forecast` are the same jobs for Python (re-exported by the
package). Errors a user can fix are raised as `ConfigError` or `VaultError`; `cli` turns
them into one line and exit code 2.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING

import msgspec
from msgspec.structs import replace

from vaultkit import vault as vault_module
from vaultkit.config import Config
from vaultkit.discover import Survey
from vaultkit.opening import (
    Selection,
    VaultError,
    open_vault,
    open_vaults,
    read_config,
    vault_names,
    vault_root,
)
from vaultkit.vault import NEXT_MODULES, Vault, load_vault
from vaultkit.view import View

__all__ = [
    "Linted",
    "Selection",
    "Synced",
    "VaultError",
    "forecast",
    "graph_view",
    "lint",
    "lint_paths",
    "lint_vault",
    "load",
    "load_surveyed",
    "moved_since",
    "next_shown",
    "next_view",
    "open_vault",
    "open_vaults",
    "outlook",
    "plan_sync",
    "read_config",
    "status",
    "status_shown",
    "status_view",
    "sync",
    "sync_paths",
    "sync_vault",
    "vault_root",
    "write_planned",
]

# Each command imports what it needs when it runs: a run that recalls its results loads
# no parser, no renderer, no graph library.
if TYPE_CHECKING:
    from vaultkit import history as history_module
    from vaultkit.diagnostics import LintReport
    from vaultkit.model import Diagnostic, NoteProgress
    from vaultkit.progress import CaughtUp, Progress
    from vaultkit.schedule import GroupForecast
    from vaultkit.syncing import NoteUpdate, SyncPlan, SyncReport
    from vaultkit.writeback import WriteResult

StrPath = str | os.PathLike[str]
ROOT_NOTE = PurePosixPath("index.md")  # links printed at the terminal resolve from the root


# -- the commands: arguments in, one value out -----------------------------------------


def status_view(
    path: Path | None, config_path: Path | None = None, *, today: date, history: bool = False
) -> View:
    """`vaultkit status [PATH]`: the notes in scope, the sections of a note asked about on its
    own, and each group's forecast on `today` (`history`: dated by git, see `forecast`); of
    a note on its own, only its forecast (`schedule.note_forecasts`)."""
    vault, scope = _open_one(path, config_path)
    return _status(vault, scope, path, today, history)


def status_shown(
    path: Path | None,
    config_path: Path | None = None,
    *,
    today: date,
    history: bool = False,
    fmt: str = "text",
    colour: bool = False,
) -> str:
    """What `vaultkit status [PATH]` prints: `status_view` written as `fmt` (a name in
    `statusreport.STATUS_FORMATS`), in colour or not. Kept for the vault as it is now
    (`_shown`), but not with `history`: the git history is no part of the vault's state."""
    from vaultkit.statusreport import STATUS_FORMATS

    vault, scope = _open_one(path, config_path)

    def show() -> str:
        view = _status(vault, scope, path, today, history)
        return STATUS_FORMATS[fmt](replace(view, colour=colour))

    if history:
        return show()
    what = f"status {fmt} {colour} {today} {_one(path)}"
    if fmt == "text" and not _one(path):
        show = functools.partial(_status_laid, vault, scope, today, colour, what)
    return _shown(vault, scope, what, show)


def _status_laid(vault: Vault, scope: Selection, today: date, colour: bool, what: str) -> str:
    """`status`'s text of a vault or folder, its layout (`statusreport.StatusLayout`) and
    what its forecasts read (`schedule.Outlook`) kept for a later run, and brought up to
    date from an earlier run's when the notes' progress was (`progress.CaughtUp`): only
    the rows of the notes whose progress moved are written again, and no other note's
    progress is read. The earlier layout was made for the same `what` and scope, of the
    vault the progress was brought up to date from (`progress.caught_up`: also when the
    vault is back in a state a run of another kind saw)."""
    from vaultkit import statusreport
    from vaultkit.progress import caught_up, compute
    from vaultkit.results import paths_digest, recall_earlier, remember

    progress = compute(vault)
    caught = caught_up(vault, progress)
    if caught is not None:
        progress = caught.progress  # the same progress, made again from that run's
    forecasts = _forecasts(vault, progress, today, caught)
    pace = vault.config.pace_weeks
    view = View(vault.root, progress, (), colour, today=today, pace_weeks=pace, forecasts=forecasts)
    key = f"layout {what} {paths_digest(scope.paths or None)}"
    layout = None
    if caught is not None and not caught.reorders:
        earlier = recall_earlier(vault, key, statusreport.StatusLayout)
        if earlier is not None:
            before = {path: item for path, item in caught.before.items() if path in scope}
            now = {path: progress.notes[path] for path in before}
            layout = statusreport.updated_layout(view, earlier[0], before, now)
    if layout is None:
        layout = statusreport.status_layout(replace(view, notes=_in_scope(progress, scope)))
    remember(vault, key, layout)
    return statusreport.layout_text(view, layout)


def _forecasts(
    vault: Vault, progress: Progress, today: date, caught: CaughtUp | None
) -> tuple[GroupForecast, ...]:
    """The forecasts of the whole vault on `today` (`schedule.forecasts`), from what they
    read of every note's progress (`schedule.Outlook`): recalled for the vault as it is
    now, brought up to date from an earlier run's when the progress was (`caught`), else
    read again; kept for a later run."""
    from vaultkit import schedule
    from vaultkit.results import recall, recall_earlier, remember

    found = recall(vault, "outlook", schedule.Outlook)
    if found is None:
        earlier = None if caught is None else recall_earlier(vault, "outlook", schedule.Outlook)
        if earlier is not None and caught is not None:
            found = earlier[0].updated(caught.before, progress.notes)
        if found is None:
            found = schedule.outlook(progress.notes)
        remember(vault, "outlook", found)
    return tuple(found.forecasts(today, vault.config.pace_weeks))


def _status(vault: Vault, scope: Selection, path: Path | None, today: date, history: bool) -> View:
    view = _view(vault, scope)
    one = scope.paths[0] if _one(path) else None
    sections = None
    if one is not None:
        from vaultkit.summaries.outline import note_outline

        sections = note_outline(vault, one)
    forecasts = tuple(outlook(vault, view.progress, today, history, one))
    pace = vault.config.pace_weeks
    return replace(view, outline=sections, today=today, pace_weeks=pace, forecasts=forecasts)


def _one(path: Path | None) -> bool:
    """Whether the command asks about one note (a file), not a folder or the vault."""
    return path is not None and path.is_file()


def next_view(path: Path | None, config_path: Path | None = None, *, limit: int) -> View:
    """`vaultkit next [PATH]`: the notes in scope, of which the first `limit` to work on are
    shown (`Progress.next`)."""
    return replace(_view(*_open_one(path, config_path)), limit=limit)


def next_shown(
    path: Path | None,
    config_path: Path | None = None,
    *,
    limit: int,
    fmt: str = "text",
    colour: bool = False,
) -> str:
    """What `vaultkit next [PATH]` prints: `next_view` written as `fmt` (a name in
    `report.NEXT_FORMATS`), in colour or not; kept for the vault as it is now (`_shown`)."""
    from vaultkit.report import NEXT_FORMATS

    vault, scope = _open_one(path, config_path)

    def show() -> str:
        from vaultkit.progress import compute

        progress = compute(vault)
        first = _first(vault, scope, progress, limit)
        view = View(vault.root, progress, (), colour, limit, first=first)
        return NEXT_FORMATS[fmt](view)

    return _shown(vault, scope, f"next {fmt} {colour} {limit}", show)


def _first(
    vault: Vault, scope: Selection, progress: Progress, limit: int | None
) -> tuple[NoteProgress, ...]:
    """The first `limit` notes in scope to work on (`Progress.next`), from the order of
    them all (`upnext.Ranking`): recalled for the vault as it is now, brought up to date
    from an earlier run's when the progress was (`progress.CaughtUp`), else made from
    every note's progress; kept for a later run."""
    from vaultkit.progress import CaughtUp
    from vaultkit.results import paths_digest, recall, recall_earlier, remember, told
    from vaultkit.upnext import Ranking

    key = f"ranking {paths_digest(scope.paths or None)}"
    ranking = recall(vault, key, Ranking)
    if ranking is None:
        caught = told(vault, "progress")
        if isinstance(caught, CaughtUp) and caught.progress is progress:
            earlier = recall_earlier(vault, key, Ranking)
            if earlier is not None:
                ranking = earlier[0].updated(caught.before, progress.notes, scope.__contains__)
        if ranking is None:
            ranking = Ranking.of(progress.notes[path] for path in progress.notes if path in scope)
        remember(vault, key, ranking)
    return tuple(progress.notes[path] for path in ranking.first(limit))


def _shown(vault: Vault, scope: Selection, what: str, show: Callable[[], str]) -> str:
    """`show()`, or the text it gave for the vault as it is now, with its configuration,
    when an earlier run asked the same `what` of the same scope: what a command prints
    follows from nothing else (`results.recall_text`). The text is kept for a later run."""
    from vaultkit.results import paths_digest, recall_text, remember_text, together

    key = f"shown {what} {paths_digest(scope.paths or None)}"
    kept = recall_text(vault, key)
    if kept is not None:
        return kept
    with together(vault):
        text = show()
        remember_text(vault, key, text)
    return text


def graph_view(
    path: Path | None,
    config_path: Path | None = None,
    *,
    all_edges: bool,
    folder: str | None = None,
    tag: str | None = None,
    group_by: str | None = None,
) -> View:
    """`vaultkit graph [PATH]`: the dependency graph of the notes in scope, narrowed by
    `folder` and `tag` as a block's or a `[[canvas]]`'s scope is; pictures draw every edge
    with `all_edges`, else only those no longer path shows, and the groups of `group_by`;
    each node is labelled with the link that opens its note from the root."""
    from vaultkit.summaries.scope import narrowed
    from vaultkit.summaries.text import Namer

    vault, scope = _open_one(path, config_path)
    view = _view(vault, scope)
    _check_scope(vault, folder, tag)
    kept = set(narrowed(vault, (item.path for item in view.notes), folder, tag))
    notes = tuple(item for item in view.notes if item.path in kept)
    group = None if group_by is None else functools.partial(_group, vault, group_by)
    label = Namer(vault.index, ROOT_NOTE).label
    return replace(view, notes=notes, all_edges=all_edges, group=group, label=label)


def _check_scope(vault: Vault, folder: str | None, tag: str | None) -> None:
    """A `--folder` or `--tag` no note of the vault has is a typo, as a PATH without notes
    is, not an empty graph (a block or a canvas with such a scope is empty: it may fill)."""
    from vaultkit.summaries.scope import has_tag, in_folder

    if folder is not None and not in_folder(vault.notes, folder):
        raise VaultError(f"--folder {folder!r}: no note of the vault is in it")
    if tag is not None and not any(has_tag(vault, path, tag) for path in vault.notes):
        raise VaultError(f"--tag {tag!r}: no note of the vault has it")


def _group(vault: Vault, key: str, path: PurePosixPath) -> str | None:
    from vaultkit.notefacts import group_of

    return group_of(vault, path, key)


def _open_one(path: Path | None, config_path: Path | None) -> tuple[Vault, Selection]:
    return open_vault([path] if path else [], config_path)


def _view(vault: Vault, scope: Selection) -> View:
    from vaultkit.progress import compute

    progress = compute(vault)
    return View(vault.root, progress, _in_scope(progress, scope))


def _in_scope(progress: Progress, scope: Selection) -> tuple[NoteProgress, ...]:
    """The progress of the notes in scope, sorted by path."""
    from vaultkit.model import path_order

    return tuple(progress.notes[p] for p in sorted(progress.notes, key=path_order) if p in scope)


class Linted(msgspec.Struct, frozen=True):
    """`vaultkit lint` on one vault: what it reports, and the notes `--fix` left alone."""

    report: LintReport  # paths relative to the vault
    refused: Mapping[PurePosixPath, str]  # with `fix`: notes that were not written, and why


# What a lint that parses the vault imports next: loaded while worker processes parse.
LINT_MODULES = ("vaultkit.linting", "vaultkit.planning")


def lint_paths(
    paths: Iterable[Path],
    config_path: Path | None = None,
    *,
    select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
    fix: bool = False,
    only_vault_notes: bool = False,
    one_vault: str | None = None,
) -> list[Linted]:
    """`vaultkit lint PATHS`: each vault that holds a path, linted (`lint_vault`), in order.

    `one_vault` says why the paths must be in one vault (a JSON report holds one); paths in
    several then raise `VaultError` before anything is read for linting or fixed.
    """
    token = NEXT_MODULES.set(LINT_MODULES)
    try:
        opened = open_vaults(paths, config_path, only_vault_notes=only_vault_notes, canvases=True)
    finally:
        NEXT_MODULES.reset(token)
    if one_vault is not None and len(opened) > 1:
        raise VaultError(f"{one_vault}; the paths are in {len(opened)}: {vault_names(opened)}")
    return [
        lint_vault(vault, scope, select=select, ignore=ignore, fix=fix) for vault, scope in opened
    ]


def lint_vault(
    vault: Vault,
    scope: Selection,
    *,
    select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
    fix: bool = False,
) -> Linted:
    """`vaultkit lint` on an open vault: `select` replaces the configuration's rules when
    given, `ignore` adds to its own; with `fix`, the safe fixes are written first."""
    from vaultkit import linted
    from vaultkit.diagnostics import LintReport

    config = replace(vault.config, select=select or vault.config.select)
    vault = replace(vault, config=replace(config, ignore=config.ignore + ignore))
    files = scope.files(vault)  # the notes and canvases reported on
    progress, fixed, caused, refused = None, 0, 0, {}  # None: computed only when needed
    if fix:
        from vaultkit import linting
        from vaultkit.progress import compute

        outcome = linting.fix(vault, compute(vault), files)
        vault, progress, refused = outcome.vault, outcome.progress, dict(outcome.refused)
        fixed, caused = outcome.fixed, outcome.caused
    result = linted.check(vault, progress, files)
    report = LintReport(
        vault.root, result.diagnostics, result.notes, frozenset(result.fixes), fixed, caused
    )
    canvases = scope.canvases(vault)
    return Linted(replace(report, canvases=len(canvases)), MappingProxyType(refused))


class Synced(msgspec.Struct, frozen=True):
    """`vaultkit sync` on one vault."""

    root: Path
    report: SyncReport  # paths relative to the vault


def sync_paths(
    paths: Iterable[Path],
    config_path: Path | None = None,
    *,
    write: bool = True,
    whole_vault: bool = False,
    only_vault_notes: bool = False,
) -> list[Synced]:
    """`vaultkit sync PATHS`: the blocks of the notes under the paths (with `whole_vault`,
    of every note of each vault that holds one), written unless `write` is False."""
    synced = []
    for vault, scope in open_vaults(paths, config_path, only_vault_notes=only_vault_notes):
        notes = None if whole_vault else scope.notes(vault)
        synced.append(Synced(vault.root, sync_vault(vault, notes, write=write)))
    return synced


def sync_vault(
    vault: Vault, notes: Iterable[PurePosixPath] | None, *, write: bool = True
) -> SyncReport:
    """`vaultkit sync` on an open vault: the blocks of `notes` (None: every note)."""
    from vaultkit import syncing

    return syncing.run(vault, None, notes, write=write)


# -- the watcher: it keeps its own vault and progress between edits ---------------------


def load(root: Path, config: Config) -> Vault:
    """The vault at `root` read with `config`."""
    return load_vault(root, config)


def load_surveyed(root: Path, config: Config) -> tuple[Vault, Survey]:
    """The vault at `root` read with `config`, and the survey its load took (`moved_since`
    tells from it which notes may have changed since): what `watch` starts from. A first
    read's notes are kept in the cache by a child process while the watcher tracks them."""
    return vault_module.load_surveyed(root, config, beside=True)


def moved_since(found: Survey) -> list[PurePosixPath]:
    """The notes that may have changed since a load from `found` read them
    (`vault.moved_since`)."""
    return vault_module.moved_since(found)


def plan_sync(
    vault: Vault, progress: Progress, notes: Iterable[PurePosixPath] | None = None
) -> SyncPlan:
    """What `vaultkit sync` would write into `notes` (None: every note), nothing written.

    The progress is given: `watch` keeps its own up to date between edits.
    """
    from vaultkit import syncing

    return syncing.plan(vault, progress, notes)


def write_planned(vault: Vault, update: NoteUpdate) -> WriteResult:
    """Write one update of a plan, as `vaultkit sync` does (compare-and-swap)."""
    from vaultkit import syncing

    return syncing.write_update(vault.root, update)


# -- for Python: the same jobs, given a path and optionally a configuration ----------------


def status(path: StrPath = ".", *, config: Config | StrPath | None = None) -> Progress:
    """Every note's progress in the vault that holds `path` (`vaultkit status` as data).

    `config`: a `Config`, or the configuration file to read instead of the vault's own.
    """
    from vaultkit.progress import compute

    vault, _ = _open(path, config)
    return compute(vault)


def lint(path: StrPath = ".", *, config: Config | StrPath | None = None) -> list[Diagnostic]:
    """The findings `vaultkit lint PATH` reports, sorted, paths relative to the vault.

    The whole vault is read; a `path` inside it narrows which notes are reported.
    """
    from vaultkit import linting  # as in `cli`: only these calls need the rules
    from vaultkit.progress import compute

    vault, scope = _open(path, config)
    return linting.run(vault, compute(vault), scope.notes(vault))


def sync(
    path: StrPath = ".", *, config: Config | StrPath | None = None, write: bool = True
) -> SyncReport:
    """Fill the managed blocks of the vault that holds `path` (of the notes under it).

    With `write=False` nothing is written (`vaultkit sync --check`); the report's
    `exit_code` is what the command would exit with.
    """
    vault, scope = _open(path, config)
    return sync_vault(vault, scope.notes(vault), write=write)


def _open(path: StrPath, config: Config | StrPath | None) -> tuple[Vault, Selection]:
    if isinstance(config, Config):
        return open_vault([Path(path)], config=config)
    return open_vault([Path(path)], None if config is None else Path(config))


def forecast(
    path: StrPath = ".",
    *,
    today: date | None = None,
    history: bool = False,
    config: Config | StrPath | None = None,
) -> list[GroupForecast]:
    """`vaultkit status`'s forecast: each group with a due date, then the whole vault.

    `today` defaults to the clock's date. With `history`, done tasks without a ✅ date are
    dated by the git commit that ticked them (raises `VaultError` outside a repository).
    """
    from vaultkit.progress import compute

    vault, _ = _open(path, config)
    return outlook(vault, compute(vault), today or date.today(), history)


def outlook(
    vault: Vault,
    progress: Progress,
    today: date,
    history: bool,
    note: PurePosixPath | None = None,
) -> list[GroupForecast]:
    """The forecasts of an open vault, or of one `note` of it (`schedule.note_forecasts`);
    `history` reads (and caches) its git history."""
    from vaultkit import schedule

    weeks = vault.config.pace_weeks
    dates = None
    if history:
        completions = _completions(vault)
        dates = schedule.with_history(vault.notes, progress.notes, vault.config, completions.dates)
    if note is not None:
        return schedule.note_forecasts(progress.notes, note, today, weeks, dates)
    return schedule.forecasts(progress.notes, today, weeks, dates)


def _completions(vault: Vault) -> history_module.Completions:
    from vaultkit import history as history_module
    from vaultkit.cache import cache_dir

    folder = cache_dir()
    file = history_module.cache_file(folder, vault.root) if folder is not None else None
    cached = history_module.load_cached(file) if file is not None else None
    try:
        found = history_module.read_history(vault.root, vault.config.task_status, cached)
    except history_module.HistoryError as error:
        raise VaultError(f"--history: {error}") from None
    if file is not None and found is not cached:
        history_module.save_cached(file, found)
    return found
