"""What the rest of a question asks of the subject it names: an amount ("how many",
"how old") is said only by a fact holding a number; what belongs to the subject ("amy's
dad") must be said, not the subject alone; a question that is only a name and a few
words ("is grant coming back") is answered by a fact naming it that says them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.answering.amounts import amount_asked, says_a_span, says_amount, says_the_amount
from bot.answering.grounding import asked_stems, ground, shape_of
from bot.engine import Engine
from bot.models import EntityKind, Fact, FuzzyDate, Intent, Kind, Status
from bot.store.synonyms import _merge, packaged
from tests.unit.test_understanding import first_text, imported

SQUARE = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "wiki", "title": "A fan wiki"}],
    "entities": [
        {"key": "show", "name": "Nine Precinct", "kind": "show"},
        {"key": "amy", "name": "Amy Santiago", "kind": "character"},
        {"key": "fumero", "name": "Melissa Fumero", "kind": "person"},
        {"key": "eren", "name": "Eren Yeager", "kind": "character"},
        {"key": "zeke", "name": "Zeke Yeager", "kind": "character"},
        {"key": "phil", "name": "Phil Mitchell", "kind": "character"},
        {"key": "grant", "name": "Grant Mitchell", "kind": "character"},
        {"key": "kemp", "name": "Ross Kemp", "kind": "person"},
        {"key": "holt", "name": "Raymond Holt", "kind": "character"},
        {"key": "daredevil", "name": "Daredevil", "kind": "show"},
        {"key": "frank", "name": "Frank Castle", "kind": "character"},
        {"key": "bernthal", "name": "Jon Bernthal", "kind": "person"},
    ],
    "aliases": [
        {"key": "a-amy", "entity": "amy", "name": "Amy"},
        {"key": "a-eren", "entity": "eren", "name": "Eren"},
        {"key": "a-phil", "entity": "phil", "name": "Phil"},
        {"key": "a-grant", "entity": "grant", "name": "Grant"},
        {"key": "a-punisher", "entity": "frank", "name": "Punisher"},
    ],
    "facts": [
        {"key": "fumero", "entity": "fumero", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Melissa Fumero plays Amy Santiago in Nine Precinct."},
        {"key": "amy", "entity": "amy", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Amy Santiago is a rule-loving detective."},
        {"key": "amy-program", "entity": "amy", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Amy Santiago joined a witness protection program."},
        {"key": "amy-bills", "entity": "amy", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "The precinct covered Amy Santiago's medical bills."},
        {"key": "eren", "entity": "eren", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Eren Yeager is the hero, a boy from Shiganshina."},
        {"key": "zeke", "entity": "zeke", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Zeke Yeager is Eren's older half-brother."},
        {"key": "phil", "entity": "phil", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Phil Mitchell is the hard man of the old square."},
        {"key": "holt", "entity": "holt", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Raymond Holt's dad was a preacher."},
        {"key": "sharongate", "entity": "grant", "kind": "what", "status": "confirmed",
         "source": "wiki",
         "text": "Sharongate: in 1994 Grant Mitchell found out that his wife Sharon had "
                 "been married in secret to Phil Mitchell."},
        {"key": "grant", "entity": "grant", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Grant Mitchell is Phil's hot-headed brother."},
        {"key": "kemp-back", "entity": "kemp", "kind": "what", "status": "rumor",
         "source": "wiki", "text": "Rumor: Ross Kemp is coming back as Grant Mitchell."},
        {"key": "episodes", "entity": "show", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Nine Precinct has 153 episodes over eight seasons."},
        {"key": "premiere", "entity": "show", "kind": "when", "status": "confirmed",
         "source": "wiki", "text": "Nine Precinct premiered on Fox.", "date": "2013-09-17"},
        {"key": "film", "entity": "show", "kind": "what", "status": "rumor",
         "source": "wiki", "text": "Rumor: a Nine Precinct reunion film is being planned."},
        {"key": "bernthal", "entity": "bernthal", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Jon Bernthal plays Frank Castle, the Punisher, in Daredevil."},
        {"key": "bernthal-award", "entity": "bernthal", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Jon Bernthal was praised for the series."},
        {"key": "spinoff", "entity": "frank", "kind": "what", "status": "rumor",
         "source": "wiki", "text": "Rumor: Netflix is developing a Punisher spin-off series."},
    ],
}  # fmt: skip


@pytest.fixture
def square(tmp_path: Path) -> Iterator[Engine]:
    yield from imported(tmp_path / "square.db", SQUARE)


def _fact(text: str, date: str | None = None) -> Fact:
    return Fact(
        id=1,
        entity_id=1,
        kind=Kind.WHAT,
        text=text,
        status=Status.CONFIRMED,
        spoiler=False,
        date=FuzzyDate.parse(date) if date else None,
        source=None,
        quote=None,
        guild_id=None,
        version=1,
    )


def test_an_amount_is_said_by_a_number_and_a_count_is_no_year() -> None:
    assert amount_asked("how many times has phil been married".split()) == "many"
    assert amount_asked("how old is eren".split()) == "old"
    assert amount_asked("how does erwin die".split()) is None
    assert says_amount(_fact("It has 153 episodes."), "many")
    assert says_amount(_fact("It ran for four seasons."), "many")
    assert not says_amount(_fact("In 1994 he found out."), "many")  # when, not how many
    assert says_amount(_fact("He has played Phil since 1990."), "long")
    assert says_amount(_fact("She was born in Leeds.", date="1950"), "old")
    assert not says_amount(_fact("Zeke is Eren's older half-brother."), "old")
    # A number naming which one, or inside a name, is no amount.
    assert not says_amount(_fact("Seven of Nine is Eren's older half-sister."), "old")
    assert not says_amount(_fact("Zeke is one of the Warriors."), "old")
    assert not says_amount(_fact("Brooklyn Nine-Nine is a long-running comedy."), "long")
    assert not says_amount(_fact("He is the pick for season 2's new villain."), "many")
    assert not says_amount(_fact("It premiered on 2013-09-17."), "many")
    # "how" inside a title asks no amount.
    assert amount_asked("who directed how old are you".split()) is None
    assert amount_asked("so how old is eren".split()) == "old"


def test_an_amount_asked_is_not_answered_without_a_number(square: Engine) -> None:
    answer = square.ask("how old is eren")
    assert not answer.answered and answer.partial  # "older half-brother" says no age
    assert not square.ask("how many times has phil been married").answered
    assert first_text(square, "how many episodes does nine precinct have") == (
        "Nine Precinct has 153 episodes over eight seasons."
    )


def test_what_belongs_to_a_subject_must_be_said(square: Engine) -> None:
    assert not square.ask("who plays amys dad").answered  # not Amy herself
    assert first_text(square, "who plays amy") == (
        "Melissa Fumero plays Amy Santiago in Nine Precinct."
    )
    # The noun comes last: "hospital bills" asks about bills.
    assert first_text(square, "who paid amys hospital bills") == (
        "The precinct covered Amy Santiago's medical bills."
    )
    # ...typed with the apostrophe as a space, or through an alias.
    assert not square.ask("who plays amy s dad").answered
    assert not square.ask("who plays punishers wife").answered
    assert not square.ask("who plays the punisher's wife").answered
    assert first_text(square, "who is erens brother") == "Zeke Yeager is Eren's older half-brother."


def test_a_fact_naming_a_subject_answers_what_its_own_facts_dont_say(square: Engine) -> None:
    # "what show is amy in": a show's fact naming Amy, not her own "protection program".
    assert first_text(square, "what show is amy in") == (
        "Melissa Fumero plays Amy Santiago in Nine Precinct."
    )
    answer = square.ask("is grant coming back")
    assert answer.answered
    assert [f.text for f in answer.facts][:1] == [
        "Rumor: Ross Kemp is coming back as Grant Mitchell."
    ]
    # ...while the name alone is still its own facts.
    assert square.ask("who is grant mitchell").facts[0].text == (
        "Grant Mitchell is Phil's hot-headed brother."
    )


def test_a_synonym_said_beats_a_kind_every_fact_holds(square: Engine) -> None:
    assert first_text(square, "is there gonna be a nine precinct movie") == (
        "Rumor: a Nine Precinct reunion film is being planned."
    )


def test_a_kind_asked_for_is_said_by_every_fact_of_one(square: Engine) -> None:
    """ "what shows is X in" asks for shows: a fact naming one answers, not a fact
    that merely says "series"; a show asked about ("a punisher show") is said by one."""
    answer = square.ask("what shows is jon bernthal in")
    assert answer.answered
    assert [f.text for f in answer.facts] == [
        "Jon Bernthal plays Frank Castle, the Punisher, in Daredevil."
    ]
    assert first_text(square, "is there going to be a punisher show") == (
        "Rumor: Netflix is developing a Punisher spin-off series."
    )


def test_a_kinds_synonyms_gather_no_candidates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "what films are about autism": every film's fact says "film"; its synonym
    "movie" must not gather candidates for the free path (in MetaQA, titles holding it
    outranked the facts tagged "autism" in BM25, which weighs a title's words double).
    A word that is no kind still gathers its synonyms."""
    titles = ["Scary Movie", "Scary Movie 2", "Slap Shot"]
    data = {
        "format": "showbot",
        "version": 1,
        "sources": [{"key": "kb", "title": "A film catalogue"}],
        "entities": [
            *({"key": f"m{i}", "name": t, "kind": "show"} for i, t in enumerate(titles)),
            {"key": "grandin", "name": "Temple Grandin", "kind": "show"},
        ],
        "facts": [
            *(
                {"key": f"f{i}", "entity": f"m{i}", "kind": "what", "status": "confirmed",
                 "source": "kb", "text": f"{t} is a film about a shooting."}
                for i, t in enumerate(titles)
            ),
            {"key": "tag", "entity": "grandin", "kind": "what", "status": "confirmed",
             "source": "kb", "text": 'Temple Grandin is tagged "autism".'},
        ],
    }  # fmt: skip
    engine = next(imported(tmp_path / "films.db", data))
    searched: list[list[str]] = []
    search = engine.store.docs.search

    def spy(terms: list[str], guild_id: int | None, limit: int) -> list[int]:
        searched.append(list(terms))
        return search(terms, guild_id, limit)

    monkeypatch.setattr(engine.store.docs, "search", spy)
    try:
        assert first_text(engine, "what films are about autism") == (
            'Temple Grandin is tagged "autism".'
        )
        assert searched and not {"movi", "movie", "shot", "shoot"} & set(searched[-1])
        searched.clear()
        engine.ask("which films are about a shooting")  # "shooting" is no kind
        assert searched and "shot" in {t for terms in searched for t in terms}
    finally:
        engine.close()


