"""Month arithmetic: the same day months later, and the first day of a later month."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.core.dates import add_months, month_start_after

D = dt.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2026, 11, 30), 2, D(2027, 1, 30)),  # across the year end
        (D(2026, 12, 31), 3, D(2027, 3, 31)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2027, 1, 1), -3, D(2026, 10, 1)),  # backwards across the year end
        (D(2026, 5, 31), -3, D(2026, 2, 28)),
        (D(2026, 6, 15), 0, D(2026, 6, 15)),
    ],
)
def test_add_months_clamps_to_the_end_of_short_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 3, 17), 1, D(2026, 4, 1)),
        (D(2026, 3, 17), -1, D(2026, 2, 1)),
        (D(2026, 1, 31), 1, D(2026, 2, 1)),  # never the 31st of a short month: the 1st
        (D(2026, 12, 5), 1, D(2027, 1, 1)),  # across the year end
        (D(2026, 1, 5), -1, D(2025, 12, 1)),  # backwards across the year end
        (D(2026, 6, 30), 0, D(2026, 6, 1)),  # the start of the day's own month
        (D(2026, 6, 30), -24, D(2024, 6, 1)),
    ],
)
def test_month_start_after_lands_on_the_first_of_the_month(day, months, expected):
    assert month_start_after(day, months) == expected
