"""Results kept between runs: a vault as an earlier run saw it answers from what that run
computed, without decoding a note, and each change that could alter an answer makes the
next run compute it again and answer as a run without a cache does."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import random
import sqlite3
import sys
from pathlib import Path, PurePosixPath
from types import MappingProxyType

import click
import pytest

from vaultkit import (
    api,
    cache,
    clock,
    config,
    lastrun,
    linting,
    packing,
    planning,
    progress,
    results,
    schedule,
    statusreport,
    suppress,
)
from vaultkit import index as index_module
from vaultkit import vault as vault_module
from vaultkit.cache import FOLDER
from vaultkit.opening import Selection
from vaultkit.rules import vk202_tag_case_mismatch, vk403_task_dependency
from vaultkit.vault import load_vault

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from _vaultgen import generate

P = PurePosixPath
COMMANDS = (
    ("lint", "--format", "json"),
    ("status", "--format", "json"),
    ("next",),
    ("graph",),
    ("sync", "--diff"),
    ("sync", "--check"),
)
NOTES = {
    "Hub.md": (
        "---\nrequires: ['[[Docker]]']\n---\n# Hub\n\n"
        "<!-- vaultkit:begin progress -->\n<!-- vaultkit:end progress -->\n- [ ] plan\n"
    ),
    "Skills/Docker.md": "# Docker\n\n- [x] install\n- [ ] compose\n",
    "Skills/Helm.md": "# Helm\n\n- [ ] charts [[Kubernetes]] ![[diagram.png]]\n",
}


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What was computed rather than recalled: "progress", "lint", "sync", "decoded", and
    what was brought up to date from an earlier run's: "caught up" (progress), "plan
    caught up" (asked: "sync" follows when it could not be)."""
    seen: list[str] = []

    def counting(name: str, real):  # type: ignore[no-untyped-def]
        def run(*args, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(name)
            return real(*args, **kwargs)

        return run

    monkeypatch.setattr(progress, "track", counting("progress", progress.track))
    monkeypatch.setattr(progress, "_catch_up", counting("caught up", progress._catch_up))
    monkeypatch.setattr(planning, "_catch_up", counting("plan caught up", planning._catch_up))
    monkeypatch.setattr(linting, "_check", counting("lint", linting._check))
    monkeypatch.setattr(planning, "_plan", counting("sync", planning._plan))
    monkeypatch.setattr(cache, "decoded", counting("decoded", cache.decoded))
    return seen


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stats trusted at once (else a file written in the same instant as the run is not)."""
    monkeypatch.setattr(cache, "RACY_NS", 0)


@pytest.fixture
def answers(vk, note_cache, monkeypatch):  # type: ignore[no-untyped-def]
    """Every command's (exit code, output) on the vault, and the same without a cache."""

    def run(root: Path, *, cold: bool = False) -> list[tuple[int, str]]:
        if cold:
            monkeypatch.setenv("VAULTKIT_CACHE_DIR", "")
        try:
            return [(r.code, r.out) for r in (vk(*command, root) for command in COMMANDS)]
        finally:
            monkeypatch.setenv("VAULTKIT_CACHE_DIR", str(note_cache))

    return run


def warmed(make_vault, answers, computed) -> Path:  # type: ignore[no-untyped-def]
    root = make_vault(NOTES)
    answers(root)
    computed.clear()
    return root


def test_a_record_holds_each_notes_digest_as_bytes_and_tells_exactly_which_changed():
    notes = tuple(P(f"n{i:03d}.md") for i in range(300))  # three chunks of digests
    digests = tuple(hashlib.sha256(str(i).encode()).hexdigest() for i in range(300))
    seen = results.seen_with("ab" * 32, dict(zip(notes, digests, strict=True)))
    moved = {**dict(zip(notes, digests, strict=True)), P("n000.md"): "0" * 64}
    moved[P("n255.md")] = digests[255][:-1] + ("0" if digests[255][-1] != "0" else "1")
    later = results.seen_with("ab" * 32, moved)

    record = seen.record()

    assert record == b"ab" * 32 + b"\0" + b"".join(bytes.fromhex(d) for d in digests)
    assert results.recorded(seen.state, notes, {results.BASE: record}) == seen
    assert results._changed(record, later, later.record()[65:]) == {P("n000.md"), P("n255.md")}
    assert results._changed(record[:-1], later, later.record()[65:]) is None


def record_of(notes: int, changed: dict[int, str] | None = None) -> results.Seen:
    digests = {P(f"n{i:05d}.md"): hashlib.sha256(str(i).encode()).hexdigest() for i in range(notes)}
    for at, digest in (changed or {}).items():
        digests[P(f"n{at:05d}.md")] = digest
    return results.seen_with("ab" * 32, digests)


def test_a_large_record_is_compared_reading_only_the_slices_that_differ(tmp_path, monkeypatch):
    before = record_of(3000)  # 96,000 bytes of digests: six slices of 512 notes
    now = record_of(3000, {0: "0" * 64, 2999: "1" * 64})  # in the first slice and the last
    start = (results.BASE, b"ab" * 32 + b"\0")
    asked: list[str] = []
    real = cache.NoteCache.parts
    monkeypatch.setattr(
        cache.NoteCache, "parts", lambda self, digests: real(self, asked.extend(digests) or asked)
    )
    with cache.NoteCache.open(tmp_path, notes=False) as kept:
        assert kept.remember(before.state, {results.BASE: before.record(), "x": b"1"}, start)
        asked.clear()
        [found] = results.earlier(kept, now)

    assert found.changed == {P("n00000.md"), P("n02999.md")}
    raw = before.record()[65:]
    assert asked == [
        hashlib.sha256(raw[at : at + cache.SLICE]).hexdigest() for at in (0, 5 * cache.SLICE)
    ]


def test_a_record_slice_that_is_not_what_its_digest_says_makes_no_earlier_state(
    tmp_path, note_cache
):
    before, now = record_of(3000), record_of(3000, {0: "0" * 64})
    start = (results.BASE, b"ab" * 32 + b"\0")
    with cache.NoteCache.open(tmp_path, notes=False) as kept:
        assert kept.remember(before.state, {results.BASE: before.record(), "x": b"1"}, start)
    queried(note_cache, "UPDATE parts SET value = CAST('damaged' AS BLOB)")
    with cache.NoteCache.open(tmp_path, notes=False) as kept:
        assert results.earlier(kept, now) == ()


def test_a_vault_as_it_was_answers_every_command_without_decoding_a_note(
    make_vault, answers, computed, settled
):
    root = make_vault(NOTES)
    first = answers(root)
    assert {"lint", "progress", "sync"} <= set(computed)
    computed.clear()

    again = answers(root)

    assert computed == []
    assert again == first == answers(root, cold=True)


CHANGES = [
    pytest.param(
        lambda root: (root / "Skills/Docker.md").write_text("# Docker\n- [ ] k\n[[Helm]]\n"),
        id="a note edited",
    ),
    pytest.param(
        lambda root: (root / "Skills/Helm.md").rename(root / "Skills/Helm 3.md"),
        id="a note renamed",
    ),
    pytest.param(lambda root: (root / "Skills/Helm.md").unlink(), id="a note deleted"),
    pytest.param(
        lambda root: (root / "Skills/Kubernetes.md").write_text("- [ ] k\n"), id="a note added"
    ),
    pytest.param(
        lambda root: (root / "Docker.md").write_text("- [x] done\n"),
        id="a name added nearer the linking note",
    ),
    pytest.param(
        lambda root: (root / "Skills/diagram.png").write_bytes(b"png"),
        id="an attachment an embed now shows",
    ),
    pytest.param(
        lambda root: (root / ".vaultkit.toml").write_text('ignore = ["VK101"]\n'),
        id="configuration changed",
    ),
    pytest.param(
        lambda root: (root / ".obsidian/app.json").write_text('{"userIgnoreFilters": ["Skills/"]}'),
        id="Obsidian's excluded files changed",
    ),
]


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_is_computed_again_and_answers_as_a_run_without_a_cache(
    make_vault, answers, computed, settled, change
):
    root = warmed(make_vault, answers, computed)
    answers(root)
    assert computed == []

    change(root)
    after = answers(root)

    assert "lint" in computed
    assert "progress" in computed or "caught up" in computed
    assert after == answers(root, cold=True)


def test_a_name_added_nearer_the_linking_note_changes_what_it_waits_on(
    make_vault, vk, answers, computed, settled
):
    root = warmed(make_vault, answers, computed)

    def blocked_by() -> list[str]:
        notes = json.loads(vk("status", "--format", "json", root).out)["notes"]
        return next(note["blocked_by"] for note in notes if note["path"] == "Hub.md")

    assert blocked_by() == ["Skills/Docker.md"]
    (root / "Docker.md").write_text("- [x] done\n")  # `[[Docker]]` from the root opens it
    assert blocked_by() == []


def test_a_note_touched_without_a_change_is_hashed_and_its_results_still_hold(
    make_vault, answers, computed, settled
):
    root = warmed(make_vault, answers, computed)
    first = answers(root)
    computed.clear()

    os.utime(root / "Skills/Helm.md", ns=(1, 1))

    assert answers(root) == first
    assert computed == []  # Helm.md hashed (its stat moved), its kept note not even decoded


def test_notes_saved_in_the_instant_of_the_run_are_hashed_and_their_results_recalled(
    make_vault, answers, computed
):
    root = make_vault(NOTES)  # written now: no stat is trusted yet, every note is hashed
    first = answers(root)
    computed.clear()

    assert answers(root) == first
    assert set(computed) == {"decoded"}


def test_another_vaultkit_recalls_nothing(make_vault, answers, computed, settled, monkeypatch):
    root = warmed(make_vault, answers, computed)
    monkeypatch.setattr(cache, "stamp", lambda: "another vaultkit")

    assert answers(root) == answers(root, cold=True)
    assert {"progress", "lint", "sync"} <= set(computed)


def test_lint_on_another_day_is_computed_again(make_vault, answers, computed, settled, monkeypatch):
    root = warmed(make_vault, answers, computed)
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: tomorrow)

    answers(root)

    assert computed.count("lint") == 1 and "progress" not in computed


