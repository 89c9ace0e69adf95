"""An unknown word a dictionary holds ("guy", "leaked", "favourite") is how a question is
asked; an unknown word no dictionary holds is a name the store doesn't know, and so is a
language or nation ("german"): a fact not saying it does not answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.answering.grounding import proper
from bot.answering.questions import season_owner
from bot.engine import Engine
from bot.language.embedding import name_like
from bot.language.words import everyday
from tests.unit.test_understanding import first_text, imported

DUB = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "wiki", "title": "A fan wiki"}],
    "entities": [
        {"key": "show", "name": "Titan Wall", "kind": "show"},
        {"key": "levi", "name": "Levi Ackerman", "kind": "character"},
        {"key": "keery", "name": "Joe Keery", "kind": "person"},
        {"key": "steve", "name": "Steve Harrington", "kind": "character"},
    ],
    "aliases": [{"key": "a-levi", "entity": "levi", "name": "Levi"}],
    "facts": [
        {"key": "levi", "entity": "levi", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Levi Ackerman is the strongest soldier of Titan Wall."},
        {"key": "dub", "entity": "levi", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Matthew Mercer voices Levi in the English dub."},
        {"key": "keery", "entity": "keery", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Joe Keery plays Steve Harrington; he also makes music."},
        {"key": "steve", "entity": "steve", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Steve Harrington is the popular boy of Titan Wall."},
        {"key": "s2", "entity": "show", "kind": "when", "status": "confirmed",
         "source": "wiki", "text": "Titan Wall season 2 has a new villain, the Beast."},
    ],
}  # fmt: skip


@pytest.fixture
def dub(tmp_path: Path) -> Iterator[Engine]:
    yield from imported(tmp_path / "dub.db", DUB)


def test_a_dictionary_word_or_its_inflection_is_everyday_and_a_name_is_not() -> None:
    for word in ("guy", "leaked", "presenters", "favourite", "snitched", "cartoon", "waiter"):
        assert everyday(word), word
        assert not name_like(word), word
    for word in ("mcfadden", "giedroyc", "grumbo", "daenerys"):
        assert not everyday(word), word
        assert name_like(word), word
    assert name_like("1138")
    assert proper("german") and proper("Japanese".lower())
    assert not proper("happened")


def test_the_word_before_a_season_ends_the_shows_name() -> None:
    assert season_owner("who is the villain of the punisher season 2") == "punisher"
    assert season_owner("when does jessica jones s2 come out") == "jones"
    assert season_owner("who is the villain in season 2") == "in"
    assert season_owner("who is the villain") is None


def test_an_everyday_word_no_fact_holds_is_how_it_is_asked(dub: Engine) -> None:
    assert first_text(dub, "does the guy who plays steve harrington make music") == (
        "Joe Keery plays Steve Harrington; he also makes music."
    )


def test_a_language_or_a_show_no_fact_names_is_not_answered_for(dub: Engine) -> None:
    assert first_text(dub, "who voices levi in the english dub") == (
        "Matthew Mercer voices Levi in the English dub."
    )
    assert not dub.ask("who voices levi in the german dub").answered
    # "punisher" is a dictionary word, but before "season 2" it names a show no fact does.
    assert not dub.ask("who is the villain of the punisher season 2").answered
    assert first_text(dub, "who is the new villain in season 2") == (
        "Titan Wall season 2 has a new villain, the Beast."
    )
