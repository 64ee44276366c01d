from __future__ import annotations

import textwrap
from pathlib import Path
from types import MappingProxyType

import pytest

from vaultkit.config import (
    DEFAULT_TASK_STATUS,
    CanvasSpec,
    Config,
    ConfigError,
    check_codes,
    find_config,
    load,
)


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A home folder under tmp_path, so the upward search never leaves the test's tree."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder


@pytest.fixture
def vault(home) -> Path:
    root = home / "work" / "vault"
    (root / ".obsidian").mkdir(parents=True)
    return root


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(root: Path, text: str, name: str = ".vaultkit.toml") -> str:
    write(root / name, text)
    with pytest.raises(ConfigError) as caught:
        load(root)
    return str(caught.value)


# --- values -----------------------------------------------------------------------------


def test_no_file_gives_the_defaults(vault):
    assert load(vault) == Config()
    assert load(vault).source is None


def test_every_key_is_read(vault):
    source = write(
        vault / ".vaultkit.toml",
        """
        exclude = ["Templates/**", "Archive"]
        select = ["VK1", "VK201"]
        ignore = ["VK105"]
        requires = ["requires", "depends-on"]
        group-by = "area"
        status-key = "state"
        start-key = "begin"
        due-key = "deadline"
        pace-weeks = 4
        max-note-size = 5_000_000

        [per-file-ignores]
        "Daily/**" = ["VK101", "VK3"]

        [task-status]
        "?" = "todo"
        "!" = "in-progress"
        "X" = "cancelled"

        [rules.VK101]
        ignore-targets = ["Inbox", "Someday"]
        nested = { depth = 2, names = ["a"] }

        [watch]
        quiet-period = 4
        """,
    )
    config = load(vault)
    assert config == Config(
        source=source,
        exclude=("Templates/**", "Archive"),
        select=("VK1", "VK201"),
        ignore=("VK105",),
        per_file_ignores={"Daily/**": ("VK101", "VK3")},
        task_status={**DEFAULT_TASK_STATUS, "?": "todo", "!": "in-progress", "X": "cancelled"},
        requires=("requires", "depends-on"),
        group_by="area",
        status_key="state",
        start_key="begin",
        due_key="deadline",
        pace_weeks=4,
        rules={
            "VK101": {
                "ignore-targets": ("Inbox", "Someday"),
                "nested": {"depth": 2, "names": ("a",)},
            }
        },
        quiet_period=4.0,
        max_note_size=5_000_000,
    )
    assert type(config.quiet_period) is float


def test_loaded_values_are_immutable(vault):
    write(
        vault / ".vaultkit.toml",
        """
        select = ["VK1"]
        [per-file-ignores]
        "a/**" = ["VK101"]
        [task-status]
        "?" = "todo"
        [rules.VK101]
        ignore-targets = ["Inbox"]
        table = { a = 1 }
        """,
    )
    config = load(vault)
    assert type(config.select) is tuple
    for mapping in (
        config.per_file_ignores,
        config.task_status,
        config.rules,
        config.rules["VK101"],
        config.rules["VK101"]["table"],
    ):
        assert isinstance(mapping, MappingProxyType)
    assert config.per_file_ignores["a/**"] == ("VK101",)
    assert config.rules["VK101"]["ignore-targets"] == ("Inbox",)
    with pytest.raises(TypeError):
        config.task_status["?"] = "done"  # type: ignore[index]
    with pytest.raises(AttributeError):
        config.select = ()  # type: ignore[misc]


def test_task_status_merges_over_the_default_map(vault):
    write(vault / ".vaultkit.toml", '[task-status]\n"x" = "cancelled"\n"?" = "todo"\n')
    assert dict(load(vault).task_status) == {
        " ": "todo",
        "x": "cancelled",
        "X": "done",
        "/": "in-progress",
        "-": "cancelled",
        ">": "todo",
        "?": "todo",
    }


def test_an_empty_file_gives_the_defaults_with_its_source(vault):
    source = write(vault / ".vaultkit.toml", "")
    assert load(vault) == Config(source=source)


def test_an_empty_requires_list_turns_dependencies_off(vault):
    write(vault / ".vaultkit.toml", "requires = []\n")
    assert load(vault).requires == ()


