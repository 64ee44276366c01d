"""The file-system observer behind `watch`: inotify through watchdog, or polling.

It only forwards events, stamped with the time they were seen, to the watcher's queue;
what an event means is decided on the main thread (`debounce.classify`).
"""

from __future__ import annotations

import errno
import logging
import queue
import time
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

logger = logging.getLogger(__name__)

# The events that can change a note (`debounce.classify`). Opening and reading files is
# left out, so inotify does not even send it: vaultkit reads every note at start, and
# with those events 10,000 notes made over 100,000 events for the first edit to wait on.
EVENT_FILTER: tuple[type[FileSystemEvent], ...] = (
    FileModifiedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    FileClosedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
)


class Forward(FileSystemEventHandler):
    """Runs on the observer's thread: stamp each event and hand it to the main thread."""

    def __init__(self, events: queue.Queue[tuple[float, FileSystemEvent]]) -> None:
        self.events = events

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.events.put((time.monotonic(), event))


def start_observer(
    handler: FileSystemEventHandler, root: Path, *, polling: bool, interval: float
) -> BaseObserver:
    """A running observer over the whole vault: native, or polling when that fails."""
    if not polling:
        native = Observer()
        try:
            native.schedule(handler, str(root), recursive=True, event_filter=list(EVENT_FILTER))
            native.start()
        except OSError as error:
            reason = _inotify_reason(error)
            logger.warning("%s; polling the vault every %.2g s instead", reason, interval)
        else:
            return native
    poller = PollingObserver(timeout=interval)
    poller.schedule(handler, str(root), recursive=True, event_filter=list(EVENT_FILTER))
    poller.start()
    return poller


def _inotify_reason(error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return "inotify is out of watches (raise fs.inotify.max_user_watches)"
    if error.errno == errno.EMFILE:
        return "inotify is out of instances (raise fs.inotify.max_user_instances)"
    return f"cannot watch the vault natively ({error.strerror or error})"


def observer_name(observer: BaseObserver) -> str:
    return type(observer).__name__.removesuffix("Observer").lower() or "native"
