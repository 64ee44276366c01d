"""`vaultkit status` forecasts each phase against its due date, at the pace actually kept."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

import vaultkit.api
from vaultkit.history import cache_file

PHASES = {
    "Phases/P1.md": "---\nstart: 2026-07-01\ndue: 2026-12-31\n---\n",
    "Phases/P2.md": "---\nstart: 2027-01-01\ndue: 2027-06-30\n---\n",
    "Docker.md": '---\nphase: "[[P1]]"\n---\n'
    "- [x] images ✅ 2026-10-05\n- [x] compose ✅ 2026-10-20\n- [x] volumes ✅ 2026-11-10\n"
    "- [x] registry ✅ 2026-11-20\n- [ ] scanning\n- [ ] layers\n",
    "Helm.md": '---\nphase: "[[P2]]"\n---\n- [ ] charts\n- [-] dropped idea\n',
}


def test_status_text_ends_with_each_phases_forecast(vk, make_vault):
    root = make_vault(PHASES)
    out = vk("status", root, "--today", "2026-11-28").out
    assert out.split("\n\n")[-1] == (
        "Forecast on 2026-11-28, at the pace of the last 8 weeks:\n"
        "  P1             2 left  0.5 a week    finish 2026-12-26  due 2026-12-31  on track\n"
        "  P2             1 left  no pace yet                      due 2027-06-30  no pace yet\n"
        "  all notes      3 left  0.5 a week    finish 2027-01-09  due 2027-06-30"
        "  ahead by 24 weeks\n"
    )


@pytest.mark.parametrize(
    ("note", "forecast"),
    [
        pytest.param(
            "Phases/P1.md",
            "  P1      2 left  0.5 a week    finish 2026-12-26  due 2026-12-31  on track\n",
            id="a phase note: its phase's",
        ),
        pytest.param(
            "Docker.md",
            "  Docker      2 left  0.5 a week    finish 2026-12-26  due 2026-12-10"
            "  behind by 3 weeks\n",
            id="a note with its own due date: its own tasks against it",
        ),
    ],
)
def test_status_of_one_note_forecasts_that_note_alone(vk, make_vault, note, forecast):
    files = PHASES | {"Docker.md": PHASES["Docker.md"].replace("---\n-", "due: 2026-12-10\n---\n-")}
    out = vk("status", make_vault(files) / note, "--today", "2026-11-28").out
    head = "Forecast on 2026-11-28, at the pace of the last 8 weeks:\n"
    assert out.split("\n\n")[-1] == head + forecast


def test_status_of_a_note_without_a_due_date_has_no_forecast(vk, make_vault):
    out = vk("status", make_vault(PHASES) / "Helm.md", "--today", "2026-11-28").out
    assert "Forecast" not in out


def test_status_json_gives_today_the_window_and_each_forecast(vk, make_vault):
    root = make_vault(PHASES)
    payload = json.loads(vk("status", root, "--today", "2026-11-28", "--format", "json").out)
    assert (payload["today"], payload["pace_weeks"]) == ("2026-11-28", 8)
    assert payload["forecast"][0] == {
        "group": "P1",
        "note": "Phases/P1.md",
        "due": "2026-12-31",
        "remaining": 2,
        "done_in_window": 4,
        "pace": 0.5,
        "finish": "2026-12-26",
        "verdict": "on track",
        "weeks": 0,
    }
    assert [f["verdict"] for f in payload["forecast"]] == ["on track", "no pace yet", "ahead"]


def test_a_shorter_window_from_the_configuration_changes_the_pace(vk, make_vault):
    root = make_vault({**PHASES, ".vaultkit.toml": "pace-weeks = 2\n"})
    payload = json.loads(vk("status", root, "--today", "2026-11-28", "--format", "json").out)
    p1 = payload["forecast"][0]
    # Only 2026-11-20 falls in the last two weeks: half a task a week.
    assert (payload["pace_weeks"], p1["done_in_window"], p1["pace"]) == (2, 1, 0.5)


def test_a_vault_without_due_dates_shows_no_forecast(vk, make_vault):
    root = make_vault({"a.md": "- [x] one ✅ 2026-11-01\n- [ ] two\n"})
    out = vk("status", root, "--today", "2026-11-28").out
    assert "Forecast" not in out
    assert (
        json.loads(vk("status", root, "--today", "2026-11-28", "--format", "json").out)["forecast"]
        == []
    )


def test_today_must_be_a_date(vk, make_vault):
    result = vk("status", make_vault(PHASES), "--today", "2026-13-01")
    assert result.code == 2
    assert "'2026-13-01' does not match the format '%Y-%m-%d'" in result.err


def test_the_python_api_gives_the_same_forecast(make_vault):
    root = make_vault(PHASES)
    groups = vaultkit.api.forecast(root, today=date(2026, 11, 28))
    assert [(g.group, g.forecast.describe()) for g in groups] == [
        ("P1", "on track"),
        ("P2", "no pace yet"),
        (None, "ahead by 24 weeks"),
    ]


# -- history ---------------------------------------------------------------------------


def git(cwd: Path, *args: str, when: str = "2026-01-01") -> None:
    stamp = f"{when}T12:00:00+00:00"
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Ann",
        "GIT_AUTHOR_EMAIL": "ann@example.com",
        "GIT_COMMITTER_NAME": "Ann",
        "GIT_COMMITTER_EMAIL": "ann@example.com",
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
    }
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.fixture
def repo_vault(make_vault):
    """A vault whose tasks carry no dates, ticked in backdated commits."""
    root = make_vault({**PHASES, "Docker.md": '---\nphase: "[[P1]]"\n---\n- [ ] a\n- [ ] b\n'})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "plan", when="2026-07-01")
    for when, text in (("2026-10-10", "- [x] a\n- [ ] b\n"), ("2026-11-21", "- [x] a\n- [x] b\n")):
        (root / "Docker.md").write_text('---\nphase: "[[P1]]"\n---\n' + text)
        git(root, "commit", "-q", "-am", "tick", when=when)
    (root / "Docker.md").write_text('---\nphase: "[[P1]]"\n---\n- [x] a\n- [x] b\n- [ ] c\n')
    git(root, "commit", "-q", "-am", "more", when="2026-11-22")
    return root


def test_history_dates_tasks_by_the_commits_that_ticked_them(vk, repo_vault):
    without = json.loads(vk("status", repo_vault, "--today", "2026-11-28", "--format", "json").out)
    assert without["forecast"][0]["verdict"] == "no pace yet"
    args = ("status", repo_vault, "--today", "2026-11-28", "--format", "json", "--history")
    with_history = json.loads(vk(*args).out)
    p1 = with_history["forecast"][0]
    # Two done in the window (2026-10-10, 2026-11-21): a quarter a week, one task left.
    assert (p1["done_in_window"], p1["finish"], p1["verdict"]) == (2, "2026-12-26", "on track")


def test_history_is_cached_and_a_later_run_uses_it(vk, repo_vault, note_cache):
    args = ("status", repo_vault, "--today", "2026-11-28", "--history")
    first = vk(*args).out
    cached = cache_file(note_cache, repo_vault)
    assert cached.parent == note_cache / "vaultkit-parse-cache"
    table = json.loads(cached.read_text())
    assert table["done"] == [["Docker.md", "a", "2026-10-10"], ["Docker.md", "b", "2026-11-21"]]
    assert vk(*args).out == first


def test_history_is_read_again_though_the_vault_did_not_change(vk, repo_vault):
    args = ("status", repo_vault, "--today", "2026-11-28", "--format", "json", "--history")
    before = json.loads(vk(*args).out)["forecast"][0]["done_in_window"]
    # The same bytes, committed anew in July: both boxes were ticked before the pace's window.
    git(repo_vault, "reset", "-q", "--soft", "HEAD~3")
    git(repo_vault, "commit", "-q", "-m", "squashed", when="2026-07-02")

    after = json.loads(vk(*args).out)["forecast"][0]["done_in_window"]

    assert (before, after) == (2, 0)


def test_a_planted_history_cache_that_is_a_link_is_not_read(vk, repo_vault, note_cache, tmp_path):
    elsewhere = tmp_path / "planted.json"
    elsewhere.write_text('{"head": "x", "done": [["Docker.md", "a", "2026-11-27"]]}')
    cache_file(note_cache, repo_vault).parent.mkdir(mode=0o700, parents=True)
    cache_file(note_cache, repo_vault).symlink_to(elsewhere)
    args = ("status", repo_vault, "--today", "2026-11-28", "--format", "json", "--history")
    p1 = json.loads(vk(*args).out)["forecast"][0]
    assert p1["done_in_window"] == 2
    assert elsewhere.read_text().startswith('{"head": "x"')


def test_history_outside_a_git_repository_is_a_one_line_error(vk, make_vault, monkeypatch):
    root = make_vault(PHASES)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(root.parent))
    result = vk("status", root, "--today", "2026-11-28", "--history")
    assert result.code == 2
    assert result.err.startswith("vaultkit: error: --history: ")
    assert "not a git repository" in result.err
    assert len(result.err.splitlines()) == 1


def test_each_done_occurrence_of_a_recurring_task_counts_toward_the_pace(vk, make_vault):
    # The Tasks plugin writes the next occurrence above the one just done.
    recurring = (
        '---\nphase: "[[P1]]"\n---\n'
        "- [ ] water the plants 🔁 every week 📅 2026-12-03\n"
        "- [x] water the plants 🔁 every week 📅 2026-11-26 ✅ 2026-11-26\n"
        "- [x] water the plants 🔁 every week 📅 2026-11-19 ✅ 2026-11-19\n"
    )
    root = make_vault({**PHASES, "Docker.md": recurring})
    payload = json.loads(vk("status", root, "--today", "2026-11-28", "--format", "json").out)
    docker = next(note for note in payload["notes"] if note["path"] == "Docker.md")
    assert docker["done_dates"] == {"2026-11-19": 1, "2026-11-26": 1}
    assert docker["dated_tasks"] == [
        {"line": 4, "task": "water the plants", "due": "2026-12-03", "scheduled": None}
    ]
    p1 = payload["forecast"][0]
    assert (p1["remaining"], p1["done_in_window"], p1["finish"]) == (1, 2, "2026-12-26")


@pytest.mark.parametrize(
    ("today", "forecast"),
    [
        pytest.param(
            "9999-12-31",
            "  all notes      1 left  0.1 a week    finish 9999-12-31  due 9999-12-31  on track\n",
            id="the last day of the calendar",
        ),
        pytest.param(
            "0001-01-01",
            "  all notes      1 left  no pace yet                      due 9999-12-31"
            "  no pace yet\n",
            id="the first",
        ),
    ],
)
def test_a_forecast_at_either_end_of_the_calendar_is_given_not_a_crash(
    vk, make_vault, today, forecast
):
    root = make_vault({"Far.md": "---\ndue: 9999-12-31\n---\n- [x] a ✅ 9999-12-30\n- [ ] b\n"})

    run = vk("status", root, "--today", today)

    assert run.code == 0
    assert run.out.split("\n\n")[-1] == (
        f"Forecast on {today}, at the pace of the last 8 weeks:\n{forecast}"
    )
