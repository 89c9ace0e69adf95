"""Adding, editing, removing and restoring facts, and a server's own versions of global
facts (overrides), under one "changed meanwhile" rule."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import validation as v
from bot.answering.questions import split_kind
from bot.errors import EditConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from bot.models import Actor, Entity, EntityKind, Fact, Kind
from bot.moderation.subjects import SubjectDesk
from bot.outcomes import Made, Outcome
from bot.store.core import now

# The entity kind a new subject gets from the kind of its first fact.
_NEW_KIND = {
    Kind.WHO: EntityKind.CHARACTER,
    Kind.WHAT: EntityKind.THING,
    Kind.WHEN: EntityKind.SHOW,
}
RECENT_EDIT_SECONDS = 60  # someone else's edit this fresh means "changed meanwhile"
FACT_FIELDS = (
    "text",
    "status",
    "spoiler",
    "source_id",
    "date",
    "quote",
    "kind",
    *("outcome", "outcome_note", "outcome_at", "unspoiled"),  # `fact resolve` (outcomes.py)
)


class FactDesk(SubjectDesk):
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
        made: list[Made] = []
        with self.store.batch():
            entity = self.resolve_entity(name, actor, kind=k)
            if entity is None:
                name, new_kind = self._new_subject(name, entity_kind, k)
                created = self._new_entity(name, new_kind, actor)
                made += [Made(e.id, e.name, e.kind.value) for e in created]
                eid, named = created[-1].id, created[-1].name
            else:
                eid, named = entity.id, entity.name
            values["source_id"], new_source = self._source_id(source, actor, actor.guild_id)
            if new_source:
                made.append(new_source)
            values.update(entity_id=eid, guild_id=actor.guild_id)
            fid = self.store.insert("fact", values, actor, "fact.add")
        self._done()
        return Outcome(
            "fact.add",
            fact_id=fid,
            entity_id=eid,
            version=1,
            subject=named,
            made=tuple(made),
        )

    def _new_subject(self, name: str, entity_kind: str | None, k: Kind) -> tuple[str, EntityKind]:
        """A new subject's name and kind: "Daredevil (show)" is a show called Daredevil,
        read as a question reads the suffix (split_kind); else ``type:``, else the kind its
        first fact suggests."""
        bare, suffix, picked = split_kind(name)
        if picked is not None:  # "(show #12)" picks an existing subject, and none matched
            raise NotFoundError(f"There is no subject #{picked} here.")
        typed = v.parse_entity_kind(entity_kind, "type") if entity_kind else None
        if suffix and typed and suffix is not typed:
            raise InvalidInputError(
                f"subject: says ({suffix.value}) but type: says {typed.value}; give one."
            )
        if suffix is None:
            return name, typed or _NEW_KIND[k]
        bare = v.clean_text(bare, "subject", v.MAX_NAME) or ""
        return bare, suffix

    def _fields(self, fields: dict[str, Any], actor: Actor, scope: int | None) -> dict[str, Any]:
        """Validated column values for the fields a moderator gave, for a row of ``scope``
        (a server, or None: global)."""
        changes: dict[str, Any] = {}
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
                changes["source_id"], _ = self._source_id(value, actor, scope)
            elif name == "kind":
                changes["kind"] = v.parse_kind(value).value
            else:
                raise InvalidInputError(f"{name}: facts have no such field")
        if not changes:
            raise InvalidInputError(
                "Nothing to change: give text:, status:, spoiler:, source:, date: or quote:"
            )
        return changes

    def edit_fact(
        self,
        actor: Actor,
        fact_id: int,
        *,
        expected_version: int | None = None,
        **fields: Any,
    ) -> Outcome:
        """Change some of text/status/spoiler/source/date/quote. A global fact edited by a
        server's moderator becomes an override in that server only; the server's version
        is then what ``version:`` and the "changed meanwhile" rule are checked against."""
        with self.store.batch():
            row = self.fact_row(fact_id, actor)
            # The owner's edit of a global fact writes that fact; anyone else's, or in a
            # server, a server's version of it: the fields are checked for that row's scope.
            scope = row["guild_id"] if self._own(row, actor) else actor.guild_id
            changes = self._fields(fields, actor, scope)
            if row["deleted_at"]:
                raise InvalidInputError(f"Fact #{fact_id} is removed; restore it first.")
            if self._own(row, actor):
                self._check_version(row, actor, expected_version)
                changes = {k: val for k, val in changes.items() if row[k] != val}
                if not changes:
                    return Outcome("fact.unchanged", fact_id=fact_id, version=row["version"])
                after = self.store.update(
                    "fact", fact_id, changes, actor, "fact.edit", expected_version=row["version"]
                )
                outcome = Outcome(
                    "fact.edit",
                    fact_id=fact_id,
                    version=after["version"],
                    fields=tuple(changes),
                )
            else:
                target = self._override(row, actor, changes, expected_version=expected_version)
                outcome = Outcome(
                    "fact.override",
                    fact_id=target["id"],
                    version=target["version"],
                    overrides=fact_id,
                )
        self._done()
        return outcome

    def _check_version(
        self,
        row: dict[str, Any],
        actor: Actor,
        expected_version: int | None,
        *,
        of: int | None = None,
    ) -> None:
        """``version:`` must be the row's; without it, someone else's change in the last
        minute is refused rather than silently replaced (``of``: the global fact whose
        server version ``row`` is, for the message)."""
        name = f"Fact #{of}'s version in this server (#{row['id']})" if of else f"Fact #{row['id']}"
        again = f"`fact show {of or row['id']}`"
        if expected_version is not None:
            if row["version"] != expected_version:
                raise EditConflictError(
                    f"{name} was changed meanwhile (now version {row['version']}, not"
                    f" {expected_version}). Check it with {again}, then edit again."
                )
            return
        last = self.store.changes.last_change("fact", row["id"])
        if not last or last["actor_id"] in (actor.id, None):
            return
        age = self.clock() - datetime.fromisoformat(last["at"])
        if age.total_seconds() < RECENT_EDIT_SECONDS:
            raise EditConflictError(
                f"{name} was changed meanwhile by {last['actor_name']}"
                f" (now version {row['version']}). Check it with {again}, then"
                f" edit again adding `version: {row['version']}`."
            )

    def _override(
        self,
        row: dict[str, Any],
        actor: Actor,
        changes: dict[str, Any],
        *,
        expected_version: int | None = None,
        hides: bool = False,
        action: str = "fact.override",
    ) -> dict[str, Any]:
        """Create or change this server's version of a global fact; returns its row
        (``action``: what the change log calls it)."""
        if actor.guild_id is None:
            raise PermissionDeniedError("Only the bot's owner can change global facts.")
        current = self.store.override_of(row["id"], actor.guild_id)
        if current is None:
            self._check_version(row, actor, expected_version)
            base = {c: row[c] for c in ("entity_id", *FACT_FIELDS)}
            base.update(changes, overrides=row["id"], hides=int(hides), guild_id=actor.guild_id)
            new_id = self.store.insert("fact", base, actor, action)
            made = self.store.row("fact", new_id)
            assert made is not None
            return made
        if not hides:  # a hide keeps the server's words, so a restore brings them back
            self._check_version(current, actor, expected_version, of=row["id"])
        update: dict[str, Any] = {"hides": int(hides), "deleted_at": None}
        if current["deleted_at"]:
            # A version given up earlier starts again from the global fact as it is now.
            update.update({c: row[c] for c in FACT_FIELDS})
        update.update(changes)
        update = {k: val for k, val in update.items() if current[k] != val}
        if not update:
            return current
        return self.store.update(
            "fact", current["id"], update, actor, action, expected_version=current["version"]
        )

    def remove_fact(self, actor: Actor, fact_id: int) -> Outcome:
        with self.store.batch():
            row = self.fact_row(fact_id, actor)
            if self._own(row, actor):
                if row["deleted_at"]:
                    raise InvalidInputError(f"Fact #{fact_id} is already removed.")
                after = self.store.update(
                    "fact", fact_id, {"deleted_at": now()}, actor, "fact.remove"
                )
                outcome = Outcome("fact.remove", fact_id=fact_id, version=after["version"])
            else:
                current = self.store.override_of(fact_id, actor.guild_id)
                if current and current["hides"] and not current["deleted_at"]:
                    raise InvalidInputError(f"Fact #{fact_id} is already hidden in this server.")
                marker = self._override(row, actor, {}, hides=True)
                outcome = Outcome(
                    "fact.hide", fact_id=fact_id, version=marker["version"], overrides=fact_id
                )
        self._done()
        return outcome

    def restore_fact(self, actor: Actor, fact_id: int) -> Outcome:
        with self.store.batch():
            row = self.fact_row(fact_id, actor)
            if self._own(row, actor):
                if not row["deleted_at"]:
                    raise InvalidInputError(f"Fact #{fact_id} is not removed.")
                after = self.store.update(
                    "fact", fact_id, {"deleted_at": None}, actor, "fact.restore"
                )
                outcome = Outcome("fact.restore", fact_id=fact_id, version=after["version"])
            else:
                marker = self.store.override_of(fact_id, actor.guild_id)
                if not marker or not marker["hides"] or marker["deleted_at"]:
                    raise InvalidInputError(f"Fact #{fact_id} is not hidden in this server.")
                if any(marker[c] != row[c] for c in FACT_FIELDS):
                    # The server had its own version before the hide: show that again.
                    change: dict[str, Any] = {"hides": 0}
                else:
                    change = {"deleted_at": now()}
                self.store.update("fact", marker["id"], change, actor, "fact.restore")
                outcome = Outcome("fact.unhide", fact_id=fact_id, overrides=fact_id)
        self._done()
        return outcome

    def show_fact(self, actor: Actor, fact_id: int) -> tuple[Fact, Entity | None]:
        """The fact as this server sees it: its own version of a global fact, if it has
        one (``Fact.overrides`` then names the global fact)."""
        row = self.fact_row(fact_id, actor)
        if row["guild_id"] is None and actor.guild_id is not None:
            mine = self.store.override_of(fact_id, actor.guild_id)
            if mine is not None and not mine["deleted_at"]:
                row = mine
        fact = self.store.fact(row["id"])
        assert fact is not None
        return fact, self.store.entity(fact.entity_id)
