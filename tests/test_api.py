"""The Python API: `vaultkit.status`, `lint` and `sync` do what the commands do."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

import vaultkit
from vaultkit import Config, ConfigError, Diagnostic, VaultError
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