def test_a_light_verb_linking_a_thing_asked_for_asks_nothing() -> None:
    """ "what language does X use": the verb only links X to the language asked for;
    "what films did X make" still asks who made them (a film is a kind of subject)."""
    assert asked_stems("what language does black river use".split()) == [
        "languag",
        "black",
        "river",
    ]
    assert "made" not in asked_stems("what language was cat people made in".split())
    assert "make" in asked_stems("what films did ford make".split())
    assert "made" in asked_stems("who made jessica jones".split())


FILMS = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "kb", "title": "A film catalogue"}],
    "entities": [
        {"key": "beauty", "name": "Sleeping Beauty", "kind": "show"},
        {"key": "maleficent", "name": "Maleficent", "kind": "show"},
        {"key": "machine", "name": "The Time Machine", "kind": "show"},
        {"key": "beer", "name": "Beer Wars", "kind": "show"},
    ],
    "facts": [
        {"key": "beauty-tag", "entity": "beauty", "kind": "what", "status": "confirmed",
         "source": "kb", "text": 'Sleeping Beauty is tagged "animated".'},
        {"key": "maleficent-tag", "entity": "maleficent", "kind": "what",
         "status": "confirmed", "source": "kb",
         "text": 'Maleficent is tagged "sleeping beauty".'},
        {"key": "machine-genre", "entity": "machine", "kind": "what", "status": "confirmed",
         "source": "kb", "text": "The Time Machine is a Fantasy film."},
        {"key": "beer-genre", "entity": "beer", "kind": "what", "status": "confirmed",
         "source": "kb", "text": "Beer Wars is a Documentary film."},
        {"key": "beer-released", "entity": "beer", "kind": "when", "status": "confirmed",
         "source": "kb", "text": "Beer Wars was released in 2009.", "date": "2009"},
    ],
}  # fmt: skip


