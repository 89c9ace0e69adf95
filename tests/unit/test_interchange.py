import json
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.errors import ImportValidationError
from bot.models import SYSTEM, Actor
from bot.moderation import Moderation
from bot.store.core import Store
from bot.store.interchange import export_data, import_data
from bot.store.seeds import apply_seeds, seeds_dir


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


# -- a server's overrides of global facts travel ------------------------------------------------

GUILD, OTHER = 1111, 2222
MOD = Actor(id=7, name="mod", guild_id=GUILD)
EDITED = "Production of season 2 starts in early 2017 (this server's version)."


def global_fact(st: Store, key: str) -> dict:
    row = st.find_key("fact", key, None)
    assert row is not None
    return row


def curate(engine: Engine) -> None:
    """What a server's moderators do: edit a global fact, hide one, hide and show one again,
    and add their own fact about a new subject."""
    mod = Moderation(engine)
    st = engine.store
    mod.edit_fact(MOD, global_fact(st, "jj-s2-production-2017")["id"], text=EDITED, date="2017-01")
    mod.remove_fact(MOD, global_fact(st, "killgrave-gone")["id"])
    hellcat = global_fact(st, "trish-hellcat")["id"]
    mod.remove_fact(MOD, hellcat)
    mod.restore_fact(MOD, hellcat)
    mod.add_fact(MOD, subject="Jeri Hogarth", kind="who", text="A ruthless lawyer.")


def by_key(data: dict) -> dict[str, dict]:
    return {f.get("overrides", f["key"]): f for f in data["facts"]}


def shown_ids(engine: Engine, question: str, guild_id: int) -> list[int]:
    return [f.id for f in engine.ask(question, guild_id=guild_id).facts]


def test_a_server_export_carries_its_overrides_and_hide_markers(engine: Engine) -> None:
    curate(engine)
    data = export_data(engine.store, GUILD)
    facts = by_key(data)
    edited = facts["jj-s2-production-2017"]
    assert (edited["text"], edited["date"], edited["entity"]) == (
        EDITED,
        "2017-01",
        "season-jessica-jones-2",
    )
    assert "hides" not in edited and "deleted" not in edited
    assert facts["killgrave-gone"]["hides"] is True and "deleted" not in facts["killgrave-gone"]
    assert facts["trish-hellcat"]["hides"] is True and facts["trish-hellcat"]["deleted"] is True
    own = next(f for f in data["facts"] if f["text"] == "A ruthless lawyer.")
    assert "overrides" not in own and "hides" not in own
    assert len(data["facts"]) == 4
    # The global export is unchanged: no global fact overrides anything.
    assert all(
        "overrides" not in f and "hides" not in f for f in export_data(engine.store)["facts"]
    )


def test_server_round_trip_into_an_empty_database_is_exact(engine: Engine, tmp_path: Path) -> None:
    curate(engine)
    exported = export_data(engine.store, GUILD)
    fresh = Engine.open(tmp_path / "fresh.db")  # empty but for the seeded global facts
    try:
        assert fresh.store.rows("SELECT * FROM fact WHERE guild_id IS NOT NULL") == []
        before = fresh.store.max_change_id()
        report = import_data(fresh.store, exported, MOD)
        assert report.counts["facts"]["added"] == 4 and report.counts["entities"]["added"] == 1
        assert export_data(fresh.store, GUILD) == exported
        # Every row went in through the change log.
        logged = fresh.store.rows("SELECT * FROM change WHERE id > ?", [before])
        assert {c["action"] for c in logged} == {"import"} and len(logged) == report.changed
        # The links point at the fresh database's own global facts.
        for key, hides in (("jj-s2-production-2017", 0), ("killgrave-gone", 1)):
            (row,) = fresh.store.rows(
                "SELECT * FROM fact WHERE guild_id = ? AND overrides = ?",
                [GUILD, global_fact(fresh.store, key)["id"]],
            )
            assert row["hides"] == hides and row["deleted_at"] is None

        # The server sees its version; every other server sees the global facts.
        production = global_fact(fresh.store, "jj-s2-production-2017")
        here = fresh.ask("!when jessica jones s2", guild_id=GUILD)
        assert EDITED in [f.text for f in here.facts]
        assert production["id"] not in [f.id for f in here.facts]
        there = fresh.ask("!when jessica jones s2", guild_id=OTHER)
        assert production["id"] in [f.id for f in there.facts]
        assert EDITED not in [f.text for f in there.facts]
        gone = global_fact(fresh.store, "killgrave-gone")["id"]
        hellcat = global_fact(fresh.store, "trish-hellcat")["id"]
        assert gone not in shown_ids(fresh, "!who killgrave", GUILD)
        assert gone in shown_ids(fresh, "!who killgrave", OTHER)
        assert hellcat in shown_ids(fresh, "!who trish walker", GUILD)  # shown again
        jeri = fresh.ask("!who jeri hogarth", guild_id=GUILD)
        assert [f.text for f in jeri.facts] == ["A ruthless lawyer."]
        assert fresh.ask("!who jeri hogarth", guild_id=OTHER).facts == ()

        # Importing the same file again, there or where it came from, changes nothing.
        for target in (fresh.store, engine.store):
            mark = target.max_change_id()
            again = import_data(target, exported, MOD)
            assert again.changed == 0 and again.counts["facts"]["unchanged"] == 4
            assert target.max_change_id() == mark
    finally:
        fresh.close()


