"""Colour in a real terminal, and the NO_COLOR convention (https://no-color.org)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

ESCAPE = b"\x1b["


def lint_in_a_terminal(root, no_color: str | None) -> bytes:
    """What `vaultkit lint` writes to stdout when stdout is a terminal (a few lines only:
    nothing reads the terminal until the command ends)."""
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    main, child = pty.openpty()
    with os.fdopen(main, "rb", buffering=0) as terminal:
        try:
            command = [sys.executable, "-m", "vaultkit", "lint", str(root)]
            subprocess.run(command, stdout=child, stderr=subprocess.DEVNULL, env=env, timeout=60)
        finally:
            os.close(child)
        out = b""
        while chunk := _read(terminal):
            out += chunk
        return out


def _read(terminal) -> bytes:
    try:
        return terminal.read(65536) or b""
    except OSError:  # EIO: the other end is closed and everything has been read
        return b""


@pytest.mark.parametrize(
    ("no_color", "coloured"),
    [
        pytest.param(None, True, id="unset: colour"),
        pytest.param("", True, id="set but empty: colour"),
        pytest.param("1", False, id="set: no colour"),
        pytest.param("0", False, id="any value: no colour"),
    ],
)
def test_no_color_turns_colour_off_only_when_it_holds_a_value(make_vault, no_color, coloured):
    root = make_vault({"a.md": "[[gone]]\n"})
    out = lint_in_a_terminal(root, no_color)
    assert b"VK101" in out
    assert (ESCAPE in out) is coloured
