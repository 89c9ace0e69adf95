"""Fans' shorthand and misspellings ("gf", "eps", "happend") are read as the words facts
spell out in free questions, and a show's initials ("bcs") as its title, but never where
the store holds the word as typed: a subject's alias ("GF" for Gravity Falls), a fact's
word, a question moderators taught."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.answering.shorthand import initials, spelled_out
from bot.engine import Engine
from bot.models import Actor
from bot.moderation import Moderation
from tests.unit.test_understanding import first_text, imported

G1 = 111
MOD = Actor(id=1, name="mod", guild_id=G1)

FALLS = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "wiki", "title": "A fan wiki"}],
    "entities": [
        {"key": "falls", "name": "Gravity Falls", "kind": "show"},
        {"key": "other", "name": "Other Town", "kind": "show"},
        {"key": "dipper", "name": "Dipper Pines", "kind": "character"},
        {"key": "stan", "name": "Stan Pines", "kind": "character"},
    ],
    "aliases": [{"key": "a-gf", "entity": "falls", "name": "GF"}],
    "facts": [
        {"key": "created", "entity": "falls", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Gravity Falls was created by Alex Hirsch."},
        {"key": "episodes", "entity": "falls", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Gravity Falls has 40 episodes over two seasons."},
        {"key": "wendy", "entity": "dipper", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Dipper Pines wants Wendy to be his girlfriend."},
        {"key": "stan", "entity": "stan", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Stan Pines ran the Mystery Shack until he lost his memory."},
    ],
}  # fmt: skip


@pytest.fixture
def falls(tmp_path: Path) -> Iterator[Engine]:
    yield from imported(tmp_path / "falls.db", FALLS)


def test_shorthand_the_store_does_not_hold_is_spelt_out(falls: Engine) -> None:
    assert spelled_out()["gf"] == "girlfriend"
    assert first_text(falls, "how many eps does gravity falls have") == (
        "Gravity Falls has 40 episodes over two seasons."
    )
    assert first_text(falls, "what happend to stan pines") == (
        "Stan Pines ran the Mystery Shack until he lost his memory."
    )


def test_a_subjects_alias_is_never_read_as_shorthand(falls: Engine) -> None:
    # "GF" is Gravity Falls here, not a girlfriend.
    assert first_text(falls, "who created gf") == "Gravity Falls was created by Alex Hirsch."
    assert first_text(falls, "how many eps does gf have") == (
        "Gravity Falls has 40 episodes over two seasons."
    )


def test_a_taught_question_is_matched_as_typed(falls: Engine) -> None:
    stan = int(falls.store.find_key("fact", "stan", None)["id"])
    Moderation(falls).teach(MOD, stan, "who was the bf of the shack")
    assert [f.id for f in falls.ask("who was the bf of the shack", guild_id=G1).facts][:1] == [stan]


def test_shorthand_that_leaves_nothing_to_ask_is_asked_as_typed(falls: Engine) -> None:
    # Spelt out, these are only question words ("episodes?", "what happened"): the
    # question is answered as typed, an honest "I don't know", never an error.
    for question in ("eps?", "what happend", "wich", "who is " + "bf " * 120):
        assert not falls.ask(question).answered, question
    # An unanswered question names what the fan typed, not the words it was read as.
    assert falls.ask("who is bf").question.subject == "bf"


SHOWS = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "wiki", "title": "A fan wiki"}],
    "entities": [
        {"key": "bb", "name": "Breaking Bad", "kind": "show"},
        {"key": "bro", "name": "Big Brother", "kind": "show"},
        {"key": "bcs", "name": "Better Call Saul", "kind": "show"},
        {"key": "dw", "name": "Doctor Who", "kind": "show"},
    ],
    "facts": [
        {"key": "bb", "entity": "bb", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Vince Gilligan created Breaking Bad."},
        {"key": "bro", "entity": "bro", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "John de Mol created Big Brother."},
        {"key": "bcs", "entity": "bcs", "kind": "when", "status": "confirmed",
         "source": "wiki", "text": "Better Call Saul ended in August 2022.", "date": "2022-08"},
        {"key": "dw", "entity": "dw", "kind": "when", "status": "confirmed",
         "source": "wiki", "text": "Doctor Who came back in 2005 after sixteen years off air.",
         "date": "2005"},
    ],
}  # fmt: skip


def test_a_shows_initials_are_its_title(tmp_path: Path) -> None:
    assert initials("The Walking Dead") == {"twd", "wd"}
    assert initials("Game of Thrones") == set()  # "got" is a word
    assert initials("Dexter") == set()
    for engine in imported(tmp_path / "shows.db", SHOWS):
        assert first_text(engine, "when did bcs end") == "Better Call Saul ended in August 2022."
        assert first_text(engine, "when did dw come back") == (
            "Doctor Who came back in 2005 after sixteen years off air."
        )
        # Two shows are "bb" here: neither is meant.
        assert not engine.ask("who created bb").answered


def test_a_catalogues_initials_name_nothing(tmp_path: Path) -> None:
    # Among thousands of films, initials are shared, and a word is more likely meant.
    many = copy.deepcopy(SHOWS)
    many["entities"] += [
        {"key": f"film-{i}", "name": f"Film Number {i}", "kind": "show"} for i in range(70)
    ]
    for engine in imported(tmp_path / "many.db", many):
        assert not engine.ask("when did dw come back").answered
        assert first_text(engine, "when did doctor who come back") == (
            "Doctor Who came back in 2005 after sixteen years off air."
        )


def test_initials_that_are_a_name_chat_or_part_of_a_name_are_not_a_title(
    tmp_path: Path,
) -> None:
    data = copy.deepcopy(SHOWS)
    data["entities"].append({"key": "tlou", "name": "The Last of Us", "kind": "show"})
    data["entities"].append({"key": "op", "name": "One Piece", "kind": "show"})
    data["facts"] += [
        {"key": "tlou", "entity": "tlou", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "The Last of Us stars Pedro Pascal as Joel."},
        {"key": "op", "entity": "op", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "One Piece was created by Eiichiro Oda."},
    ]  # fmt: skip
    for engine in imported(tmp_path / "initials.db", data):
        assert not engine.ask("who is lou").answered  # a first name, not "Last of Us"
        assert not engine.ask("who made the op").answered  # an anime's opening
        assert not engine.ask("when did dw griffith come back").answered  # a name
        assert first_text(engine, "who stars in tlou") == (
            "The Last of Us stars Pedro Pascal as Joel."
        )
