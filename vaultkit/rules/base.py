"""The shape of a rule module, the context its `check` receives, and its docstring examples.

A rule is a module (STYLE.md §3) named after its code, `vk101_broken_link.py`, with:

- `CODE`, `NAME` (kebab-case), `SCOPE`, `SEVERITY`, `FIXABLE`, `DEFAULT_ENABLED`;
- `Options`: a frozen `msgspec.Struct`, each field with a default, filled from
  `[rules.VK101]` in the configuration (kebab-case keys there, snake_case fields here);
- `check`: a generator of `Diagnostic`. A "note" rule is called as `check(note, ctx)` with a
  `NoteContext` once for every note reported on; a "vault" rule as `check(ctx)` with a
  `VaultContext` once per run, and reports on the notes in `ctx.paths`;
- a docstring: a summary line, then `## Why`, `## Example`, `## Fix`, which
  `vaultkit rules CODE` prints.

A fix is an `Edit` given to `ctx.report(...)`; `vaultkit lint --fix` applies the edits of
the findings that are not silenced, through `writeback.apply`, and lints again.

## Docstring examples

`## Example` holds fenced blocks whose info string is `markdown` and then a role:

    ```markdown fails at=2:5
    the note under test; vaultkit must report this rule's code at line 2, column 5 and
    nothing else in this note (several positions: `at=2:5,3:1`)
    ```
    ```markdown passes
    the same note, corrected: nothing is reported in it
    ```
    ```markdown file path=Other.md
    another note the examples need (`for=fails` or `for=passes` limits it to one of them)
    ```

More words are `key=value` (shell quoting for spaces): `path="Plan (Conflicted copy).md"`
names the note under test (default `note.md`); `at=file` means a finding about the whole
file, reported at 1:1; `encoding=latin-1` writes the example in that encoding.

A test runs every example twice: as written, and with front matter added. A note without
front matter gets `---`, `fixture: added`, `---` above it, so every position moves three
lines down; a note that has front matter gets the line `fixture: added` merged in after its
opening `---`, so positions below line 1 move one line down. `at=file` positions never move.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar

import msgspec

from vaultkit.config import Config, ConfigError
from vaultkit.model import Diagnostic, Edit, Note, Record, Span
from vaultkit.source import Source
from vaultkit.wording import did_you_mean

if TYPE_CHECKING:
    from vaultkit.progress import Progress
    from vaultkit.vault import Vault

RuleScope = Literal["note", "vault"]
Severity = Literal["error", "warning"]
OptionsT = TypeVar("OptionsT")


class RuleModule(Protocol):
    """What `rules/__init__.py` lists: one module per rule."""

    CODE: str
    NAME: str
    SCOPE: RuleScope
    SEVERITY: Severity
    FIXABLE: bool
    DEFAULT_ENABLED: bool

    @property
    def Options(self) -> type[Any]: ...

    @property
    def check(self) -> Callable[..., Iterator[Diagnostic]]: ...


class NoOptions(msgspec.Struct, frozen=True):
    """The options of a rule that takes none: one class for every such rule. Options are
    structs, not dataclasses: making a dataclass costs 0.4 ms, each time the rules load."""


class Run(Record, frozen=True):
    """What every rule of one lint run shares; `fixes` collects the edits rules offer."""

    vault: Vault
    known: list[Progress]  # the vault's progress, once known: see `progress`
    source: Source
    fixes: dict[Diagnostic, Edit]

    @property
    def progress(self) -> Progress:
        """The vault's progress, computed when a rule first asks for it (no rule that checks
        one note at a time does: they can run before it is known, or beside it)."""
        if not self.known:
            from vaultkit.progress import compute

            self.known.append(compute(self.vault))
        return self.known[0]


# Contexts are not frozen: the lint loop moves one `NoteContext` per rule from note to
# note (its `path`). Nothing else changes them.
class VaultContext(msgspec.Struct, Generic[OptionsT], eq=False):
    code: str
    options: OptionsT
    run: Run
    paths: frozenset[PurePosixPath]  # the notes to report on

    @property
    def vault(self) -> Vault:
        return self.run.vault

    @property
    def progress(self) -> Progress:
        return self.run.progress

    @property
    def config(self) -> Config:
        return self.run.vault.config

    def report(
        self, path: PurePosixPath, at: Span, message: str, fix: Edit | None = None
    ) -> Diagnostic:
        """A finding of this rule in `path` at `at`'s start; `fix` is offered to --fix."""
        found = Diagnostic(path, at.line, at.col, self.code, message)
        if fix is not None:
            self.run.fixes[found] = fix
        return found