def test_quiet_period_accepts_a_float(vault):
    write(vault / ".vaultkit.toml", "[watch]\nquiet-period = 0.5\n")
    assert load(vault).quiet_period == 0.5


def test_a_byte_order_mark_is_accepted(vault):
    (vault / ".vaultkit.toml").write_bytes(b'\xef\xbb\xbfgroup-by = "area"\n')
    assert load(vault).group_by == "area"


# --- where the file is found --------------------------------------------------------------


def test_pyproject_with_a_tool_vaultkit_table_is_used(vault):
    source = write(
        vault / "pyproject.toml", '[project]\nname = "x"\n[tool.vaultkit]\nselect = ["VK4"]\n'
    )
    assert load(vault) == Config(source=source, select=("VK4",))


def test_pyproject_without_the_table_is_skipped_and_the_search_goes_on(vault):
    write(vault / "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    parent = write(vault.parent / ".vaultkit.toml", 'group-by = "area"\n')
    assert load(vault) == Config(source=parent, group_by="area")


def test_vaultkit_toml_comes_before_pyproject_in_the_same_folder(vault):
    write(vault / "pyproject.toml", '[tool.vaultkit]\ngroup-by = "from-pyproject"\n')
    write(vault / ".vaultkit.toml", 'group-by = "from-toml"\n')
    assert load(vault).group_by == "from-toml"


def test_the_nearest_folder_wins(vault):
    write(vault.parent / ".vaultkit.toml", 'group-by = "outer"\n')
    write(vault / ".vaultkit.toml", 'group-by = "inner"\n')
    assert load(vault).group_by == "inner"


def test_the_search_climbs_to_just_below_home(vault, home):
    source = write(home / "work" / ".vaultkit.toml", 'group-by = "work"\n')
    assert find_config(vault) is not None
    assert load(vault).source == source


def test_the_search_stops_before_the_home_folder(vault, home):
    write(home / ".vaultkit.toml", 'group-by = "home"\n')
    write(home / "pyproject.toml", '[tool.vaultkit]\ngroup-by = "home"\n')
    assert find_config(vault) is None
    assert load(vault) == Config()


def test_a_vault_that_is_the_home_folder_reads_its_own_file(home):
    source = write(home / ".vaultkit.toml", 'group-by = "home"\n')
    assert load(home) == Config(source=source, group_by="home")


def test_outside_home_the_search_goes_up_to_the_filesystem_root(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "elsewhere"))
    source = write(tmp_path / "projects" / ".vaultkit.toml", 'group-by = "projects"\n')
    root = tmp_path / "projects" / "a" / "vault"
    root.mkdir(parents=True)
    assert load(root) == Config(source=source, group_by="projects")


def test_an_explicit_file_skips_the_search(vault, tmp_path):
    write(vault / ".vaultkit.toml", 'group-by = "found"\n')
    explicit = write(tmp_path / "ci" / "strict.toml", 'group-by = "explicit"\n')
    assert load(vault, explicit) == Config(source=explicit, group_by="explicit")


def test_an_explicit_pyproject_reads_its_tool_vaultkit_table(vault, tmp_path):
    explicit = write(tmp_path / "other" / "pyproject.toml", '[tool.vaultkit]\nignore = ["VK2"]\n')
    assert load(vault, explicit) == Config(source=explicit, ignore=("VK2",))


def test_an_explicit_pyproject_without_the_table_is_an_error(vault, tmp_path):
    explicit = write(tmp_path / "other" / "pyproject.toml", "[tool.black]\n")
    with pytest.raises(ConfigError, match=r"pyproject\.toml: no \[tool\.vaultkit\] table$"):
        load(vault, explicit)


def test_a_missing_explicit_file_is_an_error(vault):
    with pytest.raises(ConfigError) as caught:
        load(vault, vault / "nope.toml")
    assert str(caught.value) == "nope.toml: cannot read: No such file or directory"


