"""The clock's date: the one input of a lint run that is not in the vault (VK601), and part
of the key its findings are kept under (`linting.check`)."""

from __future__ import annotations

import datetime as dt


def today() -> dt.date:
    """The clock's date."""
    return dt.date.today()
