"""Nothing acknowledged is lost, nothing leaks between servers (issue 20, items 1-4): a
refused COMMIT, global rows pointing at a server's rows, ids reused after a forget, and
what a forget leaves on disk. Each reproduces a defect the review of 9c58c47 found."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.answering import coldstart
from bot.engine import Engine
from bot.errors import PermissionDeniedError, WriteRefusedError
from bot.models import Actor
from bot.moderation import Moderation
from bot.privacy import Privacy
from bot.runtime.writer import Writer
from bot.store import migrations
from bot.store.core import Store

G1, G2 = 811111111111111111, 822222222222222222
MOD1 = Actor(id=701234567890123456, name="alice", guild_id=G1)
MOD2 = Actor(id=702234567890123456, name="bob", guild_id=G2)
OWNER_IN_G1 = Actor(id=709999999999999999, name="owner", guild_id=G1, owner=True)
OWNER = Actor(id=709999999999999999, name="owner", guild_id=None, owner=True)


def count(path: Path, sql: str, *params: object) -> int:
    """Read through a connection of its own: what another process would see."""
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(sql, params).fetchone()[0])
    finally:
        conn.close()


# -- 1. a refused COMMIT -------------------------------------------------------------------


def test_a_refused_commit_rolls_back_and_the_next_write_commits(
    engine: Engine, db_path: Path
) -> None:
    store = Store.open(db_path)  # as the bot's writer thread holds one
    mod = Moderation(engine, store=store)
    with pytest.raises(WriteRefusedError, match="nothing was changed"), store.atomic():
        store.db.execute("PRAGMA defer_foreign_keys = ON")  # checked at COMMIT only
        mod.add_fact(MOD2, subject="Doomed", kind="who", text="Never stored.")
        store.db.execute("UPDATE fact SET source_id = 999999 WHERE text = 'Never stored.'")
    assert not store.db.conn.in_transaction
    assert count(db_path, "SELECT count(*) FROM fact WHERE text = 'Never stored.'") == 0

    done = mod.add_fact(MOD2, subject="Quuxworth", kind="who", text="A knight.")
    assert count(db_path, "SELECT count(*) FROM fact WHERE id = ?", done.fact_id) == 1
    other = sqlite3.connect(db_path, timeout=0.5)  # the write lock was let go
    other.execute("BEGIN IMMEDIATE")
    other.rollback()
    other.close()
    engine.sync(force=True)
    assert engine.ask("!who quuxworth", guild_id=G2).answered
    store.close()


def test_a_connection_that_cannot_roll_back_is_replaced(engine: Engine, db_path: Path) -> None:
    store = Store.open(db_path)
    conn = store.db.conn
    conn.execute("BEGIN IMMEDIATE")
    store._roll_back()
    assert store.db.conn is conn and not conn.in_transaction  # the usual case: rolled back

    class Stuck:  # a connection whose ROLLBACK fails (an I/O error), still in its transaction
        in_transaction = True

        def rollback(self) -> None:
            raise sqlite3.OperationalError("disk I/O error")

        def close(self) -> None:
            pass

    store.db.conn = Stuck()  # type: ignore[assignment]
    store._roll_back()
    assert isinstance(store.db.conn, sqlite3.Connection)
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1  # showbot's settings
    Moderation(engine, store=store).add_fact(MOD2, subject="Quuxworth", kind="who", text="Hi.")
    assert count(db_path, "SELECT count(*) FROM fact WHERE text = 'Hi.'") == 1
    store.close()


# -- 2. global rows point at global rows only -------------------------------------------------


@pytest.fixture
def private_source(engine: Engine) -> tuple[Moderation, int, int]:
    """G1's own source, and a global fact."""
    mod = Moderation(engine)
    mod.add_fact(MOD1, subject="Zorblax the Great", kind="who", text="A wizard.", source="G1 notes")
    (sid,) = [s.id for s in engine.store.sources(G1) if s.title == "G1 notes"]
    gid = engine.store.rows("SELECT id FROM fact WHERE guild_id IS NULL ORDER BY id LIMIT 1")[0]
    return mod, sid, gid["id"]


def test_a_global_fact_cannot_cite_a_servers_source(
    engine: Engine, private_source: tuple[Moderation, int, int]
) -> None:
    mod, sid, fact_id = private_source
    before = engine.store.row("fact", fact_id)
    with pytest.raises(PermissionDeniedError, match="global source"):
        mod.edit_fact(OWNER_IN_G1, fact_id, source=f"#{sid}")
    assert engine.store.row("fact", fact_id) == before
    # By title, the owner's edit of a global fact finds or makes a global source.
    mod.edit_fact(OWNER_IN_G1, fact_id, source="G1 notes")
    cited = engine.store.row("source", engine.store.row("fact", fact_id)["source_id"])
    assert cited["id"] != sid and cited["guild_id"] is None and cited["title"] == "G1 notes"
    # The server's moderator editing it makes the server's own version, which may cite it.
    later = Moderation(engine, clock=lambda: datetime.now(UTC) + timedelta(minutes=5))
    done = later.edit_fact(MOD1, fact_id, source=f"#{sid}")
    assert done.action == "fact.override"
    assert engine.store.row("fact", done.fact_id)["source_id"] == sid


