"""The ranking a plan keeps for each scope of a `next` block scoped by folder, tag or group:
after any edit it is the ranking made anew from the vault, only the notes an edit moved
move in it, and the blocks it fills read as a run without a cache writes them."""

from __future__ import annotations

import random
import sys
from pathlib import Path, PurePosixPath

import pytest

from vaultkit import listings, planning, progress
from vaultkit.config import Config
from vaultkit.model import NoteProgress, State
from vaultkit.summaries.scope import scope_members
from vaultkit.upnext import Ranking, Scope
from vaultkit.vault import load_vault

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import test_results
from _vaultgen import generate
from test_results import edited

answers, settled = test_results.answers, test_results.settled  # fixtures

P = PurePosixPath
LISTED = {
    "Hub.md": (
        '<!-- vaultkit:begin next limit=3 folder="Skills" -->\n<!-- vaultkit:end next -->\n'
        "<!-- vaultkit:begin next limit=3 tag=k8s -->\n<!-- vaultkit:end next -->\n"
    ),
    "Phase.md": "<!-- vaultkit:begin next group=this -->\n<!-- vaultkit:end next -->\n",
    "Skills/A.md": "---\nphase: '[[Phase]]'\n---\n- [x] a1\n- [ ] a2\n",
    "Skills/B.md": "- [x] b1\n- [ ] b2\n- [ ] b3 #k8s\n",
    "Skills/C.md": "---\nrequires: ['[[A]]']\n---\n- [ ] c1\n",
    "Skills/D.md": "- [ ] d1\n- [ ] d2\n",
    "Notes/X.md": "---\nphase: '[[Phase]]'\n---\n- [ ] x #k8s\n",
}


def item(path: str, state: State, unlocks: int = 0) -> NoteProgress:
    unlocked = tuple(P(f"U{n}.md") for n in range(unlocks))
    return NoteProgress(P(path), path, state, 1, 2, 0, 0, 0, None, (), (), unlocked, None, None)


def test_a_note_moved_entering_or_leaving_the_scope_takes_its_new_place():
    a, b, c = (
        item("a.md", State.IN_PROGRESS),
        item("b.md", State.READY, 2),
        item("c.md", State.READY),
    )
    ranking = Ranking.of([a, b, c])
    now = {
        P("a.md"): item("a.md", State.DONE),
        P("b.md"): item("b.md", State.IN_PROGRESS, 2),
        P("c.md"): c,
        P("d.md"): item("d.md", State.READY, 1),
    }
    inside = {P("a.md"), P("b.md"), P("d.md")}  # c left (a tag removed), d entered

    moved = ranking.updated(
        {P("a.md"): a, P("b.md"): b}, now, inside.__contains__, [P("c.md"), P("d.md")]
    )

    assert moved is not None
    assert moved.first(None) == [P("b.md"), P("d.md")]


def test_a_ranking_that_is_not_of_the_notes_as_they_were_is_none():
    ranking = Ranking.of([item("a.md", State.READY)])
    before = {P("b.md"): item("b.md", State.READY)}  # not in it, though in scope

    assert ranking.updated(before, {P("b.md"): item("b.md", State.DONE)}, lambda _: True) is None


Call = tuple[tuple[object, ...], object]  # a function's arguments, and what it returned