# --- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            'selct = ["VK1"]\n', "unknown key 'selct' (did you mean 'select'?)", id="typo"
        ),
        pytest.param(
            'group_by = "x"\n', "unknown key 'group_by' (did you mean 'group-by'?)", id="snake"
        ),
        pytest.param('colour = "red"\n', "unknown key 'colour'", id="no suggestion"),
        pytest.param(
            "[watch]\nquiet-perod = 2\n",
            "unknown key 'watch.quiet-perod' (did you mean 'watch.quiet-period'?)",
            id="nested typo",
        ),
        pytest.param(
            'select = "VK1"\n',
            "'select' must be an array of strings, got a string",
            id="not a list",
        ),
        pytest.param(
            "exclude = [1]\n",
            "'exclude' must be an array of non-empty strings, got 1",
            id="int item",
        ),
        pytest.param(
            'requires = [""]\n',
            "'requires' must be an array of non-empty strings, got ''",
            id="blank",
        ),
        pytest.param(
            'select = ["vk101"]\n',
            "'select': 'vk101' is not a rule code or prefix (like 'VK101' or 'VK1') "
            "(did you mean 'VK101'?)",
            id="lower-case code",
        ),
        pytest.param(
            'ignore = ["E501"]\n',
            "'ignore': 'E501' is not a rule code or prefix (like 'VK101' or 'VK1')",
            id="foreign code",
        ),
        pytest.param(
            'group-by = ""\n', "'group-by' must be a non-empty string, got ''", id="empty"
        ),
        pytest.param("due-key = 3\n", "'due-key' must be a non-empty string, got 3", id="int name"),
        pytest.param(
            'per-file-ignores = ["x"]\n',
            "'per-file-ignores' must be a table, got an array",
            id="pfi",
        ),
        pytest.param(
            '[per-file-ignores]\n"Daily/**" = "VK101"\n',
            "'per-file-ignores.Daily/**' must be an array of strings, got a string",
            id="pfi value",
        ),
        pytest.param(
            '[task-status]\n"xx" = "done"\n',
            "'task-status': 'xx' must be a single character",
            id="ts key",
        ),
        pytest.param(
            '[task-status]\n"?" = "doen"\n',
            "'task-status': '?' is 'doen', expected one of 'todo', 'done', 'in-progress', "
            "'cancelled' (did you mean 'done'?)",
            id="ts value",
        ),
        pytest.param(
            "[task-status]\n'?' = 1\n",
            "'task-status': '?' is 1, expected one of 'todo', 'done', 'in-progress', 'cancelled'",
            id="ts int",
        ),
        pytest.param(
            "[rules]\nVK101 = 3\n", "'rules.VK101' must be a table, got an integer", id="rule"
        ),
        pytest.param(
            "[rules.vk101]\nx = 1\n",
            "'rules': 'vk101' is not a rule code (like 'VK101') (did you mean 'VK101'?)",
            id="rule code",
        ),
        pytest.param(
            "[rules.VK1]\nx = 1\n",
            "'rules': 'VK1' is not a rule code (like 'VK101')",
            id="rule prefix",
        ),
        pytest.param(
            "max-note-size = 0\n",
            "'max-note-size' must be a number of bytes above 0, got 0",
            id="size zero",
        ),
        pytest.param(
            'max-note-size = "5 MB"\n',
            "'max-note-size' must be a number of bytes above 0, got '5 MB'",
            id="size string",
        ),
        pytest.param(
            "max-note-size = 1.5e6\n",
            "'max-note-size' must be a number of bytes above 0, got 1500000.0",
            id="size float",
        ),
        pytest.param("watch = 3\n", "'watch' must be a table, got an integer", id="watch"),
        pytest.param(
            "[watch]\nquiet-period = 0\n",
            "'watch.quiet-period' must be a number of seconds above 0, at most 3600, got 0",
            id="zero",
        ),
        pytest.param(
            "[watch]\nquiet-period = -1.5\n",
            "'watch.quiet-period' must be a number of seconds above 0, at most 3600, got -1.5",
            id="negative",
        ),
        pytest.param(
            "[watch]\nquiet-period = true\n",
            "'watch.quiet-period' must be a number of seconds above 0, at most 3600, got True",
            id="bool",
        ),
        pytest.param(
            '[watch]\nquiet-period = "2"\n',
            "'watch.quiet-period' must be a number of seconds above 0, at most 3600, got '2'",
            id="string",
        ),
        pytest.param(
            "pace-weeks = 0\n",
            "'pace-weeks' must be a whole number of weeks from 1 to 520, got 0",
            id="no weeks",
        ),
        pytest.param(
            "pace-weeks = 2.5\n",
            "'pace-weeks' must be a whole number of weeks from 1 to 520, got 2.5",
            id="part of a week",
        ),
        pytest.param(
            "[watch]\nquiet-period = 3600.5\n",
            "'watch.quiet-period' must be a number of seconds above 0, at most 3600, got 3600.5",
            id="over an hour",
        ),
        pytest.param(
            "[watch]\nquiet-period = nan\n",
            "'watch.quiet-period' must be a number of seconds above 0, at most 3600, got nan",
            id="nan",
        ),
        pytest.param(
            "[watch]\nquiet-period = inf\n",
            "'watch.quiet-period' must be a number of seconds above 0, at most 3600, got inf",
            id="inf",
        ),
    ],
)
def test_invalid_settings_name_the_file_and_key(vault, text, message):
    assert error_of(vault, text) == f".vaultkit.toml: {message}"


