"""The fans' questions (tests/questions/fans.json) and their shows' fact files: the data's
integrity only. Accuracy is what benchmarks/fan_questions.py prints, never asserted here."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.questions.fans import FANS, PARTS, open_show, show_data, slugs

SHOWS = slugs()
QUESTIONS = [item for part in PARTS for item in FANS[part]]


def test_at_least_five_shows_of_different_genres() -> None:
    # A drama, a reality show, an anime, a sitcom, a soap, and, written later by people who
    # had not read the engine, a science-fiction drama, an animated sitcom, a Korean
    # survival thriller, a long-running British science-fiction show and a crime drama.
    assert len(SHOWS) >= 5, SHOWS
    assert {"great-british-bake-off", "attack-on-titan", "eastenders"} <= set(SHOWS)


@pytest.mark.parametrize("slug", SHOWS)
def test_the_show_file_imports_into_a_fresh_store(slug: str, tmp_path: Path) -> None:
    data = show_data(slug)
    engine = open_show(slug, tmp_path / f"{slug}.db")
    try:
        keys = {row["key"] for row in engine.store.rows("SELECT key FROM fact", [])}
    finally:
        engine.close()
    assert keys == {fact["key"] for fact in data["facts"]}


@pytest.mark.parametrize("slug", SHOWS)
def test_the_show_file_has_what_the_set_needs(slug: str) -> None:
    data = show_data(slug)
    facts = data["facts"]
    assert 40 <= len(facts) <= 70
    kinds = Counter(entity["kind"] for entity in data["entities"])
    assert kinds["show"] == 1
    assert set(Counter(fact["kind"] for fact in facts)) == {"when", "who", "what"}
    statuses = Counter(fact["status"] for fact in facts)
    assert statuses["confirmed"] > len(facts) / 2
    assert statuses["rumor"] + statuses["prediction"] >= 1
    for fact in facts:
        assert fact["source"], fact["key"]
        if fact["status"] in ("rumor", "prediction"):
            assert fact["text"].startswith(fact["status"].capitalize() + ":"), fact["key"]
    assert data["aliases"]


def test_every_expected_key_is_a_fact_of_its_show() -> None:
    keys = {slug: {fact["key"] for fact in show_data(slug)["facts"]} for slug in SHOWS}
    missing = [
        (item["store"], item["q"], key)
        for item in QUESTIONS
        for key in item["expect"]
        if key not in keys.get(item["store"], set())
    ]
    assert missing == []


def test_the_questions_are_many_and_well_formed() -> None:
    assert set(FANS) == {"about", *PARTS}
    assert "never tuned on" in FANS["about"]
    assert len(QUESTIONS) >= 300
    for item in QUESTIONS:
        assert set(item) == {"store", "q", "expect"}, item
        assert item["store"] in SHOWS, item
        assert isinstance(item["q"], str) and item["q"].strip(), item
        assert len(set(item["expect"])) == len(item["expect"]), item
    asked = Counter((item["store"], item["q"]) for item in QUESTIONS)
    assert [q for q, n in asked.items() if n > 1] == []


def test_a_fifth_or_more_cannot_be_answered() -> None:
    unanswerable = [item for item in QUESTIONS if not item["expect"]]
    assert len(unanswerable) >= 60
    assert len(unanswerable) / len(QUESTIONS) >= 0.20


def test_every_show_is_in_both_splits_about_sixty_forty() -> None:
    for part in PARTS:
        shows = Counter(item["store"] for item in FANS[part])
        assert set(shows) == set(SHOWS), (part, shows)
        unanswerable = Counter(item["store"] for item in FANS[part] if not item["expect"])
        assert set(unanswerable) == set(SHOWS), (part, unanswerable)
    share = len(FANS["holdout"]) / len(QUESTIONS)
    assert 0.35 <= share <= 0.45, share
