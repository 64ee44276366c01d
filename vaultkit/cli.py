"""The command line: the only module (with watch.py) that prints or exits.

Each command turns its arguments into one `api` call, the value that comes back into text
with a formatter picked by name, and exits. Every usage, configuration or vault error becomes one
line `vaultkit: error: ...` on stderr and exit code 2.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import math
import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any, NoReturn, TypeVar

import click
from msgspec.structs import replace

from vaultkit import api, meter
from vaultkit.config import MAX_QUIET_PERIOD, ConfigError
from vaultkit.diagnostics import FORMATTERS, merge_reports, rule_doc, rules_table, summary
from vaultkit.model import ExitCode
from vaultkit.nogc import no_gc
from vaultkit.opening import OUTLIVING
from vaultkit.report import GRAPH_FORMATS, NEXT_FORMATS, Formatter
from vaultkit.results import session
from vaultkit.statusreport import STATUS_FORMATS
from vaultkit.view import View

F = TypeVar("F", bound=Callable[..., Any])


def config_option(func: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Read this configuration file instead of searching for one.",
    )(func)


def path_argument(func: F) -> F:
    return click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))(
        func
    )


def use_colour() -> bool:
    """Colour on a terminal, unless NO_COLOR is set to something (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def echo_view(formatter: Formatter, view: View) -> None:
    """Print what a command shows as `formatter` writes it, in colour at a terminal."""
    click.echo(formatter(replace(view, colour=use_colour())), nl=False)


@click.group()
@click.version_option(package_name="obsidian-vaultkit")
def cli() -> None:
    """vaultkit: progress, dependencies and linting for an Obsidian vault."""


@cli.command()
@path_argument
@click.option("--format", "fmt", type=click.Choice(sorted(STATUS_FORMATS)), default="text")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="The day to forecast from (default: the clock's date).",
)
@click.option("--history", is_flag=True, help="Date done tasks without ✅ by their git commits.")
@config_option
def status(
    path: Path | None, fmt: str, today: datetime | None, history: bool, config_path: Path | None
) -> None:
    """Show progress per note, grouped (by `phase` unless configured), and each group's
    forecast against its due date."""
    day = today.date() if today is not None else date.today()
    shown = api.status_shown(
        path, config_path, today=day, history=history, fmt=fmt, colour=use_colour()
    )
    click.echo(shown, nl=False)


@cli.command(name="next")
@path_argument
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--format", "fmt", type=click.Choice(sorted(NEXT_FORMATS)), default="text")
@config_option
def next_(path: Path | None, limit: int, fmt: str, config_path: Path | None) -> None:
    """List what to work on next: in progress first, then what unlocks the most."""
    click.echo(
        api.next_shown(path, config_path, limit=limit, fmt=fmt, colour=use_colour()), nl=False
    )


@cli.command()
@path_argument
@click.option("--format", "fmt", type=click.Choice(sorted(GRAPH_FORMATS)), default="mermaid")
@click.option(
    "--edges",
    type=click.Choice(["reduced", "all"]),
    default="reduced",
    show_default=True,
    help="Pictures (mermaid, dot, canvas) leave out an edge a longer path shows, unless "
    "`all`; json and graphml always hold every edge.",
)
@click.option(
    "--folder",
    metavar="FOLDER",
    help="Only the notes in this folder of the vault (from its root) or below, as a block's "
    "or a [[canvas]]'s `folder`.",
)
@click.option(
    "--tag", metavar="TAG", help="Only the notes with this tag or one under it, as `tag`."
)
@click.option(
    "--group-by",
    metavar="PROPERTY",
    help="Draw each group of notes with the same value of this property: a Mermaid "
    "subgraph, a DOT cluster, a canvas group (the canvas's default: the configured group-by).",
)
@config_option
def graph(
    path: Path | None,
    fmt: str,
    edges: str,
    folder: str | None,
    tag: str | None,
    group_by: str | None,
    config_path: Path | None,
) -> None:
    """Print the dependency graph (edges run from prerequisite to dependent)."""
    view = api.graph_view(
        path, config_path, all_edges=edges == "all", folder=folder, tag=tag, group_by=group_by
    )
    echo_view(GRAPH_FORMATS[fmt], view)


