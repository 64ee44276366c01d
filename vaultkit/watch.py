"""`vaultkit watch`: keep the managed blocks current while the vault is being edited.

A watchdog observer (inotify, or polling when inotify is out of watches or when asked)
feeds events into a queue. The main thread turns each event into "look at this note
again" (`debounce.classify`), drops the one event each of its own writes makes
(`ownwrites.py`), and waits until a note has been quiet for the quiet period (Obsidian
autosaves 2 s after typing stops, so the default is 2.5 s; a note written non-stop is
handled after `CEILING_FACTOR` quiet periods). Then, for the quiet notes only:

    refresh the state (re-parse those notes, progress, their blocks) -> the notes whose
    blocks depend on them -> plan their blocks -> write each through `writeback.apply`
    (compare-and-swap; a conflict means the user saved meanwhile: look again later)

The decisions are `watcher.Watcher`'s, on explicit times; this module runs it on real
ones. Everything kept between batches is one object, `live.LiveVault`. A note that is
itself waiting to be quiet is never written: someone may be typing in it (WRITE-SAFETY.md
row 13); it is planned when its own turn comes. Right after start every block is planned (a
full sync), and every `RESCAN_EVERY` seconds the state is compared with a fresh load of
the vault and repaired (events can be lost, row 12). One watcher per vault: `LOCK_NAME`
at the root, held with `flock` (`lock.py`); the observer is set up in `observe.py`.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from watchdog.events import FileSystemEvent

from vaultkit import api
from vaultkit.config import Config
from vaultkit.debounce import WatchOptions
from vaultkit.lock import VaultLock
from vaultkit.vault import NEXT_MODULES

if TYPE_CHECKING:
    from vaultkit.discover import Survey
    from vaultkit.syncing import NoteUpdate
    from vaultkit.watcher import Watcher

logger = logging.getLogger(__name__)

# What the watcher imports once the vault is read: imported while worker processes parse it.
WATCH_MODULES = ("vaultkit.watcher", "vaultkit.observe", "vaultkit.planning")

TICK = 0.1  # the longest the main loop sleeps, so Ctrl-C is handled promptly
# Set to 1: after every batch, compare the state with a fresh load (slow; for tests).
VERIFY_VARIABLE = "VAULTKIT_WATCH_VERIFY"


class StopFlag:
    """Set by SIGINT/SIGTERM. A plain attribute: a signal handler must not take locks."""

    requested = False

    def set(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        self.requested = True


@contextlib.contextmanager
def _stop_on_signals(given: StopFlag | None) -> Iterator[StopFlag]:
    if given is not None or threading.current_thread() is not threading.main_thread():
        yield given or StopFlag()  # only the main thread can take signals
        return
    flag = StopFlag()
    previous = {sig: signal.signal(sig, flag.set) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield flag
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def serve(
    watcher: Watcher,
    events: queue.Queue[tuple[float, FileSystemEvent]],
    stop: StopFlag,
) -> None:
    """The main loop: take events, and act on whatever is due, until asked to stop."""
    while not stop.requested:
        timeout = min(TICK, max(0.0, watcher.next_wakeup() - time.monotonic()))
        with contextlib.suppress(queue.Empty):
            at, event = events.get(timeout=timeout)
            watcher.handle(event, at)
            while True:
                at, event = events.get_nowait()
                watcher.handle(event, at)
        watcher.tick(time.monotonic())


def watch(
    start: Path | None, config_path: Path | None, *, quiet_period: float | None, polling: bool
) -> None:
    """`vaultkit watch`: the vault holding `start` (None: the current folder), its
    configuration (checked as every command checks it), then `run`."""
    setup_logging()
    root = api.vault_root(start)
    config = api.read_config(root, config_path)
    period = config.quiet_period if quiet_period is None else quiet_period
    verify = os.environ.get(VERIFY_VARIABLE, "") not in ("", "0")
    run(root, config, WatchOptions(quiet_period=period, polling=polling, verify=verify))


def run(root: Path, config: Config, options: WatchOptions, stop: StopFlag | None = None) -> None:
    """Watch the vault at `root` until SIGINT or SIGTERM (or `stop` is set).

    Raises `WatchError` when another watcher holds the vault.
    """
    events: queue.Queue[tuple[float, FileSystemEvent]] = queue.Queue()
    interval = min(1.0, options.quiet_period)
    observer = None
    with VaultLock(root):
        try:
            # Until the loop runs, Ctrl-C raises KeyboardInterrupt: reading is harmless to
            # stop, and writeback removes its temp file on any exception. The loop itself
            # stops on a flag, between batches.
            watcher, found, written = _started(root, config, options)
            from vaultkit.observe import Forward, observer_name, start_observer
            from vaultkit.watcher import describe

            observer = start_observer(
                Forward(events), root, polling=options.polling, interval=interval
            )
            # The parsed vault lives as long as the watcher: keep the cyclic garbage
            # collector from walking its millions of objects during every later batch. It
            # is on from here on (a command starts with it off: `cli.main`), so that the
            # garbage of each batch is collected.
            gc.freeze()
            gc.enable()
            with _stop_on_signals(stop) as flag:
                # Said once Ctrl-C stops the loop cleanly: a script that sends SIGINT
                # when it reads this line must not interrupt the observer's shutdown.
                logger.info(
                    "watching %s (%s, quiet period %g s); Ctrl-C to stop",
                    root, observer_name(observer), options.quiet_period,
                )  # fmt: skip
                if written:
                    logger.info("updated %s", describe(written, ()))
                # What changed while the vault was read and its blocks written made no
                # event: found now, as the events queued meanwhile would be handled now.
                watcher.caught_up(api.moved_since(found, config), time.monotonic())
                serve(watcher, events, flag)
        except KeyboardInterrupt:
            pass
        finally:
            if observer is not None:
                observer.stop()
                observer.join(timeout=2 * interval + 1)
    logger.info("stopped")


def _started(
    root: Path, config: Config, options: WatchOptions
) -> tuple[Watcher, Survey, list[NoteUpdate]]:
    """A watcher of the vault as it is read now, its survey, and what bringing every block
    up to date wrote, before the observer starts: nothing else runs meanwhile, so that
    work is shared with forked processes as `lint`'s is (`halves.py`)."""
    found = api.survey(root, config)
    token = NEXT_MODULES.set(WATCH_MODULES)
    try:
        vault = api.load(root, config, found)
    finally:
        NEXT_MODULES.reset(token)
    from vaultkit.watcher import Watcher

    watcher = Watcher(vault, options)
    return watcher, found, watcher.fill(time.monotonic())


class _LevelFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        if record.levelno >= logging.WARNING:
            stamp, _, message = line.partition(" ")
            return f"{stamp} {record.levelname.lower()}: {message}"
        return line


def setup_logging() -> None:
    """Timestamped lines on stderr (`12:03:04 updated Hub.md (rollup)`), once."""
    package = logging.getLogger("vaultkit")
    if any(getattr(h, "vaultkit_watch", False) for h in package.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LevelFormatter("%(asctime)s %(message)s", datefmt="%H:%M:%S"))
    handler.vaultkit_watch = True  # type: ignore[attr-defined]
    package.addHandler(handler)
    package.setLevel(logging.INFO)
