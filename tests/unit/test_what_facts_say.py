"""What facts say in other words than fans ask it: a job by its name ("safety inspector",
but not inside a name: "Billy Butcher"), why a show is called so by its title; and a fact
about other seasons says nothing of the one asked (bot/data/categories.txt, synonyms.txt,
factscore.seasons_said)."""

from __future__ import annotations

import copy
from pathlib import Path

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
    assert seasons_said("it moved in 2017 from series 8 onwards".split()) is None  # open
    assert seasons_said("fans rewatched the series 3 times".split()) == set()
    assert seasons_said("season 4 2022".split()) == {4}


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


def test_a_job_inside_a_name_is_no_job(tmp_path: Path) -> None:
    data = copy.deepcopy(ONE_SHOW)
    data["entities"].append({"key": "billy", "name": "Billy Butcher", "kind": "character"})
    data["facts"].append(
        {"key": "billy", "entity": "billy", "kind": "who", "status": "confirmed",
         "source": "wiki", "text": "Billy Butcher recruits Phil Mitchell into the firm."}
    )  # fmt: skip
    for engine in imported(tmp_path / "butcher.db", data):
        answer = engine.ask("what is phil mitchells job")
        assert not answer.answered
        # A genre or language inside a title still says itself outside it.
        assert says_outside_names("The Dunwich Horror is a Horror film.", "genre")
        assert says_outside_names("Japanese Story is in Japanese.", "language")
        assert says_outside_names("It is a Science Fiction film.", "genre")
        assert not says_outside_names("Billy Butcher recruits Hughie.", "job")


def says_outside_names(text: str, head: str) -> bool:
    from bot.answering.grounding import _outside_names
    from bot.answering.vocabulary import categories
    from bot.language.text import stem

    kind = categories()[stem(head)]
    return bool(kind & _outside_names(text, kind))
