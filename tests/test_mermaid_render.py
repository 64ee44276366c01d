"""Every Mermaid block vaultkit writes renders in the real Mermaid, as Obsidian draws it.

The blocks go through `mermaid.parse()` and `mermaid.render()` of each Mermaid 11 release
pinned in tests/mermaid/package.json, in headless Chromium. Set up with
`.ci/install-mermaid.sh`. Locally, without Chromium or the npm packages, these tests skip;
in CI (CI=true) they fail instead, so a broken install cannot pass as green.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
EXAMPLE_VAULT = HERE.parent / "example-vault"


def _load_check() -> ModuleType:
    # tests/mermaid/ is not a package (it also holds node_modules); load the helper by path.
    spec = importlib.util.spec_from_file_location(
        "mermaid_check", HERE / "mermaid" / "mermaid_check.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


mc = _load_check()

FLOWCHART = """\
flowchart LR
  n0["讀完 CAP 定理"]
  n1["Raft 論文"]
  n2["寫筆記 (draft)"]
  n0 --> n1
  n1 --> n2
  classDef done fill:#d3f9d8,stroke:#2b8a3e,color:#1b4332
  classDef active fill:#fff3bf,stroke:#e67700,color:#5c3c00
  class n0 done
  class n1 active
  class n0,n1,n2 internal-link
"""

GANTT = """\
gantt
  dateFormat YYYY-MM-DD
  axisFormat %m-%d
  section 基礎
  讀完 CAP 定理 :done, t0, 2026-07-01, 2026-07-10
  分散式共識 :active, t1, 2026-07-05, 2026-07-20
  section 進階
  寫論文筆記 :t2, 2026-07-21, 2026-08-01
"""

SAMPLE_NOTE = f"""\
# 路線圖

<!-- vaultkit:begin graph -->
```mermaid
{FLOWCHART}```
<!-- vaultkit:end graph -->

<!-- vaultkit:begin timeline -->
```mermaid
{GANTT}```
<!-- vaultkit:end timeline -->

    ```mermaid
    indented code: not a fence
    ```
