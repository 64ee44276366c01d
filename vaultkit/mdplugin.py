"""A markdown-it-py plugin for the Obsidian syntax vaultkit reads.

The rules run inside markdown-it's own parser, so nothing inside code spans, fenced or
indented code, math, HTML or `%% comments %%` is ever seen (OBSIDIAN.md, "Other syntax").
Inline tokens carry no positions, so every token this plugin makes records, in `meta`,
offsets into the inline source it was found in (`start`, `end`); `body` maps them back
to lines and columns of the file. Link and image tokens get the same (`vk_span`). The
block rules (`%%` comments over several lines, tables) are in `mdblock`, Dataview's
fields in `mdfields`.

Token types (all `vk_*`):
    vk_wikilink       `[[...]]` / `![[...]]`; meta: start, end, embed, target, headings,
                      block, alias
    vk_tag            `#tag`; meta: start, end, name
    vk_block_id       `^id`; meta: start, end, id
    vk_comment        an inline `%% ... %%`
    vk_field_open     a Dataview field (`mdfields`); meta: start, end, key, value; the
    vk_field_close    value's tokens follow up to the matching close
    vk_malformed_task a paragraph line starting `-[ ]`; meta: start, end, written, fixed
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from vaultkit.mdfields import bracket_field, line_field

# markdown-it is imported where a parser is built or run: a note read without it
# (`plain.py`) needs only the functions here that read a wikilink or a tag.
if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token
    from markdown_it.utils import EnvType

WIKILINK = "vk_wikilink"
TAG = "vk_tag"
BLOCK_ID = "vk_block_id"
COMMENT = "vk_comment"
MALFORMED_TASK = "vk_malformed_task"

SPAN = "vk_span"  # meta key on link_open and image tokens: (start, end) in the inline source
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

# Where the text rule stops so that another inline rule may start: the first characters
# of the rules that are on (`(` for `(key:: value)` fields, `]` so that a link label can
# end). markdown-it's default set also holds `*`, `_`, `~`, `:` and others for rules
# vaultkit turns off; stopping at each of those would cost a pass over every rule.
TERMINATOR_RE = re.compile(r"[\n!#$%&(<\[\\\]^`]")

# A search for a closing `]]` looks this far ahead at most, so a line of ten thousand `[[`
# stays linear. Names are far shorter in practice.
MAX_LINK_CHARS = 1024


class WikiTarget(NamedTuple):
    """The parts of a wikilink's inner text: `Note#H1#H2|alias`, `Note#^id`, `#Heading`
    (a named tuple, made for every link read)."""

    target: str
    headings: tuple[str, ...]
    block: str | None
    alias: str | None


def split_wikilink(inner: str) -> WikiTarget | None:
    """Split the text between `[[` and `]]`; None when it names nothing (`[[]]`, `[[#]]`)."""
    if "|" not in inner and "#" not in inner:  # `[[Note]]`, the usual link
        target = inner.strip()
        return WikiTarget(target, (), None, None) if target else None
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


def note_parser() -> MarkdownIt:
    """The parser notes are read with: CommonMark with tables, `$` math and this plugin.

    The nesting limit (commonmark's is 20) lets tasks in lists nested about 20 deep still
    count. The rules that only shape rendered text are off (vaultkit never renders):
    skipping them saves a pass over every token. The block rules are asked by a line's
    first character (`mdblock.FirstCharRuler`).
    """
    from markdown_it import MarkdownIt

    from vaultkit.mdblock import ask_by_first_char

    md = MarkdownIt("commonmark", {"maxNesting": 50}).enable("table").use(vaultkit_plugin)
    md.core.ruler.disable(["text_join", "linkify", "replacements", "smartquotes"])
    md.inline.ruler.disable(["linkify"])
    ask_by_first_char(md)
    return md


def vaultkit_plugin(md: MarkdownIt) -> None:
    """Add vaultkit's rules to `md` (use with `md.use(vaultkit_plugin)`)."""
    from markdown_it.rules_inline import image as _image_rule
    from markdown_it.rules_inline import link as _link_rule
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    from vaultkit.mdblock import block_rules

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
        ("vk_field", bracket_field),
        ("vk_tag", _tag),
        ("vk_block_id", _block_id),
        ("vk_comment", _comment),
    ):
        md.inline.ruler.before("link", name, rule)
    md.use(block_rules)
    md.core.ruler.after("normalize", "vk_final_break", end_with_line_break)
    md.core.ruler.at("inline", _inline_with_context)