@pytest.fixture
def views(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The views `status` and `next` made (each from the vault's progress), rather than
    printing what they printed before."""
    made: list[str] = []
    real = progress.compute

    def making(vault):  # type: ignore[no-untyped-def]
        made.append("view")
        return real(vault)

    monkeypatch.setattr(progress, "compute", making)
    return made


SHOWN = (
    ("status",),
    ("status", "--format", "json", "--today", "2026-11-29"),
    ("status", "Skills"),
    ("status", "Skills/Docker.md"),
    ("next",),
    ("next", "--limit", "1"),
    ("next", "--format", "json", "Skills"),
)


def test_status_and_next_print_what_they_printed_without_making_a_view(
    make_vault, vk, views, settled, monkeypatch
):
    root = make_vault(NOTES)
    first = [vk(*command, cwd=root).out for command in SHOWN]
    assert len(views) == len(SHOWN)
    views.clear()

    again = [vk(*command, cwd=root).out for command in SHOWN]

    assert views == []
    monkeypatch.setenv("VAULTKIT_CACHE_DIR", "")
    assert again == first == [vk(*command, cwd=root).out for command in SHOWN]


def test_status_on_another_day_is_made_again(make_vault, vk, views, settled):
    root = make_vault({**NOTES, "Hub.md": "---\ndue: 2026-12-31\n---\n- [x] a ✅ 2026-11-20\n"})
    before = vk("status", root, "--today", "2026-11-29").out
    views.clear()

    after = vk("status", root, "--today", "2027-01-05").out

    assert views == ["view"]
    assert "Forecast on 2026-11-29" in before and "Forecast on 2027-01-05" in after


def test_status_in_colour_is_kept_apart_from_status_without(make_vault, views, settled):
    root = make_vault(NOTES)
    day = datetime.date(2026, 11, 29)
    plain = api.status_shown(root, today=day)
    views.clear()

    coloured = api.status_shown(root, today=day, colour=True)

    assert views == ["view"]
    assert coloured != plain and click.unstyle(coloured) == plain
    assert api.status_shown(root, today=day, colour=True) == coloured
    assert views == ["view"]


def test_lint_of_other_notes_is_computed_for_them(make_vault, vk, answers, computed, settled):
    root = warmed(make_vault, answers, computed)

    one = vk("lint", "Skills/Helm.md", cwd=root)

    assert computed.count("lint") == 1
    assert [line.split()[:2] for line in one.out.splitlines()] == [
        ["Skills/Helm.md:3:14:", "VK101"],
        ["Skills/Helm.md:3:29:", "VK102"],
    ]


def test_a_result_that_does_not_decode_is_computed_again(
    make_vault, answers, computed, settled, note_cache
):
    root = warmed(make_vault, answers, computed)
    [file] = (note_cache / FOLDER).iterdir()
    with sqlite3.connect(file) as db:
        db.execute("UPDATE results SET value = ?", (b"\x81\xa4path\x05",))
    db.close()

    assert answers(root) == answers(root, cold=True)
    assert {"progress", "lint", "sync"} <= set(computed)


def test_only_the_states_with_the_names_of_the_latest_are_kept(
    make_vault, answers, computed, settled, note_cache
):
    root = warmed(make_vault, answers, computed)
    (root / "Skills/Helm.md").unlink()
    answers(root)

    [file] = (note_cache / FOLDER).iterdir()
    with sqlite3.connect(file) as db:
        states = db.execute("SELECT DISTINCT state FROM results").fetchall()
    db.close()

    assert len(states) == 1


def test_lint_and_sync_make_one_plan_between_them(make_vault, vk, answers, computed, settled):
    root = warmed(make_vault, answers, computed)
    (root / "Skills/Docker.md").write_text("# Docker\n\n- [x] install\n")

    lint = vk("lint", root)
    check = vk("sync", "--check", root)

    assert computed.count("plan caught up") == 1 and "sync" not in computed
    assert "VK501" in lint.out and check.code == 1


def test_a_plan_of_every_note_is_kept_without_hashing_their_paths(
    make_vault, vk, answers, settled, monkeypatch
):
    root = make_vault(NOTES)
    answers(root)
    hashed: list[int] = []
    digest_of = results._digest_of.__wrapped__

    def hashing(paths):  # type: ignore[no-untyped-def]
        hashed.append(len(paths))
        return digest_of(paths)

    monkeypatch.setattr(results, "_digest_of", hashing)

    (root / "Skills/Docker.md").write_text("# Docker\n\n- [x] install\n")
    vk("sync", "--check", root)
    vk("sync", "--check", root / "Skills/Docker.md")

    assert hashed == [1]  # only the note asked for


# --- a vault known by its files' stats ----------------------------------------------------
# A run that finds every file name and every note's and canvas's stat as the last run that
# could trust them all found them knows the vault's state without comparing a note.


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """ "compared" each time a run compared the notes' stats with the cache's rows, and
    "moved" each time it compared them with the base of the last run that trusted every
    stat (`lastrun`)."""
    seen: list[str] = []

    def counting(name: str, real):  # type: ignore[no-untyped-def]
        def comparing(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(name)
            return real(self, *args, **kwargs)

        return comparing

    monkeypatch.setattr(
        cache.NoteCache, "unchanged", counting("compared", cache.NoteCache.unchanged)
    )
    monkeypatch.setattr(lastrun.Base, "moved", counting("moved", lastrun.Base.moved))
    return seen


def test_a_vault_with_the_stats_a_run_saw_is_known_without_comparing_a_note(
    make_vault, answers, computed, compared, settled
):
    root = make_vault({**NOTES, "Board.canvas": "{}"})
    first = answers(root)
    compared.clear()
    computed.clear()

    again = answers(root)

    assert compared == [] and computed == []
    assert again == first == answers(root, cold=True)


MARK_CHANGES = [
    *(change for change in CHANGES if change.id != "configuration changed"),
    pytest.param(lambda root: os.utime(root / "Skills/Helm.md", ns=(1, 1)), id="a note touched"),
    pytest.param(
        lambda root: (root / "Board.canvas").write_text('{"nodes": []}'), id="a canvas edited"
    ),
    pytest.param(
        lambda root: (root / ".vaultkit.toml").write_text("max-note-size = 40\n"),
        id="the size cap above which a note is only skimmed",
    ),
]


@pytest.mark.parametrize("change", MARK_CHANGES)
def test_a_change_to_the_files_or_their_stats_is_compared_again(
    make_vault, answers, compared, settled, change
):
    root = make_vault({**NOTES, "Board.canvas": "{}", ".vaultkit.toml": ""})
    answers(root)
    answers(root)
    compared.clear()

    change(root)
    after = answers(root)

    assert compared[0] in ("compared", "moved")
    assert after == answers(root, cold=True)


def test_other_configuration_is_no_change_to_the_files_and_answers_as_without_a_cache(
    make_vault, answers, compared, settled
):
    root = make_vault({**NOTES, ".vaultkit.toml": ""})
    answers(root)
    compared.clear()

    (root / ".vaultkit.toml").write_text('ignore = ["VK101"]\n')
    after = answers(root)

    assert compared == []
    assert after == answers(root, cold=True)


def test_a_note_the_cache_keeps_anew_makes_the_next_run_compare(
    make_vault, answers, compared, settled
):
    root = make_vault(NOTES)
    answers(root)
    with cache.NoteCache.open(root) as kept:
        kept.drop(P("Skills/Helm.md"))  # as when a kept note does not decode
    compared.clear()

    again = answers(root)

    assert compared[0] == "compared"
    assert again == answers(root, cold=True)


def test_notes_saved_in_the_instant_of_the_run_are_compared_each_time(
    make_vault, answers, compared
):
    root = make_vault(NOTES)  # written now: their stats are not trusted yet
    answers(root)
    compared.clear()

    answers(root)

    assert set(compared) == {"compared"}


# --- a few notes moved since the last run that trusted every stat --------------------------
# That run kept its base: each note's name, stat and digest (`lastrun`). A later run reads
# and hashes only the notes whose stat is not the base's, reads no other row of the cache,
# and answers as a run without a cache.

BIG = "# Big\n\n" + "- [ ] a task to do [[Docker]]\n" * 8  # over `max-note-size = 200`
MOVES = [
    *(c for c in MARK_CHANGES if c.id != "the size cap above which a note is only skimmed"),
    pytest.param(
        lambda root: (root / "Skills/Helm.md").write_text(BIG), id="a note grown over the size cap"
    ),
    pytest.param(
        lambda root: (root / "Skills/Big.md").write_text("# Big\n"),
        id="a note shrunk under the size cap",
    ),
    pytest.param(
        lambda root: [(root / "Skills/Helm.md").unlink(), (root / "Skills/Big.md").unlink()],
        id="notes deleted down to one",
    ),
]
CAPPED = {
    **NOTES,
    "Skills/Big.md": BIG,
    "Board.canvas": "{}",
    ".vaultkit.toml": "max-note-size = 200\n",
}


def based(make_vault, answers, compared) -> Path:  # type: ignore[no-untyped-def]
    """A vault every command ran on once, every stat trusted: the base is kept."""
    root = make_vault(CAPPED)
    answers(root)
    compared.clear()
    return root


@pytest.mark.parametrize("change", MOVES)
def test_a_few_notes_moved_are_read_alone_and_answer_as_without_a_cache(
    make_vault, answers, compared, settled, change
):
    root = based(make_vault, answers, compared)

    change(root)
    after = answers(root)

    assert compared[0] == "moved"  # no run read every row of the cache
    assert "compared" not in compared
    assert after == answers(root, cold=True)


@pytest.mark.parametrize("change", MOVES)
def test_the_state_after_notes_moved_is_the_one_their_bytes_and_names_make(
    make_vault, answers, compared, settled, change
):
    root = based(make_vault, answers, compared)

    change(root)
    vault = load_vault(root, config.load(root))

    digests = {path: note.digest for path, note in vault.notes.items()}
    canvases = vault_module._canvas_digests(root, vault.files)
    assert compared == ["moved"]
    assert vault.memo is not None
    assert vault.memo.seen == results.seen(vault.files, digests, canvases)


def test_more_notes_moved_than_the_incremental_path_is_for_compare_every_row(
    make_vault, answers, compared, settled, monkeypatch
):
    root = based(make_vault, answers, compared)
    monkeypatch.setattr(vault_module, "MOVED", 0)  # and an eighth of 5 notes is none

    (root / "Skills/Docker.md").write_text("# Docker\n- [x] k\n[[Helm]]\n")
    after = answers(root)

    assert compared[:2] == ["moved", "compared"]
    assert after == answers(root, cold=True)


def test_a_note_saved_in_the_instant_of_the_run_is_hashed_until_a_later_run_trusts_it(
    make_vault, answers, compared, settled, monkeypatch
):
    root = based(make_vault, answers, compared)
    monkeypatch.setattr(cache, "RACY_NS", 3600 * 10**9)  # any write counts as just now
    docker = root / "Skills/Docker.md"
    docker.write_text("# Docker\n\n- [x] install\n- [x] compose\n")
    first = answers(root)
    st = docker.stat()
    docker.write_text("# Docker\n\n- [ ] install\n- [x] compose\n")  # the same size
    os.utime(docker, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the same mtime

    second = answers(root)

    assert first != second == answers(root, cold=True)
    assert set(compared) == {"moved"}
    monkeypatch.setattr(cache, "RACY_NS", 0)  # later: the stat is trusted, and a base kept
    answers(root)
    compared.clear()
    assert answers(root) == second
    assert compared == []  # the vault as the last run saw it: nothing compared


def test_a_note_that_cannot_be_read_is_unread_as_without_a_cache(
    make_vault, answers, compared, settled, refuse_to_read
):
    root = based(make_vault, answers, compared)
    refuse_to_read("Helm.md")
    os.utime(root / "Skills/Helm.md", ns=(1, 1))
    after = answers(root)

    assert compared[0] == "moved"
    assert after == answers(root, cold=True)


@pytest.mark.parametrize(
    "blob", [b"", b"little 200 x y 1 5\nHub.md", b"\xff" * 64, "text"], ids=repr
)
def test_a_base_that_is_not_what_vaultkit_wrote_is_no_base(
    make_vault, answers, compared, settled, note_cache, blob
):
    root = based(make_vault, answers, compared)
    (file,) = (note_cache / FOLDER).iterdir()
    with sqlite3.connect(file) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'base'", (blob,))
    db.close()

    (root / "Skills/Docker.md").write_text("# Docker\n- [x] k\n[[Helm]]\n")
    after = answers(root)

    assert compared[0] == "compared"
    assert after == answers(root, cold=True)


def test_a_row_gone_from_the_cache_is_parsed_from_its_file(
    make_vault, answers, compared, settled, note_cache
):
    root = based(make_vault, answers, compared)
    (file,) = (note_cache / FOLDER).iterdir()
    with sqlite3.connect(file) as db:
        db.execute("DELETE FROM notes WHERE path = ?", (b"Hub.md",))
    db.close()

    (root / "Skills/Docker.md").write_text("# Docker\n- [x] k\n[[Helm]]\n")
    after = answers(root)

    assert compared[0] == "moved"
    assert after == answers(root, cold=True)


# --- results brought up to date ----------------------------------------------------------
# When only some notes' bytes changed since the run whose results are kept (every file
# name, exclusion, canvas and the configuration the same), a run starts from those results,
# computes again only what the changed notes can reach, and answers as a run without a cache.

CHAIN = {
    "Hub.md": (
        "---\nrequires: ['[[Docker]]']\n---\n# Hub\n\n"
        "<!-- vaultkit:begin progress -->\n<!-- vaultkit:end progress -->\n- [ ] plan\n"
    ),
    "Skills/Docker.md": "# Docker\n\n- [x] install\n- [ ] compose\n",
    "Skills/Helm.md": "---\nrequires: ['[[Docker]]']\n---\n# Helm\n\n- [ ] charts\n",
    "Skills/Kubernetes.md": "---\nrequires: ['[[Helm]]']\n---\n- [ ] pods\n",
    "Templates/Old.md": "# Old\n\n- [ ] never\n",
}


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The notes each lint run checked with the rules that check one note at a time."""
    seen: list[set[str]] = []
    real = linting._checked

    def checking(work, notes):  # type: ignore[no-untyped-def]
        seen.append({str(path) for path in notes})
        return real(work, notes)

    monkeypatch.setattr(linting, "_checked", checking)
    return seen


@pytest.fixture
def progress_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """How each run's progress was made: "tracked" (from every note) or "caught up"."""
    seen: list[str] = []
    track, catch_up = progress.track, progress._catch_up

    def tracked(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append("tracked")
        return track(*args, **kwargs)

    def caught_up(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = catch_up(*args, **kwargs)
        if found is not None:
            seen.append("caught up")
        return found

    monkeypatch.setattr(progress, "track", tracked)
    monkeypatch.setattr(progress, "_catch_up", caught_up)
    return seen


def edited(root: Path, path: str, old: str, new: str) -> None:
    note = root / path
    text = note.read_text(encoding="utf-8")
    assert old in text
    note.write_text(text.replace(old, new, 1), encoding="utf-8")


def status_of(vk, root: Path, path: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    notes = json.loads(vk("status", "--format", "json", root).out)["notes"]
    found: dict[str, object] = next(note for note in notes if note["path"] == path)
    return found


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        pytest.param("Skills/Docker.md", "- [ ] compose", "- [x] compose", id="a box ticked"),
        pytest.param("Skills/Helm.md", "# Helm", "# Helm charts\n\n#infra", id="text and a tag"),
        pytest.param(
            "Skills/Helm.md",
            "requires: ['[[Docker]]']",
            "requires:\n  - '[[Docker]]'",
            id="the same",
        ),
        pytest.param("Templates/Old.md", "- [ ]", "- [x]", id="an excluded note's box"),
        pytest.param("Hub.md", "# Hub", "---\n# Hub", id="a line added above a block"),
    ],
)
def test_a_note_whose_prerequisites_stay_is_caught_up_and_answers_as_without_a_cache(
    make_vault, answers, progress_made, settled, path, old, new
):
    root = make_vault({**CHAIN, ".vaultkit.toml": 'exclude = ["Templates/**"]\n'})
    answers(root)
    progress_made.clear()

    edited(root, path, old, new)
    after = answers(root)

    assert progress_made == ["caught up"]
    assert after == answers(root, cold=True)


def test_a_prerequisite_done_unblocks_the_notes_that_require_it(
    make_vault, vk, progress_made, settled
):
    root = make_vault(CHAIN)
    assert status_of(vk, root, "Skills/Helm.md")["state"] == "blocked"

    edited(root, "Skills/Docker.md", "- [ ] compose", "- [x] compose")

    assert status_of(vk, root, "Skills/Helm.md")["state"] == "ready"
    assert status_of(vk, root, "Skills/Kubernetes.md")["state"] == "blocked"
    assert progress_made == ["tracked", "caught up"]


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        pytest.param("Skills/Helm.md", "'[[Docker]]'", "'[[Kubernetes]]'", id="other"),
        pytest.param("Skills/Helm.md", "['[[Docker]]']", "[]", id="none any more"),
        pytest.param("Skills/Docker.md", "# Docker", "requires:: [[Nowhere]]", id="a first"),
        pytest.param("Skills/Helm.md", "'[[Docker]]'", "'[[Docker]]', '[[Hub]]'", id="one more"),
        pytest.param("Skills/Helm.md", "'[[Docker]]'", "'[[Nowhere]]'", id="one that is no note"),
        pytest.param("Skills/Docker.md", "- [ ] compose", "- [ ] compose 🆔 c1", id="a task id"),
    ],
)
def test_a_note_naming_other_prerequisites_or_task_links_is_tracked_again(
    make_vault, answers, progress_made, settled, path, old, new
):
    root = make_vault(CHAIN)
    answers(root)
    progress_made.clear()

    edited(root, path, old, new)
    after = answers(root)

    assert progress_made[0] == "tracked"
    assert after == answers(root, cold=True)


def test_a_note_with_task_links_edited_is_tracked_again(
    make_vault, answers, progress_made, settled
):
    root = make_vault({**CHAIN, "Skills/Helm.md": "# Helm\n\n- [ ] charts ⛔ c1\n"})
    answers(root)
    progress_made.clear()

    edited(root, "Skills/Helm.md", "- [ ] charts", "- [x] charts")
    after = answers(root)

    assert progress_made[0] == "tracked"
    assert after == answers(root, cold=True)


def test_notes_edited_one_after_another_are_caught_up_each_time(
    make_vault, answers, progress_made, settled
):
    root = make_vault(CHAIN)
    answers(root)
    progress_made.clear()

    made = []
    for path in ("Skills/Docker.md", "Skills/Helm.md", "Skills/Kubernetes.md", "Hub.md"):
        edited(root, path, "- [ ]", "- [x]")
        warm = answers(root)
        made += progress_made
        assert warm == answers(root, cold=True)
        progress_made.clear()

    assert made == ["caught up"] * 4


def random_edit(rng: random.Random, root: Path, notes: list[Path]) -> None:
    """One edit of a note's bytes as a user makes them: a box ticked or unticked, a tag,
    a heading removed, a prerequisite named, a status set."""
    note = rng.choice(notes)
    text = note.read_text(encoding="utf-8")
    choice = rng.randrange(6)
    if choice == 0 and "- [ ] " in text:
        text = text.replace("- [ ] ", "- [x] ", 1)
    elif choice == 1 and "- [x] " in text:
        text = text.replace("- [x] ", "- [ ] ", 1)
    elif choice == 2:
        text += "\n#skill/extra\n"
    elif choice == 3 and "\n## " in text:
        text = text.replace("\n## ", "\n", 1)
    elif choice == 4:
        text += f"\nrequires:: [[{rng.choice(notes).stem}]]\n"
    else:
        text = text.replace("---\n", "---\nstatus: done\n", 1)
    note.write_text(text, encoding="utf-8")


def test_random_edits_answer_as_a_run_without_a_cache(
    tmp_path, answers, progress_made, settled, monkeypatch
):
    layout = generate(tmp_path / "vault", 120)
    monkeypatch.chdir(tmp_path)
    notes = sorted(layout.root.rglob("*.md"))
    rng = random.Random(12)
    answers(layout.root)

    made = []
    for _ in range(8):
        random_edit(rng, layout.root, notes)
        warm = answers(layout.root)
        made += progress_made
        assert warm == answers(layout.root, cold=True)
        progress_made.clear()

    assert "caught up" in made


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda root: (root / "Skills/Helm.md").unlink(), id="a note deleted"),
        pytest.param(
            lambda root: (root / "Skills/Helm.md").rename(root / "Skills/Helm 3.md"), id="renamed"
        ),
        pytest.param(lambda root: (root / "Docker.md").write_text("- [x] k\n"), id="a note added"),
        pytest.param(lambda root: (root / "image.png").write_bytes(b"png"), id="a file added"),
        pytest.param(
            lambda root: (root / ".vaultkit.toml").write_text('exclude = ["Skills/Helm.md"]\n'),
            id="another exclusion",
        ),
    ],
)
def test_a_file_name_added_or_removed_tracks_and_checks_every_note_again(
    make_vault, answers, progress_made, checked, settled, change
):
    root = make_vault(CHAIN)
    answers(root)
    progress_made.clear()
    checked.clear()

    edited(root, "Skills/Docker.md", "- [ ] compose", "- [x] compose")
    change(root)
    after = answers(root)

    assert progress_made[0] == "tracked"
    assert {"Hub.md", "Skills/Kubernetes.md"} <= checked[0]  # not edited, checked again
    assert after == answers(root, cold=True)