def calls(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[Call]:
    """Each call of `module.name` from now on."""
    found: list[Call] = []
    real = getattr(module, name)

    def calling(*args):  # type: ignore[no-untyped-def]
        result = real(*args)
        found.append((args, result))
        return result

    monkeypatch.setattr(module, name, calling)
    return found


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[Call]:
    """Each plan a run made or brought up to date (what it returned), with its rankings."""
    return calls(monkeypatch, planning, "made")


@pytest.fixture
def caught(monkeypatch: pytest.MonkeyPatch) -> list[Call]:
    """Each plan a run asked to bring up to date: None when it could not be."""
    return calls(monkeypatch, planning, "_catch_up")


@pytest.fixture
def ranked_anew(monkeypatch: pytest.MonkeyPatch) -> list[Call]:
    """Each scope whose ranking was made from its notes' progress (its first argument)."""
    return calls(monkeypatch, listings, "members")


def assert_ranked_as_anew(
    root: Path, plan: planning._Kept, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each `next` block scoped by folder, tag or group: its scope's ranking, without its
    note, is what `Progress.next` orders of the block's scope in the vault without a cache."""
    monkeypatch.setenv("VAULTKIT_CACHE_DIR", "")
    vault = load_vault(root, Config())
    made = progress.track(vault).progress
    assert isinstance(plan, planning._Kept)
    ranked = dict(plan.ranked)
    scopes = set()
    for path in vault.notes:
        blocks = vault.notes[path].blocks.blocks
        for block in blocks:
            if block.kind != "next" or not {"folder", "tag", "group"} & block.params.keys():
                continue
            scope = Scope.of(block, path)
            scopes.add(scope)
            anew = made.next(scope_members(block, path, vault, made, blocks))
            assert [p for p in ranked[scope].first(None) if p != path] == [i.path for i in anew]
    assert set(ranked) == scopes


def hub(folder: str, tag: str) -> str:
    """Hub.md with these lists in its blocks."""
    return (
        '<!-- vaultkit:begin next limit=3 folder="Skills" -->\n'
        f"{folder}<!-- vaultkit:end next -->\n"
        f"<!-- vaultkit:begin next limit=3 tag=k8s -->\n{tag}<!-- vaultkit:end next -->\n"
    )


B_FIRST = "1. [[B]] · in-progress · 1/3 tasks\n"


@pytest.mark.parametrize(
    ("path", "old", "new", "after"),
    [
        pytest.param(
            "Skills/A.md",
            "- [x] a1",
            "- [ ] a1",
            hub(
                B_FIRST
                + "2. [[A]] · ready · 0/2 tasks · unlocks 1\n3. [[D]] · ready · 0/2 tasks\n",
                B_FIRST + "2. [[X]] · ready · 0/1 tasks\n",
            ),
            id="no longer started: after those in progress",
        ),
        pytest.param(
            "Skills/A.md",
            "- [ ] a2",
            "- [x] a2",
            hub(
                B_FIRST + "2. [[C]] · ready · 0/1 tasks\n3. [[D]] · ready · 0/2 tasks\n",
                B_FIRST + "2. [[X]] · ready · 0/1 tasks\n",
            ),
            id="done: it leaves, and what it unblocks enters",
        ),
        pytest.param(
            "Notes/X.md",
            "#k8s",
            "",
            hub(
                "1. [[A]] · in-progress · 1/2 tasks · unlocks 1\n"
                + B_FIRST.replace("1.", "2.")
                + "3. [[D]] · ready · 0/2 tasks\n",
                B_FIRST,
            ),
            id="a tag removed: it leaves the tag's block",
        ),
        pytest.param(
            "Skills/D.md",
            "- [ ] d2",
            "- [ ] d2 #k8s",
            hub(
                "1. [[A]] · in-progress · 1/2 tasks · unlocks 1\n"
                + B_FIRST.replace("1.", "2.")
                + "3. [[D]] · ready · 0/2 tasks\n",
                B_FIRST + "2. [[X]] · ready · 0/1 tasks\n3. [[D]] · ready · 0/2 tasks\n",
            ),
            id="a tag added: it enters the tag's block",
        ),
    ],
)
def test_after_an_edit_the_hub_lists_as_a_run_without_a_cache(
    make_vault, vk, answers, made, ranked_anew, settled, monkeypatch, path, old, new, after
):
    root = make_vault(LISTED)
    answers(root)
    ranked_anew.clear()
    made.clear()

    edited(root, path, old, new)
    vk("sync", root)

    assert ranked_anew == []  # every ranking moved, none made again
    assert (root / "Hub.md").read_text(encoding="utf-8") == after
    assert answers(root) == answers(root, cold=True)
    assert_ranked_as_anew(root, made[0][1], monkeypatch)


def test_a_note_named_in_a_group_enters_the_group_block(
    make_vault, vk, answers, made, caught, settled, monkeypatch
):
    root = make_vault(LISTED)
    answers(root)
    made.clear()
    caught.clear()

    edited(root, "Skills/D.md", "- [ ] d1", "---\nphase: '[[Phase]]'\n---\n- [ ] d1")
    vk("sync", root)

    assert (root / "Phase.md").read_text(encoding="utf-8") == (
        "<!-- vaultkit:begin next group=this -->\n"
        "1. [[A]] · in-progress · 1/2 tasks · unlocks 1\n"
        "2. [[X]] · ready · 0/1 tasks\n"
        "3. [[D]] · ready · 0/2 tasks\n"
        "<!-- vaultkit:end next -->\n"
    )
    assert [plan is not None for _, plan in caught] == [True]
    assert answers(root) == answers(root, cold=True)
    assert_ranked_as_anew(root, made[0][1], monkeypatch)


SCOPED_BLOCKS = (
    '<!-- vaultkit:begin next limit=4 folder="Skills/P01" -->\n<!-- vaultkit:end next -->\n',
    "<!-- vaultkit:begin next limit=3 tag=focus -->\n<!-- vaultkit:end next -->\n",
    "<!-- vaultkit:begin next limit=2 group=this -->\n<!-- vaultkit:end next -->\n",
)


def scope_edit(rng: random.Random, notes: list[Path], phases: list[Path]) -> None:
    """A note entering or leaving a scope: a `focus` tag added or removed, a phase named."""
    note = rng.choice(notes)
    text = note.read_text(encoding="utf-8")
    choice = rng.randrange(3)
    if choice == 0:
        text += "\n#focus\n"
    elif choice == 1 and "#focus" in text:
        text = text.replace("#focus", "", 1)
    elif "phase: " in text:
        text = text.replace("phase: ", f'phase: "[[{rng.choice(phases).stem}]]"\nold: ', 1)
    note.write_text(text, encoding="utf-8")


def test_random_edits_keep_each_ranking_as_made_anew(
    tmp_path, vk, answers, made, caught, settled, monkeypatch
):
    layout = generate(tmp_path / "vault", 150)
    root = layout.root
    monkeypatch.chdir(tmp_path)
    phases = [root / path for path in layout.phases]
    for phase in phases:
        with phase.open("a", encoding="utf-8") as note:
            note.write("".join(SCOPED_BLOCKS))
    notes = [root / path for path in layout.skills]
    rng = random.Random(7)
    vk("sync", root)

    for step in range(12):
        if step % 2:
            test_results.random_edit(rng, root, notes)  # a box, a tag, a prerequisite, ...
        else:
            scope_edit(rng, notes, phases)
        made.clear()
        warm = answers(root)
        assert warm == answers(root, cold=True)
        assert_ranked_as_anew(root, made[0][1], monkeypatch)
        monkeypatch.setenv("VAULTKIT_CACHE_DIR", str(tmp_path / "note-cache"))

    assert sum(plan is not None for _, plan in caught) >= 6
