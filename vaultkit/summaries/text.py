"""Shared pieces of rendered text: bars, counts, links, table cells, Mermaid-safe labels.

Everything here is pure and small; the block renderers compose it.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import quote

import msgspec
from msgspec import field

from vaultkit.bars import bar
from vaultkit.index import LinkIndex
from vaultkit.model import NoteProgress

# Characters that cannot appear in a wikilink target: Obsidian reads them as the
# heading, block, alias or link syntax.
WIKILINK_UNSAFE = frozenset("[]|#^")
# ASCII punctuation that could start Markdown syntax in plain text; a backslash escapes it.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#~$%=])")
# Whitespace runs, line breaks included: a name in rendered text stays on one line.
SPACES = re.compile(r"\s+")
# Mermaid reads `#name;` as an entity and `<`/`>` as HTML in labels; `#` goes first so the
# entities added for the others are not escaped again. `%` because Mermaid strips a
# `%%{...}%%` directive from anywhere in the source, label or not (and applies it).
MERMAID_ENTITIES = (
    ("#", "#35;"),
    ('"', "#quot;"),
    ("<", "#lt;"),
    (">", "#gt;"),
    ("%", "#37;"),
)
# Gantt task and section names end at `:`, `#` and `;`; full-width forms read the same.
GANTT_REPLACEMENTS = str.maketrans({":": "：", "#": "＃", ";": "；"})


def one_line(text: str) -> str:
    return SPACES.sub(" ", text).strip()


def markdown_text(text: str) -> str:
    """Plain text made safe to put in Markdown: no syntax, one line."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", one_line(text))


def cell(text: str) -> str:
    """Markdown for a table cell: a pipe would end the cell (in a wikilink too)."""
    return one_line(text).replace("|", "\\|")


def progress_bar(percent_done: int) -> str:
    """`▓▓▓▓▓▓░░░░ 60%`: ten cells, rounded down, so only 100% fills the bar."""
    return f"{bar(percent_done, 100)} {percent_done}%"


def task_counts(item: NoteProgress) -> str:
    """`6/10 tasks`, or `no tasks` for a note tracked by its status alone."""
    return f"{item.done}/{item.total} tasks" if item.total else "no tasks"


# Nothing compares or prints these (`model.record` says why this matters).
class Namer(msgspec.Struct, eq=False):
    """How the note `source` names other notes in a link, the way Obsidian will resolve it.

    `[[Title]]` when that opens the note unambiguously from `source`; else the path from the
    vault root without `.md`, `[[Folder/Title|Title]]`; a name Obsidian cannot put in a
    wikilink at all becomes a Markdown link.
    """

    index: LinkIndex
    source: PurePosixPath
    _cache: dict[PurePosixPath, str | None] = field(default_factory=dict)

    def target(self, path: PurePosixPath) -> str | None:
        """The wikilink target for `path`, or None when no wikilink can reach it."""
        if path not in self._cache:
            self._cache[path] = self._find_target(path)
        return self._cache[path]

    def _find_target(self, path: PurePosixPath) -> str | None:
        text = str(path)
        if not WIKILINK_UNSAFE.isdisjoint(text):
            return None
        stem = path.stem
        if self._opens(stem, path):
            return stem
        suffix = path.suffix
        written = text[: -len(suffix)] if suffix else text
        return written if self._opens(written, path) else None

    def _opens(self, written: str, path: PurePosixPath) -> bool:
        """Whether `[[written]]` in the source opens `path` and nothing else."""
        found = self.index.resolve_target(written, self.source)
        return found.path == path and not found.ambiguous

    def label(self, path: PurePosixPath) -> str:
        """What a node or task shows for the note: its link target, so Obsidian can open it."""
        return self.target(path) or path.stem

    def link(self, path: PurePosixPath) -> str:
        target = self.target(path)
        if target is None:
            return f"[{markdown_text(path.stem)}]({quote(str(path))})"
        if target == path.stem:
            return f"[[{target}]]"
        return f"[[{target}|{path.stem}]]"


def mermaid_label(text: str) -> str:
    """Text for inside a quoted Mermaid label `["..."]`."""
    text = one_line(text)
    for char, entity in MERMAID_ENTITIES:
        text = text.replace(char, entity)
    return text


def gantt_text(text: str) -> str:
    """A gantt section or task name: one line, no `:`, `#` or `;`, no `%%` comment."""
    return one_line(text.translate(GANTT_REPLACEMENTS).replace("%%", "% %"))