SHOWING = {
    **CHAIN,
    "Skills/Helm.md": "---\nrequires: ['[[Docker]]']\nphase: '[[Phase]]'\n---\n- [ ] charts\n",
    "Skills/Kubernetes.md": "---\nrequires: ['[[Helm]]']\n---\n- [ ] pods #k8s\n",
    "Tagged.md": "<!-- vaultkit:begin rollup tag=k8s -->\n<!-- vaultkit:end rollup -->\n",
    "Phase.md": "<!-- vaultkit:begin rollup group=this -->\n<!-- vaultkit:end rollup -->\n",
    "Linking.md": "[[Docker]] [[Helm]]\n<!-- vaultkit:begin next -->\n<!-- vaultkit:end next -->\n",
    "Plain.md": "<!-- vaultkit:begin progress -->\n<!-- vaultkit:end progress -->\n- [ ] x\n",
    "Loose.md": "# Loose\n- [ ] nothing\n",
}


@pytest.fixture
def planned(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The notes whose blocks were planned (rendered, when they have any)."""
    seen: set[str] = set()
    plan_note = planning._plan_note

    def planning_note(vault, progress, path, *rest):  # type: ignore[no-untyped-def]
        seen.add(str(path))
        return plan_note(vault, progress, path, *rest)

    monkeypatch.setattr(planning, "_plan_note", planning_note)
    return seen


@pytest.mark.parametrize(
    ("path", "old", "new", "again"),
    [
        pytest.param(
            "Skills/Docker.md",
            "- [ ] compose",
            "- [x] compose",
            {"Skills/Docker.md", "Hub.md", "Skills/Helm.md", "Skills/Kubernetes.md"}
            | {"Phase.md", "Linking.md"},
            id="a prerequisite done: what it unblocks, their neighbours, the blocks showing them",
        ),
        pytest.param(
            "Skills/Docker.md",
            "- [ ] compose",
            "- [ ] compose\n- [x] swarm",
            {"Skills/Docker.md", "Linking.md"},
            id="a box ticked that leaves the state as it was: not the notes beside it",
        ),
        pytest.param(
            "Loose.md",
            "- [ ] nothing",
            "- [ ] nothing #k8s",
            {"Loose.md", "Tagged.md"},
            id="a tag added: the block it now enters",
        ),
        pytest.param(
            "Skills/Kubernetes.md",
            "#k8s",
            "",
            {"Skills/Kubernetes.md", "Tagged.md"},
            id="a tag removed: the block it left",
        ),
        pytest.param(
            "Skills/Kubernetes.md",
            "- [ ] pods",
            "- [x] pods",
            {"Skills/Kubernetes.md", "Skills/Helm.md", "Tagged.md"},
            id="a note done that no note requires: the notes that show it or it needs",
        ),
        pytest.param(
            "Loose.md",
            "# Loose",
            "---\nstart: 2026-01-01\n---\n# Loose",
            {"Loose.md", "Tagged.md", "Phase.md", "Linking.md"},
            id="a start date: every block that orders groups",
        ),
        pytest.param(
            "Plain.md", "- [ ] x", "- [x] x", {"Plain.md"}, id="a note no other block shows"
        ),
    ],
)
def test_after_a_note_changed_only_the_notes_whose_blocks_show_it_are_planned_again(
    make_vault, vk, answers, planned, settled, path, old, new, again
):
    root = make_vault(SHOWING)
    answers(root)
    planned.clear()

    edited(root, path, old, new)
    vk("sync", "--check", root)

    assert planned == again
    assert answers(root) == answers(root, cold=True)


def test_only_notes_with_a_block_scoped_by_folder_or_tag_are_asked_whether_a_note_entered_it(
    make_vault, vk, answers, settled, monkeypatch
):
    root = make_vault(SHOWING)
    answers(root)
    asked: list[str] = []
    entered = planning._entered

    def asking(vault, progress, path, *rest):  # type: ignore[no-untyped-def]
        asked.append(str(path))
        return entered(vault, progress, path, *rest)

    monkeypatch.setattr(planning, "_entered", asking)

    edited(root, "Plain.md", "- [ ] x", "- [x] x")
    vk("sync", "--check", root)

    assert asked == ["Phase.md", "Tagged.md"]  # not Linking.md: its block shows its links
    assert answers(root) == answers(root, cold=True)


def test_a_plan_is_caught_up_after_another_command_recalled_the_progress_caught_up(
    make_vault, vk, answers, computed, planned, settled
):
    root = make_vault(SHOWING)
    answers(root)
    edited(root, "Plain.md", "- [ ] x", "- [x] x")
    vk("status", root)  # brings the progress up to date, and keeps it for this state
    vk("next", root)  # recalls it, and keeps the results it started from beside its own
    computed.clear()
    planned.clear()

    vk("sync", "--check", root)

    assert [name for name in computed if name != "decoded"] == ["plan caught up"]
    assert planned == {"Plain.md"}
    assert answers(root) == answers(root, cold=True)


def test_a_plan_is_caught_up_in_a_state_another_run_saw_after_it_caught_up_from_another(
    make_vault, vk, answers, computed, planned, settled
):
    root = make_vault({**SHOWING, "Plain.md": SHOWING["Plain.md"] + "- [ ] y\n- [ ] z\n"})
    answers(root)  # the plan kept for this state
    edited(root, "Plain.md", "- [ ] x", "- [x] x")
    vk("lint", root)
    edited(root, "Plain.md", "- [ ] y", "- [x] y")
    vk("status", "--format", "json", root)  # caught up from its own state, kept for this one
    edited(root, "Plain.md", "- [ ] z", "- [x] z")
    vk("next", root)
    edited(root, "Plain.md", "- [x] z", "- [ ] z")  # back to the state status saw
    computed.clear()
    planned.clear()

    vk("sync", "--check", root)

    assert [name for name in computed if name != "decoded"] == ["plan caught up", "caught up"]
    assert planned == {"Plain.md"}
    assert answers(root) == answers(root, cold=True)


def test_status_writes_again_only_the_rows_that_moved_in_a_state_another_run_saw(
    make_vault, vk, answers, computed, layouts_made, settled, monkeypatch
):
    root = make_vault({**SHOWING, "Plain.md": SHOWING["Plain.md"] + "- [ ] y\n- [ ] z\n"})
    answers(root)
    edited(root, "Plain.md", "- [ ] x", "- [x] x")
    vk("lint", root)
    edited(root, "Plain.md", "- [ ] y", "- [x] y")
    vk("status", "--format", "json", root)  # the progress caught up from lint's state
    edited(root, "Plain.md", "- [ ] z", "- [x] z")
    vk("status", root)
    edited(root, "Plain.md", "- [x] z", "- [ ] z")  # back to the state status json saw
    computed.clear()
    layouts_made.clear()

    warm = vk("status", root).out

    assert layouts_made == ["updated"]
    assert [name for name in computed if name != "decoded"] == ["caught up"]
    monkeypatch.setenv("VAULTKIT_CACHE_DIR", "")
    assert warm == vk("status", root).out


LISTING = {
    "Hub.md": '<!-- vaultkit:begin next limit=2 folder="Skills" -->\n<!-- vaultkit:end next -->\n',
    "Skills/A.md": "- [x] a1\n- [ ] a2\n",
    "Skills/B.md": "- [x] b1\n- [ ] b2\n- [ ] b3\n",
    "Skills/C.md": "- [x] c1\n- [ ] c2\n- [ ] c3\n",
    "Skills/D.md": "- [ ] d1\n- [ ] d2\n",
    "Notes/X.md": "---\nrequires: ['[[A]]']\n---\n- [ ] x\n",
    "Notes/Y.md": "---\nrequires: ['[[D]]']\n---\n- [ ] y\n",
}


@pytest.mark.parametrize(
    ("limit", "path", "old", "new", "again"),
    [
        pytest.param(
            "2", "Skills/C.md", "- [ ] c2", "- [x] c2", {"Skills/C.md"}, id="still after the last"
        ),
        pytest.param(
            "2",
            "Skills/D.md",
            "- [ ] d1",
            "- [x] d1",
            {"Skills/D.md", "Notes/Y.md", "Hub.md"},
            id="now before the last",
        ),
        pytest.param(
            "2",
            "Skills/A.md",
            "- [ ] a2",
            "- [x] a2",
            {"Skills/A.md", "Notes/X.md", "Hub.md"},
            id="a note listed is done",
        ),
        pytest.param(
            "9", "Skills/C.md", "- [ ] c2", "- [x] c2", {"Skills/C.md", "Hub.md"}, id="room left"
        ),
    ],
)
def test_a_next_block_of_a_folder_is_planned_again_only_when_its_list_can_change(
    make_vault, vk, answers, planned, settled, limit, path, old, new, again
):
    root = make_vault({**LISTING, "Hub.md": LISTING["Hub.md"].replace("limit=2", f"limit={limit}")})
    answers(root)
    planned.clear()

    edited(root, path, old, new)
    vk("sync", "--check", root)

    assert planned == again
    assert answers(root) == answers(root, cold=True)


LINKING = {
    **CHAIN,
    "Notes/Guide.md": "See [[Docker#Install]] and [[Helm#^step]].\n",
    "Skills/Docker.md": "# Docker\n\n## Install\n\n- [x] install\n- [ ] compose\n",
    "Skills/Helm.md": "---\nrequires: ['[[Docker]]']\n---\n- [ ] charts ^step\n",
    "Notes/Other.md": "[[Docker]] [[Missing]] #Tag\n",
}


def lint_json(vk, root: Path, *args: str) -> list[tuple[str, int, str]]:  # type: ignore[no-untyped-def]
    found = json.loads(vk("lint", "--format", "json", *args, root).out)["diagnostics"]
    return [(d["path"], d["line"], d["code"]) for d in found]


@pytest.mark.parametrize(
    ("path", "old", "new", "again", "found"),
    [
        pytest.param(
            "Notes/Other.md",
            "[[Missing]]",
            "[[Gone]]",
            {"Notes/Other.md"},
            [("Notes/Other.md", 1, "VK101")],
            id="a note edited: only it",
        ),
        pytest.param(
            "Skills/Docker.md",
            "## Install",
            "## Setup",
            {"Skills/Docker.md", "Notes/Guide.md"},
            [("Notes/Guide.md", 1, "VK103"), ("Notes/Other.md", 1, "VK101")],
            id="a heading removed: the notes linking to one of its headings",
        ),
        pytest.param(
            "Skills/Helm.md",
            " ^step",
            "",
            {"Skills/Helm.md", "Notes/Guide.md"},
            [("Notes/Guide.md", 1, "VK104"), ("Notes/Other.md", 1, "VK101")],
            id="a block id removed: the notes linking to one of its blocks",
        ),
    ],
)
def test_after_a_note_changed_the_note_rules_check_only_what_it_can_change(
    make_vault, vk, answers, checked, settled, path, old, new, again, found
):
    root = make_vault(LINKING)
    answers(root)
    checked.clear()

    edited(root, path, old, new)

    assert [(p, line, code) for p, line, code in lint_json(vk, root) if code != "VK501"] == found
    assert checked == [again]
    assert answers(root) == answers(root, cold=True)


def test_lint_with_other_rules_or_on_another_day_reuses_what_the_note_rules_found(
    make_vault, vk, answers, checked, settled, monkeypatch
):
    root = make_vault(LINKING)
    answers(root)
    checked.clear()
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: tomorrow)

    vk("lint", root)
    selected = lint_json(vk, root, "--select", "VK1")

    assert checked[0] == set()  # another day: VK601 reads the clock, no note rule does
    assert len(checked[1]) >= len(LINKING)  # other rules: all of them run
    assert selected == [("Notes/Other.md", 1, "VK101")]


def test_lint_of_one_note_after_an_edit_reports_as_without_a_cache(
    make_vault, vk, answers, checked, settled, monkeypatch
):
    root = make_vault(LINKING)
    answers(root)
    edited(root, "Skills/Docker.md", "## Install", "## Setup")

    warm = vk("lint", "Notes/Guide.md", cwd=root)
    monkeypatch.setenv("VAULTKIT_CACHE_DIR", "")
    cold = vk("lint", "Notes/Guide.md", cwd=root)

    assert (warm.code, warm.out) == (cold.code, cold.out)
    assert "VK103" in warm.out


TAGGED = {
    **CHAIN,
    "Notes/A.md": "# A\n\n#Infra #docs\n",
    "Notes/B.md": "# B\n\n#infra #infra/k8s\n",
    "Notes/C.md": "# C\n\n#infra\n",
    "Notes/D.md": "# D\n\n#docs/x\n",
    "Notes/Tasks.md": "- [ ] deploy 🆔 d1\n- [ ] test ⛔ nowhere\n",
}


@pytest.fixture
def vault_rules_run(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The codes of the vault rules with keys of their own that read every note again."""
    seen: list[str] = []
    for module in (vk202_tag_case_mismatch, vk403_task_dependency):
        real = module.check

        def running(ctx, real=real, code=module.CODE):  # type: ignore[no-untyped-def]
            seen.append(code)
            return real(ctx)

        monkeypatch.setattr(module, "check", running)
    return seen


@pytest.mark.parametrize(
    ("path", "old", "new", "again"),
    [
        pytest.param("Notes/D.md", "# D", "# D, longer", [], id="its tags as they were"),
        pytest.param("Notes/C.md", "#infra", "#Infra", [], id="a tag spelled otherwise"),
        pytest.param("Notes/Tasks.md", "deploy", "deploy now", [], id="a task link"),
        pytest.param("Notes/D.md", "#docs/x", "#docs/x\n- [ ] x ⛔ gone", [], id="a new one"),
    ],
)
def test_vault_rules_that_read_every_note_run_again_only_when_a_change_can_reach_them(
    make_vault, vk, answers, vault_rules_run, settled, path, old, new, again
):
    root = make_vault(TAGGED)
    answers(root)
    vault_rules_run.clear()

    edited(root, path, old, new)
    vk("lint", root)

    assert vault_rules_run == again
    assert answers(root) == answers(root, cold=True)


def rule_reads(monkeypatch: pytest.MonkeyPatch, module, name) -> list[set[str]]:  # type: ignore[no-untyped-def]
    """The notes a vault rule read in each run: "every note" when its whole-vault `check`
    ran, else the `name`s of what its `reported` was given to read (its last argument)."""
    seen: list[set[str]] = []
    check, reported = module.check, module.reported

    def checking(ctx):  # type: ignore[no-untyped-def]
        seen.append({"every note"})
        with monkeypatch.context() as inside:
            inside.setattr(module, "reported", reported)
            yield from check(ctx)

    def reporting(ctx, *args):  # type: ignore[no-untyped-def]
        *rest, read = args
        read = list(read)
        seen.append(set(map(name, read)))
        return reported(ctx, *rest, read)

    monkeypatch.setattr(module, "check", checking)
    monkeypatch.setattr(module, "reported", reporting)
    return seen


@pytest.fixture
def tags_reported(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The notes VK202 reported on in each run (brought up to date: `reported`)."""
    return rule_reads(monkeypatch, vk202_tag_case_mismatch, str)


def tag_findings(vk, root: Path) -> list[tuple[str, int, int, str]]:  # type: ignore[no-untyped-def]
    found = json.loads(vk("lint", "--format", "json", root).out)["diagnostics"]
    return [(d["path"], d["line"], d["col"], d["message"]) for d in found if d["code"] == "VK202"]


INFRA_ONCE, INFRA_TWICE = "is written '#infra' in 1 other place", "in 2 other places"


@pytest.mark.parametrize(
    ("path", "old", "new", "again", "found"),
    [
        pytest.param(
            "Notes/D.md",
            "# D",
            "# D, longer",
            [{"Notes/D.md"}],
            [("Notes/A.md", 3, 1, f"tag '#Infra' is written '#infra' {INFRA_TWICE}")],
            id="its tags as they were: only it",
        ),
        pytest.param(
            "Notes/Tasks.md",
            "deploy",
            "deploy now",
            [],
            [("Notes/A.md", 3, 1, f"tag '#Infra' is written '#infra' {INFRA_TWICE}")],
            id="a note without tags: none",
        ),
        pytest.param(
            "Templates/Old.md",
            "# Old",
            "# Old #INFRA #INFRA #INFRA",
            [],
            [("Notes/A.md", 3, 1, f"tag '#Infra' is written '#infra' {INFRA_TWICE}")],
            id="an excluded note's tags: none",
        ),
        pytest.param(
            "Notes/A.md",
            "# A",
            "# A\n",
            [{"Notes/A.md"}],
            [("Notes/A.md", 4, 1, f"tag '#Infra' is written '#infra' {INFRA_TWICE}")],
            id="an unusual spelling moved: only it",
        ),
        pytest.param(
            "Notes/C.md",
            "#infra",
            "#infra #new",
            [{"Notes/C.md"}],
            [("Notes/A.md", 3, 1, f"tag '#Infra' is written '#infra' {INFRA_TWICE}")],
            id="a tag added in the usual spelling: only it",
        ),
        pytest.param(
            "Notes/C.md",
            "#infra",
            "#Infra",
            [{"Notes/A.md", "Notes/B.md", "Notes/C.md"}],
            [("Notes/B.md", 3, 1, "tag '#infra' is written '#Infra' in 2 other places")],
            id="the usual spelling changed: every note with the tag",
        ),
        pytest.param(
            "Notes/D.md",
            "#docs/x",
            "#docs/x #infra",
            [{"Notes/A.md", "Notes/B.md", "Notes/C.md", "Notes/D.md"}],
            [("Notes/A.md", 3, 1, "tag '#Infra' is written '#infra' in 3 other places")],
            id="the usual spelling written once more: every note with the tag",
        ),
        pytest.param(
            "Notes/C.md",
            "#infra",
            "",
            [{"Notes/A.md", "Notes/B.md", "Notes/C.md"}],
            [("Notes/B.md", 3, 1, "tag '#infra' is written '#Infra' in 1 other place")],
            id="a tie: the spelling first in order",
        ),
        pytest.param(
            "Notes/A.md",
            "#Infra",
            "#INFRA/k8s",
            [{"Notes/A.md", "Notes/B.md", "Notes/C.md"}],
            [("Notes/B.md", 3, 8, "tag '#infra/k8s' is written '#INFRA/k8s' in 1 other place")],
            id="one spelling left, another tag in two: every note with either",
        ),
    ],
)
def test_tag_case_findings_after_an_edit_are_brought_up_to_date_from_the_notes_it_can_change(
    make_vault, vk, answers, tags_reported, settled, path, old, new, again, found
):
    root = make_vault({**TAGGED, ".vaultkit.toml": 'exclude = ["Templates/**"]\n'})
    answers(root)
    tags_reported.clear()

    edited(root, path, old, new)
    findings = tag_findings(vk, root)

    assert tags_reported == again
    assert findings == found
    assert answers(root) == answers(root, cold=True)


def queried(note_cache: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    """The rows `sql` gives on the cache file (a change it makes is committed)."""
    [file] = (note_cache / FOLDER).iterdir()
    with sqlite3.connect(file) as db:
        rows = db.execute(sql, params).fetchall()
    db.close()
    return rows


TICKABLE = {**TAGGED, "Notes/C.md": "# C\n\n#infra\n\n- [ ] box\n"}  # 9 notes: 5 parts of 2


@pytest.fixture
def tag_parts(note_cache, monkeypatch):  # type: ignore[no-untyped-def]
    """VK202's tag names in parts of 2 notes; what reads them: the digests of the parts
    VK202's kept row names now (`kept`), and those read, a list per run (`read`)."""
    monkeypatch.setattr(linting, "TAG_PART", 2)
    read: list[list[str]] = []
    real = linting.recall_part_bytes

    def reading(vault, digests, **kwargs):  # type: ignore[no-untyped-def]
        digests = list(digests)
        read.append(digests)
        return real(vault, digests, **kwargs)

    monkeypatch.setattr(linting, "recall_part_bytes", reading)

    def kept() -> tuple[str, ...]:
        sql = "SELECT value FROM results WHERE what LIKE 'lint VK202 all %' ORDER BY rowid"
        found = packing.unpack(queried(note_cache, sql)[-1][0], linting._Found)
        assert found is not None
        return found.parts

    return kept, read


def test_tag_names_are_kept_in_parts_and_a_box_ticked_reads_one_and_writes_none(
    make_vault, vk, answers, tag_parts, vault_rules_run, settled
):
    kept, read = tag_parts
    root = make_vault(TICKABLE)
    vk("lint", root)
    before = kept()
    read.clear()

    edited(root, "Notes/C.md", "- [ ] box", "- [x] box")
    vk("lint", root)

    assert len(before) == 5
    assert read == [[before[1]]]  # Notes/C.md is the fourth note: Hub.md, A and B come first
    assert kept() == before
    assert vault_rules_run == ["VK202", "VK403"]  # the first lint's, none since
    assert answers(root) == answers(root, cold=True)


def test_tag_parts_a_box_ticked_kept_as_they_were_serve_the_edit_after(
    make_vault, vk, answers, tag_parts, vault_rules_run, settled
):
    kept, read = tag_parts
    root = make_vault(TICKABLE)
    vk("lint", root)
    edited(root, "Notes/C.md", "- [ ] box", "- [x] box")
    vk("lint", root)  # the first state's results are all held by this one's: forgotten
    before = kept()
    vault_rules_run.clear()
    read.clear()

    edited(root, "Notes/C.md", "#infra", "#Infra")  # the usual spelling changes
    vk("lint", root)
    after = kept()

    assert vault_rules_run == []  # brought up to date from the parts kept, not every note
    # the part of Notes/C.md, then the others: each note with the tag is reported again
    assert read == [[before[1]], [*before[:1], *before[2:]]]
    assert [after[1] == before[1], after[:1] + after[2:] == before[:1] + before[2:]] == [
        False,
        True,
    ]
    assert answers(root) == answers(root, cold=True)


def test_a_tag_part_that_is_not_kept_makes_vk202_read_every_note(
    make_vault, vk, answers, note_cache, tag_parts, vault_rules_run, settled
):
    kept, _ = tag_parts
    root = make_vault(TICKABLE)
    vk("lint", root)
    queried(note_cache, "DELETE FROM parts WHERE digest = ?", kept()[1])
    vault_rules_run.clear()

    edited(root, "Notes/C.md", "- [ ] box", "- [x] box")
    vk("lint", root)

    assert vault_rules_run == ["VK202"]
    assert answers(root) == answers(root, cold=True)


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[set[str], int, int]]:
    """Each write of results: (the kinds of what it keeps, parts written, parts reused)."""
    seen: list[tuple[set[str], int, int]] = []
    real = cache.NoteCache.remember

    def remembering(self, state, kept, record, parts=MappingProxyType({}), reused=(), lowered=None):  # type: ignore[no-untyped-def]
        reused = list(reused)
        kinds = {what.split()[0] for what in kept if what != results.BASE}
        seen.append((kinds, len(parts), len(reused)))
        return real(self, state, kept, record, parts, reused, lowered)

    monkeypatch.setattr(cache.NoteCache, "remember", remembering)
    return seen


def test_lint_after_an_edit_keeps_its_results_in_one_write(
    make_vault, vk, answers, writes, settled
):
    root = make_vault(TAGGED)
    vk("lint", root)
    writes.clear()

    edited(root, "Notes/D.md", "# D", "# D, longer")
    vk("lint", root)

    assert [kinds for kinds, _, _ in writes] == [{"lint", "progress", "sync"}]
    assert answers(root) == answers(root, cold=True)


def test_progress_brought_up_to_date_writes_the_part_it_changed_and_names_the_others(
    make_vault, vk, answers, writes, settled
):
    root = make_vault(notes_in_parts(3 * progress.PART))
    vk("status", root)
    writes.clear()

    edited(root, f"Notes/N{progress.PART + 5:04d}.md", "- [ ] one", "- [x] one")
    vk("status", root)

    assert [(written, reused) for kinds, written, reused in writes if "progress" in kinds] == [
        (1, 2)
    ]
    assert answers(root) == answers(root, cold=True)


def test_status_after_an_edit_leaves_lint_the_results_it_can_start_from(
    make_vault, vk, answers, checked, progress_made, settled, note_cache
):
    root = make_vault(LINKING)
    answers(root)
    progress_made.clear()
    checked.clear()
    edited(root, "Notes/Other.md", "[[Missing]]", "[[Gone]]")

    vk("status", root)
    vk("lint", root)
    edited(root, "Notes/Other.md", "[[Gone]]", "[[Gone again]]")
    vk("lint", root)

    assert progress_made == ["caught up", "caught up"]
    assert checked == [{"Notes/Other.md"}, {"Notes/Other.md"}]
    assert held(note_cache) == [
        {"lint", "next text", "progress", "status json", "sync"},  # `answers`
        {"layout", "lint", "progress", "status text", "sync"},  # `status`, then `lint`
        {"lint", "progress", "sync"},  # the second `lint`, brought up to date from the first
    ]


def test_a_note_naming_prerequisites_in_another_order_than_the_graph_keeps_is_caught_up(
    make_vault, answers, progress_made, settled
):
    root = make_vault(
        {
            **CHAIN,
            "Skills/Helm.md": "---\nrequires: ['[[Kubernetes]]', '[[Docker]]']\n---\n- [ ] x\n",
            "Skills/Kubernetes.md": "- [ ] pods\n",
        }
    )
    answers(root)
    progress_made.clear()

    edited(root, "Skills/Helm.md", "- [ ] x", "- [x] x")
    after = answers(root)

    assert progress_made == ["caught up"]
    assert after == answers(root, cold=True)


# -- progress kept in parts ---------------------------------------------------------------


def notes_in_parts(count: int) -> dict[str, str]:
    """`count` notes, none requiring another, so that an edit judges only the note edited."""
    return {f"Notes/N{i:04d}.md": f"# N{i:04d}\n\n- [ ] one\n- [x] two\n" for i in range(count)}


# What `held` tells apart: the results of lint, status, next and sync.
KINDS = {"layout", "lint", "next text", "progress", "status json", "status text", "sync"}


def held(note_cache: Path) -> list[set[str]]:
    """What each kept state's results are, of `KINDS` (the first words of each key, without
    dates or digests), the state written first first."""
    [file] = (note_cache / FOLDER).iterdir()
    with sqlite3.connect(file) as db:
        rows = db.execute(
            "SELECT state, what FROM results WHERE what != ? ORDER BY rowid", (results.BASE,)
        ).fetchall()
        order = db.execute(
            "SELECT state FROM results GROUP BY state ORDER BY max(rowid)"
        ).fetchall()
    db.close()
    kinds: dict[str, set[str]] = {state: set() for (state,) in order}
    for state, what in rows:
        words = what.split()
        kind = " ".join(words[1:3]) if words[0] == "shown" else words[0]
        kinds[state].add(kind)
    return [found & KINDS for found in kinds.values()]


def parts_of(note_cache: Path) -> tuple[dict[str, set[str]], set[str]]:
    """The digests of the parts each kept state uses, and of every part kept."""
    [file] = (note_cache / FOLDER).iterdir()
    with sqlite3.connect(file) as db:
        uses: dict[str, set[str]] = {}
        for state, digest in db.execute("SELECT state, digest FROM uses"):
            uses.setdefault(state, set()).add(digest)
        kept = {digest for (digest,) in db.execute("SELECT digest FROM parts")}
    db.close()
    return uses, kept


# --- each kind of run starts from the state it last saw ------------------------------------
# Results are kept for several states of the vault: a run brings its results up to date
# from the latest state a run of its kind (what it was asked first) saw, whatever other
# commands ran on the edits made since.

EDITS = (  # four edits to four notes of LINKING, none changing a note's prerequisites
    ("Notes/Other.md", "[[Missing]]", "[[Gone]]"),
    ("Notes/Guide.md", "See", "Read"),
    ("Skills/Docker.md", "- [ ] compose", "- [x] compose"),
    ("Hub.md", "- [ ] plan", "- [x] plan"),
)


@pytest.fixture
def layouts_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """How each `status` text's layout was made: "whole" or "updated" (from an earlier one)."""
    seen: list[str] = []
    whole, updated = statusreport.status_layout, statusreport.updated_layout

    def made_whole(*args):  # type: ignore[no-untyped-def]
        seen.append("whole")
        return whole(*args)

    def made_updated(*args):  # type: ignore[no-untyped-def]
        seen.append("updated")
        return updated(*args)

    monkeypatch.setattr(statusreport, "status_layout", made_whole)
    monkeypatch.setattr(statusreport, "updated_layout", made_updated)
    return seen


def test_lint_after_other_commands_ran_on_later_edits_checks_only_the_notes_edited_since(
    make_vault, vk, answers, checked, settled, monkeypatch
):
    root = make_vault(LINKING)
    answers(root)
    for edit, command in zip(EDITS[:3], (("status",), ("next",), ("sync", "--check")), strict=True):
        edited(root, *edit)
        vk(*command, root)
    edited(root, *EDITS[3])
    checked.clear()

    warm = lint_json(vk, root)

    assert checked == [{"Hub.md", "Notes/Guide.md", "Notes/Other.md", "Skills/Docker.md"}]
    monkeypatch.setenv("VAULTKIT_CACHE_DIR", "")
    assert warm == lint_json(vk, root)


def test_lint_on_another_day_after_others_ran_on_an_edit_starts_from_its_own_findings(
    make_vault, vk, answers, checked, settled, monkeypatch
):
    root = make_vault(LINKING)
    answers(root)
    edited(root, *EDITS[0])
    vk("status", root)
    edited(root, *EDITS[1])
    checked.clear()
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: tomorrow)

    warm = lint_json(vk, root)  # no state holds tomorrow's lint: its notes' findings do

    assert checked == [{"Notes/Guide.md", "Notes/Other.md"}]
    monkeypatch.setenv("VAULTKIT_CACHE_DIR", "")
    assert warm == lint_json(vk, root)


