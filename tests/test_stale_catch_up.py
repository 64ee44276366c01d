"""VK501 after some notes changed: a lint brings the plan of an earlier run up to date,
planning again only the notes whose blocks can show the change, and finds the stale
blocks, with the same fixes, that a lint without a cache finds: on blocks that list a
hundred notes or rank every skill of the vault, and on blocks edited by hand."""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from vaultkit import cache, planning

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from _vaultgen import generate

# 2 phases of 60 skills: each phase's rollup and graph show 60, the hub's `next` block
# ranks all 120 skills.
NOTES = 300
HUB = "Hub.md"
PHASE = "Phases/P01 階段.md"
OTHER_PHASE = "Phases/P02 階段.md"


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated vault with every block filled in (by a run without a cache)."""
    from vaultkit.cli import main

    root = tmp_path_factory.mktemp("synced") / "vault"
    generate(root, NOTES)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VAULTKIT_CACHE_DIR", "")
        assert main(["sync", str(root)]) == 1  # it filled the blocks in
    return root


@pytest.fixture
def vault(synced: Path, tmp_path: Path, vk, note_cache, monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the synced vault, linted once: its plan kept, every stat trusted."""
    monkeypatch.setattr(cache, "RACY_NS", 0)
    root = tmp_path / "vault"
    shutil.copytree(synced, root)
    assert vk("lint", root).code == 0
    return root


@pytest.fixture
def planned_whole(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many notes each plan made from nothing (not brought up to date) planned."""
    made: list[int] = []
    plan = planning._plan

    def planning_all(vault, progress, targets, canvases):  # type: ignore[no-untyped-def]
        made.append(len(targets))
        return plan(vault, progress, targets, canvases)

    monkeypatch.setattr(planning, "_plan", planning_all)
    return made


def text(root: Path, path: str) -> str:
    return (root / path).read_text(encoding="utf-8")


def block(root: Path, path: str, kind: str) -> tuple[int, list[str]]:
    """The line of a block's begin marker, and the lines between its markers."""
    lines = text(root, path).splitlines()
    opening, closing = f"<!-- vaultkit:begin {kind}", f"<!-- vaultkit:end {kind} -->"
    begin = next(n for n, line in enumerate(lines) if line.startswith(opening))
    end = next(n for n in range(begin, len(lines)) if lines[n] == closing)
    return begin + 1, lines[begin + 1 : end]


def listed_by_hub(root: Path) -> str:
    """The note the hub's `next` block lists first."""
    _, lines = block(root, HUB, "next")
    stem = re.search(r"\[\[([^\]]+)\]\]", lines[0])
    assert stem is not None
    return next(
        str(path.relative_to(root))
        for path in (root / "Skills").rglob("*.md")
        if path.stem == stem.group(1)
    )


def required_skill(root: Path) -> str:
    """A skill in the first phase that another skill requires."""
    for path in sorted((root / "Skills" / "P01").glob("*.md")):
        if any(
            f'"[[{path.stem}]]"' in other.read_text(encoding="utf-8")
            for other in (root / "Skills").rglob("*.md")
        ):
            return str(path.relative_to(root))
    raise AssertionError("no skill is required")


def replace_once(root: Path, path: str, old: str, new: str) -> None:
    note = root / path
    before = note.read_text(encoding="utf-8")
    assert old in before
    note.write_text(before.replace(old, new, 1), encoding="utf-8")


def tick_hub_first(root: Path) -> None:
    replace_once(root, listed_by_hub(root), "- [ ] ", "- [x] ")


def finish_required(root: Path) -> None:
    path = required_skill(root)
    note = root / path
    note.write_text(note.read_text(encoding="utf-8").replace("- [ ] ", "- [x] "), "utf-8")


def untick_in_other_phase(root: Path) -> None:
    path = sorted((root / "Skills" / "P02").glob("*.md"))[0]
    replace_once(root, str(path.relative_to(root)), "- [x] ", "- [ ] ")


def drop_line(path: str, kind: str, first: str) -> Callable[[Path], None]:
    """An edit by hand: the first line starting with `first` in a block taken out."""

    def edit(root: Path) -> None:
        _, lines = block(root, path, kind)
        line = next(line for line in lines if line.startswith(first))
        replace_once(root, path, f"{line}\n", "")

    return edit


def lint_json(vk, root: Path) -> list[tuple[str, int, int, str, bool]]:  # type: ignore[no-untyped-def]
    found = json.loads(vk("lint", "--format", "json", root).out)["diagnostics"]
    return [(d["path"], d["line"], d["col"], d["code"], d["fixable"]) for d in found]


def fixed(vk, root: Path) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    """Every note's bytes after `lint --fix`."""
    vk("lint", "--fix", root)
    return {str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*.md")}


EDITS = [
    pytest.param(tick_hub_first, id="a box ticked in the note the hub's next block lists first"),
    pytest.param(finish_required, id="a required skill done: the notes it unblocks move"),
    pytest.param(untick_in_other_phase, id="a box unticked in a skill of the other phase"),
    pytest.param(drop_line(PHASE, "rollup", "| [["), id="a rollup row deleted by hand"),
    pytest.param(drop_line(HUB, "next", "1. "), id="the hub's next block edited by hand"),
    pytest.param(drop_line(OTHER_PHASE, "graph", "    n1"), id="a graph node deleted by hand"),
]


@pytest.mark.parametrize("edit", EDITS)
def test_a_lint_after_an_edit_finds_the_stale_blocks_of_a_lint_without_a_cache(
    vault, vk, planned_whole, monkeypatch, tmp_path, edit
):
    edit(vault)
    cold = tmp_path / "cold"
    shutil.copytree(vault, cold)

    warm_found = lint_json(vk, vault)
    assert planned_whole == []  # the plan was brought up to date, not made anew
    warm_fixed = fixed(vk, vault)
    monkeypatch.setenv("VAULTKIT_CACHE_DIR", "")

    assert warm_found == lint_json(vk, cold)
    assert any(code == "VK501" for _, _, _, code, _ in warm_found)
    assert warm_fixed == fixed(vk, cold)


@pytest.mark.parametrize(
    ("path", "kind", "first"),
    [
        pytest.param(PHASE, "rollup", "| [[", id="a row of a rollup of 60 notes"),
        pytest.param(HUB, "next", "1. ", id="a line of the next block ranking 120 skills"),
        pytest.param(OTHER_PHASE, "graph", "    n1", id="a node of a graph"),
    ],
)
def test_a_block_edited_by_hand_is_stale_though_no_note_it_shows_changed(
    vault, vk, monkeypatch, path, kind, first
):
    begin, _ = block(vault, path, kind)
    drop_line(path, kind, first)(vault)

    assert lint_json(vk, vault) == [(path, begin, 1, "VK501", True)]
    monkeypatch.setenv("VAULTKIT_CACHE_DIR", "")
    assert lint_json(vk, vault) == [(path, begin, 1, "VK501", True)]


def test_a_block_put_back_by_hand_is_no_longer_stale(vault, vk):
    original = text(vault, PHASE)
    drop_line(PHASE, "rollup", "| [[")(vault)
    assert [code for _, _, _, code, _ in lint_json(vk, vault)] == ["VK501"]

    (vault / PHASE).write_text(original, encoding="utf-8")

    assert lint_json(vk, vault) == []
