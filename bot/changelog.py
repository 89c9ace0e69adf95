"""Reads of the change log (who changed what, batches, undo marks) and what refers to
a row. Writes to the log happen in :meth:`Store.insert` / :meth:`Store.update` only."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from bot.models import Actor

if TYPE_CHECKING:
    from bot.store import Store

# Live rows that point at an entity, a source or a fact (what an undo must not orphan).
_DEPENDENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "entity": (
        ("fact", "entity_id"),
        ("alias", "entity_id"),
        ("entity", "show_id"),
        ("entity", "merged_into"),
    ),
    "source": (("fact", "source_id"),),
    "fact": (("fact", "overrides"),),
}


class ChangeLog:
    def __init__(self, store: Store) -> None:
        self.store = store

    def history_of(self, table: str, row_id: int) -> list[dict[str, Any]]:
        """Every change record of one row, oldest first."""
        return self.store.rows(
            "SELECT * FROM change WHERE table_name = ? AND row_id = ? ORDER BY id", [table, row_id]
        )

    def last_change(self, table: str, row_id: int) -> dict[str, Any] | None:
        found = self.store.rows(
            "SELECT * FROM change WHERE table_name = ? AND row_id = ? ORDER BY id DESC LIMIT 1",
            [table, row_id],
        )
        return found[0] if found else None

    def row_at_version(self, table: str, row_id: int, version: int) -> dict[str, Any] | None:
        """The row as the change that made ``version`` left it."""
        found = self.store.rows(
            "SELECT after FROM change WHERE table_name = ? AND row_id = ? AND version = ?"
            " ORDER BY id DESC LIMIT 1",
            [table, row_id, version],
        )
        return json.loads(found[0]["after"]) if found and found[0]["after"] else None

    def last_undoable_batch(self, actor: Actor) -> list[dict[str, Any]]:
        """The change records of the actor's latest batch in its server not yet undone,
        newest first (empty when there is none)."""
        last = self.store.rows(
            "SELECT batch FROM change WHERE actor_id IS ? AND guild_id IS ?"
            " AND undone_by IS NULL AND action != 'undo' ORDER BY id DESC LIMIT 1",
            [actor.id, actor.guild_id],
        )
        if not last:
            return []
        return self.store.rows(
            "SELECT * FROM change WHERE batch = ? ORDER BY id DESC", [last[0]["batch"]]
        )

    def dependents(self, table: str, row_id: int) -> list[dict[str, Any]]:
        """Live rows referring to this one: (table, id, created_by, batch of their
        creation) for each, the creator's name included."""
        found = []
        for other, column in _DEPENDENTS.get(table, ()):
            merged = other == "entity" and column == "merged_into"
            found += self.store.rows(
                f"SELECT '{other}' AS table_name, t.id, c.actor_id, c.actor_name, c.batch"
                f" FROM {other} t LEFT JOIN change c ON c.table_name = '{other}'"
                " AND c.row_id = t.id AND c.before IS NULL"
                f" WHERE t.{column} = ?"
                + ("" if merged else " AND t.deleted_at IS NULL")
                + (" AND t.merged_into IS NULL" if other == "entity" and not merged else ""),
                [row_id],
            )
        return found

    def mark_undone(self, change_ids: Iterable[int], by: int) -> None:
        """Mark change records as undone by the undo whose first change is ``by``."""
        ids = list(change_ids)
        marks = ",".join("?" for _ in ids)
        self.store.db.execute(f"UPDATE change SET undone_by = ? WHERE id IN ({marks})", [by, *ids])
