"""What a fan's `follow`, `unfollow` and `following` do: the subject found with the same
fuzzy lookup questions use, at most 25 follows per member per server (bot/store/follows.py keeps
them; bot/replies/updates.py words the replies).

`unfollow` looks at the member's own follows first, by ``#id`` (what its autocomplete sends)
and by name, so a subject since removed, undone or merged away can still be unfollowed (it
would otherwise hold one of the 25 slots for good). In a DM (no server: the bot may have left
it) `unfollow` and `following` cover the member's follows in every server."""

from __future__ import annotations

from bot.answering.leftover import leftover
from bot.answering.questions import split_kind
from bot.answering.subjects import parse_id
from bot.engine import Engine
from bot.errors import (
    AmbiguousSubjectError,
    InvalidInputError,
    ShowbotError,
    UnknownSubjectError,
)
from bot.language.text import normalize
from bot.models import Entity, Intent
from bot.replies.render import label, labels
from bot.replies.updates import too_many_text
from bot.store.core import Store
from bot.store.follows import MAX_FOLLOWS, Followed, Follows
from bot.store.reads import entity_from_row

MAX_SUBJECT = 200  # characters of a typed subject looked at

__all__ = ["Followed", "Following"]


class Following:
    """A member's follows, over ``store`` (the bot's writer connection)."""

    def __init__(self, engine: Engine, store: Store) -> None:
        self.engine = engine
        self.store = store
        self.follows = Follows(store.db)

    def subject(self, text: str, guild_id: int | None) -> Entity:
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

    def follow(
        self, guild_id: int, user_id: int, text: str, *, dm: bool, server: str | None = None
    ) -> tuple[Entity, bool]:
        """Follow a subject (again: ``dm`` is updated); (the subject, whether it is new).
        ``server``: the server's name, kept for DMs about it."""
        entity = self.subject(text, guild_id)
        with self.store.atomic():
            current = self.follows.subjects_of(guild_id, user_id)
            if entity.id not in current and len(current) >= MAX_FOLLOWS:
                raise InvalidInputError(too_many_text(MAX_FOLLOWS, self.engine.prefix))
            new = self.follows.follow(guild_id, user_id, entity.id, dm=dm, server=server)
        return entity, new

    def unfollow(self, guild_id: int | None, user_id: int, text: str) -> tuple[str, list[Followed]]:
        """Stop following (``guild_id`` None: in every server, from a DM); (the subject's
        name, the follows that ended: none when it wasn't followed)."""
        name, matched = self.matching(guild_id, user_id, text)
        with self.store.atomic():
            for follow in matched:
                self.follows.unfollow(follow.guild_id, user_id, follow.entity_id)
            for guild in sorted({f.guild_id for f in matched}):
                self.store.outbox.unfollowed(guild, user_id)  # nothing more on its way
        return name, matched

    def matching(self, guild_id: int | None, user_id: int, text: str) -> tuple[str, list[Followed]]:
        """The member's follows ``text`` names: by ``#id``, by the subject's name (even
        removed or merged away), else as a question names a subject."""
        typed = " ".join(text.split())[:MAX_SUBJECT]
        mine = self.following(guild_id, user_id)
        wanted = parse_id(typed)
        if wanted is not None and wanted < 2**63:  # larger: no row's id (nor SQLite's)
            ids = self._merged_chain(wanted)
            found = [f for f in mine if f.entity_id in ids]
            if found:
                return _name(found[0]), found
        elif typed:
            key = normalize(typed)
            found = [f for f in mine if f.entity is not None and key in _keys(f.entity)]
            if len({f.entity_id for f in found}) > 1:
                tied = {f.entity_id: f.entity for f in found if f.entity is not None}
                raise AmbiguousSubjectError(typed[:80], [(e.id, label(e)) for e in tied.values()])
            if found:
                return _name(found[0]), found
        # As a question names it, in each server the member follows something in.
        guilds: list[int | None] = [guild_id]
        if guild_id is None and mine:
            guilds = [*sorted({f.guild_id for f in mine})]
        problem: ShowbotError | None = None
        named: str | None = None
        for guild in guilds:
            try:
                entity = self.subject(typed, guild)
            except ShowbotError as exc:
                problem = problem or exc
                continue
            found = [f for f in mine if f.entity_id == entity.id]
            if found or guild_id is not None:
                return entity.name, found
            named = named or entity.name
        if named is not None:
            return named, []
        if problem is not None:
            raise problem
        return typed[:80], []

    def _merged_chain(self, entity_id: int) -> set[int]:
        """``entity_id`` and what it was merged into (its follows moved there)."""
        ids = {entity_id}
        row = self.store.row("entity", entity_id)
        while row is not None and row["merged_into"] is not None and row["merged_into"] not in ids:
            ids.add(row["merged_into"])
            row = self.store.row("entity", row["merged_into"])
        return ids

    def following(self, guild_id: int | None, user_id: int) -> list[Followed]:
        """What a member follows in a server (None: in every server), subjects since
        removed included (``gone``): they still hold a slot until unfollowed."""
        out = []
        for follow in self.follows.of(guild_id, user_id):
            row = self.store.row("entity", follow.entity_id)
            gone = row is None or bool(row["deleted_at"]) or row["merged_into"] is not None
            out.append(
                Followed(
                    follow.guild_id,
                    follow.guild_name,
                    follow.entity_id,
                    entity_from_row(row) if row else None,
                    gone,
                    follow.dm,
                    follow.dm_blocked,
                )
            )
        return out


def _keys(entity: Entity) -> tuple[str, str]:
    """A followed subject typed back: its name, or its name and kind ("Nuke (character)")."""
    return normalize(entity.name), normalize(label(entity))


def _name(follow: Followed) -> str:
    return follow.entity.name if follow.entity else f"#{follow.entity_id}"
