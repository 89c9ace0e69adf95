"""What facts say in other words than fans ask it: a job by its name ("safety inspector"),
money by a sum ("worth £75 million"), a favourite by what someone loves, a pet by its
breed, why a show is called so by its title, leaving by the end of a span ("from 2013 to
2022"); and a fact about other seasons says nothing of the one asked (bot/data/
categories.txt, synonyms.txt, bot/answering/amounts.py, factscore.seasons_said)."""

from __future__ import annotations

import copy
from pathlib import Path

from bot.answering.amounts import says_when_it_ended
from bot.answering.factscore import seasons_said
from tests.unit.test_understanding import first_text, imported
from tests.unit.test_what_is_asked import ONE_SHOW


def test_a_subjects_own_job_before_a_job_said_beside_its_name(tmp_path: Path) -> None:
    # The bartender's fact names Phil; his own fact says his job.
    data = copy.deepcopy(ONE_SHOW)
    data["facts"] += [
        {"key": "den", "entity": "show", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Den, the bartender at the Vic, serves Phil Mitchell."},
        {"key": "phil-job", "entity": "phil", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Phil Mitchell works nights as a safety inspector."},
    ]  # fmt: skip
    for engine in imported(tmp_path / "job.db", data):
        assert first_text(engine, "what is phil mitchells job") == (
            "Phil Mitchell works nights as a safety inspector."
        )


def test_money_asked_is_said_by_a_sum(tmp_path: Path) -> None:
    # "£" goes with the punctuation: "worth" says what was paid.
    data = copy.deepcopy(ONE_SHOW)
    data["entities"].append({"key": "bbc", "name": "BBC", "kind": "organisation"})
    data["facts"] += [
        {"key": "deal", "entity": "bbc", "kind": "what", "status": "reported",
         "source": "wiki",
         "text": "The BBC's deal for Walford Tales was reportedly worth £5 million a year."},
        {"key": "move", "entity": "bbc", "kind": "when", "status": "confirmed",
         "source": "wiki", "text": "Walford Tales moved from ITV to the BBC in 2017."},
        {"key": "boss", "entity": "bbc", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Jo Hart ran Walford Tales for the BBC from 2017 to 2020."},
    ]  # fmt: skip
    for engine in imported(tmp_path / "money.db", data):
        assert first_text(engine, "how much did bbc pay") == (
            "The BBC's deal for Walford Tales was reportedly worth £5 million a year."
        )


def test_leaving_is_said_by_the_end_of_a_span(tmp_path: Path) -> None:
    data = copy.deepcopy(ONE_SHOW)
    data["entities"].append({"key": "kemp", "name": "Ross Kemp", "kind": "person"})
    data["facts"].append(
        {"key": "kemp", "entity": "kemp", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Ross Kemp played Grant Mitchell from 1990 to 1999."}
    )  # fmt: skip
    for engine in imported(tmp_path / "left.db", data):
        assert first_text(engine, "when did ross kemp leave") == (
            "Ross Kemp played Grant Mitchell from 1990 to 1999."
        )
        # "since 1990" says he has not left.
        assert not engine.ask("when did steve miller leave").answered
    assert says_when_it_ended("She was a judge from 2010 to 2016.")
    assert says_when_it_ended("He ran the show until 2016.")
    assert not says_when_it_ended("He has played Phil since 1990.")


def test_a_favourite_is_said_by_what_someone_loves(tmp_path: Path) -> None:
    data = copy.deepcopy(ONE_SHOW)
    data["facts"].append(
        {"key": "film", "entity": "phil", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Phil Mitchell loves the film The Great Escape."}
    )  # fmt: skip
    for engine in imported(tmp_path / "fav.db", data):
        assert first_text(engine, "whats phil mitchells favourite movie") == (
            "Phil Mitchell loves the film The Great Escape."
        )


def test_a_fact_about_other_seasons_does_not_answer_for_one_asked(tmp_path: Path) -> None:
    data = copy.deepcopy(ONE_SHOW)
    data["entities"] += [
        {"key": "s4", "name": "Walford Tales season 4", "kind": "season", "show": "show",
         "season": 4},
        {"key": "studio", "name": "Elm Studio", "kind": "organisation"},
    ]  # fmt: skip
    data["facts"] += [
        {"key": "elm", "entity": "studio", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Elm Studio is the studio that made seasons 1 to 3."},
        {"key": "studios", "entity": "show", "kind": "who", "status": "confirmed",
         "source": "wiki",
         "text": "Elm Studio animated seasons 1-3; Oak Pictures animated season 4."},
    ]  # fmt: skip
    for engine in imported(tmp_path / "s4.db", data):
        assert first_text(engine, "which studio made season 4") == (
            "Elm Studio animated seasons 1-3; Oak Pictures animated season 4."
        )
    assert seasons_said("made seasons 1 to 3 of it".split()) == {1, 2, 3}
    assert seasons_said("seasons 2 and 3".split()) == {2, 3}
    assert seasons_said("series 8 winner".split()) == {8}
    assert seasons_said("the second series".split()) == set()


def test_a_pet_asked_is_said_by_its_breed(tmp_path: Path) -> None:
    data = copy.deepcopy(ONE_SHOW)
    data["entities"].append({"key": "roly", "name": "Roly", "kind": "character"})
    data["facts"].append(
        {"key": "roly", "entity": "roly", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Roly is Phil Mitchell's poodle."}
    )  # fmt: skip
    for engine in imported(tmp_path / "dog.db", data):
        assert first_text(engine, "whats phil mitchells dogs name") == (
            "Roly is Phil Mitchell's poodle."
        )


def test_why_a_show_is_called_so_is_said_by_its_title(tmp_path: Path) -> None:
    data = copy.deepcopy(ONE_SHOW)
    data["facts"].append(
        {"key": "title", "entity": "show", "kind": "what", "status": "confirmed",
         "source": "wiki", "text": "The title comes from an old nickname for the street."}
    )  # fmt: skip
    for engine in imported(tmp_path / "title.db", data):
        assert first_text(engine, "why is it called walford tales") == (
            "The title comes from an old nickname for the street."
        )
