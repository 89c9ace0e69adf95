"""The SQLite store: curated rows, their transactions and the change log's writes.

Every curated write goes through :meth:`Store.insert` / :meth:`Store.update`, which
record the row's before/after in the ``change`` table in the caller's transaction,
so history, undo and other processes' catch-up all read one log. The store's other
tables (seeds applied, slash-command sync, server settings, privacy bookkeeping) are
``bot.store.bookkeeping``'s methods, mixed in.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.errors import (
    EditConflictError,
    NotFoundError,
    PermissionDeniedError,
    WriteRefusedError,
    database_problem,
)
from bot.logs import get_logger
from bot.models import (
    Actor,
    Entity,
    EntityKind,
    Fact,
    FuzzyDate,
    Kind,
    Source,
    Status,
    Verdict,
)
from bot.store import migrations
from bot.store.bookkeeping import REFERENCES, TABLES, Bookkeeping
from bot.store.bookkeeping import now as now  # re-exported: moderation and the engine use it
from bot.store.changelog import ChangeLog
from bot.store.factindex import FactIndex
from bot.store.mentions import Mentions
from bot.store.outbox import Outbox
from bot.store.rows import rows

BUSY_TIMEOUT_MS = 10_000

log = get_logger("showbot.store")


def _connect(path: str) -> sqlite3.Connection:
    """A read-write connection with showbot's settings."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    # WAL lets shards read while one writes. FULL sync makes every acknowledged
    # moderator change survive power loss too, at one fsync per commit: writes are
    # rare (edits, batched question-log flushes), so it costs little.
    if path != ":memory:":
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=FULL")
    # What is deleted (pruned questions, a forgotten server) is overwritten, not just
    # unlinked: the bytes do not linger in free pages of the file.
    conn.execute("PRAGMA secure_delete=ON")
    return conn


class Store(Bookkeeping):
    """One connection to the showbot database."""

    def __init__(self, db: Database, path: str) -> None:
        self.db = db
        self.path = path
        self.docs = FactIndex(db)
        # Which subjects each fact names, kept like the documents (bot/store/mentions.py).
        self.mentions = Mentions(db)
        # What followers hear about, written with the change (bot/store/outbox.py).
        self.outbox = Outbox(db)
        self.changes = ChangeLog(db)

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating and migrating if needed) the database at ``path``."""
        path = str(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = Database(_connect(path))
        store = cls(db, path)
        migrations.apply(db)
        return store

    @classmethod
    def open_readonly(cls, path: str | Path) -> Store:
        """Open an existing, up-to-date database for reading only (the web view): SQLite
        itself refuses every write on this connection; the bot may write meanwhile."""
        path = Path(path)
        if not path.is_file():
            raise NotFoundError(f"there is no database at {path}")
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro",
            uri=True,
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
        )
        db = Database(conn)
        db.execute("PRAGMA query_only=ON")
        migrations.require_current(db)
        return cls(db, str(path))

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
            # Search documents and the updates outbox commit with the rows they come from,
            # or not at all.
            self.outbox.flush()
            self.docs.flush()
            self.mentions.flush()  # after the documents: it looks names up in them
        except BaseException:
            self._abandon()
            raise
        # A refused COMMIT (a deferred foreign key, a full disk, an I/O error) can leave
        # SQLite in the transaction, holding the write lock: every later atomic() would
        # be a savepoint of it, acknowledged and never committed. It rolls back instead.
        try:
            conn.commit()
        except sqlite3.Error as exc:
            self._abandon()
            if database_problem(exc) != "bug":
                raise  # busy, unwritable, damaged: the callers' replies say which
            log.error("commit_refused", error=str(exc), exc_info=exc)
            raise WriteRefusedError(
                "The fact store refused that change, so nothing was changed."
                " The bot's operator has been told."
            ) from exc

    def _abandon(self) -> None:
        self.outbox.discard()
        self.docs.discard()
        self.mentions.discard()
        self._roll_back()

    def _roll_back(self) -> None:
        """Leave no transaction open, whatever state a failure left the connection in; a
        connection that cannot even roll back is replaced (its transaction dies with it),
        so the next write starts clean instead of nesting in a dead transaction."""
        conn = self.db.conn
        try:
            if conn.in_transaction:
                conn.rollback()
        except sqlite3.Error as exc:
            log.error("rollback_failed", error=str(exc))
        if conn.in_transaction and self.path != ":memory:":  # (a new one would be empty)
            self._reconnect()

    def _reconnect(self) -> None:
        old = self.db.conn
        self.db.conn = _connect(self.path)  # every holder of self.db sees the new one
        with contextlib.suppress(sqlite3.Error):
            old.close()

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
        self._check_scope(table, after)
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
        self._check_scope(table, after)
        self._log(actor, action, table, row_id, before, after, stamp)
        self._touched(table, before, after)
        return after

    def _check_scope(self, table: str, row: dict[str, Any]) -> None:
        """A row may point only at global rows or rows of its own server: a global fact
        citing one server's source would show that source everywhere, and that server
        could never be forgotten (its row is still referenced). Every curated write
        passes here, whichever command made it (raises; the caller's transaction rolls
        back)."""
        for column, target in REFERENCES.get(table, {}).items():
            if row.get(column) is None:
                continue
            found = self.db.execute(
                f"SELECT guild_id FROM {target} WHERE id = ?", [row[column]]
            ).fetchone()
            if found is None or found[0] is None or found[0] == row["guild_id"]:
                continue  # a missing row is the foreign key's to refuse
            whose = "a global" if row["guild_id"] is None else "this server's"
            raise PermissionDeniedError(
                f"{whose.capitalize()} {table} can't use {target} #{row[column]}: it belongs"
                f" to one server only. Use a global {target} (or make this {table} the"
                " server's own)."
            )

    def _touched(self, table: str, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        self.docs.touch(table, before, after)
        self.mentions.touch(table, before, after)
        self.outbox.touch(table, before, after)
        if not self.db.conn.in_transaction:  # a write outside atomic(): keep docs in step now
            self.outbox.flush()
            self.docs.flush()
            self.mentions.flush()

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
            next_id = self.next_id("change")
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
        return rows(self.db, sql, params)

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
        (start-up's table of entities, bot/answering/entities.py, is made of them)."""
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

    def facts_naming(self, entity_id: int, guild_id: int | None, limit: int = 100) -> list[Fact]:
        """The live facts of other subjects that name this one (bot/store/mentions.py), as
        one server sees them, oldest first."""
        ids = sorted(self.mentions.facts_naming_ids([entity_id]))[:limit]
        return [f for f in self.facts_by_ids(ids, guild_id) if f.entity_id != entity_id]

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

    def next_id(self, table: str) -> int:
        """The id the table's next row gets: never one a deleted row had (AUTOINCREMENT,
        migration m011)."""
        found = self.db.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0),"
            f" coalesce((SELECT max(id) FROM {table}), 0)) + 1",
            [table],
        ).fetchone()
        return int(found[0])

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

    def changes_since(
        self, change_id: int, tables: tuple[str, ...] = TABLES
    ) -> list[dict[str, Any]]:
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
        outcome=Verdict(row["outcome"]) if row.get("outcome") else None,
        outcome_note=row.get("outcome_note"),
        outcome_at=row.get("outcome_at"),
        unspoiled=bool(row.get("unspoiled")),
    )
