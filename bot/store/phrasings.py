"""Phrasings: questions moderators taught as another way of asking for one fact
(``!fact teach``), and their search documents.

A phrasing is a curated row (``phrasing``: its fact, its text, its server or NULL for
global), versioned, soft-deleted and in the change log like an alias, so history, undo,
export and forget treat it like every other moderator write.

Its words and vector live in ``phrasing_doc`` (FTS5, porter, as the facts' documents),
one row per phrasing, *not* in the fact's own document: a global fact has one document
every server shares (and the web view searches), and a server's phrasing must neither
help nor show in another server. So each read takes the asking server: its own
phrasings and the global ones, never another server's.

- :meth:`Phrasings.matching`: the phrasings sharing a question's words; their facts join
  the free path's candidates, and their words count as words the store knows.
- :meth:`Phrasings.of_facts`: each candidate fact's phrasings: their words count as the
  fact's words, their vectors as its meaning (the closest one wins), and grounding
  reads them as text the fact says. A phrasing helps only the fact it was taught for
  (and the server's own version of that fact, which answers in its place).

Documents are written like the facts' (bot/store/factindex.py): :meth:`touch` for every
written phrasing row, :meth:`flush` just before the transaction commits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlite_utils import Database

from bot.language.embedding import embedder, from_blobs, to_blob
from bot.language.text import FUNCTION_WORDS, normalize, stem
from bot.store.factindex import match_any

MATCHED = 50  # phrasings a question's words may gather


@dataclass(frozen=True, slots=True)
class Taught:
    """The phrasings one server sees that share a question's words."""

    facts: tuple[int, ...] = ()  # the facts they were taught for, best match first
    freqs: dict[str, int] = field(default_factory=dict)  # stem -> phrasings holding it
    exact: tuple[int, ...] = ()  # facts taught a phrasing with just the question's words


@dataclass(frozen=True, slots=True)
class Phrased:
    """One fact's phrasings as one server sees them."""

    text: str  # their words, one after another
    vectors: np.ndarray  # one row per phrasing


NOTHING = Taught()


