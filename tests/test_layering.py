"""How the package hangs together: imports point down the pipeline, never round in a loop."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "vaultkit"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def top_level_imports(path: Path) -> set[str]:
    """The vaultkit modules a module imports when it is imported (not inside functions,
    not only for type checking)."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.startswith("vaultkit")}


def import_graph() -> nx.DiGraph:
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for imported in top_level_imports(path):
            if imported in modules and imported != name:
                graph.add_edge(name, imported)
    return graph


def test_no_module_imports_itself_back_through_others():
    graph = import_graph()
    # A package imports its own modules to list them; that is not a loop between stages.
    loops = [
        cycle
        for cycle in nx.simple_cycles(graph)
        if not any(a.startswith(b + ".") or b.startswith(a + ".") for a in cycle for b in cycle)
    ]
    assert loops == []


def test_nothing_imports_the_command_line():
    graph = import_graph()
    assert sorted(graph.predecessors("vaultkit.cli")) == ["vaultkit.__main__"]


def loaded_by(statement: str) -> set[str]:
    """The vaultkit modules a fresh interpreter has loaded after `statement`."""
    code = f"{statement}; import sys; print(*sorted(m for m in sys.modules if 'vaultkit' in m))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_importing_the_rules_loads_neither_the_writer_nor_the_sync_planner():
    loaded = loaded_by("import vaultkit.rules")
    assert {"vaultkit.writeback", "vaultkit.syncing", "vaultkit.cli"} & loaded == set()


def test_the_values_import_nothing_of_vaultkit():
    assert sorted(import_graph().successors("vaultkit.model")) == []


def test_rendering_and_silencing_import_neither_the_rules_nor_the_writer():
    graph = import_graph()
    for module in ("vaultkit.summaries", "vaultkit.suppress"):
        below = nx.descendants(graph, module)
        assert {"vaultkit.rules", "vaultkit.writeback", "vaultkit.syncing"} & below == set()


# What a command that recalls its results must not load: the parsers, the graph library.
HEAVY = ("markdown_it", "mdit_py_plugins", "yaml", "frontmatter", "networkx", "pathspec")
WARM_VAULT = {
    ".obsidian/app.json": "{}",
    "Hub.md": "---\nphase: P1\n---\n# Hub\n\n- [x] plan\n- [ ] ship [[Docker]]\n",
    "Skills/Docker.md": "---\nrequires: ['[[Hub]]']\n---\n# Docker\n\n- [ ] install\n",
    "Skills/Helm.md": "# Helm\n\nSee [[Nowhere]] and #tag.\n\n> Not plain: read by markdown-it.\n",
}


