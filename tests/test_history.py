"""Done dates from git: the commit in which a task became done dates it."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path, PurePosixPath

import pytest

from vaultkit.history import Completions, HistoryError, load_cached, read_history

KINDS = {" ": "todo", "x": "done", "X": "done", "/": "in-progress", "-": "cancelled"}


class Repo:
    def __init__(self, top: Path) -> None:
        self.top = top
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, when: str = "2026-01-01") -> str:
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "Ann",
            "GIT_AUTHOR_EMAIL": "ann@example.com",
            "GIT_COMMITTER_NAME": "Ann",
            "GIT_COMMITTER_EMAIL": "ann@example.com",
            "GIT_AUTHOR_DATE": f"{when}T12:00:00+00:00",
            "GIT_COMMITTER_DATE": f"{when}T12:00:00+00:00",
        }
        done = subprocess.run(
            ["git", *args], cwd=self.top, env=env, capture_output=True, text=True, check=True
        )
        return done.stdout

    def commit(self, when: str, files: dict[str, str | None]) -> None:
        for name, text in files.items():
            path = self.top / name
            if text is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", f"on {when}", when=when)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path)


def test_a_task_ticked_in_a_backdated_commit_is_done_on_that_date(repo: Repo) -> None:
    repo.commit("2026-01-05", {"Docker.md": "- [ ] images\n- [ ] volumes\n"})
    repo.commit("2026-02-10", {"Docker.md": "- [x] images\n- [ ] volumes\n"})
    repo.commit("2026-03-01", {"Docker.md": "- [x] images\n- [x] volumes ✅ 2026-02-28\n"})
    history = read_history(repo.top, KINDS)
    assert history.done == {
        ("Docker.md", "images"): "2026-02-10",
        ("Docker.md", "volumes"): "2026-03-01",
    }
    assert history.dates(PurePosixPath("Docker.md"), ["images", "other"]) == [date(2026, 2, 10)]


def test_a_task_written_already_done_is_done_when_it_was_committed(repo: Repo) -> None:
    repo.commit("2026-01-05", {"a.md": "# A\n"})
    repo.commit("2026-01-07", {"a.md": "# A\n- [x] read the paper\n"})
    assert read_history(repo.top, KINDS).done == {("a.md", "read the paper"): "2026-01-07"}


def test_moving_or_rewording_a_done_task_is_no_new_completion(repo: Repo) -> None:
    repo.commit("2026-01-05", {"a.md": "- [x] one\n- [ ] two\n- [x] three\n"})
    repo.commit("2026-02-01", {"a.md": "- [ ] two\n- [x] one\n- [x] three, reworded\n"})
    assert read_history(repo.top, KINDS).done == {
        ("a.md", "one"): "2026-01-05",
        ("a.md", "three"): "2026-01-05",
    }


def test_unticked_and_ticked_again_counts_the_second_time(repo: Repo) -> None:
    repo.commit("2026-01-05", {"a.md": "- [x] one\n"})
    repo.commit("2026-01-06", {"a.md": "- [ ] one\n"})
    repo.commit("2026-01-20", {"a.md": "- [x] one\n"})
    assert read_history(repo.top, KINDS).done == {("a.md", "one"): "2026-01-20"}


def test_a_renamed_note_keeps_its_history(repo: Repo) -> None:
    repo.commit("2026-01-05", {"Skills/Docker.md": "- [x] images\n- [ ] volumes\n" + "x\n" * 20})
    repo.git("mv", "Skills/Docker.md", "Skills/Containers.md")
    repo.commit("2026-02-01", {})
    assert read_history(repo.top, KINDS).done == {("Skills/Containers.md", "images"): "2026-01-05"}


def test_a_vault_in_a_subfolder_reads_paths_relative_to_the_vault(repo: Repo) -> None:
    repo.commit("2026-01-05", {"notes/a.md": "- [x] one\n", "other/b.md": "- [x] two\n"})
    assert read_history(repo.top / "notes", KINDS).done == {("a.md", "one"): "2026-01-05"}


def test_cancelled_and_in_progress_are_not_done(repo: Repo) -> None:
    repo.commit("2026-01-05", {"a.md": "- [-] dropped\n- [/] half\n- [X] upper\n"})
    assert read_history(repo.top, KINDS).done == {("a.md", "upper"): "2026-01-05"}


def test_a_later_run_reads_only_the_new_commits_and_keeps_the_old(repo: Repo) -> None:
    repo.commit("2026-01-05", {"a.md": "- [x] one\n"})
    first = read_history(repo.top, KINDS)
    # What was cached is kept, even if the old commits are no longer read.
    first.done[("a.md", "remembered")] = "2025-12-31"
    repo.commit("2026-01-09", {"a.md": "- [x] one\n- [x] two\n"})
    second = read_history(repo.top, KINDS, previous=first)
    assert second.done == {
        ("a.md", "one"): "2026-01-05",
        ("a.md", "remembered"): "2025-12-31",
        ("a.md", "two"): "2026-01-09",
    }
    assert read_history(repo.top, KINDS, previous=second) is second


def test_history_read_with_other_done_characters_is_read_again(repo: Repo) -> None:
    repo.commit("2026-01-05", {"a.md": "- [/] half\n- [x] one\n"})
    first = read_history(repo.top, KINDS)
    half_done = {**KINDS, "/": "done"}
    assert read_history(repo.top, half_done, previous=first).done == {
        ("a.md", "half"): "2026-01-05",
        ("a.md", "one"): "2026-01-05",
    }


def test_a_cached_head_that_left_the_history_reads_everything_again(repo: Repo) -> None:
    repo.commit("2026-01-05", {"a.md": "- [x] one\n"})
    stale = Completions("0" * 40, {("a.md", "ghost"): "2020-01-01"})
    assert read_history(repo.top, KINDS, previous=stale).done == {("a.md", "one"): "2026-01-05"}


def test_unusual_file_names_are_read(repo: Repo) -> None:
    repo.commit("2026-01-05", {'學習 "quoted"\\name.md': "- [x] 讀完 CAP 定理\n"})
    assert read_history(repo.top, KINDS).done == {
        ('學習 "quoted"\\name.md', "讀完 CAP 定理"): "2026-01-05"
    }


def test_a_repository_without_commits_has_no_history(repo: Repo) -> None:
    assert read_history(repo.top, KINDS).done == {}


def test_a_folder_outside_git_is_an_error(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "vault").mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(HistoryError, match="not a git repository"):
        read_history(tmp_path / "vault", KINDS)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="nested 100,000 deep"),
        pytest.param(b'{"head": "x", "done": [[1, 2]]}', id="a row short of a field"),
        pytest.param(b"\xff", id="not UTF-8"),
    ],
)
def test_a_kept_history_that_is_not_what_vaultkit_wrote_is_read_again(
    tmp_path: Path, data: bytes
) -> None:
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    file = folder / "history.json"
    file.write_bytes(data)
    file.chmod(0o600)
    assert load_cached(file) is None
