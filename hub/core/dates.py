"""Calendar arithmetic in whole months: the same day later, or the first day of a later month."""

from __future__ import annotations

import calendar
import datetime as dt


def _shift(day: dt.date, months: int) -> tuple[int, int]:
    """Return (year, month) of the month ``months`` after (or before) the day's month."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return year, month + 1


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the same day ``months`` later (or earlier), clamped to the end of a short month.

    31 January plus one month is 28 February (29 in a leap year); 30 November plus two months is
    30 January of the next year; 29 February plus twelve months is 28 February.
    """
    year, month = _shift(day, months)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_start_after(day: dt.date, months: int) -> dt.date:
    """Return the first day of the month ``months`` after (or before) the day's month.

    For monthly figures: 17 March plus one month is 1 April, minus one month 1 February.
    """
    year, month = _shift(day, months)
    return dt.date(year, month, 1)
