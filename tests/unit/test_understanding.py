"""Understanding what fans ask (issue 22): facts that name a subject answer reverse
questions, a known subject with nothing on what was asked gets an honest partial answer,
a typo of exactly one subject is answered and said so, and a namesake is picked by what
the rest of the question asks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.engine import Engine
from bot.models import SYSTEM
from bot.store.interchange import import_data

FILMS = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "kb", "title": "A film catalogue"}],
    "entities": [
        {"key": "gigi", "name": "Gigi", "kind": "show"},
        {"key": "avengers", "name": "The Avengers", "kind": "show"},
        {"key": "boot", "name": "Das Boot", "kind": "show"},
        {"key": "rigg", "name": "Diana Rigg", "kind": "person"},
        {"key": "minnelli", "name": "Vincente Minnelli", "kind": "person"},
        {"key": "petersen", "name": "Wolfgang Petersen", "kind": "person"},
    ],
    "aliases": [{"key": "a-rigg", "entity": "rigg", "name": "Rigg"}],
    "facts": [
        {"key": "f1", "entity": "gigi", "kind": "who", "status": "confirmed", "source": "kb",
         "text": "Gigi was directed by Vincente Minnelli."},
        {"key": "f2", "entity": "avengers", "kind": "who", "status": "confirmed", "source": "kb",
         "text": "Diana Rigg stars in The Avengers."},
        {"key": "f3", "entity": "boot", "kind": "who", "status": "confirmed", "source": "kb",
         "text": "Das Boot was directed by Wolfgang Petersen."},
        {"key": "f4", "entity": "boot", "kind": "when", "status": "confirmed", "source": "kb",
         "text": "Das Boot was released in 1981.", "date": "1981"},
        {"key": "f5", "entity": "boot", "kind": "what", "status": "confirmed", "source": "kb",
         "text": "Das Boot is in German."},
    ],
}  # fmt: skip


def imported(path: Path, data: dict[str, Any]) -> Iterator[Engine]:
    """A fresh unseeded store that imported ``data`` (a copy: the import takes it over)."""
    engine = Engine.open(path, seed=False)
    with engine.store.atomic():
        import_data(engine.store, json.loads(json.dumps(data)), SYSTEM)
    engine.sync(force=True)
    yield engine
    engine.close()


@pytest.fixture
def films(tmp_path: Path) -> Iterator[Engine]:
    yield from imported(tmp_path / "films.db", FILMS)


def first_text(engine: Engine, question: str) -> str | None:
    answer = engine.ask(question)
    return answer.facts[0].text if answer.answered else None


def test_reverse_questions_reach_the_facts_that_name_the_subject(films: Engine) -> None:
    assert first_text(films, "what movies did diana rigg act in") == (
        "Diana Rigg stars in The Avengers."
    )
    answer = films.ask("who is vincente minnelli")
    assert answer.answered and answer.via == "named"
    reply = films.reply(answer).content
    assert "**Vincente Minnelli** is named in 1 fact(s):" in reply
    assert "no facts about it yet" not in reply


def test_the_rest_of_the_question_picks_the_subjects_fact(films: Engine) -> None:
    assert first_text(films, "who is listed as director for das boot") == (
        "Das Boot was directed by Wolfgang Petersen."
    )
    assert first_text(films, "what is the language spoken in das boot") == "Das Boot is in German."
    assert first_text(films, "what year was das boot released") == "Das Boot was released in 1981."


def test_a_known_subject_without_an_answer_gets_what_is_known(films: Engine) -> None:
    answer = films.ask("how tall is diana rigg")
    assert not answer.answered and answer.partial
    assert answer.entity is not None and answer.entity.name == "Diana Rigg"
    reply = films.reply(answer).content
    assert reply.startswith("I don't know *how tall is diana rigg* from what I have on")
    assert "Diana Rigg stars in The Avengers." in reply


def test_a_word_inside_another_verb_is_not_an_answer(engine: Engine) -> None:
    """Seeded: "time and availability play into it" does not say who plays anyone."""
    answer = engine.ask("!ask who plays jessica jones")
    assert not answer.answered and answer.partial  # what is known, said as that


def test_of_facts_saying_as_much_the_surer_comes_first(engine: Engine) -> None:
    """Seeded: a prediction whose quote says "direction" (stemmed as "directed", a word of
    making) says "made" as much as the confirmed fact that she is the executive producer;
    the confirmed one comes first."""
    answer = engine.ask("!ask who made jessica jones")
    assert answer.answered
    assert answer.facts[0].text == "Melissa Rosenberg is the executive producer of Jessica Jones."


def test_a_typo_of_one_subject_is_answered_and_said(engine: Engine) -> None:
    for question, name in (("!when luke cgae", "Luke Cage"), ("!who hell cat", "Trish Walker")):
        answer = engine.ask(question)
        assert answer.answered and answer.entity is not None and answer.entity.name == name
        typed = question.split(" ", 1)[1]
        assert engine.reply(answer).content.startswith(f"Showing **{name}** for *{typed}*.")
    exact = engine.ask("!when luke cage")
    assert exact.typo_of is None and not engine.reply(exact).content.startswith("Showing")


def test_an_unknown_name_gets_no_fact_that_merely_mentions_it(engine: Engine) -> None:
    answer = engine.ask("!ask who is daredevil")
    assert not answer.answered and answer.entity is None


def test_a_namesake_is_picked_by_what_is_asked(engine: Engine) -> None:
    answer = engine.ask("!ask is jessica jones on netflix")
    assert answer.answered and answer.entity is not None
    assert answer.entity.kind.value == "show"
    assert "Netflix" in answer.facts[0].text


def test_a_made_up_name_beside_a_known_one_is_someone_else(films: Engine) -> None:
    """Zorvalquin Rigg is not Diana Rigg (though "Rigg" is her alias): a name-like word no
    fact holds means the question is about someone the store doesn't know."""
    answer = films.ask("what movies did zorvalquin rigg act in")
    assert not answer.answered and not answer.partial