def test_each_command_after_others_ran_on_an_edit_starts_from_the_state_it_last_saw(
    make_vault, vk, answers, computed, progress_made, layouts_made, checked, settled
):
    root = make_vault(LINKING)
    answers(root)
    for command in (("lint",), ("status",), ("next",), ("sync", "--check")):
        vk(*command, root)
    computed.clear()
    progress_made.clear()
    checked.clear()
    layouts_made.clear()

    for edit, command in zip(
        EDITS, (("lint",), ("status",), ("next",), ("sync", "--check")), strict=True
    ):
        edited(root, *edit)
        vk(*command, root)

    assert progress_made == ["caught up"] * 4
    assert checked == [{"Notes/Other.md"}]
    assert layouts_made == ["updated"]
    assert computed.count("plan caught up") == 2 and "sync" not in computed
    assert answers(root) == answers(root, cold=True)


def test_a_state_is_forgotten_when_later_states_hold_each_of_its_results(
    make_vault, vk, settled, note_cache
):
    root = make_vault(LINKING)
    vk("lint", root)
    vk("status", root)
    edited(root, *EDITS[0])
    vk("status", root)

    kept = held(note_cache)
    edited(root, *EDITS[1])
    vk("lint", root)

    assert kept == [
        {"layout", "lint", "progress", "status text", "sync"},  # lint's findings kept
        {"layout", "progress", "status text"},
    ]
    assert held(note_cache) == [
        {"layout", "progress", "status text"},
        {"lint", "progress", "sync"},
    ]


