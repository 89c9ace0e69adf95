"""The SQLite store: the only module that writes SQL.

Every curated write goes through :meth:`Store.insert` / :meth:`Store.update`, which
record the row's before/after in the ``change`` table in the caller's transaction,
so history, undo and other processes' catch-up all read one log.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot import migrations
from bot.changelog import ChangeLog
from bot.errors import EditConflictError, NotFoundError
from bot.factindex import FactIndex
from bot.models import (
    Actor,
    Entity,
    EntityKind,
    Fact,
    FuzzyDate,
    Kind,
    Source,
    Status,
)

TABLES = ("entity", "alias", "source", "fact", "synonym")
BUSY_TIMEOUT_MS = 10_000
CHECKPOINT_WAIT_MS = 2_000  # after a deletion, for readers and writers to let the WAL go


def now() -> str:
    """UTC timestamp with milliseconds, sortable as text."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Store:
    """One connection to the showbot database."""

    def __init__(self, db: Database, path: str) -> None:
        self.db = db
        self.path = path
        self.docs = FactIndex(db)
        self.changes = ChangeLog(self)

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating and migrating if needed) the database at ``path``."""
        path = str(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        db = Database(conn)
        # WAL lets shards read while one writes. FULL sync makes every acknowledged
        # moderator change survive power loss too, at one fsync per commit: writes are
        # rare (edits, batched question-log flushes), so it costs little.
        if path != ":memory:":
            db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA synchronous=FULL")
        # What is deleted (pruned questions, a forgotten server) is overwritten, not just
        # unlinked: the bytes do not linger in free pages of the file.
        db.execute("PRAGMA secure_delete=ON")
        store = cls(db, path)
        migrations.apply(db)
        return store

    def close(self) -> None:
        self.db.close()

    def backup(self, target: str | Path) -> None:
        """Copy the live database with SQLite's online backup (safe while others write)."""
        dest = sqlite3.connect(str(target))
        try:
            self.db.conn.backup(dest, pages=1024)
        finally:
            dest.close()

    def integrity(self) -> str:
        """``ok``, or what PRAGMA integrity_check found."""
        rows = self.db.execute("PRAGMA integrity_check").fetchall()
        return "; ".join(r[0] for r in rows)

    @contextmanager
    def waiting_at_most(self, ms: int) -> Iterator[None]:
        """Inside, wait at most ``ms`` for another writer's lock (0: SQLITE_BUSY at once)
        instead of the usual busy timeout; for writes that would rather retry later."""
        self.db.execute(f"PRAGMA busy_timeout={int(ms)}")
        try:
            yield
        finally:
            self.db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One write transaction (nested calls become savepoints).

        BEGIN IMMEDIATE takes the write lock up front, so a concurrent writer waits out
        the busy timeout instead of failing when a read-then-write upgrades its lock.
        """
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():  # a savepoint
                yield
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            # Search documents commit with the rows they come from, or not at all.
            self.docs.flush()
        except BaseException:
            self.docs.discard()
            if conn.in_transaction:
                conn.rollback()
            raise
        conn.commit()

    # ------------------------------------------------------------------ writes

    def insert(self, table: str, values: dict[str, Any], actor: Actor, action: str) -> int:
        """Insert a curated row and its change record; returns the new id."""
        assert table in TABLES
        stamp = now()
        row = {
            **values,
            "version": 1,
            "created_at": stamp,
            "created_by": actor.id,
            "updated_at": stamp,
            "updated_by": actor.id,
        }
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cur = self.db.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(row.values()))
        row_id = int(cur.lastrowid)  # type: ignore[arg-type]
        after = self.row(table, row_id)
        assert after is not None
        self._log(actor, action, table, row_id, None, after, stamp)
        self._touched(table, None, after)
        return row_id

    def update(
        self,
        table: str,
        row_id: int,
        changes: dict[str, Any],
        actor: Actor,
        action: str,
        *,
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        """Change columns of a row (version-checked) and log before/after; returns the new row."""
        assert table in TABLES
        before = self.row(table, row_id)
        if before is None:
            raise NotFoundError(f"There is no {table} #{row_id}.")
        if expected_version is not None and before["version"] != expected_version:
            raise EditConflictError(
                f"{table.capitalize()} #{row_id} was changed meanwhile "
                f"(now version {before['version']}); look again and retry."
            )
        stamp = now()
        sets = {**changes, "updated_at": stamp, "updated_by": actor.id}
        assignments = ", ".join(f"{col} = ?" for col in sets)
        cur = self.db.execute(
            f"UPDATE {table} SET {assignments}, version = version + 1 WHERE id = ? AND version = ?",
            [*sets.values(), row_id, before["version"]],
        )
        if cur.rowcount != 1:  # another connection won the race after our read
            raise EditConflictError(f"{table.capitalize()} #{row_id} was changed meanwhile; retry.")
        after = self.row(table, row_id)
        assert after is not None
        self._log(actor, action, table, row_id, before, after, stamp)
        self._touched(table, before, after)
        return after

    def _touched(self, table: str, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        self.docs.touch(table, before, after)
        if not self.db.conn.in_transaction:  # a write outside atomic(): keep docs in step now
            self.docs.flush()

    def _log(
        self,
        actor: Actor,
        action: str,
        table: str,
        row_id: int,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        stamp: str,
    ) -> int:
        cur = self.db.execute(
            "INSERT INTO change (at, actor_id, actor_name, guild_id, action, table_name, row_id,"
            " version, before, after, batch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                stamp,
                actor.id,
                actor.name,
                actor.guild_id,
                action,
                table,
                row_id,
                (after or before or {}).get("version"),
                json.dumps(before, ensure_ascii=False) if before else None,
                json.dumps(after, ensure_ascii=False) if after else None,
                self._batch,
            ],
        )
        change_id = int(cur.lastrowid)  # type: ignore[arg-type]
        if self._batch is None:
            self.db.execute("UPDATE change SET batch = ? WHERE id = ?", [change_id, change_id])
        return change_id

    _batch: int | None = None

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group every change written inside into one undoable unit, in one transaction."""
        if self._batch is not None:  # already inside a batch: join it
            with self.atomic():
                yield
            return
        with self.atomic():
            next_id = self.db.execute("SELECT coalesce(max(id), 0) + 1 FROM change").fetchone()[0]
            self._batch = next_id
            try:
                yield
            finally:
                self._batch = None

    # ------------------------------------------------------------------- reads

    def row(self, table: str, row_id: int) -> dict[str, Any] | None:
        cur = self.db.execute(f"SELECT * FROM {table} WHERE id = ?", [row_id])
        found = cur.fetchone()
        if found is None:
            return None
        return dict(zip([d[0] for d in cur.description], found, strict=True))

    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        cur = self.db.execute(sql, list(params))
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def find_key(self, table: str, key: str, guild_id: int | None) -> dict[str, Any] | None:
        found = self.rows(
            f"SELECT * FROM {table} WHERE key = ? AND coalesce(guild_id, 0) = ?",
            [key, guild_id or 0],
        )
        return found[0] if found else None

    def index_rows(self) -> Iterator[tuple[str, int, int, str, int | None]]:
        """Every live name and alias: (table, row id, entity id, text, alias's server)."""
        for rid, name in self.db.execute(
            "SELECT id, name FROM entity WHERE deleted_at IS NULL AND merged_into IS NULL"
        ):
            yield "entity", rid, rid, name, None
        for rid, eid, name, guild in self.db.execute(
            "SELECT alias.id, alias.entity_id, alias.name, alias.guild_id FROM alias JOIN entity"
            " ON entity.id = alias.entity_id WHERE alias.deleted_at IS NULL"
            " AND entity.deleted_at IS NULL AND entity.merged_into IS NULL"
        ):
            yield "alias", rid, eid, name, guild

    def entity(self, entity_id: int) -> Entity | None:
        row = self.row("entity", entity_id)
        return entity_from_row(row) if row else None

    def live_entities(self) -> Iterator[Entity]:
        """Every live entity; a tight loop, since start-up loads them all."""
        kinds = {k.value: k for k in EntityKind}
        for eid, name, kind, show_id, season, guild_id in self.db.execute(
            "SELECT id, name, kind, show_id, season, guild_id FROM entity"
            " WHERE deleted_at IS NULL AND merged_into IS NULL"
        ):
            yield Entity(eid, name, kinds[kind], show_id, season, guild_id)

    def live_entity_rows(self) -> list[tuple[int, str, str, int | None, int | None, int | None]]:
        """Every live entity as (id, name, kind, show_id, season, guild_id) tuples, by id
        (start-up's table of entities, bot/entities.py, is made of them)."""
        return self.db.execute(
            "SELECT id, name, kind, show_id, season, guild_id FROM entity"
            " WHERE deleted_at IS NULL AND merged_into IS NULL ORDER BY id"
        ).fetchall()

    def source(self, source_id: int) -> Source | None:
        row = self.row("source", source_id)
        return source_from_row(row) if row else None

    def sources(self, guild_id: int | None) -> list[Source]:
        return [
            source_from_row(r)
            for r in self.rows(
                "SELECT * FROM source WHERE deleted_at IS NULL"
                " AND (guild_id IS NULL OR guild_id = ?) ORDER BY id",
                [guild_id],
            )
        ]

    _FACT_SELECT = (
        "SELECT fact.*, source.id AS s_id, source.title AS s_title,"
        " source.publisher AS s_publisher, source.url AS s_url, source.date AS s_date,"
        " source.notes AS s_notes FROM fact LEFT JOIN source ON source.id = fact.source_id"
    )

    def fact(self, fact_id: int) -> Fact | None:
        found = self.rows(self._FACT_SELECT + " WHERE fact.id = ?", [fact_id])
        return fact_from_row(found[0]) if found else None

    def facts_for(self, entity_id: int, guild_id: int | None) -> list[Fact]:
        """The live facts about an entity as one server sees them (its overrides applied)."""
        rows = self.rows(
            self._FACT_SELECT + " WHERE fact.entity_id = ? AND fact.deleted_at IS NULL"
            " AND (fact.guild_id IS NULL OR fact.guild_id = ?) ORDER BY fact.id",
            [entity_id, guild_id],
        )
        return _as_seen([fact_from_row(r) for r in rows])

    def facts_by_ids(self, fact_ids: list[int], guild_id: int | None) -> list[Fact]:
        """The given facts as one server sees them: its override instead of a global fact,
        nothing for a fact it hides, nothing for another server's fact."""
        if not fact_ids:
            return []
        marks = ",".join("?" for _ in fact_ids)
        rows = self.rows(
            self._FACT_SELECT + f" WHERE (fact.id IN ({marks}) OR fact.overrides IN ({marks}))"
            " AND fact.deleted_at IS NULL AND (fact.guild_id IS NULL OR fact.guild_id = ?)",
            [*fact_ids, *fact_ids, guild_id],
        )
        return _as_seen([fact_from_row(r) for r in rows])

    def seasons_of(self, show_id: int, guild_id: int | None) -> list[Entity]:
        return [
            entity_from_row(r)
            for r in self.rows(
                "SELECT * FROM entity WHERE show_id = ? AND kind = 'season'"
                " AND deleted_at IS NULL AND merged_into IS NULL"
                " AND (guild_id IS NULL OR guild_id = ?) ORDER BY season",
                [show_id, guild_id],
            )
        ]

    def max_change_id(self) -> int:
        return int(self.db.execute("SELECT coalesce(max(id), 0) FROM change").fetchone()[0])

    def change_at(self, change_id: int) -> str | None:
        """When a change was made (None if there is no such change): with its id, what the
        index snapshot checks the log against."""
        found = self.db.execute("SELECT at FROM change WHERE id = ?", [change_id]).fetchone()
        return found[0] if found else None

    def identity(self) -> dict[str, Any]:
        """What tells this database from another (when its first migration ran: a copy
        or backup shares it, another database does not) and its schema (the migrations
        applied), for the index snapshot's stamp."""
        rows = self.db.execute(
            "SELECT name, applied_at FROM _sqlite_migrations WHERE migration_set = 'showbot'"
            " ORDER BY id"
        ).fetchall()
        return {"created": rows[0][1] if rows else None, "schema": [r[0] for r in rows]}

    def max_row_ids(self) -> list[int]:
        """The largest entity and alias ids (rows written behind the change log's back,
        as a bulk import by SQL would, change them)."""
        return [
            int(self.db.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0])
            for t in ("entity", "alias")
        ]

    def changes_since(self, change_id: int, tables: tuple[str, ...] = TABLES) -> list[dict]:
        if set(tables) >= set(TABLES):  # every table: the primary key alone (no IN, which
            # made SQLite pick change_row and read the whole log: 20 ms at 158k changes)
            return self.rows("SELECT * FROM change WHERE id > ? ORDER BY id", [change_id])
        marks = ",".join("?" for _ in tables)
        return self.rows(
            f"SELECT * FROM change WHERE id > ? AND +table_name IN ({marks}) ORDER BY id",
            [change_id, *tables],
        )

    # ------------------------------------------------------------ overrides

    def override_of(self, fact_id: int, guild_id: int | None) -> dict[str, Any] | None:
        """A server's own version (or hiding marker) of a global fact, live or removed."""
        found = self.rows(
            "SELECT * FROM fact WHERE overrides = ? AND guild_id = ? ORDER BY id DESC LIMIT 1",
            [fact_id, guild_id],
        )
        return found[0] if found else None

    def rows_of(
        self, table: str, column: str, value: int, *, removed: bool = False
    ) -> list[dict[str, Any]]:
        """Rows of ``table`` whose ``column`` is ``value`` (an entity's facts and aliases, a
        show's seasons): live ones, or also removed ones; merged-away entities never."""
        assert table in TABLES and column in ("entity_id", "show_id", "source_id")
        return self.rows(
            f"SELECT * FROM {table} WHERE {column} = ?"
            + ("" if removed else " AND deleted_at IS NULL")
            + (" AND merged_into IS NULL" if table == "entity" else "")
            + " ORDER BY id",
            [value],
        )

    def aliases_visible(self, guild_id: int | None) -> list[dict[str, Any]]:
        """Live aliases one server can see: global ones and its own."""
        return self.rows(
            "SELECT * FROM alias WHERE deleted_at IS NULL AND (guild_id IS NULL OR guild_id = ?)"
            " ORDER BY id",
            [guild_id],
        )

    # ---------------------------------------------------------------- seeds

    def applied_seeds(self) -> dict[str, int]:
        """Seed file name -> the version of it applied."""
        return dict(self.db.execute("SELECT name, version FROM seed_file").fetchall())

    def record_seed(self, name: str, version: int) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO seed_file (name, version, applied_at) VALUES (?, ?, ?)",
            [name, version, now()],
        )

    # ------------------------------------------------------- slash-command sync

    def synced_hashes(self) -> dict[str, str]:
        """The hash of the command set Discord last accepted, per scope ("global" or a
        guild id)."""
        return dict(self.db.execute("SELECT scope, hash FROM command_sync").fetchall())

    def synced_hash(self, scope: str) -> str | None:
        found = self.db.execute("SELECT hash FROM command_sync WHERE scope = ?", [scope]).fetchone()
        return found[0] if found else None

    def record_sync(self, scope: str, digest: str) -> None:
        """Remember that Discord accepted the command set hashing to ``digest`` for ``scope``."""
        with self.atomic():
            self.db.execute(
                "INSERT INTO command_sync (scope, hash, synced_at) VALUES (?, ?, ?)"
                " ON CONFLICT (scope) DO UPDATE SET hash = excluded.hash,"
                " synced_at = excluded.synced_at",
                [scope, digest, now()],
            )

    def forget_sync(self, scope: str) -> None:
        """Stop tracking a scope (a former development server whose commands were cleared)."""
        with self.atomic():
            self.db.execute("DELETE FROM command_sync WHERE scope = ?", [scope])

    # ------------------------------------------------------------ privacy

    def secret(self, name: str) -> str:
        """A per-database secret (made by migration m007), e.g. the pseudonyms' key."""
        found = self.db.execute("SELECT value FROM secret WHERE name = ?", [name]).fetchone()
        if found is None:
            raise KeyError(name)
        return str(found[0])

    def pseudonymise_actor(self, user_id: int, pseudonym_id: int, pseudonym: str) -> int:
        """Replace a member's id in the curated rows they created or last changed
        (``created_by``/``updated_by``, not a content change: no version, no change record);
        how many rows changed. The change log's side: :meth:`ChangeLog.pseudonymise`."""
        changed = 0
        with self.atomic():
            for table in TABLES:
                for column in ("created_by", "updated_by"):
                    cur = self.db.execute(
                        f"UPDATE {table} SET {column} = ? WHERE {column} = ?",
                        [pseudonym_id, user_id],
                    )
                    changed += cur.rowcount
        return changed

    def forget_guild_rows(self, guild_id: int, actor: Actor) -> dict[str, int]:
        """Delete a server's own curated rows (facts, aliases, sources, entities, synonyms),
        their search documents and their change history, its command-sync record and its
        departure; global rows and other servers' rows stay. One content-free ``forget``
        change per deleted entity, alias and synonym (ids only) tells every process's
        index to drop them. Returns how many rows of each kind went."""
        counts: dict[str, int] = {}
        with self.batch():
            # Rows of the server may point at each other (a season at its show): checked
            # once all are gone, at commit.
            self.db.execute("PRAGMA defer_foreign_keys = ON")
            aliases = self.db.execute(
                "SELECT id, entity_id FROM alias WHERE guild_id = ?", [guild_id]
            ).fetchall()
            own = {
                table: [
                    r[0]
                    for r in self.db.execute(
                        f"SELECT id FROM {table} WHERE guild_id = ?", [guild_id]
                    )
                ]
                for table in ("entity", "synonym")
            }
            self.db.execute(
                "DELETE FROM fact_doc WHERE fact_id IN (SELECT id FROM fact WHERE guild_id = ?)",
                [guild_id],
            )
            history = 0
            for table in TABLES:
                history += self.db.execute(
                    "DELETE FROM change WHERE table_name = ? AND row_id IN"
                    f" (SELECT id FROM {table} WHERE guild_id = ?)",
                    [table, guild_id],
                ).rowcount
            for table in ("fact", "alias", "synonym", "source", "entity"):
                cur = self.db.execute(f"DELETE FROM {table} WHERE guild_id = ?", [guild_id])
                counts[table] = cur.rowcount
            counts["change"] = history
            stamp = now()
            marker = {"guild_id": guild_id}
            for entity_id in own["entity"]:
                before = {"id": entity_id, **marker}
                self._log(actor, "forget", "entity", entity_id, before, None, stamp)
            for alias_id, entity_id in aliases:
                before = {"id": alias_id, "entity_id": entity_id, **marker}
                self._log(actor, "forget", "alias", alias_id, before, None, stamp)
            for synonym_id in own["synonym"]:
                before = {"id": synonym_id, **marker}
                self._log(actor, "forget", "synonym", synonym_id, before, None, stamp)
            counts["command_sync"] = self.db.execute(
                "DELETE FROM command_sync WHERE scope = ?", [str(guild_id)]
            ).rowcount
            self.db.execute("DELETE FROM guild_departure WHERE guild_id = ?", [guild_id])
            self.docs.changed()
        return counts

    def record_departure(self, guild_id: int, at: str) -> None:
        """The bot was removed from a server at ``at`` (the first removal's time is kept)."""
        with self.atomic():
            self.db.execute(
                "INSERT INTO guild_departure (guild_id, left_at) VALUES (?, ?)"
                " ON CONFLICT (guild_id) DO NOTHING",
                [guild_id, at],
            )

    def clear_departure(self, guild_id: int) -> bool:
        """The bot is in the server again: nothing to forget. Whether it had left."""
        with self.atomic():
            cur = self.db.execute("DELETE FROM guild_departure WHERE guild_id = ?", [guild_id])
        return cur.rowcount > 0

    def departures(self) -> list[tuple[int, str]]:
        """(server, when the bot was removed) for servers not yet forgotten."""
        return self.db.execute(
            "SELECT guild_id, left_at FROM guild_departure ORDER BY left_at"
        ).fetchall()

    def checkpoint(self) -> None:
        """Best effort after a deletion: copy the WAL into the database file and empty it,
        so deleted rows' old pages do not stay in the -wal file (a reader may hold it)."""
        if self.path != ":memory:" and not self.db.conn.in_transaction:
            # Busy (a reader or another writer): SQLite's next checkpoint does it.
            with self.waiting_at_most(CHECKPOINT_WAIT_MS), contextlib.suppress(sqlite3.Error):
                self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # ------------------------------------------------------- server settings

    def modlog_channel(self, guild_id: int) -> int | None:
        """The channel a server's moderator changes are posted to (``!modlog channel``)."""
        found = self.db.execute(
            "SELECT modlog_channel_id FROM guild_setting WHERE guild_id = ?", [guild_id]
        ).fetchone()
        return found[0] if found else None

    def set_modlog_channel(self, guild_id: int, channel_id: int | None) -> int | None:
        """Set (or, with None, clear) a server's log channel; returns the previous one."""
        with self.atomic():
            before = self.modlog_channel(guild_id)
            self.db.execute(
                "INSERT INTO guild_setting (guild_id, modlog_channel_id, updated_at)"
                " VALUES (?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET"
                " modlog_channel_id = excluded.modlog_channel_id,"
                " updated_at = excluded.updated_at",
                [guild_id, channel_id, now()],
            )
        return before

    def forget_guild_settings(self, guild_id: int) -> int:
        """Delete a server's settings (its data purged); how many rows went."""
        with self.atomic():
            cur = self.db.execute("DELETE FROM guild_setting WHERE guild_id = ?", [guild_id])
        return cur.rowcount


