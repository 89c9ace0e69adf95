"""Subjects, their names and sources: creating a subject (and a season's show), aliases,
renames and merges that keep every fact reachable."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bot import validation as v
from bot.answering.questions import season_number, split_season
from bot.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from bot.language.text import normalize
from bot.models import Actor, Entity, EntityKind
from bot.moderation.base import Desk
from bot.outcomes import Outcome
from bot.replies.render import escape, labels
from bot.store.core import now
from bot.store.follows import Follows
from bot.store.reads import entity_from_row


class SubjectDesk(Desk):
    def _new_entity(self, name: str, kind: EntityKind, actor: Actor) -> list[Entity]:
        """Create the subject a name means (returns what was made, the subject last).

        A season ("The Crown season 2", "the crown s2") goes under its show, which is made
        too when unknown; a bare trailing number is a season only of a show the store
        holds ("Luke Cage 2"), otherwise part of a title ("Blake's 7")."""
        show_name, season = split_season(name)
        made: list[Entity] = []
        show: Entity | None = None
        if season is None and kind is not EntityKind.SEASON:
            head, _, last = name.rpartition(" ")
            number = season_number(normalize(last))
            if head and number is not None:
                show = self.resolve_entity(head, actor, shows_only=True)
                if show is not None:
                    show_name, season = head, number
        if season is None:
            if kind is EntityKind.SEASON:
                raise InvalidInputError(
                    "subject: name a season by its show and number, e.g. `jessica jones s3`"
                )
            return [self._insert_entity({"name": name, "kind": kind.value}, actor)]
        if not show_name:
            raise InvalidInputError("subject: which show's season? e.g. `jessica jones s3`")
        show = show or self.resolve_entity(show_name, actor, shows_only=True)
        if show is None:
            show = self._insert_entity({"name": show_name, "kind": "show"}, actor)
            made.append(show)
        values = {
            "name": f"{show.name} season {season}",
            "kind": "season",
            "show_id": show.id,
            "season": season,
        }
        made.append(self._insert_entity(values, actor))
        return made

    def _insert_entity(self, values: dict[str, Any], actor: Actor) -> Entity:
        eid = self.store.insert(
            "entity", {**values, "guild_id": actor.guild_id}, actor, "entity.add"
        )
        entity = self.store.entity(eid)
        assert entity is not None
        return entity

    def add_alias(self, actor: Actor, alias: str, entity: str) -> Outcome:
        name = v.clean_text(alias, "alias", v.MAX_NAME)
        assert name is not None
        with self.store.batch():
            target = self.entity_of(entity, actor)
            with self.engine.lock:  # the index is the engine thread's: see Engine.lock
                taken = self.engine.subjects.named_exactly(name, actor.guild_id)
            if taken:
                raise InvalidInputError(
                    f"alias: **{escape(name)}** already names "
                    + ", ".join(f"**{escape(n)}**" for n in labels(taken))
                )
            aid = self.store.insert(
                "alias",
                {"entity_id": target.id, "name": name, "guild_id": actor.guild_id},
                actor,
                "alias.add",
            )
        self._done()
        return Outcome(
            "alias.add", entity_id=target.id, alias_id=aid, subject=target.name, name=name
        )

    def remove_alias(self, actor: Actor, alias: str) -> Outcome:
        key = normalize(alias)
        rows = [
            r for r in self.store.aliases_visible(actor.guild_id) if normalize(r["name"]) == key
        ]
        if not rows:
            raise NotFoundError(f"There is no alias {alias[:80]!r} here.")
        # This server's own alias first: that is the one its moderator can remove.
        row = sorted(rows, key=lambda r: r["guild_id"] is None)[0]
        if not self._own(row, actor):
            raise PermissionDeniedError("That alias is global; only the bot's owner can remove it.")
        with self.store.batch():
            self.store.update("alias", row["id"], {"deleted_at": now()}, actor, "alias.remove")
        self._done()
        return Outcome(
            "alias.remove", entity_id=row["entity_id"], alias_id=row["id"], name=row["name"]
        )

    def add_source(
        self,
        actor: Actor,
        *,
        title: str,
        publisher: str | None = None,
        url: str | None = None,
        date: str | None = None,
    ) -> Outcome:
        values: dict[str, Any] = {
            "title": v.clean_text(title, "title", v.MAX_TITLE),
            "publisher": v.clean_text(publisher, "publisher", v.MAX_PUBLISHER, required=False),
            "url": v.parse_url(url),
            "date": v.parse_date_iso(date),
            "guild_id": actor.guild_id,
        }
        with self.store.batch():
            sid = self.store.insert("source", values, actor, "source.add")
        return Outcome("source.add", source_id=sid, subject=values["title"])

    def rename_entity(self, actor: Actor, entity: str, new_name: str) -> Outcome:
        name = v.clean_text(new_name, "name", v.MAX_NAME)
        assert name is not None
        with self.store.batch():
            target = self.entity_of(entity, actor)
            row = self.store.row("entity", target.id)
            assert row is not None
            if not self._own(row, actor):
                raise PermissionDeniedError(
                    f"**{escape(target.name)}** is global; only the bot's owner can rename it."
                )
            self.store.update("entity", target.id, {"name": name}, actor, "entity.rename")
            # The old name keeps working as an alias.
            self.store.insert(
                "alias",
                {"entity_id": target.id, "name": target.name, "guild_id": row["guild_id"]},
                actor,
                "alias.add",
            )
        self._done()
        return Outcome("entity.rename", entity_id=target.id, subject=target.name, name=name)

    def set_entity_kind(self, actor: Actor, entity: str, kind: str) -> Outcome:
        """`entity kind <subject> to: <kind>`: a subject made with the wrong kind (a show
        filed as a thing) is set right; the change is in the history, `fact undo` reverts it."""
        new = v.parse_entity_kind(kind, "to")
        if new is EntityKind.SEASON:
            raise InvalidInputError(
                "to: a season is made by naming it with its show and number"
                " (`jessica jones s3`), not by changing a subject's kind."
            )
        with self.store.batch():
            target = self.entity_of(entity, actor)
            row = self.store.row("entity", target.id)
            assert row is not None
            if target.kind is new:
                raise InvalidInputError(
                    f"**{escape(target.name)}** is already a {new.value}; nothing changed."
                )
            if target.kind is EntityKind.SEASON:
                raise InvalidInputError(
                    f"**{escape(target.name)}** is a season of a show; a season stays a season."
                )
            if self.store.rows_of("entity", "show_id", target.id):
                raise InvalidInputError(
                    f"**{escape(target.name)}** has seasons, which need a show: it stays a show."
                )
            if not self._own(row, actor):
                raise PermissionDeniedError(
                    f"**{escape(target.name)}** is global; only the bot's owner can change"
                    " its kind."
                )
            self.store.update("entity", target.id, {"kind": new.value}, actor, "entity.kind")
        self._done()
        return Outcome(
            "entity.kind",
            entity_id=target.id,
            subject=target.name,
            name=new.value,
            fields=("kind",),
            was=target.kind.value,
        )

    def merge_entities(self, actor: Actor, source: str, into: str) -> Outcome:
        """Everything of ``source`` moves to ``into``: facts, aliases and, for a show, its
        seasons (a season both shows have becomes one); the old name becomes an alias."""
        with self.store.batch():
            a = self.entity_of(source, actor)
            b = self.entity_of(into, actor)
            if a.id == b.id:
                raise InvalidInputError("Those are the same subject.")
            row = self.store.row("entity", a.id)
            assert row is not None
            if not self._own(row, actor):
                raise PermissionDeniedError(
                    f"**{escape(a.name)}** is global; only the owner can merge it."
                )
            into_row = self.store.row("entity", b.id)
            assert into_row is not None
            if row["guild_id"] is None and into_row["guild_id"] is not None:
                # Its global facts would hang on a subject only this server sees.
                raise PermissionDeniedError(
                    f"**{escape(a.name)}** is global and **{escape(b.name)}** is this"
                    " server's own: a global subject can be merged only into a global one."
                )
            if b.show_id == a.id:
                raise InvalidInputError(
                    f"**{escape(b.name)}** is a season of **{escape(a.name)}**; merge the season"
                    " into the show instead."
                )
            if self.store.rows_of("entity", "show_id", a.id) and b.kind is not EntityKind.SHOW:
                raise InvalidInputError(
                    f"**{escape(a.name)}** has seasons, which need a show: merge it into a show."
                )
            moved: Counter[str] = Counter()
            self._merge(a, b, actor, moved)
        self._done()
        return Outcome(
            "entity.merge", entity_id=b.id, subject=a.name, name=b.name, counts=dict(moved)
        )

    def _merge(self, a: Entity, b: Entity, actor: Actor, moved: Counter[str]) -> None:
        # Removed facts move too: restoring one later must land where its subject went.
        for fact in self.store.rows_of("fact", "entity_id", a.id, removed=True):
            self.store.update("fact", fact["id"], {"entity_id": b.id}, actor, "entity.merge")
            moved["fact"] += 1
        for alias in self.store.rows_of("alias", "entity_id", a.id):
            self.store.update("alias", alias["id"], {"entity_id": b.id}, actor, "entity.merge")
            moved["alias"] += 1
        theirs = {s["season"]: s for s in self.store.rows_of("entity", "show_id", b.id)}
        for season in self.store.rows_of("entity", "show_id", a.id):
            moved["season"] += 1
            same = theirs.get(season["season"])
            if same is not None:  # both shows had it: one season, every fact kept
                self._merge(entity_from_row(season), entity_from_row(same), actor, Counter())
                continue
            renamed = f"{b.name} season {season['season']}"
            self.store.update(
                "entity", season["id"], {"show_id": b.id, "name": renamed}, actor, "entity.merge"
            )
            if normalize(renamed) != normalize(season["name"]):
                self.store.insert(
                    "alias",
                    {
                        "entity_id": season["id"],
                        "name": season["name"],
                        "guild_id": season["guild_id"],
                    },
                    actor,
                    "entity.merge",
                )
        row = self.store.row("entity", a.id)
        assert row is not None
        self.store.insert(
            "alias",
            {"entity_id": b.id, "name": a.name, "guild_id": row["guild_id"]},
            actor,
            "entity.merge",
        )
        self.store.update("entity", a.id, {"merged_into": b.id}, actor, "entity.merge")
        # Its followers follow what it became, or they would hear nothing more of its facts
        # (now b's) and could not unfollow it. Not undone with the merge: they keep b.
        Follows(self.store.db).merged(a.id, b.id)
