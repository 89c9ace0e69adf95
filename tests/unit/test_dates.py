"""Dates in replies: a day as a Discord timestamp (with a countdown for the date a fact is
about) in Discord, words on the command line; months and years always words."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.dates import on_text, overlaps, span, unix, when_text
from bot.engine import Engine
from bot.models import Fact, FuzzyDate, Kind, Source, Status
from bot.replies.render import citation, fact_line

LUKE_CAGE = 1475236800  # 30 September 2016, 12:00 UTC


def test_a_day_is_noon_utc_so_nearly_every_time_zone_shows_that_day() -> None:
    assert unix(date(2016, 9, 30)) == LUKE_CAGE
    noon = datetime.fromtimestamp(LUKE_CAGE, UTC)
    assert (noon.date(), noon.hour) == (date(2016, 9, 30), 12)


@pytest.mark.parametrize(
    ("iso", "discord", "words"),
    [
        ("2016-09-30", f"<t:{LUKE_CAGE}:D> (<t:{LUKE_CAGE}:R>)", "30 September 2016"),
        ("2016-09", "September 2016", "September 2016"),
        ("2016", "2016", "2016"),
    ],
)
def test_only_day_precision_becomes_a_timestamp(iso: str, discord: str, words: str) -> None:
    d = FuzzyDate.parse(iso)
    assert when_text(d, "discord") == discord
    assert when_text(d, "words") == words
    assert on_text(d, "words") == words
    assert on_text(d, "discord") == (f"<t:{LUKE_CAGE}:D>" if d.day else words)


@pytest.mark.parametrize(
    ("iso", "first", "last"),
    [
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2023-02", date(2023, 2, 1), date(2023, 2, 28)),
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-12-10", date(2026, 12, 10), date(2026, 12, 10)),
    ],
)
def test_span_is_every_day_a_date_may_mean(iso: str, first: date, last: date) -> None:
    assert span(FuzzyDate.parse(iso)) == (first, last)


@pytest.mark.parametrize(
    ("iso", "inside"),
    [
        ("2026-05-10", True),  # today
        ("2026-06-09", True),  # the window's last day (30 days on)
        ("2026-06-10", False),
        ("2026-05-09", False),  # yesterday
        ("2026-05", True),  # this month, not over
        ("2026-04", False),  # over
        ("2026-06", True),  # begins inside the window
        ("2026-07", False),
        ("2026", True),  # this year, not over
        ("2025", False),
        ("2027", False),
    ],
)
def test_window_per_precision(iso: str, inside: bool) -> None:
    assert overlaps(FuzzyDate.parse(iso), date(2026, 5, 10), 30) is inside


def fact(iso: str | None, source_date: str | None = "2016-05-02") -> Fact:
    source = Source(1, "An article", date=FuzzyDate.parse(source_date) if source_date else None)
    return Fact(
        id=7,
        entity_id=1,
        kind=Kind.WHEN,
        text="It premieres <t:1:R>.",
        status=Status.CONFIRMED,
        spoiler=False,
        date=FuzzyDate.parse(iso) if iso else None,
        source=source,
        quote=None,
        guild_id=None,
        version=1,
    )


def test_fact_line_words_and_timestamps() -> None:
    f = fact("2016-09-30")
    assert fact_line(f, 1) == (
        "• **30 September 2016**: It premieres \\<t:1:R>. — *confirmed*, as of 2 May 2016 [1] `#7`"
    )
    stamp = unix(date(2016, 5, 2))
    assert fact_line(f, 1, dates="discord") == (
        f"• **<t:{LUKE_CAGE}:D> (<t:{LUKE_CAGE}:R>)**: It premieres \\<t:1:R>. — *confirmed*,"
        f" as of <t:{stamp}:D> [1] `#7`"
    )
    # A timestamp typed into a fact stays inert (escaped); only the bot's own render.
    assert "\\<t:1:R>" in fact_line(f, 1, dates="discord")
    assert citation(f.source, "discord") == f"*An article*, <t:{stamp}:D>"  # type: ignore[arg-type]
    assert "September 2016" in fact_line(fact("2016-09"), None, dates="discord")


def test_answers_in_discord_and_on_the_command_line(engine: Engine) -> None:
    answer = engine.ask("!when luke cage")
    words = engine.reply(answer).content
    discord = engine.reply(answer, dates="discord").content
    assert "**30 September 2016**:" in words and "<t:" not in words
    assert f"**<t:{LUKE_CAGE}:D> (<t:{LUKE_CAGE}:R>)**:" in discord
    assert "as of May 2016" in discord  # a month stays words
    assert discord.replace(f"<t:{LUKE_CAGE}:D> (<t:{LUKE_CAGE}:R>)", "30 September 2016") == words


def test_stored_dates_are_parsed_once_and_bad_ones_still_raise() -> None:
    from bot.store.reads import fact_from_row

    row = {
        "id": 1, "entity_id": 2, "kind": "when", "text": "Premieres", "status": "confirmed",
        "spoiler": 0, "date": "2019-03-04", "quote": None, "guild_id": None, "version": 1,
        "deleted_at": None, "overrides": None, "hides": 0, "s_id": 5, "s_title": "Variety",
        "s_publisher": None, "s_url": None, "s_date": "2019-03-04", "s_notes": None,
    }  # fmt: skip
    a, b = fact_from_row(row), fact_from_row({**row, "id": 3})
    assert a.date == FuzzyDate(2019, 3, 4) and a.date is b.date
    assert a.source is not None and a.source.date is a.date
    with pytest.raises(ValueError):
        fact_from_row({**row, "date": "2019-02-30"})
    with pytest.raises(ValueError):  # not remembered as good after the first time
        fact_from_row({**row, "date": "2019-02-30"})
