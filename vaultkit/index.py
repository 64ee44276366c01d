"""Resolve links the way Obsidian does: which file a link opens, and whether its heading
or block exists there.

The resolution order follows Obsidian's `MetadataCache.getLinkpathDest` (OBSIDIAN.md, "How
Obsidian resolves a link target"; reverse-engineered app code confirms the details below).
Every kind of link goes through it: Obsidian strips the `#subpath` of wikilinks, Markdown
links and property links alike and resolves the rest with that one function. So a Markdown
link `[t](sub/Note.md)` (URL-decoded by the parser) is not relative to the linking note
first: a root `sub/Note.md` wins (rule 6), and only then does the linking note's folder
come first (rule 7). `[t](./sub/Note.md)` and `../` are relative (rule 5).

1. An empty path (`[[#Heading]]`) is the linking note.
2. Names are compared case-insensitively (and after Unicode NFC normalisation).
3. The file name is looked up among all files: as written when it contains a dot
   (`Figure 1.png`, `Note.md`, `v1.2 notes`), else, or when that finds nothing, with
   `.md` added. So `.md` is optional for notes and required for every other file.
4. A bare name with exactly one candidate is that file.
5. `./` and `../` resolve against the linking note's folder; an exact hit wins, else the
   resolved path goes on through rules 6 and 7 (never back to the bare name).
6. An exact path from the vault root wins next (so `[[Note]]` opens a root `Note.md` even
   from a folder that has its own `Note.md`). With a leading `/` that is the only chance.
7. Otherwise: candidates whose path ends with the written path, those under the linking
   note's folder first, each group shortest path first, then alphabetical.

Two deliberate simplifications against Obsidian's code, both component-wise where Obsidian
compares strings: "ends with" and "under the folder" respect `/` boundaries (Obsidian's
`[[b/Note]]` also finds `ab/Note.md`), and the tie-break is alphabetical where Obsidian
keeps its internal file order.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Protocol

import msgspec

from vaultkit.model import Heading, Link, Note

# Obsidian's `stripHeading`: these characters (and line breaks) become spaces before
# headings are compared. Hyphen, underscore, apostrophe and full-width CJK punctuation
# are not in the set, so `計畫：Q1` and `計畫 Q1` are different headings.
HEADING_PUNCTUATION = frozenset('!"#$%&()*+,.:;<=>?@^`{|}~/[]\\\r\n')
_HEADING_TABLE = str.maketrans({char: " " for char in HEADING_PUNCTUATION})


@lru_cache(maxsize=65536)
def normalize_heading(text: str) -> str:
    """A heading as Obsidian compares it in `[[Note#Heading]]` links.

    Punctuation and line breaks become spaces, runs of whitespace collapse to one space,
    the ends are trimmed, and case is lowered the way JavaScript's `toLowerCase` does it
    (`str.lower`, not `casefold`: `ß` does not match `ss` in Obsidian).
    """
    return " ".join(text.translate(_HEADING_TABLE).split()).lower()


def find_heading(headings: Sequence[Heading], chain: Sequence[str]) -> int | None:
    """The index of the heading `[[Note#H1#H2]]` opens among the note's `headings`.

    Obsidian walks the headings in order: each name of the chain matches the first
    heading after the previous match that sits at a deeper level than it and reads the
    same (`normalize_heading`); a shallower heading in between does not break the chain.
    None when the chain does not match to its end (or is empty).
    """
    wanted = [normalize_heading(text) for text in chain]
    matched, level, found = 0, 0, None
    for number, heading in enumerate(headings):
        if matched == len(wanted):
            break
        if heading.level > level and normalize_heading(heading.text) == wanted[matched]:
            matched, level, found = matched + 1, heading.level, number
    return found if wanted and matched == len(wanted) else None


def heading_target(text: str) -> str:
    """A heading as written in a link to it: Obsidian's punctuation replaced by spaces, so
    it compares equal (`normalize_heading`) and cannot break the link's syntax."""
    return " ".join(text.translate(_HEADING_TABLE).split())


