"""Findings as people and tools read them: text, JSON and GitHub annotations (pure).

Each output format is a function from a `LintReport` to text, picked by name from
`FORMATTERS`; commands never branch on the format. Findings go to stdout; the one-line
`summary` is written to stderr by `cli`, so stdout stays exactly the findings and
`vaultkit lint | wc -l` counts them.
"""

from __future__ import annotations

import inspect
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING

import click
import msgspec
import msgspec.structs
from msgspec.structs import replace

from vaultkit.model import Diagnostic, ExitCode
from vaultkit.wording import plural

if TYPE_CHECKING:  # the rules are imported when a finding or a rule is shown, not before
    from vaultkit.rules.base import RuleModule, Severity

SCHEMA = 1
SEVERITY_COLOURS: Mapping[str, str] = MappingProxyType({"error": "red", "warning": "yellow"})


class LintReport(msgspec.Struct, frozen=True):
    vault: Path  # the vault root
    diagnostics: tuple[Diagnostic, ...]  # sorted
    notes: int  # how many notes were checked
    fixable: frozenset[Diagnostic] = frozenset()  # findings `--fix` can fix
    fixed: int = 0  # with `--fix`: how many of the findings a plain `lint` lists were fixed
    caused: int = 0  # with `--fix`: findings the fixes caused and then fixed (a stale block)
    cwd: Path | None = None  # text and github paths are relative to it; None: to the vault
    colour: bool = False  # ANSI colours in text output (a terminal)
    exit_zero: bool = False  # `--exit-zero`: findings do not fail the run
    canvases: int = 0  # how many canvases were checked

    @property
    def exit_code(self) -> ExitCode:
        if self.diagnostics and not self.exit_zero:
            return ExitCode.FINDINGS
        return ExitCode.CLEAN


def merge_reports(
    reports: Sequence[LintReport], *, cwd: Path, colour: bool, exit_zero: bool
) -> LintReport:
    """One report of the findings in several vaults, for text and GitHub output.

    Paths become relative to the folder that holds every vault, so each finding still
    names its note, relative to the current folder once shown.
    """
    if len(reports) == 1:
        return replace(reports[0], cwd=cwd, colour=colour, exit_zero=exit_zero)
    base = Path(os.path.commonpath([report.vault for report in reports])) if reports else cwd
    found: list[Diagnostic] = []
    fixable: set[Diagnostic] = set()
    for report in reports:
        prefix = PurePosixPath(report.vault.relative_to(base).as_posix())
        moved = {d: msgspec.structs.replace(d, path=prefix / d.path) for d in report.diagnostics}
        found += moved.values()
        fixable.update(moved[d] for d in report.fixable if d in moved)
    return LintReport(
        base,
        tuple(sorted(found)),
        sum(report.notes for report in reports),
        frozenset(fixable),
        sum(report.fixed for report in reports),
        sum(report.caused for report in reports),
        cwd,
        colour,
        exit_zero,
        sum(report.canvases for report in reports),
    )


def severity(code: str) -> Severity:
    from vaultkit.rules import BY_CODE

    return BY_CODE[code].SEVERITY


def rule_name(code: str) -> str:
    from vaultkit.rules import BY_CODE

    return BY_CODE[code].NAME


def shown_paths(report: LintReport) -> dict[PurePosixPath, str]:
    """Each note with findings -> its path relative to the current folder (vault-relative
    without one), worked out once per note however many findings it has."""
    paths = dict.fromkeys(found.path for found in report.diagnostics)
    return {path: _shown_path(report, path) for path in paths}


def _shown_path(report: LintReport, path: PurePosixPath) -> str:
    if report.cwd is None:
        return str(path)
    try:
        return os.path.relpath(report.vault / path, report.cwd)
    except ValueError:  # another drive on Windows: no relative path exists
        return str(report.vault / path)


# -- formats --------------------------------------------------------------------------


def format_text(report: LintReport) -> str:
    """`path:line:col: CODE message`, one line per finding, sorted."""
    shown = shown_paths(report)
    return "".join(_text_line(report, found, shown) + "\n" for found in report.diagnostics)


def _text_line(report: LintReport, found: Diagnostic, shown: Mapping[PurePosixPath, str]) -> str:
    where = f"{one_line(shown[found.path])}:{found.line}:{found.col}:"
    code = found.code
    if report.colour:
        where = click.style(where, bold=True)
        code = click.style(code, fg=SEVERITY_COLOURS[severity(code)], bold=True)
    return f"{where} {code} {one_line(found.message)}"


# Control characters as escapes: `\n`, `\r`, `\t`, else `\x1b` and the like.
_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F)} | {
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
}


