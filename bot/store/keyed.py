"""Reads of rows by their interchange key's prefix, and of who changed them last: what an
importer that names its rows (TVmaze's ``tvmaze-<show id>-...``, bot/tvmaze/) needs to know
which rows it made, which disappeared from its source, and which a moderator has touched
since (those it must leave alone)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.store.core import Store

_TABLES = frozenset(("source", "entity", "alias", "fact"))


def keyed_rows(store: Store, table: str, prefix: str, guild_id: int | None) -> list[dict[str, Any]]:
    """Rows of one scope (global or one server's) whose key starts with ``prefix``, deleted
    ones too. (substr, not LIKE: a key's ``_`` is no wildcard.)"""
    assert table in _TABLES
    return store.rows(
        f"SELECT * FROM {table} WHERE substr(key, 1, ?) = ? AND coalesce(guild_id, 0) = ?"
        " ORDER BY id",
        [len(prefix), prefix, guild_id or 0],
    )


def keyed_everywhere(store: Store, table: str, prefix: str) -> list[dict[str, Any]]:
    """Live rows of every scope whose key starts with ``prefix``."""
    assert table in _TABLES
    return store.rows(
        f"SELECT * FROM {table} WHERE substr(key, 1, ?) = ? AND deleted_at IS NULL ORDER BY id",
        [len(prefix), prefix],
    )


def last_actions(store: Store, table: str, row_ids: Iterable[int]) -> dict[int, str]:
    """Each row's latest change's action ("tvmaze.import", "fact.edit", "undo", ...)."""
    assert table in _TABLES
    ids = sorted(set(row_ids))
    out: dict[int, str] = {}
    for start in range(0, len(ids), 500):  # SQLite's limit on bound parameters
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in store.rows(
            "SELECT row_id, action FROM change WHERE id IN (SELECT max(id) FROM change"
            f" WHERE table_name = ? AND row_id IN ({marks}) GROUP BY row_id)",
            [table, *chunk],
        ):
            out[int(row["row_id"])] = str(row["action"])
    return out
