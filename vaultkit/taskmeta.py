"""The Tasks plugin's metadata at the end of a task line: dates, priority, recurrence, ids.

`- [x] Read the CAP paper 🔼 📅 2026-03-01 ✅ 2026-03-14` is the description
"Read the CAP paper", priority "medium", due 2026-03-01, done 2026-03-14. As in the
plugin (`DefaultTaskSerializer.deserialize`), fields are taken only from the end of the
line, in any order, until none is left; tags between them go back to the description,
and a trailing block id (`^abc`) is set aside first. The Dataview form
(`[completion:: 2026-03-14]`, `(due:: 2026-03-01)`) is read the same way, as the plugin's
Dataview format reads it. Dates are kept only when they are real calendar dates; a field
with an impossible date (`📅 2026-02-30`) is still taken off the description, as the plugin
does, but gives no date.
"""

from __future__ import annotations

import functools
import re
from datetime import date

import msgspec

ID = r"[a-zA-Z0-9_-]+"
IDS = rf"{ID}(?: *, *{ID} *)*"
DATE = r"(\d{4}-\d{2}-\d{2})"

# One pattern per field, each anchored at the end of what is left of the line.
_EMOJI: tuple[tuple[str, str], ...] = (
    ("priority", r"([🔺⏫🔼🔽⏬])\ufe0f?$"),
    ("done", rf"✅\ufe0f? *{DATE}$"),
    ("cancelled", rf"❌\ufe0f? *{DATE}$"),
    ("due", rf"[📅📆🗓]\ufe0f? *{DATE}$"),
    ("reminder", rf"⏰\ufe0f? *{DATE}(?: \d{{2}}:\d{{2}})?$"),
    ("scheduled", rf"[⏳⌛]\ufe0f? *{DATE}$"),
    ("start", rf"🛫\ufe0f? *{DATE}$"),
    ("created", rf"➕\ufe0f? *{DATE}$"),
    ("recurrence", r"(?i:🔁\ufe0f? ?([a-zA-Z0-9, !]+)$)"),
    ("on_completion", r"🏁\ufe0f? *([a-zA-Z]+)$"),
    ("id", rf"🆔\ufe0f? *({ID})$"),
    ("depends_on", rf"⛔\ufe0f? *({IDS})$"),
)


def _inline(inner: str) -> str:
    """`[key:: value]` or `(key:: value)` at the end, brackets matched, as the plugin's
    Dataview format writes them (a trailing comma is allowed)."""
    return rf"(?i:(?:\[ *{inner} *\]|\( *{inner} *\))(?: *,)?$)"


_DATAVIEW: tuple[tuple[str, str], ...] = (
    ("priority", _inline(r"priority:: *(highest|high|medium|low|lowest)")),
    ("done", _inline(rf"completion:: *{DATE}")),
    ("cancelled", _inline(rf"cancelled:: *{DATE}")),
    ("due", _inline(rf"due:: *{DATE}")),
    ("reminder", _inline(rf"reminder:: *{DATE}(?: \d{{2}}:\d{{2}})?")),
    ("scheduled", _inline(rf"scheduled:: *{DATE}")),
    ("start", _inline(rf"start:: *{DATE}")),
    ("created", _inline(rf"created:: *{DATE}")),
    ("recurrence", _inline(r"repeat:: *([a-zA-Z0-9, !]+)")),
    ("on_completion", _inline(r"onCompletion:: *([a-zA-Z]+)")),
    ("id", _inline(rf"id:: *({ID})")),
    ("depends_on", _inline(rf"dependsOn:: *({IDS})")),
)
# Tags at the end, between fields.
_TAG = r"(?:^|\s)#[^ !@#$%^&*(),.?\":{}|<>]+$"


@functools.cache  # compiled for the first task that carries metadata: most carry none
def _steps() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The plugin's order within one pass: each field in either format, trailing tags
    after the recurrence, then the id and the dependencies."""
    steps = (
        *(step for pair in zip(_EMOJI[:10], _DATAVIEW[:10], strict=True) for step in pair),
        ("tag", _TAG),
        *(step for pair in zip(_EMOJI[10:], _DATAVIEW[10:], strict=True) for step in pair),
    )
    return tuple((name, re.compile(pattern)) for name, pattern in steps)


PRIORITIES = {"🔺": "highest", "⏫": "high", "🔼": "medium", "🔽": "low", "⏬": "lowest"}
BLOCK_LINK = re.compile(r" \^[a-zA-Z0-9-]+$")
MARKERS = re.compile("[🔺⏫🔼🔽⏬✅❌📅📆🗓⏰⏳⌛🛫➕🔁🏁🆔⛔]|::")
MAX_RUNS = 20  # the plugin's own failsafe: fields are taken off at most 21 times


def may_hold(text: str, chars: str) -> bool:
    """Whether `text` may hold a marker that is one of `chars` or ends in `::` (a field's
    key): a look that spares most texts a case-blind search for the markers, which goes
    over them character by character (18 ms for the tasks of 4,000 notes, where this
    takes 2)."""
    return "::" in text or any(char in text for char in chars)


# Nothing prints these (`model.record` says why this matters).
class TaskMeta(msgspec.Struct, frozen=True):
    """What the Tasks plugin reads from one task's text (after `- [c] `)."""

    description: str
    done: date | None = None
    cancelled: date | None = None
    due: date | None = None
    scheduled: date | None = None
    start: date | None = None
    created: date | None = None
    recurrence: str | None = None
    priority: str | None = None
    id: str | None = None
    depends_on: tuple[str, ...] = ()


DATE_FIELDS = frozenset({"done", "cancelled", "due", "scheduled", "start", "created"})


def read_task(text: str) -> TaskMeta:
    """The description and metadata of a task's text, as the Tasks plugin reads them."""
    line = BLOCK_LINK.sub("", text.rstrip()).strip()
    if not MARKERS.search(line):  # most tasks carry no metadata: one scan says so
        return TaskMeta(line)
    found: dict[str, str] = {}
    tags: list[str] = []
    for _ in range(MAX_RUNS + 1):
        matched = False
        for name, pattern in _steps():
            match = pattern.search(line)
            if match is None:
                continue
            if name == "tag":  # tags between fields go back to the description
                tags.insert(0, match.group().strip())
            else:  # the plugin keeps the last value it reads: the leftmost written
                found[name] = next(group for group in match.groups() if group is not None)
            line = line[: match.start()].strip()
            matched = True
        if not matched:
            break
    return _meta(" ".join([line, *tags]) if tags else line, found)


def _meta(description: str, found: dict[str, str]) -> TaskMeta:
    values: dict[str, object] = {}
    for name, value in found.items():
        if name in DATE_FIELDS:
            values[name] = _date(value)
        elif name == "priority":
            values[name] = PRIORITIES.get(value, value.lower())
        elif name == "depends_on":
            values[name] = tuple(part for part in value.replace(" ", "").split(",") if part)
        elif name in ("recurrence", "id"):
            values[name] = value.strip()
    return TaskMeta(description, **values)  # type: ignore[arg-type]


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
