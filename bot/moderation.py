"""What moderators do to facts, aliases, sources and entities, with history and undo.

Every action is one :meth:`Store.batch`: the rows and their change records commit
together or not at all, and ``undo`` reverses a whole batch. Nothing is deleted: removal
sets ``deleted_at``. A server's moderators edit their own server's rows; a global row
(seeded, or the owner's) is changed for their server only, through an override fact
that replaces or hides it there.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot import validation as v
from bot.engine import Engine
from bot.errors import (
    AmbiguousSubjectError,
    EditConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    UnknownSubjectError,
)
from bot.models import Actor, Entity, EntityKind, Fact, Intent, Kind
from bot.questions import season_number, split_kind, split_season
from bot.render import escape, label, labels
from bot.store import now
from bot.subjects import Resolution, leftover, parse_id
from bot.text import normalize

# The entity kind a new subject gets from the kind of its first fact.
_NEW_KIND = {
    Kind.WHO: EntityKind.CHARACTER,
    Kind.WHAT: EntityKind.THING,
    Kind.WHEN: EntityKind.SHOW,
}
RECENT_EDIT_SECONDS = 60  # someone else's edit this fresh means "changed meanwhile"
_FACT_FIELDS = ("text", "status", "spoiler", "source_id", "date", "quote", "kind")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a moderator action did, in words, plus the ids involved."""

    message: str
    fact_id: int | None = None
    entity_id: int | None = None


@dataclass(frozen=True, slots=True)
class Version:
    number: int
    at: str
    actor: str
    action: str
    changed: dict[str, tuple[Any, Any]]  # column -> (before, after)


