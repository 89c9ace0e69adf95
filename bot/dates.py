"""Dates as a reply shows them: words for the command line, Discord timestamps in Discord.

A day-precision date becomes ``<t:UNIX:D>`` (each member's client shows it in their own
locale and time zone) and, for the date a fact is about, ``<t:UNIX:R>`` too ("in 12 days",
"8 years ago"). A month or a year stays words: a timestamp would claim a day.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from bot.models import FuzzyDate

DateStyle = Literal["discord", "words"]

# A day has no time zone, a timestamp does: noon UTC is the same calendar day from
# UTC-12:00 to UTC+11:59, so nearly everyone sees the day the source gave. (Members at
# UTC+12 and beyond, e.g. New Zealand, see the next day.)
_NOON = 12 * 3600


def unix(day: date) -> int:
    """The timestamp Discord is given for a calendar day: noon UTC."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return int(midnight.timestamp()) + _NOON


def as_day(d: FuzzyDate) -> date | None:
    """The calendar day of a day-precision date, else None."""
    if d.month is None or d.day is None:
        return None
    return date(d.year, d.month, d.day)


def span(d: FuzzyDate) -> tuple[date, date]:
    """The first and last day a date may mean ("2026-08": 1 to 31 August 2026)."""
    if d.month is None:
        return date(d.year, 1, 1), date(d.year, 12, 31)
    if d.day is None:
        last = calendar.monthrange(d.year, d.month)[1]
        return date(d.year, d.month, 1), date(d.year, d.month, last)
    day = date(d.year, d.month, d.day)
    return day, day


def overlaps(d: FuzzyDate, start: date, days: int) -> bool:
    """Whether ``d`` may fall within ``days`` days from ``start`` (both ends included): a
    month or year that is not over and begins by the window's end."""
    first, last = span(d)
    return last >= start and first <= start + timedelta(days=days)


def when_text(d: FuzzyDate, style: DateStyle) -> str:
    """The date a fact is about: a day with its countdown in Discord ("in 12 days")."""
    day = as_day(d) if style == "discord" else None
    if day is None:
        return d.words()
    stamp = unix(day)
    return f"<t:{stamp}:D> (<t:{stamp}:R>)"


def on_text(d: FuzzyDate, style: DateStyle) -> str:
    """A date beside a fact (as of, a citation): a day without the countdown."""
    day = as_day(d) if style == "discord" else None
    return d.words() if day is None else f"<t:{unix(day)}:D>"
