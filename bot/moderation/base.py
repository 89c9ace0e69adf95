"""What every moderator action shares: who may touch which row, what a subject or source
name means, and the structured outcome that ``bot.replies.render`` turns into words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot import validation as v
from bot.answering.leftover import leftover
from bot.answering.questions import split_kind
from bot.answering.subjects import Resolution, parse_id
from bot.engine import Engine
from bot.errors import (
    AmbiguousSubjectError,
    NotFoundError,
    PermissionDeniedError,
    UnknownSubjectError,
)
from bot.language.text import normalize
from bot.models import Actor, Entity, EntityKind, Intent, Kind
from bot.outcomes import Made
from bot.replies.render import label, labels
from bot.store.core import Store
from bot.store.questionlog import QuestionLog

Clock = Callable[[], datetime]

_META = frozenset(("id", "version", "created_at", "created_by", "updated_at", "updated_by"))


def utc_now() -> datetime:
    return datetime.now(UTC)


def content(row: dict[str, Any]) -> dict[str, Any]:
    """A row's columns that moderators change (not its bookkeeping)."""
    return {k: val for k, val in row.items() if k not in _META}


class Desk:
    """Shared helpers of the moderation mixins; holds the engine, store and clock."""

    def __init__(
        self, engine: Engine, *, store: Store | None = None, clock: Clock = utc_now
    ) -> None:
        self.engine = engine
        # On the engine's own connection (the CLI, tests) each action brings the engine's
        # index up to date itself. On a connection of its own (the bot's writer thread,
        # bot/runtime/writer.py) it leaves the index and the question log to the engine's thread,
        # which catches up from the change log after each action, like another process.
        self.attached = store is None or store is engine.store
        self.store = engine.store if store is None else store
        self.questions = engine.questions if self.attached else QuestionLog(self.store)
        self.clock = clock  # injectable: the "changed meanwhile" window is tested by it

    def _done(self) -> None:
        if self.attached:
            self.engine.sync(force=True)

    def _visible(self, row: dict[str, Any] | None, actor: Actor) -> bool:
        return row is not None and row["guild_id"] in (None, actor.guild_id)

    def _own(self, row: dict[str, Any], actor: Actor) -> bool:
        """May the actor change this row directly?"""
        guild_id: int | None = row["guild_id"]
        if guild_id is None:
            return actor.owner
        return guild_id == actor.guild_id

    def fact_row(self, fact_id: int, actor: Actor) -> dict[str, Any]:
        row = self.store.row("fact", fact_id)
        if not self._visible(row, actor):
            raise NotFoundError(f"There is no fact #{fact_id} here.")
        assert row is not None
        return row

    def resolve_entity(
        self, subject: str, actor: Actor, *, shows_only: bool = False, kind: Kind | None = None
    ) -> Entity | None:
        """``#12`` or a name (a bare number is a name), as a question would read it; None
        when nothing matches; raises when several subjects fit equally well."""
        found = self._resolve(subject, actor, shows_only=shows_only, kind=kind)
        name, _, picked = split_kind(subject)
        by_id = picked is not None or parse_id(subject) is not None
        if not by_id and leftover(normalize(name).split(), found):
            # "Jessica Jones Comics" is not Jessica Jones: a name must be all accounted for,
            # or a fact would land on a subject its own name never reaches.
            return None
        if found.ambiguous:
            tied = [c.entity for c in found.candidates]
            raise AmbiguousSubjectError(
                subject,
                [(e.id, label(e)) for e in tied],  # each shown with its #id
            )
        if found.entity is None and parse_id(subject) is not None:
            raise NotFoundError(f"There is no subject {subject.strip()[:20]} here.")
        return found.entity

    def _resolve(
        self, subject: str, actor: Actor, *, shows_only: bool = False, kind: Kind | None = None
    ) -> Resolution:
        with self.engine.lock:  # the index is the engine thread's: see Engine.lock
            return self.engine.subjects.resolve(
                subject.strip(),
                intent=Intent(kind.value) if kind else Intent.ASK,
                guild_id=actor.guild_id,
                kind=EntityKind.SHOW if shows_only else None,
                limit=25,  # moderation lists every equally good candidate, not three
            )

    def entity_of(self, subject: str, actor: Actor) -> Entity:
        found = self.resolve_entity(subject, actor)
        if found is None:
            offers = [s.entity for s in self._resolve(subject, actor).candidates]
            raise UnknownSubjectError(subject[:80], labels(offers))
        return found

    def _source_id(
        self, value: str | None, actor: Actor, scope: int | None
    ) -> tuple[int | None, Made | None]:
        """A source given as ``#id`` or title for a row of ``scope`` (a server, or None:
        global); a new title creates the source in that scope. A global row may cite
        only global sources (another server would see a private one)."""
        if value is None:
            return None, None
        value = value.strip()
        if value.lstrip("#").isdigit():
            sid = v.parse_id(value, "source")
            row = self.store.row("source", sid)
            if not self._visible(row, actor):
                raise NotFoundError(f"There is no source #{sid} here.")
            assert row is not None
            if row["guild_id"] not in (None, scope):
                raise PermissionDeniedError(
                    f"Source #{sid} is this server's own; a global fact can cite only a"
                    " global source. Give its title to make a global copy."
                )
            return sid, None
        title = v.clean_text(value, "source", v.MAX_TITLE)
        for source in self.store.sources(scope):  # global ones, and the scope's own
            if normalize(source.title) == normalize(title or ""):
                return source.id, None
        sid = self.store.insert("source", {"title": title, "guild_id": scope}, actor, "source.add")
        return sid, Made(sid, title or "", "source")
