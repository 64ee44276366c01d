"""The values that flow between vaultkit's stages.

Every value here is immutable and complete when built. Positions are 1-based lines and
columns in the file as saved (front matter included, a byte-order mark not counted);
columns count Unicode code points, so a CJK character is one column.
"""

from __future__ import annotations

import copyreg
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from enum import Enum, IntEnum, StrEnum
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

import msgspec

EMPTY_MAPPING: Mapping[str, object] = MappingProxyType({})

if TYPE_CHECKING:
    Paths = tuple[PurePosixPath, ...]
else:

    class Paths(tuple):
        """`tuple[PurePosixPath, ...]`, as a field of a value kept between runs declares a
        long tuple of paths: its paths are read back all at once (`packing`), not each by
        a call of its own (a run after one edit read 10,000 paths, in 5 ms more). Such a
        field holds a plain tuple as made, and one of this class as read back."""

        __slots__ = ()


class Record(msgspec.Struct, frozen=True, eq=False):
    """A value one stage hands the next, compared by identity: built by msgspec in C, its
    class made at import for a fortieth of a dataclass's cost (which compiles each method
    it generates: a run after one edit made 77 dataclasses, 28 ms). Subclasses say
    `frozen=True` again, for mypy; `msgspec.structs.force_setattr` fills a field late."""


