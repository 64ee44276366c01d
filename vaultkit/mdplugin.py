"""A markdown-it-py plugin for the Obsidian syntax vaultkit reads.

The rules run inside markdown-it's own parser, so nothing inside code spans, fenced or
indented code, math, HTML or `%% comments %%` is ever seen (OBSIDIAN.md, "Other syntax").
Inline tokens carry no positions, so every token this plugin makes records, in `meta`,
offsets into the inline source it was found in (`start`, `end`); `parse` maps them back
to lines and columns of the file. Link and image tokens get the same (`vk_span`), and
table cells get the column of each of their characters (`vk_cols`), because the table
rule drops the backslash of an escaped pipe.

Token types (all `vk_*`):
    vk_wikilink       `[[...]]` / `![[...]]`; meta: start, end, embed, target, headings,
                      block, alias
    vk_tag            `#tag`; meta: start, end, name
    vk_block_id       `^id`; meta: start, end, id
    vk_comment        an inline `%% ... %%`
    vk_comment_block  a `%%` comment spanning lines (block level, content ignored)
    vk_field_open     a Dataview field; meta: start, end, key, value; the value's tokens
    vk_field_close    follow up to the matching close
    vk_malformed_task a paragraph line starting `-[ ]`; meta: start, end, written, fixed
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.common.utils import MD_TRIM_CHARS
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.table import table as _table_rule
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline import image as _image_rule
from markdown_it.rules_inline import link as _link_rule
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

WIKILINK = "vk_wikilink"
TAG = "vk_tag"
BLOCK_ID = "vk_block_id"
COMMENT = "vk_comment"
COMMENT_BLOCK = "vk_comment_block"
FIELD_OPEN = "vk_field_open"
FIELD_CLOSE = "vk_field_close"
MALFORMED_TASK = "vk_malformed_task"

SPAN = "vk_span"  # meta key on link_open and image tokens: (start, end) in the inline source
CELL_COLS = "vk_cols"  # meta key on a table cell's inline token: 0-based column per character
CONTEXT = "vk_context"  # env key: the type of the block token before the inline being parsed
LAST_LINK_END = "vk_last_link_end"  # env key: where the inline's last `](` is, or -1

# A tag name: anything up to whitespace or punctuation, as Obsidian reads it. Stops:
# ASCII punctuation other than `_-/`, general punctuation U+2000-U+206F (but the
# zero-width joiner U+200D, which holds emoji like 👩‍💻 together) and supplemental
# punctuation U+2E00-U+2E7F. Full-width CJK punctuation (`，。：「」`...) does not stop a
# tag: `#實戰：構建` is the tag `實戰：構建` (VK203 warns about it).
TAG_NAME_RE = re.compile(r"[^\s!-,.:-@\[-^`{-~\u2000-\u200c\u200e-\u206f\u2e00-\u2e7f]+")
# A block id: `^` then Latin letters, digits and dashes (group 1), then only blanks up
# to the end of the line.
BLOCK_ID_RE = re.compile(r"\^([A-Za-z0-9-]+)[ \t]*(?=\n|\Z)")
# A paragraph line that wanted to be a task but has no space after the list marker:
# group 1 the marker (`-`, `*`, `+`, `1.`, `1)`), group 2 what is between the brackets
# (nothing, one of the usual status characters, or several spaces); then a blank or the
# end of the line, so `*[x]*` and `-[a](url)` are left alone.
MALFORMED_MARKER_RE = re.compile(r"([-*+]|[0-9]{1,9}[.)])\[( {2,}|[ xX/\->]?)\](?=[ \t]|\n|\Z)")
# A full-line Dataview field key (`**Key**::`): a key of letters, digits, `_`, spaces,
# `-` and `/`, in backticks (group 1) or not (group 2), inside optional emphasis marks.
# A backtick that opens a code span beyond the key leaves the line alone. Emoji keys are
# not read.
LINE_FIELD_KEY_RE = re.compile(r"[*_~]*(?:`([^\W_][\w \-/]*?)`|([^\W_][\w \-/]*?))[*_~]*[ \t]*")

# Where the text rule stops so that another inline rule may start: the first characters
# of the rules that are on (`(` for `(key:: value)` fields, `]` so that a link label can
# end). markdown-it's default set also holds `*`, `_`, `~`, `:` and others for rules
# vaultkit turns off; stopping at each of those would cost a pass over every rule.
TERMINATOR_RE = re.compile(r"[\n!#$%&(<\[\\\]^`]")

_FIELD_CLOSERS = {"[": "]", "(": ")"}
_FIELD_BRACKETS_RE = re.compile(r"[\\\[\]()]")  # what Dataview's closing-bracket scan looks at
# Searches for a closing `]]` or a field's `::` look this far ahead at most, so a line of
# ten thousand `[[` stays linear. Names and keys are far shorter in practice.
MAX_LINK_CHARS = 1024
MAX_KEY_CHARS = 256


@dataclass(frozen=True, slots=True)
class WikiTarget:
    """The parts of a wikilink's inner text: `Note#H1#H2|alias`, `Note#^id`, `#Heading`."""

    target: str
    headings: tuple[str, ...]
    block: str | None
    alias: str | None


