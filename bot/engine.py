"""The facade the CLI and the cogs share: ask questions, complete names, stay in sync.

The store is the one source of truth. The in-memory index of names is built from it
at start-up and catches up from the change log (:meth:`Engine.sync`), so several
processes on one database see each other's moderator edits within a second.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import replace
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from bot.answering import coldstart
from bot.answering.answers import answer_of, choose_facts
from bot.answering.entities import EntityTable
from bot.answering.lookup import AliasIndex
from bot.answering.pipeline import Pipeline
from bot.answering.questions import parse_question
from bot.answering.retrieval import FactFinder
from bot.answering.subjects import Subjects
from bot.dates import DateStyle
from bot.errors import ShowbotError, database_problem
from bot.logs import get_logger
from bot.models import Answer, Entity, EntityKind, Intent, Question, Reply
from bot.replies.render import labels, render_answer
from bot.store.core import Store, now
from bot.store.questionlog import QuestionLog
from bot.store.reads import entity_from_row
from bot.store.seeds import apply_seeds
from bot.store.synonyms import Synonyms
from bot.store.timeline import DEFAULT_DAYS, MAX_DAYS, Predictions, Timeline, Upcoming
from bot.validation import parse_days

SYNC_INTERVAL = 0.25  # seconds between change-log checks; well inside the 1 s promise
LOG_FLUSH_ROWS = 200
LOG_FLUSH_SECONDS = 1.0
LOG_BACKLOG = 10_000  # question-log rows kept while the disk refuses writes

log = get_logger("showbot.engine")


P = ParamSpec("P")
R = TypeVar("R")


def _locked(method: Callable[Concatenate[Engine, P], R]) -> Callable[Concatenate[Engine, P], R]:
    """Run the method holding the engine's lock (see ``Engine.lock``)."""

    @wraps(method)
    def locked(self: Engine, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.lock:
            return method(self, *args, **kwargs)

    return locked


def _alias_key(table: str, row_id: int) -> int:
    # Entity names and aliases share one index; keys must not collide.
    return row_id * 2 + (1 if table == "alias" else 0)


class Engine:
    """Answers questions from one store."""

    def __init__(self, store: Store, *, prefix: str = "!") -> None:
        self.store = store
        self.prefix = prefix
        self.entities: MutableMapping[int, Entity] = {}  # an EntityTable once started
        self._seasons: dict[int, list[Entity]] = defaultdict(list)
        # Season number -> the seasons with it, of any show: "season 2" with no show named.
        self._numbered: dict[int, dict[int, Entity]] = defaultdict(dict)
        self._numbered_sorted: dict[int, list[Entity]] = {}  # until one of them changes
        self._log: list[tuple[Any, ...]] = []
        # Servers forgotten while this process runs: their questions are no longer kept,
        # not even those still buffered (see forget_questions).
        self.forgotten_guilds: set[int] = set()
        self._last_flush = time.monotonic()
        self._log_failing = False
        # False in the bot: its writer thread flushes the log (bot/runtime/writer.py), never ask().
        self.auto_flush = True
        # Guards the index and the in-memory maps (entities, seasons, alias servers,
        # synonyms): held by every public entry point that reads or updates them, and by
        # moderation's name lookups when they run in the bot's writer thread. Never held
        # while waiting for SQLite's write lock: only the index work and WAL reads run
        # inside it. Re-entrant: ask() calls sync().
        self.lock = threading.RLock()
        self._last_sync = 0.0
        self._seen = store.max_change_id()
        # A server's own aliases name a subject in that server only: key -> server.
        self.alias_guilds: dict[int, int] = {}
        self.index = self._start()
        self.subjects = Subjects(
            self.index, self.entities, self.seasons_of, self.seasons_numbered, self.alias_guilds
        )
        self.synonyms = Synonyms(store)
        self.questions = QuestionLog(store)
        self.finder = FactFinder(store, self.subjects, self.synonyms.groups, self.synonyms.rewrite)
        self.timeline = Timeline(store)
        self.pipeline = Pipeline(
            store, self.subjects, self.finder, self.synonyms, self.entities, self.seasons_of, prefix
        )
        self.sync(force=True)  # what changed since the snapshot (or during the build)
        self._last_sync = 0.0  # and the first question looks again, as before a snapshot

    @classmethod
    def open(cls, path: str | Path, *, seed: bool = True, prefix: str = "!") -> Engine:
        """Open the database (creating, migrating and seeding it as needed)."""
        store = Store.open(path)
        if seed:
            apply_seeds(store)
        return cls(store, prefix=prefix)

    def close(self) -> None:
        self.flush_log()
        self.store.close()

    # ------------------------------------------------------------ the index

    def _start(self) -> AliasIndex:
        """The index, the entities and the alias servers: mapped from the snapshot next to
        the database when it fits (caught up from the change log by the first sync), else
        built from the store and a snapshot written for the next start
        (bot/answering/coldstart.py)."""
        found = coldstart.load(self.store)
        if found is not None:
            self._seen, index = found.seen, found.index
            self.entities, self.alias_guilds = found.entities, found.alias_guilds
        else:
            self.entities = EntityTable.of(self.store.live_entity_rows())
            index = AliasIndex.build(self._load())
            coldstart.save(self.store, self._seen, index, self.entities, self.alias_guilds)
        for season in self.entities.of_kind(EntityKind.SEASON):
            self._remember(season)
        return index

    def _load(self) -> Iterator[tuple[int, int, str]]:
        scoped = self.alias_guilds
        for table, row_id, entity_id, text, guild in self.store.index_rows():
            key = _alias_key(table, row_id)
            if guild is not None:
                scoped[key] = guild
            yield key, entity_id, text

    def seasons_of(self, show_id: int) -> list[Entity]:
        """The season entities of a show, in order (every server's; callers filter)."""
        return self._seasons.get(show_id, [])

    def seasons_numbered(self, number: int) -> list[Entity]:
        """Every show's season with that number (every server's; callers filter), by id:
        the same order whatever the order they were loaded or edited in."""
        found = self._numbered_sorted.get(number)
        if found is None:
            found = sorted(self._numbered.get(number, {}).values(), key=lambda s: s.id)
            self._numbered_sorted[number] = found
        return list(found)

    def _remember(self, entity: Entity) -> None:
        self.entities[entity.id] = entity
        if entity.kind is EntityKind.SEASON and entity.show_id is not None:
            seasons = [s for s in self._seasons[entity.show_id] if s.id != entity.id]
            self._seasons[entity.show_id] = sorted(
                [*seasons, entity], key=lambda s: (s.season or 0, s.id)
            )
            if entity.season is not None:
                self._numbered[entity.season][entity.id] = entity
                self._numbered_sorted.pop(entity.season, None)

    def _reindex(self, entity_id: int) -> None:
        """Reload one entity's names from the store into the index.

        Every alias row that points at the entity, live or not, is dropped from the index
        first; an alias moved to another entity is re-added when that one is reindexed
        (its change touches both), so no per-entity key list has to live in memory.
        """
        old = self.entities.pop(entity_id, None)
        if old is not None and old.show_id is not None:
            self._seasons[old.show_id] = [s for s in self._seasons[old.show_id] if s.id != old.id]
            if old.season is not None:
                self._numbered[old.season].pop(old.id, None)
                self._numbered_sorted.pop(old.season, None)
        aliases = self.store.rows_of("alias", "entity_id", entity_id, removed=True)
        self.index.remove(_alias_key("entity", entity_id))
        for alias in aliases:
            self.index.remove(_alias_key("alias", alias["id"]))
            self.alias_guilds.pop(_alias_key("alias", alias["id"]), None)
        row = self.store.row("entity", entity_id)
        if row is None or row["deleted_at"] or row["merged_into"]:
            return
        self._remember(entity_from_row(row))
        self.index.add(_alias_key("entity", entity_id), entity_id, row["name"])
        for alias in aliases:
            if alias["deleted_at"] is None:
                key = _alias_key("alias", alias["id"])
                self.index.add(key, entity_id, alias["name"])
                if alias["guild_id"] is not None:
                    self.alias_guilds[key] = alias["guild_id"]

    @_locked
    def sync(self, *, force: bool = False) -> int:
        """Apply entity and alias changes made since the last sync (by anyone); returns
        how many were applied. Cheap when nothing changed: one indexed max() query."""
        clock = time.monotonic()
        if not force and clock - self._last_sync < SYNC_INTERVAL:
            return 0
        self._last_sync = clock
        if self.store.max_change_id() == self._seen:
            return 0
        changes = self.store.changes_since(self._seen)
        self.store.docs.changed()
        self.store.phrasings.changed()
        touched: set[int] = set()
        for change in changes:
            self._seen = max(self._seen, change["id"])
            if change["table_name"] == "entity":
                touched.add(change["row_id"])
            elif change["table_name"] == "synonym":
                self.synonyms.refresh(change["row_id"])
            elif change["table_name"] == "alias":
                for side in ("before", "after"):
                    if change[side]:
                        touched.add(_entity_of(change[side]))
        for entity_id in touched:
            self._reindex(entity_id)
        return len(changes)

    # ------------------------------------------------------------ questions

    @_locked
    def ask(
        self,
        message: str,
        *,
        intent: Intent | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user_id: int | None = None,
        log_guild: bool = True,
    ) -> Answer:
        """Answer one message (``!when jessica jones s2``), or with ``intent`` a bare subject.
        Never raises for bad input: the Answer carries the problem. ``channel_id`` and
        ``user_id`` are accepted for callers' sake and never stored (issue 14).
        ``log_guild=False``: answered as ``guild_id`` sees it, logged as asked outside any
        server (the command line's ``ask --guild``: nobody in that server asked)."""
        started = time.perf_counter()
        self.sync()
        try:
            question = parse_question(message, self.prefix, intent)
        except ShowbotError as exc:
            question = Question(raw=message, intent=intent or Intent.ASK, subject="")
            answer = Answer(
                question=question, intent=question.intent, entity=None, score=0.0, problem=str(exc)
            )
        else:
            answer = self._answer(question, guild_id)
        self._record(answer, guild_id if log_guild else None, started)
        return answer

    def _answer(self, q: Question, guild_id: int | None) -> Answer:
        return self.pipeline.answer(q, guild_id)

    @_locked
    def answer_entity(
        self,
        entity_id: int,
        intent: Intent,
        guild_id: int | None,
        *,
        channel_id: int | None = None,
        user_id: int | None = None,
    ) -> Answer:
        """Answer about a known entity (a suggestion button), without parsing text
        (``channel_id``/``user_id``: as for :meth:`ask`, never stored)."""
        started = time.perf_counter()
        entity = self.entities.get(entity_id)
        question = Question(
            raw=f"#{entity_id}", intent=intent, subject=entity.name.lower() if entity else ""
        )
        if entity is None or not entity.visible_in(guild_id):
            answer = Answer(question=question, intent=intent, entity=None, score=0.0)
        else:
            found = Answer(question=question, intent=intent, entity=entity, score=100.0)
            answer = choose_facts(found, self.store.facts_for(entity_id, guild_id))
        self._record(answer, guild_id, started)
        return answer

    def reply(self, answer: Answer, dates: DateStyle = "words") -> Reply:
        """The answer as posted: ``dates`` "discord" in Discord (days as timestamps each
        member reads in their own time zone), "words" on the command line."""
        return render_answer(answer, self.prefix, self.entities, dates)

    # ------------------------------------------------------------ listings

    @_locked
    def predictions(self, subject: str | None, guild_id: int | None) -> Predictions:
        """`!predictions [subject]`: the server's rumors and predictions, open and resolved
        (about the subject, a show's seasons included, when one is named). A subject
        nothing matches gives its "I don't know" answer instead. Never raises for bad
        input."""
        self.sync()
        if subject is None or not subject.strip():
            return self.timeline.predictions(guild_id, None)
        named = self._listing_subject(subject, guild_id)
        if named.entity is None or named.problem:
            return Predictions((), (), unknown=named)
        ids = self.with_seasons([named.entity.id], guild_id)
        return replace(self.timeline.predictions(guild_id, ids), about=named.entity)

    @_locked
    def upcoming(
        self,
        guild_id: int | None,
        *,
        today: date,
        days: int | str = DEFAULT_DAYS,
        followed: list[int] | None = None,
    ) -> Upcoming:
        """`!upcoming [days]`: dated `when` facts in the ``days`` days from ``today`` (the
        caller's clock), soonest first; ``followed``: about those subjects only (a show's
        seasons included). Raises InvalidInputError for days outside 1 to 365."""
        days = parse_days(days, most=MAX_DAYS)
        self.sync()
        ids = None if followed is None else self.with_seasons(followed, guild_id)
        facts = self.timeline.upcoming(guild_id, today, days, ids)
        return Upcoming(tuple(facts), today, days, followed=followed)

    def with_seasons(self, entity_ids: list[int], guild_id: int | None) -> set[int]:
        """The subjects and, for each show, its seasons this server sees."""
        found = set(entity_ids)
        for eid in entity_ids:
            found |= {s.id for s in self.seasons_of(eid) if s.visible_in(guild_id)}
        return found

    def _listing_subject(self, subject: str, guild_id: int | None) -> Answer:
        """A listing's subject read as a `when` question names it (seasons, typos, ids)."""
        try:
            q = parse_question(subject, self.prefix, Intent.WHEN)
        except ShowbotError as exc:
            q = Question(raw=subject, intent=Intent.WHEN, subject="")
            return Answer(question=q, intent=q.intent, entity=None, score=0.0, problem=str(exc))
        found = self.subjects.resolve(
            q.subject, intent=q.intent, guild_id=guild_id, season=q.season, kind=q.kind
        )
        return answer_of(q, found)

    @_locked
    def complete(self, text: str, *, guild_id: int | None = None, limit: int = 25) -> list[str]:
        """Subject names for a slash command's autocomplete, best first. Subjects sharing
        a name are told apart ("Jessica Jones (show)"), which the resolver reads back."""
        self.sync()
        shown = labels(self.subjects.complete(text, guild_id, limit))
        return list(dict.fromkeys(shown))[:limit]

    # --------------------------------------------------------- question log

    def _record(self, answer: Answer, guild_id: int | None, started: float) -> None:
        """Buffer one question-log row: the server, never who asked or where."""
        if guild_id in self.forgotten_guilds:
            return
        q = answer.question
        subject = q.subject + (f" season {q.season}" if q.season is not None else "")
        self._log.append(
            (
                now(),
                guild_id,
                q.raw[:500],
                answer.intent.value,
                subject[:200] or None,
                answer.entity.id if answer.entity else None,
                round(answer.score, 2),
                int(answer.answered),
                round((time.perf_counter() - started) * 1000, 3),
                answer.via if answer.answered else None,
            )
        )
        if not self.auto_flush:
            return
        # While the disk refuses writes, retry on the clock only, not on every question.
        due = time.monotonic() - self._last_flush > LOG_FLUSH_SECONDS
        if due or (len(self._log) >= LOG_FLUSH_ROWS and not self._log_failing):
            self.flush_log()

    def flush_log(self) -> None:
        """Write buffered question-log rows in one transaction.

        A read-only or full disk must not stop the bot answering: the rows wait for the
        next flush (up to a bound, so memory stays flat) and the problem is logged.
        """
        rows = self.take_log()
        if not rows:
            return
        try:
            self.questions.append(rows)
        except sqlite3.Error as exc:
            self.log_refused(rows, exc)
        else:
            self.log_written()

    @_locked
    def forget_questions(self, guild_id: int) -> None:
        """A server is being forgotten: drop its buffered questions and keep none it asks
        from now on (a writer already holding some drops them: :meth:`kept`), until
        :meth:`remember_questions` (the bot is in the server again)."""
        self.forgotten_guilds.add(guild_id)
        self._log = [row for row in self._log if row[1] != guild_id]

    @_locked
    def remember_questions(self, guild_id: int) -> None:
        self.forgotten_guilds.discard(guild_id)

    def kept(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """The rows still to be written: none of a server forgotten since they were taken."""
        gone = self.forgotten_guilds
        return [row for row in rows if row[1] not in gone] if gone else rows

    def take_log(self) -> list[tuple[Any, ...]]:
        """The buffered question-log rows, handed to whoever writes them (the bot's writer
        thread); give them back with :meth:`log_refused` if the write fails."""
        rows, self._log = self._log, []
        self._last_flush = time.monotonic()
        return rows

    def log_refused(self, rows: list[tuple[Any, ...]], exc: sqlite3.Error) -> None:
        """Rows whose write failed wait for the next flush, before any newer ones, up to
        ``LOG_BACKLOG`` (the oldest go first); the first failure of a streak is logged."""
        self._log = (rows + self._log)[-LOG_BACKLOG:]
        if not self._log_failing:
            busy = database_problem(exc) == "busy"
            event = "question_log_busy" if busy else "question_log_unwritable"
            log.warning(event, error=str(exc), waiting=len(self._log))
        self._log_failing = True

    def log_written(self) -> None:
        self._log_failing = False


def _entity_of(row_json: str) -> int:
    return int(json.loads(row_json)["entity_id"])
