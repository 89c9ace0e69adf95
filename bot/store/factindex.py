"""The facts' search documents: full-text (SQLite FTS5, porter, BM25) and stored vectors.

One row of ``fact_doc`` per live fact: its text and quote (``body``), the names its
subject goes by (``names``: the subject's name and aliases, and for a season its show's),
and the body's embedding (int8, see :mod:`bot.language.embedding`). ``fact_doc_fts`` is an FTS5
index over it that sqlite-utils keeps in step with triggers.

The store calls :meth:`FactIndex.touch` for every curated row it writes, and
:meth:`FactIndex.flush` just before the outermost transaction commits, so documents
change in the same transaction as the facts and names they come from (every process
sees both at once) and an import embeds its facts in batches, not one by one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from sqlite_utils import Database

from bot.language.embedding import embedder, from_blobs, to_blob
from bot.store.mentions import spans

_BATCH = 512  # facts embedded and written per round when many changed at once
_FREQS = 50_000  # word frequencies remembered between changes
# Up to this many documents, every term's count is read at once (a few ms) when a term not
# yet counted is asked: each term read alone costs FTS5 ~40 µs, and a name nobody knows
# brings new terms with every question.
_WHOLE_VOCABULARY = 5_000
_POSTINGS = 500_000  # (document, BM25 share) pairs of searched words remembered between changes
# Documents written by one flush (a bulk import, a rebuild) after which the full-text
# index is merged into one segment (see FactIndex.merge).
MERGE_AFTER = 1000
_NO_GUILD = np.iinfo(np.int64).min  # a document every server sees, in the guild column
_GONE = _NO_GUILD + 1  # a document no longer there: no server sees it


def _owner(guild_id: int | None) -> int:
    return _NO_GUILD if guild_id is None else guild_id


_TERM = re.compile(r"[^\W_]+")


def match_any(terms: Iterable[str]) -> str:
    """An FTS5 query matching any of ``terms``: each is a quoted string, so quotes, ``*``,
    ``-``, ``^``, ``:``, parentheses and AND/OR/NEAR in user text are words, never syntax."""
    return " OR ".join(_quoted(terms))


def _quoted(terms: Iterable[str]) -> list[str]:
    """The distinct words of ``terms``, each an FTS5 string, in order."""
    quoted = []
    for term in terms:
        for word in _TERM.findall(term):
            quoted.append('"' + word.replace('"', '""') + '"')
    return list(dict.fromkeys(quoted))


def _phrase(text: str) -> str:
    """An FTS5 query for the words of ``text`` in a row in a fact's own text (its body
    column), or "" when it has none."""
    words = _TERM.findall(text)
    return 'body : "' + " ".join(words) + '"' if words else ""


class FactIndex:
    """Keeps ``fact_doc`` in step with the curated tables, and reads it."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._pending: set[int] = set()
        self._size: int | None = None
        self._freqs: dict[str, int] = {}  # term -> documents; until the documents change
        self._whole = False  # _freqs holds every term (any other is in no document)
        # quoted term -> its documents' ids, BM25 shares and servers; until they change
        self._postings: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        # the ids and servers of the documents one server owns, by id; until they change
        self._owned: tuple[np.ndarray, np.ndarray, int] | None = None
        self._held = 0  # postings remembered
        # (what was asked, phrases, server) -> held; until the documents change
        self._phrases: dict[tuple[str, tuple[str, ...], int | None], bool] = {}

    # ------------------------------------------------------------ keeping in step

    def touch(self, table: str, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        """Note which facts' documents a written row affects (applied by :meth:`flush`)."""
        if table == "fact":
            self._pending.add(int(after["id"]))
        elif table == "entity":
            if before is None:
                return  # a new subject has no facts yet
            self._pending.update(self._facts_of_entities([int(after["id"])]))
        elif table == "alias":
            ids = {int(after["entity_id"])}
            if before is not None:
                ids.add(int(before["entity_id"]))
            self._pending.update(self._facts_of_entities(list(ids)))

    def discard(self) -> None:
        """Forget pending work (the transaction rolled back)."""
        self._pending.clear()

    def flush(self) -> int:
        """Rewrite the documents of every fact touched since the last flush; returns how many."""
        pending, self._pending = sorted(self._pending), set()
        if pending:
            self.changed()
        for start in range(0, len(pending), _BATCH):
            self._refresh(pending[start : start + _BATCH])
        if len(pending) >= MERGE_AFTER:
            self.merge()
        return len(pending)

    def merge(self) -> None:
        """Merge the full-text index into one segment (FTS5's ``optimize``), in the
        caller's transaction. A bulk import leaves many segments (7 at 100k facts, 20 for
        MetaQA's 18k), and looking a word up reads each: a rare word 34 -> 19 us at 100k,
        for 0.3 s once. The same rows and ranks; small edits add small segments that
        FTS5's automerge keeps few."""
        self.db.execute("INSERT INTO fact_doc_fts (fact_doc_fts) VALUES ('optimize')")

    def rebuild(self) -> int:
        """Every live fact's document, from scratch (a migration of an existing database)."""
        self.db.execute("DELETE FROM fact_doc")
        ids = [r[0] for r in self.db.execute("SELECT id FROM fact ORDER BY id")]
        self._pending.update(ids)
        return self.flush()

    def _facts_of_entities(self, entity_ids: list[int]) -> list[int]:
        # A show's names are part of its seasons' documents too.
        marks = ",".join("?" for _ in entity_ids)
        return [
            r[0]
            for r in self.db.execute(
                f"SELECT id FROM fact WHERE entity_id IN ({marks}) OR entity_id IN"
                f" (SELECT id FROM entity WHERE show_id IN ({marks}))",
                [*entity_ids, *entity_ids],
            )
        ]

    def _refresh(self, fact_ids: list[int]) -> None:
        marks = ",".join("?" for _ in fact_ids)
        rows = self.db.execute(
            "SELECT fact.id, fact.entity_id, fact.guild_id, fact.text, fact.quote,"
            " fact.deleted_at, fact.hides, entity.deleted_at, entity.merged_into,"
            " entity.show_id, fact_doc.body, fact_doc.vector FROM fact"
            " JOIN entity ON entity.id = fact.entity_id"
            f" LEFT JOIN fact_doc ON fact_doc.fact_id = fact.id WHERE fact.id IN ({marks})",
            fact_ids,
        ).fetchall()
        live: list[tuple[Any, ...]] = []
        gone = set(fact_ids)
        for row in rows:
            fid, _, _, _, _, deleted, hides, e_deleted, merged, _, _, _ = row
            if deleted or hides or e_deleted or merged:
                continue  # removed, a hiding marker, or its subject is gone: not findable
            gone.discard(fid)
            live.append(row)
        if gone:
            ids = sorted(gone)
            self.db.execute(
                f"DELETE FROM fact_doc WHERE fact_id IN ({','.join('?' for _ in ids)})", ids
            )
        if not live:
            return
        names = self._names({(r[1], r[2], r[9]) for r in live})
        bodies = [" ".join(filter(None, (r[3], r[4]))) for r in live]
        stale = [i for i, r in enumerate(live) if r[10] != bodies[i] or r[11] is None]
        vectors = {}
        if stale:
            embedded = embedder().embed([bodies[i] for i in stale])
            vectors = {i: to_blob(v) for i, v in zip(stale, embedded, strict=True)}
        self.db.conn.executemany(
            "INSERT INTO fact_doc (fact_id, entity_id, guild_id, body, names, vector)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (fact_id) DO UPDATE SET"
            " entity_id = excluded.entity_id, guild_id = excluded.guild_id,"
            " body = excluded.body, names = excluded.names, vector = excluded.vector"
            " WHERE fact_doc.body IS NOT excluded.body OR fact_doc.names IS NOT excluded.names"
            " OR fact_doc.entity_id IS NOT excluded.entity_id"
            " OR fact_doc.guild_id IS NOT excluded.guild_id"
            " OR fact_doc.vector IS NOT excluded.vector",
            [
                (r[0], r[1], r[2], bodies[i], names[(r[1], r[2])], vectors.get(i, r[11]))
                for i, r in enumerate(live)
            ],
        )

    def _names(
        self, subjects: set[tuple[int, int | None, int | None]]
    ) -> dict[tuple[int, int | None], str]:
        """(entity, fact's server) -> the names a fact's subject goes by in that server."""
        wanted = {eid for eid, _, _ in subjects} | {s for _, _, s in subjects if s}
        marks = ",".join("?" for _ in wanted)
        found: dict[int, list[tuple[str, int | None]]] = {eid: [] for eid in wanted}
        for eid, name in self.db.execute(
            f"SELECT id, name FROM entity WHERE id IN ({marks})", list(wanted)
        ):
            found[eid].append((name, None))
        for eid, name, guild in self.db.execute(
            f"SELECT entity_id, name, guild_id FROM alias WHERE entity_id IN ({marks})"
            " AND deleted_at IS NULL ORDER BY id",
            list(wanted),
        ):
            found[eid].append((name, guild))
        out: dict[tuple[int, int | None], str] = {}
        for eid, guild, show in subjects:
            # A server's aliases name its own facts only: nothing leaks between servers.
            own = [n for n, g in found[eid] + found.get(show or 0, []) if g in (None, guild)]
            out[(eid, guild)] = " ; ".join(dict.fromkeys(own))
        return out

    # ------------------------------------------------------------ reading

    def size(self) -> int:
        """How many documents there are (counted once per change: a count scans the table)."""
        if self._size is None:
            self._size = int(self.db.execute("SELECT count(*) FROM fact_doc").fetchone()[0])
        return self._size

    def purge(self, guild_id: int) -> None:
        """Delete a server's documents so that none of its words stays in the file: FTS5
        keeps a deleted document's terms in its segments until they are merged, so all
        are merged now (``optimize``), and secure_delete overwrites the freed pages."""
        self.db.execute(
            "DELETE FROM fact_doc WHERE fact_id IN (SELECT id FROM fact WHERE guild_id = ?)",
            [guild_id],
        )
        self.db.execute("INSERT INTO fact_doc_fts (fact_doc_fts) VALUES ('optimize')")
        self.changed()

    def changed(self) -> None:
        """Documents may have changed (here or in another process): count again."""
        self._size = None
        self._freqs.clear()
        self._whole = False
        self._postings.clear()
        self._held = 0
        self._owned = None
        self._phrases.clear()

    def doc_freqs(self, terms: Iterable[str]) -> dict[str, int]:
        """How many documents hold each (porter-stemmed) term."""
        wanted = list(dict.fromkeys(terms))
        missing = [t for t in wanted if t not in self._freqs]
        if missing and not self._whole and self._read_whole():
            missing = []  # every term is counted now: one missing is in no document
        known = self._freqs
        if missing and not self._whole:
            marks = ",".join("?" for _ in missing)
            found = dict(
                self.db.execute(
                    f"SELECT term, doc FROM fact_doc_fts_vocab WHERE term IN ({marks})", missing
                ).fetchall()
            )
            if len(known) > _FREQS:
                known.clear()
            known.update((t, int(found.get(t, 0))) for t in missing)
        return {t: known.get(t, 0) for t in wanted}

    def _read_whole(self) -> bool:
        """Every term's count into _freqs, if the documents are few; never inside a
        transaction, whose reads a rollback may undo (then terms are read one by one, as
        for many documents)."""
        if self.db.conn.in_transaction or self.size() > _WHOLE_VOCABULARY:
            return False
        rows = self.db.execute("SELECT term, doc FROM fact_doc_fts_vocab").fetchall()
        self._freqs = {t: int(n) for t, n in rows}
        self._whole = True
        return True

    def search(self, terms: list[str], guild_id: int | None, limit: int) -> list[int]:
        """Fact ids best matching any of ``terms`` by BM25 (names weigh double: the
        table's rank, see migration m006), within what a server may see."""
        quoted = _quoted(terms)
        if not quoted:
            return []
        if self.db.conn.in_transaction:
            # A writer's read may see what a rollback undoes: ranked inside FTS5, not
            # remembered. Then the scope: other servers' documents are few, so three
            # times the limit leaves enough.
            return [
                r[0]
                for r in self.db.execute(
                    "SELECT fact_doc.fact_id FROM (SELECT rowid FROM fact_doc_fts"
                    " WHERE fact_doc_fts MATCH ? ORDER BY rank LIMIT ?) AS hit"
                    " JOIN fact_doc ON fact_doc.fact_id = hit.rowid"
                    " WHERE fact_doc.guild_id IS NULL OR fact_doc.guild_id = ? LIMIT ?",
                    [" OR ".join(quoted), 3 * limit, guild_id, limit],
                )
            ]
        # FTS5's BM25 of an OR query is the sum of each term's own, in the query's order
        # (the same doubles), and it breaks ties by id: each term's share is remembered,
        # as fans' questions share their words, and summed here.
        found = [self._term_postings(term) for term in quoted]
        ids = np.concatenate([f[0] for f in found])
        if not len(ids):
            return []
        docs, at = np.unique(ids, return_inverse=True)
        ranks = np.bincount(at, weights=np.concatenate([f[1] for f in found]))
        guilds = np.zeros(len(docs), dtype=np.int64)
        guilds[at] = np.concatenate([f[2] for f in found])
        best = np.lexsort((docs, ranks))[: 3 * limit]
        scope = _NO_GUILD if guild_id is None else guild_id
        seen = (guilds[best] == _NO_GUILD) | (guilds[best] == scope)
        return [int(d) for d in docs[best[seen]][:limit]]

    def _term_postings(self, term: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One quoted term's documents: ids, BM25 (FTS5's rank) and server."""
        found = self._postings.get(term)
        if found is None:
            # FTS5 alone: joining fact_doc for each row's server cost as much as the
            # ranking (a word in 10% of the facts: 75 ms, 45 of them without the join).
            rows = self.db.execute(
                "SELECT rowid, rank FROM fact_doc_fts WHERE fact_doc_fts MATCH ?", [term]
            ).fetchall()
            ids = np.fromiter((r[0] for r in rows), np.int64, len(rows))
            found = (
                ids,
                np.fromiter((r[1] for r in rows), np.float64, len(rows)),
                self._servers(ids),
            )
            if self._held + len(rows) > _POSTINGS:
                self._postings.clear()
                self._held = 0
            self._postings[term] = found
            self._held += len(rows)
        return found

    def _servers(self, ids: np.ndarray) -> np.ndarray:
        """The server of each of the documents ``ids`` (_NO_GUILD: every server's)."""
        if self._owned is None:
            # Sorted here: ORDER BY would have SQLite scan the table, not the index.
            rows = self.db.execute(
                "SELECT fact_id, guild_id FROM fact_doc WHERE guild_id IS NOT NULL"
            ).fetchall()
            top = self.db.execute("SELECT max(fact_id) FROM fact_doc").fetchone()[0] or 0
            ids_ = np.array([r[0] for r in rows], dtype=np.int64)
            order = np.argsort(ids_, kind="stable")
            owned_by = np.array([r[1] for r in rows], dtype=np.int64)[order]
            self._owned = (ids_[order], owned_by, int(top))
        owned, servers, top = self._owned
        out = np.full(len(ids), _NO_GUILD, dtype=np.int64)
        if len(owned):
            at = np.minimum(np.searchsorted(owned, ids), len(owned) - 1)
            hit = owned[at] == ids
            out[hit] = servers[at[hit]]
        newer = np.flatnonzero(ids > top)
        if len(newer):
            # Written by another connection since the servers were read (this one hears
            # of it at its next sync): read, never assumed everyone's.
            wanted = [int(i) for i in ids[newer]]
            found = dict(
                self.db.execute(
                    f"SELECT fact_id, guild_id FROM fact_doc WHERE fact_id IN "
                    f"({','.join('?' * len(wanted))})",
                    wanted,
                ).fetchall()
            )
            out[newer] = [_GONE if i not in found else _owner(found[i]) for i in wanted]
        return out

    def _remembered(
        self, what: str, phrases: tuple[str, ...], guild_id: int | None, look: Callable[[], bool]
    ) -> bool:
        if self.db.conn.in_transaction:
            return look()  # what a write may yet change or roll back is not remembered
        key = (what, phrases, guild_id)
        held = self._phrases.get(key)
        if held is None:
            if len(self._phrases) > _FREQS:
                self._phrases.clear()
            held = self._phrases[key] = look()
        return held

    def holds(self, phrases: list[str], guild_id: int | None) -> bool:
        """Whether some fact's text holds one of ``phrases`` (normalised words, in a row)."""
        return self._remembered(
            "holds", tuple(phrases), guild_id, lambda: self._holds(phrases, guild_id)
        )

    def _holds(self, phrases: list[str], guild_id: int | None) -> bool:
        query = " OR ".join(q for p in phrases if (q := _phrase(p)))
        if not query:
            return False
        return (
            self.db.execute(
                "SELECT 1 FROM (SELECT rowid FROM fact_doc_fts WHERE fact_doc_fts MATCH ?) AS hit"
                " JOIN fact_doc ON fact_doc.fact_id = hit.rowid"
                " WHERE fact_doc.guild_id IS NULL OR fact_doc.guild_id = ? LIMIT 1",
                [query, guild_id],
            ).fetchone()
            is not None
        )

    def in_a_name(self, phrase: str, guild_id: int | None) -> bool:
        """Whether some fact holds ``phrase`` (normalised words) inside a name-like span
        of its text: a quoted phrase or a run of capitalised words ('tagged "michael
        winner"', "Crash is a Car Accident film")."""
        return self._remembered(
            "name", (phrase,), guild_id, lambda: self._in_a_name(phrase, guild_id)
        )

    def _in_a_name(self, phrase: str, guild_id: int | None, limit: int = 20) -> bool:
        query = _phrase(phrase)
        if not query:
            return False
        rows = self.db.execute(
            "SELECT fact_doc.body FROM (SELECT rowid FROM fact_doc_fts"
            " WHERE fact_doc_fts MATCH ? LIMIT ?) AS hit"
            " JOIN fact_doc ON fact_doc.fact_id = hit.rowid"
            " WHERE fact_doc.guild_id IS NULL OR fact_doc.guild_id = ?",
            [query, limit, guild_id],
        )
        wanted = f" {' '.join(_TERM.findall(phrase))} "
        return any(wanted in f" {span} " for (body,) in rows for span in spans(body))

    def of_subjects(self, entity_ids: list[int], guild_id: int | None, limit: int) -> list[int]:
        """The facts of the given subjects (through the entity index: no full scan)."""
        if not entity_ids:
            return []
        marks = ",".join("?" for _ in entity_ids)
        return [
            r[0]
            for r in self.db.execute(
                f"SELECT fact_id FROM fact_doc WHERE entity_id IN ({marks})"
                " AND (guild_id IS NULL OR guild_id = ?) LIMIT ?",
                [*entity_ids, guild_id, limit],
            )
        ]

    def docs(self, fact_ids: list[int]) -> dict[int, tuple[str, str, np.ndarray]]:
        """fact id -> (body, names, vector) for the given facts that have documents."""
        if not fact_ids:
            return {}
        marks = ",".join("?" for _ in fact_ids)
        rows = self.db.execute(
            f"SELECT fact_id, body, names, vector FROM fact_doc WHERE fact_id IN ({marks})",
            fact_ids,
        ).fetchall()
        vectors = from_blobs([r[3] for r in rows])
        return {r[0]: (r[1], r[2], vectors[i]) for i, r in enumerate(rows)}


def create(db: Database) -> None:
    """The schema (called by the migration that introduced it)."""
    db.execute(
        "CREATE TABLE fact_doc (fact_id INTEGER PRIMARY KEY REFERENCES fact(id),"
        " entity_id INTEGER NOT NULL, guild_id INTEGER, body TEXT NOT NULL,"
        " names TEXT NOT NULL, vector BLOB)"
    )
    db.table("fact_doc").enable_fts(["body", "names"], tokenize="porter", create_triggers=True)
    db.execute("CREATE VIRTUAL TABLE fact_doc_fts_vocab USING fts5vocab(fact_doc_fts, 'row')")


def create_server_index(db: Database) -> None:
    """The documents one server owns, without a full scan (few: most facts are global)."""
    db.execute(
        "CREATE INDEX IF NOT EXISTS fact_doc_guild ON fact_doc (guild_id, fact_id)"
        " WHERE guild_id IS NOT NULL"
    )


def create_indexes(db: Database) -> None:
    """A subject's documents, and a fact's server overrides, without a full scan."""
    db.execute("CREATE INDEX IF NOT EXISTS fact_doc_entity ON fact_doc (entity_id, fact_id)")
    db.execute(
        "CREATE INDEX IF NOT EXISTS fact_overrides ON fact (overrides) WHERE overrides IS NOT NULL"
    )
