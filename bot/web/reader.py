"""What the web view's own pages read, through the engine's code (no SQL here): a
subject with its facts as one scope sees them, a fact's history, the fuzzy subject
search. One read-only connection, used from one thread at a time."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.engine import Engine
from bot.models import Entity, EntityKind, Fact, FuzzyDate, Kind
from bot.store.changelog import Version
from bot.store.core import Store
from bot.store.reads import entity_from_row, fact_from_row


@dataclass(frozen=True, slots=True)
class SubjectPage:
    entity: Entity
    show: Entity | None  # a season's show
    seasons: list[Entity]  # a show's seasons
    aliases: list[str]
    facts: dict[Kind, list[Fact]]  # when, who, what: in that order, dated ones by date


@dataclass(frozen=True, slots=True)
class FactPage:
    fact: Fact
    subject: Entity | None
    removed: bool
    versions: list[Version]


@dataclass(frozen=True, slots=True)
class Match:
    entity: Entity
    name: str  # the name or alias that matched
    score: float
    show: Entity | None


def fact_of(row: Any) -> Fact:
    """A Fact from a canned query's row (which leaves out ids of people and servers)."""
    values = {"guild_id": None, "version": 0, "deleted_at": None, **dict(row)}
    return fact_from_row(values)


def fuzzy_words(iso: str | None) -> str:
    """``2016-05`` -> ``May 2016``; what is not a date comes back as it is."""
    if not iso:
        return ""
    try:
        return FuzzyDate.parse(iso).words()
    except ValueError:
        return iso


class Reader:
    def __init__(self, engine: Engine, guild_id: int | None) -> None:
        self.engine = engine
        self.store = engine.store
        self.guild_id = guild_id
        self.lock = threading.Lock()  # one sqlite3 connection: one thread at a time

    @classmethod
    def open(cls, path: str | Path, guild_id: int | None) -> Reader:
        return cls(Engine(Store.open_readonly(path)), guild_id)

    def close(self) -> None:
        self.store.close()

    def _visible(self, guild_id: int | None) -> bool:
        return guild_id is None or guild_id == self.guild_id

    def subject(self, entity_id: int) -> SubjectPage | int | None:
        """A subject's page; the id it was merged into (to redirect to); None if unseen."""
        with self.lock:
            row = self.store.row("entity", entity_id)
            if row is None or row["deleted_at"] or not self._visible(row["guild_id"]):
                return None
            if row["merged_into"]:
                return int(row["merged_into"])
            entity = entity_from_row(row)
            show = self.store.entity(entity.show_id) if entity.show_id else None
            seasons = (
                self.store.seasons_of(entity.id, self.guild_id)
                if entity.kind is EntityKind.SHOW
                else []
            )
            aliases = [
                a["name"]
                for a in self.store.rows_of("alias", "entity_id", entity.id)
                if self._visible(a["guild_id"])
            ]
            facts = self.store.facts_for(entity.id, self.guild_id)
        by_kind: dict[Kind, list[Fact]] = {k: [] for k in Kind}
        for fact in facts:
            by_kind[fact.kind].append(fact)
        by_kind[Kind.WHEN].sort(key=lambda f: (f.date is None, f.date.iso() if f.date else ""))
        return SubjectPage(entity, show, seasons, aliases, {k: v for k, v in by_kind.items() if v})

    def fact(self, fact_id: int) -> FactPage | None:
        """A fact (live or removed) with every change to it, oldest first."""
        with self.lock:
            fact = self.store.fact(fact_id)
            if fact is None or not self._visible(fact.guild_id):
                return None
            subject = self.store.entity(fact.entity_id)
            versions = self.store.changes.versions("fact", fact_id)
        return FactPage(fact, subject, fact.deleted, versions)

    def search(self, text: str, limit: int = 10) -> tuple[Match | None, list[Match]]:
        """The subject ``text`` names, as a question would read it (seasons too), and the
        closest names, typos allowed."""
        with self.lock, self.engine.lock:
            self.engine.sync()  # names moderators added since
            subjects = self.engine.subjects
            found = subjects.resolve(text, guild_id=self.guild_id)
            hits = subjects.search(text, self.guild_id, limit)
            entities = self.engine.entities

            def match(entity: Entity, name: str, score: float) -> Match:
                show = entities.get(entity.show_id) if entity.show_id else None
                return Match(entity, name, round(score, 1), show)

            best = (
                match(found.entity, found.text or found.entity.name, found.score)
                if found.entity is not None and not found.ambiguous
                else None
            )
            others = [
                match(entities[h.entity_id], h.text, h.score)
                for h in hits
                if h.entity_id in entities and (best is None or h.entity_id != best.entity.id)
            ]
        return best, others
