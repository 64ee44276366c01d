"""Which notes a block's `folder=` names: Obsidian search's folder match, case-insensitive."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from vaultkit.summaries.scope import in_folder

PATHS = ["Projects/a.md", "projects/Sub/b.md", "計畫/c.md", "root.md", "Projects.md"]


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        pytest.param("Projects", ["Projects/a.md", "projects/Sub/b.md"], id="any case, below too"),
        pytest.param("/Projects/", ["Projects/a.md", "projects/Sub/b.md"], id="slashes"),
        pytest.param("projects/sub", ["projects/Sub/b.md"], id="a folder inside"),
        pytest.param("Proj", [], id="a name's start is not a folder"),
        pytest.param("計畫", ["計畫/c.md"], id="non-ASCII"),
        pytest.param("/", PATHS, id="the whole vault"),
    ],
)
def test_in_folder_keeps_the_notes_in_a_folder_and_below(folder, expected):
    found = in_folder([PurePosixPath(p) for p in PATHS], folder)
    assert [str(p) for p in found] == expected
