"""Find the vault root and the files in it, the way Obsidian lists them.

What counts (see OBSIDIAN.md, "Which files are notes"):

- Every file under the root, except paths with a component that starts with `.`
  (`.obsidian/`, `.trash/`, `.git/`, `.DS_Store`): Obsidian never loads those.
- A note is a file whose extension is `.md` in any case. Obsidian lowercases a file's
  extension before it picks a view (`TFile.extension`), so `Notes.MD` opens as a note and
  `[[Notes]]` links to it; everything else is an attachment.
- Symbolic links to files are followed; links to folders are not, so a link that points
  back up the tree cannot make discovery loop (Obsidian's own support for linked folders is
  partial and platform-dependent). Broken links are skipped.
- "Excluded files" (`userIgnoreFilters` in `.obsidian/app.json`) and the config's `exclude`
  globs mark notes as excluded: they stay link targets but are not linted.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, cast

import msgspec
from msgspec import field

from vaultkit.config import Config, ConfigError
from vaultkit.model import Diagnostic, Unread, VaultFiles
from vaultkit.reading import read_file

if TYPE_CHECKING:
    import pathspec

logger = logging.getLogger(__name__)

ROOT_MARKERS = (".obsidian", ".vaultkit.toml")  # a folder, a file

# Obsidian Sync: `Plan (Conflicted copy Work-Laptop 202405011230).md`.
OBSIDIAN_SYNC_CONFLICT = re.compile(
    r"""
    ^.+\ \(Conflicted\ copy     # the original name, then the marker
    (?:\ .+)?                   # the device name (may contain spaces)
    \ \d{12}\)                  # YYYYMMDDHHMM
    \.md$
    """,
    re.VERBOSE | re.IGNORECASE,
)
# Syncthing: `Plan.sync-conflict-20240501-123000-ABCDEFG.md`.
SYNCTHING_CONFLICT = re.compile(r"^.+\.sync-conflict-.+\.md$", re.IGNORECASE)


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` that holds `.obsidian/` or `.vaultkit.toml`.

    A file starts the search at its folder. With no marker anywhere above, the answer is
    `start` itself (its folder for a file). The result is absolute and resolved.
    """
    start = start.resolve()
    base = start.parent if start.is_file() else start
    return find_marked_root(base) or base


def find_marked_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds a vault marker, or None."""
    start = start.resolve()
    base = start.parent if start.is_file() else start
    for folder in (base, *base.parents):
        if (folder / ROOT_MARKERS[0]).is_dir() or (folder / ROOT_MARKERS[1]).is_file():
            return folder
    return None


def discover(root: Path, config: Config) -> VaultFiles:
    """Every file Obsidian shows under `root`, sorted, with the excluded notes marked."""
    return _files(root, _walk(root), config)[0]


class Survey(msgspec.Struct, frozen=True):
    """What `discover` finds, with the stat of each note and canvas taken on the way."""

    files: VaultFiles
    names: tuple[str, ...]  # the notes' paths as text, in the same order
    stats: Mapping[str, os.stat_result]  # by vault-relative path; left out: not taken
    started_ns: int  # the clock (`time.time_ns`) before the first stat was taken
    # Each note's stat as a first read read it (`cache.file_stat`, in the order of `names`),
    # where the survey took none (`vault.load_surveyed`); else None.
    taken: tuple[tuple[int, int, int, int] | None, ...] | None = None


def survey(root: Path, config: Config, *, note_stats: bool = True) -> Survey:
    """`discover`, and the stat of every note and canvas (links followed, as when the file
    is read); one that cannot be taken is left out. Without `note_stats`, the canvases'
    alone: for a run that reads every note, and takes each one's stat as it reads it."""
    started = time.time_ns()
    stats: dict[str, os.stat_result] = {}
    walk = _walk(root, stats.__setitem__, notes=note_stats)
    files, names = _files(root, walk, config)
    return Survey(files, names, stats, started)


def each_note_stat(root: Path, take: Callable[[str, os.stat_result], object]) -> None:
    """Hand `take` the path (as text) and the stat of each note the survey of `root` would
    find, as each one is taken, keeping none: a survey of 10,000 notes, its paths and
    stats made at once, left the watcher that took one 2.3 MB larger for good."""
    _walk(root, take, canvases=False)