def test_pyproject_errors_name_the_table(vault):
    message = error_of(vault, '[tool.vaultkit]\nselct = ["VK1"]\n', name="pyproject.toml")
    assert message == "pyproject.toml [tool.vaultkit]: unknown key 'selct' (did you mean 'select'?)"


def test_a_file_above_the_root_is_named_by_its_full_path(vault):
    source = write(vault.parent / ".vaultkit.toml", "selct = []\n")
    with pytest.raises(ConfigError) as caught:
        load(vault)
    assert str(caught.value) == f"{source}: unknown key 'selct' (did you mean 'select'?)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'group-by = "a"\nselect = [\n',
            ".vaultkit.toml: invalid TOML: invalid value (at end of document)",
        ),
        (
            'group-by = "a"\ngroup-by = "b"\n',
            ".vaultkit.toml:2:15: invalid TOML: cannot overwrite a value",
        ),
        ('x = "open\n', ".vaultkit.toml:1:10: invalid TOML: illegal character '\\n'"),
        ("select = [VK1]\n", ".vaultkit.toml:1:11: invalid TOML: invalid value"),
    ],
)
def test_invalid_toml_is_one_line_with_the_position(vault, text, message):
    result = error_of(vault, text)
    assert result == message
    assert "\n" not in result


def test_invalid_toml_in_a_pyproject_is_reported_too(vault):
    message = error_of(vault, "[tool.vaultkit\n", name="pyproject.toml")
    assert message.startswith("pyproject.toml:1:")
    assert "invalid TOML" in message


def test_a_file_that_is_not_utf8_is_an_error(vault):
    (vault / ".vaultkit.toml").write_bytes(b'group-by = "\xff"\n')
    with pytest.raises(ConfigError) as caught:
        load(vault)
    assert str(caught.value) == ".vaultkit.toml: not UTF-8 (invalid start byte at byte 12)"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("x = " + "[" * 100_000 + "]" * 100_000 + "\n", id="arrays"),
        pytest.param("x = " + "{a = " * 3_000 + "1" + "}" * 3_000 + "\n", id="inline tables"),
    ],
)
def test_toml_nested_too_deeply_for_the_reader_is_an_error_not_a_crash(vault, text):
    assert error_of(vault, text) == ".vaultkit.toml: invalid TOML: nested too deeply"


def test_a_configuration_file_over_a_mebibyte_is_refused_unread(vault):
    (vault / ".vaultkit.toml").write_text("exclude = [" + '"x", ' * 300_000 + "]\n")
    with pytest.raises(ConfigError) as caught:
        load(vault)
    assert str(caught.value) == (
        ".vaultkit.toml: 1,500,013 bytes, over the 1,048,576 a configuration file may hold"
    )


def test_tool_vaultkit_that_is_not_a_table_is_an_error(vault):
    message = error_of(vault, '[tool]\nvaultkit = "on"\n', name="pyproject.toml")
    assert message == "pyproject.toml: 'tool.vaultkit' must be a table"


