"""Reads of the change log (who changed what, batches, undo marks) and what refers to
a row. Writes to the log happen in :meth:`Store.insert` / :meth:`Store.update` only."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.models import Actor
from bot.store.rows import rows

if TYPE_CHECKING:
    from sqlite_utils import Database

# Live rows that point at an entity, a source or a fact (what an undo must not orphan).
_DEPENDENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "entity": (
        ("fact", "entity_id"),
        ("alias", "entity_id"),
        ("entity", "show_id"),
        ("entity", "merged_into"),
    ),
    "source": (("fact", "source_id"),),
    "fact": (("fact", "overrides"), ("phrasing", "fact_id")),
}


_BOOKKEEPING = ("version", "updated_at", "updated_by")
# What a column added since holds in a row logged before it existed (an older change
# log); a column not named here held NULL.
ADDED_DEFAULTS: dict[str, Any] = {"unspoiled": 0}


def as_logged(record: dict[str, Any], column: str) -> Any:
    """A column's value in a logged row, also one logged before the column existed."""
    return record.get(column, ADDED_DEFAULTS.get(column))


@dataclass(frozen=True, slots=True)
class Version:
    """One change of a row, as history shows it."""

    number: int
    at: str
    actor: str  # the moderator's name, else their id (the web view shows neither id)
    action: str
    changed: dict[str, tuple[Any, Any]]  # column -> (before, after)
    named: bool = True  # whether ``actor`` is a name rather than an id


class ChangeLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def versions(self, table: str, row_id: int) -> list[Version]:
        """A row's changes, oldest first, each with the columns it changed (a new row:
        its text, status and date)."""
        out = []
        for c in self.history_of(table, row_id):
            before = json.loads(c["before"]) if c["before"] else {}
            after = json.loads(c["after"]) if c["after"] else {}
            if before:
                changed = {
                    k: (as_logged(before, k), after[k])
                    for k in after
                    if k not in _BOOKKEEPING and as_logged(before, k) != after[k]
                }
            else:
                changed = {k: (None, after[k]) for k in ("text", "status", "date") if after.get(k)}
            named = bool(c["actor_name"])
            actor = c["actor_name"] if named else str(c["actor_id"])
            out.append(Version(c["version"], c["at"], actor, c["action"], changed, named))
        return out

    def taught(self, fact_id: int, guild_id: int | None) -> list[Version]:
        """The changes of a fact's phrasings (`fact teach`, their undo) that one server
        sees (its own and global ones, never another server's), oldest first, each as
        ``phrasing``: (text before, text after), None where it was not taught."""
        out = []
        for c in rows(
            self.db,
            "SELECT change.* FROM change JOIN phrasing ON phrasing.id = change.row_id"
            " WHERE change.table_name = 'phrasing' AND phrasing.fact_id = ?"
            " AND (phrasing.guild_id IS NULL OR phrasing.guild_id IS ?) ORDER BY change.id",
            [fact_id, guild_id],
        ):
            before = json.loads(c["before"]) if c["before"] else None
            after = json.loads(c["after"]) if c["after"] else None
            text = (after or before or {}).get("text")
            was = text if before and not before.get("deleted_at") else None
            now = text if after and not after.get("deleted_at") else None
            if was == now:
                continue
            named = bool(c["actor_name"])
            actor = c["actor_name"] if named else str(c["actor_id"])
            out.append(Version(0, c["at"], actor, c["action"], {"phrasing": (was, now)}, named))
        return out

    def history_of(self, table: str, row_id: int) -> list[dict[str, Any]]:
        """Every change record of one row, oldest first."""
        return rows(
            self.db,
            "SELECT * FROM change WHERE table_name = ? AND row_id = ? ORDER BY id",
            [table, row_id],
        )

    def last_change(self, table: str, row_id: int) -> dict[str, Any] | None:
        found = rows(
            self.db,
            "SELECT * FROM change WHERE table_name = ? AND row_id = ? ORDER BY id DESC LIMIT 1",
            [table, row_id],
        )
        return found[0] if found else None

    def row_at_version(self, table: str, row_id: int, version: int) -> dict[str, Any] | None:
        """The row as the change that made ``version`` left it."""
        found = rows(
            self.db,
            "SELECT after FROM change WHERE table_name = ? AND row_id = ? AND version = ?"
            " ORDER BY id DESC LIMIT 1",
            [table, row_id, version],
        )
        return json.loads(found[0]["after"]) if found and found[0]["after"] else None

    def last_undoable_batch(self, actor: Actor) -> list[dict[str, Any]]:
        """The change records of the actor's latest batch in its server not yet undone,
        newest first (empty when there is none)."""
        last = rows(
            self.db,
            "SELECT batch FROM change WHERE actor_id IS ? AND guild_id IS ?"
            " AND undone_by IS NULL AND action != 'undo' ORDER BY id DESC LIMIT 1",
            [actor.id, actor.guild_id],
        )
        if not last:
            return []
        return rows(
            self.db, "SELECT * FROM change WHERE batch = ? ORDER BY id DESC", [last[0]["batch"]]
        )

    def scopes_since(
        self, change_id: int, actor_id: int | None, guild_id: int | None
    ) -> set[int | None]:
        """The servers (None: global) owning the rows that the actor's changes from
        ``guild_id`` after ``change_id`` touched: where those changes may be told (the
        log channels, cogs/facts.py). The row's own server, not the actor's: the owner
        editing a global fact from a server changes global data."""
        found = self.db.execute(
            "SELECT DISTINCT json_extract(coalesce(after, before), '$.guild_id') FROM change"
            " WHERE id > ? AND actor_id IS ? AND guild_id IS ?",
            [change_id, actor_id, guild_id],
        ).fetchall()
        return {row[0] for row in found}

    def dependents(self, table: str, row_id: int) -> list[dict[str, Any]]:
        """Live rows referring to this one: (table, id, created_by, batch of their
        creation) for each, the creator's name included."""
        found = []
        for other, column in _DEPENDENTS.get(table, ()):
            merged = other == "entity" and column == "merged_into"
            found += rows(
                self.db,
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
        self.db.execute(f"UPDATE change SET undone_by = ? WHERE id IN ({marks})", [by, *ids])

    def pseudonymise(self, user_id: int, pseudonym_id: int, pseudonym: str) -> int:
        """Replace a member's id and name in the log: as the actor (``actor_id``,
        ``actor_name``) and inside the rows' before/after (``created_by``/``updated_by``).
        The records stay, so history reads on under the pseudonym; how many changed."""
        found = rows(
            self.db,
            "SELECT id, actor_id, before, after FROM change WHERE actor_id = ?"
            " OR instr(before, ?) > 0 OR instr(after, ?) > 0",
            [user_id, str(user_id), str(user_id)],
        )
        changed = 0
        for record in found:
            sides = {side: _replaced(record[side], user_id, pseudonym_id) for side in _SIDES}
            ours = record["actor_id"] == user_id
            if not ours and all(v is None for v in sides.values()):
                continue  # the digits were in some text, not in an id
            sets: dict[str, str | int] = {
                side: text for side, text in sides.items() if text is not None
            }
            if ours:
                sets.update(actor_id=pseudonym_id, actor_name=pseudonym)
            assignments = ", ".join(f"{column} = ?" for column in sets)
            self.db.execute(
                f"UPDATE change SET {assignments} WHERE id = ?", [*sets.values(), record["id"]]
            )
            changed += 1
        return changed


_SIDES = ("before", "after")
_ID_COLUMNS = ("created_by", "updated_by")


def _replaced(row_json: str | None, user_id: int, pseudonym_id: int) -> str | None:
    """The row's JSON with the member's id replaced, or None when it holds none."""
    if not row_json:
        return None
    row = json.loads(row_json)
    hits = [c for c in _ID_COLUMNS if row.get(c) == user_id]
    if not hits:
        return None
    row.update(dict.fromkeys(hits, pseudonym_id))
    return json.dumps(row, ensure_ascii=False)