def _files(root: Path, walk: _Walk, config: Config) -> tuple[VaultFiles, tuple[str, ...]]:
    """What the walk found, and the notes' paths as text."""
    notes: list[str] = []
    attachments: list[str] = []
    for rel in walk.found:
        (notes if rel[-3:].lower() == ".md" else attachments).append(rel)
    # PurePosixPath orders by path components. Comparing strings with `/` turned into the
    # lowest character gives the same order, without building and comparing path objects.
    notes.sort(key=_sort_key)
    attachments.sort(key=_sort_key)
    note_paths = tuple(map(as_path, notes))
    hit = _excluder(user_ignore_filters(root), config.exclude)
    excluded = [path for rel, path in zip(notes, note_paths, strict=True) if hit(rel)]
    walk.unread.sort(key=lambda entry: _sort_key(str(entry.path)))
    for entry in walk.unread:
        logger.warning("skipped %s: %s", entry.path, entry.reason)
    files = VaultFiles(
        root=root,
        notes=note_paths,
        attachments=tuple(map(as_path, attachments)),
        excluded=frozenset(excluded),
        unread=tuple(walk.unread),
        problems=tuple(walk.problems),
    )
    return files, tuple(notes)


if sys.version_info >= (3, 12):
    as_path = PurePosixPath  # parsed only when first read
else:

    def as_path(rel: str) -> PurePosixPath:
        """`PurePosixPath(rel)` for a path the walk put together (parts joined by `/`, none
        empty, `.` or `..`). Python 3.11 parses every path it is given, which was the most
        of what listing a large vault cost; these parts are known already. So is its hash,
        which Python 3.11 makes on first use after two AttributeErrors (a run that hashes
        every note's path, as one after an edit does, spent 20 ms on them). And so is its
        text, which Python 3.11 joins again on first use (a run that recalls results, or reads
        kept notes, turns every note's path into text: 30 ms on 10,000 notes)."""
        parts = rel.split("/")
        path = PurePosixPath._from_parsed_parts("", "", parts)  # type: ignore[attr-defined]
        path._cached_cparts = parts  # a POSIX path's parts, case kept, as `__hash__` reads them
        path._hash = hash(tuple(parts))
        path._str = rel  # what `__str__` would join from the parts
        return path


def is_conflict_copy(path: PurePosixPath) -> bool:
    """Whether a note is a sync tool's conflict copy (Obsidian Sync or Syncthing)."""
    name = path.name
    return bool(OBSIDIAN_SYNC_CONFLICT.match(name) or SYNCTHING_CONFLICT.match(name))


def _sort_key(rel: str) -> str:
    return rel.replace("/", "\0")  # no file name contains NUL


class _Walk(msgspec.Struct):
    found: list[str] = field(default_factory=list)  # vault-relative POSIX paths of files
    # What is handed the path and stat of each note (with `notes`) and canvas (with
    # `canvases`) as they are taken; None: no stat is taken.
    take: Callable[[str, os.stat_result], object] | None = None
    notes: bool = True
    canvases: bool = True
    unread: list[Unread] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)

    def skip(self, rel: str, reason: str, *, hides_notes: bool) -> None:
        self.unread.append(Unread(PurePosixPath(shown(rel)), reason, hides_notes))


