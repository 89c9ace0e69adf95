"""The versioned JSON interchange format: export, validate, import (also used for seeds).

A file looks like::

    {"format": "showbot", "version": 1,
     "sources":  [{"key", "title", "publisher", "url", "date", "notes"}],
     "entities": [{"key", "name", "kind", "show", "season"}],
     "aliases":  [{"key", "entity", "name"}],
     "facts":    [{"key", "entity", "kind", "text", "status", "spoiler", "date",
                   "source", "quote", "overrides", "hides",
                   "outcome", "outcome_note", "unspoiled"}],
     "phrasings": [{"key", "fact", "text"}]}

``key`` is a stable name for a record (a row without one is named ``<table>-<id>``, and
import matches that name too); ``show``, ``entity`` and ``source`` refer to keys (in the
file or already in the database). Any record may carry ``"deleted": true``. In a server's
file a fact may carry ``"overrides": <key of a global fact>``: it is that server's version
of the global fact, or with ``"hides": true`` it hides it there. A phrasing is a question
taught for a fact (``fact teach``); in a server's file its ``fact`` may be a global fact's
key (the server taught that fact). The format only grows: a file without a section (an
older one) imports as before. Import matches records by
key: new keys are added, changed records updated, the rest left alone; it is
all-or-nothing.

The format's sections, fields and limits, and the check of a file, are
``bot.store.importcheck``'s; this module writes (import) and reads (export).
``import_data`` calls ``validate`` by this module's name for it (benchmarks/metaqa.py
times it by replacing ``interchange.validate``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.errors import ShowbotError
from bot.models import Actor
from bot.store.core import Store, now
from bot.store.importcheck import _TABLE, FORMAT, SECTIONS, VERSION, find, row_key, validate


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), per section."""

    counts: dict[str, Counter[str]] = field(
        default_factory=lambda: {s: Counter() for s in SECTIONS}
    )
    dry_run: bool = False

    def summary(self) -> str:
        verb = "would" if self.dry_run else "did"
        parts = []
        for section in SECTIONS:
            c = self.counts[section]
            if section == "phrasings" and not sum(c.values()):
                continue  # most files teach nothing: the summary reads as it always did
            parts.append(
                f"{section}: {c['added']} added, {c['updated']} updated, {c['unchanged']} unchanged"
            )
        return f"Import {verb}: " + "; ".join(parts) + "."

    @property
    def changed(self) -> int:
        return sum(c["added"] + c["updated"] for c in self.counts.values())


class _DryRun(Exception):
    """Raised inside the import transaction to roll a dry run back."""


def import_data(
    store: Store,
    data: object,
    actor: Actor,
    *,
    dry_run: bool = False,
    seed: bool = False,
    progress: Callable[[int, int], None] | None = None,
    action: str = "import",
) -> ImportReport:
    """Validate then apply a file in one transaction. ``seed`` only adds keys never seen.
    ``progress(done, total)`` is called as records are applied (for progress bars).
    ``action`` names the change in the history (a TVmaze import's is its own)."""
    clean = validate(data, store, actor.guild_id)
    report = ImportReport(dry_run=dry_run)
    try:
        with store.batch():
            _apply(store, clean, actor, report, seed=seed, progress=progress, action=action)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _apply(
    store: Store,
    clean: dict[str, list[dict[str, Any]]],
    actor: Actor,
    report: ImportReport,
    *,
    seed: bool,
    progress: Callable[[int, int], None] | None,
    action: str,
) -> None:
    ids: dict[tuple[str, str], int] = {}
    scope = actor.guild_id
    total = sum(len(records) for records in clean.values())
    done = 0

    def resolve(section: str, key: str | None) -> int | None:
        if key is None:
            return None
        if (section, key) in ids:
            return ids[(section, key)]
        table = _TABLE[section]
        row = find(store, table, key, scope) or find(store, table, key, None)
        if row is None:
            raise ShowbotError(f"{section} key {key!r} vanished during the import")
        return int(row["id"])

    # Shows before the seasons that point at them.
    entities = sorted(clean["entities"], key=lambda r: r["show"] is not None)
    for section in SECTIONS:
        records = entities if section == "entities" else clean[section]
        for rec in records:
            done += 1
            if progress is not None and (done % 500 == 0 or done == total):
                progress(done, total)
            values = {k: val for k, val in rec.items() if k not in ("key", "deleted")}
            if section == "entities":
                values["show_id"] = resolve("entities", values.pop("show"))
            elif section in ("aliases", "facts"):
                values["entity_id"] = resolve("entities", values.pop("entity"))
            elif section == "phrasings":
                values["fact_id"] = resolve("facts", values.pop("fact"))
            if section == "facts":
                values["source_id"] = resolve("sources", values.pop("source"))
                values["spoiler"] = int(values["spoiler"])
                if values.get("overrides") is not None:
                    target = find(store, "fact", values["overrides"], None)
                    if target is None:
                        raise ShowbotError(f"fact key {values['overrides']!r} vanished")
                    values["overrides"] = target["id"]
                if "hides" in values:
                    values["hides"] = int(values["hides"])
            table = _TABLE[section]
            existing = find(store, table, rec["key"], scope)
            if existing is None:
                values.update(key=rec["key"], guild_id=scope)
                if values.get("outcome"):
                    values["outcome_at"] = now()
                if rec["deleted"]:
                    values["deleted_at"] = now()
                ids[(section, rec["key"])] = store.insert(table, values, actor, action)
                report.counts[section]["added"] += 1
                continue
            ids[(section, rec["key"])] = existing["id"]
            if seed:
                report.counts[section]["unchanged"] += 1
                continue
            changes = {k: val for k, val in values.items() if existing[k] != val}
            if "outcome" in changes:  # resolved (or reopened) by this import, now
                changes["outcome_at"] = now() if changes["outcome"] else None
            if rec["deleted"] != (existing["deleted_at"] is not None):
                changes["deleted_at"] = now() if rec["deleted"] else None
            if changes:
                store.update(table, existing["id"], changes, actor, action)
                report.counts[section]["updated"] += 1
            else:
                report.counts[section]["unchanged"] += 1