class NoteContext(VaultContext[OptionsT], eq=False):
    path: PurePosixPath  # the note being checked

    def report_here(self, at: Span, message: str, fix: Edit | None = None) -> Diagnostic:
        return self.report(self.path, at, message, fix)

    def line(self, number: int) -> str:
        return self.run.source.line(self.path, number)

    def text(self) -> str | None:
        return self.run.source.text(self.path)


def point(line: int, col: int) -> Span:
    """A position that is not the span of something parsed (a key, a whole file)."""
    return Span(line, col, line, col)


WHOLE_FILE = point(1, 1)

# A message names at most this many of the notes, tasks or files of a loop or a list, then
# how many more there are: in a loop of thousands, each member naming all the others was
# millions of names.
NAMED = 12


def named_list(names: Iterable[str], count: int, member: tuple[str, str]) -> str:
    """The `count` `names` joined by commas, `NAMED` at most, then how many more
    `member`s (singular, plural) there are."""
    shown = list(itertools.islice(names, NAMED))
    rest = count - len(shown)
    listed = ", ".join(shown)
    return listed if rest <= 0 else f"{listed} and {rest:,} more {member[rest > 1]}"


def named_loop(
    name_at: Callable[[int], str], length: int, link: str, member: tuple[str, str], last: str
) -> str:
    """A loop of `length` members read round from the first back to it: the name of the
    member `step` places on is `name_at(step)`, each joined to the next by `link`
    ("requires"). A longer loop than `NAMED` is named that far, then says how
    many more `member`s (singular, plural) there are, and that the `last` ("requiring")
    the first."""
    chain = f" {link} ".join(name_at(step) for step in range(min(length, NAMED)))
    if length <= NAMED:
        return f"{chain} {link} {name_at(0)}"
    count = length - NAMED
    more = f"{count:,} more {member[count > 1]}"
    return f"{chain} {link} {more}, the last {last} {name_at(0)}"


# -- front matter ---------------------------------------------------------------------


def properties(note: Note, names: Iterable[str]) -> Iterator[tuple[str, object]]:
    """(key as written, value) of each property named in `names`, in any case.

    Obsidian reads `Tags:` as `tags`, so reserved names are matched ignoring case.
    """
    if not note.frontmatter:
        return
    wanted = _folded(tuple(names))
    for key, value in note.frontmatter.items():
        if str(key).casefold() in wanted:
            yield str(key), value


@functools.lru_cache(maxsize=64)
def _folded(names: tuple[str, ...]) -> frozenset[str]:
    """The `names` casefolded: rules ask for the same few names in every note."""
    return frozenset(name.casefold() for name in names)


def locate(ctx: NoteContext[Any], note: Note, key: str, needle: str | None = None) -> Span:
    """Where `needle` is written in the property `key`'s lines; the key itself otherwise.

    YAML values lose their positions when parsed, so a finding about one list item looks
    for the item's text between the key and the next key (or the closing `---`).
    """
    first = note.property_lines.get(key)
    if first is None:
        return WHOLE_FILE
    if needle:
        for number in property_line_numbers(note, key):
            col = ctx.line(number).find(needle, len(key) if number == first else 0)
            if col >= 0:
                return Span(number, col + 1, number, col + 1 + len(needle))
    return point(first, 1)


