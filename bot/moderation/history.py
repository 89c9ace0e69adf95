"""A fact's versions, reverting to one, and undoing a moderator's last change without
taking away anything someone else relies on."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from typing import Any

from bot.errors import EditConflictError, NotFoundError, PermissionDeniedError
from bot.models import Actor
from bot.moderation.base import Desk, content
from bot.moderation.facts import FACT_FIELDS
from bot.outcomes import Kept, Outcome
from bot.store.changelog import Version, as_logged
from bot.store.core import now


class HistoryDesk(Desk):
    def history(self, actor: Actor, fact_id: int) -> list[Version]:
        """The fact's versions, and the questions taught for it here (`fact teach`) in
        their place in time, numbered with the fact's version they were taught at."""
        self.fact_row(fact_id, actor)
        versions = self.store.changes.versions("fact", fact_id)
        taught = self.store.changes.taught(fact_id, actor.guild_id)
        merged = sorted([*versions, *taught], key=lambda ver: ver.at)  # stable: a tie keeps
        number = 0  # the fact's own change first
        for i, ver in enumerate(merged):
            if "phrasing" in ver.changed:
                merged[i] = replace(ver, number=number)
            else:
                number = ver.number
        return merged

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
            was = {k: as_logged(old, k) for k in (*FACT_FIELDS, "deleted_at")}
            changes = {k: val for k, val in was.items() if row[k] != val}
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
                # (Columns added since the change was made are not in its record.)
                left = content(after) if after else {}
                if current is None or any(current.get(k) != val for k, val in left.items()):
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
