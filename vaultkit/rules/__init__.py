"""Every lint rule, in one explicit tuple (a test fails when a `vk*.py` module is missing).

Codes: VK0xx front matter and files, VK1xx links, VK2xx tags, VK3xx tasks, VK4xx the
dependency graph, VK5xx managed blocks. A code is never reused.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from vaultkit.rules import (
    vk001_invalid_frontmatter,
    vk002_duplicate_property,
    vk003_property_type,
    vk004_deprecated_property,
    vk005_undecodable_note,
    vk006_conflict_copy,
    vk007_oversized_note,
    vk101_broken_link,
    vk102_broken_embed,
    vk103_broken_heading,
    vk104_broken_block_ref,
    vk105_ambiguous_link,
    vk106_broken_canvas_file,
    vk201_invalid_tag,
    vk202_tag_case_mismatch,
    vk203_tag_punctuation,
    vk301_malformed_task,
    vk302_unknown_task_status,
    vk401_dependency_cycle,
    vk402_missing_prerequisite,
    vk403_task_dependency,
    vk501_stale_block,
    vk502_malformed_block,
    vk601_overdue,
)
from vaultkit.rules.base import RuleModule
from vaultkit.wording import did_you_mean

REGISTRY: tuple[RuleModule, ...] = (
    vk001_invalid_frontmatter,
    vk002_duplicate_property,
    vk003_property_type,
    vk004_deprecated_property,
    vk005_undecodable_note,
    vk006_conflict_copy,
    vk007_oversized_note,
    vk101_broken_link,
    vk102_broken_embed,
    vk103_broken_heading,
    vk104_broken_block_ref,
    vk105_ambiguous_link,
    vk106_broken_canvas_file,
    vk201_invalid_tag,
    vk202_tag_case_mismatch,
    vk203_tag_punctuation,
    vk301_malformed_task,
    vk302_unknown_task_status,
    vk401_dependency_cycle,
    vk402_missing_prerequisite,
    vk403_task_dependency,
    vk501_stale_block,
    vk502_malformed_block,
    vk601_overdue,
)
BY_CODE: Mapping[str, RuleModule] = MappingProxyType({rule.CODE: rule for rule in REGISTRY})
# The rules that check a canvas's text cards too (`cards.py`): the link rules, and VK007
# for a canvas whose cards hold too much text to be read (`cards.text_cards`).
CARD_RULES: tuple[RuleModule, ...] = (
    vk007_oversized_note,
    vk101_broken_link,
    vk102_broken_embed,
    vk103_broken_heading,
    vk104_broken_block_ref,
    vk105_ambiguous_link,
)


class UnknownRule(LookupError):
    """A code or name that is no rule; the message suggests the nearest one."""


def lookup(name: str) -> RuleModule:
    """A rule by its code (`VK101`, any case) or its name (`broken-link`)."""
    for rule in REGISTRY:
        if name.upper() == rule.CODE or name.lower() == rule.NAME:
            return rule
    choices = [*BY_CODE, *(rule.NAME for rule in REGISTRY)]
    hint = did_you_mean(name.upper() if name[:2].lower() == "vk" else name.lower(), choices)
    raise UnknownRule(f"unknown rule {name!r}{hint}")


def unknown_pattern(pattern: str) -> str | None:
    """Why a `--select`/`--ignore` pattern names no rule, or None when it names some."""
    if any(code.startswith(pattern) for code in BY_CODE):
        return None
    return f"unknown rule code {pattern!r}{did_you_mean(pattern.upper(), BY_CODE)}"
