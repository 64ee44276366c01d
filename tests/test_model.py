"""The values a parse makes: immutable, compared and hashed by their fields, and sent
between processes whole."""

from __future__ import annotations

import gc
import pickle
from pathlib import PurePosixPath
from types import MappingProxyType

import msgspec
import pytest

from vaultkit.model import NoteProgress, Paths, Span, State, path_order
from vaultkit.packing import decode, encode, pack, unpack
from vaultkit.parse import parse_note

NOTE = """\
---
requires: ["[[Docker]]"]
tags: [cloud]
---
# Kubernetes 基礎

- [x] pods #k8s/basics
- [ ] services, see [[Docker#Images|images]] ^svc
requires:: [[Helm]]
"""


def test_a_parsed_note_survives_pickling_unchanged():
    note = parse_note(PurePosixPath("Skills/Kubernetes 基礎.md"), NOTE.encode())
    copy = pickle.loads(pickle.dumps(note))
    assert copy == note
    assert dict(copy.frontmatter) == {"requires": ["[[Docker]]"], "tags": ["cloud"]}
    assert [link.target for link in copy.links] == ["Docker", "Helm", "Docker"]


def test_path_order_sorts_paths_as_paths_compare():
    # Folder by folder: `a/b` before `a-b` although `-` sorts before `/` in a string.
    paths = [PurePosixPath(p) for p in ("a-b.md", "a/b.md", "B.md", "a/B.md", "a.md", "ä.md")]
    assert sorted(paths, key=path_order) == sorted(paths)
    assert [str(p) for p in sorted(paths, key=path_order)] == [
        "B.md", "a/B.md", "a/b.md", "a-b.md", "a.md", "ä.md",
    ]  # fmt: skip


BLOCK_NOTE = """\
<!-- vaultkit:begin rollup group-by=phase -->
<!-- vaultkit:end rollup -->
"""


def test_equal_blocks_hash_alike_though_their_parameters_are_a_read_only_view():
    first = parse_note(PurePosixPath("a.md"), BLOCK_NOTE.encode()).blocks.blocks[0]
    again = parse_note(PurePosixPath("a.md"), BLOCK_NOTE.encode()).blocks.blocks[0]
    assert type(first.params) is MappingProxyType
    assert first == again and hash(first) == hash(again) and len({first, again}) == 1
    assert first.label == "rollup group-by=phase"


def test_a_value_cannot_be_changed_once_made():
    note = parse_note(PurePosixPath("a.md"), NOTE.encode())
    with pytest.raises(AttributeError):
        note.digest = "0" * 64  # type: ignore[misc]
    with pytest.raises(AttributeError):
        note.links[0].span.line = 2  # type: ignore[misc]


def test_spans_sort_by_line_then_column():
    spans = [Span(2, 1, 2, 4), Span(1, 5, 1, 9), Span(1, 2, 3, 1)]
    assert sorted(spans) == [Span(1, 2, 3, 1), Span(1, 5, 1, 9), Span(2, 1, 2, 4)]


def test_a_note_comes_back_from_the_cache_equal_with_read_only_mappings():
    note = parse_note(PurePosixPath("Skills/Kubernetes 基礎.md"), (NOTE + BLOCK_NOTE).encode())
    blob = encode(note)
    assert blob is not None
    kept = decode(blob)
    assert kept == note
    assert type(kept.frontmatter) is MappingProxyType
    assert type(kept.property_lines) is MappingProxyType
    assert type(kept.blocks.blocks[0].params) is MappingProxyType


class _Kept(msgspec.Struct):
    nodes: Paths
    shows: tuple[tuple[PurePosixPath, Paths], ...]


def test_paths_read_back_at_once_are_the_vaults_own_path_objects():
    hub, docker = PurePosixPath("Hub.md"), PurePosixPath("Skills/Docker 基礎.md")
    blob = pack(_Kept((docker, hub), ((hub, (docker,)),)))
    assert blob is not None
    kept = unpack(blob, _Kept, {"Hub.md": hub, "Skills/Docker 基礎.md": docker})
    assert kept is not None
    assert kept.nodes == (docker, hub)
    assert (kept.nodes[0] is docker, kept.shows[0][1][0] is docker) == (True, True)
    assert type(kept.nodes) is Paths


def test_paths_the_vault_does_not_have_are_read_back_as_new_path_objects():
    blob = pack(_Kept((PurePosixPath("Gone.md"), PurePosixPath("a/b.md")), ()))
    assert blob is not None
    kept = unpack(blob, _Kept, {"a/b.md": PurePosixPath("a/b.md")})
    assert kept is not None
    assert kept.nodes == (PurePosixPath("Gone.md"), PurePosixPath("a/b.md"))


@pytest.mark.parametrize(
    "nodes", [[1, 2], ["a.md", 3], [["a.md"]], [{"a": 1}], "a.md", None], ids=repr
)
def test_paths_that_are_not_a_list_of_texts_are_no_value(nodes):
    blob = pack({"nodes": nodes, "shows": []})
    assert blob is not None
    assert unpack(blob, _Kept, {"a.md": PurePosixPath("a.md")}) is None


def test_notes_stay_out_of_the_collectors_scans_and_progress_does_not():
    note = parse_note(PurePosixPath("a.md"), NOTE.encode())
    progress = NoteProgress(
        path=note.path, title="a", state=State.READY, done=0, total=1, in_progress=0,
        cancelled=0, unknown=0, group=None, requires=(), blocked_by=(), unlocks=[],
        start=None, due=None,
    )  # fmt: skip
    assert (gc.is_tracked(note), gc.is_tracked(note.links[0])) == (False, False)
    assert gc.is_tracked(progress)
