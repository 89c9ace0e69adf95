"""Keep less, delete on request (issue 14) at the engine level: the question log without
ids, its pruning into tallies, forgetting a member and a server, departures. The Discord
side (``!forget me``, GUILD_DELETE) is tests/e2e/test_bot_privacy.py."""

from __future__ import annotations

import json
import sqlite3
import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.engine import Engine
from bot.models import Actor
from bot.moderation import Moderation
from bot.privacy import Privacy
from bot.store import migrations
from bot.store.core import Store
from bot.store.questionlog import QuestionLog
from bot.store.synonyms import Synonyms

G1, G2 = 811111111111111111, 822222222222222222
MOD1 = Actor(id=701234567890123456, name="alice#1", guild_id=G1)
MOD1_IN_G2 = Actor(id=MOD1.id, name="alice#1", guild_id=G2)
MOD2 = Actor(id=702345678901234567, name="bob#2", guild_id=G2)
OWNER = Actor(id=709999999999999999, name="owner", guild_id=None, owner=True)


def id_patterns(*ids: int) -> list[bytes]:
    """A number as SQLite or JSON could hold it: decimal text, 8-byte big/little endian."""
    out = []
    for i in ids:
        out += [str(i).encode(), struct.pack(">q", i), struct.pack("<q", i)]
    return out


