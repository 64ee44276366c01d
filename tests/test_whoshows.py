"""Which notes' blocks may show something different after some notes changed."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from test_syncing import make

from vaultkit.config import Config
from vaultkit.live import LiveVault
from vaultkit.vault import load_vault
from vaultkit.whoshows import Snapshot, who_shows

P = PurePosixPath


def opened(root: Path) -> Snapshot:
    return LiveVault(load_vault(root, Config())).now


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "vault"


def showing_vault(root: Path) -> Path:
    return make(
        root,
        {
            "Hub.md": "[[Docker]]\n<!-- vaultkit:begin rollup -->\n<!-- vaultkit:end rollup -->\n",
            "Tagged.md": "<!-- vaultkit:begin rollup tag=k8s -->\n<!-- vaultkit:end rollup -->\n",
            "Docker.md": "- [ ] a\n",
            "Helm.md": "#k8s\nrequires:: [[Base]]\n- [ ] a\n",
            "Base.md": "- [ ] a\n",
            "Loose.md": "- [ ] a\n",
        },
    )


def test_who_shows_a_changed_note_is_every_note_whose_blocks_read_it(root):
    showing_vault(root)
    now = opened(root)

    def deps(*changed: str) -> list[str]:
        found = who_shows(now, [P(c) for c in changed], previous=now)
        return sorted(str(p) for p in found)

    assert deps("Docker.md") == ["Docker.md", "Hub.md"]
    assert deps("Helm.md") == ["Helm.md", "Tagged.md"]
    assert deps("Base.md") == ["Base.md", "Tagged.md"]  # Helm's state depends on it
    assert deps("Loose.md") == ["Loose.md"]


def test_the_notes_with_blocks_follow_blocks_added_and_removed_by_an_edit(root):
    showing_vault(root)
    live = LiveVault(load_vault(root, Config()))
    assert [str(path) for path in live.now.blocks] == ["Hub.md", "Tagged.md"]
    (root / "Loose.md").write_text("<!-- vaultkit:begin next -->\n<!-- vaultkit:end next -->\n")
    (root / "Tagged.md").write_text("No blocks any more.\n")

    before = live.refresh([P("Loose.md"), P("Tagged.md")])

    found = {str(path): [b.kind for b in blocks] for path, blocks in live.now.blocks.items()}
    assert found == {"Hub.md": ["rollup"], "Loose.md": ["next"]}
    assert [str(path) for path in before.blocks] == ["Hub.md", "Tagged.md"]


def test_a_note_that_left_a_scope_is_found_through_the_previous_vault(root):
    showing_vault(root)
    before = opened(root)
    (root / "Helm.md").write_text("- [ ] no tag any more\n")
    after = opened(root)

    found = who_shows(after, [P("Helm.md")], previous=before)
    only_after = who_shows(after, [P("Helm.md")], previous=after)

    assert sorted(map(str, found)) == ["Helm.md", "Tagged.md"]
    assert sorted(map(str, only_after)) == ["Helm.md"]


def test_a_new_note_makes_every_note_with_blocks_a_dependent(root):
    # A second Docker.md can make a shown `[[Docker]]` ambiguous anywhere.
    showing_vault(root)
    before = opened(root)
    make(root, {"Other/Docker.md": "- [ ] a second Docker\n"})
    after = opened(root)

    found = who_shows(after, [P("Other/Docker.md")], previous=before)

    assert sorted(map(str, found)) == ["Hub.md", "Other/Docker.md", "Tagged.md"]


def test_a_group_note_is_read_by_the_blocks_grouped_by_it(root):
    make(
        root,
        {
            "Board.md": (
                "<!-- vaultkit:begin rollup tag=k8s group-by=phase -->\n"
                "<!-- vaultkit:end rollup -->\n"
            ),
            "P1.md": "---\nstart: 2026-01-01\n---\n",
            "Helm.md": '---\nphase: "[[P1]]"\n---\n#k8s\n- [ ] a\n',
        },
    )
    now = opened(root)

    found = who_shows(now, [P("P1.md")], previous=now)

    assert sorted(map(str, found)) == ["Board.md", "P1.md"]


def test_without_the_previous_vault_every_note_with_blocks_is_a_dependent(root):
    showing_vault(root)

    found = who_shows(opened(root), [P("Loose.md")])

    assert sorted(map(str, found)) == ["Hub.md", "Loose.md", "Tagged.md"]


def test_a_start_date_changed_anywhere_is_read_by_every_block_that_orders_groups(root):
    # Groups are ordered by the earliest start of any note titled like the group, so
    # Archive/P1.md orders group P1 though `[[Phases/P1]]` leads elsewhere.
    make(
        root,
        {
            "Board.md": (
                "<!-- vaultkit:begin rollup tag=k8s group-by=phase -->\n"
                "<!-- vaultkit:end rollup -->\n"
            ),
            "Flat.md": "<!-- vaultkit:begin rollup tag=k8s -->\n<!-- vaultkit:end rollup -->\n",
            "Phases/P1.md": "---\nstart: 2026-03-01\n---\n- [ ] plan\n",
            "Archive/P1.md": "---\nstart: 2026-06-01\n---\n- [ ] plan\n",
            "Helm.md": '---\nphase: "[[Phases/P1]]"\n---\n#k8s\n- [ ] a\n',
        },
    )
    before = opened(root)
    make(root, {"Archive/P1.md": "---\nstart: 2026-01-01\n---\n- [ ] plan\n"})
    after = opened(root)
    make(root, {"Archive/P1.md": "---\nstart: 2026-01-01\n---\n- [x] plan\n"})
    ticked = opened(root)

    moved = who_shows(after, [P("Archive/P1.md")], previous=before)
    same_start = who_shows(ticked, [P("Archive/P1.md")], previous=after)

    assert sorted(map(str, moved)) == ["Archive/P1.md", "Board.md"]
    assert sorted(map(str, same_start)) == ["Archive/P1.md"]