def one_line(text: str) -> str:
    """`text` with its control characters written as escapes: a file name or a quoted
    value holding a line break cannot start a line of its own (a finding made up by a
    file named for it), and no escape sequence reaches the terminal."""
    return text.translate(_ESCAPES)


def format_json(report: LintReport) -> str:
    """Schema 1; `path` is vault-relative with `/` whatever the current folder."""
    payload = {
        "schema": SCHEMA,
        "vault": str(report.vault),
        "summary": {
            "notes": report.notes,
            "canvases": report.canvases,
            "findings": len(report.diagnostics),
        },
        "diagnostics": [_json_item(report, found) for found in report.diagnostics],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def _json_item(report: LintReport, found: Diagnostic) -> dict[str, object]:
    return {
        "path": found.path.as_posix(),
        "line": found.line,
        "col": found.col,
        "code": found.code,
        "rule": rule_name(found.code),
        "severity": severity(found.code),
        "message": found.message,
        "fixable": found in report.fixable,
    }


def format_github(report: LintReport) -> str:
    """GitHub Actions workflow commands, which show up as annotations on the diff."""
    shown = shown_paths(report)
    return "".join(_annotation(report, found, shown) + "\n" for found in report.diagnostics)


def _annotation(report: LintReport, found: Diagnostic, shown: Mapping[PurePosixPath, str]) -> str:
    properties = {
        "file": shown[found.path],
        "line": str(found.line),
        "col": str(found.col),
        "title": f"{found.code} {rule_name(found.code)}",
    }
    written = ",".join(f"{key}={_escape(value, True)}" for key, value in properties.items())
    return f"::{severity(found.code)} {written}::{_escape(found.message, False)}"


def _escape(text: str, in_property: bool) -> str:
    """Escape as GitHub's toolkit does (`escapeData`, `escapeProperty`)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if in_property else text


FORMATTERS: dict[str, Callable[[LintReport], str]] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
}


def summary(report: LintReport) -> str:
    """One line for stderr: `Found 3 findings in 2 notes (1 fixable with --fix).`"""
    fixed = ""
    if report.fixed or report.caused:
        more = f", and {report.caused} more that the fixes caused" if report.caused else ""
        fixed = f"Fixed {plural(report.fixed, 'finding')}{more}. "
    found = len(report.diagnostics)
    if not found:
        return f"{fixed}All checked: {_counted(report.notes, report.canvases)}, no findings."
    fixable = sum(1 for d in report.diagnostics if d in report.fixable)
    hint = f" ({fixable} fixable with --fix)" if fixable else ""
    return f"{fixed}Found {plural(found, 'finding')} in {_files(report.diagnostics)}{hint}."


def _files(diagnostics: Iterable[Diagnostic]) -> str:
    """`2 notes`, `1 canvas`, `2 notes and 1 canvas`: the files the findings are in."""
    paths = {d.path for d in diagnostics}
    canvases = sum(1 for path in paths if path.suffix.lower() == ".canvas")
    return _counted(len(paths) - canvases, canvases)


def _counted(notes: int, canvases: int) -> str:
    """`2 notes`, `1 canvas`, `2 notes and 1 canvas`; `0 notes` for nothing."""
    if not canvases:
        return plural(notes, "note")
    counted = plural(canvases, "canvas", "canvases")
    return f"{plural(notes, 'note')} and {counted}" if notes else counted


# -- `vaultkit rules` -----------------------------------------------------------------


def rules_table(prefix: str = "") -> str:
    """The rules whose code starts with `prefix` (every rule by default): code, name,
    severity, whether --fix fixes it, default on or off."""
    from vaultkit.rules import REGISTRY

    rows = [("code", "name", "severity", "fix", "default", "finds")]
    rows += [
        (r.CODE, r.NAME, r.SEVERITY, "yes" if r.FIXABLE else "", _default(r), _finds(r))
        for r in REGISTRY
        if r.CODE.startswith(prefix.upper())
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(5)]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:5], widths, strict=True))
        + f"  {row[5]}\n"
        for row in rows
    )


def rule_doc(rule: RuleModule) -> str:
    """The rule's documentation: its docstring, then how it is set up."""
    facts = (
        f"severity: {rule.SEVERITY} · fixable with --fix: {'yes' if rule.FIXABLE else 'no'}"
        f" · default: {_default(rule)}"
    )
    return f"{inspect.cleandoc(rule.__doc__ or '')}\n\n{facts}\n"


def _default(rule: RuleModule) -> str:
    return "on" if rule.DEFAULT_ENABLED else "off"


def _finds(rule: RuleModule) -> str:
    """The summary line of the docstring, after `VK101 broken-link: `."""
    first = (rule.__doc__ or "").strip().splitlines()[0]
    return (first.partition(": ")[2] or first).removesuffix(".")
