"""Bars and terminal widths: what the columns of `status` and `next` line up on."""

from __future__ import annotations

import random

import pytest

from vaultkit.bars import NARROW, WIDE, bar, display_width, pad


@pytest.mark.parametrize(
    ("text", "width"),
    [
        pytest.param("Docker", 6, id="ascii"),
        pytest.param("系統設計文件（英文）", 20, id="cjk and full-width parentheses"),
        pytest.param("e\u0301", 1, id="combining accent"),
        pytest.param("a\u200bb", 2, id="zero-width space"),
        pytest.param("👩\u200d💻 dev", 6, id="emoji joined by a zero-width joiner"),
        pytest.param("x\ty", 2, id="a control character takes no column"),
        pytest.param("Kubernetes 基礎", 15, id="ascii and cjk: counted without wcwidth"),
        pytest.param("P2 6–12 個月", 12, id="an en dash: narrow"),
        pytest.param("かな カナ 한국", 14, id="kana and hangul: wide"),
        pytest.param("基礎\u0301", 4, id="a combining accent: wcwidth counts it"),
    ],
)
def test_display_width_counts_terminal_columns(text, width):
    assert display_width(text) == width


def test_pad_fills_to_the_column_not_the_character_count():
    assert pad("雲端", 6) == "雲端  "
    assert pad("Docker", 3) == "Docker"


def test_a_bar_rounds_down_so_only_a_finished_note_is_full():
    assert (bar(6, 10), bar(99, 100), bar(0, 0)) == ("▓▓▓▓▓▓░░░░", "▓▓▓▓▓▓▓▓▓░", "░" * 10)


def test_every_character_counted_without_wcwidth_is_as_wide_as_wcwidth_says():
    from wcwidth import wcswidth

    characters = [chr(c) for low, high in NARROW + WIDE for c in range(low, high + 1)]
    assert len(characters) > 30_000
    assert [display_width(c) for c in characters] == [wcswidth(c) for c in characters]
    rng = random.Random(7)
    texts = ["".join(rng.choices(characters, k=rng.randint(1, 30))) for _ in range(500)]
    assert [display_width(text) for text in texts] == [wcswidth(text) for text in texts]