# --- core -------------------------------------------------------------------------------


def end_with_line_break(state: StateCore) -> None:
    """End the text with a line break. markdown-it-py reads one character past the end of
    a text without one where an HTML block opened in a quote's list item runs to its last
    line (`> - <!--`, then `> `), and raises; the break changes no block's lines."""
    if not state.src.endswith("\n"):
        state.src += "\n"


def _inline_with_context(state: StateCore) -> None:
    """markdown-it's core inline rule, telling inline rules which block they are in
    (`parse_inline`)."""
    previous = ""
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            parse_inline(state.md, token.content, previous, state.env, token.children)
        previous = token.type


def parse_inline(
    md: MarkdownIt, content: str, context: str, env: EnvType, tokens: list[Token]
) -> None:
    """Append to `tokens` the inline tokens of `content`, the text of a block whose opening
    token is of type `context` (`paragraph_open`, `heading_open`...).

    Text where no inline rule can start (no terminator character, and no `::` that could
    make a line a field) is read by the text rule whole: its one text token is made here,
    without running the inline parser (the headings and many lines of a typical note).
    """
    if md.inline.terminator_re.search(content) is None and "::" not in content:
        if content:
            from markdown_it.token import Token

            text = Token("text", "", 0)
            text.content = content
            tokens.append(text)
        return
    env[CONTEXT] = context
    env[LAST_LINK_END] = content.rfind("](")
    md.inline.parse(content, md, env, tokens)


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
        and (_malformed_task(state) or line_field(state))
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


def _wikilink(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    embed = src.startswith("![[", pos)
    if not (embed or src.startswith("[[", pos)):
        return False
    found = wikilink_at(src, pos + 1 if embed else pos, state.posMax)
    if found is None:
        return False
    close, parts = found
    if not silent:
        token = state.push(WIKILINK, "", 0)
        token.content = src[pos + 3 if embed else pos + 2 : close - 2]
        token.meta = {
            "start": pos,
            "end": close,
            "embed": embed,
            "target": parts.target,
            "headings": parts.headings,
            "block": parts.block,
            "alias": parts.alias,
        }
    state.pos = close
    return True


def wikilink_at(src: str, pos: int, limit: int) -> tuple[int, WikiTarget] | None:
    """The wikilink whose `[[` is at `pos` (the end of its `]]`, and its parts), if any,
    ending by `limit`."""
    inner_start = pos + 2
    close = src.find("]]", inner_start, min(limit, inner_start + MAX_LINK_CHARS))
    if close < 0:
        return None
    inner = src[inner_start:close]
    if "\n" in inner or "[" in inner:
        return None
    parts = split_wikilink(inner)
    return None if parts is None else (close + 2, parts)


def _tag(state: StateInline, silent: bool) -> bool:
    found = tag_at(state.src, state.pos, state.posMax)
    if found is None:
        return False
    if not silent:
        token = state.push(TAG, "", 0)
        token.meta = {"start": state.pos, "end": found.end(), "name": found.group()}
    state.pos = found.end()
    return True


def tag_at(src: str, pos: int, limit: int) -> re.Match[str] | None:
    """The name of the tag whose `#` is at `pos`, if any, ending by `limit`."""
    if src[pos] != "#" or (pos and not src[pos - 1].isspace()):
        return None
    found = TAG_NAME_RE.match(src, pos + 1, limit)
    return None if found is None or found.group().isdigit() else found


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


InlineRule = Callable[["StateInline", bool], bool]


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