def test_the_results_of_at_most_states_states_are_kept(make_vault, vk, settled, note_cache):
    assert cache.STATES == 8
    root = make_vault(notes_in_parts(10))
    for i in range(10):
        vk("status", "--today", f"2026-11-{i + 10}", root)  # each day's text is another result
        edited(root, f"Notes/N{i:04d}.md", "- [ ] one", "- [x] one")
    vk("status", "--today", "2026-11-20", root)

    sql = "SELECT DISTINCT substr(what, 25, 10) FROM results WHERE what LIKE 'shown status%'"
    days = queried(note_cache, sql)
    assert sorted(day for (day,) in days) == [f"2026-11-{day}" for day in range(13, 21)]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(
            "UPDATE results SET value = x'90' WHERE what LIKE 'lint notes %'", id="a result"
        ),
        pytest.param("UPDATE results SET value = 'text' WHERE what LIKE 'lint notes %'", id="text"),
        pytest.param(
            "UPDATE results SET value = substr(value, 1, 100) WHERE what = 'names and digests'",
            id="a record cut short",
        ),
        pytest.param("DELETE FROM results WHERE what = 'names and digests'", id="no record"),
    ],
)
def test_an_earlier_state_whose_rows_are_damaged_is_not_started_from(
    make_vault, vk, answers, checked, settled, note_cache, damage
):
    root = make_vault(LINKING)
    answers(root)
    [file] = (note_cache / FOLDER).iterdir()
    with sqlite3.connect(file) as db:
        db.execute(damage)
    db.close()
    edited(root, *EDITS[0])
    checked.clear()

    warm = answers(root)

    assert len(checked[0]) == len(LINKING)  # every note checked again
    assert warm == answers(root, cold=True)


