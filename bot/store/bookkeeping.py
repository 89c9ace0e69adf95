"""The store's bookkeeping tables, mixed into :class:`bot.store.core.Store`: which seed files
were applied, which slash commands Discord accepted, each server's settings, and what
privacy needs (a per-database secret, pseudonymising a moderator, purging a server's
rows, departures from servers)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.models import Actor

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlite_utils import Database

    from bot.store.factindex import FactIndex
    from bot.store.mentions import Mentions
    from bot.store.phrasings import Phrasings

TABLES = ("entity", "alias", "source", "fact", "synonym", "phrasing")  # the curated ones
# The curated rows' references (column -> table): each may point at a global row or one
# of its own server, never at another server's (Store._check_scope; forget relies on it).
REFERENCES: dict[str, dict[str, str]] = {
    "entity": {"show_id": "entity", "merged_into": "entity"},
    "alias": {"entity_id": "entity"},
    "fact": {"entity_id": "entity", "source_id": "source", "overrides": "fact"},
    "phrasing": {"fact_id": "fact"},
}
CHECKPOINT_WAIT_MS = 2_000  # after a deletion, for readers and writers to let the WAL go


def now() -> str:
    """UTC timestamp with milliseconds, sortable as text."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Bookkeeping:
    """Store methods over the bookkeeping tables (see the module docstring)."""

    db: Database
    docs: FactIndex
    mentions: Mentions
    phrasings: Phrasings
    path: str

    if TYPE_CHECKING:  # provided by Store

        def rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]: ...
        def atomic(self) -> contextlib.AbstractContextManager[None]: ...
        def batch(self) -> contextlib.AbstractContextManager[None]: ...
        def _log(
            self,
            actor: Actor,
            action: str,
            table: str,
            row_id: int,
            before: dict[str, Any] | None,
            after: dict[str, Any] | None,
            stamp: str,
        ) -> int: ...
        def waiting_at_most(self, ms: int) -> contextlib.AbstractContextManager[None]: ...
        def insert(self, table: str, values: dict[str, Any], actor: Actor, action: str) -> int: ...
        def update(
            self, table: str, row_id: int, changes: dict[str, Any], actor: Actor, action: str
        ) -> dict[str, Any]: ...

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
        """Delete a server's own curated rows (facts, aliases, sources, entities, synonyms,
        and phrasings, those it taught global facts too), their search documents and their
        change history, its command-sync record and its departure; global rows and other
        servers' rows stay. One content-free ``forget``
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
            counts["detached"] = self._detach_global_rows(guild_id, actor)
            self.docs.purge(guild_id)
            self.phrasings.purge(guild_id)
            self.mentions.purge(guild_id)
            history = 0
            for table in TABLES:
                history += self.db.execute(
                    "DELETE FROM change WHERE table_name = ? AND row_id IN"
                    f" (SELECT id FROM {table} WHERE guild_id = ?)",
                    [table, guild_id],
                ).rowcount
            for table in ("phrasing", "fact", "alias", "synonym", "source", "entity"):
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

    def _detach_global_rows(self, guild_id: int, actor: Actor) -> int:
        """Global rows that point at the server's rows (made before Store._check_scope
        refused it: a global fact citing its source, a global subject merged into its
        subject) take back the global value they had before, else none, else a global
        copy of the subject, so the server's rows can go; each a logged edit. How many."""
        fixes: dict[tuple[str, int], dict[str, Any]] = {}
        for table, refs in REFERENCES.items():
            for column, target in refs.items():
                for row_id, value in self.db.execute(
                    f"SELECT id, {column} FROM {table} WHERE guild_id IS NULL AND {column}"
                    f" IN (SELECT id FROM {target} WHERE guild_id = ?)",
                    [guild_id],
                ).fetchall():
                    fixes.setdefault((table, row_id), {})[column] = self._global_before(
                        table, row_id, column, target, value, actor
                    )
        # Un-merges first: a fact moved back to a subject needs it live again.
        for (table, row_id), changes in sorted(fixes.items(), key=lambda f: f[0][0] != "entity"):
            self.update(table, row_id, changes, actor, "forget.detach")
        return len(fixes)

    def _global_before(
        self, table: str, row_id: int, column: str, target: str, value: int, actor: Actor
    ) -> int | None:
        for (before,) in self.db.execute(
            "SELECT before FROM change WHERE table_name = ? AND row_id = ? AND before IS NOT NULL"
            " ORDER BY id DESC",
            [table, row_id],
        ):
            old = json.loads(before).get(column)
            if old is None or old == value:
                continue
            found = self.db.execute(f"SELECT guild_id FROM {target} WHERE id = ?", [old])
            if (hit := found.fetchone()) is not None and hit[0] is None:
                return int(old)
        if (table, column) not in {("alias", "entity_id"), ("fact", "entity_id")}:
            return None
        merged = self.db.execute(  # a global subject merged into it (un-merged meanwhile)
            "SELECT min(id) FROM entity WHERE guild_id IS NULL AND merged_into = ?", [value]
        ).fetchone()[0]
        if merged is not None:
            return int(merged)
        name, kind = self.db.execute(
            "SELECT name, kind FROM entity WHERE id = ?", [value]
        ).fetchone()
        return self.insert("entity", {"name": name, "kind": kind}, actor, "forget.detach")

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
        return self._channel_setting(guild_id, "modlog_channel_id")

    def set_modlog_channel(self, guild_id: int, channel_id: int | None) -> int | None:
        """Set (or, with None, clear) a server's log channel; returns the previous one."""
        return self._set_channel_setting(guild_id, "modlog_channel_id", channel_id)

    def updates_channel(self, guild_id: int) -> int | None:
        """The channel a server's followed-subject updates are posted to (``!updates``)."""
        return self._channel_setting(guild_id, "updates_channel_id")

    def set_updates_channel(self, guild_id: int, channel_id: int | None) -> int | None:
        """Set (or, with None, clear) a server's updates channel; returns the previous one."""
        return self._set_channel_setting(guild_id, "updates_channel_id", channel_id)

    _CHANNEL_SETTINGS = ("modlog_channel_id", "updates_channel_id")

    def _channel_setting(self, guild_id: int, column: str) -> int | None:
        assert column in self._CHANNEL_SETTINGS  # a column name, never text from outside
        found = self.db.execute(
            f"SELECT {column} FROM guild_setting WHERE guild_id = ?", [guild_id]
        ).fetchone()
        return found[0] if found else None

    def _set_channel_setting(
        self, guild_id: int, column: str, channel_id: int | None
    ) -> int | None:
        with self.atomic():
            before = self._channel_setting(guild_id, column)
            self.db.execute(
                f"INSERT INTO guild_setting (guild_id, {column}, updated_at)"
                " VALUES (?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET"
                f" {column} = excluded.{column}, updated_at = excluded.updated_at",
                [guild_id, channel_id, now()],
            )
        return before

    def forget_guild_settings(self, guild_id: int) -> int:
        """Delete a server's settings (its data purged); how many rows went."""
        with self.atomic():
            cur = self.db.execute("DELETE FROM guild_setting WHERE guild_id = ?", [guild_id])
        return cur.rowcount
