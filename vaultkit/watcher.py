"""The watcher's decisions: which notes to read again, what to write, when to rescan.

`Watcher` is driven by `handle` (an event seen at a time) and `tick` (it is now this
time), so tests replay recorded events on a fake clock; `watch.py` runs it on real ones.
Everything it keeps between batches about the vault is one object, `live.LiveVault`; it
drops the one event each of its own writes makes (`ownwrites.py`), waits for quiet
(`debounce.py`), and writes only through `writeback.apply`.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import sys
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

from watchdog.events import FileSystemEvent

from vaultkit import api, syncing, writeback
from vaultkit.debounce import Debouncer, Verdict, WatchOptions, WriteLimiter, classify
from vaultkit.live import LiveVault, compare
from vaultkit.model import content_digest
from vaultkit.ownwrites import OwnWrites
from vaultkit.vault import Vault
from vaultkit.wording import plural
from vaultkit.writeback import Outcome

logger = logging.getLogger(__name__)

DESCRIBED = 10  # notes named in one `updated ...` line


class Watcher:
    """The watcher's decisions, driven by `handle` and `tick` with explicit times.

    Nothing here sleeps or reads the clock, so tests replay events with a fake one. What
    it knows of the vault is one object, `state` (`live.LiveVault`).
    """

    def __init__(self, vault: Vault, options: WatchOptions) -> None:
        self.state = LiveVault(vault)
        self.options = options
        self.debouncer = Debouncer(options.quiet_period, options.ceiling)
        self.limiter = WriteLimiter(options.write_limit, options.limit_window)
        self.own = OwnWrites(vault.root)
        self._held: set[PurePosixPath] = set()  # writes skipped: retried at the rescan
        self._deferred: set[PurePosixPath] = set()  # found empty once: given one more period
        self._reported: dict[PurePosixPath, tuple[str, ...]] = {}  # problems already logged
        self._rescan_at = float("inf")
        self._unverified = False  # `options.verify`: a batch ran since the last check

    @property
    def vault(self) -> Vault:
        return self.state.vault

    # events in

    def handle(self, event: FileSystemEvent, at: float) -> None:
        """An event seen at `at`: touch the notes it names, unless it is our own write."""
        change = classify(event, self.vault.root)
        if change.rescan:
            self._rescan_at = min(self._rescan_at, at + self.options.quiet_period)
        for path in change.paths:
            if not self.own.claims(path):
                self.debouncer.touch(path, at)

    def idle(self) -> bool:
        """No note waits to be quiet, and no write of its own waits to be read back."""
        return not self.debouncer and not self.own.waiting()

    def next_wakeup(self) -> float:
        deadline = self.debouncer.next_deadline()
        return self._rescan_at if deadline is None else min(deadline, self._rescan_at)

    # work out

    def tick(self, now: float) -> None:
        """Handle the notes that are quiet at `now`, and rescan when it is time."""
        due = self.debouncer.due(now)
        ready = self._settled(due, now) if due else []
        if ready:
            self._update(ready, now)
        elif self.own.waiting():
            self._read_back(now)
        if now >= self._rescan_at:
            self.rescan(now)
        elif self._unverified and self.idle():
            self.verify(now)

    def start(self, now: float) -> list[syncing.NoteUpdate]:
        """Right after the vault is loaded: bring every block up to date; what was written."""
        written = self.fill(now)
        self._read_back(now)  # now, not on the first edit: it can be thousands of notes
        return written

    def fill(self, now: float) -> list[syncing.NoteUpdate]:
        """`start` before the observer runs: every block brought up to date, what was
        written read back only once it runs (`caught_up`)."""
        self._rescan_at = now + self.options.rescan_every
        return self._update(None, now, log=False)

    def caught_up(self, moved: Iterable[PurePosixPath], now: float) -> None:
        """Right after the observer started, when `fill` ran before it: read back what it
        wrote, and look again at the notes that `moved` since the vault was surveyed
        (`vault.moved_since`) and do not hold the bytes read: no event told of them."""
        self.own.unobserved()
        self._read_back(now)
        notes = self.vault.notes
        for path in moved:
            if path not in notes or not self.vault.unchanged_on_disk(path):
                self.debouncer.touch(path, now)

    def rescan(self, now: float) -> None:
        """Compare the state with a fresh load of the vault, and repair what differs.

        A note whose bytes the state has not read (its event was lost, or is on the way)
        is looked at again, and the comparison is tried again once it was; then anything
        else that differs is replaced by the fresh load, and every block is brought up to
        date. Held writes are retried.
        """
        self._read_back(now)
        held, self._held = sorted(self._held), set()
        for path in held:
            if path not in self.debouncer:
                self.debouncer.touch(path, now)
        compared = self._repair(now, "rescan")
        release_memory()
        self._rescan_at = now + (self.options.rescan_every if compared else self.options.ceiling)

    def verify(self, now: float) -> None:
        """With `options.verify`: after a batch, compare the state with a fresh load."""
        self._unverified = False
        self._repair(now, "verify")

    def _repair(self, now: float, why: str) -> bool:
        """`rescan` and `verify`; False when some notes were not read yet (so not compared)."""
        fresh = self.state.fresh()
        comparison = compare(self.state.now, fresh.now)
        if comparison.behind:
            missed = [path for path in comparison.behind if path not in self.debouncer]
            if missed:
                logger.info("%s: looking again at %s", why, _names(missed))
            for path in missed:
                self.debouncer.touch(path, now)
            return False
        # After `verify`, any difference is a bug: say so loudly.
        level = logging.ERROR if why == "verify" else logging.WARNING
        if comparison.drifted:
            logger.log(level, "%s: the watcher's state differed from the vault on disk (%s); "
                       "read it again", why, "; ".join(comparison.drifted))  # fmt: skip
            self.state = fresh
        elif fresh.vault.files != self.vault.files:
            self.state = fresh  # attachments came or went: they make no events here
        # Without a difference every block was planned from this very state, when what it
        # shows last changed: only the managed canvases, which make no events, are planned.
        replanned = None if self.state is fresh else self._canvases()
        written = self._update(None, now, log=False, planned=replanned)
        if written:
            level = level if comparison.drifted or why == "verify" else logging.INFO
            logger.log(level, "%s: updated %s", why, describe(written, ()))
            self._read_back(now)
        return True

    def _canvases(self) -> list[PurePosixPath]:
        return [PurePosixPath(spec.path) for spec in self.vault.config.canvases]

    def _settled(self, due: list[PurePosixPath], now: float) -> list[PurePosixPath]:
        """Drop the notes found empty for the first time: likely half written (row 7)."""
        ready = []
        for path in due:
            if path not in self._deferred and self._looks_truncated(path):
                self._deferred.add(path)
                self.debouncer.touch(path, now)
                continue
            self._deferred.discard(path)
            ready.append(path)
        return ready

    def _looks_truncated(self, path: PurePosixPath) -> bool:
        note = self.vault.notes.get(path)
        if note is None or note.digest == EMPTY_DIGEST:
            return False
        try:
            return (self.vault.root / path).stat().st_size == 0
        except OSError:
            return False

    def _update(
        self,
        changed: Sequence[PurePosixPath] | None,
        now: float,
        *,
        log: bool = True,
        planned: Sequence[PurePosixPath] | None = None,
    ) -> list[syncing.NoteUpdate]:
        """Re-read `changed`, then write the blocks that depend on them; with `changed`
        None, nothing is re-read and the blocks of `planned` (None: every block) are written.

        Any error is logged for this batch and watching goes on (STYLE.md §7); what was
        written before it is still reported.
        """
        written: list[syncing.NoteUpdate] = []
        self._unverified = self.options.verify and changed is not None
        try:
            if changed is None:
                plan = api.plan_sync(self.vault, self.state.progress, planned)
                self._write_all(plan, now, written)
            else:
                self._update_changed(changed, now, written)
        except Exception:
            logger.exception("error while updating after changes to %s", _names(changed or ()))
        if written and log:
            logger.info("updated %s", describe(written, changed or ()))
        return written

    def _update_changed(
        self, changed: Sequence[PurePosixPath], now: float, written: list[syncing.NoteUpdate]
    ) -> None:
        # The state before must hold our last writes, or blocks seem edited away.
        self._read_back(now, besides=changed)
        before = self.state.refresh(changed)
        # The edited notes first, before the rest is even looked for: that is where the
        # user is looking.
        self._write_all(api.plan_sync(self.vault, self.state.progress, changed), now, written)
        targets = self.state.who_shows(changed, before)
        # A note waiting to be quiet is planned when its own turn comes.
        others = {path for path in targets.difference(changed) if path not in self.debouncer}
        self._write_all(api.plan_sync(self.vault, self.state.progress, others), now, written)

    def _write_all(
        self, plan: syncing.SyncPlan, now: float, written: list[syncing.NoteUpdate]
    ) -> None:
        """Write `plan`'s updates, appending the ones written to `written`."""
        self._report(plan, now)
        for update in plan.updates:
            if update.path in self.debouncer:
                continue  # being edited: planned again when it is quiet
            if self._write(update, now):
                # The state must hold our bytes before the next plan; reading them back
                # is left for when nothing is waiting (or the next batch).
                written.append(update)

    def _read_back(self, now: float, besides: Iterable[PurePosixPath] = ()) -> None:
        """Read our own writes into the state; a note changed since is looked at again.

        `besides`: notes about to be read anyway.
        """
        ours, changed = self.own.take_unread(besides)
        for path in changed:
            if path not in self.debouncer:
                self.debouncer.touch(path, now)
        if not ours:
            return
        try:
            self.state.refresh(ours)
        except Exception:
            logger.exception("error while reading back %s", _names(ours))

    def _write(self, update: syncing.NoteUpdate, now: float) -> bool:
        path = update.path
        verdict = self.limiter.check(path, now)
        if verdict is Verdict.TRIP:
            logger.warning(
                "not writing %s for %.0f s: written %d times in %.0f s "
                "(is another program rewriting its blocks?)",
                path, self.options.limit_window, self.options.write_limit,
                self.options.limit_window,
            )  # fmt: skip
        if verdict is not Verdict.WRITE:
            self._held.add(path)
            return False
        result = api.write_planned(self.vault, update)
        return self._record(update, result, now)

    def _record(
        self, update: syncing.NoteUpdate, result: writeback.WriteResult, now: float
    ) -> bool:
        path, outcome = update.path, result.outcome
        if outcome is Outcome.WRITTEN:
            self.own.record(path, update.new)
            self.limiter.record(path, now)
            return True
        if outcome is Outcome.CONFLICT:
            # The user saved between our read and our write: their bytes stay, and the
            # note is planned again once it is quiet (WRITE-SAFETY.md row 9).
            logger.info("%s changed while it was being updated; looking again", path)
            self.debouncer.touch(path, now)
        elif outcome is Outcome.REFUSED:
            self._note_problems(path, (result.detail,))
        elif outcome is Outcome.FAILED:
            logger.error("could not write %s: %s", path, result.detail)
            self._held.add(path)
        return False

    def _report(self, plan: syncing.SyncPlan, now: float) -> None:
        """Log the notes left alone; a note that changed under the plan is looked at again."""
        by_note: dict[PurePosixPath, list[str]] = {}
        for problem in plan.problems:
            by_note.setdefault(problem.path, []).append(problem.message)
        for skip in plan.skipped:
            if skip.path in self.vault.notes and not self.vault.unchanged_on_disk(skip.path):
                self.debouncer.touch(skip.path, now)
            else:
                by_note.setdefault(skip.path, []).append(skip.reason)
        for path, messages in sorted(by_note.items()):
            self._note_problems(path, messages)

    def _note_problems(self, path: PurePosixPath, messages: Sequence[str]) -> None:
        """Log why a note's blocks are left alone, once until the reason changes."""
        if self._reported.get(path) != tuple(messages):
            self._reported[path] = tuple(messages)
            logger.warning("skipped %s: %s", path, "; ".join(messages))


EMPTY_DIGEST = content_digest(b"")


def release_memory() -> None:
    """Free the fresh load a rescan compared with and hand the pages back to the system:
    without this, a watcher of 10,000 notes stays a fifth larger after its first rescan."""
    gc.collect()
    if sys.platform.startswith("linux"):
        # Not glibc (no such library or function): its allocator gives pages back itself.
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def _names(paths: Iterable[PurePosixPath]) -> str:
    return ", ".join(str(path) for path in paths) or "the vault"


def describe(written: Sequence[syncing.NoteUpdate], changed: Sequence[PurePosixPath]) -> str:
    """`Skills/Docker.md (progress), Hub.md (rollup, next)`: the edited notes first."""
    first = set(changed)
    ordered = sorted(written, key=lambda update: (update.path not in first, update.path))
    shown = [f"{u.path} ({', '.join(u.kinds)})" for u in ordered[:DESCRIBED]]
    if len(ordered) > DESCRIBED:
        shown.append(f"and {plural(len(ordered) - DESCRIBED, 'more note')}")
    return ", ".join(shown)
