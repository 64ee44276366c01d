"""Render Mermaid blocks with the real Mermaid library in headless Chromium.

Shared by tests/test_mermaid_render.py and docs/render_screenshots.py. The browser work
is in render.mjs (playwright-core driving Debian's /usr/bin/chromium) and harness.js;
this module finds the blocks in a vault, runs `vaultkit sync`, and reads the results.
Set it up with .ci/install-mermaid.sh.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "render.mjs"
CHROMIUM = Path(os.environ.get("VAULTKIT_CHROMIUM", "/usr/bin/chromium"))
RENDER_TIMEOUT_S = 180
SYNC_TIMEOUT_S = 120

# Mermaid draws a gantt task name that starts with a keyword ("Title ideas", "Section 2")
# as that keyword, without an error: count what was written against what was drawn.
_NODE_DECLARATION = re.compile(r"^\s*(\w+)\s*[\[({>]", re.MULTILINE)
_GANTT_TASK = re.compile(r"^\s*(?!%%)\S.*?\s:", re.MULTILINE)
_GANTT_SECTION = re.compile(r"^\s*section\s", re.MULTILINE)
_BEGIN = re.compile(r"<!--\s*vaultkit:begin\s+(\S+)")
_END = re.compile(r"<!--\s*vaultkit:end\s+(\S+)")


@dataclass(frozen=True)
class MermaidBlock:
    path: str  # vault-relative, with "/"
    line: int  # 1-based line of the opening fence
    source: str  # the fence's content
    kind: str | None  # the managed block it sits in ("graph", "timeline"), None outside

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class BlockResult:
    block: MermaidBlock
    package: str  # the npm package the Mermaid release came from ("mermaid", "mermaid-11-4")
    version: str  # its version, "11.13.0"
    ok: bool
    # Where it stopped: "parse", "render", "check" (SVG sanity checks in harness.js) or
    # "count" (fewer nodes or tasks drawn than written).
    stage: str
    error: str | None
    facts: Mapping[str, object]  # diagramType, nodes, edges, internalLinks, tasks, labels...


class RendererUnavailable(RuntimeError):
    """Node, Chromium or the npm packages are missing, or the runner itself broke."""


def missing_requirements() -> list[str]:
    """What is missing to run the check, each with how to get it; empty when ready."""
    missing = []
    if shutil.which("node") is None:
        missing.append("node is not on PATH")
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"{CHROMIUM} is missing (apt-get install chromium)")
    for package in ("mermaid", "playwright-core"):
        if not (HERE / "node_modules" / package / "package.json").is_file():
            missing.append(f"{HERE / 'node_modules' / package} is missing (npm ci in {HERE})")
    return missing


def find_blocks(vault: Path) -> list[MermaidBlock]:
    """Every ```mermaid fence in every note of the vault, in path order."""
    blocks: list[MermaidBlock] = []
    for note in sorted(_notes(vault)):
        text = note.read_text(encoding="utf-8-sig")
        blocks.extend(blocks_in_text(note.relative_to(vault).as_posix(), text))
    return blocks


def blocks_in_text(path: str, text: str) -> list[MermaidBlock]:
    """The mermaid fences of one note, found the way a Markdown renderer finds them."""
    blocks = []
    kind: str | None = None
    for token in MarkdownIt("commonmark").parse(text):
        if token.type == "html_block":
            kind = _managed_kind(token.content, kind)
        elif token.type == "fence" and token.info.split()[:1] == ["mermaid"]:
            assert token.map is not None  # block tokens always carry their lines
            blocks.append(MermaidBlock(path, token.map[0] + 1, token.content, kind))
    return blocks


def _managed_kind(html: str, current: str | None) -> str | None:
    begin = _BEGIN.search(html)
    if begin:
        return begin.group(1)
    return None if _END.search(html) else current


def _notes(vault: Path) -> Iterable[Path]:
    for note in vault.rglob("*.md"):
        # .obsidian/, .trash/ and other dot folders hold no notes.
        if not any(part.startswith(".") for part in note.relative_to(vault).parts):
            yield note


def vaultkit_command() -> list[str]:
    """The installed `vaultkit` console script, the one users run."""
    beside_python = Path(sysconfig.get_path("scripts")) / "vaultkit"
    if beside_python.is_file():
        return [str(beside_python)]
    found = shutil.which("vaultkit")
    if found is None:
        raise RuntimeError(f"no vaultkit console script beside {sys.executable} or on PATH")
    return [found]


def synced_copy(source: Path, dest: Path) -> Path:
    """Copy a vault to `dest` and run `vaultkit sync` on the copy; return the copy.

    Raises RuntimeError unless `sync` exits 0 or 1 and `sync --check` then exits 0: a
    crash also exits 1, so the second run is what tells "changed files" from a traceback.
    """
    shutil.copytree(source, dest, symlinks=True)
    _run_vaultkit(["sync", str(dest)], dest, expect=(0, 1))
    _run_vaultkit(["sync", "--check", str(dest)], dest, expect=(0,))
    return dest


def _run_vaultkit(args: list[str], cwd: Path, expect: tuple[int, ...]) -> None:
    command = [*vaultkit_command(), *args]
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=SYNC_TIMEOUT_S, check=False
    )
    if done.returncode not in expect or "Traceback (most recent call last)" in done.stderr:
        raise RuntimeError(
            f"{' '.join(command)} exited {done.returncode} (expected {expect})\n"
            f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
        )


def render(
    blocks: Sequence[MermaidBlock], screenshots: Mapping[str, Path] | None = None
) -> list[BlockResult]:
    """Parse and render every block with every pinned Mermaid release.

    `screenshots` maps a block id to a PNG path, drawn with the primary release.
    """
    request = {
        "chromium": str(CHROMIUM),
        "blocks": [{"id": b.id, "source": b.source} for b in blocks],
        "screenshots": [{"id": k, "path": str(v)} for k, v in (screenshots or {}).items()],
    }
    with tempfile.TemporaryDirectory(prefix="vaultkit-mermaid-") as tmp:
        request_path, result_path = Path(tmp) / "request.json", Path(tmp) / "result.json"
        request_path.write_text(json.dumps(request), encoding="utf-8")
        done = subprocess.run(
            ["node", str(RUNNER), str(request_path), str(result_path)],
            capture_output=True,
            text=True,
            timeout=RENDER_TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            raise RendererUnavailable(f"render.mjs exited {done.returncode}:\n{done.stderr}")
        output = json.loads(result_path.read_text(encoding="utf-8"))
    return _results(blocks, output["runs"])


def _results(blocks: Sequence[MermaidBlock], runs: list[dict[str, Any]]) -> list[BlockResult]:
    by_id = {b.id: b for b in blocks}
    results = []
    for run in runs:
        if run["pageErrors"]:
            raise RendererUnavailable(f"errors in the page: {run['pageErrors']}")
        for raw in run["results"]:
            block = by_id[raw["id"]]
            facts = {k: v for k, v in raw.items() if k not in ("id", "ok", "stage", "error")}
            ok, stage, error = bool(raw["ok"]), str(raw["stage"]), raw["error"]
            if ok:
                error = count_mismatch(block.source, facts)
                ok, stage = error is None, "count" if error else stage
            results.append(
                BlockResult(
                    block, str(run["package"]), str(run["version"]), ok, stage, error, facts
                )
            )
    return results


def count_mismatch(source: str, facts: Mapping[str, Any]) -> str | None:
    """Why the drawing has fewer nodes, tasks or sections than the source has; None if not."""
    if facts.get("diagramType") == "gantt":
        written = (len(_GANTT_TASK.findall(source)), len(_GANTT_SECTION.findall(source)))
        drawn = (facts["tasks"], facts["sections"])
        if drawn != written:
            return (
                f"drew {drawn[0]} tasks in {drawn[1]} sections, the source has {written[0]} in "
                f"{written[1]} (a name read as a gantt keyword?); drawn: {facts['taskLabels']}"
            )
    elif facts.get("diagramType", "").startswith("flowchart"):
        declared = len(set(_NODE_DECLARATION.findall(source)))
        if facts["nodes"] < declared or facts["nodes"] == 0:
            return f"drew {facts['nodes']} nodes, the source declares {declared}"
    return None


def describe_failures(results: Iterable[BlockResult]) -> str:
    """One paragraph per failed block: where it is, which Mermaid, what it said, the source."""
    paragraphs = []
    for r in results:
        if r.ok:
            continue
        kind = f" ({r.block.kind} block)" if r.block.kind else ""
        numbered = "\n".join(
            f"  {n:3} | {line}" for n, line in enumerate(r.block.source.splitlines(), start=1)
        )
        paragraphs.append(
            f"{r.block.id}{kind}: Mermaid {r.version} ({r.package}) {r.stage} error: "
            f"{r.error}\n{numbered}"
        )
    return "\n\n".join(paragraphs)