class Moderation:
    """Moderator actions over one engine's store; keeps the engine's index in step."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.store = engine.store

    # ------------------------------------------------------------ helpers

    def _done(self) -> None:
        self.engine.sync(force=True)

    def _visible(self, row: dict[str, Any] | None, actor: Actor) -> bool:
        return row is not None and row["guild_id"] in (None, actor.guild_id)

    def _own(self, row: dict[str, Any], actor: Actor) -> bool:
        """May the actor change this row directly?"""
        if row["guild_id"] is None:
            return actor.owner
        return row["guild_id"] == actor.guild_id

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

    def _source_id(self, value: str | None, actor: Actor) -> tuple[int | None, str | None]:
        """A source given as ``#id`` or title; a new title creates the source."""
        if value is None:
            return None, None
        value = value.strip()
        if value.lstrip("#").isdigit():
            sid = v.parse_id(value, "source")
            if not self._visible(self.store.row("source", sid), actor):
                raise NotFoundError(f"There is no source #{sid} here.")
            return sid, None
        title = v.clean_text(value, "source", v.MAX_TITLE)
        for source in self.store.sources(actor.guild_id):
            if normalize(source.title) == normalize(title or ""):
                return source.id, None
        sid = self.store.insert(
            "source", {"title": title, "guild_id": actor.guild_id}, actor, "source.add"
        )
        return sid, f"new source #{sid}"

    # ------------------------------------------------------------ facts

    def add_fact(
        self,
        actor: Actor,
        *,
        subject: str,
        kind: str,
        text: str,
        status: str = "confirmed",
        spoiler: str | bool = False,
        source: str | None = None,
        date: str | None = None,
        quote: str | None = None,
        entity_kind: str | None = None,
    ) -> Outcome:
        k = v.parse_kind(kind)
        values = {
            "kind": k.value,
            "text": v.clean_text(text, "text", v.MAX_FACT_TEXT),
            "status": v.parse_status(status).value,
            "spoiler": int(v.parse_bool(spoiler, "spoiler")),
            "quote": v.clean_text(quote, "quote", v.MAX_QUOTE, required=False),
        }
        values["date"] = v.parse_date_iso(date)
        name = v.clean_text(subject, "subject", v.MAX_NAME)
        assert name is not None
        notes = []
        with self.store.batch():
            entity = self.resolve_entity(name, actor, kind=k)
            if entity is None:
                new_kind = v.parse_entity_kind(entity_kind) if entity_kind else _NEW_KIND[k]
                made = self._new_entity(name, new_kind, actor)
                eid = made[-1].id
                notes.append(
                    "new subject"
                    + ("s " if len(made) > 1 else " ")
                    + " and ".join(f"{_b(e.name)} ({e.kind.value}) #{e.id}" for e in made)
                )
            else:
                eid = entity.id
            values["source_id"], source_note = self._source_id(source, actor)
            if source_note:
                notes.append(source_note)
            values.update(entity_id=eid, guild_id=actor.guild_id)
            fid = self.store.insert("fact", values, actor, "fact.add")
        self._done()
        subject = self.engine.entities[eid].name
        extra = f" ({'; '.join(notes)})" if notes else ""
        return Outcome(f"Added fact #{fid} to {_b(subject)}{extra}.", fact_id=fid, entity_id=eid)

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

    def edit_fact(
        self,
        actor: Actor,
        fact_id: int,
        *,
        expected_version: int | None = None,
        **fields: Any,
    ) -> Outcome:
        """Change some of text/status/spoiler/source/date/quote. A global fact edited by a
        server's moderator becomes an override in that server only."""
        changes: dict[str, Any] = {}
        with self.store.batch():
            for name, value in fields.items():
                if value is None:
                    continue
                if name == "text":
                    changes["text"] = v.clean_text(value, "text", v.MAX_FACT_TEXT)
                elif name == "status":
                    changes["status"] = v.parse_status(value).value
                elif name == "spoiler":
                    changes["spoiler"] = int(v.parse_bool(value, "spoiler"))
                elif name == "date":
                    changes["date"] = v.parse_date_iso(value)
                elif name == "quote":
                    changes["quote"] = v.clean_text(value, "quote", v.MAX_QUOTE, required=False)
                elif name == "source":
                    changes["source_id"], _ = self._source_id(value, actor)
                elif name == "kind":
                    changes["kind"] = v.parse_kind(value).value
                else:
                    raise InvalidInputError(f"{name}: facts have no such field")
            if not changes:
                raise InvalidInputError(
                    "Nothing to change: give text:, status:, spoiler:, source:, date: or quote:"
                )
            row = self.fact_row(fact_id, actor)
            if row["deleted_at"]:
                raise InvalidInputError(f"Fact #{fact_id} is removed; restore it first.")
            if expected_version is None:
                self._refuse_if_just_changed(row, actor)
            if self._own(row, actor):
                changes = {k: val for k, val in changes.items() if row[k] != val}
                if not changes:
                    return Outcome(f"Fact #{fact_id} already says that; nothing changed.", fact_id)
                self.store.update(
                    "fact", fact_id, changes, actor, "fact.edit", expected_version=expected_version
                )
                message = f"Edited fact #{fact_id} ({', '.join(_label(c) for c in changes)})."
                target = fact_id
            else:
                target = self._override(row, actor, changes, hides=False)
                message = (
                    f"Fact #{fact_id} is global; your server now sees your version #{target}"
                    " instead (other servers are unaffected)."
                )
        self._done()
        return Outcome(message, fact_id=target)

    def _refuse_if_just_changed(self, row: dict[str, Any], actor: Actor) -> None:
        """Two moderators editing one fact at the same moment: the second is told, rather
        than silently replacing the first's words. ``version:`` confirms a deliberate edit."""
        last = self.store.rows(
            "SELECT actor_id, actor_name, at FROM change WHERE table_name = 'fact'"
            " AND row_id = ? ORDER BY id DESC LIMIT 1",
            [row["id"]],
        )
        if not last or last[0]["actor_id"] in (actor.id, None):
            return
        age = datetime.now(UTC) - datetime.fromisoformat(last[0]["at"])
        if age.total_seconds() < RECENT_EDIT_SECONDS:
            raise EditConflictError(
                f"Fact #{row['id']} was changed meanwhile by {last[0]['actor_name']}"
                f" (now version {row['version']}). Check it with `fact show {row['id']}`, then"
                f" edit again adding `version: {row['version']}`."
            )

    def _override(
        self, row: dict[str, Any], actor: Actor, changes: dict[str, Any], *, hides: bool
    ) -> int:
        """Create or update this server's override of a global fact."""
        if actor.guild_id is None:
            raise PermissionDeniedError("Only the bot's owner can change global facts.")
        existing = self.store.rows(
            "SELECT * FROM fact WHERE overrides = ? AND guild_id = ?", [row["id"], actor.guild_id]
        )
        if existing:
            current = existing[0]
            update = {**changes, "hides": int(hides), "deleted_at": None}
            update = {k: val for k, val in update.items() if current[k] != val}
            if update:
                self.store.update("fact", current["id"], update, actor, "fact.override")
            return current["id"]
        base = {c: row[c] for c in ("entity_id", *_FACT_FIELDS)}
        base.update(changes, overrides=row["id"], hides=int(hides), guild_id=actor.guild_id)
        return self.store.insert("fact", base, actor, "fact.override")

    def remove_fact(self, actor: Actor, fact_id: int) -> Outcome:
        with self.store.batch():
            row = self.fact_row(fact_id, actor)
            if self._own(row, actor):
                if row["deleted_at"]:
                    raise InvalidInputError(f"Fact #{fact_id} is already removed.")
                self.store.update("fact", fact_id, {"deleted_at": now()}, actor, "fact.remove")
                message = f"Removed fact #{fact_id}. `fact restore {fact_id}` brings it back."
            else:
                self._override(row, actor, {}, hides=True)
                message = f"Fact #{fact_id} is global; it is now hidden in this server only."
        self._done()
        return Outcome(message, fact_id=fact_id)

    def restore_fact(self, actor: Actor, fact_id: int) -> Outcome:
        with self.store.batch():
            row = self.fact_row(fact_id, actor)
            if self._own(row, actor):
                if not row["deleted_at"]:
                    raise InvalidInputError(f"Fact #{fact_id} is not removed.")
                self.store.update("fact", fact_id, {"deleted_at": None}, actor, "fact.restore")
                message = f"Restored fact #{fact_id}."
            else:
                hidden = self.store.rows(
                    "SELECT id FROM fact WHERE overrides = ? AND guild_id = ? AND hides = 1"
                    " AND deleted_at IS NULL",
                    [fact_id, actor.guild_id],
                )
                if not hidden:
                    raise InvalidInputError(f"Fact #{fact_id} is not hidden in this server.")
                self.store.update(
                    "fact", hidden[0]["id"], {"deleted_at": now()}, actor, "fact.restore"
                )
                message = f"Fact #{fact_id} is shown in this server again."
        self._done()
        return Outcome(message, fact_id=fact_id)

    def show_fact(self, actor: Actor, fact_id: int) -> tuple[Fact, Entity | None]:
        self.fact_row(fact_id, actor)
        fact = self.store.fact(fact_id)
        assert fact is not None
        return fact, self.store.entity(fact.entity_id)

    def history(self, actor: Actor, fact_id: int) -> list[Version]:
        self.fact_row(fact_id, actor)
        out = []
        for c in self.store.rows(
            "SELECT * FROM change WHERE table_name = 'fact' AND row_id = ? ORDER BY id", [fact_id]
        ):
            before = json.loads(c["before"]) if c["before"] else {}
            after = json.loads(c["after"]) if c["after"] else {}
            changed = {
                k: (before.get(k), after.get(k))
                for k in after
                if k not in ("version", "updated_at", "updated_by")
                and before.get(k) != after.get(k)
            }
            if not before:
                changed = {k: (None, after[k]) for k in ("text", "status", "date") if after.get(k)}
            out.append(
                Version(
                    c["version"],
                    c["at"],
                    c["actor_name"] or str(c["actor_id"]),
                    c["action"],
                    changed,
                )
            )
        return out

    def revert(self, actor: Actor, fact_id: int, version: int) -> Outcome:
        with self.store.batch():
            row = self.fact_row(fact_id, actor)
            if not self._own(row, actor):
                raise PermissionDeniedError(
                    f"Fact #{fact_id} is global; edit it to override it in this server."
                )
            found = self.store.rows(
                "SELECT after FROM change WHERE table_name = 'fact' AND row_id = ? AND version = ?"
                " ORDER BY id DESC LIMIT 1",
                [fact_id, version],
            )
            if not found or not found[0]["after"]:
                raise NotFoundError(f"Fact #{fact_id} has no version {version}.")
            old = json.loads(found[0]["after"])
            changes = {k: old[k] for k in (*_FACT_FIELDS, "deleted_at") if row[k] != old[k]}
            if not changes:
                return Outcome(f"Fact #{fact_id} already matches version {version}.", fact_id)
            self.store.update("fact", fact_id, changes, actor, "fact.revert")
        self._done()
        return Outcome(f"Reverted fact #{fact_id} to version {version}.", fact_id=fact_id)

    def undo(self, actor: Actor) -> Outcome:
        """Reverse the actor's last change in this server (of any kind)."""
        with self.store.batch():
            last = self.store.rows(
                "SELECT batch FROM change WHERE actor_id IS ? AND guild_id IS ?"
                " AND undone_by IS NULL AND action != 'undo' ORDER BY id DESC LIMIT 1",
                [actor.id, actor.guild_id],
            )
            if not last:
                raise NotFoundError("You have no change here to undo.")
            changes = self.store.rows(
                "SELECT * FROM change WHERE batch = ? ORDER BY id DESC", [last[0]["batch"]]
            )
            marker = self.store.max_change_id() + 1
            for c in changes:
                current = self.store.row(c["table_name"], c["row_id"])
                after = json.loads(c["after"]) if c["after"] else None
                # The row must still be as this change left it (earlier undos may have
                # bumped its version, which is fine); otherwise someone changed it since.
                if current is None or (after and _content(current) != _content(after)):
                    raise EditConflictError(
                        f"{c['table_name'].capitalize()} #{c['row_id']} was changed since;"
                        " undo that change first or edit it by hand."
                    )
                if c["before"] is None:  # an insert: undo is a soft delete
                    restore = {"deleted_at": now()}
                else:
                    before = json.loads(c["before"])
                    restore = {k: val for k, val in _content(before).items() if val != current[k]}
                if restore:
                    self.store.update(c["table_name"], c["row_id"], restore, actor, "undo")
            self.store.mark_undone([c["id"] for c in changes], marker)
        self._done()
        actions = Counter(c["action"] for c in changes)
        what = ", ".join(f"{a}" + (f" ×{n}" if n > 1 else "") for a, n in actions.items())
        return Outcome(f"Undid your last change ({what}).")

    # ------------------------------------------------------------ aliases, entities, sources

    def add_alias(self, actor: Actor, alias: str, entity: str) -> Outcome:
        name = v.clean_text(alias, "alias", v.MAX_NAME)
        assert name is not None
        with self.store.batch():
            target = self.entity_of(entity, actor)
            taken = self.engine.subjects.named_exactly(name, actor.guild_id)
            if taken:
                raise InvalidInputError(
                    f"alias: {_b(name)} already names {', '.join(_b(n) for n in labels(taken))}"
                )
            aid = self.store.insert(
                "alias",
                {"entity_id": target.id, "name": name, "guild_id": actor.guild_id},
                actor,
                "alias.add",
            )
        self._done()
        return Outcome(
            f"{_b(name)} now also means {_b(target.name)} (alias #{aid}).", entity_id=target.id
        )

    def remove_alias(self, actor: Actor, alias: str) -> Outcome:
        key = normalize(alias)
        rows = [
            r
            for r in self.store.rows(
                "SELECT * FROM alias WHERE deleted_at IS NULL"
                " AND (guild_id IS NULL OR guild_id = ?)",
                [actor.guild_id],
            )
            if normalize(r["name"]) == key
        ]
        if not rows:
            raise NotFoundError(f"There is no alias {alias[:80]!r} here.")
        row = rows[0]
        if not self._own(row, actor):
            raise PermissionDeniedError("That alias is global; only the bot's owner can remove it.")
        with self.store.batch():
            self.store.update("alias", row["id"], {"deleted_at": now()}, actor, "alias.remove")
        self._done()
        return Outcome(f"Removed alias {_b(row['name'])}.", entity_id=row["entity_id"])

    def add_source(
        self,
        actor: Actor,
        *,
        title: str,
        publisher: str | None = None,
        url: str | None = None,
        date: str | None = None,
    ) -> Outcome:
        values = {
            "title": v.clean_text(title, "title", v.MAX_TITLE),
            "publisher": v.clean_text(publisher, "publisher", v.MAX_PUBLISHER, required=False),
            "url": v.parse_url(url),
            "date": v.parse_date_iso(date),
            "guild_id": actor.guild_id,
        }
        with self.store.batch():
            sid = self.store.insert("source", values, actor, "source.add")
        return Outcome(f"Added source #{sid}: *{escape(values['title'] or '')}*.")

    def rename_entity(self, actor: Actor, entity: str, new_name: str) -> Outcome:
        name = v.clean_text(new_name, "name", v.MAX_NAME)
        with self.store.batch():
            target = self.entity_of(entity, actor)
            row = self.store.row("entity", target.id)
            assert row is not None
            if not self._own(row, actor):
                raise PermissionDeniedError(
                    f"{_b(target.name)} is global; only the bot's owner can rename it."
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
        return Outcome(
            f"Renamed {_b(target.name)} to {_b(name or '')} (the old name stays an alias).",
            entity_id=target.id,
        )

    def merge_entities(self, actor: Actor, source: str, into: str) -> Outcome:
        with self.store.batch():
            a = self.entity_of(source, actor)
            b = self.entity_of(into, actor)
            if a.id == b.id:
                raise InvalidInputError("Those are the same subject.")
            row = self.store.row("entity", a.id)
            assert row is not None
            if not self._own(row, actor):
                raise PermissionDeniedError(f"{_b(a.name)} is global; only the owner can merge it.")
            moved = Counter()
            for table in ("alias", "fact"):
                for r in self.store.rows(
                    f"SELECT id FROM {table} WHERE entity_id = ? AND deleted_at IS NULL", [a.id]
                ):
                    self.store.update(table, r["id"], {"entity_id": b.id}, actor, "entity.merge")
                    moved[table] += 1
            self.store.insert(
                "alias",
                {"entity_id": b.id, "name": a.name, "guild_id": row["guild_id"]},
                actor,
                "entity.merge",
            )
            self.store.update("entity", a.id, {"merged_into": b.id}, actor, "entity.merge")
        self._done()
        return Outcome(
            f"Merged {_b(a.name)} into {_b(b.name)}: {moved['fact']} fact(s) and"
            f" {moved['alias']} alias(es) moved; the old name is now an alias.",
            entity_id=b.id,
        )

    # ------------------------------------------------------------ question log

    def gaps(self, guild_id: int | None, limit: int = 10) -> list[tuple[str, int, str]]:
        """The most asked unanswered subjects: (subject, times, last asked)."""
        self.engine.flush_log()
        return [
            (r["subject"], r["n"], r["last"])
            for r in self.store.rows(
                "SELECT subject, count(*) AS n, max(at) AS last FROM question"
                " WHERE answered = 0 AND subject IS NOT NULL AND guild_id IS ?"
                " GROUP BY subject ORDER BY n DESC, last DESC LIMIT ?",
                [guild_id, limit],
            )
        ]

    def stats(self, guild_id: int | None, days: int = 7) -> dict[str, Any]:
        """Questions per day, answer rate and top subjects over the last ``days`` days."""
        self.engine.flush_log()
        since = f"-{int(days)} days"
        per_day = self.store.rows(
            "SELECT substr(at, 1, 10) AS day, count(*) AS n, sum(answered) AS answered"
            " FROM question WHERE guild_id IS ? AND at >= strftime('%Y-%m-%dT%H:%M:%f', 'now', ?)"
            " GROUP BY day ORDER BY day",
            [guild_id, since],
        )
        top = self.store.rows(
            "SELECT entity.name AS name, count(*) AS n FROM question JOIN entity"
            " ON entity.id = question.entity_id WHERE question.guild_id IS ?"
            " AND question.at >= strftime('%Y-%m-%dT%H:%M:%f', 'now', ?)"
            " GROUP BY entity.id ORDER BY n DESC LIMIT 5",
            [guild_id, since],
        )
        via = dict(
            self.store.db.execute(
                "SELECT via, count(*) FROM question WHERE guild_id IS ? AND answered = 1"
                " AND at >= strftime('%Y-%m-%dT%H:%M:%f', 'now', ?) GROUP BY via",
                [guild_id, since],
            ).fetchall()
        )
        total = sum(r["n"] for r in per_day)
        answered = sum(r["answered"] or 0 for r in per_day)
        return {
            "days": days,
            "by_facts": via.get("facts", 0),  # answered from the facts' words, not a name
            "per_day": [(r["day"], r["n"]) for r in per_day],
            "total": total,
            "answer_rate": (answered / total) if total else None,
            "top": [(r["name"], r["n"]) for r in top],
        }


_META = frozenset(("id", "version", "created_at", "created_by", "updated_at", "updated_by"))


def _content(row: dict[str, Any]) -> dict[str, Any]:
    """A row's columns that moderators change (not its bookkeeping)."""
    return {k: val for k, val in row.items() if k not in _META}


def _b(name: str) -> str:
    """A user-supplied name, bold and inert."""
    return f"**{escape(name)}**"


def _label(column: str) -> str:
    return "source" if column == "source_id" else column
