"""No hidden state: running commands leaves every module-level dict, set and list as it was.

State that outlives one call (the watcher's parsed notes, scans, who shows what) belongs
to an object the caller holds, where it can be compared with a fresh load; a module-level
cache would survive from one vault to the next and drift unseen.
"""

from __future__ import annotations

import copy
import importlib
import pkgutil
import shutil
from pathlib import Path, PurePosixPath

from watchdog.events import FileModifiedEvent

import vaultkit
from vaultkit import api
from vaultkit.debounce import WatchOptions
from vaultkit.progress import track
from vaultkit.vault import refresh
from vaultkit.watcher import Watcher

MUTABLE = (dict, set, list, bytearray)
# Module-level functools caches that may stay: each memoizes a function of its arguments
# alone, so what it holds is the same for every vault and cannot drift from one.
PURE_MEMOS = {
    "vaultkit.blocks.block_parser": "the one configured parser, built when first needed",
    "vaultkit.body._parser": "the one configured parser, built when first needed",
    "vaultkit.cache.stamp": "vaultkit's source and the parsers' versions, fixed while it runs",
    "vaultkit.index.normalize_heading": "a heading's text as Obsidian compares it",
    "vaultkit.results._digest_of": "the sha256 of some note paths, the last ones asked for",
    "vaultkit.results._raw": "some hex digests as bytes, the last ones asked for",
    "vaultkit.rules.base._folded": "the few property names rules ask for, casefolded",
    "vaultkit.summaries.outline._heading_parser": "the one configured parser, built when needed",
    "vaultkit.summaries.renderer": "the render function of a block kind, loaded when first asked",
    "vaultkit.taskmeta._steps": "the Tasks plugin's field patterns, compiled when first needed",
    "vaultkit.plainyaml._mark": "a YAML mark at a line and column, the same for every note",
}
EXAMPLE_VAULT = Path(__file__).resolve().parents[1] / "example-vault"


def every_module() -> list[str]:
    names = [info.name for info in pkgutil.walk_packages(vaultkit.__path__, "vaultkit.")]
    return ["vaultkit", *sorted(name for name in names if not name.endswith("__main__"))]


def module_containers() -> dict[str, object]:
    """`module.NAME` -> a copy of every mutable container held at module level."""
    found = {}
    for name in every_module():
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if isinstance(value, MUTABLE) and not attribute.startswith("__"):
                found[f"{name}.{attribute}"] = (value, copy.deepcopy(value))
    return found


def module_caches() -> list[str]:
    """`module.NAME` of every function defined at module level behind a functools cache."""
    found = []
    for name in every_module():
        for attribute, value in vars(importlib.import_module(name)).items():
            if hasattr(value, "cache_info") and getattr(value, "__module__", None) == name:
                found.append(f"{name}.{attribute}")
    return found


def test_the_only_module_level_caches_memoize_pure_functions():
    assert sorted(module_caches()) == sorted(PURE_MEMOS)


def run_every_command(root: Path) -> None:
    api.status(root)
    api.lint(root)
    api.sync(root, write=False)
    api.sync(root)
    vault, _ = api.open_vault([root])
    tracked = track(vault)
    note = root / "Skills" / "Docker.md"
    note.write_text(note.read_text(encoding="utf-8") + "\n- [ ] one more\n", encoding="utf-8")
    track(refresh(vault, [PurePosixPath("Skills/Docker.md")]), tracked)


def test_commands_change_no_module_level_container(tmp_path):
    root = tmp_path / "vault"
    shutil.copytree(EXAMPLE_VAULT, root)
    before = module_containers()
    run_every_command(root)
    changed = sorted(name for name, (now, then) in before.items() if now != then)
    assert changed == []


def test_a_watcher_keeps_its_state_in_itself_not_in_modules(tmp_path):
    root = tmp_path / "vault"
    shutil.copytree(EXAMPLE_VAULT, root)
    before = module_containers()
    watcher = Watcher(api.load(root, api.read_config(root)), WatchOptions(quiet_period=1.0))
    watcher.start(0.0)
    note = root / "Skills" / "Docker.md"
    note.write_text(note.read_text(encoding="utf-8") + "\n- [ ] one more\n", encoding="utf-8")
    watcher.handle(FileModifiedEvent(str(note)), 1.0)
    watcher.tick(5.0)  # the batch: the note, then the blocks that show it
    watcher.rescan(10.0)  # the comparison with a fresh load
    changed = sorted(name for name, (now, then) in before.items() if now != then)
    assert changed == []
