"""Bars and terminal widths: what the columns of `status` and `next` line up on."""

from __future__ import annotations

import pytest

from vaultkit.bars import bar, display_width, pad


@pytest.mark.parametrize(
    ("text", "width"),
    [
        pytest.param("Docker", 6, id="ascii"),
        pytest.param("系統設計文件（英文）", 20, id="cjk and full-width parentheses"),
        pytest.param("e\u0301", 1, id="combining accent"),
        pytest.param("a\u200bb", 2, id="zero-width space"),
        pytest.param("👩\u200d💻 dev", 6, id="emoji joined by a zero-width joiner"),
        pytest.param("x\ty", 2, id="a control character takes no column"),
    ],
)
def test_display_width_counts_terminal_columns(text, width):
    assert display_width(text) == width


def test_pad_fills_to_the_column_not_the_character_count():
    assert pad("雲端", 6) == "雲端  "
    assert pad("Docker", 3) == "Docker"


def test_a_bar_rounds_down_so_only_a_finished_note_is_full():
    assert (bar(6, 10), bar(99, 100), bar(0, 0)) == ("▓▓▓▓▓▓░░░░", "▓▓▓▓▓▓▓▓▓░", "░" * 10)
