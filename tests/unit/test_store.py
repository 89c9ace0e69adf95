import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.errors import EditConflictError, SchemaTooNewError
from bot.models import Actor
from bot.store.core import Store

MOD = Actor(id=42, name="mod", guild_id=1)


def test_pragmas_for_crash_safety(store: Store) -> None:
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_every_write_is_in_the_change_log(empty_store: Store) -> None:
    st = empty_store
    with st.batch():
        eid = st.insert("entity", {"name": "X", "kind": "show"}, MOD, "entity.add")
    with st.batch():
        st.update("entity", eid, {"name": "Y"}, MOD, "entity.rename", expected_version=1)
    changes = st.rows("SELECT * FROM change ORDER BY id")
    assert [c["action"] for c in changes] == ["entity.add", "entity.rename"]
    assert changes[0]["before"] is None and json.loads(changes[0]["after"])["name"] == "X"
    assert json.loads(changes[1]["before"])["name"] == "X"
    assert json.loads(changes[1]["after"])["name"] == "Y"
    assert changes[1]["actor_id"] == 42 and changes[1]["guild_id"] == 1
    assert st.row("entity", eid)["version"] == 2


def test_version_check_refuses_a_stale_edit(empty_store: Store) -> None:
    st = empty_store
    eid = st.insert("entity", {"name": "X", "kind": "show"}, MOD, "entity.add")
    st.update("entity", eid, {"name": "Y"}, MOD, "entity.rename", expected_version=1)
    with pytest.raises(EditConflictError, match="changed meanwhile"):
        st.update("entity", eid, {"name": "Z"}, MOD, "entity.rename", expected_version=1)
    assert st.row("entity", eid)["name"] == "Y"


def test_a_failed_batch_leaves_nothing(empty_store: Store) -> None:
    st = empty_store
    with pytest.raises(sqlite3.IntegrityError), st.batch():
        st.insert("entity", {"name": "X", "kind": "show"}, MOD, "entity.add")
        st.insert(
            "fact",
            {"entity_id": 999, "kind": "who", "text": "t", "status": "confirmed"},
            MOD,
            "fact.add",
        )
    assert st.rows("SELECT * FROM entity") == []
    assert st.rows("SELECT * FROM change") == []


def test_batch_groups_changes(empty_store: Store) -> None:
    st = empty_store
    with st.batch():
        a = st.insert("entity", {"name": "A", "kind": "show"}, MOD, "x")
        st.insert("alias", {"entity_id": a, "name": "AA"}, MOD, "x")
    batches = {r["batch"] for r in st.rows("SELECT batch FROM change")}
    assert len(batches) == 1


def test_reopening_migrates_once(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    Store.open(path).close()
    st = Store.open(path)
    names = [r["name"] for r in st.rows("SELECT name FROM _sqlite_migrations")]
    assert names == [
        "m001_initial",
        "m002_command_sync",
        "m003_fact_search",
        "m004_synonyms",
        "m005_search_indexes",
        "m006_fts_rank",
        "m007_privacy",
        "m008_modlog",
        "m009_outcomes",
        "m010_follows",
        "m011_ids_never_reused",
        "m012_fact_mentions",
        "m013_mention_spans",
        "m014_phrasings",
        "m015_follow_server_names",
        "m016_mention_glue",
        "m017_mention_outermost",
        "m018_fact_doc_servers",
    ]
    st.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    st = Store.open(path)
    st.db.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
        ["showbot", "m999_future", "2030-01-01"],
    )
    st.db.conn.commit()
    st.close()
    with pytest.raises(SchemaTooNewError, match="m999_future"):
        Store.open(path)


def _make_unwritable(st: Store, how: str) -> None:
    if how == "read-only":
        st.db.execute("PRAGMA query_only = ON")
    else:  # a full disk: no page may be added
        pages = st.db.execute("PRAGMA page_count").fetchone()[0]
        st.db.execute(f"PRAGMA max_page_count = {pages}")


@pytest.mark.parametrize("how", ["read-only", "full"])
def test_an_unwritable_disk_keeps_answers_and_loses_no_data(db_path: Path, how: str) -> None:
    from bot.engine import Engine
    from bot.moderation import Moderation

    engine = Engine.open(db_path)
    mod = Moderation(engine)
    before = engine.store.max_change_id()
    _make_unwritable(engine.store, how)
    for _ in range(300):  # several flushes' worth
        assert engine.ask("!who nuke").answered
    engine.flush_log()  # refused, kept for later, no exception
    with pytest.raises(sqlite3.OperationalError):
        mod.add_fact(MOD, subject="nuke", kind="who", text="x" * 590, quote="y" * 590)
    assert engine.store.max_change_id() == before
    engine.store.db.execute("PRAGMA query_only = OFF")
    engine.store.db.execute("PRAGMA max_page_count = 1073741823")
    engine.flush_log()
    logged = engine.store.rows("SELECT count(*) AS n FROM question")[0]["n"]
    assert logged == 300  # nothing was dropped while the disk refused
    engine.close()