def heavy_modules_loaded(
    args: list[str], cache: Path, heavy: tuple[str, ...] = HEAVY, *, settled: bool = False
) -> list[str]:
    """The `heavy` modules a fresh interpreter has loaded after `vaultkit ARGS` (`settled`:
    every stat trusted at once, as if the notes were saved long before)."""
    settle = "import vaultkit.cache; vaultkit.cache.RACY_NS = 0; " if settled else ""
    code = (
        f"import sys; {settle}from vaultkit.cli import main; main(sys.argv[1:]); "
        f"print('loaded:', *sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    env = {**os.environ, "VAULTKIT_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout.rpartition("loaded:")[2].split()


@pytest.mark.parametrize(
    "command",
    [["lint"], ["lint", "--format", "json"], ["sync", "--check"], ["status"], ["next"]],
    ids=" ".join,
)
def test_a_run_that_recalls_its_results_loads_no_parser_and_no_graph_library(
    command, make_vault, tmp_path
):
    root = make_vault(WARM_VAULT)
    cache = tmp_path / "cache"
    cold = heavy_modules_loaded([*command, str(root)], cache)

    warm = heavy_modules_loaded([*command, str(root)], cache)

    assert "markdown_it" in cold  # the notes were parsed the first time
    assert warm == []


def test_a_lint_that_writes_nothing_loads_no_temp_file_machinery(make_vault, tmp_path):
    """`tempfile` (with `shutil`, `random` and the compression modules) is for writes."""
    root = make_vault(WARM_VAULT)
    heavy = ("tempfile", "shutil", "random")

    assert heavy_modules_loaded(["lint", str(root)], tmp_path / "cache", heavy) == []


def modules_loaded_by_parsing(text: str) -> set[str]:
    """The modules a fresh interpreter has loaded after parsing one note of `text`."""
    code = (
        "import sys; from pathlib import PurePosixPath; from vaultkit.parse import parse_note; "
        f"parse_note(PurePosixPath('Note.md'), {text.encode()!r}, 1 << 20); "
        "print(*sorted(sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


PLAIN_NOTE = (
    "---\nphase: '[[P1]]'\ntags: [skill]\n---\n# Docker\n\nSee [[Helm]] and #infra.\n\n"
    "<!-- vaultkit:begin progress -->\n<!-- vaultkit:end progress -->\n\n"
    "## Checklist\n\n- [x] install\n- [ ] compose 📅 2026-01-02\n"
)


def test_parsing_a_note_in_plain_markdown_loads_no_markdown_it():
    loaded = modules_loaded_by_parsing(PLAIN_NOTE)

    assert {"markdown_it", "mdit_py_plugins", "vaultkit.mdblock"} & loaded == set()
    assert "vaultkit.plain" in loaded


def test_parsing_a_note_that_is_not_plain_loads_markdown_it():
    loaded = modules_loaded_by_parsing(PLAIN_NOTE + "\n> a quote\n")

    assert "markdown_it" in loaded


def test_the_characters_a_line_is_trimmed_of_are_markdown_its():
    from markdown_it.common.utils import MD_TRIM_CHARS

    from vaultkit import lines

    assert lines.MD_TRIM_CHARS == MD_TRIM_CHARS


# What printing a text kept for the vault as it is must not load: the codec of kept values
# (msgspec itself is loaded with the model, whose values are its structs), the worker
# processes of a cold parse, the progress it was computed from.
SHOWING = (
    "vaultkit.packing",
    "vaultkit.workers",
    "tomllib",
    "vaultkit.progress",
    "vaultkit.taskmeta",
)


@pytest.mark.parametrize("command", [["status"], ["next"]], ids=" ".join)
def test_printing_what_was_printed_loads_no_codec_no_workers_and_no_progress(
    command, make_vault, tmp_path
):
    root = make_vault(WARM_VAULT)
    cache = tmp_path / "cache"
    cold = heavy_modules_loaded([*command, str(root)], cache, SHOWING, settled=True)

    warm = heavy_modules_loaded([*command, str(root)], cache, SHOWING, settled=True)

    assert "vaultkit.progress" in cold
    assert warm == []


# What a `lint` that recalls its findings must not load: the rules, nor what runs them.
RUNNING_RULES = ("vaultkit.rules", "vaultkit.linting", "vaultkit.progress", "vaultkit.writeback")


@pytest.mark.parametrize(
    ("command", "loaded"),
    [
        (["lint"], []),
        # JSON names each finding's rule and severity: the registry, and nothing that runs it.
        (["lint", "--format", "json"], ["vaultkit.rules"]),
    ],
    ids=["lint", "lint --format json"],
)
def test_a_lint_that_recalls_its_findings_runs_no_rule(command, loaded, make_vault, tmp_path):
    root = make_vault(WARM_VAULT)
    cache = tmp_path / "cache"
    cold = heavy_modules_loaded([*command, str(root)], cache, RUNNING_RULES)

    warm = heavy_modules_loaded([*command, str(root)], cache, RUNNING_RULES)

    assert "vaultkit.linting" in cold
    assert warm == loaded


# What a `sync --check` that recalls its plan must not load: what renders the blocks.
RENDERING = ("vaultkit.planning", "vaultkit.summaries", "vaultkit.progress", "vaultkit.canvases")


def test_a_sync_check_that_recalls_its_plan_renders_nothing(make_vault, tmp_path):
    root = make_vault(WARM_VAULT)
    cache = tmp_path / "cache"
    command = ["sync", "--check", str(root)]
    cold = heavy_modules_loaded(command, cache, RENDERING)

    warm = heavy_modules_loaded(command, cache, RENDERING)

    assert "vaultkit.planning" in cold
    assert warm == []


EDITED = ("markdown_it", "mdit_py_plugins", "yaml", "networkx", "pathspec", "vaultkit.parse")


@pytest.mark.parametrize(
    ("change", "loaded"),
    [
        # Its front matter is simple: read without PyYAML.
        pytest.param("- [ ] ship\n", ["vaultkit.parse"], id="a line added"),
        pytest.param("", [], id="touched, its bytes the same"),
    ],
)
@pytest.mark.parametrize(
    "command", [["lint"], ["status"], ["next"], ["sync", "--check"]], ids=" ".join
)
def test_a_run_after_one_plain_note_changed_parses_it_alone_without_markdown_it(
    command, change, loaded, make_vault, tmp_path
):
    root = make_vault(WARM_VAULT)
    cache = tmp_path / "cache"
    heavy_modules_loaded([*command, str(root)], cache, EDITED, settled=True)
    docker = root / "Skills/Docker.md"
    docker.write_text(docker.read_text(encoding="utf-8") + change, encoding="utf-8")
    os.utime(docker, ns=(1, 1))

    after = heavy_modules_loaded([*command, str(root)], cache, EDITED, settled=True)

    assert after == loaded  # Helm.md, not plain Markdown, is taken as kept: no markdown-it


# Run in a fresh interpreter: a cold `lint` whose notes are parsed by worker processes and
# whose note rules and plan are shared with forked halves (thresholds lowered, a core
# taken to be free), each child writing the modules it imported after it was forked.
CHILD_IMPORTS = """\
import json, os, sys
from vaultkit import cli, halves, vault

vault.PARALLEL_THRESHOLD = halves.THRESHOLD = 4
halves._core_free = lambda cores: True
del sys.modules["vaultkit.packing"]  # imported by `halves` here, by a run when it needs it
fork, leave = os.fork, os._exit
at_fork = {}

def forked():
    modules = set(sys.modules)
    pid = fork()
    if pid == 0:
        at_fork["modules"] = modules
    return pid

def left(code):
    if "modules" in at_fork:
        with open(sys.argv[2], "a", encoding="utf-8") as out:
            out.write(json.dumps(sorted(set(sys.modules) - at_fork["modules"])) + "\\n")
    leave(code)

os.fork, os._exit = forked, left
cli.main(["lint", sys.argv[1]])
"""


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="no worker process on one core")
def test_the_processes_a_cold_lint_forks_import_nothing_after_the_fork(make_vault, tmp_path):
    skills = {
        f"Skills/S{i}.md": (
            f"---\nrequires: ['[[S{i - 1}]]']\n---\n# S{i}\n\n"
            "<!-- vaultkit:begin progress -->\n<!-- vaultkit:end progress -->\n\n- [ ] one\n"
        )
        for i in range(1, 13)
    }
    hub = (
        "# Hub\n\n<!-- vaultkit:begin graph folder=Skills -->\n<!-- vaultkit:end graph -->\n\n"
        "<!-- vaultkit:begin rollup folder=Skills -->\n<!-- vaultkit:end rollup -->\n"
    )
    root = make_vault({**skills, "Hub.md": hub})
    written = tmp_path / "imported.jsonl"
    env = {**os.environ, "VAULTKIT_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-c", CHILD_IMPORTS, str(root), str(written)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    summary = "Found 15 findings in 13 notes (14 fixable with --fix).\n"
    assert (done.returncode, done.stderr) == (0, summary)  # the lint ran to its end
    imported = written.read_text(encoding="utf-8").splitlines()
    assert len(imported) >= 3  # two workers at least, and the halves of the rules and plan
    assert set(imported) == {"[]"}
