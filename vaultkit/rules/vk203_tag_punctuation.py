"""VK203 tag-punctuation: an inline tag that holds full-width punctuation.

Obsidian ends a tag at a space or at ASCII punctuation (`#tag,` is the tag `tag`), but not
at full-width punctuation: `例如 #標籤。` is the tag `標籤。`, and `#實戰：構建` the tag
`實戰：構建`. The finding points at the first full-width mark in the tag and says which
tag Obsidian reads and which one the writer probably meant.

## Why
This is the most common tag mistake in Chinese and Japanese notes. The tag pane and tag
search list `標籤。` and `標籤` as two tags, so the note is missing from the one the
writer meant.

## Example
```markdown fails at=1:7
例如 #標籤。然後
```
```markdown passes
例如 #標籤 。然後
```

## Fix
Put a space between the tag and the punctuation (`#標籤 。`), or move the tag out of the
sentence. When the punctuation is meant to be part of the tag, silence the rule for that
line or that note.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from vaultkit.model import Diagnostic, Note, Span
from vaultkit.rules.base import NoOptions, NoteContext, RuleScope, Severity

CODE = "VK203"
NAME = "tag-punctuation"
SCOPE: RuleScope = "note"
SEVERITY: Severity = "warning"
FIXABLE = False
DEFAULT_ENABLED = True

# Full-width sentence punctuation, which a writer expects to end a tag the way its ASCII
# twin does: the ideographic comma and full stop `、。`; CJK brackets and quotes
# `〈〉《》「」『』【】〔〕〖〗〘〙〚〛〝〞〟`; the full-width forms of ASCII punctuation
# `！＂＃＄％＆＇（）＊＋，．：；＜＝＞？＠［＼］＾｀｛｜｝～｟｠`, and the half-width
# `｡｢｣､`. Left out: the full-width `－／＿` (twins of what a tag may hold), the wave dash
# `〜` and the middle dot `・`, which sit inside Japanese words.
FULL_WIDTH_PUNCTUATION = re.compile(
    "[\u3001\u3002\u3008-\u3011\u3014-\u301b\u301d-\u301f"
    "\uff01-\uff0c\uff0e\uff1a-\uff20\uff3b-\uff3e\uff40\uff5b-\uff64]"
)


Options = NoOptions  # this rule takes no options


def check(note: Note, ctx: NoteContext[Options]) -> Iterator[Diagnostic]:
    for tag in note.tags:
        found = None if tag.in_frontmatter else FULL_WIDTH_PUNCTUATION.search(tag.name)
        if found is None:
            continue
        col = tag.span.col + 1 + found.start()  # one for the `#`
        at = Span(tag.span.line, col, tag.span.line, col + 1)
        yield ctx.report_here(at, _message(tag.name, found.group(), tag.name[: found.start()]))


def _message(name: str, mark: str, meant: str) -> str:
    from vaultkit.mdplugin import is_tag_name  # the parser's: imported when one is found

    reads = f"Obsidian reads the tag {name!r}"
    if is_tag_name(meant):
        return f"{reads}, not {meant!r}: put a space before the full-width {mark!r}"
    return f"{reads}, full-width {mark!r} included: only a space or ASCII punctuation ends a tag"
