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

import msgspec.structs
from watchdog.events import FileSystemEvent

from vaultkit import api, reaping
from vaultkit.config import Config, ConfigError
from vaultkit.configfile import config_files
from vaultkit.debounce import WatchOptions
from vaultkit.lock import VaultLock
from vaultkit.ownwrites import Stamp, stamp
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
    settings: Settings | None = None,
) -> bool:
    """The main loop: take events, and act on whatever is due, until asked to stop (False)
    or until the configuration files changed while no note waits (True)."""
    while not stop.requested:
        timeout = min(TICK, max(0.0, watcher.next_wakeup() - time.monotonic()))
        with contextlib.suppress(queue.Empty):
            at, event = events.get(timeout=timeout)
            watcher.handle(event, at)
            while True:
                at, event = events.get_nowait()
                watcher.handle(event, at)
        now = time.monotonic()
        watcher.tick(now)
        reaping.reap()  # the processes a batch's work was shared with, once ended
        if settings is not None and watcher.idle() and settings.moved(now):
            return True
    return False


class Settings:
    """The configuration `watch` runs with, and the files it is read from, by their stat.

    A change to them (saved, created, removed) is read again once the files have been
    unchanged for the quiet period, as a note is: an editor may write one in two steps.
    """

    def __init__(self, root: Path, explicit: Path | None, config: Config, quiet: float) -> None:
        self.root, self.explicit, self.config, self.quiet = root, explicit, config, quiet
        self.files = config_files(root, explicit)
        self.seen = self._stamp()
        self._moved: tuple[Stamp | None, ...] | None = None  # a new stamp
        self._since = 0.0  # when the files were first seen as `_moved`
        self._look_at = 0.0

    def moved(self, now: float) -> bool:
        """Whether the files changed and have been quiet since (looked at once a second)."""
        if now < self._look_at:
            return False
        self._look_at = now + min(1.0, self.quiet)
        stamp = self._stamp()
        if stamp == self.seen:
            self._moved = None
        elif stamp != self._moved:
            self._moved, self._since = stamp, now
        return self._moved is not None and now - self._since >= self.quiet

    def reread(self) -> Config | None:
        """The configuration read again; None when it is the same, or cannot be used (then
        said, and the one in use kept until the files change again)."""
        self.seen, self._moved = self._stamp(), None
        try:
            config = api.read_config(self.root, self.explicit)
        except ConfigError as error:
            logger.warning("%s; still using the configuration read before", error)
            return None
        if config == self.config:
            return None
        self.config = config
        return config

    def _stamp(self) -> tuple[Stamp | None, ...]:
        return tuple(stamp(path) for path in self.files)


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
    options = WatchOptions(quiet_period=period, polling=polling, verify=verify)
    run(root, config, options, explicit=config_path, period_given=quiet_period is not None)


def run(
    root: Path,
    config: Config,
    options: WatchOptions,
    stop: StopFlag | None = None,
    *,
    explicit: Path | None = None,
    period_given: bool = True,
) -> None:
    """Watch the vault at `root` until SIGINT or SIGTERM (or `stop` is set).

    When its configuration files change (`explicit`, else those `config.load` looks for),
    the configuration is read again, and if it differs the vault is watched anew with it:
    read again and every block brought up to date, as at start. Its quiet period follows
    the configuration unless it was `period_given`.

    Raises `WatchError` when another watcher holds the vault.
    """
    settings = Settings(root, explicit, config, options.quiet_period)
    with VaultLock(root), contextlib.suppress(KeyboardInterrupt):
        while (changed := _watched(root, settings, options, stop)) is not None:
            if not period_given:
                options = msgspec.structs.replace(options, quiet_period=changed.quiet_period)
                settings.quiet = options.quiet_period
            # The vault read with the configuration before is garbage now, and was frozen.
            gc.unfreeze()
            gc.collect()
            logger.info("configuration changed: reading the vault again")
    logger.info("stopped")


def _watched(
    root: Path, settings: Settings, options: WatchOptions, stop: StopFlag | None
) -> Config | None:
    """Watch the vault with `settings.config` until stopped (None) or until it changed
    (the configuration now in `settings`)."""
    events: queue.Queue[tuple[float, FileSystemEvent]] = queue.Queue()
    interval = min(1.0, options.quiet_period)
    observer = None
    try:
        # Until the loop runs, Ctrl-C raises KeyboardInterrupt: reading is harmless to
        # stop, and writeback removes its temp file on any exception. The loop itself
        # stops on a flag, between batches.
        watcher, found, written = _started(root, settings.config, options)
        reaping.reap(wait=True)  # the processes that shared its work: none lingers on
        from vaultkit.observe import Forward, observer_name, start_observer
        from vaultkit.watcher import describe

        observer = start_observer(Forward(events), root, polling=options.polling, interval=interval)
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
            watcher.caught_up(api.moved_since(found), time.monotonic())
            while serve(watcher, events, flag, settings):
                changed = settings.reread()
                if changed is not None:
                    return changed
    finally:
        if observer is not None:
            observer.stop()
            observer.join(timeout=2 * interval + 1)
    return None


def _started(
    root: Path, config: Config, options: WatchOptions
) -> tuple[Watcher, Survey, list[NoteUpdate]]:
    """A watcher of the vault as it is read now, its survey, and what bringing every block
    up to date wrote, before the observer starts: nothing else runs meanwhile, so that
    work is shared with forked processes as `lint`'s is (`halves.py`)."""
    token = NEXT_MODULES.set(WATCH_MODULES)
    try:
        vault, found = api.load_surveyed(root, config)
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
