"""What a fan's `follow`, `unfollow` and `following` do: the subject found with the same
fuzzy lookup questions use, at most 25 follows per member per server (bot/store/follows.py keeps
them; bot/replies/updates.py words the replies)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.answering.questions import split_kind
from bot.answering.subjects import leftover, parse_id
from bot.engine import Engine
from bot.errors import AmbiguousSubjectError, InvalidInputError, UnknownSubjectError
from bot.language.text import normalize
from bot.models import Entity, Intent
from bot.replies.render import label, labels
from bot.replies.updates import too_many_text
from bot.store.core import Store
from bot.store.follows import MAX_FOLLOWS, Follows

MAX_SUBJECT = 200  # characters of a typed subject looked at


@dataclass(frozen=True, slots=True)
class Followed:
    entity: Entity
    dm: bool
    dm_blocked: bool


class Following:
    """A member's follows in one server, over ``store`` (the bot's writer connection)."""

    def __init__(self, engine: Engine, store: Store) -> None:
        self.engine = engine
        self.store = store
        self.follows = Follows(store.db)

    def subject(self, text: str, guild_id: int) -> Entity:
        """The subject ``text`` names in this server, read as a question reads it (typos,
        seasons, aliases, "Jessica Jones (show)"); raises when it names none or several."""
        text = " ".join(text.split())[:MAX_SUBJECT]
        if not text:
            raise InvalidInputError("Name a subject, e.g. `jessica jones s2`.")
        with self.engine.lock:  # the index is the engine thread's: see Engine.lock
            found = self.engine.subjects.resolve(text, intent=Intent.ASK, guild_id=guild_id)
        name, _, picked = split_kind(text)
        by_id = picked is not None or parse_id(text) is not None
        # Words the match leaves unexplained ("jessica jones comics") name something else.
        extra = not by_id and bool(leftover(normalize(name).split(), found))
        if found.ambiguous and not extra:
            tied = [c.entity for c in found.candidates]
            raise AmbiguousSubjectError(text[:80], [(e.id, label(e)) for e in tied])
        if found.entity is None or extra:
            offers = [s.entity for s in found.candidates] or (
                [found.entity] if found.entity else []
            )
            raise UnknownSubjectError(text[:80], labels(offers[:3]))
        return found.entity

    def follow(self, guild_id: int, user_id: int, text: str, *, dm: bool) -> tuple[Entity, bool]:
        """Follow a subject (again: ``dm`` is updated); (the subject, whether it is new)."""
        entity = self.subject(text, guild_id)
        with self.store.atomic():
            current = self.follows.subjects_of(guild_id, user_id)
            if entity.id not in current and len(current) >= MAX_FOLLOWS:
                raise InvalidInputError(too_many_text(MAX_FOLLOWS, self.engine.prefix))
            new = self.follows.follow(guild_id, user_id, entity.id, dm=dm)
        return entity, new

    def unfollow(self, guild_id: int, user_id: int, text: str) -> tuple[Entity, bool]:
        """Stop following; (the subject, whether it was followed)."""
        entity = self.subject(text, guild_id)
        with self.store.atomic():
            was = self.follows.unfollow(guild_id, user_id, entity.id)
            self.store.outbox.unfollowed(guild_id, user_id)  # nothing more on its way
        return entity, was

    def following(self, guild_id: int, user_id: int) -> list[Followed]:
        """What a member follows here (subjects since removed or merged away left out)."""
        out = []
        for follow in self.follows.of(guild_id, user_id):
            entity = self.store.entity(follow.entity_id)
            if entity is not None:
                out.append(Followed(entity, follow.dm, follow.dm_blocked))
        return out
