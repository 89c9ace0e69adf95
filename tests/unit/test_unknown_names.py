"""A first name the store has never seen, typed before a name ("who plays ben mitchell"),
is someone the store doesn't know: no other Mitchell's fact answers for Ben. Alone, or
after a name, a first name may be an everyday word ("will", "win")."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from bot.answering.typed import given_name, maybe_names
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
