"""Silencing findings, in one place: config patterns, a note's front matter, a comment.

- `per-file-ignores` in config: `{"Templates/**" = ["VK101"]}`, globs as for `exclude`.
- `vaultkit-ignore:` in a note's front matter: a list (or a comma/space separated text) of
  codes or prefixes silenced in the whole note: `vaultkit-ignore: [VK101, VK2]`.
- A comment alone on the line before the finding, in the body
  `<!-- vaultkit-disable-next-line VK101 -->` or `%% vaultkit-disable-next-line VK101 %%`
  (it may sit in a quote or callout, after `>`), and in front matter the YAML comment
  `# vaultkit-disable-next-line VK003`. Codes are comma or space separated; prefixes work
  (`VK1`); no code silences every rule on that line.

`--select`/`--ignore` and the config's `select`/`ignore` decide which rules run at all;
that is in `lint.py`.

The comments are found line by line in the raw text rather than by the Markdown parser:
a directive is a whole-line comment, and the one place a raw match could be wrong (inside
a code block) is a place where no rule reports anything, so the result is the same.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from vaultkit.config import Config, matches
from vaultkit.discover import glob_spec
from vaultkit.model import Diagnostic, Note, Record
from vaultkit.source import Source

if TYPE_CHECKING:
    import pathspec

FRONTMATTER_KEY = "vaultkit-ignore"
EVERY_RULE = ("VK",)  # a directive that names no code

# A directive in the body: the comment is the whole line.
BODY_DIRECTIVE = re.compile(
    r"""
    ^[\s>]*                            # indentation, quote and callout markers
    (?:<!--|%%)\s*                     # an HTML comment or an Obsidian comment
    vaultkit-disable-next-line\b
    (?P<codes>[^>%]*?)                 # codes or prefixes, comma or space separated
    \s*(?:-->|%%)\s*$
    """,
    re.VERBOSE,
)
# A directive in front matter: a YAML comment line.
YAML_DIRECTIVE = re.compile(r"^\s*\#\s*vaultkit-disable-next-line\b(?P<codes>.*?)\s*$")
CODE_SEPARATORS = re.compile(r"[\s,]+")


def split_codes(text: str) -> tuple[str, ...]:
    """`"VK101, VK2 vk3"` -> ("VK101", "VK2", "VK3")."""
    return tuple(code.upper() for code in CODE_SEPARATORS.split(text) if code)


def directive_codes(line: str, in_frontmatter: bool) -> tuple[str, ...] | None:
    """The codes a line's directive silences on the next line; None for no directive."""
    match = (YAML_DIRECTIVE if in_frontmatter else BODY_DIRECTIVE).match(line)
    if match is None:
        return None
    return split_codes(match["codes"]) or EVERY_RULE


def frontmatter_codes(note: Note) -> tuple[str, ...]:
    """The codes a note's `vaultkit-ignore` property silences in the whole note."""
    value = note.frontmatter.get(FRONTMATTER_KEY)
    if isinstance(value, str):
        return split_codes(value)
    if isinstance(value, list):
        return tuple(code for item in value if isinstance(item, str) for code in split_codes(item))
    return ()


class Silencer(Record, frozen=True):
    """Decides, finding by finding, whether the user silenced it."""

    source: Source  # the notes' lines, for comments
    per_file: tuple[tuple[pathspec.PathSpec, tuple[str, ...]], ...]  # config globs -> codes

    @classmethod
    def of(cls, config: Config, source: Source) -> Silencer:
        patterns = config.per_file_ignores.items()
        specs = ((glob_spec([glob], f"per-file-ignores.{glob}"), codes) for glob, codes in patterns)
        return cls(source, tuple(specs))

    def silences(self, found: Diagnostic) -> bool:
        return self._by_config(found) or self._by_note(found) or self._by_comment(found)

    def _by_config(self, found: Diagnostic) -> bool:
        path = str(found.path)
        return any(
            glob.match_file(path) and matches(codes, found.code) for glob, codes in self.per_file
        )

    def _by_note(self, found: Diagnostic) -> bool:
        note = self._note(found.path)
        return note is not None and matches(frontmatter_codes(note), found.code)

    def _by_comment(self, found: Diagnostic) -> bool:
        note = self._note(found.path)
        above = found.line - 1
        if note is None or above < 1:
            return False
        in_frontmatter = 1 < above < note.body_line - 1
        codes = directive_codes(self.source.line(found.path, above), in_frontmatter)
        return codes is not None and matches(codes, found.code)

    def _note(self, path: PurePosixPath) -> Note | None:
        return self.source.vault.notes.get(path)
