"""Child processes reaped once they have ended, not waited for as they end.

A child that has sent all it had to send (or was killed) still takes milliseconds to end:
the system unmaps its copy of this process's memory, hundreds of megabytes on a large
vault. A run does not wait for that (5 to 9 ms at the end of a cold `lint` of 10,000
notes, up to as long for each parse worker): `later` hands the child over, and it is reaped
by the next `later` or `reap` once it has ended, or by the system once this process ends (a
command ends right after its output: `cli._leave`). A watcher reaps before it starts
watching and on each turn of its loop (`watch.py`), so no ended child of its lingers.
"""

from __future__ import annotations

import os

_ENDING: list[int] = []  # children done or killed, not reaped yet
_KEPT: dict[int, object] = {}  # what a child still reads, by its pid


def later(pid: int, keep: object = None) -> None:
    """Let the child `pid` end on its own time (done, killed, or doing what nobody waits
    for: `cache.NoteCache.write_beside`): reaped once it has ended. `keep`: what it reads,
    freed once it is reaped: freed while it runs, every page freeing writes to that this
    process shares with it would be copied first (10 ms for a first read's notes)."""
    _ENDING.append(pid)
    if keep is not None:
        _KEPT[pid] = keep
    reap()


def ending() -> tuple[int, ...]:
    """The children handed to `later` not reaped yet: ended, or ending."""
    return tuple(_ENDING)


def reap(*, wait: bool = False) -> None:
    """Reap each child handed to `later` that has ended (with `wait`, every one, waiting
    for those still ending)."""
    for pid in list(_ENDING):
        try:
            ended, _ = os.waitpid(pid, 0 if wait else os.WNOHANG)
        except ChildProcessError:  # reaped already, or not ours
            ended = pid
        if ended:
            _ENDING.remove(pid)
            _KEPT.pop(pid, None)
