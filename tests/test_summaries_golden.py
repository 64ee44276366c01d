"""Golden tests: a small vault in, the notes after `sync` out, one file per block kind.

tests/golden/KIND.txt uses the markdown-it fixture layout (title, `.`, input, `.`,
expected, `.`). Input and expected hold files, each introduced by a line `=== PATH`.
Every file listed under expected must hold exactly that text after a sync; every other
file must be byte for byte what it was. A second sync must then change nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from vaultkit import syncing
from vaultkit.config import Config
from vaultkit.progress import compute
from vaultkit.vault import load_vault

GOLDEN = Path(__file__).parent / "golden"
FILE_HEADER = "=== "


def split_files(section: str) -> dict[str, str]:
    files: dict[str, str] = {}
    current: str | None = None
    for line in section.splitlines(keepends=True):
        if line.startswith(FILE_HEADER):
            current = line[len(FILE_HEADER) :].rstrip("\n")
            files[current] = ""
        elif current is not None:
            files[current] += line
    return files


def cases() -> list[object]:
    found = []
    for fixture in sorted(GOLDEN.glob("*.txt")):
        for line, title, given, expected in read_fixture_file(fixture):
            case_id = f"{fixture.stem}:{line + 1} {title}"
            found.append(pytest.param(split_files(given), split_files(expected), id=case_id))
    return found


def write_files(root: Path, files: dict[str, str]) -> None:
    (root / ".obsidian").mkdir(parents=True)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))


def sync(root: Path) -> syncing.SyncReport:
    vault = load_vault(root, Config())
    return syncing.run(vault, compute(vault))


@pytest.mark.parametrize(("given", "expected"), cases())
def test_golden(tmp_path, given, expected):
    root = tmp_path / "vault"
    write_files(root, given)

    first = sync(root)

    after = {rel: (root / rel).read_bytes().decode("utf-8") for rel in given}
    assert {rel: after[rel] for rel in expected} == expected
    assert {rel: text for rel, text in after.items() if rel not in expected} == {
        rel: text for rel, text in given.items() if rel not in expected
    }
    assert first.plan.problems == () and first.plan.skipped == ()
    second = sync(root)
    assert (second.plan.updates, second.exit_code) == ((), 0)


def test_every_block_kind_has_golden_cases():
    assert sorted(path.stem for path in GOLDEN.glob("*.txt")) == [
        "graph",
        "next",
        "outline",
        "progress",
        "rollup",
        "timeline",
    ]