def test_import_changes_overrides_and_a_dry_run_says_so_honestly(engine: Engine) -> None:
    curate(engine)
    data = export_data(engine.store, GUILD)
    facts = by_key(data)
    facts["jj-s2-production-2017"]["text"] = "Edited again."
    facts["killgrave-gone"].pop("hides")  # no longer hidden: this server's version instead
    facts["killgrave-gone"]["text"] = "Gone, for this server."
    facts["trish-hellcat"].pop("deleted")  # hidden again
    data["facts"].append(
        {**facts["trish-hellcat"], "key": "hide-trish", "overrides": "trish-season-1"}
    )
    data["facts"][-1]["entity"] = "character-trish-walker"
    before = snapshot(engine.store)
    mark = engine.store.max_change_id()
    dry = import_data(engine.store, data, MOD, dry_run=True)
    assert (dry.counts["facts"]["updated"], dry.counts["facts"]["added"]) == (3, 1)
    assert dry.counts["facts"]["unchanged"] == 1 and "would" in dry.summary()
    assert snapshot(engine.store) == before and engine.store.max_change_id() == mark

    report = import_data(engine.store, data, MOD)
    assert report.counts == dry.counts and not report.dry_run
    assert export_data(engine.store, GUILD) == data
    gone = global_fact(engine.store, "killgrave-gone")["id"]
    killgrave = engine.ask("!who killgrave", guild_id=GUILD).facts
    assert "Gone, for this server." in [f.text for f in killgrave]
    assert gone not in [f.id for f in killgrave]
    trish = shown_ids(engine, "!who trish walker", GUILD)
    for key in ("trish-hellcat", "trish-season-1"):
        assert global_fact(engine.store, key)["id"] not in trish
        assert global_fact(engine.store, key)["id"] in shown_ids(engine, "!who trish walker", OTHER)


def test_a_file_without_the_new_fields_keeps_existing_links(engine: Engine) -> None:
    """Files written before overrides travelled have no ``overrides``: importing one
    updates the fact and leaves it this server's version of the global fact."""
    curate(engine)
    data = export_data(engine.store, GUILD)
    for fact in data["facts"]:
        fact.pop("overrides", None)
        fact.pop("hides", None)
    by_text = {f["text"]: f for f in data["facts"]}
    by_text[EDITED]["text"] = "An old file's wording."
    report = import_data(engine.store, data, MOD)
    assert report.counts["facts"]["updated"] == 1 and report.counts["facts"]["added"] == 0
    production = global_fact(engine.store, "jj-s2-production-2017")
    (row,) = engine.store.rows("SELECT * FROM fact WHERE overrides = ?", [production["id"]])
    assert row["text"] == "An old file's wording." and row["guild_id"] == GUILD
    here = engine.ask("!when jessica jones s2", guild_id=GUILD).facts
    assert production["id"] not in [f.id for f in here]

    # An explicit null unlinks it: the server sees the global fact next to its own.
    by_text[EDITED]["overrides"] = None  # the record now says "An old file's wording."
    assert import_data(engine.store, data, MOD).counts["facts"]["updated"] == 1
    assert engine.store.row("fact", row["id"])["overrides"] is None
    here = engine.ask("!when jessica jones s2", guild_id=GUILD).facts
    assert {production["id"], row["id"]} <= {f.id for f in here}