@pytest.fixture
def films(tmp_path: Path) -> Iterator[Engine]:
    yield from imported(tmp_path / "films.db", FILMS)


def test_the_kind_of_the_answer_is_another_subject_of_it(films: Engine) -> None:
    """ "what films are about sleeping beauty" asks for other films than Sleeping Beauty:
    its own facts don't answer, a film's fact naming it does; with none, no answer."""
    assert first_text(films, "what films are about sleeping beauty") == (
        'Maleficent is tagged "sleeping beauty".'
    )
    answer = films.ask("what movies are about time machine")
    assert not answer.answered  # "The Time Machine is a Fantasy film" is no other film
    # "what movie is X" asks what kind X is: X's own facts.
    assert first_text(films, "what movie is sleeping beauty") == (
        'Sleeping Beauty is tagged "animated".'
    )
    # A kind word before another asks for that other: a genre.
    assert first_text(films, "what film genre is beer wars") == "Beer Wars is a Documentary film."


CAST = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "wiki", "title": "A fan wiki"}],
    "entities": [
        {"key": "ryder", "name": "Winona Ryder", "kind": "person"},
        {"key": "joyce", "name": "Joyce Byers", "kind": "character"},
        {"key": "harbour", "name": "David Harbour", "kind": "person"},
    ],
    "facts": [
        {"key": "ryder-born", "entity": "ryder", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Winona Ryder was born in Winona, Minnesota, in 1971."},
        {"key": "ryder-joyce", "entity": "ryder", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Winona Ryder plays Joyce Byers."},
        {"key": "harbour-born", "entity": "harbour", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "David Harbour was born in White Plains, New York."},
    ],
}  # fmt: skip


def test_playing_a_character_says_which_show_someone_is_in(tmp_path: Path) -> None:
    """ "what shows is X in" asks for shows other than X (the trailing "in"), and a
    character is in a show: "X plays Joyce Byers" says it, X's birthplace doesn't."""
    for engine in imported(tmp_path / "cast.db", CAST):
        assert first_text(engine, "what shows is winona ryder in") == (
            "Winona Ryder plays Joyce Byers."
        )
        assert not engine.ask("what shows is david harbour in").answered


ONE_SHOW = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "wiki", "title": "A fan wiki"}],
    "entities": [
        {"key": "show", "name": "Walford Tales", "kind": "show"},
        {"key": "phil", "name": "Phil Mitchell", "kind": "character"},
        {"key": "steve", "name": "Steve Miller", "kind": "person"},
        {"key": "eleven", "name": "Eleven", "kind": "character"},
        {"key": "arches", "name": "The Arches", "kind": "thing"},
    ],
    "aliases": [{"key": "a-el", "entity": "eleven", "name": "El"}],
    "facts": [
        {"key": "show", "entity": "show", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Walford Tales is a soap opera set in east London."},
        {"key": "steve", "entity": "steve", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Steve Miller has played Phil Mitchell since 1990."},
        {"key": "phil", "entity": "phil", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Phil Mitchell is the hard man of Walford Tales."},
        {"key": "phil-army", "entity": "phil", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Phil Mitchell served two tours in the army."},
        {"key": "phil-portugal", "entity": "phil", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Phil Mitchell left for Portugal in 2006."},
        {"key": "phil-colleague", "entity": "phil", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Phil Mitchell's colleague Den is his partner at work."},
        {"key": "phil-sharon", "entity": "phil", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Phil Mitchell has been Sharon Watts's boyfriend since 2019."},
        {"key": "eleven", "entity": "eleven", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Millie Bobby Brown plays Eleven, a girl with powers."},
        {"key": "set", "entity": "show", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Walford Tales is filmed at Elstree Studios."},
        {"key": "eleven-name", "entity": "eleven", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Eleven was born Jane Ives; her name comes from a tattoo."},
        {"key": "eleven-waffles", "entity": "eleven", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "In Walford Tales, Eleven loves frozen waffles."},
        {"key": "arches", "entity": "arches", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "The Arches is a garage; it is filmed at Dagenham Yard."},
        {"key": "steve-award", "entity": "steve", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Steve Miller won the Soap award for best actor in 2003."},
        {"key": "steve-family", "entity": "steve", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Steve Miller, the son of a London cabbie, grew up in Essex."},
    ],
}  # fmt: skip


@pytest.fixture
def one_show(tmp_path: Path) -> Iterator[Engine]:
    yield from imported(tmp_path / "one.db", ONE_SHOW)


def test_how_long_is_said_by_a_number_and_the_one_show_sets_the_scene(one_show: Engine) -> None:
    since = "Steve Miller has played Phil Mitchell since 1990."
    # Every fact in a server holding one show is about that show's world: naming it asks
    # nothing the fact must say, and "since 1990" is how a fact says how long.
    assert first_text(one_show, "how long has steve miller been on walford tales") == since
    assert first_text(one_show, "how long has steve miller played phil") == since
    # A year is no age or height.
    assert not one_show.ask("how old is steve miller").answered
    assert not one_show.ask("how tall is steve miller").answered
    # Setting the scene is all it does: an actor's award is not the show's.
    assert not one_show.ask("what awards has walford tales won").answered
    # The show itself is still asked about when it is the subject.
    assert first_text(one_show, "what is walford tales") == (
        "Walford Tales is a soap opera set in east London."
    )


def test_relations_said_the_other_way_round(one_show: Engine) -> None:
    # Sharon's boyfriend is Phil's girlfriend...
    assert first_text(one_show, "who is phil mitchells girlfriend") == (
        "Phil Mitchell has been Sharon Watts's boyfriend since 2019."
    )
    assert not one_show.ask("who is phil mitchells wife").answered  # ...and no wife
    # "gf" is how fans type it, where no subject is called GF (bot/answering/shorthand.py).
    assert first_text(one_show, "who is phil mitchells gf") == (
        "Phil Mitchell has been Sharon Watts's boyfriend since 2019."
    )
    # A parent is said by "the son of".
    assert first_text(one_show, "who are steve millers parents") == (
        "Steve Miller, the son of a London cabbie, grew up in Essex."
    )
    # A partner at work is no girlfriend: the fact saying "boyfriend" answers alone.
    answer = one_show.ask("who is phil mitchells girlfriend")
    assert [f.text for f in answer.facts] == [
        "Phil Mitchell has been Sharon Watts's boyfriend since 2019."
    ]


def test_how_long_is_said_by_a_span_of_time_only(one_show: Engine) -> None:
    assert first_text(one_show, "how long has steve miller played phil") == (
        "Steve Miller has played Phil Mitchell since 1990."
    )
    # "two tours" or "in 2006" says how many or when, not how long.
    assert says_the_amount("He has played Phil since 1990.", "long")
    assert says_the_amount("He played Mick from 2013 to 2022.", "long")
    assert says_the_amount("He was in the army for two years.", "long")
    assert not says_the_amount("He served two tours in the army.", "long")
    assert not says_the_amount("He left for Portugal in 2006.", "long")
    assert says_the_amount("It has 153 episodes over eight seasons.", "many")
    assert not says_the_amount("In 1994 he found out.", "many")
    assert not says_the_amount("She was born in 1950.", "old")


def test_a_name_asked_for_brings_the_fact_saying_it_first(one_show: Engine) -> None:
    # "what" asks, but the fact saying her name is a "who" fact: it comes first, and
    # Eleven's other "who" facts are not added for it.
    answer = one_show.ask("whats eleven's real name")
    assert [f.text for f in answer.facts] == [
        "Eleven was born Jane Ives; her name comes from a tattoo.",
        "In Walford Tales, Eleven loves frozen waffles.",
    ]


def test_a_name_a_dictionary_holds_is_still_a_name_the_store_may_not_know(
    square: Engine,
) -> None:
    # "sherlock" and "batman" are in a dictionary, and are subjects this store doesn't
    # know: no other subject's fact answers for them.
    assert not square.ask("did sherlock join witness protection").answered
    assert not square.ask("did batman join witness protection").answered
    assert first_text(square, "did amy join witness protection") == (
        "Amy Santiago joined a witness protection program."
    )


def test_the_kind_of_the_answer_is_asked_though_a_name_word_leaves_it(
    one_show: Engine,
) -> None:
    # "films" after a name is how a name is asked about ("the X film"); after "what" it
    # asks for the kind of the answer: no "Showing Phil Mitchell for *films has...*".
    answer = one_show.ask("what films has phil mitchell been in")
    assert answer.typo_of is None
    assert [f.text for f in answer.facts] == ["Phil Mitchell is the hard man of Walford Tales."]


DUB = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "wiki", "title": "A fan wiki"}],
    "entities": [
        {"key": "show", "name": "Titan Wall", "kind": "show"},
        {"key": "other", "name": "Other Show", "kind": "show"},
        {"key": "levi", "name": "Levi Ackerman", "kind": "character"},
    ],
    "aliases": [{"key": "a-levi", "entity": "levi", "name": "Levi"}],
    "facts": [
        {"key": "dub", "entity": "levi", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Matthew Mercer voices Levi in the English dub."},
        {"key": "levi", "entity": "levi", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Levi Ackerman is the strongest soldier."},
    ],
}  # fmt: skip


def test_a_language_asked_is_as_particular_as_a_name(tmp_path: Path) -> None:
    # "latin" is an everyday word to the model's vocabulary, but a dub in it is not
    # the English one (vocabulary.proper).
    for engine in imported(tmp_path / "dub.db", DUB):
        assert first_text(engine, "who voices levi in the english dub") == (
            "Matthew Mercer voices Levi in the English dub."
        )
        assert not engine.ask("who voices levi in the latin dub").answered


MADE = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "wiki", "title": "A fan wiki"}],
    "entities": [{"key": "bb", "name": "Breaking Bad", "kind": "show"}],
    "facts": [
        {"key": "acclaim", "entity": "bb", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Breaking Bad is counted among the greatest dramas ever made."},
        {"key": "creator", "entity": "bb", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Vince Gilligan created Breaking Bad."},
    ],
}  # fmt: skip


def test_who_made_a_show_is_who_created_it(tmp_path: Path) -> None:
    # "ever made" describes the dramas, as "a trained assassin" does: it says nobody made
    # anything. "made" is of a group with "created".
    for engine in imported(tmp_path / "made.db", MADE):
        assert first_text(engine, "who made breaking bad") == "Vince Gilligan created Breaking Bad."


KENDALL = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "wiki", "title": "A fan wiki"}],
    "entities": [
        {"key": "succ", "name": "Succession", "kind": "show"},
        {"key": "ken", "name": "Kendall Roy", "kind": "character"},
        {"key": "logan", "name": "Logan Roy", "kind": "character"},
        {"key": "strong", "name": "Jeremy Strong", "kind": "person"},
        {"key": "k8", "name": "Krazy-8", "kind": "character"},
        {"key": "emilio", "name": "Emilio Koyama", "kind": "character"},
        {"key": "bring", "name": "Bring It On", "kind": "show"},
    ],
    "facts": [
        {"key": "strong", "entity": "strong", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Jeremy Strong plays Kendall Roy in Succession."},
        {"key": "oust", "entity": "ken", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "In season 1, Kendall Roy tries to oust Logan Roy as CEO."},
        {"key": "k8", "entity": "k8", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Krazy-8 is the first man Walt ever killed."},
        {"key": "emilio", "entity": "emilio", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Emilio Koyama and Krazy-8 planned to kill Walt."},
        {"key": "bring", "entity": "bring", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Bring It On is a Comedy film."},
    ],
}  # fmt: skip


def test_what_the_first_readings_of_these_rules_got_wrong(tmp_path: Path) -> None:
    for engine in imported(tmp_path / "kendall.db", KENDALL):
        # A character's fact naming another character names no show: only a person's
        # playing one does.
        assert first_text(engine, "what show is kendall roy from") == (
            "Jeremy Strong plays Kendall Roy in Succession."
        )
        # "ever" after "the first man" is the real verb's: only a superlative's "ever
        # made" describes.
        assert first_text(engine, "who killed krazy-8") == (
            "Krazy-8 is the first man Walt ever killed."
        )
        # A title's own last word ("on") relates it to nothing.
        assert first_text(engine, "what movie is bring it on") == "Bring It On is a Comedy film."


SPAN = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "wiki", "title": "A fan wiki"}],
    "entities": [{"key": "bcs", "name": "Better Call Saul", "kind": "show"}],
    "facts": [
        {"key": "cameos", "entity": "bcs", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Bryan Cranston came back in the final season of the show."},
        {"key": "ran", "entity": "bcs", "kind": "when", "status": "confirmed", "source": "wiki",
         "text": "Better Call Saul ran on AMC from 8 February 2015 to 15 August 2022."},
    ],
}  # fmt: skip


def test_a_span_of_time_says_when_something_ended(tmp_path: Path) -> None:
    assert says_a_span("Danny Dyer played Mick Carter from 2013 to 2022.")
    assert says_a_span("The classic series (1963-89) had seven Doctors.")
    assert not says_a_span("Season 5 aired in 2013.")
    for engine in imported(tmp_path / "span.db", SPAN):
        # "the final season" says an end, not when; the span says when.
        assert first_text(engine, "when did better call saul end") == (
            "Better Call Saul ran on AMC from 8 February 2015 to 15 August 2022."
        )


def test_actors_asked_first_are_said_by_who_acts() -> None:
    # "actors" opening the question is what kind of person is asked for, and what they
    # do: "stars in" says it more than "directed by", which names a person too.
    directed = replace(_fact("Running Scared was directed by Peter Hyams."), id=1)
    stars = replace(_fact("Judge Reinhold stars in Running Scared."), id=2)
    person = frozenset((EntityKind.SHOW, EntityKind.PERSON))
    scored = ground(
        ["actor"],
        [directed],
        [stars],
        Intent.WHO,
        _merge(packaged()),
        {1: person, 2: person},
        {"actor": 1.0},
        shape=shape_of("actors in running scared".split()),
    )
    assert [s.fact.id for s in scored] == [2]