"""

# A flowchart edge with no target: the parser rejects it.
BROKEN_SYNTAX = "flowchart LR\n  a -->\n"
# Month 13: the gantt parser accepts it; only rendering finds the date invalid.
BROKEN_DATE = "gantt\n  dateFormat YYYY-MM-DD\n  section A\n  x :t0, 2026-13-45, 2026-07-10\n"
# "Title ideas" starts with the `title` keyword: Mermaid makes it the chart's title and
# draws one task, with no error at all.
SWALLOWED_TASK = (
    "gantt\n  dateFormat YYYY-MM-DD\n  section A\n"
    "  Title ideas :t1, 2026-07-01, 2026-07-10\n  Docker :t2, 2026-07-01, 2026-07-10\n"
)


ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def _require_renderer() -> None:
    missing = mc.missing_requirements()
    if not missing:
        return
    reason = "Mermaid renderer not set up (.ci/install-mermaid.sh): " + "; ".join(missing)
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _visible(labels: list[str]) -> list[str]:
    """Labels as a reader sees them: zero-width characters (a way to escape a leading
    keyword in a gantt name) left out."""
    return [label.translate(ZERO_WIDTH) for label in labels]


def _fail_on_errors(results: list[Any], title: str) -> None:
    failures = mc.describe_failures(results)
    if failures:
        pytest.fail(f"{title}:\n\n{failures}", pytrace=False)


def _by(results: list[Any], block_id: str) -> list[Any]:
    return [r for r in results if r.block.id == block_id]


@pytest.fixture(scope="module")
def sample_results() -> list[Any]:
    _require_renderer()
    blocks = [
        *mc.blocks_in_text("路線圖.md", SAMPLE_NOTE),
        mc.MermaidBlock("notes/壞掉.md", 3, BROKEN_SYNTAX, "graph"),
        mc.MermaidBlock("notes/壞掉.md", 9, BROKEN_DATE, "timeline"),
        mc.MermaidBlock("notes/壞掉.md", 15, SWALLOWED_TASK, "timeline"),
    ]
    return mc.render(blocks)


@pytest.fixture(scope="module")
def vault_blocks(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    assert EXAMPLE_VAULT.is_dir(), f"{EXAMPLE_VAULT} is missing"
    vault = mc.synced_copy(EXAMPLE_VAULT, tmp_path_factory.mktemp("mermaid") / "vault")
    return mc.find_blocks(vault)


def test_blocks_in_text_finds_fences_inside_managed_blocks_only_as_fences() -> None:
    blocks = mc.blocks_in_text("路線圖.md", SAMPLE_NOTE)

    assert [(b.id, b.kind, b.source) for b in blocks] == [
        ("路線圖.md:4", "graph", FLOWCHART),
        ("路線圖.md:20", "timeline", GANTT),
    ]


def test_every_pinned_release_is_mermaid_11(sample_results: list[Any]) -> None:
    versions = sorted({(r.package, r.version.split(".")[0]) for r in sample_results})

    assert versions == [("mermaid", "11"), ("mermaid-11-4", "11")]


def test_flowchart_renders_with_states_and_internal_links(sample_results: list[Any]) -> None:
    results = _by(sample_results, "路線圖.md:4")

    assert len(results) == 2, "one result per pinned Mermaid release"
    for r in results:
        assert (r.ok, r.error) == (True, None), mc.describe_failures([r])
        assert r.facts["diagramType"] == "flowchart-v2"
        assert (r.facts["nodes"], r.facts["edges"], r.facts["internalLinks"]) == (3, 2, 3)
        assert r.facts["nodeLabels"] == ["讀完 CAP 定理", "Raft 論文", "寫筆記 (draft)"]


def test_gantt_renders_sections_and_tasks(sample_results: list[Any]) -> None:
    results = _by(sample_results, "路線圖.md:20")

    assert len(results) == 2, "one result per pinned Mermaid release"
    for r in results:
        assert (r.ok, r.error) == (True, None), mc.describe_failures([r])
        assert r.facts["diagramType"] == "gantt"
        assert r.facts["sectionLabels"] == ["基礎", "進階"]
        assert r.facts["taskLabels"] == ["讀完 CAP 定理", "分散式共識", "寫論文筆記"]


def test_syntax_error_is_reported_at_parse_with_note_path(sample_results: list[Any]) -> None:
    results = _by(sample_results, "notes/壞掉.md:3")

    assert [(r.ok, r.stage) for r in results] == [(False, "parse"), (False, "parse")]
    for r in results:
        assert r.error.startswith("Parse error on line "), r.error
        assert r.error.endswith("got 'EOF'"), r.error
    report = mc.describe_failures(results)
    assert report.startswith("notes/壞掉.md:3 (graph block): Mermaid 11.")
    assert "parse error: Parse error on line " in report
    assert "    2 |   a -->" in report


def test_invalid_gantt_date_is_reported_at_render(sample_results: list[Any]) -> None:
    results = _by(sample_results, "notes/壞掉.md:9")

    assert [(r.ok, r.stage, r.error) for r in results] == [
        (False, "render", "Invalid date:2026-13-45"),
        (False, "render", "Invalid date:2026-13-45"),
    ]
    assert "notes/壞掉.md:9 (timeline block)" in mc.describe_failures(results)


def test_task_name_read_as_gantt_keyword_is_reported(sample_results: list[Any]) -> None:
    results = _by(sample_results, "notes/壞掉.md:15")

    assert [(r.ok, r.stage) for r in results] == [(False, "count"), (False, "count")]
    for r in results:
        assert r.error == (
            "drew 1 tasks in 1 sections, the source has 2 in 1 "
            "(a name read as a gantt keyword?); drawn: ['Docker']"
        )


# Note names people give, each with something Mermaid reads as syntax: entities, quotes,
# brackets, arrows, gantt separators, a `%%{...}%%` directive (Mermaid strips one wherever
# it is, and applies it), and words that are keywords in a flowchart or a gantt
# (a gantt line that starts with `click `, `call `, `section `, `title `, `includes `,
# `excludes `, `gantt` or a date is that statement, whatever follows).
AWKWARD_NAMES = (
    "C# & C++ <basics>",
    'Say "hi"',
    "Side Project 1: 語音轉文字 API",
    "a;b",
    "x --> y",
    "(parens) {braces} [brackets]",
    "|pipes|",
    "100% done",
    "50%% off",
    "theme %%{init: {'theme': 'forest'}}%% test",
    "🚀 rocket",
    "it's",
    "end",
    "style",
    "graph",
    "default",
    "n1",
    "Click here",
    "Call notes",
    "Section 2",
    "Title ideas",
    "Includes",
    "Excludes",
    "Today marker",
    "Date format",
    "Gantt chart",
    "2027-01-01 review",
)


def test_graph_and_timeline_of_awkward_note_names_render_every_name() -> None:
    from vaultkit.model import State
    from vaultkit.summaries.graph import format_graph
    from vaultkit.summaries.text import gantt_text
    from vaultkit.summaries.timeline import Section, Task, format_timeline

    _require_renderer()
    names = AWKWARD_NAMES
    graph = format_graph(
        [(n, State.READY) for n in names], [(i, i + 1) for i in range(len(names) - 1)]
    )
    tasks = [Task(n, State.IN_PROGRESS, "2026-07-01", "2026-07-31") for n in names]
    timeline = format_timeline([Section(n, (t,)) for n, t in zip(names, tasks, strict=True)])
    blocks = mc.blocks_in_text("Awkward.md", f"{graph}\n{timeline}")

    results = mc.render(blocks)

    assert len(results) == 4, [b.id for b in blocks]
    _fail_on_errors(results, "Mermaid errors in the graph and timeline of awkward names")
    for r in results:
        if r.facts["diagramType"] == "gantt":
            expected = _visible([gantt_text(n) for n in names])
            assert _visible(r.facts["taskLabels"]) == expected
            assert _visible(r.facts["sectionLabels"]) == expected
        else:
            assert sorted(_visible(r.facts["nodeLabels"])) == sorted(names)


def test_example_vault_has_graph_and_timeline_blocks(vault_blocks: list[Any]) -> None:
    kinds = {b.kind for b in vault_blocks}

    assert {"graph", "timeline", "burnup"} <= kinds, [b.id for b in vault_blocks]
    assert all(b.source.strip() for b in vault_blocks), "an empty mermaid fence"


def test_every_example_vault_mermaid_block_renders(vault_blocks: list[Any]) -> None:
    _require_renderer()

    results = mc.render(vault_blocks)

    assert len(results) == 2 * len(vault_blocks), "one result per block and Mermaid release"
    _fail_on_errors(results, "Mermaid errors in example-vault after sync")


def test_a_graph_grouped_into_subgraphs_renders_every_group_and_node() -> None:
    from vaultkit.model import State
    from vaultkit.summaries.graph import format_graph

    _require_renderer()
    names = AWKWARD_NAMES
    groups = [(f"{name} (phase)", [i]) for i, name in enumerate(names[:-2])]
    groups.append(("two notes", [len(names) - 2, len(names) - 1]))
    graph = format_graph(
        [(n, State.BLOCKED) for n in names],
        [(i, i + 1) for i in range(len(names) - 1)],
        groups,
    )
    blocks = mc.blocks_in_text("Grouped.md", graph)

    results = mc.render(blocks)

    _fail_on_errors(results, "Mermaid errors in a graph with subgraphs")
    for r in results:
        assert sorted(_visible(r.facts["nodeLabels"])) == sorted(names)
        assert r.facts["internalLinks"] == len(names)
        shown = set(_visible(r.facts["labels"]))
        assert {f"{name} (phase)" for name in _visible(names[:-2])} <= shown