class Value(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """An immutable value that compares and hashes by its fields, as a frozen dataclass
    does, built by msgspec in C: a note's parse makes hundreds of them, and a frozen
    dataclass's `__init__` (one `object.__setattr__` per field) cost ten times as much.
    Subclasses inherit the options (and say `frozen=True` again, for mypy):

    - `gc=False`: the collector never scans them. A value holds only text, numbers, paths,
      other values and front matter read from YAML, so no reference cycle runs through it;
      `NoteProgress`, whose `unlocks` may be a view of the graph, leaves this on.
    - `array_like=True`: MessagePack holds the fields in order, without their names (the
      cache's notes are a third the size, and quicker to write and read). The cache is
      keyed by vaultkit's source (`cache.stamp`), so a changed field order is never misread.

    `msgspec.structs.replace` makes a changed copy; `force_setattr` sets a field while a
    decoded value is finished (`packing.decode`).
    """


def _mapping_proxy(items: dict[str, object]) -> MappingProxyType[str, object]:
    return MappingProxyType(items)


def _pickle_mapping_proxy(
    proxy: MappingProxyType[str, object],
) -> tuple[object, tuple[dict[str, object]]]:
    return _mapping_proxy, (dict(proxy),)


# Notes hold read-only mappings (front matter), which pickle cannot send by default.
copyreg.pickle(MappingProxyType, _pickle_mapping_proxy)  # type: ignore[arg-type]


class ExitCode(IntEnum):
    """What every command exits with."""

    CLEAN = 0
    FINDINGS = 1  # any finding of a selected rule, a block out of date, a note not synced
    ERROR = 2  # usage, configuration or vault errors
    INTERRUPTED = 130  # Ctrl-C, as a shell reports a process stopped by SIGINT


def content_digest(data: bytes) -> str:
    """A note's identity by content: the sha256 of its bytes, in hex."""
    return hashlib.sha256(data).hexdigest()


def percent(done: int, total: int) -> int:
    """Whole percent, rounded down, so 99.9% never reads as 100%."""
    return done * 100 // total if total > 0 else 0


def path_order(path: PurePosixPath) -> tuple[str, ...]:
    """A sort key giving `PurePosixPath`'s own order, compared in C: sorting thousands of
    paths by their Python `__lt__` is what a watcher's batch would spend most time on."""
    return path.parts


class Span(Value, frozen=True, order=True):
    """Where something was written: start line/col, and the end (exclusive) on end_line."""

    line: int
    col: int
    end_line: int
    end_col: int


class Diagnostic(Value, frozen=True, order=True):
    """One finding, ordered by path, line, column and code (then the message)."""

    path: PurePosixPath
    line: int
    col: int
    code: str
    message: str


LinkKind = Literal["wiki", "markdown", "property"]


class Edit(Value, frozen=True):
    """A fix: replace `old`, written at line:col, by `new` (checked before it applies)."""

    line: int
    col: int
    old: str
    new: str


class Link(Value, frozen=True):
    """A link or embed as written; resolution happens in the vault index.

    `![[Project Alpha#Plan#Risks|the plan]]` is target "Project Alpha", headings
    ("Plan", "Risks"), alias "the plan", embed True. `[[#Plan]]` has target "".
    Markdown links are URL-decoded (`My%20Note.md` -> "My Note.md").
    """

    target: str
    headings: tuple[str, ...]
    block: str | None  # "abc" for [[Note#^abc]]
    alias: str | None
    embed: bool
    kind: LinkKind
    span: Span  # the whole link as written, `![[` ... `]]` included
    property: str | None = None  # the front-matter key, for kind "property"


class Tag(Value, frozen=True):
    """A tag Obsidian reads: `name` without the `#`, as written (case kept)."""

    name: str
    span: Span
    in_frontmatter: bool


class Heading(Value, frozen=True):
    level: int
    text: str  # inline text as written, trimmed
    span: Span


class BlockId(Value, frozen=True):
    id: str  # without the `^`
    span: Span


class Field(Value, frozen=True):
    """A Dataview inline field: `key:: value`, `[key:: value]` or `(key:: value)`."""

    key: str
    value: str  # raw text, trimmed
    span: Span
    links: tuple[Link, ...]  # wikilinks inside the value


class Task(Value, frozen=True):
    """A task list item: `- [c] text`, also inside quotes and callouts."""

    status: str  # the one character between the brackets
    text: str  # what follows `] `, trimmed
    span: Span  # the status character's position (col points at `c` in `[c]`)


class MalformedTask(Value, frozen=True):
    """A line that tries to be a task and is not one (`-[ ]`, `- []`, `- [ ]x`)."""

    span: Span  # the start of the would-be list marker
    written: str  # the offending prefix as written, e.g. "-[ ]"
    fixed: str  # what it should read, e.g. "- [ ]"


class Block(Value, frozen=True):
    """One managed block. Spans are the marker comments, in file lines and columns."""

    kind: str
    params: Mapping[str, str]  # in the order written; a read-only view (not hashed)
    begin: Span
    end: Span

    def __hash__(self) -> int:  # the parameters are a read-only view, which has no hash
        return hash((self.kind, self.begin, self.end))

    def contains_line(self, line: int) -> bool:
        """Whether a file line lies strictly between the markers (generated text)."""
        return self.begin.line < line < self.end.line

    @property
    def label(self) -> str:
        """The begin marker's words after `vaultkit:begin`, e.g. `rollup group-by=phase`."""
        return " ".join([self.kind, *(f"{k}={_quote(v)}" for k, v in self.params.items())])


def _quote(value: str) -> str:
    return f'"{value}"' if not value or any(ch.isspace() for ch in value) else value


class BlockProblem(Value, frozen=True):
    """Why a note's markers cannot be used (VK502)."""

    span: Span
    message: str


class BlockScan(Value, frozen=True):
    """A note's managed blocks (`blocks.find_blocks`)."""

    blocks: tuple[Block, ...]  # well-formed blocks, in file order
    problems: tuple[BlockProblem, ...]  # when not empty, the note must not be written


class FrontmatterState(Enum):
    ABSENT = "absent"  # no front matter at all
    MAPPING = "mapping"  # parsed to a mapping
    INVALID = "invalid"  # present but not YAML, or not a mapping: the note is read-only


class Note(Value, frozen=True):
    """Everything vaultkit reads from one note. Built by `parse.parse_note`; never raises."""

    path: PurePosixPath  # vault-relative: the one key used everywhere
    digest: str  # sha256 hex of the bytes as read
    bom: bool
    newline: str  # "\n" or "\r\n": the style of the first line break (LF when none)
    decoded: bool  # False when the bytes are not UTF-8: the note is otherwise empty
    frontmatter_state: FrontmatterState
    frontmatter: Mapping[str, object]  # empty unless MAPPING
    property_lines: Mapping[str, int]  # top-level key -> 1-based line of the key
    body_line: int  # the 1-based line where the body starts (1 without front matter)
    headings: tuple[Heading, ...]
    block_ids: tuple[BlockId, ...]
    links: tuple[Link, ...]  # body wikilinks/markdown links, then property links
    tags: tuple[Tag, ...]  # front matter tags first, then body tags in order
    aliases: tuple[str, ...]
    fields: tuple[Field, ...]
    tasks: tuple[Task, ...]
    malformed_tasks: tuple[MalformedTask, ...]
    conflict_markers: tuple[Span, ...]  # git `<<<<<<<`/`=======`/`>>>>>>>` lines
    problems: tuple[Diagnostic, ...]  # VK001, VK002, VK005 found while parsing
    blocks: BlockScan  # the managed blocks' markers, found as `sync` finds them

    @property
    def title(self) -> str:
        return self.path.stem

    def parsed_from(self, data: bytes) -> bool:
        """Whether `data` are the bytes this note was parsed from (the file is unchanged)."""
        return content_digest(data) == self.digest


class VaultFiles(Value, frozen=True):
    """What discovery found: every file Obsidian shows, relative to the root."""

    root: Path
    notes: tuple[PurePosixPath, ...]  # .md files, sorted
    attachments: tuple[PurePosixPath, ...]  # every other file, sorted
    excluded: frozenset[PurePosixPath]  # notes under Obsidian's "Excluded files"
    # What could not be read; when one of them may hold notes, the vault is not whole.
    unread: tuple[Unread, ...] = ()
    problems: tuple[Diagnostic, ...] = ()  # findings about files that are not notes (VK005)

    @property
    def whole(self) -> bool:
        """Whether every note of the vault could be read."""
        return not any(entry.hides_notes for entry in self.unread)


class Unread(Value, frozen=True):
    """A file or folder of the vault that vaultkit skipped, and why."""

    path: PurePosixPath  # vault-relative; bytes of a name that are not UTF-8 shown as `\\xff`
    reason: str
    hides_notes: bool  # it is, or may hold, a note whose content vaultkit does not know


class State(StrEnum):
    """A note's state, as DESIGN.md defines it (a `str`, so it prints and serialises as-is)."""

    DONE = "done"
    IN_PROGRESS = "in-progress"
    BLOCKED = "blocked"
    READY = "ready"
    UNTRACKED = "untracked"
    DROPPED = "dropped"

    def __str__(self) -> str:
        return self.value


class DatedTask(Value, frozen=True):
    """An open task with a due or scheduled date (the Tasks plugin's `📅`, `⏳`)."""

    line: int
    task: str  # the description, metadata taken off
    due: date | None
    scheduled: date | None


class TaskWait(Value, frozen=True):
    """An open task that waits, by the Tasks plugin's `⛔`, on an open task of another note."""

    line: int  # the waiting task's line in its note
    task: str  # its description
    on: PurePosixPath  # the note of the task it waits on
    on_line: int
    on_task: str


class NoteProgress(Value, frozen=True, gc=True):
    """One note's progress and place in the dependency graph."""

    path: PurePosixPath
    title: str
    state: State
    done: int
    total: int  # counted tasks: todo + in progress + done (cancelled ones leave the total)
    in_progress: int
    cancelled: int
    unknown: int  # tasks whose status character is not mapped (counted as todo)
    group: str | None  # the group-by property's value: a linked note's title, or the text
    requires: tuple[PurePosixPath, ...]  # resolved prerequisites, in the order written
    blocked_by: tuple[PurePosixPath, ...]  # prerequisites that are not done
    unlocks: Sequence[PurePosixPath]  # every note that transitively depends on this one, sorted
    start: str | None  # ISO dates from the start/due properties
    due: str | None
    missing: tuple[str, ...] = ()  # prerequisites as written that name no note, sorted
    looping: tuple[PurePosixPath, ...] = ()  # blocked_by in a loop with this note: not blocking
    waiting: tuple[TaskWait, ...] = ()  # its open tasks that wait (⛔) on another note's task
    done_dates: tuple[date, ...] = ()  # the ✅ dates of its done tasks, sorted
    dated_tasks: tuple[DatedTask, ...] = ()  # its open tasks with a 📅 due or ⏳ scheduled date

    @property
    def percent(self) -> int:
        """Whole percent done, rounded down; a done note without tasks is 100."""
        if self.total:
            return percent(self.done, self.total)
        return 100 if self.state is State.DONE else 0


class Tally(Value, frozen=True):
    """Totals over some notes; dropped notes leave every total."""

    notes: int
    done_notes: int
    done: int
    total: int

    @property
    def percent(self) -> int:
        """Tasks done; for notes without tasks (all tracked by status), notes done."""
        if self.total:
            return percent(self.done, self.total)
        return percent(self.done_notes, self.notes)


def tally(items: Iterable[NoteProgress]) -> Tally:
    counted = [item for item in items if item.state is not State.DROPPED]
    return Tally(
        notes=len(counted),
        done_notes=sum(item.state is State.DONE for item in counted),
        done=sum(item.done for item in counted),
        total=sum(item.total for item in counted),
    )