def split_wikilink(inner: str) -> WikiTarget | None:
    """Split the text between `[[` and `]]`; None when it names nothing (`[[]]`, `[[#]]`)."""
    alias: str | None = None
    bar = inner.find("|")
    if bar >= 0:
        alias = inner[bar + 1 :]
        # In a table the separator is written `\|`; the backslash is not part of the name.
        inner = inner[: bar - 1] if bar and inner[bar - 1] == "\\" else inner[:bar]
    target, *subpath = inner.split("#")
    parts = [part.strip() for part in subpath if part.strip()]
    block: str | None = None
    if parts and parts[-1].startswith("^"):
        block = parts.pop()[1:]
    target = target.strip()
    if not (target or parts or block):
        return None
    return WikiTarget(target, tuple(parts), block, alias)


def is_tag_name(name: str) -> bool:
    """True when Obsidian reads `name` (no `#`) as a tag: allowed characters, not all digits."""
    return TAG_NAME_RE.fullmatch(name) is not None and not name.isdigit()


def vaultkit_plugin(md: MarkdownIt) -> None:
    """Add vaultkit's rules to `md` (use with `md.use(vaultkit_plugin)`)."""
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    # Emphasis hides nothing (`*[[a]]*` links to `a`), and each `*` or `_` it reads costs
    # a token and a delimiter: a note of `*_` would need gigabytes.
    md.inline.ruler.disable("emphasis")
    md.inline.ruler2.disable("emphasis")
    md.inline.terminator_re = TERMINATOR_RE
    md.inline.ruler.at("text", _text)
    md.inline.ruler.at("link", _with_span(_link_rule, "link_open"))
    md.inline.ruler.at("image", _with_span(_image_rule, "image"))
    for name, rule in (
        ("vk_wikilink", _wikilink),
        ("vk_field", _bracket_field),
        ("vk_tag", _tag),
        ("vk_block_id", _block_id),
        ("vk_comment", _comment),
    ):
        md.inline.ruler.before("link", name, rule)
    md.block.ruler.before("table", "vk_comment_block", _comment_block, {"alt": ["paragraph"]})
    md.block.ruler.at("table", _table_with_columns, {"alt": ["paragraph", "reference"]})
    md.core.ruler.at("inline", _inline_with_context)


# --- core -------------------------------------------------------------------------------


def _inline_with_context(state: StateCore) -> None:
    """markdown-it's core inline rule, telling inline rules which block they are in."""
    previous = ""
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            state.env[CONTEXT] = previous
            state.env[LAST_LINK_END] = token.content.rfind("](")
            state.md.inline.parse(token.content, state.md, state.env, token.children)
        previous = token.type


# --- inline rules -------------------------------------------------------------------------


def _text(state: StateInline, silent: bool) -> bool:
    """markdown-it's text rule, plus the checks that only apply at the start of a line."""
    pos = state.pos
    src = state.src
    if (
        not silent
        and (pos == 0 or src[pos - 1] in "\n \t")
        and state.env.get(CONTEXT) == "paragraph_open"
        and _starts_line(src, pos)
        and (_malformed_task(state) or _line_field(state))
    ):
        return True
    found = state.md.inline.terminator_re.search(src, pos, state.posMax)
    end = found.start() if found else state.posMax
    if end == pos:
        return False
    if not silent:
        state.append_pending(src[pos:end])
    state.pos = end
    return True


def _starts_line(src: str, pos: int) -> bool:
    """Whether only blanks stand between the start of the line and `pos`.

    Looks back over the blanks only, so a long line costs nothing more per position.
    """
    before = pos
    while before and src[before - 1] in " \t":
        before -= 1
    return before == 0 or src[before - 1] == "\n"


def _malformed_task(state: StateInline) -> bool:
    found = MALFORMED_MARKER_RE.match(state.src, state.pos, state.posMax)
    if found is None:
        return False
    marker, inside = found.group(1), found.group(2)
    token = state.push(MALFORMED_TASK, "", 0)
    token.meta = {
        "start": found.start(),
        "end": found.end(),
        "written": found.group(),
        "fixed": f"{marker} [{inside if len(inside) == 1 else ' '}]",
    }
    state.pos = found.end()
    return True


