"""The question log: what fans asked and whether showbot could answer, for gaps and stats.

Its SQL lives here, next to the store's (curated rows and the change log), so the
moderation and report code never writes a query of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.store import Store

_SINCE = "at >= strftime('%Y-%m-%dT%H:%M:%f', 'now', ?)"


@dataclass(frozen=True, slots=True)
class Gap:
    """A subject fans asked about and got no answer."""

    subject: str
    times: int
    last: str  # ISO timestamp of the latest such question


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
        """Append rows (at, guild, channel, user, text, intent, subject, entity, score,
        answered, latency_ms, via) in one transaction."""
        with self.store.atomic():
            self.store.db.conn.executemany(
                "INSERT INTO question (at, guild_id, channel_id, user_id, text, intent, subject,"
                " entity_id, score, answered, latency_ms, via)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )

    def gaps(self, guild_id: int | None, limit: int = 10) -> list[Gap]:
        """The most asked unanswered subjects of one server (or the CLI's, None)."""
        return [
            Gap(r["subject"], r["n"], r["last"])
            for r in self.store.rows(
                "SELECT subject, count(*) AS n, max(at) AS last FROM question"
                " WHERE answered = 0 AND subject IS NOT NULL AND guild_id IS ?"
                " GROUP BY subject ORDER BY n DESC, last DESC LIMIT ?",
                [guild_id, limit],
            )
        ]

    def stats(self, guild_id: int | None, days: int = 7) -> Stats:
        """Questions per day, answer rate and top subjects over the last ``days`` days."""
        since = f"-{int(days)} days"
        per_day = self.store.rows(
            "SELECT substr(at, 1, 10) AS day, count(*) AS n, sum(answered) AS answered"
            f" FROM question WHERE guild_id IS ? AND {_SINCE} GROUP BY day ORDER BY day",
            [guild_id, since],
        )
        top = self.store.rows(
            "SELECT entity.name AS name, count(*) AS n FROM question JOIN entity"
            " ON entity.id = question.entity_id WHERE question.guild_id IS ?"
            f" AND question.{_SINCE} GROUP BY entity.id ORDER BY n DESC LIMIT 5",
            [guild_id, since],
        )
        via = dict(
            self.store.db.execute(
                "SELECT via, count(*) FROM question WHERE guild_id IS ? AND answered = 1"
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
