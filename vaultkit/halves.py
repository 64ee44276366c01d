"""Work over many notes shared with a forked copy of this process, on two cores or more.

After the parse a cold run is one process on one core: planning every note's blocks and
running the rules note by note. `in_two` hands every other item to a child process forked
for it (which has the whole vault already: nothing is sent to it) and does the rest here
meanwhile; the child sends its result back as MessagePack (`packing.py`), with the paths
in it taken to the vault's own. It is only a way to spend both cores: whenever the child
cannot be used (no `fork`, one core, no core free now, threads running, a result that does
not pack, the child gone), its items are done here instead, so the result is always the same.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path, PurePosixPath
from typing import NoReturn, TypeVar

from vaultkit import reaping
from vaultkit.packing import pack, unpack
from vaultkit.vault import PROGRESS

T = TypeVar("T")
R = TypeVar("R")
M = TypeVar("M")

LOADAVG = Path("/proc/loadavg")

# Fewer items than this are done here: forking costs a few milliseconds, and a child
# touching the parent's memory costs it copies of the pages it touches.
THRESHOLD = 1000

# The children `_forked` runs for this process now, by pid: what they do is this run's
# work, so a core one of them takes is not taken from anyone else (`_core_free`).
_FORKED: ContextVar[tuple[int, ...]] = ContextVar("forked", default=())


def in_two(
    items: Sequence[T],
    work: Callable[[Sequence[T]], R],
    kind: type[R],
    paths: Iterable[PurePosixPath],
) -> list[R]:
    """`work` over `items`, as one result or as two, each of every other item (the costly
    items of a vault sit together): the second computed in a forked child when that pays.

    `work` must not write anything, nor depend on what it did before in this process;
    its result must be a `kind` that `packing.pack` can pack, with paths among `paths`
    (they come back as these very objects).
    """
    if len(items) < THRESHOLD or not can_fork():
        return [work(items)]
    mine, theirs = items[::2], items[1::2]
    there, here = beside(
        functools.partial(work, theirs), kind, paths, functools.partial(work, mine), size=THRESHOLD
    )
    return [here, there]


def beside(
    work: Callable[[], R],
    kind: type[R],
    paths: Iterable[PurePosixPath],
    meanwhile: Callable[[], M],
    *,
    size: int,
) -> tuple[R, M]:
    """`work()`, done in a forked child while `meanwhile()` runs here when that pays (it
    is over `size` notes), and what `meanwhile` returned. `work` is as `in_two`'s."""
    if size < THRESHOLD or not can_fork():
        return work(), meanwhile()
    with _forked(work) as receive:
        here = meanwhile()
        named = {str(path): path for path in paths}  # made while the child may still work
        sent = receive()
    there = None if sent is None else unpack(sent, kind, named)
    return (work() if there is None else there), here


def can_fork() -> bool:
    """Whether a child can share the work: `fork` exists, no other thread runs (a forked
    child would hold copies of their locks, perhaps held), and a core of ours is free."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) > 1 and _core_free(cores or 1)


def _core_free(cores: int) -> bool:
    """Whether fewer threads of others are runnable this moment than there are `cores`, as
    Linux tells (`LOADAVG`'s fourth field, "running/all", which counts this process and the
    children it forked too): on a machine whose every core other work keeps busy a child
    only adds what it costs. One thread of another's is not enough to tell that: a kernel
    thread runs for a moment now and then on an idle machine, and a cold `lint` that
    took one for a busy core did its plan on one core, 180 ms longer, one time in five.
    A child of ours still running, or still ending (`reaping`), will soon free its core (a
    child forked beside it is no work lost); left out, the work it shares is not done
    here alone meanwhile. Where nothing tells, a core is taken to be free.
    """
    try:
        running = int(LOADAVG.read_text("ascii").split()[3].partition("/")[0])
    except (OSError, ValueError, IndexError):
        return True
    ours = _running((*_FORKED.get(), *reaping.ending()))
    others = running - 1 - ours  # this process runs: it reads the file
    return others < cores


def _running(pids: Iterable[int]) -> int:
    """How many of the processes `pids` are runnable now (state R in `/proc/PID/stat`)."""
    count = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_bytes()
        except OSError:
            continue  # gone, or no /proc: not running
        count += stat.rpartition(b")")[2].split(b" ", 2)[1:2] == [b"R"]
    return count


@contextlib.contextmanager
def _forked(work: Callable[[], R]) -> Iterator[Callable[[], bytes | None]]:
    """A child process doing `work()`, and a function that waits for what it sends:
    the packed result, or None when it sent none. Leaving the block hands the child to
    `reaping`: it is reaped once it has ended, not waited for."""
    opened: tuple[int, ...] = ()
    try:
        opened = read, write = os.pipe()
        pid = os.fork()
    except OSError:  # no pipe or process to spare: the work is done here (`beside`)
        for fd in opened:
            os.close(fd)
        yield lambda: None
        return
    if pid == 0:  # pragma: no cover - the child: coverage does not follow it
        os.close(read)
        _child(work, write)
    os.close(write)
    token = _FORKED.set((*_FORKED.get(), pid))
    try:
        with os.fdopen(read, "rb") as stream:
            yield lambda: stream.read() or None
    except BaseException:
        import signal  # imported by the runs that stop a child, not by every lint (about 1 ms)

        os.kill(pid, signal.SIGKILL)  # its result is of no use now
        raise
    finally:
        _FORKED.reset(token)
        reaping.later(pid)


def _child(work: Callable[[], R], write: int) -> NoReturn:  # pragma: no cover - forked
    """In the child: do the work, send its result, and leave at once (no cleanup of the
    parent's: its open files, buffers and exit handlers are the parent's own)."""
    status = 1
    try:
        PROGRESS.set(None)  # what the parent tells of its progress, it tells alone
        blob = pack(work())
        if blob is not None:
            with os.fdopen(write, "wb") as stream:
                stream.write(blob)
            status = 0
    except BaseException:  # whatever went wrong, the parent does the work itself
        pass
    finally:
        os._exit(status)