class Phrasings:
    """Keeps ``phrasing_doc`` in step with the ``phrasing`` rows, and reads both."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._pending: set[int] = set()
        # The servers (None: global) that have any phrasing: most have none, and then a
        # question costs no query here. Cleared whenever documents may have changed.
        self._scopes: frozenset[int | None] | None = None

    # ------------------------------------------------------------ keeping in step

    def touch(self, table: str, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        if table == "phrasing":
            self._pending.add(int(after["id"]))

    def discard(self) -> None:
        self._pending.clear()

    def flush(self) -> int:
        """Rewrite the documents of the phrasings written since the last flush."""
        pending, self._pending = sorted(self._pending), set()
        if pending:
            self.changed()
            self._refresh(pending)
        return len(pending)

    def _refresh(self, ids: list[int]) -> None:
        marks = ",".join("?" for _ in ids)
        rows = self.db.execute(
            f"SELECT id, fact_id, guild_id, text, deleted_at FROM phrasing WHERE id IN ({marks})",
            ids,
        ).fetchall()
        live = [r for r in rows if r[4] is None]
        gone = sorted(set(ids) - {r[0] for r in live})
        if gone:
            self.db.execute(
                f"DELETE FROM phrasing_doc WHERE phrasing_id IN ({','.join('?' for _ in gone)})",
                gone,
            )
        if not live:
            return
        vectors = embedder().embed([r[3] for r in live])
        self.db.conn.executemany(
            "INSERT INTO phrasing_doc (phrasing_id, fact_id, guild_id, body, vector)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (phrasing_id) DO UPDATE SET"
            " fact_id = excluded.fact_id, guild_id = excluded.guild_id,"
            " body = excluded.body, vector = excluded.vector",
            [(r[0], r[1], r[2], r[3], to_blob(v)) for r, v in zip(live, vectors, strict=True)],
        )

    def purge(self, guild_id: int) -> None:
        """Delete a server's documents, its words merged out of the FTS5 segments too
        (as :meth:`FactIndex.purge` does for the facts')."""
        self.db.execute("DELETE FROM phrasing_doc WHERE guild_id = ?", [guild_id])
        self.db.execute("INSERT INTO phrasing_doc_fts (phrasing_doc_fts) VALUES ('optimize')")
        self.changed()

    def changed(self) -> None:
        """Documents may have changed (here or in another process): look again."""
        self._scopes = None

    def _any(self, guild_id: int | None) -> bool:
        if self._scopes is None:
            found = self.db.execute("SELECT DISTINCT guild_id FROM phrasing_doc").fetchall()
            self._scopes = frozenset(r[0] for r in found)
        return None in self._scopes or (guild_id is not None and guild_id in self._scopes)

    # ------------------------------------------------------------ answering

    def matching(self, words: Iterable[str], guild_id: int | None) -> Taught:
        """The phrasings ``guild_id`` sees (its own and the global ones) holding any of
        ``words`` (the question's content words), best first by BM25."""
        if not self._any(guild_id):
            return NOTHING
        words = list(words)
        query = match_any(words)
        if not query:
            return NOTHING
        rows = self.db.execute(
            "SELECT d.fact_id, d.body FROM phrasing_doc_fts"
            " JOIN phrasing_doc AS d ON d.phrasing_id = phrasing_doc_fts.rowid"
            " WHERE phrasing_doc_fts MATCH ? AND (d.guild_id IS NULL OR d.guild_id = ?)"
            " ORDER BY phrasing_doc_fts.rank LIMIT ?",
            [query, guild_id, MATCHED],
        ).fetchall()
        asked = {stem(w) for w in normalize(" ".join(words)).split() if w not in FUNCTION_WORDS}
        freqs: Counter[str] = Counter()
        exact = []
        for fact_id, body in rows:
            said = phrasing_stems(body)
            freqs.update(said)
            if said == asked:
                exact.append(fact_id)
        facts = tuple(dict.fromkeys(r[0] for r in rows))
        return Taught(facts, dict(freqs), tuple(dict.fromkeys(exact)))

    def of_facts(
        self, facts: Iterable[tuple[int, int | None]], guild_id: int | None
    ) -> dict[int, Phrased]:
        """Fact id -> its phrasings ``guild_id`` sees, for each (fact id, the global fact
        it overrides or None): a server's version of a global fact has the global fact's
        phrasings too. Facts without any are left out."""
        pairs = list(facts)
        if not pairs or not self._any(guild_id):
            return {}
        ids = sorted({i for pair in pairs for i in pair if i is not None})
        marks = ",".join("?" for _ in ids)
        rows = self.db.execute(
            f"SELECT fact_id, body, vector FROM phrasing_doc WHERE fact_id IN ({marks})"
            " AND (guild_id IS NULL OR guild_id = ?) ORDER BY phrasing_id",
            [*ids, guild_id],
        ).fetchall()
        if not rows:
            return {}
        vectors = from_blobs([r[2] for r in rows])
        by_fact: dict[int, list[int]] = {}
        for i, row in enumerate(rows):
            by_fact.setdefault(row[0], []).append(i)
        out = {}
        for fact_id, overrides in pairs:
            found = by_fact.get(fact_id, []) + by_fact.get(overrides or 0, [])
            if found:
                text = " ".join(rows[i][1] for i in found)
                out[fact_id] = Phrased(text, vectors[found])
        return out

    # ------------------------------------------------------------ moderation's reads

    def of_fact(self, fact_ids: Iterable[int], guild_id: int | None) -> list[dict[str, Any]]:
        """The live phrasing rows of these facts that ``guild_id`` sees, oldest first."""
        ids = sorted(set(fact_ids))
        if not ids:
            return []
        marks = ",".join("?" for _ in ids)
        cur = self.db.execute(
            f"SELECT * FROM phrasing WHERE fact_id IN ({marks}) AND deleted_at IS NULL"
            " AND (guild_id IS NULL OR guild_id IS ?) ORDER BY id",
            [*ids, guild_id],
        )
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def phrasing_stems(text: str) -> set[str]:
    """The stems of a phrasing's content words (as the free path weighs a question's)."""
    return {stem(w) for w in normalize(text).split() if w not in FUNCTION_WORDS}


def create(db: Database) -> None:
    """The documents' schema (called by the migration that introduced phrasings)."""
    db.execute(
        "CREATE TABLE phrasing_doc (phrasing_id INTEGER PRIMARY KEY REFERENCES phrasing(id),"
        " fact_id INTEGER NOT NULL, guild_id INTEGER, body TEXT NOT NULL, vector BLOB)"
    )
    db.execute("CREATE INDEX phrasing_doc_fact ON phrasing_doc (fact_id)")
    db.execute("CREATE INDEX phrasing_doc_guild ON phrasing_doc (guild_id)")
    db.table("phrasing_doc").enable_fts(["body"], tokenize="porter", create_triggers=True)
