"""When tasks became done, from a vault's git history, for people who do not date tasks.

`git log -p` over the vault's notes, oldest first, with rename detection. In each commit
and note, a task line added as done (`+- [x] Read the paper`) whose text was not already a
done task removed from that note in the same commit (`-- [x] Read the paper`, an edit or a
move) became done on that commit's author date. The text compared is the task's
description, metadata taken off (`taskmeta`), so adding a `✅` date is no new completion.
A note renamed in a commit takes its history along. The latest completion of each
(note, description) wins: a task unticked and ticked again was done the second time.

Only commits that touched notes are read (`-- '*.md'`), with no context lines, and the
result is kept in vaultkit's cache by commit, so a later run reads only the new commits.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path, PurePosixPath

import msgspec
from msgspec import field

from vaultkit.cache import FOLDER as CACHE_FOLDER
from vaultkit.taskmeta import read_task

COMMIT = "\x01"  # starts each commit's header line in the log format below
LOG_FORMAT = f"{COMMIT}%H %aI"
# A task line as git shows it in a diff, after the leading `+` or `-`: indentation,
# quote markers, a list marker, `[c]` and the text.
TASK_LINE = re.compile(r"[ \t]*(?:>[ \t]?)*(?:[-*+]|\d{1,9}[.)])[ \t]+\[(.)\][ \t]+(.*)")
C_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
GIT_TIMEOUT = 120.0  # seconds; a history that takes longer is refused, never waited on


class HistoryError(Exception):
    """The vault's history cannot be read: not a git repository, or git failed."""


class Completions(msgspec.Struct):
    """(note, task description) -> the date it last became done; the commit read up to."""

    head: str = ""
    done: dict[tuple[str, str], str] = field(default_factory=dict)  # ISO dates
    marks: str = ""  # the status characters that counted as done when it was read

    def dates(self, path: PurePosixPath, descriptions: Iterable[str]) -> list[date]:
        """The completion dates of these done tasks of one note, where history has them."""
        found = (self.done.get((str(path), text)) for text in descriptions)
        return sorted(date.fromisoformat(day) for day in found if day is not None)


def read_history(
    root: Path, done_kinds: Mapping[str, str], previous: Completions | None = None
) -> Completions:
    """The completions in the history of the repository that holds the vault at `root`.

    `done_kinds` maps status characters to kinds; `previous` (from the cache) is extended
    by the commits after its head when that head is still in the history and it was read
    with the same characters for done.
    """
    marks = "".join(sorted(char for char, kind in done_kinds.items() if kind == "done"))
    if previous is not None and previous.marks != marks:
        previous = None
    prefix = _git(root, "rev-parse", "--show-prefix").strip()
    try:
        head = _git(root, "rev-parse", "--verify", "-q", "HEAD").strip()
    except HistoryError:  # a repository without commits yet
        return Completions(marks=marks)
    if previous is not None and previous.head == head:
        return previous
    since = None
    if previous is not None and previous.head and _is_ancestor(root, previous.head):
        since = previous.head
    result = Completions(head, dict(previous.done) if previous is not None and since else {}, marks)
    revisions = f"{since}..HEAD" if since else "HEAD"
    log = _git(
        root,
        "-c",
        "core.quotepath=false",
        "log",
        "--reverse",
        "-M",
        "-p",
        "-U0",
        "--no-color",
        "--no-ext-diff",
        f"--format={LOG_FORMAT}",
        revisions,
        "--",
        ":(icase,glob)**/*.md",
    )
    apply_log(log, prefix, done_kinds, result)
    return result


def apply_log(log: str, prefix: str, done_kinds: Mapping[str, str], into: Completions) -> None:
    """Read `git log -p` output (oldest first) into `into`; paths relative to `prefix`."""
    for day, files in _commits(log):
        for old, new, added, removed in files:
            if old != new and old.startswith(prefix) and new.startswith(prefix):
                _rename(into.done, old[len(prefix) :], new[len(prefix) :])
            if not new.startswith(prefix):
                continue
            path = new[len(prefix) :]
            for text in _newly_done(added, removed, done_kinds):
                into.done[(path, text)] = day


def _rename(done: dict[tuple[str, str], str], old: str, new: str) -> None:
    for key in [key for key in done if key[0] == old]:
        done[(new, key[1])] = done.pop(key)


def _newly_done(added: list[str], removed: list[str], kinds: Mapping[str, str]) -> list[str]:
    """Done tasks added that were not done tasks removed (edits and moves are no news)."""
    was_done = Counter(_done_texts(removed, kinds))
    new = []
    for text in _done_texts(added, kinds):
        if was_done[text]:
            was_done[text] -= 1
        else:
            new.append(text)
    # A done task removed and another added in its place is an edit of its wording.
    unmatched = sum(was_done.values())
    return new[unmatched:]


def _done_texts(lines: list[str], kinds: Mapping[str, str]) -> Iterator[str]:
    for line in lines:
        match = TASK_LINE.fullmatch(line)
        if match and kinds.get(match.group(1)) == "done":
            yield read_task(match.group(2)).description


