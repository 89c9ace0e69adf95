"""The store's reads, mixed into :class:`bot.store.core.Store`: rows by id, key or SQL; live
entities, sources and facts as models, as one server sees them (its overrides applied);
the next id, the change log's reads and the database's identity; and the row -> model
mappers (``entity_from_row``, ``source_from_row``, ``fact_from_row``) that modules reading
rows of their own use too."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from bot.models import Entity, EntityKind, Fact, FuzzyDate, Kind, Source, Status, Verdict
from bot.store.bookkeeping import TABLES
from bot.store.rows import rows

_FACTS_CACHED = 256  # subjects whose facts facts_for remembers (until the database changes)
_BY_ID_CACHED = 1 << 15  # facts facts_by_ids remembers by id (until the database changes)
_ROWS_MADE = 1 << 14  # facts remembered by the row they were made from
# columns -> row -> the Fact made from it: a row is its own key (an edited fact is another
# row), so nothing here goes stale; questions read the same facts again and again.
_MADE: dict[tuple[str, ...], dict[tuple[Any, ...], Fact]] = {}
# A date's text -> its FuzzyDate (immutable, so shared): facts and sources repeat a few
# hundred dates, and parsing them was a fifth of making a fact from its row.
_date = lru_cache(maxsize=1 << 12)(FuzzyDate.parse)

if TYPE_CHECKING:
    from sqlite_utils import Database

    from bot.store.mentions import Mentions


class Reads:
    """Store methods that read (see the module docstring)."""

    db: Database
    mentions: Mentions
    _facts_stamp: tuple[object, int, int] | None
    _facts: dict[tuple[int, int | None], tuple[Fact, ...]]
    _by_id: dict[tuple[int, int | None], tuple[Fact | None, tuple[Fact, ...]]]
    _quiet: tuple[object, int]  # a connection, and the question-log rows it wrote (log_written)

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
        """The live facts about an entity as one server sees them (its overrides applied).
        Remembered until the database changes (see :meth:`_stamp`): fans ask
        about the same subjects over and over."""
        stamp = self._stamp()
        # Inside a transaction (a writer checking before it writes) a savepoint may roll
        # back what was read: read afresh, remember nothing.
        cache = self._facts_cache(stamp) if stamp is not None else {}
        found = cache.get((entity_id, guild_id))
        if found is None:
            facts = self._facts_of(
                self._FACT_SELECT + " WHERE fact.entity_id = ? AND fact.deleted_at IS NULL"
                " AND (fact.guild_id IS NULL OR fact.guild_id = ?) ORDER BY fact.id",
                [entity_id, guild_id],
            )
            found = tuple(_as_seen(facts))
            if stamp is not None and self._facts_stamp == stamp:  # no change seen meanwhile
                if len(cache) >= _FACTS_CACHED:
                    cache.clear()
                cache[(entity_id, guild_id)] = found
        return list(found)

    def _stamp(self) -> tuple[object, int, int] | None:
        """What changes whenever the database may have, outside a transaction (None inside
        one): this connection (replaced after a failed COMMIT), the rows it wrote
        (``total_changes``: a transaction that wrote, committed or rolled back, moved it)
        and ``PRAGMA data_version`` (commits by any other connection or process)."""
        conn = self.db.conn
        if conn.in_transaction:
            return None
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        owner, quiet = self._quiet
        return conn, conn.total_changes - (quiet if owner is conn else 0), version

    def log_written(self, conn: object, changes: int, rows: int) -> None:
        """A transaction of this connection wrote ``changes`` rows, all of them ``rows``
        question-log rows (outside any other transaction): no fact changed, so the facts
        remembered stay good (the bot flushes its log every second, which made them all
        be read again). Anything else written too, and they are forgotten as usual."""
        if changes != rows:
            return
        owner, quiet = self._quiet
        self._quiet = (conn, (quiet if owner is conn else 0) + changes)

    def _facts_cache(
        self, stamp: tuple[object, int, int]
    ) -> dict[tuple[int, int | None], tuple[Fact, ...]]:
        """facts_for's remembered answers, emptied when ``stamp`` differs from theirs."""
        if self._facts_stamp != stamp:
            self._facts_stamp = stamp
            self._facts = {}
            self._by_id = {}
        return self._facts

    def facts_by_ids(self, fact_ids: list[int], guild_id: int | None) -> list[Fact]:
        """The given facts as one server sees them: its override instead of a global fact,
        nothing for a fact it hides, nothing for another server's fact. Remembered by id
        like facts_for's (a question reads ~40 candidates, most of them read before)."""
        if not fact_ids:
            return []
        wanted = sorted(set(fact_ids))
        stamp = self._stamp()
        if stamp is None:  # inside a transaction: read afresh, remember nothing
            parts = self._by_ids(wanted, guild_id)
        else:
            self._facts_cache(stamp)
            known = self._by_id
            missing = [i for i in wanted if (i, guild_id) not in known]
            parts = self._by_ids(missing, guild_id) if missing else {}
            if missing and self._facts_stamp == stamp:  # no change seen meanwhile
                if len(known) + len(missing) > _BY_ID_CACHED:
                    known.clear()
                known.update(((i, guild_id), part) for i, part in parts.items())
            parts.update((i, known[(i, guild_id)]) for i in wanted if i not in parts)
        # The facts, then the overrides of them not among them (what one query with
        # "id IN (...) OR overrides IN (...)" gave, in its order).
        facts = [own for i in wanted if (own := parts[i][0]) is not None]
        found = {f.id for f in facts}
        facts += [f for i in wanted for f in parts[i][1] if f.id not in found]
        return _as_seen(facts)

    def _by_ids(
        self, fact_ids: list[int], guild_id: int | None
    ) -> dict[int, tuple[Fact | None, tuple[Fact, ...]]]:
        """Each fact this server sees (None: none) and its overrides it sees, by id: two
        queries, as SQLite's OR of them gathered the rowids, then read every row again."""
        marks = ",".join("?" for _ in fact_ids)
        seen = " AND fact.deleted_at IS NULL AND (fact.guild_id IS NULL OR fact.guild_id = ?)"
        own = {
            f.id: f
            for f in self._facts_of(
                self._FACT_SELECT + f" WHERE fact.id IN ({marks})" + seen, [*fact_ids, guild_id]
            )
        }
        overrides: dict[int, list[Fact]] = {}
        for f in self._facts_of(
            self._FACT_SELECT + f" WHERE fact.overrides IN ({marks})" + seen + " ORDER BY fact.id",
            [*fact_ids, guild_id],
        ):
            overrides.setdefault(f.overrides or 0, []).append(f)
        return {i: (own.get(i), tuple(overrides.get(i, ()))) for i in fact_ids}

    def _facts_of(self, sql: str, params: list[Any]) -> list[Fact]:
        """The facts of a query's rows, each made once per distinct row (see _MADE)."""
        cur = self.db.execute(sql, params)
        cols = tuple(d[0] for d in cur.description)
        made = _MADE.setdefault(cols, {})
        make = _maker(cols)
        out = []
        for row in cur.fetchall():
            fact = made.get(row)
            if fact is None:
                if len(made) >= _ROWS_MADE:
                    made.clear()
                fact = made[row] = make(row)
            out.append(fact)
        return out

    def facts_naming(self, entity_id: int, guild_id: int | None, limit: int = 100) -> list[Fact]:
        """The live facts of other subjects that name this one (bot/store/mentions.py), as
        one server sees them, oldest first."""
        ids = sorted(self.mentions.facts_naming_ids([entity_id]))[:limit]
        return [f for f in self.facts_by_ids(ids, guild_id) if f.entity_id != entity_id]

    def names_of(self, entity_id: int, guild_id: int | None) -> list[str]:
        """An entity's name and the live aliases one server sees for it."""
        rows = self.db.execute(
            "SELECT name FROM entity WHERE id = ? UNION ALL SELECT name FROM alias"
            " WHERE entity_id = ? AND deleted_at IS NULL AND (guild_id IS NULL OR guild_id = ?)",
            [entity_id, entity_id, guild_id],
        ).fetchall()
        return [name for (name,) in rows]

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
        date=_date(date) if date else None,
        notes=row[prefix + "notes"],
    )


