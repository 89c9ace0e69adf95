import json
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.errors import ImportValidationError
from bot.interchange import export_data, import_data
from bot.models import SYSTEM
from bot.seeds import apply_seeds, seeds_dir
from bot.store import Store


def snapshot(st: Store) -> list[tuple]:
    return [tuple(r.values()) for r in st.rows("SELECT * FROM fact ORDER BY id")]


def test_export_then_import_into_an_empty_database_round_trips(
    engine: Engine, empty_store: Store
) -> None:
    exported = export_data(engine.store)
    report = import_data(empty_store, exported, SYSTEM)
    assert report.counts["facts"]["added"] == len(exported["facts"]) > 20
    assert export_data(empty_store) == exported


def test_reimport_changes_nothing(engine: Engine) -> None:
    exported = export_data(engine.store)
    before = engine.store.max_change_id()
    report = import_data(engine.store, exported, SYSTEM)
    assert report.changed == 0
    assert engine.store.max_change_id() == before


def test_dry_run_reports_and_changes_nothing(engine: Engine) -> None:
    data = export_data(engine.store)
    data["facts"][0]["text"] = "Changed text."
    data["facts"].append({**data["facts"][1], "key": "new-fact"})
    before = snapshot(engine.store)
    report = import_data(engine.store, data, SYSTEM, dry_run=True)
    assert report.counts["facts"]["updated"] == 1 and report.counts["facts"]["added"] == 1
    assert "would" in report.summary()
    assert snapshot(engine.store) == before
    import_data(engine.store, data, SYSTEM)
    assert engine.store.find_key("fact", data["facts"][0]["key"], None)["text"] == "Changed text."


def test_bad_records_are_all_reported_by_position_and_field(engine: Engine) -> None:
    data = export_data(engine.store)
    data["facts"][2]["status"] = "maybe"
    data["facts"][5]["date"] = "2016-13"
    data["facts"][6]["entity"] = "no-such-entity"
    data["entities"][0]["kind"] = "planet"
    data["aliases"].append({"key": "k", "entity": "show-jessica-jones"})
    before = snapshot(engine.store)
    with pytest.raises(ImportValidationError) as info:
        import_data(engine.store, data, SYSTEM)
    problems = info.value.problems
    assert (
        "facts[2].status: 'maybe' is not one of confirmed, reported, rumor, prediction" in problems
    )
    assert any(p.startswith("facts[5].date: month 13") for p in problems)
    assert "facts[6].entity: no entity with key 'no-such-entity'" in problems
    assert any(p.startswith("entities[0].kind") for p in problems)
    assert any(p.startswith(f"aliases[{len(data['aliases']) - 1}].name") for p in problems)
    assert snapshot(engine.store) == before


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"format": "other", "version": 1},
        {"format": "showbot", "version": 2},
        {"format": "showbot", "version": 1, "facts": "nope"},
        {"format": "showbot", "version": 1, "facts": [{"key": "x" * 300}]},
        {"format": "showbot", "version": 1, "bogus": []},
    ],
)
def test_malformed_files_are_refused(empty_store: Store, data: object) -> None:
    with pytest.raises(ImportValidationError):
        import_data(empty_store, data, SYSTEM)
    assert empty_store.rows("SELECT * FROM change") == []


def test_seeding_is_idempotent_and_respects_moderator_removal(db_path: Path) -> None:
    st = Store.open(db_path)
    first = apply_seeds(st)
    assert first > 30
    assert apply_seeds(st) == 0
    # A moderator removes a seeded fact; a newer seed version must not bring it back.
    fact = st.find_key("fact", "luke-cage-premiere", None)
    with st.batch():
        st.update("fact", fact["id"], {"deleted_at": "2026-01-01"}, SYSTEM, "fact.remove")
    st.db.execute("UPDATE seed_file SET version = 0")
    assert apply_seeds(st) == 0
    assert st.find_key("fact", "luke-cage-premiere", None)["deleted_at"] is not None
    assert len(st.rows("SELECT * FROM fact WHERE key = 'luke-cage-premiere'")) == 1
    st.close()


def test_every_seed_fact_cites_the_article_by_title() -> None:
    for path in seeds_dir().glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        titles = {s["key"]: s["title"] for s in data["sources"]}
        for fact in data["facts"]:
            assert fact["source"] in titles, fact["key"]
            assert fact["quote"], fact["key"]