def export_data(store: Store, guild_id: int | None = None) -> dict[str, Any]:
    """Every record of one scope (global, or one server's own), deleted ones flagged."""
    keys: dict[tuple[str, int], str] = {}

    def key_of(table: str, row_id: int | None) -> str | None:
        if row_id is None:
            return None
        if (table, row_id) not in keys:
            row = store.row(table, row_id)
            keys[(table, row_id)] = row_key(table, row) if row else f"{table}-{row_id}"
        return keys[(table, row_id)]

    def rows(table: str) -> list[dict[str, Any]]:
        return store.rows(
            f"SELECT * FROM {table} WHERE coalesce(guild_id, 0) = ? ORDER BY id", [guild_id or 0]
        )

    def base(table: str, row: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"key": key_of(table, row["id"])}
        if row["deleted_at"]:
            out["deleted"] = True
        return out

    out: dict[str, Any] = {"format": FORMAT, "version": VERSION, "scope": guild_id}
    out["sources"] = [
        {
            **base("source", r),
            **{c: r[c] for c in ("title", "publisher", "url", "date", "notes")},
        }
        for r in rows("source")
    ]
    out["entities"] = [
        {
            **base("entity", r),
            "name": r["name"],
            "kind": r["kind"],
            "show": key_of("entity", r["show_id"]),
            "season": r["season"],
        }
        for r in rows("entity")
        if r["merged_into"] is None
    ]
    out["aliases"] = [
        {**base("alias", r), "entity": key_of("entity", r["entity_id"]), "name": r["name"]}
        for r in rows("alias")
    ]
    out["facts"] = [
        {
            **base("fact", r),
            "entity": key_of("entity", r["entity_id"]),
            **{c: r[c] for c in ("kind", "text", "status")},
            "spoiler": bool(r["spoiler"]),
            "date": r["date"],
            "source": key_of("source", r["source_id"]),
            "quote": r["quote"],
            **_override_fields(r, key_of),
            **_outcome_fields(r),
        }
        for r in rows("fact")
    ]
    out["phrasings"] = [
        {**base("phrasing", r), "fact": key_of("fact", r["fact_id"]), "text": r["text"]}
        for r in rows("phrasing")
    ]
    return out


def _override_fields(
    row: dict[str, Any], key_of: Callable[[str, int | None], str | None]
) -> dict[str, Any]:
    """A server's override names the global fact it replaces, and a hiding marker says so."""
    if row["overrides"] is None:
        return {}
    out: dict[str, Any] = {"overrides": key_of("fact", row["overrides"])}
    if row["hides"]:
        out["hides"] = True
    return out


def _outcome_fields(row: dict[str, Any]) -> dict[str, Any]:
    """A resolved rumor's or prediction's outcome (`!fact resolve`); nothing when open."""
    if not row.get("outcome"):
        return {}
    out: dict[str, Any] = {"outcome": row["outcome"]}
    if row.get("outcome_note"):
        out["outcome_note"] = row["outcome_note"]
    if row.get("unspoiled"):
        out["unspoiled"] = True
    return out
