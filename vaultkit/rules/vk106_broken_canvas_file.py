"""VK106 broken-canvas-file: a canvas file node that names a file the vault does not have.

A file node of a `.canvas` file (JSON Canvas, Obsidian's Canvas) shows a note or another
file of the vault by its path from the vault root. A canvas file that cannot be read at
all (not UTF-8, not JSON, not a JSON object, `nodes` or `edges` not lists of objects) is
reported too, once, where the JSON goes wrong.

## Why
Obsidian draws the node as an empty card that says the file is missing: the note was
renamed or deleted while the canvas was closed (Obsidian updates canvases only for the
renames it makes itself), or the canvas came from another vault. A canvas that is not
JSON was cut short or merged by hand (a git conflict); Obsidian cannot show it, and
saving it from Obsidian may replace what was there.

## Example
```json fails path=Map.canvas at=3:37
{
  "nodes":[
    {"id":"a1","type":"file","file":"Skills/Dokcer.md","x":0,"y":0,"width":400,"height":400}
  ]
}
```
```json passes path=Map.canvas
{
  "nodes":[
    {"id":"a1","type":"file","file":"Skills/Docker.md","x":0,"y":0,"width":400,"height":400}
  ]
}
```
```markdown file path=Skills/Docker.md
- [ ] Build an image
```

```json fails path=Map.canvas at=4:3
{
  "nodes":[
  ]
  "edges":[]
}
```

## Fix
Open the canvas and point the card at the file (or remove it), or fix the path in the
file. A canvas kept by vaultkit (`[[canvas]]` in the configuration) is fixed by `vaultkit
sync`, which gives each note in scope its node again.

"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from vaultkit.model import Diagnostic
from vaultkit.rules.base import WHOLE_FILE, NoOptions, RuleScope, Severity, VaultContext, point

if TYPE_CHECKING:
    from vaultkit.jsoncanvas import Written

CODE = "VK106"
NAME = "broken-canvas-file"
SCOPE: RuleScope = "vault"
SEVERITY: Severity = "error"
FIXABLE = False
DEFAULT_ENABLED = True


Options = NoOptions  # this rule takes no options


def check(ctx: VaultContext[Options]) -> Iterator[Diagnostic]:
    canvases = [path for path in ctx.vault.files.attachments if path.suffix.lower() == ".canvas"]
    if not canvases:
        return
    from vaultkit.jsoncanvas import CanvasError, loads, node_strings  # for vaults with canvases

    for path in canvases:
        text = ctx.run.source.text(path)
        try:
            document = loads(ctx.vault.read_bytes(path) if text is None else text.encode())
        except OSError:
            continue  # gone since the vault was read
        except CanvasError as error:
            where = WHOLE_FILE if error.at is None else point(*error.at)
            yield ctx.report(path, where, f"the canvas cannot be read: {error}")
            continue
        if text is None:
            continue  # not UTF-8 when first read, a canvas now: the next run looks into it
        places: list[dict[str, Written]] | None = None  # found once a node is missing
        for number, node in enumerate(document.get("nodes", [])):
            named = node.get("file")
            if node.get("type") != "file" or not isinstance(named, str):
                continue
            if PurePosixPath(named) not in ctx.vault.index:
                places = node_strings(text) if places is None else places
                written = places[number] if number < len(places) else {}
                where = point(*written["file"].position()) if "file" in written else WHOLE_FILE
                message = f"file node names {named!r}, which is not in the vault"
                yield ctx.report(path, where, message)
