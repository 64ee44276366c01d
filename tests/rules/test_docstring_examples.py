"""Every rule's docstring examples, linted through the real pipeline.

A `fails` example reports exactly its rule's code at the stated positions, and nothing
else in that note; a `passes` example reports nothing. Both run again with front matter
added (the convention is in `vaultkit/rules/base.py`): positions move down by the lines
added, except findings about the whole file.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from msgspec.structs import replace

from vaultkit.config import Config
from vaultkit.rules import REGISTRY
from vaultkit.rules.base import Example, RuleModule, examples

CASES = [
    pytest.param(rule, example, id=f"{rule.CODE} {example.role} {number}")
    for rule in REGISTRY
    for number, example in enumerate(examples(rule.__doc__ or ""), 1)
    if example.role != "file"
]
ADDED = "fixture: added\n"


def as_written(text: str) -> tuple[str, Callable[[int], int]]:
    return text, lambda line: line


def with_frontmatter(text: str) -> tuple[str, Callable[[int], int]]:
    if text.startswith("{"):  # a canvas: JSON has no front matter
        return as_written(text)
    if text.startswith("---\n"):  # merge: one line more, below the opening `---`
        return "---\n" + ADDED + text[4:], lambda line: line + 1 if line > 1 else line
    return "---\n" + ADDED + "---\n" + text, lambda line: line + 3


@pytest.mark.parametrize("variant", [as_written, with_frontmatter], ids=lambda v: v.__name__)
@pytest.mark.parametrize(("rule", "example"), CASES)
def test_docstring_example(tmp_path, lint_root, rule: RuleModule, example: Example, variant):
    root = tmp_path / "vault"
    (root / ".obsidian").mkdir(parents=True)
    for extra in examples(rule.__doc__ or ""):
        if extra.role == "file" and example.role in extra.used_by:
            write(root, extra.path, extra.text, extra.encoding)
    text, shift = variant(example.text)
    write(root, example.path, text, example.encoding)
    on = tuple(r.CODE for r in REGISTRY if r.DEFAULT_ENABLED or r is rule)
    config = Config(select=on)
    if example.max_note_size is not None:
        config = replace(config, max_note_size=example.max_note_size)

    found = [
        (code, line, col)
        for path, line, col, code in lint_root(root, config)
        if path == str(example.path)
    ]

    expected = [
        (rule.CODE, line if example.whole_file else shift(line), col) for line, col in example.at
    ]
    assert found == sorted(expected)


def write(root, path, text, encoding):
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text.encode(encoding))
