"""Update posts in words (issue 20, items 9 and 10): a fact added and removed within one
window never shows, a removed fact is not repeated, and a post about facts with long
citations keeps its changes and cuts footnotes first, never keeping one for a cut fact."""

from __future__ import annotations

from bot.models import Entity, EntityKind, Fact, FuzzyDate, Kind, Source, Status
from bot.replies.render import MAX_CONTENT
from bot.replies.updates import update_text
from bot.store.outbox import Change

SUBJECT = Entity(13, "Luke Cage", EntityKind.SHOW)


def fact(i: int, text: str, source: Source | None = None) -> Fact:
    return Fact(i, 13, Kind.WHEN, text, Status.CONFIRMED, False, None, source, None, None, 1)


def long_source(n: int) -> Source:
    title = f"Luke Cage season 2: everything we know so far about the cast and the trailer {n}"
    url = "https://ew.com/tv/luke-cage-season-2-everything-we-know-" + "x" * 300 + f"-{n}"
    return Source(100 + n, title, "Entertainment Weekly Online Edition", url, FuzzyDate(2017, 7))


def test_a_fact_added_and_removed_in_the_window_is_not_in_the_post() -> None:
    spoiler = fact(28, "Luke dies at the end of season 1 (oops, no spoiler tag).")
    kept = fact(29, "Season 2 premieres in June.")
    changes = [
        Change(28, "added", {}),
        Change(29, "added", {}),
        Change(28, "removed", {}),
    ]
    text = update_text(SUBJECT, changes, {28: spoiler, 29: kept})
    assert "Luke dies" not in text and "#28" not in text
    assert "Season 2 premieres in June." in text
    again = update_text(SUBJECT, [*changes, Change(28, "restored", {})], {28: spoiler, 29: kept})
    assert "**New**\n" in again and "Luke dies" in again  # restored: new after all


def test_a_removed_fact_is_named_not_repeated() -> None:
    wrong = fact(30, "A wrong and spoiling claim.")
    text = update_text(SUBJECT, [Change(30, "removed", {})], {30: wrong})
    assert "**Removed**: fact `#30`" in text and "spoiling" not in text


def test_long_citations_are_cut_before_the_changes() -> None:
    facts = {i: fact(i, f"Season 2 news item {i}.", long_source(i)) for i in range(3)}
    changes = [Change(i, "added", {}) for i in range(3)]
    text = update_text(SUBJECT, changes, facts)
    assert len(text) <= MAX_CONTENT
    assert all(f"Season 2 news item {i}." in text for i in range(3))  # every change shown


def test_footnotes_only_for_the_facts_shown() -> None:
    facts = {i: fact(i, f"News item {i}: " + "word " * 60, long_source(i)) for i in range(6)}
    text = update_text(SUBJECT, [Change(i, "added", {}) for i in range(6)], facts)
    assert len(text) <= MAX_CONTENT and "more change(s)" in text
    shown = [i for i in range(6) if f"News item {i}:" in text]
    assert shown and len(shown) < 6
    notes = [line for line in text.splitlines() if line.startswith("[")]
    assert len(notes) <= len(shown)  # no footnote for a fact that was cut
    assert all(f"trailer {i}" in text for i in shown[: len(notes)])
