"""Draw the hub note's graph, timeline and burn-up blocks to docs/{graph,timeline,burnup}.png.

    .ci/install-mermaid.sh                       # chromium, CJK fonts, mermaid 11 (npm)
    /work/venv/bin/python docs/render_screenshots.py [--vault example-vault] [--note NOTE]

It copies the vault to a temporary folder, runs `vaultkit sync` there, finds the hub (the
note at the vault's top level with a `graph`, a `timeline` and a `burnup` block), and draws
the blocks with the Mermaid release a current Obsidian ships (tests/mermaid/package.json,
package "mermaid") in headless Chromium. The vault itself is never written.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("graph", "timeline", "burnup")


def _load_check() -> ModuleType:
    path = ROOT / "tests" / "mermaid" / "mermaid_check.py"
    spec = importlib.util.spec_from_file_location("mermaid_check", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


mc = _load_check()


def hub_blocks(blocks: list[Any], note: str | None) -> dict[str, Any]:
    """{kind: block} for the graph, timeline and burn-up of the hub note (or of `note`)."""
    candidates = [
        b for b in blocks if b.kind in KINDS and (b.path == note if note else "/" not in b.path)
    ]
    by_note: dict[str, dict[str, Any]] = {}
    for block in candidates:
        by_note.setdefault(block.path, {}).setdefault(block.kind, block)
    hubs = sorted(path for path, kinds in by_note.items() if set(kinds) == set(KINDS))
    if len(hubs) != 1:
        found = ", ".join(hubs) or "none"
        raise SystemExit(f"need one note with a block of each of {KINDS}, found: {found}")
    return by_note[hubs[0]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vault", type=Path, default=ROOT / "example-vault")
    parser.add_argument("--note", help="vault-relative path of the hub note (default: found)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    missing = mc.missing_requirements()
    if missing:
        raise SystemExit("run .ci/install-mermaid.sh first: " + "; ".join(missing))
    with tempfile.TemporaryDirectory(prefix="vaultkit-shots-") as tmp:
        vault = mc.synced_copy(args.vault.resolve(), Path(tmp) / "vault")
        hub = hub_blocks(mc.find_blocks(vault), args.note)
    shots = {hub[kind].id: (args.out / f"{kind}.png").resolve() for kind in KINDS}
    args.out.mkdir(parents=True, exist_ok=True)
    results = mc.render(list(hub.values()), screenshots=shots)
    failures = mc.describe_failures(results)
    if failures:
        raise SystemExit(f"Mermaid errors:\n\n{failures}")
    for kind in KINDS:
        print(f"{hub[kind].id} ({kind}) -> {shots[hub[kind].id]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
