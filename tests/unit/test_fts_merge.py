"""After a bulk import the full-text index is merged into one segment (a word's lookup
reads one instead of a dozen), in the import's own transaction, and nothing anyone is
answered changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.engine import Engine
from bot.models import SYSTEM
from bot.store import factindex
from bot.store.core import Store
from bot.store.interchange import import_data

_TRADES = ["baker", "pilot", "sheriff", "janitor", "chauffeur", "inspector", "bouncer"]


def _data(n: int, start: int = 0) -> dict[str, Any]:
    entities = [
        {"key": f"person-{i}", "name": f"Person Number{i} Smith", "kind": "person"}
        for i in range(start, start + n)
    ]
    facts = [
        {
            "key": f"fact-{i}",
            "entity": f"person-{i}",
            "kind": "who",
            "text": f"Person Number{i} Smith works as a {_TRADES[i % 7]} in town {i % 9}.",
            "status": "confirmed",
        }
        for i in range(start, start + n)
    ]
    return {"format": "showbot", "version": 1, "entities": entities, "facts": facts}


def _segments(store: Store) -> int:
    # FTS5 numbers a segment's pages from its id shifted past 37 bits (fts5_index.c).
    found = store.db.execute(
        "SELECT count(DISTINCT id >> 37) FROM fact_doc_fts_data WHERE id >= (1 << 37)"
    ).fetchone()
    return int(found[0])


def _fresh(path: Path) -> Store:
    store = Store.open(path)
    for i in range(3):  # a few small imports: a segment each
        with store.atomic():
            import_data(store, _data(1, start=100 + i), SYSTEM)
    assert _segments(store) > 1
    return store


def test_a_bulk_import_is_merged_into_one_segment_a_small_one_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(factindex, "MERGE_AFTER", 30)
    store = _fresh(tmp_path / "a.db")
    with store.atomic():
        import_data(store, _data(20), SYSTEM)  # fewer documents than MERGE_AFTER
    assert _segments(store) > 1
    with store.atomic():
        import_data(store, _data(40, start=20), SYSTEM)
    assert _segments(store) == 1
    assert store.db.execute("SELECT count(*) FROM fact_doc").fetchone()[0] == 63
    store.close()


def test_a_rolled_back_import_leaves_the_index_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(factindex, "MERGE_AFTER", 30)
    store = _fresh(tmp_path / "a.db")
    before = store.db.execute("SELECT id, block FROM fact_doc_fts_data ORDER BY id").fetchall()

    def fail_at_commit() -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(store.mentions, "flush", fail_at_commit)  # after the merge
    with pytest.raises(RuntimeError), store.atomic():
        import_data(store, _data(40), SYSTEM)
    after = store.db.execute("SELECT id, block FROM fact_doc_fts_data ORDER BY id").fetchall()
    assert after == before
    store.db.execute("INSERT INTO fact_doc_fts (fact_doc_fts) VALUES ('integrity-check')")
    store.close()


def test_answers_and_ranks_are_the_same_merged_or_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engines = {}
    for merged in (True, False):
        monkeypatch.setattr(factindex, "MERGE_AFTER", 30 if merged else 10**9)
        store = _fresh(tmp_path / f"{merged}.db")
        with store.atomic():
            import_data(store, _data(60), SYSTEM)
        assert (_segments(store) == 1) is merged
        store.close()
        engines[merged] = Engine.open(tmp_path / f"{merged}.db", seed=False)
    words = [*_TRADES, "town", "smith", "person", "number7", "works", "3"]
    for word in words:
        one, many = (engines[m].store.docs._term_postings(f'"{word}"') for m in (True, False))
        assert all((a == b).all() for a, b in zip(one, many, strict=True)), word
    questions = [
        "who works as a pilot",
        "what does person number12 smith do",
        "who is a sheriff in town 4",
        "who is the janitor",
        "person numbr33 smith",
    ]
    for question in questions:
        merged, not_merged = (engines[m].ask(question) for m in (True, False))
        assert merged.facts == not_merged.facts and merged.via == not_merged.via, question
        assert engines[True].reply(merged) == engines[False].reply(not_merged)
    for engine in engines.values():
        engine.close()