def _key(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


class Resolution(msgspec.Struct, frozen=True):
    """Where a link goes.

    `path` is the file Obsidian opens (None when unresolved). `candidates` are the files
    Obsidian's resolver returned, in its order: several only when the written path is
    ambiguous, and then `candidates[0] == path`. A link that matches exactly (a unique
    name, a root path, a `./` path) has one candidate even if other files share the name,
    because that is the link Obsidian itself writes for that file.

    `tie_break` says that Obsidian's pick among several candidates fell to the shortest
    path or to alphabetical order (VK105), not to the only candidate under the linking
    note's folder, which Obsidian opens without doubt.
    """

    path: PurePosixPath | None
    candidates: tuple[PurePosixPath, ...]
    tie_break: bool = False

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


UNRESOLVED = Resolution(None, ())


def _frozen(notes: Mapping[PurePosixPath, Note]) -> Mapping[PurePosixPath, Note]:
    """The notes, read-only; a vault's own are already, and may still be decoding."""
    return notes if isinstance(notes, MappingProxyType) else MappingProxyType(dict(notes))


class NamesKept(Protocol):
    """Where the files' names lowered (`lowered_names`) are kept between runs: they follow
    from the file names alone (`results.KeptNames`)."""

    def recall(self) -> list[str] | None: ...

    def keep(self, names: list[str]) -> None: ...


class LinkIndex:
    """Every file of the vault by lowercased file name, and the notes' headings and blocks.

    The names are indexed when a link is first resolved (a run that recalls its results
    resolves none), from the names lowered as an earlier run of the same file names kept
    them (`kept`), else in a few passes in C over every path joined into one text; the
    vault rebuilds the index whenever files change, and only swaps the notes in
    (`with_notes`) when just their contents did.
    """

    __slots__ = (
        "_anywhere",
        "_attachments",
        "_folders",
        "_kept",
        "_listed",
        "_lower",
        "_names",
        "_near",
        "_notes",
        "_ranked",
    )

    def __init__(
        self,
        notes: Mapping[PurePosixPath, Note],
        attachments: Sequence[PurePosixPath],
        kept: NamesKept | None = None,
    ) -> None:
        self._notes: Mapping[PurePosixPath, Note] = _frozen(notes)
        self._listed = attachments  # in the vault's order, as the names are kept
        self._attachments: frozenset[PurePosixPath] = frozenset(attachments)
        self._kept = kept
        self._lower: dict[PurePosixPath, str] = {}  # each file's path lowered, once asked
        self._names: list[Names] = []  # [the files by lowered name] once a link is resolved
        self._memo()

    def _memo(self) -> None:
        """Empty memos of resolutions, which depend on the file names only: a linkpath's
        when no folder matters, else its from a folder; and each note's folder, lowered."""
        self._anywhere: dict[str, Resolution] = {}
        self._near: dict[tuple[str, str], Resolution] = {}
        self._folders: dict[PurePosixPath, str] = {}
        # by written path, the files it may name, each lowered, in Obsidian's order of them
        self._ranked: dict[str, list[tuple[str, PurePosixPath]]] = {}

    def with_notes(self, notes: Mapping[PurePosixPath, Note]) -> LinkIndex:
        """The index of the same files with new note contents (headings, block ids).

        File names are all that resolving reads, so they are shared, not indexed again:
        the watcher asks for this after every edit.
        """
        if notes.keys() != self._notes.keys():
            raise ValueError("with_notes needs the same notes; build a new LinkIndex")
        index = object.__new__(LinkIndex)
        index._notes = _frozen(notes)
        index._attachments = self._attachments
        index._listed = self._listed
        index._kept = None  # kept for the vault as it was loaded, not as it is now
        index._lower = self._lower
        index._names = self._names
        index._anywhere = self._anywhere
        index._near = self._near
        index._folders = self._folders
        index._ranked = self._ranked
        return index

    def _files(self, name: str) -> list[PurePosixPath]:
        """The files whose lowered name is `name`, in the index's order of files."""
        if not self._names:
            paths = (*self._notes, *self._listed)
            names = None if self._kept is None else self._kept.recall()
            if names is None or len(names) != len(paths):
                names = lowered_names(paths)
                if self._kept is not None:
                    self._kept.keep(names)
            self._names.append(_names(paths, names))
        single, shared = self._names[0]
        found = shared.get(name)
        if found is not None:
            return found
        path = single.get(name)
        return [] if path is None else [path]

    def _lowered(self, path: PurePosixPath) -> str:
        found = self._lower.get(path)
        if found is None:
            found = self._lower[path] = _key(str(path))
        return found

    def __contains__(self, path: object) -> bool:
        return path in self._notes or path in self._attachments

    def resolve(self, link: Link, source: PurePosixPath) -> Resolution:
        """The file a link of any kind opens from the note `source`."""
        return self.resolve_target(link.target, source)

    def resolve_target(self, target: str, source: PurePosixPath) -> Resolution:
        """Resolve wikilink-style text; anything from the first `#` on is ignored.

        Links repeat (every rule and block that reads one resolves it again), so each
        answer is kept: by the linkpath alone when the linking note's folder cannot change
        it, else by the linkpath and that folder.
        """
        linkpath = target.partition("#")[0]
        if not linkpath:
            return Resolution(source, (source,)) if source in self else UNRESOLVED
        found = self._anywhere.get(linkpath)
        if found is not None:
            return found
        folder = self._folders.get(source)
        if folder is None:
            folder = self._folders[source] = _key(_folder(source))
        found = self._near.get((linkpath, folder))
        if found is None:
            found, anywhere = self._resolve(unicodedata.normalize("NFC", linkpath), folder)
            if anywhere:
                self._anywhere[linkpath] = found
            else:
                self._near[linkpath, folder] = found
        return found

    def _resolve(self, linkpath: str, folder: str) -> tuple[Resolution, bool]:
        """Where a linkpath goes from a note in `folder` (lowered), and whether it goes
        there from any folder."""
        wanted, found = self._lookup(linkpath.lower())
        if not found:
            return UNRESOLVED, True
        if len(found) == 1 and "/" not in wanted:
            return Resolution(found[0], (found[0],)), True
        relative = wanted.startswith(("./", "../"))
        if relative:
            wanted, folder = _relative(wanted, folder)
            if exact := self._exact(found, wanted):
                return exact, False
        wanted = wanted.removeprefix("/")
        if exact := self._exact(found, wanted):
            return exact, not relative
        if linkpath.startswith("/"):
            return UNRESOLVED, True
        return self._by_suffix(found, wanted, folder), False

    def _lookup(self, wanted: str) -> tuple[str, list[PurePosixPath]]:
        """The written path (with `.md` when that is what matched) and its candidates."""
        name = wanted.rpartition("/")[2]
        if "." in name and (found := self._files(name)):
            return wanted, found
        return wanted + ".md", self._files(name + ".md")

    def _exact(self, found: list[PurePosixPath], wanted: str) -> Resolution | None:
        for path in found:
            if self._lowered(path) == wanted:
                return Resolution(path, (path,))
        return None

    def _by_suffix(self, found: list[PurePosixPath], wanted: str, folder: str) -> Resolution:
        """The files `wanted` may name, those under the linking note's `folder` first, each
        part in Obsidian's order (`_rank`). The files and their order are worked out once
        for `wanted`, and each folder only splits them: a name that thousands of files in
        as many folders share, each linking to it, sorted them all again for each folder."""
        ranked = self._ranked.get(wanted)
        if ranked is None:
            tail = "/" + wanted
            named = ((self._lowered(path), path) for path in found)
            ranked = [(low, path) for low, path in named if low == wanted or low.endswith(tail)]
            ranked.sort(key=_rank)
            self._ranked[wanted] = ranked
        if not ranked:
            return UNRESOLVED
        if not folder:  # the vault's root: every file is under it
            order = tuple(path for _, path in ranked)
            return Resolution(order[0], order, tie_break=len(order) > 1)
        under = folder + "/"
        inside = [path for low, path in ranked if low.startswith(under)]
        outside = [path for low, path in ranked if not low.startswith(under)]
        order = (*inside, *outside)
        return Resolution(order[0], order, tie_break=len(inside or outside) > 1)

    def has_heading(self, path: PurePosixPath, headings: tuple[str, ...]) -> bool:
        """Whether `[[path#H1#H2...]]` finds its heading chain.

        Like Obsidian: each heading must come after the previous one and sit at a deeper
        level than it; a shallower heading in between does not break the chain. Headings
        compare by `normalize_heading`. Non-note files (`doc.pdf#page=3`) are not looked
        into, so any subpath counts as found there.
        """
        note = self._notes.get(path)
        if note is None:
            return path in self._attachments
        return not headings or find_heading(note.headings, headings) is not None

    def has_block(self, path: PurePosixPath, block: str) -> bool:
        """Whether `^block` is defined in the note; case-insensitive, like Obsidian.

        Obsidian keys a note's blocks by the lowercased id, so `[[Note#^ABC]]` finds
        `^abc`. Non-note files are not looked into.
        """
        note = self._notes.get(path)
        if note is None:
            return path in self._attachments
        wanted = block.lower()
        return any(entry.id.lower() == wanted for entry in note.block_ids)


# The files by lowered name: of each name only one file has, that file; of the others, the
# files, in order.
Names = tuple[dict[str, PurePosixPath], dict[str, list[PurePosixPath]]]


def lowered_names(paths: Sequence[PurePosixPath]) -> list[str]:
    """The name of each file of `paths` lowered (`_key`), in order. The paths are lowered
    joined into one text, in one pass: NUL joins them (no path holds one), and neither
    normalisation nor a final sigma's lowering reaches across it."""
    if not paths:
        return []
    lowered = _key("\0".join(map(str, paths))).split("\0")
    return [text.rpartition("/")[2] for text in lowered]


def _names(paths: Sequence[PurePosixPath], names: Sequence[str]) -> Names:
    """Every file of `paths` by its lowered name, of `names` (`lowered_names`), in order."""
    single = dict(zip(names, paths, strict=True))
    shared: dict[str, list[PurePosixPath]] = {}
    if len(single) < len(paths):
        several = {name for name, count in Counter(names).items() if count > 1}
        for name, path in zip(names, paths, strict=False):
            if name in several:
                shared.setdefault(name, []).append(path)
    return single, shared


def _rank(item: tuple[str, PurePosixPath]) -> tuple[int, str, str]:
    """Obsidian's order of the files a link may name: the shortest path first, then by the
    path lowered, then as written."""
    lowered, path = item
    return len(lowered), lowered, str(path)


def _folder(path: PurePosixPath) -> str:
    parent = str(path.parent)
    return "" if parent == "." else parent


def _relative(wanted: str, folder: str) -> tuple[str, str]:
    """`./x` and `../x` against the linking note's folder: (the root path, its folder)."""
    if wanted.startswith("./../"):
        wanted = wanted[2:]
    if wanted.startswith("./"):
        wanted = wanted[2:]
    else:
        while wanted.startswith("../"):
            wanted = wanted[3:]
            folder = folder.rpartition("/")[0]
    return (f"{folder}/{wanted}" if folder else wanted), folder