# --- rule codes against the registry -------------------------------------------------------

KNOWN = ("VK101", "VK102", "VK201", "VK301")


def test_check_codes_accepts_codes_and_prefixes_of_known_rules(vault):
    config = Config(select=("VK", "VK1", "VK201"), ignore=("VK30",), rules={"VK101": {}})
    assert check_codes(config, KNOWN) is None


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (Config(select=("VK4",)), "configuration: 'select': unknown rule code 'VK4'"),
        (
            Config(ignore=("VK103",)),
            "configuration: 'ignore': unknown rule code 'VK103' (did you mean 'VK102'?)",
        ),
        (
            Config(per_file_ignores={"Daily/**": ("VK209",)}),
            "configuration: 'per-file-ignores.Daily/**': unknown rule code 'VK209' "
            "(did you mean 'VK201'?)",
        ),
        (
            Config(rules={"VK10": {}}),
            "configuration: 'rules': unknown rule code 'VK10' (did you mean 'VK102'?)",
        ),
    ],
)
def test_check_codes_rejects_unknown_codes(config, message):
    with pytest.raises(ConfigError) as caught:
        check_codes(config, KNOWN)
    assert str(caught.value) == message


def test_check_codes_names_the_config_file(vault):
    write(vault / ".vaultkit.toml", 'select = ["VK9"]\n')
    with pytest.raises(ConfigError) as caught:
        check_codes(load(vault), KNOWN, vault)
    assert str(caught.value) == ".vaultkit.toml: 'select': unknown rule code 'VK9'"


def test_a_relative_root_still_searches_upward(vault, monkeypatch):
    source = write(vault.parent / ".vaultkit.toml", 'group-by = "area"\n')
    monkeypatch.chdir(vault)
    assert load(Path(".")) == Config(source=source, group_by="area")


def test_an_explicit_file_inside_the_vault_is_named_relative_to_it(vault, monkeypatch):
    write(vault / "ci" / "lint.toml", "selct = []\n")
    monkeypatch.chdir(vault / "ci")
    with pytest.raises(ConfigError) as caught:
        load(vault, Path("lint.toml"))
    assert str(caught.value) == "ci/lint.toml: unknown key 'selct' (did you mean 'select'?)"


# --- canvases ---------------------------------------------------------------------------


def test_canvas_entries_are_read_in_order(vault):
    write(
        vault / ".vaultkit.toml",
        """
        [[canvas]]
        path = "Roadmap.canvas"

        [[canvas]]
        path = "Maps/MLOps.canvas"
        tag = "MLOps"
        group-by = "area"
        edges = "all"
        """,
    )
    assert load(vault).canvases == (
        CanvasSpec("Roadmap.canvas"),
        CanvasSpec("Maps/MLOps.canvas", tag="MLOps", group_by="area", all_edges=True),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[canvas]]\npath = "a.canvas"\nfoldr = "x"\n',
            "unknown key 'canvas[0].foldr' (did you mean 'canvas[0].folder'?)",
        ),
        ('[[canvas]]\nfolder = "x"\n', "canvas[0]: 'path' is required"),
        ('[[canvas]]\npath = "../a.canvas"\n', "'canvas[0].path': '../a.canvas' must be a path"),
        ('[[canvas]]\npath = "/a.canvas"\n', "'canvas[0].path': '/a.canvas' must be a path"),
        ('[[canvas]]\npath = ".maps/a.canvas"\n', "is in a hidden folder"),
        ('[[canvas]]\npath = "a.md"\n', "'canvas[0].path': 'a.md' must end in '.canvas'"),
        ('[[canvas]]\npath = "a.canvas"\nedges = "some"\n', "'canvas[0].edges' must be 'all'"),
        ('canvas = "a.canvas"\n', "'canvas' must be an array of tables ([[canvas]])"),
        (
            '[[canvas]]\npath = "A.canvas"\n[[canvas]]\npath = "a.canvas"\n',
            "canvas[1].path: 'a.canvas' is given twice",
        ),
    ],
)
def test_a_bad_canvas_entry_names_the_key(vault, text, message):
    assert message in error_of(vault, text)
