"""Names a question asks about besides its subject. A first name the store has never seen,
typed before a name ("who plays ben mitchell"), is someone the store doesn't know: no
other Mitchell's fact answers for Ben. Alone, or after a name, a first name may be an
everyday word ("will", "win"). And "who plays X" is answered by a fact saying who plays
X: not by one naming X only, nor by one saying who plays someone else."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from bot.answering.typed import given_name
from bot.answering.vocabulary import maybe_names
from bot.engine import Engine
from tests.unit.test_understanding import first_text, imported
from tests.unit.test_what_is_asked import ONE_SHOW


def with_grant(engine_data: dict) -> dict:
    data = copy.deepcopy(engine_data)
    data["entities"].append({"key": "grant", "name": "Grant Mitchell", "kind": "character"})
    data["facts"].append(
        {"key": "grant", "entity": "grant", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Ross Kemp has played Grant Mitchell since 1990."}
    )  # fmt: skip
    return data


@pytest.mark.parametrize("mitchells", [1, 2])
def test_a_first_name_the_store_never_saw_is_someone_it_doesnt_know(
    mitchells: int, tmp_path: Path
) -> None:
    # "mitchell" and "plays" are said by the actors' facts, but Ben is nobody here. With
    # one Mitchell the name path finds Phil by his surname; with two, the free path finds
    # the facts holding "mitchell".
    data = ONE_SHOW if mitchells == 1 else with_grant(ONE_SHOW)
    for engine in imported(tmp_path / "mitchells.db", data):
        assert not engine.ask("who plays ben mitchell").answered
        assert first_text(engine, "who plays phil mitchell") == (
            "Steve Miller has played Phil Mitchell since 1990."
        )


def test_a_first_name_after_a_name_is_an_everyday_word(tmp_path: Path) -> None:
    engine: Engine
    for engine in imported(tmp_path / "won.db", ONE_SHOW):
        # "win" is a first name too (Winifred), and unseen here: after "steve miller" it
        # is what he did, not who.
        assert first_text(engine, "what did steve miller win") == (
            "Steve Miller won the Soap award for best actor in 2003."
        )


def test_given_names_and_nicknames() -> None:
    assert given_name("ben") and given_name("dot") and given_name("benjamin")
    assert not given_name("waiter") and not given_name("finale")
    # A first name before a name is a name; alone, or after one, it may be a verb.
    assert maybe_names("who plays ben mitchell".split()) == [False, False, True, True]
    assert maybe_names("what did nadiya win".split()) == [False, False, True, False]
    # Everyday words that are first names too, function words, a month before a year.
    assert maybe_names("did nadiya win bake off".split())[2] is False
    assert maybe_names("will kendall go".split())[0] is False
    assert maybe_names("arrested in august 2022".split())[2] is False


def with_louise(engine_data: dict, *, cast: bool) -> dict:
    data = copy.deepcopy(engine_data)
    data["facts"].append(
        {"key": "louise", "entity": "phil", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Phil Mitchell's daughter Louise was born in 1998."}
    )  # fmt: skip
    if cast:
        data["entities"].append({"key": "tilly", "name": "Tilly Keeper", "kind": "person"})
        data["facts"].append(
            {"key": "tilly", "entity": "tilly", "kind": "who", "status": "confirmed",
             "source": "wiki", "text": "Tilly Keeper plays Louise, Phil Mitchell's daughter."}
        )  # fmt: skip
    return data


def test_who_plays_is_said_by_a_fact_saying_who_plays(tmp_path: Path) -> None:
    # Phil's fact names his daughter Louise and Steve Miller's says who plays Phil: neither
    # says who plays Louise.
    for engine in imported(tmp_path / "louise.db", with_louise(ONE_SHOW, cast=False)):
        assert not engine.ask("who plays phil mitchells daughter").answered
        assert not engine.ask("who plays louise mitchell").answered
        # Who she is, they do say.
        assert first_text(engine, "who is phil mitchells daughter") == (
            "Phil Mitchell's daughter Louise was born in 1998."
        )
    for engine in imported(tmp_path / "cast.db", with_louise(ONE_SHOW, cast=True)):
        said = "Tilly Keeper plays Louise, Phil Mitchell's daughter."
        assert first_text(engine, "who plays phil mitchells daughter") == said
        assert first_text(engine, "who plays louise mitchell") == said


def test_what_follows_a_possessive_belongs_to_the_subject(tmp_path: Path) -> None:
    # "maiden" is spelt as rare words and names are; after "elevens" it is hers, and a
    # maiden name is a name: the fact saying hers answers.
    for engine in imported(tmp_path / "maiden.db", ONE_SHOW):
        answer = engine.ask("whats elevens maiden name")
        assert answer.facts[0].text == "Eleven was born Jane Ives; her name comes from a tattoo."
        assert answer.answered and answer.typo_of is None  # no "Showing Eleven for ..."


FLECK = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "kb", "title": "A film database"}],
    "entities": [
        {"key": "fleck", "name": "Ryan Fleck", "kind": "person"},
        {"key": "white", "name": "Ryan White", "kind": "person"},
        {"key": "nelson", "name": "Half Nelson", "kind": "show"},
        {"key": "case", "name": "The Case Against 8", "kind": "show"},
    ],
    "facts": [
        {"key": "nelson", "entity": "nelson", "kind": "who", "status": "confirmed",
         "source": "kb", "text": "Half Nelson was directed by Ryan Fleck."},
        {"key": "case", "entity": "case", "kind": "who", "status": "confirmed",
         "source": "kb", "text": "The Case Against 8 was directed by Ryan White."},
    ],
}  # fmt: skip


def test_a_name_spelt_as_typed_before_a_typo_spanning_a_word_more(tmp_path: Path) -> None:
    # "ryan fleck write" holds Ryan White too ("write" one letter from "white"): the name
    # typed as it is spelt is the one asked about.
    for engine in imported(tmp_path / "fleck.db", FLECK):
        answer = engine.ask("which movie did ryan fleck write")
        assert answer.entity is not None and answer.entity.name == "Ryan Fleck"
        assert "Ryan White" not in " ".join(f.text for f in answer.facts)


STAR = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "kb", "title": "A film database"}],
    "entities": [
        {"key": "star", "name": "Star!", "kind": "show"},
        {"key": "maps", "name": "Maps to the Stars", "kind": "show"},
        {"key": "berto", "name": "Juliet Berto", "kind": "person"},
        {"key": "celine", "name": "Celine and Julie Go Boating", "kind": "show"},
    ],
    "facts": [
        {"key": "star", "entity": "star", "kind": "what", "status": "confirmed",
         "source": "kb", "text": "Star! is a Musical film."},
        {"key": "maps", "entity": "maps", "kind": "what", "status": "confirmed",
         "source": "kb", "text": "Maps to the Stars is tagged \"julianne moore\"."},
        {"key": "celine", "entity": "celine", "kind": "who", "status": "confirmed",
         "source": "kb", "text": "Celine and Julie Go Boating was written by Juliet Berto."},
    ],
}  # fmt: skip


def test_a_one_word_title_beside_a_full_name_is_a_word_of_the_question(tmp_path: Path) -> None:
    # "star" names the film Star!, but beside "juliet berto" it is what she did: her
    # facts say she wrote a film, not that she starred in one, and Star!'s are no answer.
    for engine in imported(tmp_path / "star.db", STAR):
        answer = engine.ask("what movies did juliet berto star in")
        assert answer.entity is not None and answer.entity.name == "Juliet Berto"
        assert not answer.answered
        assert "julianne moore" not in " ".join(f.text for f in answer.facts)


ORDER = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "kb", "title": "A film database"}],
    "entities": [
        {"key": "crazy", "name": "Crazy Love", "kind": "show"},
        {"key": "kind", "name": "Crazy Kind of Love", "kind": "show"},
        {"key": "keith", "name": "David Keith", "kind": "person"},
        {"key": "live", "name": "They Live", "kind": "show"},
        {"key": "curse", "name": "The Curse", "kind": "show"},
    ],
    "facts": [
        {"key": "crazy", "entity": "crazy", "kind": "what", "status": "confirmed",
         "source": "kb", "text": "Crazy Love is a Documentary film."},
        {"key": "kind", "entity": "kind", "kind": "who", "status": "confirmed",
         "source": "kb", "text": "Virginia Madsen stars in Crazy Kind of Love."},
        {"key": "live", "entity": "live", "kind": "what", "status": "confirmed",
         "source": "kb", "text": "They Live is tagged \"keith david\"."},
        {"key": "curse", "entity": "curse", "kind": "who", "status": "confirmed",
         "source": "kb", "text": "The Curse was directed by David Keith."},
    ],
}  # fmt: skip


def test_a_name_matched_out_of_order_is_not_the_one_typed(tmp_path: Path) -> None:
    for engine in imported(tmp_path / "order.db", ORDER):
        # "kind ... crazy love" holds Crazy Kind of Love's words, out of order.
        assert first_text(engine, "what kind of movie is crazy love") == (
            "Crazy Love is a Documentary film."
        )
        # Keith David is not David Keith: the facts hold "keith david" as a name.
        assert first_text(engine, "what movies are about keith david") == (
            'They Live is tagged "keith david".'
        )
        assert first_text(engine, "what movies did david keith direct") == (
            "The Curse was directed by David Keith."
        )


def test_who_and_an_adverb_before_the_verb(tmp_path: Path) -> None:
    # "first" is when, not what: "played" is what is asked (though facts say "first").
    data = copy.deepcopy(ONE_SHOW)
    data["facts"].append(
        {"key": "aired", "entity": "show", "kind": "when", "status": "confirmed",
         "source": "wiki", "text": "Walford Tales first aired in 1985."}
    )  # fmt: skip
    for engine in imported(tmp_path / "first.db", data):
        assert first_text(engine, "who first played phil mitchell") == (
            "Steve Miller has played Phil Mitchell since 1990."
        )


GLUE = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "kb", "title": "A film database"}],
    "entities": [
        {"key": "just", "name": "Just Go with It", "kind": "show"},
        {"key": "cowboys", "name": "Leningrad Cowboys Go America", "kind": "show"},
    ],
    "facts": [
        {"key": "just", "entity": "just", "kind": "what", "status": "confirmed",
         "source": "kb", "text": "Just Go with It is tagged \"adam sandler\"."},
        {"key": "cowboys", "entity": "cowboys", "kind": "what", "status": "confirmed",
         "source": "kb", "text": "Leningrad Cowboys Go America is tagged \"road movie\"."},
    ],
}  # fmt: skip


def test_a_title_of_glue_words_typed_whole_names_it(tmp_path: Path) -> None:
    # "just go with it": every word is one a name leaves out or a function word, but
    # typed whole it is the film's title.
    for engine in imported(tmp_path / "glue.db", GLUE):
        assert first_text(engine, "which topics is movie just go with it about") == (
            'Just Go with It is tagged "adam sandler".'
        )


def test_an_inflected_everyday_word_is_not_a_name(tmp_path: Path) -> None:
    # "credits" is two pieces to the model, as names are, but it is "credit" inflected: an
    # everyday word no fact holds, how the question is put, not someone the store doesn't
    # know. A surname made of a first name ("roberts") stays a name.
    assert maybe_names("ryan fleck writing credits".split())[-1] is False
    assert maybe_names("what has julia roberts been in".split())[3] is True
    for engine in imported(tmp_path / "credits.db", FLECK):
        assert first_text(engine, "ryan fleck film credits") == (
            "Half Nelson was directed by Ryan Fleck."
        )


NEAR = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "wiki", "title": "A fan wiki"}],
    "entities": [
        {"key": "walt", "name": "Walter White", "kind": "character"},
        {"key": "cousins", "name": "The Cousins", "kind": "character"},
        {"key": "jane", "name": "Jane Margolis", "kind": "character"},
        {"key": "todd", "name": "Todd Alquist", "kind": "character"},
        {"key": "cranston", "name": "Bryan Cranston", "kind": "person"},
    ],
    "aliases": [{"key": "walt-alias", "entity": "walt", "name": "Walt"}],
    "facts": [
        {"key": "cousins", "entity": "cousins", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "The Cousins, played by Daniel and Luis Moncada, come north"
         " in season 3 to kill Walt for Tuco's death."},
        {"key": "jane", "entity": "jane", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Jane Margolis, played by Krysten Ritter, relapses with"
         " Jesse, and Walt watches her die."},
        {"key": "todd", "entity": "todd", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Todd Alquist, played by Jesse Plemons, joins Walt's crew."},
        {"key": "cranston", "entity": "cranston", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Bryan Cranston plays Walter White."},
    ],
}  # fmt: skip


def test_of_facts_saying_as_much_the_one_saying_it_next_to_the_name_first(
    tmp_path: Path,
) -> None:
    # All four facts name Walt and say "played"; only one says who plays him, next to
    # his name. (Imported last, it would come fourth by age, and three are shown.)
    for engine in imported(tmp_path / "near.db", NEAR):
        assert first_text(engine, "who plays walter white") == "Bryan Cranston plays Walter White."
        assert first_text(engine, "who plays walt") == "Bryan Cranston plays Walter White."


DEBUT = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "wiki", "title": "A fan wiki"}],
    "entities": [
        {"key": "sae", "name": "Kang Sae-byeok", "kind": "character"},
        {"key": "jung", "name": "Jung Ho-yeon", "kind": "person"},
        {"key": "gihun", "name": "Seong Gi-hun", "kind": "character"},
    ],
    "facts": [
        {"key": "sae", "entity": "sae", "kind": "who", "status": "confirmed", "source": "wiki",
         "text": "Kang Sae-byeok is a pickpocket who defected from North Korea."},
        {"key": "jung", "entity": "jung", "kind": "who", "status": "confirmed", "source": "wiki",
         "text": "Jung Ho-yeon, a model, made her acting debut as Kang Sae-byeok."},
        {"key": "lee", "entity": "gihun", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Lee Jung-jae plays Gi-hun."},
    ],
}  # fmt: skip


def test_a_debut_as_someone_says_who_plays_them(tmp_path: Path) -> None:
    # "debut as X" is of the "play" group, as a phrase a fact says.
    for engine in imported(tmp_path / "debut.db", DEBUT):
        assert first_text(engine, "who plays kang sae byeok") == (
            "Jung Ho-yeon, a model, made her acting debut as Kang Sae-byeok."
        )


def test_a_surname_like_an_inflected_word_is_still_a_name(tmp_path: Path) -> None:
    # "mills", "harding" are inflections too: where a name goes (after "did", after a
    # first name) they are someone the store doesn't know, and Cranston's fact is not
    # about them.
    data = {
        "format": "showbot",
        "version": 1,
        "sources": [{"key": "wiki", "title": "A fan wiki"}],
        "entities": [
            {"key": "bb", "name": "Breaking Bad", "kind": "show"},
            {"key": "banks", "name": "Jonathan Banks", "kind": "person"},
            {"key": "mike", "name": "Mike Ehrmantraut", "kind": "character"},
        ],
        "facts": [
            {"key": "banks", "entity": "banks", "kind": "who", "status": "confirmed",
             "source": "wiki", "text": "Jonathan Banks plays Mike Ehrmantraut in Breaking Bad."},
        ],
    }  # fmt: skip
    for engine in imported(tmp_path / "mills.db", data):
        for question in ("who did mills play in breaking bad", "who did tonya harding play"):
            assert not engine.ask(question).answered, question


def test_the_surer_of_facts_saying_it_near_the_name_comes_first(tmp_path: Path) -> None:
    data = copy.deepcopy(NEAR)
    data["facts"] = [
        {"key": f"r{i}", "entity": "walt", "kind": "who", "status": "rumor", "source": "wiki",
         "text": f"Rumor: {who} will play Walter White in a prequel."}
        for i, who in enumerate(("Aaron Paul", "Bob Odenkirk", "Dean Norris"))
    ] + [
        {"key": "c", "entity": "walt", "kind": "who", "status": "confirmed", "source": "wiki",
         "text": "Walter White is played on screen by Bryan Cranston."}
    ]  # fmt: skip
    for engine in imported(tmp_path / "sure.db", data):
        assert first_text(engine, "who plays walter white") == (
            "Walter White is played on screen by Bryan Cranston."
        )


def test_how_far_a_fact_says_an_asked_word_from_a_name() -> None:
    from bot.answering.grounding import _apart

    assert _apart("Bryan Cranston plays Walter White.", ("walter white",), ("plai",)) == 1
    assert _apart("Grisha Yeager is Eren's father.", ("eren",), ("father",)) == 1  # possessive
    assert _apart("Walt meets Skyler.", ("walter white",), ("meet",)) == 8  # no name: far


TIED = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "kb", "title": "A film catalogue"}],
    "entities": [
        {"key": "top", "name": "Top Gun", "kind": "show"},
        {"key": "year", "name": "Year of the Gun", "kind": "show"},
    ],
    "facts": [
        {"key": "top", "entity": "top", "kind": "when", "status": "confirmed", "source": "kb",
         "text": "Top Gun was released in 1986.", "date": "1986"},
        {"key": "year", "entity": "year", "kind": "when", "status": "confirmed", "source": "kb",
         "text": "Year of the Gun was released in 1991.", "date": "1991"},
    ],
}  # fmt: skip


def test_of_two_names_tied_the_one_typed_whole_is_meant(tmp_path: Path) -> None:
    # "year of top gun" matches both titles as well; only Top Gun is typed whole. Its
    # name as typed is no typo, though the question says more around it.
    for engine in imported(tmp_path / "tied.db", TIED):
        answer = engine.ask("year of top gun")
        assert answer.answered and answer.facts[0].text == "Top Gun was released in 1986."
        assert answer.typo_of is None
        assert engine.ask("top gun, when was it released").typo_of is None


def test_a_number_typed_otherwise_names_another_subject(tmp_path: Path) -> None:
    data = copy.deepcopy(TIED)
    data["entities"].append({"key": "apollo", "name": "Apollo 13", "kind": "show"})
    for engine in imported(tmp_path / "apollo.db", data):
        assert engine.ask("!what apollo 13").entity.name == "Apollo 13"
        missed = engine.ask("!what apollo 11")
        assert missed.entity is None and not missed.answered
        assert engine.subjects.resolve("apollo 11").entity is None  # a moderator's too