def property_line_numbers(note: Note, key: str) -> range:
    """The 1-based lines of the property `key`: its key's line up to the next key or `---`."""
    first = note.property_lines.get(key)
    if first is None:
        return range(0)
    later = (line for line in note.property_lines.values() if line > first)
    return range(first, min(later, default=note.body_line - 1))


# -- options --------------------------------------------------------------------------


def build_options(rule: RuleModule, written: Mapping[str, object], where: str) -> object:
    """The rule's Options from `[rules.CODE]` as written; ConfigError for anything unknown."""
    known = {f.name.replace("_", "-"): f for f in msgspec.structs.fields(rule.Options)}
    values: dict[str, object] = {}
    for key, value in written.items():
        if key not in known:
            raise ConfigError(
                f"{where}: unknown option {key!r} for {rule.CODE}{did_you_mean(key, known)}"
            )
        default = known[key].default
        if (
            default is msgspec.NODEFAULT
        ):  # pragma: no cover - every option has a default (a test pins it)
            raise TypeError(f"{rule.CODE} option {key} has no default")
        values[known[key].name] = _coerce(value, default, f"{where}: {rule.CODE} option {key!r}")
    return rule.Options(**values)


def _coerce(value: object, default: object, what: str) -> object:
    if isinstance(default, tuple):
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise ConfigError(f"{what} must be a list of strings, not {value!r}")
    if isinstance(default, bool) or isinstance(value, bool):
        if isinstance(value, bool) and isinstance(default, bool):
            return value
        raise ConfigError(f"{what} must be {type(default).__name__}, not {value!r}")
    if isinstance(value, type(default)):
        return value
    raise ConfigError(f"{what} must be {type(default).__name__}, not {value!r}")


# -- docstring examples ---------------------------------------------------------------

Role = Literal["fails", "passes", "file"]
ROLES: Mapping[str, Role] = {"fails": "fails", "passes": "passes", "file": "file"}


class Example(Record, frozen=True):
    """One fenced `markdown` (or `json`, for a canvas) block of a rule's `## Example`."""

    role: Role
    text: str
    path: PurePosixPath
    at: tuple[tuple[int, int], ...]  # expected findings (line, col), for "fails"
    whole_file: bool  # `at=file`: the finding is about the file, at 1:1
    encoding: str
    used_by: tuple[Role, ...]  # for a "file": the examples that need it
    max_note_size: int | None  # `max-note-size=N`: linted with that size cap


def examples(doc: str) -> tuple[Example, ...]:
    """Every example block of a rule docstring, in order: its fenced code blocks whose info
    string starts with `markdown ` (or `json `, a canvas), read by markdown-it as any renderer
    of the docs reads them."""
    from markdown_it import MarkdownIt  # only the docs and their tests read examples

    return tuple(
        _example(token.info.strip(), token.content)
        for token in MarkdownIt("commonmark").parse(doc)
        if token.type == "fence" and token.info.startswith(("markdown ", "json "))
    )


def _example(info: str, text: str) -> Example:
    import shlex  # only the docs and their tests read examples

    words = shlex.split(info)
    role = ROLES.get(words[1])
    attrs = dict(word.split("=", 1) for word in words[2:])
    used_by = ROLES.get(attrs.get("for", ""))
    if role is None or (used_by is None and "for" in attrs):
        raise ValueError(f"unknown example role in {info!r}")
    at = attrs.get("at", "")
    return Example(
        role=role,
        text=text,
        path=PurePosixPath(attrs.get("path", "note.md")),
        at=((1, 1),) if at == "file" else tuple(_position(p) for p in at.split(",") if p),
        whole_file=at == "file",
        encoding=attrs.get("encoding", "utf-8"),
        used_by=("fails", "passes") if used_by is None else (used_by,),
        max_note_size=int(attrs["max-note-size"]) if "max-note-size" in attrs else None,
    )


def _position(text: str) -> tuple[int, int]:
    line, col = text.split(":")
    return int(line), int(col)
