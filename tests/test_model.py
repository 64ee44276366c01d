"""Parsed notes travel between processes: pickling must give back an equal note."""

from __future__ import annotations

import pickle
from pathlib import PurePosixPath

from vaultkit.model import path_order
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