FileChange = tuple[str, str, list[str], list[str]]  # old path, new path, added, removed


def _commits(log: str) -> Iterator[tuple[str, list[FileChange]]]:
    for chunk in log.split(COMMIT)[1:]:
        header, _, body = chunk.partition("\n")
        day = header.split(" ", 1)[1][:10] if " " in header else ""
        yield day, list(_files(body))


def _files(body: str) -> Iterator[FileChange]:
    for chunk in re.split(r"^diff --git .*$", body, flags=re.MULTILINE)[1:]:
        yield _file(chunk.split("\n"))


def _file(lines: list[str]) -> FileChange:
    """One note's change: the header names it, the hunks after the first `@@` change it."""
    old = new = ""
    hunks = next((n for n, line in enumerate(lines) if line.startswith("@@")), len(lines))
    for line in lines[:hunks]:
        if line.startswith(("rename from ", "rename to ")):
            name = _unquote(line.split(" ", 2)[2])
            old, new = (name, new) if line.startswith("rename from ") else (old, name)
        elif line.startswith("--- "):
            old = old or _side(line[4:], "a/")
        elif line.startswith("+++ "):
            new = new or _side(line[4:], "b/")
    added = [line[1:] for line in lines[hunks:] if line.startswith("+")]
    removed = [line[1:] for line in lines[hunks:] if line.startswith("-")]
    return old, new, added, removed


def _side(name: str, side: str) -> str:
    name = _unquote(name.removesuffix("\t"))  # git ends a name holding a space with a tab
    return name[len(side) :] if name.startswith(side) else ""  # /dev/null: no such side


def _unquote(name: str) -> str:
    """git's C-style quoting of unusual paths (`"a\\"b.md"`, octal bytes), undone."""
    if not (len(name) >= 2 and name.startswith('"') and name.endswith('"')):
        return name
    out = bytearray()
    rest = name[1:-1]
    position = 0
    while position < len(rest):
        char = rest[position]
        if char != "\\" or position + 1 == len(rest):
            out += char.encode()
            position += 1
        elif rest[position + 1 : position + 4].isdigit():
            out.append(int(rest[position + 1 : position + 4], 8) & 0xFF)
            position += 4
        else:
            out += C_ESCAPES.get(rest[position + 1], rest[position + 1]).encode()
            position += 2
    return out.decode("utf-8", "replace")


def _is_ancestor(root: Path, commit: str) -> bool:
    try:
        _git(root, "merge-base", "--is-ancestor", commit, "HEAD")
    except HistoryError:
        return False
    return True


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise HistoryError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise HistoryError(f"git {args[0]} took longer than {GIT_TIMEOUT:.0f} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = message[-1] if message else f"git {args[0]} exited {done.returncode}"
        raise HistoryError(f"{root}: {reason}")
    return done.stdout.decode("utf-8", "replace")


# -- the cache ------------------------------------------------------------------------

CACHE_LIMIT = 64 * 1024 * 1024  # bytes: a larger file is not what vaultkit wrote


def cache_file(folder: Path, root: Path) -> Path:
    """Where the history of the vault at `root` is kept: in vaultkit's own folder inside
    the cache folder, beside the parse cache, never loose in a folder the user named."""
    name = hashlib.sha256(os.fsencode(root.resolve())).hexdigest()[:32]
    return folder / CACHE_FOLDER / f"history-{name}.json"


def load_cached(file: Path) -> Completions | None:
    """The completions kept in `file`; None when there are none that can be trusted."""
    try:
        data = _read_private(file)
        table = json.loads(data)
        head, done, marks = table["head"], table["done"], table.get("marks", "")
        if not isinstance(head, str) or not isinstance(done, list) or not isinstance(marks, str):
            return None
        return Completions(head, {(str(p), str(t)): str(d) for p, t, d in done}, marks)
    except (OSError, ValueError, TypeError, KeyError, RecursionError):  # not what we wrote
        return None


def save_cached(file: Path, completions: Completions) -> None:
    """Keep the completions for the next run; a cache that cannot be written is skipped."""
    done = [[path, text, day] for (path, text), day in sorted(completions.done.items())]
    table = {"head": completions.head, "done": done, "marks": completions.marks}
    data = json.dumps(table, ensure_ascii=False).encode()
    try:
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=file.parent, prefix=".history-")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, file)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def _read_private(file: Path) -> bytes:
    """The bytes of a regular file of this user's, in a folder only this user can write."""
    folder = os.stat(file.parent)
    if folder.st_uid != os.getuid() or folder.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise OSError(f"{file.parent}: not a private folder")
    fd = os.open(file, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
            raise OSError(f"{file}: not a regular file of this user's")
        if info.st_size > CACHE_LIMIT:
            raise OSError(f"{file}: too large")
        return handle.read(CACHE_LIMIT + 1)