def test_a_run_after_an_edit_reads_only_the_results_of_its_own_kind(
    make_vault, vk, settled, monkeypatch
):
    root = make_vault(LINKING)
    for command in (("lint",), ("status",), ("next",), ("sync", "--check")):
        vk(*command, root)
    edited(root, *EDITS[0])
    read: list[str] = []
    real = cache.NoteCache.result

    def reading(self, state, what):  # type: ignore[no-untyped-def]
        read.append(what.split()[0])
        return real(self, state, what)

    monkeypatch.setattr(cache.NoteCache, "result", reading)

    vk("status", root)

    assert read == ["progress", "outlook", "layout"]


def test_progress_is_kept_in_parts_of_notes_and_an_edit_writes_only_the_part_it_changed(
    make_vault, vk, note_cache, progress_made, settled
):
    root = make_vault(notes_in_parts(3 * progress.PART))
    vk("status", root)
    [before] = parts_of(note_cache)[0].values()

    edited(root, f"Notes/N{progress.PART + 5:04d}.md", "- [ ] one", "- [x] one")
    vk("status", root)
    uses, kept = parts_of(note_cache)

    assert progress_made == ["tracked", "caught up"]
    assert len(before) == 3
    [after] = [digests for digests in uses.values() if digests != before]
    assert len(after - before) == 1
    assert len(before - after) == 1
    assert kept == after  # the earlier state's results are all held by the later one's