def _not_nan(_ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """`value`, unless it is NaN: a range lets it through (no comparison with it is true)."""
    if value is not None and math.isnan(value):
        raise click.BadParameter("nan is not a number.", param=param)
    return value


@cli.command()
@path_argument
@click.option(
    "--quiet-period",
    type=click.FloatRange(min=0.05, max=MAX_QUIET_PERIOD),
    callback=_not_nan,
    default=None,
    metavar="SECONDS",
    help="How long a note must go unchanged before vaultkit acts on it (default: "
    "`watch.quiet-period` in config, else 2.5; Obsidian saves 2 s after typing stops).",
)
@click.option("--polling", is_flag=True, help="Poll for changes instead of using inotify.")
@config_option
def watch(
    path: Path | None, quiet_period: float | None, polling: bool, config_path: Path | None
) -> int:
    """Keep the managed blocks current as notes change, until Ctrl-C."""
    from vaultkit import watch as watching  # only this command needs watchdog
    from vaultkit.lock import WatchError

    try:
        watching.watch(path, config_path, quiet_period=quiet_period, polling=polling)
    except WatchError as error:
        return _fail(str(error))
    return ExitCode.CLEAN


def only_vault_notes_option(func: F) -> F:
    return click.option(
        "--only-vault-notes",
        is_flag=True,
        help="Leave out paths that are not notes of a vault (none of its folders holds "
        ".obsidian/ or .vaultkit.toml, or it is hidden) instead of failing: the pre-commit "
        "hooks pass every staged Markdown file.",
    )(func)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a block is out of date.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff; write nothing.")
@click.option(
    "--whole-vault",
    is_flag=True,
    help="Sync every note of each vault that holds one of the PATHS (the pre-commit hook: "
    "a ticked box changes the blocks of the notes that sum it up).",
)
@only_vault_notes_option
@config_option
def sync(
    paths: tuple[Path, ...],
    check: bool,
    show_diff: bool,
    whole_vault: bool,
    only_vault_notes: bool,
    config_path: Path | None,
) -> int:
    """Fill the managed blocks. Exit 1 if a note changed (or would), or could not be synced."""
    from vaultkit.syncing import summary as sync_summary
    from vaultkit.syncing import unified_diff

    write = not (check or show_diff)
    synced = api.sync_paths(
        paths, config_path, write=write, whole_vault=whole_vault, only_vault_notes=only_vault_notes
    )
    for vault in synced:
        if show_diff:
            click.echo(unified_diff(vault.report.plan.updates), nl=False)
        for line in vault.report.details(functools.partial(_shown, vault.root)):
            click.echo(line, err=True)
    reports = [vault.report for vault in synced]
    click.echo(sync_summary(reports, written=write), err=True)
    return max((report.exit_code for report in reports), default=ExitCode.CLEAN)


def _shown(root: Path, path: PurePosixPath) -> str:
    """A vault-relative path as the user can use it: relative to the current folder."""
    return os.path.relpath(root / path)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(sorted(FORMATTERS)), default="text", show_default=True
)
@click.option(
    "--select",
    multiple=True,
    metavar="CODES",
    help="Run only these rules: codes or prefixes, comma separated (repeatable).",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="CODES",
    help="Also skip these rules: codes or prefixes, comma separated (repeatable).",
)
@click.option("--fix", is_flag=True, help="Apply the safe fixes, then report what is left.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@only_vault_notes_option
@config_option
def lint(
    paths: tuple[Path, ...],
    fmt: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fix: bool,
    exit_zero: bool,
    only_vault_notes: bool,
    config_path: Path | None,
) -> int:
    """Report problems in the notes: findings on stdout, a summary line on stderr.

    The whole vault is always read, so links are checked against every note; PATHS only
    narrow which notes findings are reported for. PATHS in several vaults are each checked
    against their own vault. Exit 0 clean, 1 findings, 2 error.
    """
    one_vault = "--format json reports on one vault" if fmt == "json" else None
    chosen, skipped = rule_codes(select, "--select"), rule_codes(ignore, "--ignore")
    linted = api.lint_paths(
        paths,
        config_path,
        select=chosen,
        ignore=skipped,
        fix=fix,
        only_vault_notes=only_vault_notes,
        one_vault=one_vault,
    )
    for vault in linted:
        for path, why in sorted(vault.refused.items()):
            click.echo(f"vaultkit: not fixed: {_shown(vault.report.vault, path)}: {why}", err=True)
    checked = [vault.report for vault in linted]
    report = merge_reports(checked, cwd=Path.cwd(), colour=use_colour(), exit_zero=exit_zero)
    click.echo(FORMATTERS[fmt](report), nl=False)
    if fmt != "json":  # JSON carries its own summary
        click.echo(summary(report), err=True)
    return report.exit_code


def rule_codes(values: tuple[str, ...], option: str) -> tuple[str, ...]:
    """`--select VK1,VK201 --select VK4` as codes; a code that names no rule is a usage error."""
    codes = tuple(code.strip() for value in values for code in value.split(",") if code.strip())
    if not codes:
        return codes
    from vaultkit import rules as rules_registry  # loaded only when codes are given

    for code in codes:
        problem = rules_registry.unknown_pattern(code)
        if problem is not None:
            raise click.BadParameter(problem, param_hint=f"'{option}'")
    return codes


@cli.command()
@click.argument("code", required=False)
def rules(code: str | None) -> None:
    """List the lint rules, or show the documentation of one (a code or a name); a code's
    first characters (`VK1`) list the rules whose codes start with them."""
    from vaultkit import rules as rules_registry

    if code is None:
        click.echo(rules_table(), nl=False)
        return
    if len(code) < 5 and rules_registry.unknown_pattern(code.upper()) is None:
        click.echo(rules_table(code), nl=False)
        return
    try:
        rule = rules_registry.lookup(code)
    except rules_registry.UnknownRule as error:
        raise click.ClickException(str(error)) from None
    click.echo(rule_doc(rule), nl=False)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of raising SystemExit.

    The cyclic garbage collector is off meanwhile: a command runs once, and what it makes
    (the vault's paths, notes, results) lives until it ends, so each collection would only
    walk all of it again, a tenth of a run that brings results up to date after an edit.
    `watch` turns it back on once it has started (`watch.run`): it runs on."""
    try:
        with no_gc(), session():
            code = cli.main(args=argv, prog_name="vaultkit", standalone_mode=False)
    except click.exceptions.Abort:
        return ExitCode.INTERRUPTED
    except click.ClickException as error:
        return _fail(error.format_message())
    except (ConfigError, api.VaultError) as error:
        return _fail(str(error))
    except BrokenPipeError:
        return ExitCode.CLEAN
    except Exception as error:  # a vaultkit bug: one line, the traceback only on request
        if os.environ.get("VAULTKIT_DEBUG"):
            raise
        return _fail(
            f"internal error: {type(error).__name__}: {error} (VAULTKIT_DEBUG=1 shows where)"
        )
    return code if isinstance(code, int) else ExitCode.CLEAN


def _fail(message: str) -> int:
    click.echo(f"vaultkit: error: {message}", err=True)
    return ExitCode.ERROR


def entry() -> NoReturn:  # pragma: no cover - the console script; tests call main()
    # The cyclic garbage collector stays off to the end (`main` says why; `watch` turns it
    # on once started): turned on as `main` returns, the next object made set off one
    # collection over everything the run made, 2.5 ms of a lint after one edit, just
    # before `_leave` frees it all at once.
    gc.disable()
    _standard_streams()
    at_terminal = meter.wanted(sys.stdout, sys.stderr)
    OUTLIVING.set([])  # the vaults opened live on until `_leave` ends the process
    with meter.shown_on(sys.stderr) if at_terminal else contextlib.nullcontext():
        code = main()
    _leave(code)


def _standard_streams() -> None:
    """Standard input, output and error open, on /dev/null where the process started with
    one closed (`vaultkit status >&-`): Python then has no `sys.stdout` to print to, and
    the next file opened (a note being written, the cache) would take that descriptor's
    number, where anything written to standard output would land."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            os.open(os.devnull, os.O_RDWR)  # the lowest number free: this one
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process


def _leave(code: int) -> NoReturn:
    """End the process with `code`, without the interpreter's teardown: that frees, one by
    one, every object the run made and its modules hold (2 to 3 ms of a warm run's 190 on
    10,000 notes), and frees nothing the end of the process does not. Nothing is left for
    it to finish: every file a command writes is written, synced and closed before the
    command returns, the parse cache's transactions are committed (SQLite needs no close
    for them to last), worker processes have sent all they had (one still ending is the
    system's to reap: `reaping`), and `click.echo` flushes each line it prints (`main`
    reports a failed write)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # the reader went away: `vaultkit next | head -1`
            stream.flush()
    os._exit(code)