def _line_field(state: StateInline) -> bool:
    """`key:: value` filling a paragraph line (Dataview's full-line field)."""
    src, pos = state.src, state.pos
    line_end = src.find("\n", pos, state.posMax)
    line_end = state.posMax if line_end < 0 else line_end
    sep = src.find("::", pos, line_end)
    if sep < 0:
        return False
    key = LINE_FIELD_KEY_RE.fullmatch(src, pos, sep)
    if key is None or _has_bracket_field(src, pos, line_end):
        return False
    _tokenize_field(state, pos, key.group(1) or key.group(2), sep + 2, line_end, line_end)
    return True


def _has_bracket_field(src: str, start: int, end: int) -> bool:
    """Dataview reads `[k:: v]` and `(k:: v)` first; a line with one is no full-line field."""
    for opener in _FIELD_CLOSERS:
        at = src.find(opener, start, end)
        while at >= 0:
            if _bracket_field_at(src, at, end) is not None:
                return True
            at = src.find(opener, at + 1, end)
    return False


def _bracket_field_at(src: str, start: int, limit: int) -> tuple[str, int, int] | None:
    """(key, value start, closing bracket) of a `[key:: value]` / `(key:: value)` at `start`."""
    sep = src.find("::", start + 1, min(limit, start + MAX_KEY_CHARS))
    if sep < 0:
        return None
    key = src[start + 1 : sep].strip()
    if not key or any(ch in key for ch in "[]()\n"):
        return None
    line_end = src.find("\n", sep, limit)
    line_end = limit if line_end < 0 else line_end
    close = _find_closing(src, sep + 2, line_end, src[start], _FIELD_CLOSERS[src[start]])
    return None if close is None else (key, sep + 2, close)


def _find_closing(src: str, start: int, end: int, opener: str, closer: str) -> int | None:
    """The index of the bracket closing an inline field, as Dataview finds it: nesting
    counted, and a backslash escapes the character after it."""
    depth = 0
    skip = -1
    for found in _FIELD_BRACKETS_RE.finditer(src, start, end):
        index, char = found.start(), found.group()
        if index == skip:
            continue
        if char == "\\":
            skip = index + 1
        elif char == opener:
            depth += 1
        elif char == closer:
            depth -= 1
            if depth < 0:
                return index
    return None


def _bracket_field(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] not in _FIELD_CLOSERS or src.startswith("[[", pos):
        return False
    found = _bracket_field_at(src, pos, state.posMax)
    if found is None:
        return False
    key, value_start, close = found
    if silent:
        state.pos = close + 1
    else:
        _tokenize_field(state, pos, key, value_start, close, close + 1)
    return True


def _tokenize_field(
    state: StateInline, start: int, key: str, value_start: int, value_end: int, end: int
) -> None:
    """Push a field's open token, the tokens of its value, and its close token."""
    value = state.src[value_start:value_end].strip()
    token = state.push(FIELD_OPEN, "", 1)
    token.meta = {"start": start, "end": end, "key": key, "value": value}
    old_max = state.posMax
    state.pos, state.posMax = value_start, value_end
    state.md.inline.tokenize(state)
    state.posMax = old_max
    state.push(FIELD_CLOSE, "", -1)
    state.pos = end


