"""Real vaults written by other people (`../shared/corpus/`): no command may fail on them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
VAULTS = sorted(p for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.is_dir() else []
pytestmark = pytest.mark.skipif(not VAULTS, reason="the shared corpus is not on this machine")


@pytest.mark.parametrize("vault", VAULTS, ids=lambda p: p.name)
@pytest.mark.parametrize(
    "args",
    [
        ("status",),
        ("status", "--format", "json"),
        ("next",),
        ("graph",),
        ("graph", "--format", "graphml"),
        ("graph", "--format", "canvas"),
        ("sync", "--check"),
    ],
    ids=" ".join,
)
def test_every_reporting_command_succeeds(vk, vault, args):
    result = vk(*args, vault)
    assert (result.code, result.err.startswith("vaultkit: error")) == (0, False)


@pytest.mark.parametrize(
    ("name", "findings"),
    [
        ("dataview-test-vault", {"VK101": 6}),
        ("kepano-obsidian", {"VK101": 62}),
        # Two tasks wait on `⛔ 123456,abc123`: two missing ids each, two findings each.
        ("tasks-demo", {"VK003": 1, "VK004": 4, "VK101": 3, "VK302": 205, "VK403": 13}),
    ],
)
def test_lint_reports_what_obsidian_itself_shows(vk, name, findings):
    result = vk("lint", CORPUS / name, "--format", "json")
    codes: dict[str, int] = {}
    for finding in json.loads(result.out)["diagnostics"]:
        codes[finding["code"]] = codes.get(finding["code"], 0) + 1
    assert (result.code, codes) == (1, findings)


def test_a_card_link_in_a_real_canvas_resolves_and_is_reported_once_its_note_is_gone(vk, tmp_path):
    # tasks-demo holds a canvas saved by Obsidian whose first card links [[Tags in Frontmatter]].
    vault = shutil.copytree(CORPUS / "tasks-demo", tmp_path / "tasks-demo")
    folder = vault / "Manual Testing" / "Frontmatter"
    canvas = "Manual Testing/Frontmatter/Frontmatter code.canvas"
    assert not [f for f in _findings(vk, vault) if f["path"] == canvas]

    (folder / "Tags in Frontmatter.md").rename(folder / "Renamed.md")
    line = (vault / canvas).read_text(encoding="utf-8").splitlines()[2]
    assert [
        (f["line"], f["col"], f["code"]) for f in _findings(vk, vault) if f["path"] == canvas
    ] == [(3, line.index("[[Tags in Frontmatter]]") + 1, "VK101")]


def _findings(vk, vault):
    return json.loads(vk("lint", vault, "--format", "json").out)["diagnostics"]