def test_every_write_path_is_held_to_the_scope_rule(
    engine: Engine, private_source: tuple[Moderation, int, int]
) -> None:
    """Store.insert/update refuse it whoever calls them (an import, a future command)."""
    mod, sid, fact_id = private_source
    (g1_entity,) = engine.store.rows(
        "SELECT id FROM entity WHERE guild_id = ? AND name = 'Zorblax the Great'", [G1]
    )
    with pytest.raises(PermissionDeniedError), engine.store.atomic():
        engine.store.update("fact", fact_id, {"source_id": sid}, OWNER, "fact.edit")
    with pytest.raises(PermissionDeniedError), engine.store.atomic():
        engine.store.insert(
            "alias", {"entity_id": g1_entity["id"], "name": "zg"}, OWNER, "alias.add"
        )
    with pytest.raises(PermissionDeniedError), engine.store.atomic():  # G2 -> G1's source
        engine.store.update("fact", fact_id, {"source_id": sid, "guild_id": G2}, OWNER, "x")
    assert engine.store.row("fact", fact_id)["source_id"] != sid
    with pytest.raises(PermissionDeniedError, match="merged only into a global"):
        mod.merge_entities(OWNER_IN_G1, "Nuke", "Zorblax the Great")


def test_a_server_is_forgotten_even_when_global_rows_point_at_it(
    engine: Engine,
    private_source: tuple[Moderation, int, int],
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A database the old code left behind: a global fact citing G1's source, a global
    subject merged into G1's subject. The forget detaches them and never fails."""
    _, sid, fact_id = private_source
    store = engine.store
    nuke = engine.subjects.resolve("nuke").entity
    assert nuke is not None
    nuke_facts = [r["id"] for r in store.rows_of("fact", "entity_id", nuke.id)]
    (zorblax,) = store.rows("SELECT id FROM entity WHERE guild_id = ?", [G1])
    old_source = store.row("fact", fact_id)["source_id"]
    with monkeypatch.context() as unchecked:  # what the old code wrote, history and all
        unchecked.setattr(Store, "_check_scope", lambda *_: None)
        with store.atomic():
            store.update("fact", fact_id, {"source_id": sid}, OWNER, "fact.edit")
            for fid in nuke_facts:
                store.update("fact", fid, {"entity_id": zorblax["id"]}, OWNER, "entity.merge")
            store.update("entity", nuke.id, {"merged_into": zorblax["id"]}, OWNER, "entity.merge")
    Privacy(store).forget_guild(G1)
    assert count(db_path, "SELECT count(*) FROM source WHERE guild_id = ?", G1) == 0
    assert store.row("fact", fact_id)["source_id"] == old_source
    assert store.row("entity", nuke.id)["merged_into"] is None
    assert {r["id"] for r in store.rows_of("fact", "entity_id", nuke.id)} == set(nuke_facts)
    engine.sync(force=True)
    assert engine.ask("!who nuke", guild_id=G2).answered


@pytest.mark.parametrize("through", ["on_guild_remove", "cli"])
def test_forget_then_the_next_write_works(
    engine: Engine, private_source: tuple[Moderation, int, int], db_path: Path, through: str
) -> None:
    """The review's chain: after the forget, a moderator's fact is committed and answered."""
    mod, _, fact_id = private_source
    mod.edit_fact(OWNER_IN_G1, fact_id, source="G1 notes")

    async def bot() -> None:
        writer = Writer(engine)
        privacy = Privacy(writer.store)
        await writer.run(privacy.forget_guild, G1, reason="removed")
        await writer.run(
            writer.moderation.add_fact, MOD2, subject="Quuxworth", kind="who", text="A knight."
        )
        writer.close()

    if through == "cli":
        Privacy(Store.open(db_path)).forget_guild(G1)
        mod.add_fact(MOD2, subject="Quuxworth", kind="who", text="A knight.")
    else:
        asyncio.run(bot())
    assert count(db_path, "SELECT count(*) FROM fact WHERE text = 'A knight.'") == 1
    assert count(db_path, "SELECT count(*) FROM fact WHERE guild_id = ?", G1) == 0
    engine.sync(force=True)
    assert engine.ask("!who quuxworth", guild_id=G2).answered


# -- 3. ids never reused ------------------------------------------------------------------------


def test_ids_are_never_reused_after_a_server_is_forgotten(engine: Engine, db_path: Path) -> None:
    mod = Moderation(engine)
    running = Engine.open(db_path)  # another process, or the bot beside the CLI
    made = mod.add_fact(MOD1, subject="Project Nightshade", kind="when", text="Soon.", date="2030")
    mod.add_alias(MOD1, "nightshade", "Project Nightshade")
    high = {t: engine.store.next_id(t) - 1 for t in migrations.NEVER_REUSED[:6]}
    running.sync(force=True)
    assert running.ask("!when project nightshade", guild_id=G1).answered

    Privacy(Store.open(db_path)).forget_guild(G1)  # the newest rows of every table go
    again = mod.add_fact(MOD2, subject="Quuxworth", kind="when", text="Later.", date="2031")
    assert again.fact_id > made.fact_id and again.entity_id > made.entity_id
    for table, last in high.items():  # max(id) + 1 would hand a forgotten row's id out
        assert engine.store.next_id(table) > last, table
    running.sync(force=True)
    assert running.ask("!when quuxworth", guild_id=G2).answered
    assert not running.ask("!when project nightshade", guild_id=G1).answered
    coming = running.timeline.upcoming(G2, date(2030, 1, 1), 800)
    names = {running.entities[f.entity_id].name for f in coming if f.entity_id in running.entities}
    assert "Quuxworth" in names and "Project Nightshade" not in names
    assert running.entities.get(made.entity_id) is None
    running.close()


def test_an_older_database_gets_ids_that_are_never_reused(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(path))
    old.execute("PRAGMA foreign_keys = ON")
    migrations.migrations.apply(old, stop_before="m011_ids_never_reused")
    Engine(Store(old, str(path))).close()  # seeded nothing: a few rows by hand
    old = Database(sqlite3.connect(path))
    stamp = "2026-01-01T00:00:00.000+00:00"
    old.execute(
        "INSERT INTO entity (id, name, kind, created_at, updated_at) VALUES (7, 'A', 'show', ?, ?)",
        [stamp, stamp],
    )
    old.execute(
        "INSERT INTO entity (id, name, kind, show_id, season, created_at, updated_at)"
        " VALUES (9, 'A season 1', 'season', 7, 1, ?, ?)",
        [stamp, stamp],
    )
    old.conn.commit()
    old.close()

    store = Store.open(path)
    schema = store.db.execute("SELECT sql FROM sqlite_master WHERE name = 'entity'").fetchone()
    assert "AUTOINCREMENT" in schema[0]
    assert [r["id"] for r in store.rows("SELECT id FROM entity ORDER BY id")] == [7, 9]
    assert store.row("entity", 9)["show_id"] == 7
    indexes = {r["name"] for r in store.rows("PRAGMA index_list(entity)")}
    assert {"entity_key", "entity_show"} <= indexes
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with store.atomic():
        store.db.execute("DELETE FROM entity WHERE id = 9")
    assert store.next_id("entity") == 10
    store.close()


# -- 4. what a forget leaves on disk ----------------------------------------------------------


def test_a_forgotten_servers_words_leave_the_file(engine: Engine, db_path: Path) -> None:
    words = ["xylophonequartz", "zanzibarquil", "glimmerwhisk"]
    mod = Moderation(engine)
    mod.add_fact(
        MOD1,
        subject="Codename Xylophonequartz",
        kind="what",
        text="The zanzibarquil plan.",
        quote="glimmerwhisk",
    )
    for n in range(30):  # segments FTS5 would otherwise merge later, if ever
        mod.add_fact(MOD2, subject="Luke Cage", kind="what", text=f"Filler fact number {n}.")
    store = engine.store
    store.checkpoint()
    assert all(w.encode() in _file(db_path) for w in words)
    Privacy(store).forget_guild(G1)
    data = _file(db_path)
    assert not [w for w in words if w.encode() in data]
    assert not [w for w in words if w[:7].encode() in data]  # porter stems too
    assert engine.finder.store.docs.search  # the index still answers the others
    engine.sync(force=True)
    assert engine.ask("!ask filler fact number 7", guild_id=G2).answered


def _file(path: Path) -> bytes:
    return b"".join(
        Path(f"{path}{s}").read_bytes() for s in ("", "-wal") if Path(f"{path}{s}").exists()
    )


def test_the_index_snapshot_is_dropped_by_a_forget(engine: Engine, db_path: Path) -> None:
    Moderation(engine).add_fact(MOD1, subject="Zorblax the Great", kind="who", text="A wizard.")
    snapshot = coldstart.snapshot_path(db_path)
    assert snapshot is not None
    snapshot.write_bytes(b"Zorblax the Great")  # whatever a start wrote, names and all
    Privacy(engine.store).forget_guild(G1)
    assert not snapshot.exists()


def test_questions_buffered_before_a_forget_are_never_written(engine: Engine) -> None:
    async def bot() -> None:
        writer = Writer(engine)
        privacy = Privacy(writer.store)
        engine.ask("!who is the mole in project bluebird", guild_id=G1)  # buffered
        engine.ask("!who nuke", guild_id=G2)
        taken = engine.take_log()  # a flush that took them just before the forget...
        engine.forget_questions(G1)
        await writer.run(privacy.forget_guild, G1, reason="removed")
        await writer._run(lambda: writer._append(taken, True), sync=False)  # ...writes after
        engine.ask("!who else", guild_id=G1)  # a late event from the departed server
        await writer.flush_log(queue=True)
        writer.close()

    asyncio.run(bot())
    rows = engine.store.rows("SELECT guild_id, text FROM question")
    assert [r["guild_id"] for r in rows] == [G2]
    engine.remember_questions(G1)  # added back: its questions count again
    engine.ask("!who nuke", guild_id=G1)
    assert [r[1] for r in engine.take_log()] == [G1]