_KINDS = {k.value: k for k in Kind}
_STATUSES = {s.value: s for s in Status}
_VERDICTS = {v.value: v for v in Verdict}
_SOURCES_MADE = 1 << 10  # sources remembered by their columns (a few serve many facts)
_SOURCES: dict[tuple[Any, ...], Source] = {}


@lru_cache(maxsize=16)
def _maker(cols: tuple[str, ...]) -> Callable[[tuple[Any, ...]], Fact]:
    """fact_from_row for rows of these columns, by position: a question's first look at a
    fact made it (dict, enums by value, its source) in 20 us, most of a cold read."""
    if not {"outcome", "outcome_note", "outcome_at", "unspoiled"} <= set(cols):
        return lambda row: fact_from_row(dict(zip(cols, row, strict=True)))
    at = {c: i for i, c in enumerate(cols)}
    (i_id, i_entity, i_kind, i_text, i_status, i_spoiler, i_date, i_quote, i_guild) = (
        at[c]
        for c in (
            "id",
            "entity_id",
            "kind",
            "text",
            "status",
            "spoiler",
            "date",
            "quote",
            "guild_id",
        )
    )
    (i_version, i_deleted, i_overrides, i_hides, i_outcome, i_note, i_at, i_unspoiled) = (
        at[c]
        for c in (
            "version",
            "deleted_at",
            "overrides",
            "hides",
            "outcome",
            "outcome_note",
            "outcome_at",
            "unspoiled",
        )
    )
    source_at = [at[c] for c in _SOURCE_COLUMNS] if "s_id" in at else None

    def make(row: tuple[Any, ...]) -> Fact:
        source = None
        if source_at is not None and row[source_at[0]]:
            key = tuple(row[i] for i in source_at)
            source = _SOURCES.get(key)
            if source is None:
                if len(_SOURCES) >= _SOURCES_MADE:
                    _SOURCES.clear()
                source = _SOURCES[key] = source_from_row(
                    dict(zip(_SOURCE_COLUMNS, key, strict=True)), "s_"
                )
        date, outcome = row[i_date], row[i_outcome]
        return Fact(
            id=row[i_id],
            entity_id=row[i_entity],
            kind=_KINDS[row[i_kind]],
            text=row[i_text],
            status=_STATUSES[row[i_status]],
            spoiler=bool(row[i_spoiler]),
            date=_date(date) if date else None,
            source=source,
            quote=row[i_quote],
            guild_id=row[i_guild],
            version=row[i_version],
            deleted=row[i_deleted] is not None,
            overrides=row[i_overrides],
            hides=bool(row[i_hides]),
            outcome=_VERDICTS[outcome] if outcome else None,
            outcome_note=row[i_note],
            outcome_at=row[i_at],
            unspoiled=bool(row[i_unspoiled]),
        )

    return make


_SOURCE_COLUMNS = ("s_id", "s_title", "s_publisher", "s_url", "s_date", "s_notes")


def fact_from_row(row: dict[str, Any]) -> Fact:
    return Fact(
        id=row["id"],
        entity_id=row["entity_id"],
        kind=Kind(row["kind"]),
        text=row["text"],
        status=Status(row["status"]),
        spoiler=bool(row["spoiler"]),
        date=_date(row["date"]) if row["date"] else None,
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
