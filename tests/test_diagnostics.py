"""Output formats, the summary line, exit codes and the rule list (pure: no vault needed)."""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath

import pytest
from msgspec.structs import replace

from vaultkit.diagnostics import (
    FORMATTERS,
    ExitCode,
    LintReport,
    format_github,
    format_json,
    format_text,
    merge_reports,
    rule_doc,
    rules_table,
    summary,
)
from vaultkit.model import Diagnostic
from vaultkit.rules import REGISTRY, lookup

ROOT = Path("/home/me/vault")
LINK = Diagnostic(PurePosixPath("Projects/Alpha.md"), 12, 15, "VK101", "no note named 'Projet'")
TASK = Diagnostic(PurePosixPath("Daily/2026-05-01.md"), 3, 4, "VK302", "status '?' is odd")
CARD = Diagnostic(PurePosixPath("Maps/Plan.canvas"), 3, 66, "VK101", "no note named 'Dokcer'")
TAG = Diagnostic(PurePosixPath("Projects/Alpha.md"), 2, 1, "VK004", "'tag' is deprecated")


def report(*found: Diagnostic, **options) -> LintReport:
    return LintReport(ROOT, tuple(sorted(found)), 42, **options)


def test_text_is_one_sorted_line_per_finding_relative_to_the_current_folder():
    text = format_text(report(LINK, TASK, TAG, cwd=ROOT / "Projects"))
    assert text == (
        "../Daily/2026-05-01.md:3:4: VK302 status '?' is odd\n"
        "Alpha.md:2:1: VK004 'tag' is deprecated\n"
        "Alpha.md:12:15: VK101 no note named 'Projet'\n"
    )


def test_text_without_a_current_folder_uses_vault_paths():
    assert format_text(report(LINK)) == "Projects/Alpha.md:12:15: VK101 no note named 'Projet'\n"


def test_a_path_is_made_relative_once_per_note_however_many_findings_it_has(monkeypatch):
    # A note with 50,000 broken links once cost 50,000 `relpath` calls: seconds.
    made: list[Path] = []
    relpath = os.path.relpath
    monkeypatch.setattr(
        os.path, "relpath", lambda path, start: made.append(path) or relpath(path, start)
    )
    many = [replace(LINK, line=line) for line in range(1, 1_001)]
    text = format_text(report(*many, TASK, cwd=ROOT / "Projects"))
    github = format_github(report(*many, TASK, cwd=ROOT / "Projects"))
    assert text.count("\nAlpha.md:") == github.count("file=Alpha.md,") == 1_000
    assert sorted(made) == [  # once for the text, once for the annotations
        ROOT / "Daily/2026-05-01.md",
        ROOT / "Daily/2026-05-01.md",
        ROOT / "Projects/Alpha.md",
        ROOT / "Projects/Alpha.md",
    ]


def test_text_writes_the_control_characters_of_a_path_or_message_as_escapes():
    found = Diagnostic(PurePosixPath("New\nline.md"), 2, 1, "VK003", "'a\tb\x1b[2J' is not a date")
    assert format_text(report(found)) == "New\\nline.md:2:1: VK003 'a\\tb\\x1b[2J' is not a date\n"


def test_text_of_no_findings_is_empty():
    assert format_text(report()) == ""


def test_colour_marks_the_location_and_the_code_by_severity():
    text = format_text(report(LINK, TASK, cwd=ROOT, colour=True))
    assert text == (
        "\x1b[1mDaily/2026-05-01.md:3:4:\x1b[0m "
        "\x1b[33m\x1b[1mVK302\x1b[0m status '?' is odd\n"
        "\x1b[1mProjects/Alpha.md:12:15:\x1b[0m "
        "\x1b[31m\x1b[1mVK101\x1b[0m no note named 'Projet'\n"
    )


def test_json_is_schema_1_with_vault_paths_whatever_the_current_folder():
    payload = json.loads(format_json(report(LINK, TAG, cwd=ROOT / "Projects", fixable={TAG})))
    assert payload == {
        "schema": 1,
        "vault": "/home/me/vault",
        "summary": {"notes": 42, "canvases": 0, "findings": 2},
        "diagnostics": [
            {
                "path": "Projects/Alpha.md",
                "line": 2,
                "col": 1,
                "code": "VK004",
                "rule": "deprecated-property",
                "severity": "error",
                "message": "'tag' is deprecated",
                "fixable": True,
            },
            {
                "path": "Projects/Alpha.md",
                "line": 12,
                "col": 15,
                "code": "VK101",
                "rule": "broken-link",
                "severity": "error",
                "message": "no note named 'Projet'",
                "fixable": False,
            },
        ],
    }


