"""VK601 overdue: off unless selected, and measured against the clock (pinned here)."""

from __future__ import annotations

import datetime as dt

import pytest

from vaultkit import clock
from vaultkit.config import Config

FILES = {
    "Late.md": "---\ntags: [x]\ndue: 2026-10-01\n---\n- [x] one\n- [ ] two\n- [ ] three\n",
    "Done.md": "---\ndue: 2026-10-01\n---\n- [x] one\n",
    "Dropped.md": "---\ndue: 2026-10-01\nstatus: dropped\n---\n- [ ] one\n",
    "Later.md": "---\ndue: 2026-11-28\n---\n- [ ] one\n",
    "Yesterday.md": "---\ndue: 2026-11-27\nstatus: todo\n---\n",
}


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 11, 28))


def test_vk601_runs_only_when_selected(found):
    assert found(FILES, "VK601") == []


def test_vk601_reports_each_note_past_its_due_date_that_is_not_done(vk, make_vault):
    root = make_vault(FILES)
    result = vk("lint", "--select", "VK601", cwd=root)
    assert (result.code, result.out) == (
        1,
        "Late.md:3:1: VK601 due 2026-10-01, 8 weeks ago, and not done (2 of 3 tasks left)\n"
        "Yesterday.md:2:1: VK601 due 2026-11-27, 1 day ago, and not done (ready)\n",
    )


def test_vk601_points_at_the_due_property(lint_root, make_vault):
    root = make_vault(FILES)
    findings = [f for f in lint_root(root, Config(select=("VK601",))) if f[3] == "VK601"]
    assert findings == [("Late.md", 3, 1, "VK601"), ("Yesterday.md", 2, 1, "VK601")]