def test_a_servers_log_channel_is_its_own(empty_store: Store) -> None:
    st = empty_store
    assert st.modlog_channel(1) is None
    assert st.set_modlog_channel(1, 100) is None
    assert st.set_modlog_channel(2, 200) is None
    assert st.set_modlog_channel(1, 101) == 100
    assert (st.modlog_channel(1), st.modlog_channel(2)) == (101, 200)
    assert st.set_modlog_channel(1, None) == 101 and st.modlog_channel(1) is None
    assert st.forget_guild_settings(2) == 1 and st.modlog_channel(2) is None
    assert st.rows("SELECT * FROM change") == []  # a setting, not a curated change


def test_scopes_of_a_change_are_its_rows_servers(empty_store: Store) -> None:
    """The servers whose data an actor's changes touched (None: global), whatever server
    the actor acted from: where the change may be posted."""
    st = empty_store
    owner = Actor(id=7, name="owner", guild_id=1, owner=True)
    start = st.max_change_id()
    global_id = st.insert("entity", {"name": "G", "kind": "show"}, owner, "x")
    assert st.changes.scopes_since(start, owner.id, 1) == {None}
    start = st.max_change_id()
    st.insert("entity", {"name": "L", "kind": "show", "guild_id": 1}, MOD, "x")
    assert st.changes.scopes_since(start, MOD.id, 1) == {1}
    assert st.changes.scopes_since(start, owner.id, 1) == set()  # someone else's change
    assert st.changes.scopes_since(start, MOD.id, 2) == set()  # made from another server
    start = st.max_change_id()
    st.update("entity", global_id, {"name": "G2"}, owner, "x")
    assert st.changes.scopes_since(start, owner.id, 1) == {None}


def test_remembered_facts_follow_every_change(tmp_path: Path) -> None:
    """facts_for remembers its answers until the database changes: this connection's
    writes (committed, rolled back or raw SQL) and another connection's commits."""
    st = Store.open(tmp_path / "facts.db")
    other = Store.open(tmp_path / "facts.db")
    try:
        with st.batch():
            eid = st.insert("entity", {"name": "X", "kind": "show"}, MOD, "entity.add")
        assert st.facts_for(eid, 1) == []
        assert st.facts_for(eid, 1) == []  # remembered
        values = {"entity_id": eid, "kind": "who", "text": "One.", "status": "confirmed"}
        with st.batch():
            first = st.insert("fact", values, MOD, "fact.add")
        assert [f.text for f in st.facts_for(eid, 1)] == ["One."]
        with st.batch():
            st.update("fact", first, {"text": "Uno."}, MOD, "fact.edit", expected_version=1)
        assert [f.text for f in st.facts_for(eid, 1)] == ["Uno."]
        with pytest.raises(RuntimeError), st.batch():
            st.insert("fact", {**values, "text": "Rolled back."}, MOD, "fact.add")
            assert len(st.facts_for(eid, 1)) == 2  # inside the transaction: seen
            raise RuntimeError
        assert [f.text for f in st.facts_for(eid, 1)] == ["Uno."]
        with other.batch():  # another writer
            other.insert("fact", {**values, "text": "Two."}, MOD, "fact.add")
        assert [f.text for f in st.facts_for(eid, 1)] == ["Uno.", "Two."]
        assert [f.text for f in st.facts_for(eid, None)] == ["Uno.", "Two."]
        st.db.execute("UPDATE fact SET deleted_at = '2020-01-01' WHERE id = ?", [first])
        st.db.conn.commit()
        assert [f.text for f in st.facts_for(eid, 1)] == ["Two."]
    finally:
        other.close()
        st.close()


def test_the_question_log_skips_the_fsync_and_every_other_write_keeps_it(tmp_path: Path) -> None:
    from bot.store.questionlog import QuestionLog

    store = Store.open(tmp_path / "s.db")

    def level() -> int:
        return int(store.db.execute("PRAGMA synchronous").fetchone()[0])

    levels: list[int] = []
    unsynced = store.unsynced

    @contextmanager
    def spy() -> Iterator[None]:
        with unsynced():
            levels.append(level())
            yield

    store.unsynced = spy  # type: ignore[method-assign]
    row = ("2024-01-01T00:00:00", None, "who is it", "who", "it", None, 0.0, 0, 1.0, None)
    QuestionLog(store).append([row])
    assert levels == [1]  # NORMAL while the log's rows are written...
    assert level() == 2  # ...and FULL again for everything else
    assert store.db.execute("SELECT count(*) FROM question").fetchone()[0] == 1
    with store.atomic():  # inside another transaction: that one's setting stands
        QuestionLog(store).append([row])
    assert levels == [1, 2] and level() == 2
    store.close()
