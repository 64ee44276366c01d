"""Work shared with a forked child process: the same result as doing it all here, always."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest

from vaultkit import halves, reaping
from vaultkit.halves import beside, in_two

EXAMPLE = Path(__file__).resolve().parents[1] / "example-vault"
PATHS = tuple(PurePosixPath(f"Notes/{index:02}.md") for index in range(10))


@dataclass(frozen=True, slots=True)
class Done:
    paths: tuple[PurePosixPath, ...]
    pids: tuple[int, ...]


def done(paths: tuple[PurePosixPath, ...]) -> Done:
    return Done(paths, (os.getpid(),))


@pytest.fixture
def split_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every list of items split, however short (`halves.THRESHOLD`)."""
    monkeypatch.setattr(halves, "THRESHOLD", 2)
    monkeypatch.setattr(halves, "_core_free", lambda cores: True)  # however busy the machine
    if not halves.can_fork():
        pytest.skip("this machine gives the run one core, or no fork")


@pytest.mark.usefixtures("split_always")
def test_every_other_item_is_worked_on_in_a_child_process():
    here, there = in_two(PATHS, done, Done, PATHS)
    assert here.paths == PATHS[::2]
    assert there.paths == PATHS[1::2]
    assert here.pids == (os.getpid(),)
    assert there.pids != (os.getpid(),)


@pytest.mark.usefixtures("split_always")
def test_paths_in_the_childs_result_are_the_ones_given():
    _, there = in_two(PATHS, done, Done, PATHS)
    assert all(sent is own for sent, own in zip(there.paths, PATHS[1::2], strict=True))


@pytest.mark.usefixtures("split_always")
def test_beside_does_the_work_in_a_child_while_this_process_does_its_own():
    there, here = beside(lambda: done(PATHS), Done, PATHS, os.getpid, size=len(PATHS))
    assert there.paths == PATHS
    assert there.pids != (os.getpid(),)
    assert here == os.getpid()


