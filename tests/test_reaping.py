"""Children that shared a run's work are reaped once they have ended, never waited for."""

from __future__ import annotations

import os
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from vaultkit import reaping

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system")


@pytest.fixture(autouse=True)
def nothing_ending() -> Iterator[None]:
    reaping.reap(wait=True)  # the children of the runs of earlier tests
    yield
    reaping.reap(wait=True)


def child(seconds: float) -> int:
    """A forked child that ends after `seconds`."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        time.sleep(seconds)
        os._exit(0)
    return pid


def state(pid: int) -> str | None:
    """The process's state letter (`Z`: ended, not reaped), None once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_bytes().rpartition(b")")[2].split()[0].decode()
    except OSError:
        return None


def test_a_child_handed_over_is_not_waited_for():
    pid = child(5)
    started = time.monotonic()
    reaping.later(pid)
    assert time.monotonic() - started < 1
    assert reaping.ending() == (pid,)
    os.kill(pid, 9)
    reaping.reap(wait=True)
    assert reaping.ending() == ()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="no /proc")
def test_a_child_that_has_ended_is_reaped_by_the_next_reap():
    pid = child(0)
    reaping.later(pid)
    deadline = time.monotonic() + 10
    while state(pid) != "Z" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert state(pid) == "Z"  # ended, and left for `reap`
    reaping.reap()
    assert reaping.ending() == ()
    assert state(pid) is None


def test_reap_leaves_a_child_still_running_for_later():
    pid = child(5)
    reaping.later(pid)
    reaping.reap()
    assert reaping.ending() == (pid,)
    os.kill(pid, 9)


def test_a_child_reaped_elsewhere_is_forgotten():
    pid = child(0)
    os.waitpid(pid, 0)
    reaping.later(pid)
    assert reaping.ending() == ()


class Read:
    """What a child reads (a weak reference tells when it is freed)."""


def test_what_a_child_reads_is_freed_only_once_the_child_is_reaped():
    read = Read()
    freed = weakref.ref(read)
    pid = child(5)
    reaping.later(pid, keep=read)
    del read
    reaping.reap()
    assert freed() is not None  # still running: still kept
    os.kill(pid, 9)
    reaping.reap(wait=True)
    assert freed() is None