def test_parts_no_kept_state_uses_are_forgotten(make_vault, vk, note_cache, settled, monkeypatch):
    monkeypatch.setattr(cache, "STATES", 2)
    root = make_vault(notes_in_parts(2 * progress.PART))
    for i in range(4):
        vk("status", "--today", f"2026-11-0{i + 1}", root)  # another day: another result
        edited(root, f"Notes/N{i * 60:04d}.md", "- [ ] one", "- [x] one")
    vk("status", "--today", "2026-11-09", root)

    uses, kept = parts_of(note_cache)

    assert len(uses) == 2
    assert kept == set().union(*uses.values())
    assert len(kept) == 3  # one part edited between the two states kept


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param("DELETE FROM parts WHERE rowid = 2", id="a part missing"),
        pytest.param("UPDATE parts SET value = x'81a4706174680a' WHERE rowid = 2", id="damaged"),
        pytest.param(
            "UPDATE parts SET value = (SELECT value FROM parts WHERE rowid = 1) WHERE rowid = 2",
            id="another part's bytes",
        ),
    ],
)
def test_a_part_that_is_not_what_its_digest_names_makes_progress_tracked_again(
    make_vault, answers, note_cache, progress_made, settled, damage
):
    root = make_vault({**notes_in_parts(2 * progress.PART), **CHAIN})
    answers(root)
    [file] = (note_cache / FOLDER).iterdir()
    with sqlite3.connect(file) as db:
        db.execute(damage)
    db.close()
    progress_made.clear()

    warm = answers(root)

    assert progress_made == ["tracked"]
    assert warm == answers(root, cold=True)


def test_a_part_damaged_before_an_edit_makes_progress_tracked_again(
    make_vault, answers, note_cache, progress_made, settled
):
    root = make_vault({**notes_in_parts(2 * progress.PART), **CHAIN})
    answers(root)
    [file] = (note_cache / FOLDER).iterdir()
    with sqlite3.connect(file) as db:
        db.execute("UPDATE parts SET value = x'90' WHERE rowid = 2")
    db.close()
    progress_made.clear()

    edited(root, "Skills/Docker.md", "- [ ]", "- [x]")
    warm = answers(root)

    assert progress_made == ["tracked"]
    assert warm == answers(root, cold=True)


def chain_of(count: int) -> dict[str, str]:
    """Notes N0 <- N1 <- ... (each requires the one before), each with a progress block."""
    block = "<!-- vaultkit:begin progress -->\n<!-- vaultkit:end progress -->\n"
    notes = {}
    for i in range(count):
        front = f"---\nrequires: ['[[N{i - 1}]]']\n---\n" if i else ""
        notes[f"N{i}.md"] = f"{front}# N{i}\n\n{block}\n- [x] one\n- [ ] two\n- [ ] three\n"
    return notes


@pytest.mark.parametrize(
    ("new", "again"),
    [
        pytest.param("- [x] two\n- [ ] three", {"N3.md"}, id="its state as it was: itself"),
        pytest.param(
            "- [x] two\n- [x] three",
            {"N2.md", "N3.md", "N4.md"},
            id="done: itself and the notes beside it, which show its state",
        ),
    ],
)
def test_a_box_ticked_plans_again_the_notes_whose_blocks_show_a_change_not_the_whole_chain(
    make_vault, vk, answers, planned, settled, new, again
):
    root = make_vault(chain_of(6))
    answers(root)
    planned.clear()

    edited(root, "N3.md", "- [ ] two\n- [ ] three", new)
    vk("sync", "--check", root)

    assert planned == again
    assert answers(root) == answers(root, cold=True)


def test_a_note_unblocked_by_an_edit_has_the_notes_beside_it_planned_again(
    make_vault, vk, answers, planned, settled
):
    block = "<!-- vaultkit:begin progress -->\n<!-- vaultkit:end progress -->\n"
    root = make_vault(
        {
            "A.md": f"# A\n\n{block}- [ ] one\n",
            "B.md": f"---\nrequires: ['[[A]]']\n---\n{block}- [ ] one\n",
            "C.md": f"---\nrequires: ['[[B]]']\n---\n{block}- [ ] one\n",
            "D.md": f"---\nrequires: ['[[C]]']\n---\n{block}- [ ] one\n",
        }
    )
    answers(root)
    planned.clear()

    edited(root, "A.md", "- [ ] one", "- [x] one")
    vk("sync", "--check", root)

    assert planned == {"A.md", "B.md", "C.md"}  # C shows B ready now; D shows C, still blocked
    assert answers(root) == answers(root, cold=True)


