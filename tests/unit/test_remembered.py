"""What is remembered to answer faster gives what working it out afresh gives, and is
forgotten after every kind of change that could make it differ."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answering.lookup import AliasIndex
from bot.models import SYSTEM
from bot.store.core import Store
from bot.store.interchange import import_data
from bot.store.questionlog import QuestionLog

WORD = st.text(alphabet="abcdeor", min_size=3, max_size=9)


def _fresh_neighbours(index: AliasIndex, t: str, alone: bool) -> tuple[tuple[int, float], ...]:
    return index._find_neighbours(t, index._word(t), alone)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(st.lists(WORD, min_size=1, max_size=3), min_size=1, max_size=40),
    asked=st.lists(st.lists(WORD, min_size=1, max_size=4), min_size=1, max_size=6),
)
def test_remembered_neighbours_search_as_a_fresh_index_does(
    names: list[list[str]], asked: list[list[str]]
) -> None:
    rows = [(i, i, " ".join(n)) for i, n in enumerate(names)]
    warm = AliasIndex.build(rows)
    for query in asked:  # every query's words remembered, some twice
        warm.search(" ".join(query), limit=5)
    for query in asked:
        text = " ".join(query)
        cold = AliasIndex.build(rows)
        assert warm.search(text, limit=5) == cold.search(text, limit=5)
        for t in query:
            for alone in (False, True):
                assert warm._neighbours(t, warm._word(t), alone) == _fresh_neighbours(
                    cold, t, alone
                )


def test_neighbours_are_forgotten_when_aliases_are_added_or_removed() -> None:
    index = AliasIndex.build([(1, 1, "Jessica Jones"), (2, 2, "Luke Cage")])
    jessica = index._word("jessica")
    assert [w for w, _ in index._neighbours("jesica", None, True)] == [jessica]
    index.add(3, 3, "Jesicca Walker")  # a new word one edit from what is asked
    assert {index._words[w] for w, _ in index._neighbours("jesica", None, True)} == {
        "jessica",
        "jesicca",
    }
    assert index._neighbours("jesica", None, True) == _fresh_neighbours(index, "jesica", True)
    index.remove(1)  # no alias says "jessica" any more: it is nobody's neighbour
    assert {index._words[w] for w, _ in index._neighbours("jesica", None, True)} == {"jesicca"}
    rebuilt = AliasIndex.build([(2, 2, "Luke Cage"), (3, 3, "Jesicca Walker")])
    assert index.search("jesica walker", limit=3) == rebuilt.search("jesica walker", limit=3)


# ------------------------------------------------------------ facts by id


def _store_with_facts(path: Path) -> Store:
    store = Store.open(path)
    entities = [{"key": f"e{i}", "name": f"Subject {i}", "kind": "person"} for i in range(3)]
    facts = [
        {"key": f"f{i}", "entity": f"e{i % 3}", "kind": "who", "text": f"Fact {i} says so."}
        for i in range(1, 9)
    ]
    for fact in facts:
        fact["status"] = "confirmed"
    with store.atomic():
        data = {"format": "showbot", "version": 1, "entities": entities, "facts": facts}
        import_data(store, data, SYSTEM)
    return store


def _texts(store: Store, guild_id: int | None = None) -> list[str]:
    return [f.text for f in store.facts_by_ids(list(range(1, 12)), guild_id)]


def _reads(store: Store) -> list[str]:
    traced: list[str] = []
    store.db.conn.set_trace_callback(traced.append)
    try:
        _texts(store)
    finally:
        store.db.conn.set_trace_callback(None)
    return [sql for sql in traced if "FROM fact" in sql]


def test_facts_by_id_are_read_again_after_every_kind_of_write(tmp_path: Path) -> None:
    store = _store_with_facts(tmp_path / "s.db")
    first = _texts(store)
    assert len(first) == 8 and _reads(store) == []  # remembered
    # A fact edited...
    with store.atomic():
        store.update("fact", 2, {"text": "Fact 2 says otherwise."}, SYSTEM, "fact.edit")
    assert "Fact 2 says otherwise." in _texts(store)
    # ...a server's own version of a fact, seen by that server only...
    with store.atomic():
        store.insert(
            "fact",
            {"entity_id": 1, "kind": "who", "text": "Here fact 3 differs.", "status": "confirmed"}
            | {"overrides": 3, "guild_id": 7},
            SYSTEM,
            "fact.override",
        )
    assert "Here fact 3 differs." in _texts(store, 7) and "Fact 3 says so." not in _texts(store, 7)
    assert "Here fact 3 differs." not in _texts(store)
    # ...a fact removed...
    with store.atomic():
        store.update("fact", 4, {"deleted_at": "2024-01-01"}, SYSTEM, "fact.remove")
    assert "Fact 4 says so." not in _texts(store)
    # ...and another process's write (its commit moves this connection's data_version).
    other = Store.open(tmp_path / "s.db")
    with other.atomic():
        other.update("fact", 5, {"text": "Fact 5 was changed elsewhere."}, SYSTEM, "fact.edit")
    other.close()
    assert "Fact 5 was changed elsewhere." in _texts(store)
    # Inside a transaction nothing is remembered: a rollback would undo what was read.
    with pytest.raises(RuntimeError), store.atomic():
        store.update("fact", 6, {"text": "Fact 6, rolled back."}, SYSTEM, "fact.edit")
        assert "Fact 6, rolled back." in _texts(store)
        raise RuntimeError
    assert "Fact 6 says so." in _texts(store)
    store.close()


def test_the_question_log_written_keeps_the_facts_remembered(tmp_path: Path) -> None:
    store = _store_with_facts(tmp_path / "s.db")
    log = QuestionLog(store)
    row = ("2024-01-01T00:00:00", None, "who is it", "who", "it", None, 0.0, 0, 1.0, None)
    _texts(store)
    log.append([row, row])
    assert _reads(store) == []  # only question rows written: nothing read again
    with store.atomic():  # the log written with a fact edit: read again
        log.append([row])
        store.update("fact", 2, {"text": "Fact 2 says otherwise."}, SYSTEM, "fact.edit")
    assert _reads(store) and "Fact 2 says otherwise." in _texts(store)
    store.close()


def test_a_log_write_that_changed_more_than_its_rows_forgets_the_facts(tmp_path: Path) -> None:
    store = _store_with_facts(tmp_path / "s.db")
    with store.atomic():  # whatever else writing a question does now or one day does
        store.db.execute(
            "CREATE TRIGGER retell AFTER INSERT ON question"
            " BEGIN UPDATE fact SET text = 'Fact 3, retold.' WHERE id = 3; END"
        )
    _texts(store)
    row = ("2024-01-01T00:00:00", None, "who is it", "who", "it", None, 0.0, 0, 1.0, None)
    QuestionLog(store).append([row])
    assert "Fact 3, retold." in _texts(store)
    store.close()
