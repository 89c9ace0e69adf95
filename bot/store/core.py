"""The SQLite store: curated rows, their transactions and the change log's writes.

Every curated write goes through :meth:`Store.insert` / :meth:`Store.update`, which
record the row's before/after in the ``change`` table in the caller's transaction,
so history, undo and other processes' catch-up all read one log. Its reads (rows,
entities, sources and facts as models, the change log's reads) are ``bot.store.reads``'s
methods, and its other tables (seeds applied, slash-command sync, server settings, privacy
bookkeeping) ``bot.store.bookkeeping``'s, both mixed in.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
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
from bot.models import Actor, Fact
from bot.store import migrations
from bot.store.bookkeeping import REFERENCES, TABLES, Bookkeeping
from bot.store.bookkeeping import now as now  # re-exported: moderation and the engine use it
from bot.store.changelog import ChangeLog
from bot.store.factindex import FactIndex
from bot.store.mentions import Mentions
from bot.store.outbox import Outbox
from bot.store.phrasings import Phrasings
from bot.store.reads import Reads

BUSY_TIMEOUT_MS = 10_000

log = get_logger("showbot.store")


def _connect(path: str) -> sqlite3.Connection:
    """A read-write connection with showbot's settings."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    # WAL lets shards read while one writes. FULL sync makes every acknowledged
    # moderator change survive power loss too, at one fsync per commit: edits are rare,
    # so it costs little. (The question log's frequent flushes skip it: Store.unsynced.)
    if path != ":memory:":
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=FULL")
    # What is deleted (pruned questions, a forgotten server) is overwritten, not just
    # unlinked: the bytes do not linger in free pages of the file.
    conn.execute("PRAGMA secure_delete=ON")
    return conn


class Store(Reads, Bookkeeping):
    """One connection to the showbot database."""

    def __init__(self, db: Database, path: str) -> None:
        self.db = db
        self.path = path
        self.docs = FactIndex(db)
        # Which subjects each fact names, kept like the documents (bot/store/mentions.py).
        self.mentions = Mentions(db)
        # Questions taught as phrasings of a fact, searched per server (bot/store/phrasings.py).
        self.phrasings = Phrasings(db)
        # What followers hear about, written with the change (bot/store/outbox.py).
        self.outbox = Outbox(db)
        self.changes = ChangeLog(db)
        # facts_for's remembered answers and the database state they were read in (reads.py).
        self._facts_stamp: tuple[object, int, int] | None = None
        self._facts: dict[tuple[int, int | None], tuple[Fact, ...]] = {}
        self._by_id: dict[tuple[int, int | None], tuple[Fact | None, tuple[Fact, ...]]] = {}
        self._quiet: tuple[object, int] = (None, 0)

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
    def unsynced(self) -> Iterator[None]:
        """Inside, this connection's commits skip the fsync (synchronous=NORMAL): for
        rows a power cut may lose, the question log's, not an acknowledged change. The
        database stays whole either way (WAL), and the next FULL commit syncs these rows
        too. Outside a transaction only: SQLite ignores the setting inside one."""
        conn = self.db.conn
        if conn.in_transaction:
            yield
            return
        conn.execute("PRAGMA synchronous=NORMAL")
        try:
            yield
        finally:
            conn.execute("PRAGMA synchronous=FULL")

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
            self.phrasings.flush()
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
        self.phrasings.discard()
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

    def set_updates_channel(self, guild_id: int, channel_id: int | None) -> int | None:
        """Bookkeeping's setting, and in its transaction the server's open update windows
        post to the new channel from now on (issue 20, item 6)."""
        with self.atomic():
            before = super().set_updates_channel(guild_id, channel_id)
            self.outbox.channel_set(guild_id, channel_id)
        return before

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
        self.phrasings.touch(table, before, after)
        self.mentions.touch(table, before, after)
        self.outbox.touch(table, before, after)
        if not self.db.conn.in_transaction:  # a write outside atomic(): keep docs in step now
            self.outbox.flush()
            self.docs.flush()
            self.phrasings.flush()
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
