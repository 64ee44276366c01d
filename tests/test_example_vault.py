"""`example-vault/` is what a new user meets first: it must be clean, current and complete."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from vaultkit.config import Config
from vaultkit.lock import LOCK_NAME
from vaultkit.progress import compute
from vaultkit.vault import load_vault

EXAMPLE = Path(__file__).resolve().parents[1] / "example-vault"
PHASES = [
    "P1 0–6 個月",
    "P2 6–12 個月",
    "P3 12–18 個月",
    "P4 18–24 個月",
    "P5 24–30 個月",
    "P6 30–36 個月",
    "P7 面試準備期",
]


@pytest.fixture(scope="module")
def progress():
    return compute(load_vault(EXAMPLE, Config()))


def test_lint_finds_nothing(vk):
    result = vk("lint", EXAMPLE)
    assert (result.code, result.out) == (0, "")
    assert result.err == "All checked: 63 notes and 1 canvas, no findings.\n"


def test_every_block_is_current(vk):
    result = vk("sync", "--check", EXAMPLE)
    assert (result.code, result.out) == (0, "")
    assert result.err == "would sync 0 notes (0 blocks); 63 unchanged\n"


def test_sync_on_a_copy_changes_no_byte(vk, tmp_path):
    copy = tmp_path / "example-vault"
    shutil.copytree(EXAMPLE, copy)
    before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    assert vk("sync", copy).code == 0
    assert {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()} == before


def test_status_shows_all_seven_phases_in_calendar_order(vk):
    out = vk("status", EXAMPLE).out
    headers = [line.split("  ")[0] for line in out.splitlines() if line.startswith("P")]
    assert headers == PHASES


def test_every_state_but_dropped_occurs_several_times(progress):
    states = Counter(item.state.value for item in progress.notes.values())
    assert states == {
        "done": 10,
        "in-progress": 7,
        "ready": 8,
        "blocked": 27,
        "untracked": 11,
    }


def test_the_plan_is_big_enough_and_acyclic(progress):
    tasks = sum(item.total + item.cancelled for item in progress.notes.values())
    assert len(progress.notes) >= 40
    assert tasks >= 150
    assert progress.graph.number_of_edges() >= 40
    assert progress.cycles == ()
    assert progress.missing == ()


def test_phases_carry_dates_on_a_three_year_calendar(vk):
    notes = json.loads(vk("status", EXAMPLE / "Phases", "--format", "json").out)["notes"]
    assert [(n["title"], n["start"], n["due"]) for n in notes] == [
        ("P1 0–6 個月", "2026-01-01", "2026-06-30"),
        ("P2 6–12 個月", "2026-07-01", "2026-12-31"),
        ("P3 12–18 個月", "2027-01-01", "2027-06-30"),
        ("P4 18–24 個月", "2027-07-01", "2027-12-31"),
        ("P5 24–30 個月", "2028-01-01", "2028-06-30"),
        ("P6 30–36 個月", "2028-07-01", "2028-12-31"),
        ("P7 面試準備期", "2029-01-01", "2029-03-31"),
    ]


def rollup_rows(note: Path, begin: str) -> list[str]:
    """The first cells of a roll-up's rows, in order: `**[[P1 0–6 個月]]**`, `[[Docker]]`."""
    text = note.read_text(encoding="utf-8")
    inner = text.split(f"<!-- vaultkit:begin {begin} -->\n")[1].split("<!-- vaultkit:end")[0]
    return [line.split(" | ")[0].removeprefix("| ") for line in inner.splitlines()[2:] if line]


def test_each_phase_note_rolls_up_the_notes_the_hub_lists_under_it():
    hub = rollup_rows(EXAMPLE / "三年學習 Roadmap.md", "rollup group-by=phase")
    under: dict[str, list[str]] = {}
    for row in hub[:-1]:  # the last row is the total
        if row.startswith("**"):
            phase = row.strip("*[]")
            continue
        under.setdefault(phase, []).append(row)
    assert list(under) == PHASES
    for phase in PHASES:
        own = rollup_rows(EXAMPLE / "Phases" / f"{phase}.md", "rollup group=this")
        assert own[:-1] == under[phase], phase


def test_git_ignores_the_watch_lock_and_obsidians_own_state(tmp_path):
    """The README asks for `.vaultkit-watch.lock` in the vault's `.gitignore`; so does ours."""
    vault = tmp_path / "vault"
    shutil.copytree(EXAMPLE, vault)
    subprocess.run(["git", "init", "-q", str(vault)], check=True)
    asked = [LOCK_NAME, ".obsidian/workspace.json", ".trash/x.md", "Hub.md"]
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", *asked],
        cwd=vault,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.splitlines() == [LOCK_NAME, ".obsidian/workspace.json", ".trash/x.md"]


ONE_NOTE = EXAMPLE / "單篇筆記 Roadmap.md"
OUTLINE = Path(__file__).parent / "expected" / "one-note-outline.md"


def test_the_one_note_roadmap_has_its_outline_per_phase():
    text = ONE_NOTE.read_text(encoding="utf-8")
    inner = text.split("<!-- vaultkit:begin outline -->\n")[1].split("<!-- vaultkit:end")[0]
    assert inner == OUTLINE.read_text(encoding="utf-8")


def test_status_of_the_one_note_roadmap_lists_its_sections(vk):
    lines = vk("status", ONE_NOTE).out.splitlines()
    assert lines[1].startswith("  單篇筆記 Roadmap  in-progress")
    assert lines[2 : lines.index("")] == [
        "    🚀 三年學習計畫：Cloud + MLOps + Java 架構師  no tasks",
        "      基本設定                                    no tasks",
        "    📅 半年為單位的計畫                             10/47  ▓▓░░░░░░░░  21%",
        "      🔹 0–6 個月：Cloud & MLOps 入門                 7/7  ▓▓▓▓▓▓▓▓▓▓ 100%",
        "      🔹 6–12 個月：K8s + Observability + MLFlow      3/7  ▓▓▓▓░░░░░░  42%",
        "      🔹 12–18 個月：Terraform + MLOps Pipeline       0/6  ░░░░░░░░░░   0%",
        "      🔹 18–24 個月：進階 Observability + Triton      0/6  ░░░░░░░░░░   0%",
        "      🔹 24–30 個月：分散式訓練 + 領導專案            0/6  ░░░░░░░░░░   0%",
        "      🔹 30–36 個月：AI SaaS 平台 + 技術品牌         0/10  ░░░░░░░░░░   0%",
        "      🔹 37 個月後：面試準備期（新增）                0/5  ░░░░░░░░░░   0%",
        "    🎯 三年後成果                                 no tasks",
    ]


def test_roadmap_canvas_is_what_sync_writes(vk, tmp_path):
    copy = tmp_path / "example-vault"
    shutil.copytree(EXAMPLE, copy)
    (copy / "Roadmap.canvas").unlink()
    result = vk("sync", copy)
    assert result.err == "synced 0 notes (0 blocks) and 1 canvas; 63 unchanged\n"
    assert (copy / "Roadmap.canvas").read_bytes() == (EXAMPLE / "Roadmap.canvas").read_bytes()


def test_roadmap_canvas_shows_every_note_of_the_graph_in_its_phase(progress):
    document = json.loads((EXAMPLE / "Roadmap.canvas").read_bytes())
    files = sorted(node["file"] for node in document["nodes"] if node["type"] == "file")
    groups = [node["label"] for node in document["nodes"] if node["type"] == "group"]
    assert files == sorted(str(path) for path in progress.graph.nodes)
    assert groups == PHASES
