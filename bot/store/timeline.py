"""Facts along time, as one server sees them: its open and resolved rumors and predictions
(`!predictions`) and the dated `when` facts coming in the next days (`!upcoming`). A
storage module (it holds SQL); the window's rules are :mod:`bot.dates`'.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from bot.dates import overlaps, span
from bot.models import Answer, Entity, Fact, Kind
from bot.store.core import Store

MAX_CANDIDATES = 1000  # rows read per listing: replies show a few dozen at most
DEFAULT_DAYS = 30
MAX_DAYS = 365


@dataclass(frozen=True, slots=True)
class Predictions:
    """A server's rumors and predictions: open ones soonest first, then resolved ones,
    the latest resolved first."""

    open: tuple[Fact, ...]
    resolved: tuple[Fact, ...]
    about: Entity | None = None  # the subject asked about, if one was
    unknown: Answer | None = None  # the subject asked about matched nothing (or several)


@dataclass(frozen=True, slots=True)
class Upcoming:
    """What is coming in ``days`` days from ``today``, soonest first."""

    facts: tuple[Fact, ...]
    today: date
    days: int
    followed: list[int] | None = None  # `mine: yes`: the subjects the member follows


class Timeline:
    """The listings' queries over one store (the engine's connection: reads only)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def predictions(self, guild_id: int | None, subjects: Collection[int] | None) -> Predictions:
        """Live rumors and predictions this server sees (its versions of global facts
        applied), about ``subjects`` only if given."""
        # The subject filter is in the query, before the limit: 1,000 rumors about other
        # shows must not crowd out this one's (issue 20, item 12).
        about, params = _subject_filter(subjects)
        rows = self.store.db.execute(
            "SELECT id, overrides FROM fact WHERE status IN ('rumor', 'prediction')"
            f" AND deleted_at IS NULL AND (guild_id IS NULL OR guild_id = ?){about}"
            " ORDER BY id DESC LIMIT ?",
            [guild_id, *params, MAX_CANDIDATES],
        ).fetchall()
        facts = [
            f
            for f in self._as_seen(rows, guild_id)
            if f.status.speculative and (subjects is None or f.entity_id in subjects)
        ]
        never = date.max
        opened = sorted(
            (f for f in facts if f.resolved is None),
            key=lambda f: (span(f.date)[0] if f.date else never, f.id),
        )
        done = sorted(
            (f for f in facts if f.resolved is not None),
            key=lambda f: (f.outcome_at or "", f.id),
            reverse=True,
        )
        return Predictions(tuple(opened), tuple(done))

    def upcoming(
        self,
        guild_id: int | None,
        today: date,
        days: int,
        subjects: Collection[int] | None = None,
    ) -> list[Fact]:
        """Live `when` facts this server sees whose date may fall in the ``days`` days from
        ``today`` (a month or year not over yet counts), the surest soonest first: by the
        last day their date may mean, so "12 May" comes before "May" and "December" before
        the year."""
        end = today + timedelta(days=days)
        # Only dates that may fall in the window, each by its own precision (a day in it, a
        # month or a year not over by its start and begun by its end), and the subjects
        # asked about, before the limit: this year's past days must not use it up (issue
        # 20, item 12). ISO text compares like dates within one precision.
        first, last = today.isoformat(), end.isoformat()
        about, params = _subject_filter(subjects)
        window = [first, last, first[:7], last[:7], first[:4], last[:4]]
        rows = self.store.db.execute(
            "SELECT id, overrides FROM fact WHERE kind = 'when' AND deleted_at IS NULL"
            " AND (guild_id IS NULL OR guild_id = ?)"
            " AND ((length(date) = 10 AND date BETWEEN ? AND ?)"
            " OR (length(date) = 7 AND date BETWEEN ? AND ?)"
            " OR (length(date) = 4 AND date BETWEEN ? AND ?))"
            f"{about} ORDER BY date LIMIT ?",
            [guild_id, *window, *params, MAX_CANDIDATES],
        ).fetchall()
        facts = [
            f
            for f in self._as_seen(rows, guild_id)
            if f.kind is Kind.WHEN
            and f.date is not None
            and overlaps(f.date, today, days)
            and (subjects is None or f.entity_id in subjects)
        ]
        return sorted(facts, key=_due)

    def _as_seen(self, rows: list[tuple[int, int | None]], guild_id: int | None) -> list[Fact]:
        """The candidates as the server sees them: a global fact through its version there
        (which may no longer qualify), a server's version in place of its global fact."""
        ids = sorted({i for row in rows for i in row if i is not None})
        return self.store.facts_by_ids(ids, guild_id)


def _subject_filter(subjects: Collection[int] | None) -> tuple[str, list[int]]:
    """The SQL condition (and its parameters) for facts about ``subjects`` (None: all)."""
    if subjects is None:
        return "", []
    ids = sorted(subjects)
    if not ids:
        return " AND 0", []
    return f" AND entity_id IN ({','.join('?' for _ in ids)})", ids


def _due(fact: Fact) -> tuple[date, int, int]:
    """The last day a fact's date may mean, then the narrower first ("December 2026"
    before "2026")."""
    assert fact.date is not None
    first, last = span(fact.date)
    return last, -first.toordinal(), fact.id
