"""The question log: what fans asked and whether showbot could answer, for gaps and stats.

Its SQL lives here, next to the store's (curated rows and the change log), so the
moderation and report code never writes a query of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.store.core import Store

_SINCE = "at >= strftime('%Y-%m-%dT%H:%M:%f', 'now', ?)"
# The recent questions (rows, kept [privacy] question_days) and the older ones (folded
# into counts by prune) read as one: reports sum ``n``. A tally's ``at`` is the latest
# question it counts.
_ALL = (
    "(SELECT guild_id, at, substr(at, 1, 10) AS day, answered, via, entity_id, subject,"
    " 1 AS n FROM question UNION ALL SELECT guild_id, last, day, answered, via, entity_id,"
    " subject, n FROM question_tally)"
)


@dataclass(frozen=True, slots=True)
class Gap:
    """A subject fans asked about and got no answer."""

    subject: str
    times: int
    last: str  # ISO timestamp of the latest such question


@dataclass(frozen=True, slots=True)
class Unanswered:
    """A question fans asked (the same words, however often) and got no answer: one
    moderators may teach (`fact teach`). Only recent ones have their words kept."""

    id: int  # its latest row in the question log
    text: str
    times: int
    last: str


@dataclass(frozen=True, slots=True)
class Stats:
    days: int
    total: int
    answered: int
    by_facts: int  # answered from what the facts say rather than a name
    per_day: list[tuple[str, int]]
    top: list[tuple[str, int]]

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.total if self.total else None


class QuestionLog:
    def __init__(self, store: Store) -> None:
        self.store = store

    def append(self, rows: list[tuple[Any, ...]]) -> None:
        """Append rows (at, guild, text, intent, subject, entity, score, answered,
        latency_ms, via) in one transaction. Who asked, and in which channel, is not kept."""
        conn = self.store.db.conn
        alone, before = not conn.in_transaction, conn.total_changes
        # Its commits skip the fsync: a flush a second (or 200 questions) was most of
        # what logging cost a question (~20 of ~25 µs), and losing the last second of
        # statistics to a power cut loses no moderator's work.
        with self.store.unsynced(), self.store.atomic():
            self.store.db.conn.executemany(
                "INSERT INTO question (at, guild_id, text, intent, subject, entity_id, score,"
                " answered, latency_ms, via) VALUES (?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
        if alone:  # its own transaction: the facts remembered stay good (Reads.log_written)
            self.store.log_written(conn, conn.total_changes - before, len(rows))

    def prune(self, before: str) -> int:
        """Fold the questions asked before ``before`` (an ISO timestamp) into the daily
        tallies (per server, day, outcome and subject; the subject only when unanswered,
        for !gaps) and delete them, text and all; how many went."""
        # Most rounds find nothing to prune: a read (indexed on ``at``) then, not a write
        # transaction that would wait for another writer's lock and hold up the bot's.
        if not self.store.db.execute(
            "SELECT 1 FROM question WHERE at < ? LIMIT 1", [before]
        ).fetchone():
            return 0
        with self.store.atomic():
            self.store.db.execute(
                "INSERT INTO question_tally (guild_id, day, answered, via, entity_id, subject,"
                " n, last) SELECT guild_id, substr(at, 1, 10), answered, via, entity_id,"
                " CASE WHEN answered = 0 THEN subject END, count(*), max(at) FROM question"
                " WHERE at < ? GROUP BY 1, 2, 3, 4, 5, 6"
                " ON CONFLICT (coalesce(guild_id, 0), day, answered, coalesce(via, ''),"
                " coalesce(entity_id, 0), coalesce(subject, '')) DO UPDATE SET"
                " n = n + excluded.n, last = max(last, excluded.last)",
                [before],
            )
            cur = self.store.db.execute("DELETE FROM question WHERE at < ?", [before])
        return cur.rowcount

    def forget_guild(self, guild_id: int) -> int:
        """Delete a server's questions and tallies; how many questions went."""
        with self.store.atomic():
            cur = self.store.db.execute("DELETE FROM question WHERE guild_id = ?", [guild_id])
            asked = cur.rowcount
            cur = self.store.db.execute(
                "SELECT coalesce(sum(n), 0) FROM question_tally WHERE guild_id = ?", [guild_id]
            )
            asked += int(cur.fetchone()[0])
            self.store.db.execute("DELETE FROM question_tally WHERE guild_id = ?", [guild_id])
        return asked

    def gaps(self, guild_id: int | None, limit: int = 10) -> list[Gap]:
        """The most asked unanswered subjects of one server (or the CLI's, None)."""
        return [
            Gap(r["subject"], r["n"], r["last"])
            for r in self.store.rows(
                f"SELECT subject, sum(n) AS n, max(at) AS last FROM {_ALL}"
                " WHERE answered = 0 AND subject IS NOT NULL AND guild_id IS ?"
                " GROUP BY subject ORDER BY n DESC, last DESC LIMIT ?",
                [guild_id, limit],
            )
        ]

    def unanswered(self, guild_id: int | None, limit: int = 5) -> list[Unanswered]:
        """The most asked recent questions of one server that got no answer, as typed."""
        return [
            Unanswered(r["id"], r["text"], r["n"], r["last"])
            for r in self.store.rows(
                "SELECT max(id) AS id, text, count(*) AS n, max(at) AS last FROM question"
                " WHERE answered = 0 AND guild_id IS ? GROUP BY lower(trim(text))"
                " ORDER BY n DESC, last DESC LIMIT ?",
                [guild_id, limit],
            )
        ]

    def unanswered_text(self, question_id: int, guild_id: int | None) -> str | None:
        """The words of one unanswered question of this server, while they are kept."""
        found = self.store.rows(
            "SELECT text FROM question WHERE id = ? AND guild_id IS ? AND answered = 0",
            [question_id, guild_id],
        )
        return str(found[0]["text"]) if found else None

    def stats(self, guild_id: int | None, days: int = 7) -> Stats:
        """Questions per day, answer rate and top subjects over the last ``days`` days."""
        since = f"-{int(days)} days"
        per_day = self.store.rows(
            "SELECT day, sum(n) AS n, sum(answered * n) AS answered"
            f" FROM {_ALL} WHERE guild_id IS ? AND {_SINCE} GROUP BY day ORDER BY day",
            [guild_id, since],
        )
        top = self.store.rows(
            f"SELECT entity.name AS name, sum(q.n) AS n FROM {_ALL} AS q JOIN entity"
            " ON entity.id = q.entity_id WHERE q.guild_id IS ?"
            f" AND q.{_SINCE} GROUP BY entity.id ORDER BY n DESC LIMIT 5",
            [guild_id, since],
        )
        via = dict(
            self.store.db.execute(
                f"SELECT via, sum(n) FROM {_ALL} WHERE guild_id IS ? AND answered = 1"
                f" AND {_SINCE} GROUP BY via",
                [guild_id, since],
            ).fetchall()
        )
        return Stats(
            days=days,
            total=sum(r["n"] for r in per_day),
            answered=sum(r["answered"] or 0 for r in per_day),
            by_facts=via.get("facts", 0),
            per_day=[(r["day"], r["n"]) for r in per_day],
            top=[(r["name"], r["n"]) for r in top],
        )
