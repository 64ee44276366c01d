"""VK403 task-dependency: a Tasks-plugin dependency that cannot work as written.

Three things are reported: a `⛔` (or `[dependsOn:: …]`) naming an id that no task has;
an id (`🆔`, `[id:: …]`) given to more than one task; and tasks that wait on each other in
a loop, named up to 12 of them, then how many more there are. Ids are vault-wide and
case-sensitive, as in the Tasks plugin.

## Why
A dependency on an id nobody has is never satisfied and never shown as blocked: usually a
typo, or the task with the id was deleted. With an id used twice, the plugin cannot tell
which task is meant. A loop of dependencies has no task to start with.

## Example
```markdown fails at=2:23
- [ ] Write the Dockerfile 🆔 dockerfile
- [ ] Build the image ⛔ dockerfil
```
```markdown passes
- [ ] Write the Dockerfile 🆔 dockerfile
- [ ] Build the image ⛔ dockerfile
```

## Fix
Correct the id after `⛔`, give each task its own id, or remove one dependency of the loop.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from vaultkit.model import Diagnostic, Note, Span
from vaultkit.rules.base import (
    NoOptions,
    RuleScope,
    Severity,
    VaultContext,
    named_list,
    named_loop,
)
from vaultkit.taskdeps import Linked, task_dependencies

CODE = "VK403"
NAME = "task-dependency"
SCOPE: RuleScope = "vault"
SEVERITY: Severity = "error"
FIXABLE = False
DEFAULT_ENABLED = True

# Where an id or a dependency is written; Dataview keys in any case, as the plugin reads them.
# Patterns, not compiled ones: `re` compiles (and keeps) them at the first finding, and most
# runs have none (compiling both costs about a millisecond at each start).
ID_MARKERS = r"🆔|[\[(]id::"
DEPENDS_MARKERS = r"⛔|[\[(]dependson::"


Options = NoOptions  # this rule takes no options


def check(ctx: VaultContext[Options]) -> Iterator[Diagnostic]:
    excluded = ctx.vault.files.excluded
    yield from reported(
        ctx, (note for path, note in ctx.vault.notes.items() if path not in excluded)
    )


def reported(ctx: VaultContext[Any], notes: Iterable[Note]) -> Iterator[Diagnostic]:
    """The findings in the notes at `ctx.paths`, where the `notes` are every linted note
    whose tasks may carry ids or dependencies (others add nothing)."""
    deps = task_dependencies(notes)
    for ref, linked in deps.tasks.items():
        if ref.path not in ctx.paths:
            continue
        for name in linked.depends_on:
            if name not in deps.owners:
                at = _where(ctx, linked, DEPENDS_MARKERS)
                yield ctx.report(
                    ref.path, at, f"no task has the id {name!r} that this one waits on"
                )
        if linked.id is not None and len(deps.owners[linked.id]) > 1:
            owners = deps.owners[linked.id]
            others = (_place(deps.tasks[other]) for other in owners if other != ref)
            listed = named_list(others, len(owners) - 1, ("task", "tasks"))
            message = f"the id {linked.id!r} is also given to {listed}"
            yield ctx.report(ref.path, _where(ctx, linked, ID_MARKERS), message)
    for loop in deps.loops():
        names = [repr(deps.tasks[ref].description) for ref in loop]
        tasks = ("task", "tasks")
        chain = named_loop(names.__getitem__, len(names), "waits on", tasks, "waiting on")
        for ref in loop:
            if ref.path in ctx.paths:
                at = _where(ctx, deps.tasks[ref], DEPENDS_MARKERS)
                yield ctx.report(ref.path, at, f"tasks wait on each other in a loop: {chain}")


def _place(linked: Linked) -> str:
    return f"{str(linked.ref.path)!r} line {linked.task.span.line}"


def _where(ctx: VaultContext[Any], linked: Linked, markers: str) -> Span:
    """The last marker's position on the task's line; the task's status character if none."""
    span = linked.task.span
    line = ctx.run.source.line(linked.ref.path, span.line)
    found = list(re.finditer(markers, line, re.IGNORECASE))
    if not found:
        return span
    col = found[-1].start() + 1
    return Span(span.line, col, span.line, col)