def _walk(
    root: Path,
    take: Callable[[str, os.stat_result], object] | None = None,
    *,
    notes: bool = True,
    canvases: bool = True,
) -> _Walk:
    """Every visible file; an entry or folder that cannot be read is skipped alone. With
    `take`, the stat of each note (with `notes`) and canvas (with `canvases`) is handed
    to it with the file's path."""
    walk = _Walk(take=take, notes=notes, canvases=canvases)
    stack: list[tuple[str, str]] = [(os.fspath(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if not entry.name.startswith("."):
                        _visit(walk, stack, entry, prefix + entry.name)
        except OSError as error:
            if not prefix:
                raise
            walk.skip(prefix.rstrip("/"), _reason(error), hides_notes=True)
    return walk


def _visit(walk: _Walk, stack: list[tuple[str, str]], entry: os.DirEntry[str], rel: str) -> None:
    is_note = rel[-3:].lower() == ".md"
    try:
        if entry.is_dir(follow_symlinks=False):
            stack.append((entry.path, rel + "/"))
            return
        is_file = entry.is_file()
        special = not is_file and not entry.is_symlink() and is_note
    except OSError as error:  # a link that loops, a name too long to follow
        walk.skip(rel, _reason(error), hides_notes=is_note)
        return
    if special:  # a FIFO, a socket or a device where a note would be
        walk.skip(rel, "not a regular file", hides_notes=True)
    elif not is_file:
        return  # a broken link or a link to a folder: neither is followed
    elif not rel.isascii() and _undecodable(rel):
        _report_name(walk, rel, is_note)
    else:
        walk.found.append(rel)
        if walk.take is not None and (
            walk.notes if is_note else walk.canvases and rel[-7:].lower() == ".canvas"
        ):
            with contextlib.suppress(OSError):  # gone since it was listed: read as such
                walk.take(rel, entry.stat())


def _undecodable(rel: str) -> bool:
    """Whether a name holds bytes that are not UTF-8 (Python keeps them as surrogates)."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _report_name(walk: _Walk, rel: str, is_note: bool) -> None:
    """A file whose name is not UTF-8: Obsidian cannot open it, and vaultkit leaves it out."""
    raw = os.fsencode(rel)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        where = f"byte 0x{raw[error.start]:02x} at offset {error.start}"
    reason = f"file name is not UTF-8: {where}"
    walk.skip(rel, reason, hides_notes=False)
    if is_note:
        walk.problems.append(Diagnostic(PurePosixPath(shown(rel)), 1, 1, "VK005", reason))


def shown(rel: str) -> str:
    """A path as it can be printed: bytes that are not UTF-8 written as `\\xff`."""
    return os.fsencode(rel).decode("utf-8", "backslashreplace")


def _reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


def _excluder(filters: Iterable[Filter], globs: Iterable[str]) -> Callable[[str], bool]:
    """Whether a vault-relative path is excluded: by Obsidian's filters or the config."""
    searches, globs = tuple(filters), tuple(globs)
    if not searches and not globs:
        return lambda rel: False  # nothing is excluded (and no glob library is loaded)
    spec = glob_spec(globs, "exclude")
    return lambda rel: any(search(rel) for search in searches) or spec.match_file(rel)


# --- Obsidian's "Excluded files" -------------------------------------------------------


# The largest `.obsidian/app.json` read: Obsidian's settings are a few kilobytes, and the
# filters in it are matched against every path.
MAX_APP_JSON_BYTES = 1 << 20
MAX_APP_JSON = "1 MiB"


# A filter of Obsidian's: a search of a vault-relative path, true when it excludes it.
Filter = Callable[[str], object]


def user_ignore_filters(root: Path) -> tuple[Filter, ...]:
    """The `userIgnoreFilters` of `.obsidian/app.json`, compiled the way Obsidian does.

    `/.../` is a JavaScript regular expression searched anywhere in the vault-relative
    path; anything else is a plain prefix of the path. Both ignore case (Obsidian compiles
    them with the `i` flag). A regular expression is searched with RE2, in time linear in
    the path whatever the expression: Python's `re` backtracks, and `/(a|aa)+$/` would
    take hours over a 60-character name. RE2 reads what JavaScript does but lookarounds and
    backreferences; an entry with those is left out, with a warning, like any entry that
    is not a regular expression. A missing file means no filters; a malformed one is
    logged and ignored, like a bad entry, so a broken settings file never stops vaultkit.
    """
    path = root / ".obsidian" / "app.json"
    try:
        data = read_file(path)
    except FileNotFoundError:
        return ()
    except OSError as error:
        logger.warning("ignoring %s: %s", path, error)
        return ()
    if len(data) > MAX_APP_JSON_BYTES:
        logger.warning("ignoring %s: %s bytes, over %s", path, f"{len(data):,}", MAX_APP_JSON)
        return ()
    try:
        settings = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        logger.warning("ignoring %s: %s", path, error)
        return ()
    except json.JSONDecodeError as error:
        logger.warning("ignoring %s: not valid JSON: %s", path, error)
        return ()
    except RecursionError:  # json reads nested arrays and objects by recursing
        logger.warning("ignoring %s: not valid JSON: nested too deeply", path)
        return ()
    raw = settings.get("userIgnoreFilters") if isinstance(settings, dict) else None
    if raw is None:
        return ()
    if not isinstance(raw, list):
        logger.warning("ignoring userIgnoreFilters in %s: not a list", path)
        return ()
    return _joined([entry for item in raw if (entry := _filter_entry(item, path))])


def _filter_entry(item: object, source: Path) -> tuple[bool, str] | None:
    """An entry of `userIgnoreFilters`: (True, a regular expression RE2 reads) or (False,
    a prefix); None for one left out (with a warning, but for an empty one)."""
    if not isinstance(item, str):
        logger.warning("ignoring userIgnoreFilters entry %r in %s: not a string", item, source)
        return None
    if not item.strip():
        return None  # an empty prefix would hide the whole vault; Obsidian's UI drops it
    if len(item) > 2 and item.startswith("/") and item.endswith("/"):
        import re2

        try:
            re2.compile(item[1:-1], _re2_options())
        except re2.error as error:
            reason = error.args[0].decode("utf-8", "replace") if error.args else "not valid"
            logger.warning("ignoring userIgnoreFilters entry %r in %s: %s", item, source, reason)
            return None
        return True, item[1:-1]
    return False, item


def _joined(entries: list[tuple[bool, str]]) -> tuple[Filter, ...]:
    """One search for all the prefixes and one for all the regular expressions, so that a
    path costs one search of each however many entries there are (thousands, one by one,
    took seconds per hundred notes); the expressions each on their own when RE2 cannot
    build one automaton of them all, within its memory budget."""
    prefixes = [text for is_regex, text in entries if not is_regex]
    expressions = [text for is_regex, text in entries if is_regex]
    found: list[Filter] = []
    if prefixes:
        alternatives = "|".join(map(re.escape, prefixes))  # plain text: no backtracking
        found.append(re.compile(f"^(?:{alternatives})", re.IGNORECASE).search)
    if expressions:
        import re2

        try:
            joined = "|".join(f"(?:{expression})" for expression in expressions)
            found.append(cast("Filter", re2.compile(joined, _re2_options()).search))
        except re2.error:
            found += [re2.compile(text, _re2_options()).search for text in expressions]
    return tuple(found)


def _re2_options() -> object:
    """RE2's options for Obsidian's filters: case ignored (the `i` flag), and no line of
    RE2's own on stderr for an expression it cannot read."""
    import re2

    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    return options


# --- Config globs --------------------------------------------------------------------


def glob_spec(patterns: Iterable[str], key: str) -> pathspec.PathSpec:
    """Config globs (`exclude`, a `per-file-ignores` key) read as lines of a `.gitignore`.

    `*` and `?` stay inside one path component, `**` spans folders, `[...]` is a character
    class; a pattern without a `/` in the middle matches at any depth (`*.excalidraw.md`),
    one with it is anchored at the vault root; a pattern matches a folder's contents too
    (`Templates`, `Templates/` and `Templates/**` alike); `!pattern` takes back what an
    earlier pattern matched. Matching is case-sensitive. What a `.gitignore` could not hold
    is read as plain text where it can be: brackets that make no character class (`[z-a]`)
    or one RE2 does not read (`[[:alpha:]]`), and a backslash at the end (`Old\\`); a lone
    `!`, which takes back nothing, is no pattern.

    Raises `ConfigError` (naming the configuration `key`) for more globs than RE2 can
    match at once: it builds one automaton of them all, within a memory budget (about a
    thousand globs, fewer when each has several `*`).
    """
    import re2

    lines = [_gitignore_line(p.strip()) for p in patterns]
    try:
        return _spec(lines)
    except re2.error:
        raise ConfigError(
            f"{key!r}: {len(lines):,} patterns are more than can be matched at once;"
            " merge some (`**`, `*`, `[...]`)"
        ) from None


# Globs are matched with RE2, in time linear in the path whatever the glob: Python's `re`
# backtracks, and `*a*a*a*a*a*a*b` took 8 s over an 80-character name.
GLOB_BACKEND = "re2"


def _spec(lines: list[str]) -> pathspec.PathSpec:
    import pathspec

    with warnings.catch_warnings():  # `re` warns of a `[[`, which pathspec compiles with it too
        warnings.simplefilter("ignore", FutureWarning)
        return pathspec.GitIgnoreSpec.from_lines(lines, backend=GLOB_BACKEND)


def _gitignore_line(pattern: str) -> str:
    """`pattern` as a line pathspec reads (see `glob_spec`)."""
    import re2

    plain = pattern.replace("[", "\\[").replace("]", "\\]")
    if (len(plain) - len(plain.rstrip("\\"))) % 2:  # an odd run: the last escapes nothing
        plain += "\\"
    for line in (pattern, plain):
        try:
            _spec([line])
        except (ValueError, re.error, re2.error):  # a glob RE2 cannot read: `[[:alpha:]]`
            continue
        return line
    return ""  # a blank line: no pattern