def _wikilink(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    embed = src.startswith("![[", pos)
    if not (embed or src.startswith("[[", pos)):
        return False
    inner_start = pos + 3 if embed else pos + 2
    close = src.find("]]", inner_start, min(state.posMax, inner_start + MAX_LINK_CHARS))
    if close < 0:
        return False
    inner = src[inner_start:close]
    if "\n" in inner or "[" in inner:
        return False
    parts = split_wikilink(inner)
    if parts is None:
        return False
    if not silent:
        token = state.push(WIKILINK, "", 0)
        token.content = inner
        token.meta = {
            "start": pos,
            "end": close + 2,
            "embed": embed,
            "target": parts.target,
            "headings": parts.headings,
            "block": parts.block,
            "alias": parts.alias,
        }
    state.pos = close + 2
    return True


def _tag(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "#" or (pos and not src[pos - 1].isspace()):
        return False
    found = TAG_NAME_RE.match(src, pos + 1, state.posMax)
    if found is None or found.group().isdigit():
        return False
    if not silent:
        token = state.push(TAG, "", 0)
        token.meta = {"start": pos, "end": found.end(), "name": found.group()}
    state.pos = found.end()
    return True


def _block_id(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "^" or (pos and src[pos - 1] not in " \t\n"):
        return False
    found = BLOCK_ID_RE.match(src, pos)
    if found is None or found.end() > state.posMax:
        return False
    end = found.end(1)
    if not silent:
        token = state.push(BLOCK_ID, "", 0)
        token.meta = {"start": pos, "end": end, "id": found.group(1)}
    state.pos = end
    return True


def _comment(state: StateInline, silent: bool) -> bool:
    """`%% ... %%` inside a paragraph; an unclosed `%%` hides the rest of the paragraph."""
    src, pos = state.src, state.pos
    if not src.startswith("%%", pos):
        return False
    close = src.find("%%", pos + 2, state.posMax)
    end = state.posMax if close < 0 else close + 2
    if not silent:
        token = state.push(COMMENT, "", 0)
        token.meta = {"start": pos, "end": end}
    state.pos = end
    return True


InlineRule = Callable[[StateInline, bool], bool]


def _with_span(rule: InlineRule, opener: str) -> InlineRule:
    """Wrap markdown-it's link or image rule to record where the link was written.

    Without reference definitions a link needs a `](` after its `[`; when there is none,
    the rule is not asked, as it would look for the label's end through every nested
    bracket (a note of ten thousand `[` took minutes).
    """

    def positioned(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        if state.env.get(LAST_LINK_END, len(state.src)) <= start and (
            "references" not in state.env
        ):
            return False
        if not rule(state, silent):
            return False
        if not silent:
            for token in state.tokens[count:]:
                if token.type == opener:
                    token.meta[SPAN] = (start, state.pos)
                    break
        return True

    return positioned


# --- block rules ----------------------------------------------------------------------


def _comment_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A `%%` comment that starts a line and closes on a later one (or never closes)."""
    if state.is_code_block(start_line):
        return False
    pos = state.bMarks[start_line] + state.tShift[start_line]
    line_end = state.eMarks[start_line]
    if not state.src.startswith("%%", pos):
        return False
    close = state.src.find("%%", pos + 2, line_end)
    if close >= 0:
        if state.src[close + 2 : line_end].strip():
            return False  # `%% note %% text` is an inline comment in a paragraph
        last = start_line
    else:
        last = _closing_comment_line(state, start_line + 1, end_line)
    if silent:
        return True
    token = state.push(COMMENT_BLOCK, "", 0)
    token.map = [start_line, last + 1]
    token.block = True
    state.line = last + 1
    return True


def _closing_comment_line(state: StateBlock, first: int, end_line: int) -> int:
    """The line holding the closing `%%`; unclosed, the comment runs to the container's end."""
    line = first
    while line < end_line:
        if state.sCount[line] < state.blkIndent and not state.isEmpty(line):
            return line - 1  # the line belongs to an outer block
        if state.src.find("%%", state.bMarks[line], state.eMarks[line]) >= 0:
            return line
        line += 1
    return end_line - 1


def _table_with_columns(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """markdown-it's table rule, then the source column of each cell character."""
    count = len(state.tokens)
    if not _table_rule(state, start_line, end_line, silent):
        return False
    if not silent:
        _mark_cells(state, state.tokens[count:])
    return True


def _mark_cells(state: StateBlock, tokens: list[Token]) -> None:
    cells: list[list[int]] = []
    index = 0
    for token in tokens:
        if token.type == "tr_open" and token.map:
            cells, index = _cell_columns(state, token.map[0]), 0
        elif token.type == "inline":
            if index < len(cells) and len(cells[index]) == len(token.content):
                token.meta[CELL_COLS] = cells[index]
            index += 1


def _cell_columns(state: StateBlock, line: int) -> list[list[int]]:
    """Split a table row as markdown-it does, keeping each character's 0-based column."""
    begin = state.bMarks[line] + state.tShift[line]
    raw = state.src[begin : state.eMarks[line]]
    offset = begin - (state.src.rfind("\n", 0, begin) + 1)
    offset += len(raw) - len(raw.lstrip(MD_TRIM_CHARS))
    text = raw.strip(MD_TRIM_CHARS)
    cells: list[list[int]] = [[]]
    escaped = False
    for index, char in enumerate(text):
        if char == "|" and not escaped:
            cells.append([])
        elif char == "|":
            cells[-1][-1] = index  # `\|`: the backslash is dropped, the pipe kept
        else:
            cells[-1].append(index)
        escaped = char == "\\"
    if cells and not cells[0]:
        cells.pop(0)
    if cells and not cells[-1]:
        cells.pop()
    return [_trimmed(text, cell, offset) for cell in cells]


def _trimmed(text: str, cell: list[int], offset: int) -> list[int]:
    """Columns of the cell's characters once surrounding blanks are trimmed."""
    while cell and text[cell[0]] in MD_TRIM_CHARS:
        cell = cell[1:]
    while cell and text[cell[-1]] in MD_TRIM_CHARS:
        cell = cell[:-1]
    return [offset + index for index in cell]