def test_a_name_command_is_read_once_however_it_is_typed(engine: Engine) -> None:
    """`!who X`, `<@bot> who X` and `/who X` give a name; `!ask` and free text a question."""
    from bot.answering.questions import parse_question
    from bot.models import Intent

    for message, intent in (("!who frank simpson", None), ("<@123> who frank simpson", None),
                            ("frank simpson", Intent.WHO)):  # fmt: skip
        q = parse_question(message, "!", intent)
        assert q.name_command and q.typed == "frank simpson"
        assert engine.ask(message, intent=intent).entity is None  # Simpson is not asked
    assert not parse_question("!ask who plays killgrave").name_command
    assert parse_question("!ask who plays killgrave").typed == "who plays killgrave"


TITANS = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "wiki", "title": "A fan wiki"}],
    "entities": [
        {"key": "aot", "name": "Attack on Titan", "kind": "show"},
        {"key": "annie", "name": "Annie Leonhart", "kind": "character"},
        {"key": "hange", "name": "Hange Zoe", "kind": "character"},
        {"key": "june", "name": "June Brown", "kind": "person"},
        {"key": "dot", "name": "Dot Cotton", "kind": "character"},
        {"key": "walls", "name": "The Walls", "kind": "thing"},
    ],
    "aliases": [{"key": "a-hange", "entity": "hange", "name": "Hange"}],
    "facts": [
        {"key": "aot-what", "entity": "aot", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Attack on Titan is a Japanese anime about giant Titans."},
        {"key": "aot-episodes", "entity": "aot", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Attack on Titan has 89 episodes over four seasons."},
        {"key": "annie-who", "entity": "annie", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Annie Leonhart is a Marleyan warrior and the Female Titan."},
        {"key": "hange-wounded", "entity": "hange", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Hange is badly wounded in the battle for Shiganshina."},
        {"key": "hange-who", "entity": "hange", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Hange Zoe is a squad leader obsessed with Titans."},
        {"key": "hange-dies", "entity": "hange", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Hange dies in the final season, holding off the Titans."},
        {"key": "june-who", "entity": "june", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "June Brown played Dot Cotton from 1985 to 2020."},
        {"key": "walls-what", "entity": "walls", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "Humanity lives behind Wall Maria, Wall Rose and Wall Sheena."},
        {"key": "aot-opening", "entity": "aot", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "The first opening theme is 'Guren no Yumiya'."},
        {"key": "dot-gone", "entity": "dot", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "After June Brown's death in 2022, Dot died off screen."},
    ],
}  # fmt: skip


@pytest.fixture
def titans(tmp_path: Path) -> Iterator[Engine]:
    yield from imported(tmp_path / "titans.db", TITANS)


def test_a_fact_saying_who_a_title_is_answers_who_is_it(titans: Engine) -> None:
    """ "The Female Titan" is no subject, and "titan" alone is a word of a show's title,
    not its name: the fact that says who it is answers."""
    assert first_text(titans, "who is the female titan") == (
        "Annie Leonhart is a Marleyan warrior and the Female Titan."
    )
    # ...but a fact only using a name inside a phrase doesn't say who it is.
    assert first_text(titans, "who is the marleyan army") is None


def test_words_are_matched_by_synonym_and_meaning(titans: Engine) -> None:
    assert first_text(titans, "is hange dead") == (
        "Hange dies in the final season, holding off the Titans."
    )
    assert first_text(titans, "was hange injured") == (
        "Hange is badly wounded in the battle for Shiganshina."
    )


def test_a_noun_before_a_particle_is_still_the_word(titans: Engine) -> None:
    """ "89 episodes over four seasons": "over" makes no phrasal verb of a noun."""
    assert first_text(titans, "how many episodes does attack on titan have") == (
        "Attack on Titan has 89 episodes over four seasons."
    )


def test_a_possessive_names_its_subject(titans: Engine) -> None:
    answer = titans.ask("when did june brown die")
    assert answer.answered
    assert "After June Brown's death in 2022, Dot died off screen." in [
        f.text for f in answer.facts
    ]


def test_question_words_as_fans_type_them() -> None:
    from bot.answering.questions import parse_question
    from bot.models import Intent

    q = parse_question("wen is s3 out lol")
    assert q.intent is Intent.WHEN and q.words[0] == "when" and q.season == 3
    assert parse_question("wen is jj back").words == ("when", "is", "jj", "back")
    assert parse_question("who is wen").words == ("who", "is", "wen")  # a name, not leading


def test_what_is_asked_around_a_name_or_of_everyday_words(titans: Engine) -> None:
    """Only how it is asked around a known name is the name; "what's <everyday words>"
    is something to look for, not a name the store doesn't know."""
    assert first_text(titans, "what are the names of the walls") == (
        "Humanity lives behind Wall Maria, Wall Rose and Wall Sheena."
    )
    assert first_text(titans, "whats the first opening song") == (
        "The first opening theme is 'Guren no Yumiya'."
    )


def test_of_two_subjects_named_the_one_whose_facts_say_the_rest(engine: Engine) -> None:
    """ "who saved simpson from killgrave" names two subjects: the answer is the fact
    saying the rest of it, Simpson's, whichever name came first."""
    for question in ("who saved simpson from killgrave", "who saved killgrave's victim simpson"):
        answer = engine.ask(question)
        assert answer.answered, question
        assert engine.store.row("fact", answer.facts[0].id)["key"] == "simpson-who", question


def test_an_episode_is_read_with_its_season() -> None:
    from bot.answering.questions import parse_question

    for text in ("!when succession s2e3", "!when succession season 2 episode 3"):
        q = parse_question(text)
        assert (q.subject, q.season, q.episode) == ("succession", 2, 3), text
    assert parse_question("!when succession s2").episode is None
    assert parse_question("who is in episode 3").episode is None  # no season: no episode


TITLES = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "kb", "title": "A film catalogue"}],
    "entities": [
        {"key": "girl", "name": "Girl", "kind": "show"},
        {"key": "the-girl", "name": "The Girl", "kind": "show"},
        {"key": "bombs", "name": "Dr. Goldfoot and the Girl Bombs", "kind": "show"},
        {"key": "end", "name": "The End", "kind": "show"},
        {"key": "this-end", "name": "This Is the End", "kind": "show"},
        {"key": "dead", "name": "The Dead", "kind": "show"},
        {"key": "dawn", "name": "Dawn of the Dead", "kind": "show"},
    ],
    "aliases": [],
    "facts": [
        {"key": "f1", "entity": "girl", "kind": "who", "status": "confirmed", "source": "kb",
         "text": "Girl was directed by Lukas Dhont."},
        {"key": "f2", "entity": "the-girl", "kind": "who", "status": "confirmed", "source": "kb",
         "text": "The Girl was directed by Julian Jarrold."},
        {"key": "f3", "entity": "the-girl", "kind": "who", "status": "confirmed", "source": "kb",
         "text": "Sienna Miller stars in The Girl."},
        {"key": "f4", "entity": "bombs", "kind": "who", "status": "confirmed", "source": "kb",
         "text": "Dr. Goldfoot and the Girl Bombs was directed by Mario Bava."},
        {"key": "f5", "entity": "end", "kind": "who", "status": "confirmed", "source": "kb",
         "text": "Burt Reynolds stars in The End."},
        {"key": "f6", "entity": "this-end", "kind": "who", "status": "confirmed", "source": "kb",
         "text": "This Is the End was directed by Seth Rogen."},
        {"key": "f7", "entity": "dead", "kind": "who", "status": "confirmed", "source": "kb",
         "text": "The Dead was directed by John Huston."},
        {"key": "f8", "entity": "dawn", "kind": "who", "status": "confirmed", "source": "kb",
         "text": "Dawn of the Dead was directed by Zack Snyder."},
    ],
}  # fmt: skip


@pytest.fixture
def titles(tmp_path: Path) -> Iterator[Engine]:
    yield from imported(tmp_path / "titles.db", TITLES)


def test_a_title_of_everyday_words_is_read_whole(titles: Engine) -> None:
    """The title typed whole, glue words included, is the one asked about: "The Girl",
    not Girl; "This Is the End", not The End; "Dawn of the Dead", not The Dead."""
    assert first_text(titles, "who directed the film The Girl") == (
        "The Girl was directed by Julian Jarrold."
    )
    assert first_text(titles, "who directed the film Girl") == "Girl was directed by Lukas Dhont."
    assert first_text(titles, "who directed the film This Is the End") == (
        "This Is the End was directed by Seth Rogen."
    )
    assert first_text(titles, "the director of Dawn of the Dead was who") == (
        "Dawn of the Dead was directed by Zack Snyder."
    )
    # A name of one word besides its article is not named inside a longer title.
    ids = {e.name: e.id for e in titles.pipeline.entities.values()}
    naming = {f.text for f in titles.store.facts_naming(ids["The Girl"], None)}
    assert "Dr. Goldfoot and the Girl Bombs was directed by Mario Bava." not in naming


def test_a_word_asking_for_a_kind_does_not_answer_alone(titles: Engine) -> None:
    """ "which actors starred in X" asks who starred: X's director is a person too, but
    no answer to it; what is known about X is said as that."""
    answer = titles.ask("the film This Is the End starred which actors")
    assert not answer.answered and answer.partial
    assert (
        first_text(titles, "which actors starred in The Girl") == "Sienna Miller stars in The Girl."
    )


TAGS = {
    "format": "showbot",
    "version": 1,
    "sources": [{"key": "kb", "title": "A film catalogue"}],
    "entities": [
        {"key": "michael", "name": "Michael", "kind": "show"},
        {"key": "wish", "name": "Death Wish", "kind": "show"},
        {"key": "stoker", "name": "Stoker", "kind": "show"},
        {"key": "friday", "name": "Friday", "kind": "show"},
        {"key": "woods", "name": "Deep in the Woods", "kind": "show"},
        {"key": "impact", "name": "Deep Impact", "kind": "show"},
        {"key": "return", "name": "Return", "kind": "show"},
        {"key": "deposit", "name": "No Deposit, No Return", "kind": "show"},
        {"key": "yaar", "name": "Bey Yaar", "kind": "show"},
        {"key": "act", "name": "Sister Act", "kind": "show"},
    ],
    "aliases": [],
    "facts": [
        {"key": "f1", "entity": "michael", "kind": "what", "status": "confirmed", "source": "kb",
         "text": 'Michael is tagged "nora ephron".'},
        {"key": "f2", "entity": "wish", "kind": "what", "status": "confirmed", "source": "kb",
         "text": 'Death Wish is tagged "michael winner".'},
        {"key": "f3", "entity": "stoker", "kind": "what", "status": "confirmed", "source": "kb",
         "text": 'Stoker is tagged "nicole kidman".'},
        {"key": "f4", "entity": "friday", "kind": "what", "status": "confirmed", "source": "kb",
         "text": 'Friday is tagged "stoner".'},
        {"key": "f5", "entity": "woods", "kind": "what", "status": "confirmed", "source": "kb",
         "text": 'Deep in the Woods is tagged "slasher".'},
        {"key": "f6", "entity": "impact", "kind": "what", "status": "confirmed", "source": "kb",
         "text": 'Deep Impact is tagged "comet".'},
        {"key": "f7", "entity": "return", "kind": "who", "status": "confirmed", "source": "kb",
         "text": "Return was directed by Liza Johnson."},
        {"key": "f8", "entity": "deposit", "kind": "who", "status": "confirmed", "source": "kb",
         "text": "No Deposit, No Return was directed by Norman Tokar."},
        {"key": "f9", "entity": "yaar", "kind": "what", "status": "confirmed", "source": "kb",
         "text": "Bey Yaar is in Gujarati."},
        {"key": "f10", "entity": "yaar", "kind": "what", "status": "confirmed", "source": "kb",
         "text": "Bey Yaar is a Drama film."},
        {"key": "f11", "entity": "act", "kind": "who", "status": "confirmed", "source": "kb",
         "text": "Whoopi Goldberg stars in Sister Act."},
    ],
}  # fmt: skip


@pytest.fixture
def tags(tmp_path: Path) -> Iterator[Engine]:
    yield from imported(tmp_path / "tags.db", TAGS)


def test_a_name_inside_a_longer_name_the_facts_hold_is_not_its_subject(tags: Engine) -> None:
    """ "michael winner" is a name the facts hold: not the film Michael; "stoner" is a
    word the facts hold as typed: not a typo of the film Stoker; "words ... deep" is not
    Deep in the Woods (its words out of order, one of them a near-spelling)."""
    assert first_text(tags, "which films can be described by michael winner") == (
        'Death Wish is tagged "michael winner".'
    )
    # ...and "what films are about michael" asks for other films than Michael: none here,
    # so what is known about Michael, never Death Wish's fact.
    answer = tags.ask("what films are about michael")
    assert answer.partial and answer.entity is not None and answer.entity.name == "Michael"
    assert [f.text for f in answer.facts] == ['Michael is tagged "nora ephron".']
    assert first_text(tags, "what movies can be described with stoner") == (
        'Friday is tagged "stoner".'
    )
    assert first_text(tags, "what movies can be described with stoker") == (
        'Stoker is tagged "nicole kidman".'
    )
    assert first_text(tags, "what words describe deep impact") == 'Deep Impact is tagged "comet".'


def test_who_made_a_film_is_who_directed_it_and_when_is_its_release(films: Engine) -> None:
    """ "made" asks for the making (bot/data/categories.txt): who directed, created,
    wrote or produced it; when it was released. Its cast did not make it."""
    assert first_text(films, "who made das boot") == "Das Boot was directed by Wolfgang Petersen."
    assert first_text(films, "when was das boot made") == "Das Boot was released in 1981."
    assert first_text(films, "who made the avengers") is None


def test_a_filmography_is_the_films_and_themes_are_tags(films: Engine, tags: Engine) -> None:
    assert first_text(films, "filmography of diana rigg") == "Diana Rigg stars in The Avengers."
    assert first_text(tags, "deep impact themes") == 'Deep Impact is tagged "comet".'


def test_a_relation_alone_is_no_subject(tags: Engine) -> None:
    """ "They" is a film the store doesn't know: "acted" is no subject, and Sister Act's
    fact ("stars", "Act") is not the answer; a topic word alone is one."""
    assert first_text(tags, "who acted in the movie They") is None
    assert first_text(tags, "which words describe Her") is None
    assert first_text(tags, "what movies are about comet") == 'Deep Impact is tagged "comet".'
    # Asking for a suggestion asks nothing more.
    assert first_text(tags, "recommend a movie about comet") == 'Deep Impact is tagged "comet".'


def test_a_name_repeating_a_word_is_named_whole(tags: Engine) -> None:
    """ "No Deposit, No Return" holds "no" twice: the question names that film, not the
    film Return inside it."""
    assert first_text(tags, "who's the director of No Deposit, No Return") == (
        "No Deposit, No Return was directed by Norman Tokar."
    )


def test_a_language_or_genre_asked_is_said_by_its_name(tags: Engine) -> None:
    """Any language of the list answers "what language" (or what is spoken); a verb that
    only puts the film in the genre asked for asks nothing more."""
    for question in ("what language is bey yaar in", "what language do they speak in bey yaar"):
        assert first_text(tags, question) == "Bey Yaar is in Gujarati."
    assert first_text(tags, "what genre does bey yaar fall under") == "Bey Yaar is a Drama film."
    assert first_text(tags, "what shoe size does bey yaar fall under") is None


def test_a_season_the_facts_say_in_words_is_asked_of_them(tmp_path: Path) -> None:
    """Bake Off's series are no subjects of their own: a fact saying "won series 8"
    answers who won series 8; series 20, which no fact says, stays unknown."""
    from tests.questions.fans import open_show

    bake_off = open_show("great-british-bake-off", tmp_path / "bake.db")
    try:
        answer = bake_off.ask("who won series 8")
        assert answer.answered and "won series 8" in answer.facts[0].text
        assert not bake_off.ask("who won series 20").answered
    finally:
        bake_off.close()


def test_a_word_narrowing_a_kind_asks_nothing_of_its_own() -> None:
    """ "the main language", "her real name": the kind is asked; "main street" is not."""
    from bot.answering.grounding import asked_stems

    assert asked_stems(["what", "is", "the", "main", "language"]) == ["languag"]
    assert asked_stems(["krista", "real", "name"]) == ["krista"]
    assert asked_stems(["main", "street"]) == ["main", "street"]
    # "what type of film": as "what kind of film", the kind is asked.
    assert asked_stems(["what", "type", "of", "film", "is", "aliens"]) == ["film", "alien"]
    # "what does star baker mean" asks what it is.
    assert asked_stems(["what", "does", "star", "baker", "mean"]) == ["star", "baker"]


def test_a_job_asked_is_said_by_the_name_of_one(tmp_path: Path) -> None:
    """ "what is roman's job": "chief operating officer" says it (bot/data/categories.txt),
    as "a PE teacher" says what Matty does for a job; his age is said by nothing."""
    from tests.questions.fans import open_show

    succession = open_show("succession", tmp_path / "succession.db")
    try:
        answer = succession.ask("what is romans occupation")
        assert answer.answered and "chief operating officer" in answer.facts[0].text
        assert not succession.ask("what is romans shoe size").answered
    finally:
        succession.close()


def test_names_the_facts_hold_are_read_again_after_a_write(tags: Engine) -> None:
    docs = tags.store.docs
    assert docs.in_a_name("michael winner", None) and not docs.in_a_name("paul dano", None)
    assert not docs.holds(["series 8"], None)
    more = {
        "format": "showbot",
        "version": 1,
        "sources": [{"key": "kb3", "title": "More tags"}],
        "entities": [{"key": "blood", "name": "There Will Be Blood", "kind": "show"}],
        "facts": [{"key": "b1", "entity": "blood", "kind": "what", "status": "confirmed",
                   "source": "kb3",
                   "text": 'There Will Be Blood is tagged "paul dano", series 8.'}],
    }  # fmt: skip
    with tags.store.atomic():
        import_data(tags.store, more, SYSTEM)
    tags.sync(force=True)
    assert docs.in_a_name("paul dano", None) and docs.holds(["series 8"], None)


def _show(key: str, name: str, ended: str) -> dict[str, Any]:
    return {
        "format": "showbot",
        "version": 1,
        "sources": [{"key": "kb", "title": "A TV guide"}],
        "entities": [
            {"key": key, "name": name, "kind": "show"},
            {"key": f"{key}-cook", "name": f"{name} Cook", "kind": "person"},
        ],
        "aliases": [],
        "facts": [
            {"key": f"{key}-end", "entity": key, "kind": "when", "status": "confirmed",
             "source": "kb", "date": ended, "text": f"{name} ended in {ended}."},
            # Another subject's show: not the one the store holds.
            {"key": f"{key}-cook-end", "entity": f"{key}-cook", "kind": "when",
             "status": "confirmed", "source": "kb", "date": "2015",
             "text": "Her cooking show ended in 2015."},
        ],
    }  # fmt: skip


def test_the_show_is_the_one_show_the_store_holds(tmp_path: Path) -> None:
    """ "when did the show end" names no show; where the store holds one, it is that one.
    Once it holds two, the question names neither (any answer would be a guess)."""
    for engine in imported(tmp_path / "one.db", _show("n", "Northwind", "2019")):
        answer = engine.ask("when did the show end")
        assert answer.answered
        assert [f.text for f in answer.facts] == ["Northwind ended in 2019."]
        with engine.store.atomic():
            import_data(engine.store, _show("s", "Southwind", "2021"), SYSTEM)
        engine.sync(force=True)
        assert first_text(engine, "when did the show end") is None
        assert first_text(engine, "when did southwind end") == "Southwind ended in 2021."


def test_a_first_name_may_be_typed_as_its_nickname(tmp_path: Path) -> None:
    """ "mike schur" names Michael Schur (the nicknames package's list); a one-word name
    is not named by a nickname of it ("mike" is no film called Michael)."""
    data = {
        "format": "showbot",
        "version": 1,
        "sources": [{"key": "kb", "title": "A TV guide"}],
        "entities": [
            {"key": "schur", "name": "Michael Schur", "kind": "person"},
            {"key": "michael", "name": "Michael", "kind": "show"},
        ],
        "aliases": [],
        "facts": [
            {"key": "f1", "entity": "schur", "kind": "who", "status": "confirmed",
             "source": "kb", "text": "Michael Schur created The Good Place."},
            {"key": "f2", "entity": "michael", "kind": "who", "status": "confirmed",
             "source": "kb", "text": "Michael was directed by Nora Ephron."},
        ],
    }  # fmt: skip
    for engine in imported(tmp_path / "nick.db", data):
        created = "Michael Schur created The Good Place."
        assert first_text(engine, "what did mike schur create") == created
        assert first_text(engine, "what has mikey schur created") == created
        assert first_text(engine, "who directed mike") is None