def file_bytes(path: Path) -> bytes:
    found = b""
    for suffix in ("", "-wal"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            found += part.read_bytes()
    return found


def iso(days_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(timespec="milliseconds")


def question(
    at: str,
    guild: int | None,
    text: str,
    *,
    answered: bool,
    entity: int | None = None,
    via: str | None = None,
) -> tuple:
    subject = text.lower()
    return (at, guild, text, "ask", subject, entity, 50.0, int(answered), 1.0, via)


# -- keep less ------------------------------------------------------------------------------------


def test_the_migration_drops_askers_ids_from_an_existing_database(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    old = Database(conn)  # a database as showbot before m007 left it
    old.execute("PRAGMA journal_mode=WAL")
    migrations.migrations.apply(old, stop_before="m007_privacy")
    user, channel = 733333333333333333, 744444444444444444
    for n in range(50):
        old.execute(
            "INSERT INTO question (at, guild_id, channel_id, user_id, text, intent, subject,"
            " answered) VALUES (?, ?, ?, ?, ?, 'who', ?, 0)",
            [iso(1), G1, channel, user + n, f"who is thing {n}", f"thing {n}"],
        )
    conn.commit()
    conn.close()
    assert any(p in file_bytes(path) for p in id_patterns(user, channel))

    store = Store.open(path)
    columns = {r["name"] for r in store.rows("PRAGMA table_info(question)")}
    assert not columns & {"user_id", "channel_id"}
    assert store.rows("SELECT count(*) AS n FROM question")[0]["n"] == 50  # the rest stays
    store.checkpoint()
    store.close()
    data = file_bytes(path)
    assert not [p for p in id_patterns(channel, *(user + n for n in range(50))) if p in data]


def test_questions_are_logged_without_who_or_where(engine: Engine) -> None:
    engine.ask("!who nuke", guild_id=G1, channel_id=744444444444444444, user_id=MOD1.id)
    engine.flush_log()
    (row,) = engine.store.rows("SELECT * FROM question")
    assert row["guild_id"] == G1 and row["text"] == "!who nuke"
    assert MOD1.id not in row.values() and 744444444444444444 not in row.values()


def test_pruning_folds_old_questions_into_counts_that_gaps_and_stats_keep(
    engine: Engine, db_path: Path
) -> None:
    log = QuestionLog(engine.store)
    nuke = engine.ask("!who nuke").entity
    assert nuke is not None
    rows = [
        question(iso(40), G1, "who is zed", answered=False),
        question(iso(40), G1, "who is zed", answered=False),
        question(iso(5), G1, "who is zed", answered=False),
        question(iso(5), G1, "nuke", answered=True, entity=nuke.id, via="subject"),
        question(iso(4), G1, "what does nuke do", answered=True, entity=nuke.id, via="facts"),
        question(iso(1), G1, "who is yon", answered=False),
        question(iso(1), G1, "nuke", answered=True, entity=nuke.id, via="subject"),
        question(iso(5), G2, "who is other", answered=False),
    ]
    log.append(rows)
    before = (log.gaps(G1), log.stats(G1), log.stats(G1, days=60), log.gaps(G2), log.stats(G2))

    privacy = Privacy(engine.store)
    assert privacy.prune_questions(3) == 6  # everything older than 3 days
    left = engine.store.rows("SELECT at, text FROM question ORDER BY id")
    assert [r["text"] for r in left] == ["who is yon", "nuke"]
    assert (log.gaps(G1), log.stats(G1), log.stats(G1, days=60), log.gaps(G2), log.stats(G2)) == (
        before
    )
    assert before[0][0].subject == "who is zed" and before[0][0].times == 3
    assert before[2].total == 7 and before[2].by_facts == 1 and before[2].top == [(nuke.name, 3)]
    # No question text survives in the tallies: a subject only for what went unanswered.
    tallied = engine.store.rows("SELECT * FROM question_tally")
    assert {r["subject"] for r in tallied} == {"who is zed", "who is other", None}
    assert "what does nuke do" not in json.dumps(tallied)
    assert b"what does nuke do" not in file_bytes(db_path)  # overwritten, not just unlinked

    # A second prune adds to the same tallies.
    log.append([question(iso(10), G1, "who is zed", answered=False)])
    assert privacy.prune_questions(3) == 1
    assert log.gaps(G1)[0].times == 4
    assert privacy.prune_questions(3) == 0


# -- forget a member ------------------------------------------------------------------------------


@pytest.fixture
def curated(engine: Engine) -> Moderation:
    """Two servers' moderators at work: MOD1 in both servers, MOD2 in G2, the owner."""
    mod = Moderation(engine)
    mod.add_fact(MOD1, subject="Jeri Hogarth", kind="who", text="A lawyer.", date="2016")
    nuke = engine.store.find_key("fact", "who-nuke", None)
    if nuke is None:
        nuke = engine.store.rows("SELECT * FROM fact WHERE guild_id IS NULL LIMIT 1")[0]
    mod.edit_fact(MOD1, nuke["id"], text="Our server's Nuke.")
    mod.add_alias(MOD1, "jh", "Jeri Hogarth")
    mod.add_source(MOD1, title="Our wiki", url="https://example.org/wiki")
    Synonyms(engine.store).add(MOD1, "villain, baddie")
    mod.add_fact(MOD1_IN_G2, subject="Trish Walker", kind="who", text="A radio host.")
    mod.add_fact(MOD2, subject="Trish Walker", kind="who", text="Patsy.")
    mod.add_alias(MOD2, "tw", "Trish Walker")
    mod.add_fact(OWNER, subject="Malcolm Ducasse", kind="who", text="A neighbour.")
    engine.sync(force=True)
    return mod


def test_forgetting_a_moderator_pseudonymises_them_and_keeps_history(
    engine: Engine, curated: Moderation, db_path: Path
) -> None:
    store = engine.store
    history = store.rows("SELECT id, action, table_name, row_id, guild_id FROM change ORDER BY id")
    privacy = Privacy(store)
    done = privacy.forget_user(MOD1.id)
    pid, name = privacy.pseudonym(MOD1.id)
    assert done.pseudonym == name and name.startswith("moderator-") and len(name) == 18
    assert pid < 0 and done.moderated and done.changes > 5 and done.rows > 5

    # Every record is still there, in order, about the same rows.
    assert (
        store.rows("SELECT id, action, table_name, row_id, guild_id FROM change ORDER BY id")
        == history
    )
    theirs = store.rows("SELECT * FROM change WHERE actor_id = ?", [pid])
    assert theirs and {r["actor_name"] for r in theirs} == {name}
    assert store.rows("SELECT * FROM change WHERE actor_id = ?", [MOD1.id]) == []
    for row in store.rows("SELECT before, after FROM change"):
        for side in ("before", "after"):
            if row[side]:
                values = json.loads(row[side])
                assert MOD1.id not in (values.get("created_by"), values.get("updated_by"))
    for table in ("fact", "alias", "source", "entity", "synonym"):
        assert (
            store.rows(
                f"SELECT id FROM {table} WHERE created_by = ? OR updated_by = ?", [MOD1.id, MOD1.id]
            )
            == []
        )
    # Others keep their names; the history reads on under the pseudonym.
    assert {r["actor_name"] for r in store.rows("SELECT actor_name FROM change")} >= {
        "bob#2",
        "owner",
        name,
    }
    jeri = store.rows("SELECT id FROM fact WHERE text = 'A lawyer.'")[0]["id"]
    assert [v.actor for v in curated.history(MOD1, jeri)] == [name]

    # Stable: the same person, the same pseudonym, however often and whoever asks.
    assert Privacy(store).pseudonym(MOD1.id) == (pid, name)
    assert Privacy(store).pseudonym(MOD2.id)[1] != name
    again = privacy.forget_user(MOD1.id)
    assert again.changes == 0 and again.rows == 0 and not again.moderated
    assert "Nothing else was stored" in again.summary()
    assert name in done.summary() and "history stays" in done.summary()
    assert name not in done.summary(named=False) and "a pseudonym" in done.summary(named=False)

    store.checkpoint()
    data = file_bytes(db_path)
    assert not [p for p in id_patterns(MOD1.id) if p in data]
    assert b"alice#1" not in data


def test_forgetting_a_member_who_never_moderated_changes_nothing(
    engine: Engine, curated: Moderation
) -> None:
    before = engine.store.rows("SELECT * FROM change ORDER BY id")
    done = Privacy(engine.store).forget_user(755555555555555555)
    assert not done.moderated and done.changes == done.rows == 0
    assert engine.store.rows("SELECT * FROM change ORDER BY id") == before


# -- forget a server ------------------------------------------------------------------------------


def counts_of(store: Store, guild: int | None) -> dict[str, int]:
    tables = ("fact", "alias", "source", "entity", "synonym", "question")
    return {
        t: store.rows(f"SELECT count(*) AS n FROM {t} WHERE guild_id IS ?", [guild])[0]["n"]
        for t in tables
    }


def test_forgetting_a_server_deletes_its_own_data_only(
    engine: Engine, curated: Moderation, db_path: Path
) -> None:
    store = engine.store
    engine.ask("!who jh", guild_id=G1)
    engine.ask("!who tw", guild_id=G2)
    engine.ask("!who nuke", guild_id=None)
    engine.flush_log()
    Privacy(store).prune_questions(1)  # nothing old: a no-op
    store.record_sync(str(G1), "abc")
    store.record_sync(str(G2), "def")
    store.set_modlog_channel(G1, 766666666666666666)
    global_facts = store.rows("SELECT * FROM fact WHERE guild_id IS NULL ORDER BY id")
    g2_before = counts_of(store, G2)
    g2_changes = store.rows("SELECT * FROM change WHERE guild_id = ? ORDER BY id", [G2])
    assert all(counts_of(store, G1).values())
    assert engine.ask("!who jh", guild_id=G1).answered
    texts_before = [r["text"] for r in store.rows("SELECT text FROM fact WHERE guild_id = ?", [G1])]

    done = Privacy(store).forget_guild(G1)
    assert done.counts["fact"] == 2 and done.counts["alias"] == 1 and done.counts["setting"] == 1
    assert "Server" in done.summary() and "2 fact(s)" in done.summary()
    assert counts_of(store, G1) == dict.fromkeys(counts_of(store, G1), 0)
    assert store.rows("SELECT * FROM fact_doc WHERE guild_id = ?", [G1]) == []
    assert store.rows("SELECT * FROM question_tally WHERE guild_id = ?", [G1]) == []
    assert store.synced_hashes() == {str(G2): "def"}
    assert store.modlog_channel(G1) is None
    # What stays: global facts, the other server's rows and history, the CLI's questions.
    assert store.rows("SELECT * FROM fact WHERE guild_id IS NULL ORDER BY id") == global_facts
    assert counts_of(store, G2) == g2_before
    assert store.rows("SELECT * FROM change WHERE guild_id = ? ORDER BY id", [G2]) == g2_changes
    assert counts_of(store, None)["question"] == 1
    # The server's history went with its rows: only content-free markers name it.
    left = store.rows("SELECT * FROM change WHERE guild_id = ?", [G1])
    assert left
    for r in left:
        assert r["action"] == "forget" and r["after"] is None
        assert set(json.loads(r["before"])) <= {"id", "entity_id", "guild_id"}

    # The index has forgotten the server's names; the other server still answers.
    engine.sync(force=True)
    assert not engine.ask("!who jh", guild_id=G1).answered
    assert engine.ask("!who tw", guild_id=G2).answered
    assert engine.ask("!who nuke", guild_id=G1).answered  # global, as before

    store.checkpoint()
    data = file_bytes(db_path)
    assert not [t for t in texts_before if t.encode() in data]
    # Another process's index catches up from the markers too.
    other = Engine.open(db_path)
    try:
        assert not other.ask("!who jh", guild_id=G1).answered
    finally:
        other.close()


def test_a_departure_is_forgotten_only_after_the_grace_period(engine: Engine) -> None:
    now = [datetime(2030, 1, 1, tzinfo=UTC)]
    privacy = Privacy(engine.store, clock=lambda: now[0])
    privacy.guild_left(G1)
    privacy.guild_left(G2)
    assert privacy.departures(30) == [(G1, False), (G2, False)]
    now[0] += timedelta(days=29)
    privacy.guild_left(G1)  # removed again: the first removal counts
    assert privacy.departures(30) == [(G1, False), (G2, False)]
    assert privacy.guild_joined(G2) is True  # added back: nothing to forget
    assert privacy.guild_joined(G2) is False
    now[0] += timedelta(days=1)
    assert privacy.departures(30) == [(G1, True)]
    assert privacy.departures(0) == [(G1, True)]
    privacy.forget_guild(G1, reason="removed")
    assert privacy.departures(0) == []
