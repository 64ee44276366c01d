"""The progress line: only for long runs at a terminal, throttled, and erased when done."""

from __future__ import annotations

import io
import os
import sys

import pytest

from vaultkit import cli, linting, meter
from vaultkit import vault as vault_module
from vaultkit.config import Config
from vaultkit.meter import Meter
from vaultkit.vault import PROGRESS, load_vault


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def drawn(clock: Clock) -> tuple[Meter, list[str]]:
    written: list[str] = []
    return Meter(written.append, clock), written


def test_nothing_is_shown_in_the_first_second():
    clock = Clock()
    line, written = drawn(clock)
    clock.now += 0.9
    line("parsing notes", 10, 100)
    assert written == []


def test_after_a_second_the_count_is_drawn_over_itself_at_most_ten_times_a_second():
    clock = Clock()
    line, written = drawn(clock)
    clock.now += 1.5
    line("parsing notes", 1200, 10000)
    clock.now += 0.05
    line("parsing notes", 1300, 10000)  # too soon: not drawn
    clock.now += 0.1
    line("parsing notes", 1400, 10000)
    assert written == [
        "\rvaultkit: parsing notes 1,200/10,000",
        "\rvaultkit: parsing notes 1,400/10,000",
    ]


def test_the_line_is_erased_when_the_work_is_done():
    clock = Clock()
    line, written = drawn(clock)
    clock.now += 2
    line("parsing notes", 5, 10)
    line("parsing notes", 10, 10)
    assert written[-1] == "\r" + " " * len("vaultkit: parsing notes 5/10") + "\r"


def test_a_run_that_never_showed_it_writes_nothing_at_the_end():
    line, written = drawn(Clock())
    line("parsing notes", 10, 10)
    line.erase()
    assert written == []


class Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("stdout", "stderr", "ci", "shown"),
    [
        (True, True, None, True),
        (False, True, None, False),  # output piped or redirected (JSON to a file)
        (True, False, None, False),  # errors redirected
        (True, True, "true", False),  # a CI log
    ],
)
def test_it_is_wanted_only_at_a_terminal_outside_ci(monkeypatch, stdout, stderr, ci, shown):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    assert meter.wanted(Stream(stdout), Stream(stderr)) is shown


@pytest.mark.parametrize("workers", [False, True], ids=["in-process", "worker-processes"])
def test_loading_a_vault_tells_how_many_notes_are_parsed(make_vault, monkeypatch, workers):
    monkeypatch.setattr(vault_module, "PARALLEL_THRESHOLD", 3 if workers else 1000)
    root = make_vault({f"n{i}.md": f"# {i}\n" for i in range(5)})
    told: list[tuple[str, int, int]] = []
    token = PROGRESS.set(lambda what, done, total: told.append((what, done, total)))
    try:
        load_vault(root, Config())
    finally:
        PROGRESS.reset(token)
    assert told[-1] == ("parsing notes", 5, 5)
    assert [done for _, done, _ in told] == sorted(done for _, done, _ in told)


def test_the_line_goes_to_stderr_and_is_gone_before_the_output(make_vault, monkeypatch):
    root = make_vault({f"n{i}.md": f"# {i}\n" for i in range(3)})
    err = Stream(True)
    clock = iter([0.0, 5.0, 5.0, 5.0, 5.0, 5.0])
    monkeypatch.setattr(meter.time, "monotonic", lambda: next(clock, 5.0))
    with meter.shown_on(err):
        load_vault(root, Config())
    text = err.getvalue()
    assert text.startswith("\rvaultkit: parsing notes 1/3")
    assert text.endswith("\r" + " " * len("vaultkit: parsing notes 2/3") + "\r")


def at_a_terminal(monkeypatch, argv: list[str], *, piped_stdout: bool = False) -> str:
    """What a real terminal shows of `vaultkit ARGV` run as the console script, with
    stdout there too unless piped (the pipe's bytes are left out)."""
    master, slave = os.openpty()
    pipe_read, pipe_write = os.pipe()
    terminal = open(slave, "w", encoding="utf-8", closefd=True)  # noqa: SIM115
    out = open(pipe_write, "w", encoding="utf-8", closefd=True) if piped_stdout else terminal  # noqa: SIM115
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(sys, "argv", ["vaultkit", *argv])
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(cli, "_leave", sys.exit)  # not `os._exit`: this process goes on
    with pytest.raises(SystemExit):
        cli.entry()
    for stream in {out, terminal}:
        stream.close()
    os.close(pipe_read)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal's other end is closed: all was read
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    return shown.decode()


def test_at_a_real_terminal_the_counts_are_drawn_on_stderr_and_erased_before_the_findings(
    make_vault, monkeypatch
):
    root = make_vault({f"n{i}.md": "[[Missing]]\n" for i in range(3)})
    monkeypatch.setattr(meter, "DELAY", 0.0)  # a run this small is over in well under a second
    monkeypatch.setattr(meter, "INTERVAL", 0.0)  # and every count is drawn

    shown = at_a_terminal(monkeypatch, ["lint", str(root)])

    parsing = shown.index("\rvaultkit: parsing notes 1/3")
    rules = shown.index("\rvaultkit: running lint rules 1/", parsing)
    last = shown.rindex("\rvaultkit: ")
    width = shown.index("\r", last + 1) - last - 1
    erased = shown.index("\r" + " " * width + "\r", last)
    assert parsing < rules <= last < erased < shown.index("VK101") < shown.index("Found 3 findings")


def test_with_output_piped_a_real_terminal_shows_no_count(make_vault, monkeypatch):
    root = make_vault({f"n{i}.md": "[[Missing]]\n" for i in range(3)})
    monkeypatch.setattr(meter, "DELAY", 0.0)

    shown = at_a_terminal(monkeypatch, ["lint", str(root)], piped_stdout=True)

    assert "parsing notes" not in shown
    assert "Found 3 findings" in shown  # the summary still goes to the terminal


def test_linting_tells_how_many_rules_have_run(make_vault):
    vault = load_vault(make_vault({"n.md": "[[Missing]]\n"}), Config())
    told: list[tuple[str, int, int]] = []
    token = PROGRESS.set(lambda what, done, total: told.append((what, done, total)))
    try:
        linting.check(vault, None)
    finally:
        PROGRESS.reset(token)
    rules = len(linting.active_rules(Config()))
    assert [t for t in told if t[0] == "running lint rules"] == [
        ("running lint rules", done, rules) for done in range(rules + 1)
    ]