@pytest.fixture
def tasks_read(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The notes VK403 read in each run (brought up to date: `reported`)."""
    return rule_reads(monkeypatch, vk403_task_dependency, lambda note: str(note.path))


WAITS_ON_NOWHERE = ("Notes/Tasks.md", 2, 12, "no task has the id 'nowhere' that this one waits on")


@pytest.mark.parametrize(
    ("path", "old", "new", "again", "found"),
    [
        pytest.param(
            "Notes/D.md",
            "# D",
            "# D\n- [ ] plain task",
            [],
            [WAITS_ON_NOWHERE],
            id="a note without task links: none",
        ),
        pytest.param(
            "Notes/Tasks.md",
            "deploy",
            "deploy now",
            [{"Notes/Tasks.md"}],
            [WAITS_ON_NOWHERE],
            id="a note with task links: the notes with any",
        ),
        pytest.param(
            "Notes/Tasks.md",
            "⛔ nowhere",
            "⛔ d1",
            [{"Notes/Tasks.md"}],
            [],
            id="a dependency mended",
        ),
        pytest.param(
            "Notes/D.md",
            "#docs/x",
            "#docs/x\n- [ ] again 🆔 d1",
            [{"Notes/Tasks.md", "Notes/D.md"}],
            [
                ("Notes/D.md", 4, 13, "the id 'd1' is also given to 'Notes/Tasks.md' line 1"),
                ("Notes/Tasks.md", 1, 14, "the id 'd1' is also given to 'Notes/D.md' line 4"),
                WAITS_ON_NOWHERE,
            ],
            id="an id given in another note too",
        ),
        pytest.param(
            "Notes/Tasks.md",
            "deploy 🆔 d1\n- [ ] test ⛔ nowhere",
            "deploy\n- [ ] test",
            [set()],
            [],
            id="the last ids and dependencies removed",
        ),
        pytest.param(
            "Templates/Old.md",
            "- [ ] never",
            "- [ ] never ⛔ d2",
            [],
            [WAITS_ON_NOWHERE],
            id="an excluded note's: none",
        ),
    ],
)
def test_task_dependency_findings_after_an_edit_read_only_the_notes_with_task_links(
    make_vault, vk, answers, tasks_read, settled, path, old, new, again, found
):
    root = make_vault({**TAGGED, ".vaultkit.toml": 'exclude = ["Templates/**"]\n'})
    answers(root)
    tasks_read.clear()

    edited(root, path, old, new)
    shown = json.loads(vk("lint", "--format", "json", root).out)["diagnostics"]

    assert tasks_read == again
    assert [
        (d["path"], d["line"], d["col"], d["message"]) for d in shown if d["code"] == "VK403"
    ] == found
    assert answers(root) == answers(root, cold=True)


# -- silenced findings ---------------------------------------------------------------------

SILENCING = {
    "Notes/Quiet.md": "<!-- vaultkit-disable-next-line VK101 -->\n[[Nowhere]]\n",
    "Notes/Loud.md": "# Loud\n\n[[Elsewhere]]\n",
    "Notes/Tags.md": "# T\n\n#Infra\n",
    "Notes/Other.md": "#infra #infra\n",
    "Notes/Plain.md": "# Plain\n",
}


@pytest.fixture
def judged(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The findings whose notes were read to tell whether the user silenced them."""
    seen: list[str] = []
    real = suppress.Silencer.silences

    def silences(self, found):  # type: ignore[no-untyped-def]
        seen.append(f"{found.path}:{found.line}:{found.col} {found.code}")
        return real(self, found)

    monkeypatch.setattr(suppress.Silencer, "silences", silences)
    return seen


@pytest.mark.parametrize(
    ("path", "old", "new", "again", "found"),
    [
        pytest.param(
            "Notes/Plain.md",
            "# Plain",
            "# Plain, longer",
            [],
            ["Notes/Loud.md:3:1 VK101", "Notes/Tags.md:3:1 VK202"],
            id="a note without findings: none",
        ),
        pytest.param(
            "Notes/Quiet.md",
            "[[Nowhere]]",
            "[[Nowhere]] again",
            ["Notes/Quiet.md:2:1 VK101"],
            ["Notes/Loud.md:3:1 VK101", "Notes/Tags.md:3:1 VK202"],
            id="a note with a silenced finding: its findings",
        ),
        pytest.param(
            "Notes/Quiet.md",
            "<!-- vaultkit-disable-next-line VK101 -->\n",
            "\n",
            ["Notes/Quiet.md:2:1 VK101"],
            ["Notes/Loud.md:3:1 VK101", "Notes/Quiet.md:2:1 VK101", "Notes/Tags.md:3:1 VK202"],
            id="the comment that silenced it removed",
        ),
        pytest.param(
            "Notes/Plain.md",
            "# Plain",
            "#INFRA #INFRA #INFRA",
            ["Notes/Other.md:1:1 VK202", "Notes/Other.md:1:8 VK202"],
            [
                "Notes/Loud.md:3:1 VK101",
                "Notes/Other.md:1:1 VK202",
                "Notes/Other.md:1:8 VK202",
                "Notes/Tags.md:3:1 VK202",
            ],
            id="new findings in a note not changed: those",
        ),
    ],
)
def test_after_an_edit_only_new_findings_and_those_of_the_notes_edited_are_judged_for_silence(
    make_vault, vk, answers, judged, settled, path, old, new, again, found
):
    root = make_vault(SILENCING)
    answers(root)
    judged.clear()

    edited(root, path, old, new)
    shown = json.loads(vk("lint", "--format", "json", root).out)["diagnostics"]

    assert sorted(judged) == again
    assert [f"{d['path']}:{d['line']}:{d['col']} {d['code']}" for d in shown] == found
    assert answers(root) == answers(root, cold=True)


@pytest.fixture
def parts_read(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """The notes of each part of a kept progress a run decoded, in turn."""
    read: list[tuple[str, ...]] = []
    real = progress._decoded_part

    def reading(*args):  # type: ignore[no-untyped-def]
        found = real(*args)
        read.append((str(found.notes[0].path), str(found.notes[-1].path)))
        return found

    monkeypatch.setattr(progress, "_decoded_part", reading)
    return read


def test_status_after_an_edit_decodes_only_the_parts_of_the_notes_it_judges_again(
    make_vault, vk, progress_made, parts_read, settled, monkeypatch
):
    required = "---\nrequires: ['[[N0005]]']\n---\n# N0300\n\n- [ ] one\n"
    dated = "---\ndue: 2026-12-24\n---\n# N0200\n\n- [x] one ✅ 2026-11-20\n"
    root = make_vault(
        {
            **notes_in_parts(3 * progress.PART),
            "Notes/N0300.md": required,
            "Notes/N0200.md": dated,
        }
    )
    vk("status", root, "--today", "2026-11-29")
    parts_read.clear()

    edited(root, "Notes/N0005.md", "- [ ] one", "- [x] one ✅ 2026-11-28")
    warm = vk("status", root, "--today", "2026-11-29").out

    assert progress_made == ["tracked", "caught up"]
    # the edited note's part, and that of the note that requires it; not the one between
    assert parts_read == [
        ("Notes/N0000.md", "Notes/N0127.md"),
        ("Notes/N0256.md", "Notes/N0383.md"),
    ]
    monkeypatch.setenv("VAULTKIT_CACHE_DIR", "")
    assert warm == vk("status", root, "--today", "2026-11-29").out
    assert "2 left" in warm.splitlines()[-1]  # the whole vault's forecast, brought up to date


def test_the_forecasts_after_an_edit_are_summed_from_the_notes_that_moved_alone(
    make_vault, vk, settled, monkeypatch
):
    root = make_vault(
        {
            "P1.md": "---\ndue: 2026-12-24\n---\n# P1\n\n- [x] kickoff ✅ 2026-11-02\n",
            "a.md": "---\nphase: '[[P1]]'\n---\n# a\n\n- [ ] one\n- [ ] two\n",
            "b.md": "---\nphase: '[[P1]]'\n---\n# b\n\n- [x] one ✅ 2026-11-25\n",
        }
    )
    vk("status", root, "--today", "2026-11-29")
    summed: list[int] = []
    real = schedule.outlook
    monkeypatch.setattr(schedule, "outlook", lambda notes: summed.append(len(notes)) or real(notes))

    edited(root, "a.md", "- [ ] one", "- [x] one ✅ 2026-11-28")
    warm = vk("status", root, "--today", "2026-11-29").out

    assert summed == []
    monkeypatch.setenv("VAULTKIT_CACHE_DIR", "")
    cold = vk("status", root, "--today", "2026-11-29").out
    assert warm == cold
    assert summed == [3]
    assert "  P1             1 left  0.4 a week" in warm


def test_sync_after_an_edit_draws_and_fills_blocks_without_building_the_whole_graph(
    make_vault, vk, computed, settled, monkeypatch
):
    links = "".join(f"[[S{i}]] " for i in range(6))
    block = "<!-- vaultkit:begin progress -->\n<!-- vaultkit:end progress -->\n"
    skills = {
        f"Skills/S{i}.md": f"---\nrequires: ['[[S{i - 1}]]']\n---\n- [ ] a\n" for i in range(1, 6)
    }
    root = make_vault(
        {
            "Hub.md": (
                f"{links}\n<!-- vaultkit:begin graph -->\n<!-- vaultkit:end graph -->\n{block}"
            ),
            "Skills/S0.md": f"- [ ] a\n{block}",
            **skills,
        }
    )
    vk("sync", root)
    built: list[int] = []
    real = progress._Kept.graph
    monkeypatch.setattr(progress._Kept, "graph", lambda kept: built.append(1) or real(kept))
    computed.clear()

    edited(root, "Skills/S0.md", "- [ ] a", "- [x] a")
    warm = vk("sync", "--check", root)

    assert [name for name in computed if name != "decoded"] == ["caught up", "plan caught up"]
    assert built == []
    monkeypatch.setenv("VAULTKIT_CACHE_DIR", "")
    cold = vk("sync", "--check", root)
    assert (warm.code, warm.out, warm.err) == (cold.code, cold.out, cold.err)
    assert (warm.code, warm.err) == (1, "would sync 2 notes (2 blocks); 5 unchanged\n")


def test_results_asked_for_the_same_notes_share_a_key_and_other_notes_or_order_do_not():
    notes = [P("a.md"), P("b/c.md")]

    first = results.paths_digest(notes)

    assert results.paths_digest(tuple(notes)) == first
    assert results.paths_digest([P("a.md"), P("b/c.md")]) == first
    assert results.paths_digest(reversed(notes)) != first
    assert results.paths_digest(notes[:1]) != first
    assert results.paths_digest(None) == "all"
    assert first == hashlib.sha256(b"a.md\0b/c.md").hexdigest()


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each opening of the cache's file, as whether its notes were read (`notes`)."""
    seen: list[bool] = []
    real = cache.NoteCache.open

    def counting(root: Path, *, notes: bool = True) -> cache.NoteCache | None:
        seen.append(notes)
        return real(root, notes=notes)

    monkeypatch.setattr(cache.NoteCache, "open", staticmethod(counting))
    return seen


def linted_then_edited(make_vault, vk, opened, descriptors) -> tuple[Path, list[str]]:  # type: ignore[no-untyped-def]
    """A vault linted, then one note edited; the files this process has open then."""
    root = make_vault(TAGGED)
    vk("lint", root)
    edited(root, "Notes/D.md", "# D", "# D, longer")
    opened.clear()
    return root, descriptors()


def test_a_command_reads_and_keeps_its_results_through_one_opening_of_the_cache(
    make_vault, vk, opened, descriptors, settled
):
    root, before = linted_then_edited(make_vault, vk, opened, descriptors)

    vk("lint", root)

    # The load's (to compare the files and parse the note edited), and the results'.
    assert opened == [False, False]
    assert descriptors() == before


def test_results_asked_for_outside_a_command_open_the_cache_for_each_use_and_close_it(
    make_vault, vk, opened, descriptors, settled
):
    root, before = linted_then_edited(make_vault, vk, opened, descriptors)

    api.lint_vault(load_vault(root, config.Config()), Selection(()))

    # The load's, then one for each of the nine reads and writes of results.
    assert opened == [False] * 10
    assert descriptors() == before


@pytest.fixture
def lowered(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each time the files' names were lowered, as how many files."""
    seen: list[int] = []
    real = index_module.lowered_names

    def counting(paths):  # type: ignore[no-untyped-def]
        seen.append(len(paths))
        return real(paths)

    monkeypatch.setattr(index_module, "lowered_names", counting)
    return seen


LINKED = {
    **NOTES,
    "Notes/Ideas.md": "# Ideas\n\n- [ ] try [[Helm]] and [[docker]]\n",
    "diagram.png": "",
}


def test_a_run_after_an_edit_resolves_links_with_the_names_the_run_before_lowered(
    make_vault, vk, answers, lowered, writes, settled, note_cache
):
    root = make_vault(LINKED)
    vk("lint", root)
    assert lowered == [5]  # the four notes and the picture, lowered in the first run
    assert [kinds for kinds, _, _ in writes] == [{"lint", "progress", "sync"}]  # in one write
    lowered.clear()

    edited(root, "Notes/Ideas.md", "[[docker]]", "[[Docker]], [[Kubernetes]]")
    found = vk("lint", "--format", "json", root)

    assert lowered == []
    broken = [d for d in json.loads(found.out)["diagnostics"] if d["code"] == "VK101"]
    assert [(d["path"], d["line"], d["col"]) for d in broken] == [
        ("Notes/Ideas.md", 3, 36),
        ("Skills/Helm.md", 3, 14),
    ]
    assert answers(root) == answers(root, cold=True)
    [(text,)] = queried(note_cache, "SELECT lowered FROM names")
    assert text == "\0".join(["hub.md", "ideas.md", "docker.md", "helm.md", "diagram.png"]).encode()


def test_a_first_read_lowers_the_names_without_asking_the_cache_for_them(
    make_vault, vk, lowered, monkeypatch, settled
):
    asked: list[str] = []
    real = cache.NoteCache.lowered_names
    monkeypatch.setattr(
        cache.NoteCache,
        "lowered_names",
        lambda self, names: asked.append(names) or real(self, names),
    )
    root = make_vault(LINKED)
    vk("lint", root)
    assert (asked, lowered) == ([], [5])

    edited(root, "Notes/Ideas.md", "[[docker]]", "[[Docker]]")
    vk("lint", root)

    assert (len(asked), lowered) == (1, [5])


def test_a_file_name_added_lowers_the_names_again_and_keeps_only_those(
    make_vault, vk, lowered, settled, note_cache
):
    root = make_vault(LINKED)
    vk("lint", root)
    lowered.clear()

    (root / "Notes" / "Kubernetes.md").write_text("# Kubernetes\n", encoding="utf-8")
    vk("lint", root)
    edited(root, "Notes/Ideas.md", "try", "try out")
    vk("lint", root)

    assert lowered == [6]  # once, for the new names; the edit after them found them kept
    assert len(queried(note_cache, "SELECT names FROM names")) == 1


def test_names_kept_for_another_number_of_files_are_lowered_again(
    make_vault, vk, answers, lowered, settled, note_cache
):
    root = make_vault(LINKED)
    vk("lint", root)
    queried(note_cache, "UPDATE names SET lowered = CAST('hub.md' AS BLOB)")
    lowered.clear()

    edited(root, "Notes/Ideas.md", "[[docker]]", "[[Docker]]")
    vk("lint", root)

    assert lowered == [5]
    assert answers(root) == answers(root, cold=True)