def _as_seen(facts: list[Fact]) -> list[Fact]:
    """A server's facts with its overrides applied: an override replaces the global fact,
    a hiding override shows nothing."""
    replaced = {f.overrides for f in facts if f.overrides is not None}
    return [f for f in facts if f.id not in replaced and not f.hides]


def entity_from_row(row: dict[str, Any]) -> Entity:
    return Entity(
        id=row["id"],
        name=row["name"],
        kind=EntityKind(row["kind"]),
        show_id=row["show_id"],
        season=row["season"],
        guild_id=row["guild_id"],
    )


def source_from_row(row: dict[str, Any], prefix: str = "") -> Source:
    date = row[prefix + "date"]
    return Source(
        id=row[prefix + "id"],
        title=row[prefix + "title"],
        publisher=row[prefix + "publisher"],
        url=row[prefix + "url"],
        date=FuzzyDate.parse(date) if date else None,
        notes=row[prefix + "notes"],
    )


def fact_from_row(row: dict[str, Any]) -> Fact:
    return Fact(
        id=row["id"],
        entity_id=row["entity_id"],
        kind=Kind(row["kind"]),
        text=row["text"],
        status=Status(row["status"]),
        spoiler=bool(row["spoiler"]),
        date=FuzzyDate.parse(row["date"]) if row["date"] else None,
        source=source_from_row(row, "s_") if row.get("s_id") else None,
        quote=row["quote"],
        guild_id=row["guild_id"],
        version=row["version"],
        deleted=row["deleted_at"] is not None,
        overrides=row["overrides"],
        hides=bool(row["hides"]),
    )
