"""The Python API: `vaultkit.status`, `lint` and `sync` do what the commands do."""

from __future__ import annotations

from datetime import date
from pathlib import PurePosixPath

import pytest

import vaultkit
from vaultkit import Config, ConfigError, Diagnostic, VaultError, api
from vaultkit.model import State

P = PurePosixPath

NOTES = {
    "Hub.md": "[[Docker]] [[Helm]]\n<!-- vaultkit:begin rollup -->\n<!-- vaultkit:end rollup -->\n",
    "Skills/Docker.md": "- [x] install\n- [ ] compose\n",
    "Skills/Helm.md": "---\nrequires: ['[[Docker]]']\n---\n[[Kubernetes]]\n- [ ] charts\n",
}


def test_status_gives_every_notes_progress(make_vault):
    root = make_vault(NOTES)
    progress = vaultkit.status(root)
    assert progress.notes[P("Skills/Docker.md")].state is State.IN_PROGRESS
    assert progress.notes[P("Skills/Helm.md")].blocked_by == (P("Skills/Docker.md"),)


def test_lint_reports_the_findings_of_the_notes_under_the_path(make_vault):
    root = make_vault(NOTES)
    broken = Diagnostic(
        P("Skills/Helm.md"),
        4,
        1,
        "VK101",
        "no note or file named 'Kubernetes': Obsidian shows the link unresolved",
    )
    stale = Diagnostic(
        P("Hub.md"), 2, 1, "VK501", "block 'rollup' is out of date: run `vaultkit sync`"
    )
    assert vaultkit.lint(root) == [stale, broken]
    assert vaultkit.lint(root / "Skills") == [broken]


def test_lint_takes_a_config_object(make_vault):
    root = make_vault(NOTES)
    assert vaultkit.lint(root, config=Config(ignore=("VK101", "VK501"))) == []


def test_sync_without_writing_is_sync_check(make_vault):
    root = make_vault(NOTES)
    before = (root / "Hub.md").read_bytes()
    report = vaultkit.sync(root, write=False)
    assert (report.exit_code, report.summary()) == (1, "would sync 1 note (1 block); 2 unchanged")
    assert (root / "Hub.md").read_bytes() == before


def test_sync_writes_the_blocks(make_vault):
    root = make_vault(NOTES)
    assert vaultkit.sync(root).summary() == "synced 1 note (1 block); 2 unchanged"
    assert vaultkit.sync(root, write=False).exit_code == 0
    assert "| [[Docker]] | in-progress | 1/2 |" in (root / "Hub.md").read_text()


def test_a_path_that_does_not_exist_raises_vault_error(tmp_path):
    with pytest.raises(VaultError, match="no such file or folder"):
        vaultkit.status(tmp_path / "missing")


def test_a_bad_configuration_file_raises_config_error(make_vault):
    root = make_vault({**NOTES, ".vaultkit.toml": "[unknown]\n"})
    with pytest.raises(ConfigError):
        vaultkit.lint(root)


@pytest.mark.parametrize("call", [vaultkit.status, vaultkit.lint, vaultkit.sync])
def test_an_unknown_rule_in_the_configuration_stops_every_call(make_vault, call):
    root = make_vault({**NOTES, ".vaultkit.toml": "[rules.VK999]\n"})
    with pytest.raises(ConfigError, match="unknown rule code 'VK999'"):
        call(root)


def test_lint_vault_selects_ignores_and_fixes_one_open_vault(make_vault):
    root = make_vault({"a.md": "-[ ] task\n- [?] odd\n[[missing]]\n"})
    vault, scope = api.open_vault([root])

    only_tasks = api.lint_vault(vault, scope, select=("VK3",), ignore=("VK302",))
    fixed = api.lint_vault(vault, scope, fix=True)

    assert [(d.line, d.code) for d in only_tasks.report.diagnostics] == [(1, "VK301")]
    assert (fixed.report.fixed, dict(fixed.refused)) == (1, {})
    assert [(d.line, d.code) for d in fixed.report.diagnostics] == [(2, "VK302"), (3, "VK101")]
    assert (root / "a.md").read_text() == "- [ ] task\n- [?] odd\n[[missing]]\n"


def test_sync_vault_writes_the_blocks_of_the_notes_asked_for(make_vault):
    block = "<!-- vaultkit:begin progress -->\n<!-- vaultkit:end progress -->\n- [x] t\n"
    root = make_vault({"a.md": block, "b.md": block})
    vault, _ = api.open_vault([root])

    report = api.sync_vault(vault, [PurePosixPath("a.md")])

    assert [str(update.path) for update in report.synced] == ["a.md"]
    assert (root / "b.md").read_text() == block


def test_next_view_holds_the_notes_under_the_path_and_the_limit(make_vault):
    root = make_vault(NOTES)

    view = api.next_view(root / "Skills", limit=1)

    assert (view.root, view.limit) == (root, 1)
    assert [str(item.path) for item in view.notes] == ["Skills/Docker.md", "Skills/Helm.md"]
    assert [str(item.path) for item in view.progress.next(limit=view.limit)] == ["Skills/Docker.md"]


def test_status_view_of_one_note_holds_its_sections(make_vault):
    root = make_vault({"Plan.md": "# Plan\n## One\n- [x] a\n## Two\n- [ ] b\n"})

    view = api.status_view(root / "Plan.md", today=date(2026, 11, 29))

    assert [str(item.path) for item in view.notes] == ["Plan.md"]
    assert view.outline is not None
    sections = [(s.title, s.done, s.total) for s in view.outline.sections]
    assert sections == [("Plan", 1, 2), ("One", 1, 1), ("Two", 0, 1)]
    assert view.today == date(2026, 11, 29)


def test_sync_paths_syncs_each_vault_the_paths_are_in(make_vault):
    block = "<!-- vaultkit:begin progress -->\n<!-- vaultkit:end progress -->\n- [x] t\n"
    root = make_vault({"one/.vaultkit.toml": "", "one/a.md": block, "two/.obsidian/x": ""})
    (root / "two/b.md").write_text(block)

    synced = api.sync_paths([root / "two", root / "one"], write=False)

    assert [vault.root for vault in synced] == [root / "one", root / "two"]
    assert [[str(u.path) for u in vault.report.synced] for vault in synced] == [["a.md"], ["b.md"]]
    assert (root / "one/a.md").read_text() == block
