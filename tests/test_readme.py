"""The README's examples are real: its configuration loads and its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from tests import test_corpus
from vaultkit import config
from vaultkit.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_configuration_example_is_valid(tmp_path):
    example = re.search(r"```toml\n(exclude = .*?)```", README, re.S)
    assert example is not None
    (tmp_path / ".vaultkit.toml").write_text(example.group(1), encoding="utf-8")
    loaded = config.load(tmp_path)
    assert loaded.select == ("VK1", "VK4")
    assert loaded.requires == ("requires", "needs")
    assert loaded.task_status["!"] == "todo"
    assert loaded.quiet_period == 2.5


def test_every_command_in_the_commands_table_exists():
    named = re.findall(r"^\| `vaultkit (\w+)", README, re.M)
    assert sorted(set(named)) == sorted(cli.commands)


def test_the_python_example_runs_on_the_example_vault(monkeypatch):
    example = re.search(
        r"```python\n((?:from datetime import date\n\n)?import vaultkit\n.*?)```", README, re.S
    )
    assert example is not None
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    scope: dict[str, object] = {}
    exec(example.group(1), scope)  # its own assert checks the example vault is clean
    assert len(scope["ready"]) == 8  # type: ignore[arg-type]


def test_the_notes_on_skipped_tests_name_real_files_and_the_corpus_the_tests_read():
    section = README.split("Some tests skip on a fresh clone", 1)[1].split("\n## ", 1)[0]
    named = re.findall(r"`((?:tests|\.ci)/[\w./]+)`", section)
    assert named and [path for path in named if not (ROOT / path).exists()] == []
    assert "`bash .ci/install-mermaid.sh`" in section
    assert "`../shared/corpus/`" in section
    assert ROOT.parent / "shared" / "corpus" == test_corpus.CORPUS
    folders = set(re.findall(r"\(`([\w-]+)/`\)", section))
    assert {vault.name for vault in test_corpus.VAULTS} <= folders
