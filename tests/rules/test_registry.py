"""The rule modules: all registered, all shaped alike, all documented."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest

from vaultkit import rules
from vaultkit.config import ConfigError
from vaultkit.rules import REGISTRY, UnknownRule, lookup, unknown_pattern
from vaultkit.rules.base import build_options, examples
from vaultkit.rules.vk101_broken_link import Options as BrokenLinkOptions

# DESIGN.md's table: codes are stable and never reused.
DESIGN_RULES = {
    "VK001": "invalid-frontmatter",
    "VK002": "duplicate-property",
    "VK003": "property-type",
    "VK004": "deprecated-property",
    "VK005": "undecodable-note",
    "VK006": "conflict-copy",
    "VK007": "oversized-note",
    "VK101": "broken-link",
    "VK102": "broken-embed",
    "VK103": "broken-heading",
    "VK104": "broken-block-ref",
    "VK105": "ambiguous-link",
    "VK106": "broken-canvas-file",
    "VK201": "invalid-tag",
    "VK202": "tag-case-mismatch",
    "VK203": "tag-punctuation",
    "VK301": "malformed-task",
    "VK302": "unknown-task-status",
    "VK401": "dependency-cycle",
    "VK402": "missing-prerequisite",
    "VK403": "task-dependency",
    "VK501": "stale-block",
    "VK502": "malformed-block",
    "VK601": "overdue",
}
RULES = [pytest.param(rule, id=rule.CODE) for rule in REGISTRY]


def test_every_rule_module_is_in_the_registry():
    folder = Path(rules.__file__).parent
    on_disk = sorted(path.stem for path in folder.glob("vk*.py"))
    assert sorted(rule.__name__.rpartition(".")[2] for rule in REGISTRY) == on_disk


def test_the_registry_holds_designs_rules_in_code_order():
    assert {rule.CODE: rule.NAME for rule in REGISTRY} == DESIGN_RULES
    assert [rule.CODE for rule in REGISTRY] == sorted(DESIGN_RULES)


@pytest.mark.parametrize("rule", RULES)
def test_module_is_named_after_its_code_and_name(rule):
    assert rule.__name__.rpartition(".")[2] == f"{rule.CODE.lower()}_{rule.NAME.replace('-', '_')}"


@pytest.mark.parametrize("rule", RULES)
def test_constants_have_the_documented_shape(rule):
    assert re.fullmatch(r"VK\d{3}", rule.CODE)
    assert re.fullmatch(r"[a-z]+(?:-[a-z]+)*", rule.NAME)
    assert rule.SCOPE in ("note", "vault")
    assert rule.SEVERITY in ("error", "warning")
    assert isinstance(rule.FIXABLE, bool)
    assert isinstance(rule.DEFAULT_ENABLED, bool)


@pytest.mark.parametrize("rule", RULES)
def test_options_are_a_frozen_struct_with_a_default_for_every_field(rule):
    assert issubclass(rule.Options, msgspec.Struct)
    assert rule.Options.__struct_config__.frozen
    default = rule.Options()  # raises if a field has no default
    if msgspec.structs.fields(default):
        with pytest.raises(AttributeError, match="immutable"):
            setattr(default, msgspec.structs.fields(default)[0].name, ())


@pytest.mark.parametrize("rule", RULES)
def test_docstring_has_a_summary_why_example_and_fix(rule):
    doc = rule.__doc__
    assert doc.startswith(f"{rule.CODE} {rule.NAME}: ")
    prose = re.sub(r"^(```|~~~).*?^\1$", "", doc, flags=re.MULTILINE | re.DOTALL)
    headings = re.findall(r"^## (.+)$", prose, flags=re.MULTILINE)
    assert headings[:3] == ["Why", "Example", "Fix"]
    roles = [example.role for example in examples(doc)]
    assert "fails" in roles and "passes" in roles
    assert all(example.at for example in examples(doc) if example.role == "fails")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        pytest.param("VK101", "VK101", id="code"),
        pytest.param("vk101", "VK101", id="code in lower case"),
        pytest.param("broken-link", "VK101", id="name"),
        pytest.param("Broken-Link", "VK101", id="name in another case"),
    ],
)
def test_lookup_finds_a_rule_by_code_or_name(written, expected):
    assert expected == lookup(written).CODE


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("VK1O1", "unknown rule 'VK1O1' (did you mean 'VK101'?)"),
        ("broken-lnk", "unknown rule 'broken-lnk' (did you mean 'broken-link'?)"),
        ("nonsense", "unknown rule 'nonsense'"),
    ],
)
def test_lookup_of_an_unknown_rule_suggests_the_nearest(written, message):
    with pytest.raises(UnknownRule) as error:
        lookup(written)
    assert str(error.value) == message


@pytest.mark.parametrize("pattern", ["VK", "VK1", "VK10", "VK101", "VK5"])
def test_a_code_or_prefix_that_names_a_rule_is_known(pattern):
    assert unknown_pattern(pattern) is None


def test_an_unknown_pattern_is_explained_with_a_suggestion():
    assert unknown_pattern("VK1O1") == "unknown rule code 'VK1O1' (did you mean 'VK101'?)"
    assert unknown_pattern("VK9") == "unknown rule code 'VK9'"


def test_options_are_read_from_kebab_case_keys_and_lists_become_tuples():
    options = build_options(lookup("VK101"), {"ignore-targets": ["Inbox"]}, ".vaultkit.toml")
    assert options == BrokenLinkOptions(ignore_targets=("Inbox",))


@pytest.mark.parametrize(
    ("written", "message"),
    [
        pytest.param(
            {"ignore-target": ["x"]},
            ".vaultkit.toml: unknown option 'ignore-target' for VK101"
            " (did you mean 'ignore-targets'?)",
            id="unknown key",
        ),
        pytest.param(
            {"ignore-targets": "Inbox"},
            ".vaultkit.toml: VK101 option 'ignore-targets' must be a list of strings, not 'Inbox'",
            id="wrong type",
        ),
        pytest.param(
            {"ignore-targets": [1]},
            ".vaultkit.toml: VK101 option 'ignore-targets' must be a list of strings, not [1]",
            id="wrong item type",
        ),
    ],
)
def test_bad_options_are_config_errors(written, message):
    with pytest.raises(ConfigError) as error:
        build_options(lookup("VK101"), written, ".vaultkit.toml")
    assert str(error.value) == message


def test_a_rule_without_options_rejects_any_key():
    with pytest.raises(ConfigError, match=r"unknown option 'ignore-targets' for VK103$"):
        build_options(lookup("VK103"), {"ignore-targets": []}, ".vaultkit.toml")