def test_override_problems_are_reported_by_position_and_field(engine: Engine) -> None:
    curate(engine)
    st = engine.store

    def fact(key: str, **fields: object) -> dict:
        base = {"key": key, "entity": "character-nuke", "kind": "who", "text": "x"}
        return {**base, "status": "confirmed", **fields}

    # Another server's own fact, with a key: not a global fact.
    theirs = {"format": "showbot", "version": 1, "facts": [fact("their-fact")]}
    import_data(st, theirs, Actor(id=8, name="other", guild_id=OTHER))
    assert st.find_key("fact", "their-fact", OTHER) is not None

    data = export_data(st, GUILD)
    n = len(data["facts"])
    data["facts"] += [
        fact("a", overrides="no-such-fact"),
        fact("b", overrides="their-fact"),
        fact("c", overrides="nuke-who"),
        fact("d", overrides="nuke-who", hides=True),
        fact("e", hides=True),
        fact("f", overrides="simpson-who"),  # about Simpson, not Nuke
        fact("g", overrides="jj-s2-confirmed-january", entity="season-jessica-jones-2"),
        fact("h", overrides="jj-s2-production-2017", entity="season-jessica-jones-2"),
        fact("i", overrides=12),
        fact("j", overrides="nuke-simpson-prediction", hides="perhaps"),
    ]
    before, mark = snapshot(st), st.max_change_id()
    with pytest.raises(ImportValidationError) as info:
        import_data(st, data, MOD)
    problems = info.value.problems
    assert f"facts[{n}].overrides: no global fact with key 'no-such-fact'" in problems
    assert f"facts[{n + 1}].overrides: no global fact with key 'their-fact'" in problems
    assert (
        f"facts[{n + 3}].overrides: facts[{n + 2}] already overrides 'nuke-who'"
        " (one override per fact and server)"
    ) in problems
    assert f"facts[{n + 4}].hides: only an override hides a fact; give overrides too" in problems
    assert (
        f"facts[{n + 5}].entity: an override is about the subject of the fact it overrides"
        " ('character-will-simpson')"
    ) in problems
    # The server already has its version of jj-s2-production-2017 (the exported record).
    production = next(f for f in data["facts"] if f.get("overrides") == "jj-s2-production-2017")
    assert (
        f"facts[{n + 7}].overrides: facts[{data['facts'].index(production)}] already overrides"
        " 'jj-s2-production-2017' (one override per fact and server)"
    ) in problems
    assert f"facts[{n + 8}].overrides: must be the key of a record" in problems
    assert any(p.startswith(f"facts[{n + 9}].hides: say yes or no") for p in problems)
    assert not any(p.startswith(f"facts[{n + 6}]") for p in problems)  # that one is fine
    assert len(problems) == 8
    assert snapshot(st) == before and st.max_change_id() == mark

    # A new record for a global fact this server already overrides (not in the file).
    (row,) = st.rows(
        "SELECT * FROM fact WHERE guild_id = ? AND hides = 0 AND overrides IS NOT NULL", [GUILD]
    )
    lone = {
        "format": "showbot",
        "version": 1,
        "facts": [fact("k", overrides="jj-s2-production-2017", entity="season-jessica-jones-2")],
    }
    with pytest.raises(ImportValidationError) as info:
        import_data(st, lone, MOD, dry_run=True)
    assert info.value.problems == [
        "facts[0].overrides: this server already overrides 'jj-s2-production-2017'"
        f" with fact #{row['id']} ('fact-{row['id']}'; one override per fact and server)"
    ]
    # Global facts override nothing.
    with pytest.raises(ImportValidationError) as info:
        import_data(st, {**lone, "facts": [fact("k", overrides="nuke-who")]}, SYSTEM)
    assert info.value.problems == [
        "facts[0].overrides: only a server's facts override global ones (import into a server)"
    ]
    assert snapshot(st) == before and st.max_change_id() == mark


def test_outcomes_travel_with_their_facts(engine: Engine, empty_store: Store) -> None:
    mod = Moderation(engine)
    owner = Actor(id=1, name="owner", guild_id=None, owner=True)
    added = mod.add_fact(
        owner,
        subject="Trish Walker",
        kind="what",
        text="Trish becomes Hellcat.",
        status="prediction",
    )
    mod.resolve_fact(owner, added.fact_id, "came true", note="In season 3.", unspoil="yes")
    exported = export_data(engine.store)
    [record] = [f for f in exported["facts"] if f["text"] == "Trish becomes Hellcat."]
    assert (record["outcome"], record["outcome_note"], record["unspoiled"]) == (
        "came true",
        "In season 3.",
        True,
    )
    assert all("outcome" not in f for f in exported["facts"] if f is not record)  # only grows
    import_data(empty_store, exported, SYSTEM)
    row = empty_store.find_key("fact", record["key"], None)
    assert (row["outcome"], row["outcome_note"], row["unspoiled"]) == (
        "came true",
        "In season 3.",
        1,
    )
    assert row["outcome_at"] is not None
    assert export_data(empty_store) == exported
    # A file from before outcomes leaves them alone; a bad outcome is refused, whole.
    older = json.loads(json.dumps(exported))
    for f in older["facts"]:
        for k in ("outcome", "outcome_note", "unspoiled"):
            f.pop(k, None)
    assert import_data(empty_store, older, SYSTEM).changed == 0
    record["outcome"] = "maybe"
    with pytest.raises(ImportValidationError, match="outcome"):
        import_data(empty_store, exported, SYSTEM)
    assert empty_store.find_key("fact", record["key"], None)["outcome"] == "came true"