def test_beside_does_both_here_for_a_few_notes(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked for ten notes"))
    there, here = beside(lambda: done(PATHS), Done, PATHS, os.getpid, size=len(PATHS))
    assert (there, here) == (Done(PATHS, (os.getpid(),)), os.getpid())


@pytest.mark.usefixtures("split_always")
def test_a_child_that_fails_leaves_its_items_to_this_process():
    parent = os.getpid()

    def fails_in_a_child(paths: tuple[PurePosixPath, ...]) -> Done:
        if os.getpid() != parent:
            raise MemoryError
        return done(paths)

    here, there = in_two(PATHS, fails_in_a_child, Done, PATHS)
    assert (here.paths, there.paths) == (PATHS[::2], PATHS[1::2])
    assert there.pids == (parent,)


@pytest.mark.usefixtures("split_always")
def test_a_result_that_cannot_be_packed_is_computed_here():
    def unpackable(paths: tuple[PurePosixPath, ...]) -> Done:
        return Done(paths, (os.getpid(), object()))  # type: ignore[arg-type]

    results = in_two(PATHS, unpackable, Done, PATHS)
    assert [result.paths for result in results] == [PATHS[::2], PATHS[1::2]]
    assert [result.pids[0] for result in results] == [os.getpid(), os.getpid()]


@pytest.mark.usefixtures("split_always")
def test_an_error_here_stops_the_child_and_is_raised():
    def fails_here(paths: tuple[PurePosixPath, ...]) -> Done:
        if paths == PATHS[::2]:
            raise KeyError("here")
        return done(paths)

    with pytest.raises(KeyError, match="here"):
        in_two(PATHS, fails_here, Done, PATHS)


def no_process_to_spare() -> int:
    raise BlockingIOError(11, "Resource temporarily unavailable")


@pytest.mark.usefixtures("split_always")
def test_with_no_process_to_spare_both_halves_are_worked_on_here(monkeypatch):
    monkeypatch.setattr(os, "fork", no_process_to_spare)
    opened = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None

    results = in_two(PATHS, done, Done, PATHS)

    assert [result.paths for result in results] == [PATHS[::2], PATHS[1::2]]
    assert [result.pids[0] for result in results] == [os.getpid(), os.getpid()]
    if opened is not None:
        assert len(os.listdir("/proc/self/fd")) == opened  # the pipe was closed


@pytest.mark.usefixtures("split_always")
def test_nothing_is_forked_while_another_thread_runs(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked beside a thread"))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert in_two(PATHS, done, Done, PATHS) == [Done(PATHS, (os.getpid(),))]
    finally:
        stop.set()
        other.join()


def test_a_short_list_is_worked_on_here(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked for ten items"))
    assert in_two(PATHS, done, Done, PATHS) == [Done(PATHS, (os.getpid(),))]


@pytest.mark.parametrize(
    ("loadavg", "free"),
    [
        ("0.52 0.58 0.59 1/211 4242\n", True),  # only this process runs
        ("1.10 0.80 0.50 2/211 4242\n", True),  # one other runs: it leaves a core
        ("3.10 2.80 2.50 3/211 4242\n", False),  # two others run: no core is free
        ("", True),  # nothing told: taken to be free
    ],
)
def test_a_child_is_forked_only_while_a_core_is_free(tmp_path, monkeypatch, loadavg, free):
    told = tmp_path / "loadavg"
    told.write_text(loadavg, "ascii")
    monkeypatch.setattr(halves, "LOADAVG", told)
    assert halves._core_free(2) is free


def test_a_missing_loadavg_leaves_a_core_free(tmp_path, monkeypatch):
    monkeypatch.setattr(halves, "LOADAVG", tmp_path / "absent")
    assert halves._core_free(2) is True


@pytest.mark.usefixtures("split_always")
def test_lint_and_sync_say_the_same_with_the_notes_split(vk, tmp_path, monkeypatch):
    """Findings (with fixes), stale blocks and skipped notes, split between two processes
    and not: each run with an empty cache, so none recalls the other's."""
    vault = tmp_path / "example-vault"
    shutil.copytree(EXAMPLE, vault)
    hpa = vault / "Skills" / "HPA.md"
    hpa.write_text(hpa.read_text("utf-8").replace("- [ ]", "- [x]", 1) + "\n[[Nowhere]] #a,b\n")
    onnx = vault / "Skills" / "ONNX Runtime.md"
    onnx.write_text(onnx.read_text("utf-8").replace("<!-- vaultkit:end", "<!-- vaultkit:nd", 1))
    outputs = []
    for threshold in (10**9, 2):
        monkeypatch.setattr(halves, "THRESHOLD", threshold)
        monkeypatch.setenv("VAULTKIT_CACHE_DIR", str(tmp_path / f"cache-{threshold}"))
        lint, sync = vk("lint", "--format", "json", vault), vk("sync", "--diff", vault)
        outputs.append((lint.code, lint.out, sync.code, sync.out, sync.err))
    assert outputs[0] == outputs[1]
    assert '"code": "VK101"' in outputs[0][1] and '"code": "VK502"' in outputs[0][1]
    assert "+++ b/Skills/HPA.md" in outputs[0][3]


@pytest.fixture
def two_more_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Linux tells of three threads running: this process and two more."""
    told = tmp_path / "loadavg"
    told.write_text("2.10 1.80 1.50 3/211 4242\n", "ascii")
    monkeypatch.setattr(halves, "LOADAVG", told)


@pytest.fixture
def spinning() -> Iterator[int]:
    """The pid of another process kept running on a core (state R, as /proc tells)."""
    process = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        stat = Path(f"/proc/{process.pid}/stat")
        deadline = time.monotonic() + 10
        while b") R " not in stat.read_bytes() and time.monotonic() < deadline:
            time.sleep(0.01)
        yield process.pid
    finally:
        process.kill()
        process.wait()


@pytest.mark.usefixtures("two_more_running")
def test_a_child_of_ours_still_running_leaves_its_core_free(spinning):
    assert halves._core_free(2) is False  # the two more are anyone's
    token = halves._FORKED.set((spinning,))
    try:
        assert halves._core_free(2) is True  # one of them is ours
    finally:
        halves._FORKED.reset(token)


@pytest.mark.usefixtures("two_more_running")
def test_a_child_of_ours_that_is_gone_counts_for_nothing():
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    token = halves._FORKED.set((gone.pid,))
    try:
        assert halves._core_free(2) is False
    finally:
        halves._FORKED.reset(token)


@pytest.mark.usefixtures("two_more_running")
def test_a_child_of_ours_still_ending_leaves_its_core_free(spinning, monkeypatch):
    """A worker this run is done with is not waited for (`reaping`): until it has ended,
    its core is this run's to give to another child."""
    assert halves._core_free(2) is False
    monkeypatch.setattr(reaping, "_ENDING", [spinning])
    assert halves._core_free(2) is True
