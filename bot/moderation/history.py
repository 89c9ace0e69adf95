"""A fact's versions, reverting to one, and undoing a moderator's last change without
taking away anything someone else relies on."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from bot.errors import EditConflictError, NotFoundError, PermissionDeniedError
from bot.models import Actor
from bot.moderation.base import Desk, Kept, Outcome, content
from bot.moderation.facts import FACT_FIELDS
from bot.store import now

_BOOKKEEPING = ("version", "updated_at", "updated_by")


@dataclass(frozen=True, slots=True)
class Version:
    number: int
    at: str
    actor: str
    action: str
    changed: dict[str, tuple[Any, Any]]  # column -> (before, after)


class HistoryDesk(Desk):
    def history(self, actor: Actor, fact_id: int) -> list[Version]:
        self.fact_row(fact_id, actor)
        out = []
        for c in self.store.changes.history_of("fact", fact_id):
            before = json.loads(c["before"]) if c["before"] else {}
            after = json.loads(c["after"]) if c["after"] else {}
            if before:
                changed = {
                    k: (before.get(k), after.get(k))
                    for k in after
                    if k not in _BOOKKEEPING and before.get(k) != after.get(k)
                }
            else:
                changed = {k: (None, after[k]) for k in ("text", "status", "date") if after.get(k)}
            actor_name = c["actor_name"] or str(c["actor_id"])
            out.append(Version(c["version"], c["at"], actor_name, c["action"], changed))
        return out

    def revert(self, actor: Actor, fact_id: int, version: int) -> Outcome:
        with self.store.batch():
            row = self.fact_row(fact_id, actor)
            if not self._own(row, actor):
                raise PermissionDeniedError(
                    f"Fact #{fact_id} is global; edit it to override it in this server."
                )
            old = self.store.changes.row_at_version("fact", fact_id, version)
            if old is None:
                raise NotFoundError(f"Fact #{fact_id} has no version {version}.")
            changes = {k: old[k] for k in (*FACT_FIELDS, "deleted_at") if row[k] != old[k]}
            if not changes:
                return Outcome("fact.revert.unchanged", fact_id=fact_id, version=version)
            after = self.store.update("fact", fact_id, changes, actor, "fact.revert")
        self._done()
        return Outcome(
            "fact.revert", fact_id=fact_id, version=after["version"], counts={"to": version}
        )

    def undo(self, actor: Actor) -> Outcome:
        """Reverse the actor's last change in this server (of any kind). A subject or
        source it created stays when someone else's rows now use it; the reply says so."""
        kept: list[Kept] = []
        with self.store.batch():
            changes = self.store.changes.last_undoable_batch(actor)
            if not changes:
                raise NotFoundError("You have no change here to undo.")
            ours = {(c["table_name"], c["row_id"]) for c in changes}
            marker = self.store.max_change_id() + 1
            for c in changes:
                current = self.store.row(c["table_name"], c["row_id"])
                after = json.loads(c["after"]) if c["after"] else None
                # The row must still be as this change left it (earlier undos may have
                # bumped its version, which is fine); otherwise someone changed it since.
                if current is None or (after and content(current) != content(after)):
                    raise EditConflictError(
                        f"{c['table_name'].capitalize()} #{c['row_id']} was changed since;"
                        " undo that change first or edit it by hand."
                    )
                if c["before"] is None:  # an insert: undo is a soft delete, unless relied on
                    others = self._relying(c["table_name"], c["row_id"], ours)
                    if others:
                        kept.append(_kept(c["table_name"], current, others))
                        continue
                    restore = {"deleted_at": now()}
                else:
                    before = json.loads(c["before"])
                    restore = {k: val for k, val in content(before).items() if val != current[k]}
                if restore:
                    self.store.update(c["table_name"], c["row_id"], restore, actor, "undo")
            self.store.changes.mark_undone([c["id"] for c in changes], marker)
        self._done()
        return Outcome("undo", counts=dict(Counter(c["action"] for c in changes)), kept=tuple(kept))

    def _relying(self, table: str, row_id: int, ours: set[tuple[str, int]]) -> list[dict[str, Any]]:
        """Live rows outside the batch being undone that point at this one."""
        return [
            d
            for d in self.store.changes.dependents(table, row_id)
            if (d["table_name"], d["id"]) not in ours
        ]


def _kept(table: str, row: dict[str, Any], others: list[dict[str, Any]]) -> Kept:
    name = row.get("name") or row.get("title") or f"#{row['id']}"
    return Kept(table, name, tuple((d["table_name"], d["id"], d["actor_name"]) for d in others))