def test_json_keeps_non_ascii_text_readable():
    found = Diagnostic(PurePosixPath("技能/Docker 基礎.md"), 1, 1, "VK101", "no note named '雲'")
    assert '"path": "技能/Docker 基礎.md"' in format_json(report(found))


def test_github_annotations_use_the_severity_and_name_the_rule():
    text = format_github(report(LINK, TASK, cwd=ROOT))
    assert text == (
        "::warning file=Daily/2026-05-01.md,line=3,col=4,title=VK302 unknown-task-status"
        "::status '?' is odd\n"
        "::error file=Projects/Alpha.md,line=12,col=15,title=VK101 broken-link"
        "::no note named 'Projet'\n"
    )


def test_github_escapes_what_would_end_a_property_or_the_message():
    found = Diagnostic(PurePosixPath("a,b:c.md"), 1, 1, "VK101", "50% done\nnext: 'x'")
    assert format_github(report(found)) == (
        "::error file=a%2Cb%3Ac.md,line=1,col=1,title=VK101 broken-link::50%25 done%0Anext: 'x'\n"
    )


def test_every_format_is_registered_by_name():
    assert dict(FORMATTERS) == {"text": format_text, "json": format_json, "github": format_github}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        pytest.param({}, "All checked: 42 notes, no findings.", id="clean"),
        pytest.param(
            {"canvases": 2}, "All checked: 42 notes and 2 canvases, no findings.", id="canvases"
        ),
        pytest.param(
            {"found": (LINK, TASK, TAG), "fixable": {TAG}},
            "Found 3 findings in 2 notes (1 fixable with --fix).",
            id="findings",
        ),
        pytest.param({"found": (LINK,)}, "Found 1 finding in 1 note.", id="nothing fixable"),
        pytest.param({"found": (CARD,)}, "Found 1 finding in 1 canvas.", id="in a canvas"),
        pytest.param(
            {"found": (LINK, TASK, CARD)},
            "Found 3 findings in 2 notes and 1 canvas.",
            id="in notes and a canvas",
        ),
        pytest.param(
            {"found": (LINK,), "fixed": 2},
            "Fixed 2 findings. Found 1 finding in 1 note.",
            id="after --fix",
        ),
        pytest.param(
            {"fixed": 1}, "Fixed 1 finding. All checked: 42 notes, no findings.", id="all fixed"
        ),
        pytest.param(
            {"fixed": 2, "caused": 1},
            "Fixed 2 findings, and 1 more that the fixes caused. All checked: 42 notes, "
            "no findings.",
            id="fixes that caused a finding",
        ),
    ],
)
def test_summary_line(kwargs, expected):
    found = kwargs.pop("found", ())
    assert summary(report(*found, **kwargs)) == expected


def test_exit_code_is_1_for_any_finding_even_a_warning():
    assert report().exit_code is ExitCode.CLEAN
    assert report(TASK).exit_code is ExitCode.FINDINGS
    assert report(TASK, exit_zero=True).exit_code is ExitCode.CLEAN
    assert (ExitCode.CLEAN, ExitCode.FINDINGS, ExitCode.ERROR) == (0, 1, 2)


def test_rules_table_lists_every_rule_with_fix_and_default():
    lines = rules_table().splitlines()
    assert lines[0].split() == ["code", "name", "severity", "fix", "default", "finds"]
    assert len(lines) == len(REGISTRY) + 1
    assert lines[1].split()[:4] == ["VK001", "invalid-frontmatter", "error", "on"]
    vk004 = next(line for line in lines if line.startswith("VK004"))
    assert vk004.split()[:5] == ["VK004", "deprecated-property", "error", "yes", "on"]
    assert vk004.endswith("  `tag`, `alias` or `cssclass` instead of the plural")


def test_rule_doc_is_the_docstring_and_the_setup():
    text = rule_doc(lookup("VK101"))
    assert text.startswith("VK101 broken-link: a link to a note or file that is not in the vault.")
    assert "## Why\n" in text and "## Example\n" in text and "## Fix\n" in text
    assert text.endswith("\nseverity: error · fixable with --fix: no · default: on\n")


def test_the_summary_of_several_vaults_adds_up_their_fixes():
    one = LintReport(ROOT / "one", (), 2, fixed=3, caused=1)
    two = LintReport(ROOT / "two", (), 5, fixed=1)
    merged = merge_reports([one, two], cwd=ROOT, colour=False, exit_zero=False)
    assert summary(merged) == (
        "Fixed 4 findings, and 1 more that the fixes caused. All checked: 7 notes, no findings."
    )
