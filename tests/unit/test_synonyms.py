"""Synonym groups: shipped as data, extended per server by moderators, with history."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine
from bot.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from bot.models import Actor
from bot.moderation import Moderation
from bot.store.synonyms import parse_group
from tests.unit.test_understanding import first_text, imported

G1, G2 = 111, 222
MOD1 = Actor(id=1, name="mod1", guild_id=G1)
MOD2 = Actor(id=2, name="mod2", guild_id=G2)

# Only the group says a tormentor is a villain: no fact holds the word.
QUESTION = "who is the tormentor in season 2"


def answered_key(engine: Engine, question: str, guild: int | None) -> str | None:
    answer = engine.ask(question, guild_id=guild)
    return engine.store.row("fact", answer.facts[0].id)["key"] if answer.answered else None


def test_shipped_groups_match_paraphrases(engine: Engine) -> None:
    # "antagonist" is in the shipped villain group; no fact says it.
    answer = engine.ask("who is the antagonist now that killgrave is gone")
    assert answer.answered and "villain" in answer.facts[0].text


def test_a_servers_group_works_there_only_and_undo_takes_it_back(engine: Engine) -> None:
    assert not engine.ask(QUESTION, guild_id=G1).answered
    gid, words = engine.synonyms.add(MOD1, "Tormentor, villain")
    assert words == "tormentor, villain"
    assert engine.ask(QUESTION, guild_id=G1).answered
    assert not engine.ask(QUESTION, guild_id=G2).answered
    listed = engine.synonyms.listing(G1)
    assert (gid, "tormentor, villain", "this server") in listed
    assert all(g != gid for g, _, _ in engine.synonyms.listing(G2))
    assert any(scope == "built in" for _, _, scope in listed)
    Moderation(engine).undo(MOD1)
    engine.sync(force=True)
    assert not engine.ask(QUESTION, guild_id=G1).answered
    history = engine.store.rows("SELECT action FROM change WHERE table_name = 'synonym'")
    assert [r["action"] for r in history] == ["synonym.add", "undo"]


def test_removing_is_soft_and_scoped(engine: Engine) -> None:
    gid, _ = engine.synonyms.add(MOD1, "tormentor, villain")
    with pytest.raises(NotFoundError):
        engine.synonyms.remove(MOD2, gid)  # another server's group is not there
    assert engine.synonyms.remove(MOD1, gid) == "tormentor, villain"
    assert not engine.ask(QUESTION, guild_id=G1).answered
    assert engine.store.row("synonym", gid)["deleted_at"] is not None
    with pytest.raises(NotFoundError):
        engine.synonyms.remove(MOD1, gid)
    owner = Actor(id=9, name="owner", guild_id=None, owner=True)
    global_id, _ = engine.synonyms.add(owner, "tormentor, villain")
    assert engine.ask(QUESTION, guild_id=G2).answered  # the owner's groups are global
    with pytest.raises(PermissionDeniedError):
        engine.synonyms.remove(MOD1, global_id)


def test_another_process_sees_a_new_group(engine: Engine) -> None:
    other = Engine.open(engine.store.path)
    try:
        engine.synonyms.add(MOD1, "tormentor, villain")
        other.sync(force=True)
        assert other.ask(QUESTION, guild_id=G1).answered
    finally:
        other.close()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("villain", "two or more words"),
        ("villain, villain", "two or more words"),
        ("bad guy, big bad", "at least one single word"),
        ("one two three four, villain", "is not a word or phrase"),
        (", ".join(f"w{i}" for i in range(11)), "at most 10"),
        ("x" * 31 + ", villain", "is not a word or phrase"),
    ],
)
def test_bad_groups_are_refused_and_change_nothing(engine: Engine, text: str, problem: str) -> None:
    before = engine.store.max_change_id()
    with pytest.raises(InvalidInputError, match=problem):
        engine.synonyms.add(MOD1, text)
    assert engine.store.max_change_id() == before


def test_a_phrase_stands_for_its_groups_word(engine: Engine) -> None:
    # "bad guy" is a shipped phrase of the villain group: it counts as "villain".
    answer = engine.ask("who is the bad guy now that killgrave is gone")
    assert answer.answered and "villain" in answer.facts[0].text
    question = "who is the big bad of season 2"  # names no subject in full
    assert not engine.ask(question, guild_id=G1).answered
    engine.synonyms.add(MOD1, "villain, big bad")
    assert engine.ask(question, guild_id=G1).answered
    assert engine.synonyms.rewrite(["the", "big", "bad", "is"], G1) == ["the", "villain", "is"]
    assert engine.synonyms.rewrite(["the", "big", "bad"], G2) == ["the", "big", "bad"]


def test_words_are_normalised() -> None:
    assert parse_group("  Antagonist , BADDIE,nemesis ") == ["antagonist", "baddie", "nemesis"]
    assert parse_group("Pokémon, pocket monsters".replace(" monsters", "")) == ["pokemon", "pocket"]


PHRASED = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "wiki", "title": "A fan wiki"}],
    "entities": [
        {"key": "gihun", "name": "Gi-hun", "kind": "character"},
        {"key": "ilnam", "name": "Il-nam", "kind": "character"},
        {"key": "finale", "name": "The Finale", "kind": "event"},
        {"key": "ben", "name": "Ben Mitchell", "kind": "character"},
    ],
    "facts": [
        {"key": "ilnam", "entity": "ilnam", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Il-nam befriends Gi-hun and joins the games to feel alive."},
        {"key": "finale", "entity": "finale", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "In the finale Gi-hun gives his life so that the baby wins."},
        {"key": "ben", "entity": "ben", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Ben Mitchell walked out of Walford in 2019."},
    ],
}  # fmt: skip


def test_a_fact_says_a_word_by_a_phrase_of_its_group(tmp_path: Path) -> None:
    # "gives his life" is of the shipped "die" group: it says "die" more than "alive"
    # means it. A server's own phrase ("walked out") is said there only.
    for engine in imported(tmp_path / "phrased.db", PHRASED):
        assert first_text(engine, "does gi-hun die") == (
            "In the finale Gi-hun gives his life so that the baby wins."
        )
        assert not engine.ask("when did ben mitchell quit", guild_id=G1).answered
        engine.synonyms.add(MOD1, "quit, walked out")
        answer = engine.ask("when did ben mitchell quit", guild_id=G1)
        assert answer.answered
        assert answer.facts[0].text == "Ben Mitchell walked out of Walford in 2019."
        assert not engine.ask("when did ben mitchell quit", guild_id=G2).answered
