"""The watcher's pure timing: event -> paths, per-path debounce, the write circuit breaker.

The event sequences below were recorded from watchdog 7's inotify and polling observers on
Linux for each way of saving a note (in place, temp file + rename, vim's backup rename,
move, delete, folder rename); the times are a fake clock, so nothing here sleeps.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirModifiedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
    FileSystemEvent,
)

from vaultkit.debounce import Change, Debouncer, Verdict, WriteLimiter, classify, note_path

ROOT = Path("/vault")
QUIET = 2.5
CEILING = 25.0
P = PurePosixPath


def at(rel: str) -> str:
    return str(ROOT / rel)


def replay(
    events: list[tuple[float, FileSystemEvent]], quiet: float = QUIET, ceiling: float = CEILING
) -> list[tuple[float, list[str]]]:
    """Drive a Debouncer the way the watcher's loop does, on a fake clock.

    Returns each moment paths became due and which ones. Events at a moment are taken
    before the due check at that moment, as the loop drains its queue before it ticks.
    """
    debouncer = Debouncer(quiet, ceiling)
    pending = sorted(events, key=lambda item: item[0])
    handled: list[tuple[float, list[str]]] = []
    while pending or len(debouncer):
        deadline = debouncer.next_deadline()
        now = pending[0][0] if pending else deadline
        assert now is not None
        if deadline is not None and deadline < now:
            now = deadline
        while pending and pending[0][0] <= now:
            for path in classify(pending.pop(0)[1], ROOT).paths:
                debouncer.touch(path, now)
        due = debouncer.due(now)
        if due:
            handled.append((round(now, 3), [str(path) for path in due]))
    return handled


# --- event -> paths ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        pytest.param(
            FileModifiedEvent(at("Skills/Docker.md")), ("Skills/Docker.md",), id="modified"
        ),
        pytest.param(FileCreatedEvent(at("Hub.md")), ("Hub.md",), id="created"),
        pytest.param(FileDeletedEvent(at("Hub.md")), ("Hub.md",), id="deleted"),
        pytest.param(FileClosedEvent(at("Hub.md")), ("Hub.md",), id="closed after writing"),
        pytest.param(
            FileMovedEvent(at("Skills/Docker.md"), at("Docker.md")),
            ("Skills/Docker.md", "Docker.md"),
            id="moved: both ends",
        ),
        pytest.param(
            FileMovedEvent(at("Skills/Docker.md.tmp"), at("Skills/Docker.md")),
            ("Skills/Docker.md",),
            id="temp file renamed over the note",
        ),
        pytest.param(
            FileMovedEvent(at("Skills/Docker.md"), at("Skills/Docker.md~")),
            ("Skills/Docker.md",),
            id="vim moves the note to its backup",
        ),
        pytest.param(FileModifiedEvent(at("Notes.MD")), ("Notes.MD",), id="extension in any case"),
        pytest.param(
            FileModifiedEvent(at("雲端/容器 基礎.md")), ("雲端/容器 基礎.md",), id="CJK names"
        ),
        pytest.param(
            FileModifiedEvent(at("Hub.md").encode()), ("Hub.md",), id="bytes paths are decoded"
        ),
    ],
)
def test_classify_names_every_note_an_event_touches(event, expected):
    assert classify(event, ROOT) == Change(paths=tuple(P(p) for p in expected))


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(FileModifiedEvent(at(".obsidian/workspace.json")), id="obsidian settings"),
        pytest.param(
            FileModifiedEvent(at(".obsidian/plugins/x/data.md")), id="inside a dot folder"
        ),
        pytest.param(FileCreatedEvent(at(".trash/Old.md")), id="obsidian trash"),
        pytest.param(
            FileCreatedEvent(at("Skills/.Docker.md.k3j2.vaultkit-tmp")), id="our temp file"
        ),
        pytest.param(FileModifiedEvent(at(".vaultkit-watch.lock")), id="our lock file"),
        pytest.param(FileModifiedEvent(at("Skills/.Docker.md.swp")), id="vim swap file"),
        pytest.param(FileDeletedEvent(at("Skills/Docker.md~")), id="vim backup"),
        pytest.param(FileModifiedEvent(at("Skills/Docker.md.tmp")), id="editor temp file"),
        pytest.param(FileModifiedEvent(at("attachments/diagram.png")), id="attachment"),
        pytest.param(FileOpenedEvent(at("Hub.md")), id="opened"),
        pytest.param(FileClosedNoWriteEvent(at("Hub.md")), id="closed without writing"),
        pytest.param(FileModifiedEvent("/elsewhere/Hub.md"), id="outside the vault"),
        pytest.param(DirModifiedEvent(at("Skills")), id="a folder's entries changed"),
    ],
)
def test_classify_ignores_what_cannot_change_a_note(event):
    assert classify(event, ROOT) == Change()


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(DirCreatedEvent(at("Skills")), id="created"),
        pytest.param(DirDeletedEvent(at("Skills")), id="deleted"),
        pytest.param(DirMovedEvent(at("Skills"), at("Tools")), id="renamed"),
    ],
)
def test_classify_asks_for_a_rescan_when_a_folder_comes_or_goes(event):
    assert classify(event, ROOT) == Change(rescan=True)


def test_note_path_is_vault_relative_posix():
    assert note_path("/vault/a/b/C.md", ROOT) == P("a/b/C.md")
    assert note_path("/vault/a/.b/C.md", ROOT) is None
    assert note_path("/vault", ROOT) is None
    assert note_path("/vault/.md", ROOT) is None  # dot-named: no note
    assert note_path("/vault/Notes/Plan.MD", ROOT) == P("Notes/Plan.MD")
    assert note_path("/vaults/C.md", ROOT) is None  # beside the vault, not in it
    assert note_path("/vault/a/b.md.swp", ROOT) is None


# --- recorded save styles, replayed ---------------------------------------------------


def test_in_place_save_with_several_modified_events_is_handled_once_after_quiet():
    note = at("Skills/Docker.md")
    events = [
        (0.00, FileOpenedEvent(note)),
        (0.00, FileModifiedEvent(note)),  # truncated: the file is empty right now
        (0.01, FileModifiedEvent(note)),
        (0.02, FileModifiedEvent(note)),
        (0.02, FileClosedEvent(note)),
        (0.02, DirModifiedEvent(at("Skills"))),
    ]
    assert replay(events) == [(2.52, ["Skills/Docker.md"])]


def test_temp_file_renamed_over_the_note_is_handled_once():
    temp = at("Skills/Docker.md.tmp")
    events = [
        (0.00, FileCreatedEvent(temp)),
        (0.00, DirModifiedEvent(at("Skills"))),
        (0.00, FileOpenedEvent(temp)),
        (0.01, FileModifiedEvent(temp)),
        (0.01, FileClosedEvent(temp)),
        (0.01, DirModifiedEvent(at("Skills"))),
        (0.30, FileMovedEvent(temp, at("Skills/Docker.md"))),
        (0.30, DirModifiedEvent(at("Skills"))),
    ]
    assert replay(events) == [(2.8, ["Skills/Docker.md"])]


def test_vim_backup_rename_is_one_change_of_the_note():
    note, backup = at("Skills/Docker.md"), at("Skills/Docker.md~")
    events = [
        (0.00, FileMovedEvent(note, backup)),  # for a moment the note does not exist
        (0.00, DirModifiedEvent(at("Skills"))),
        (0.01, FileCreatedEvent(note)),
        (0.01, FileOpenedEvent(note)),
        (0.02, FileModifiedEvent(note)),
        (0.02, FileClosedEvent(note)),
        (4.00, FileDeletedEvent(backup)),  # late, and not a note: does not extend the wait
    ]
    assert replay(events) == [(2.52, ["Skills/Docker.md"])]


def test_polling_observer_save_shape_delete_then_create_is_one_change():
    note = at("Skills/Docker.md")
    events = [
        (0.0, FileDeletedEvent(note)),
        (0.0, FileCreatedEvent(note)),
        (0.0, DirModifiedEvent(at("Skills"))),
    ]
    assert replay(events) == [(2.5, ["Skills/Docker.md"])]


def test_move_handles_the_old_and_the_new_path():
    events = [
        (1.0, FileMovedEvent(at("Skills/Docker.md"), at("Docker.md"))),
        (1.0, DirModifiedEvent(at("Skills"))),
        (1.0, DirModifiedEvent(at("."))),
    ]
    assert replay(events) == [(3.5, ["Docker.md", "Skills/Docker.md"])]


def test_delete_is_handled_like_any_other_change():
    events = [
        (0.5, FileDeletedEvent(at("Skills/Docker.md"))),
        (0.5, DirModifiedEvent(at("Skills"))),
    ]
    assert replay(events) == [(3.0, ["Skills/Docker.md"])]


def test_folder_rename_handles_each_note_at_both_paths():
    events = [
        (0.0, DirMovedEvent(at("Skills"), at("Tools"))),
        (0.0, DirModifiedEvent(at("."))),
        (0.0, FileMovedEvent(at("Skills/Docker.md"), at("Tools/Docker.md"))),
    ]
    assert replay(events) == [(2.5, ["Skills/Docker.md", "Tools/Docker.md"])]


def test_each_event_restarts_the_quiet_period():
    note = at("Hub.md")
    events = [(t, FileModifiedEvent(note)) for t in (0.0, 1.0, 2.0, 3.0)]
    assert replay(events) == [(5.5, ["Hub.md"])]


def test_a_note_written_non_stop_is_still_handled_at_the_ceiling():
    note = at("Log.md")
    events = [(float(t), FileModifiedEvent(note)) for t in range(60)]  # every second
    assert replay(events) == [(25.0, ["Log.md"]), (51.0, ["Log.md"]), (61.5, ["Log.md"])]


def test_notes_are_debounced_independently():
    events = [
        (0.0, FileModifiedEvent(at("A.md"))),
        (1.0, FileModifiedEvent(at("B.md"))),
        (2.0, FileModifiedEvent(at("A.md"))),
        (2.0, FileModifiedEvent(at("C.md"))),
    ]
    assert replay(events) == [(3.5, ["B.md"]), (4.5, ["A.md", "C.md"])]


# --- the debouncer itself -------------------------------------------------------------


def test_debouncer_reports_pending_paths_and_the_next_deadline():
    debouncer = Debouncer(quiet=2.0, ceiling=10.0)
    assert debouncer.next_deadline() is None
    debouncer.touch(P("a.md"), 5.0)
    debouncer.touch(P("b.md"), 6.0)
    assert P("a.md") in debouncer and P("c.md") not in debouncer
    assert debouncer.next_deadline() == 7.0
    assert debouncer.due(6.99) == []
    assert debouncer.due(7.0) == [P("a.md")]
    assert P("a.md") not in debouncer
    assert len(debouncer) == 1


def test_debouncer_ignores_an_event_stamped_earlier_than_the_last():
    debouncer = Debouncer(quiet=2.0, ceiling=10.0)
    debouncer.touch(P("a.md"), 5.0)
    debouncer.touch(P("a.md"), 4.0)
    assert debouncer.next_deadline() == 7.0


@pytest.mark.parametrize(("quiet", "ceiling"), [(-1.0, 5.0), (3.0, 2.0)])
def test_debouncer_rejects_a_ceiling_below_the_quiet_period(quiet, ceiling):
    with pytest.raises(ValueError, match="need 0 <= quiet <= ceiling"):
        Debouncer(quiet, ceiling)


# --- the write circuit breaker ---------------------------------------------------------


def test_write_limiter_trips_once_then_holds_then_recovers():
    limiter = WriteLimiter(limit=3, window=60.0)
    note = P("Hub.md")
    verdicts = []
    for now in (0.0, 1.0, 2.0, 3.0, 4.0, 62.9, 63.0):
        verdict = limiter.check(note, now)
        verdicts.append(verdict)
        if verdict is Verdict.WRITE:
            limiter.record(note, now)
    assert verdicts == [
        Verdict.WRITE,
        Verdict.WRITE,
        Verdict.WRITE,
        Verdict.TRIP,  # the fourth write within a minute: said once
        Verdict.HOLD,
        Verdict.HOLD,
        Verdict.WRITE,  # a window after tripping, writing resumes
    ]


def test_write_limiter_counts_only_writes_inside_the_window_and_per_note():
    limiter = WriteLimiter(limit=2, window=10.0)
    for now in (0.0, 5.0):
        limiter.record(P("a.md"), now)
    assert limiter.check(P("b.md"), 6.0) is Verdict.WRITE
    assert limiter.check(P("a.md"), 9.9) is Verdict.TRIP
    other = WriteLimiter(limit=2, window=10.0)
    for now in (0.0, 5.0):
        other.record(P("a.md"), now)
    assert other.check(P("a.md"), 10.0) is Verdict.WRITE  # the write at 0.0 has aged out


def test_write_limiter_remembers_a_note_only_while_a_write_to_it_is_inside_the_window():
    limiter = WriteLimiter(limit=3, window=10.0)
    for at in range(1000):  # a note a second, each written once
        assert limiter.check(P(f"n{at}.md"), float(at)) is Verdict.WRITE
        limiter.record(P(f"n{at}.md"), float(at))
    assert limiter.remembered() == [P(f"n{at}.md") for at in range(990, 1000)]
    limiter.record(P("n995.md"), 1000.0)  # written again: now the most recent
    assert limiter.remembered() == [
        *(P(f"n{at}.md") for at in (991, 992, 993, 994, 996, 997, 998, 999)),
        P("n995.md"),
    ]
    assert limiter.check(P("other.md"), 1000.0) is Verdict.WRITE  # checked, not written
    assert P("other.md") not in limiter.remembered()


def test_write_limiter_still_trips_on_a_note_written_again_and_again_among_others():
    limiter = WriteLimiter(limit=3, window=10.0)
    verdicts = []
    for at in range(8):
        limiter.record(P(f"other{at}.md"), float(at))  # others come and go meanwhile
        verdict = limiter.check(P("Hub.md"), at + 0.5)
        verdicts.append(verdict)
        if verdict is Verdict.WRITE:
            limiter.record(P("Hub.md"), at + 0.5)
    assert verdicts == [Verdict.WRITE] * 3 + [Verdict.TRIP] + [Verdict.HOLD] * 4
