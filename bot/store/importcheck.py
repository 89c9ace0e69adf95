"""The interchange format's shape and the check of a file against it, before
``bot.store.interchange`` writes anything: its sections, fields and limits, how a record is
named (``row_key``, ``find``), and ``validate``, which cleans every record or raises with
every problem found (unknown fields, bad values, missing references, overrides that clash).
"""

from __future__ import annotations

import re
from typing import Any

from bot import validation as v
from bot.errors import ImportValidationError, InvalidInputError
from bot.models import EntityKind
from bot.store.core import Store

FORMAT = "showbot"
VERSION = 1
SECTIONS = ("sources", "entities", "aliases", "facts", "phrasings")
_TABLE = {
    "sources": "source",
    "entities": "entity",
    "aliases": "alias",
    "facts": "fact",
    "phrasings": "phrasing",
}
MAX_RECORDS = 200_000
_FIELDS = {
    "sources": {"key", "title", "publisher", "url", "date", "notes", "deleted"},
    "entities": {"key", "name", "kind", "show", "season", "deleted"},
    "aliases": {"key", "entity", "name", "deleted"},
    "facts": {
        "key",
        "entity",
        "kind",
        "text",
        "status",
        "spoiler",
        "date",
        "source",
        "quote",
        "overrides",
        "hides",
        "deleted",
        "outcome",
        "outcome_note",
        "unspoiled",
    },
    "phrasings": {"key", "fact", "text", "deleted"},
}


def row_key(table: str, row: dict[str, Any]) -> str:
    """A row's name in the interchange format: its key, or ``<table>-<id>`` without one."""
    return row["key"] or f"{table}-{row['id']}"


def find(store: Store, table: str, key: str, guild_id: int | None) -> dict[str, Any] | None:
    """The row of one scope named ``key``: by its key, else (``<table>-<id>``, as export
    names a row without a key) the keyless row with that id."""
    row = store.find_key(table, key, guild_id)
    if row is None:
        m = re.fullmatch(rf"{table}-(\d{{1,18}})", key)
        if m:
            row = store.row(table, int(m[1]))
            if row is None or row["key"] or (row["guild_id"] or 0) != (guild_id or 0):
                row = None
    return row


def _key(record: dict[str, Any], where: str, problems: list[str]) -> str | None:
    key = record.get("key")
    if not isinstance(key, str) or not key.strip() or len(key) > 200:
        problems.append(f"{where}.key: must be a non-empty text of at most 200 characters")
        return None
    return key.strip()


def validate(data: object, store: Store, guild_id: int | None) -> dict[str, list[dict[str, Any]]]:
    """Check a whole file; return clean column values per section, or raise with every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ImportValidationError(["the file must hold a JSON object"])
    if data.get("format") != FORMAT:
        problems.append(f"format: must be {FORMAT!r}")
    if data.get("version") != VERSION:
        problems.append(f"version: {data.get('version')!r} is not supported (this showbot reads 1)")
    total = 0
    for section in SECTIONS:
        records = data.get(section, [])
        if not isinstance(records, list):
            problems.append(f"{section}: must be a list")
        else:
            total += len(records)
    unknown = set(data) - {"format", "version", "scope", "seed_version", *SECTIONS}
    problems.extend(f"{name}: unknown section" for name in sorted(unknown)[:5])
    if total > MAX_RECORDS:
        problems.append(f"the file has {total} records; the limit is {MAX_RECORDS}")
    if problems:
        raise ImportValidationError(problems)

    clean: dict[str, list[dict[str, Any]]] = {s: [] for s in SECTIONS}
    keys: dict[str, set[str]] = {s: set() for s in SECTIONS}
    kinds: dict[str, str] = {}

    def exists(section: str, key: str) -> bool:
        if key in keys[section]:
            return True
        table = _TABLE[section]
        return bool(
            find(store, table, key, guild_id) or (guild_id and find(store, table, key, None))
        )

    targets: dict[int, int] = {}  # global fact id -> position of the fact overriding it
    positions: dict[str, int] = {}  # fact key -> position

    for section in SECTIONS:
        for i, record in enumerate(data.get(section, [])):
            where = f"{section}[{i}]"
            if not isinstance(record, dict):
                problems.append(f"{where}: must be an object")
                continue
            for extra in sorted(set(record) - _FIELDS[section])[:3]:
                problems.append(f"{where}.{extra}: unknown field")
            key = _key(record, where, problems)
            if key is not None and key in keys[section]:
                problems.append(f"{where}.key: {key!r} appears twice")
            try:
                values = _clean(section, record, where)
            except InvalidInputError as exc:
                problems.append(f"{where}.{exc}")
                continue
            values["deleted"] = bool(record.get("deleted", False))
            if section == "facts":
                _check_override(record, values, i, guild_id, store, keys, targets, problems)
                if key is not None:
                    positions.setdefault(key, i)
            for ref_field, ref_section in (("show", "entities"), ("entity", "entities")):
                ref = values.get(ref_field)
                if ref_field in values and ref is not None and not exists(ref_section, ref):
                    problems.append(f"{where}.{ref_field}: no entity with key {ref!r}")
            ref = values.get("source")
            if section == "facts" and ref is not None and not exists("sources", ref):
                problems.append(f"{where}.source: no source with key {ref!r}")
            if section == "phrasings" and not exists("facts", values["fact"]):
                problems.append(f"{where}.fact: no fact with key {values['fact']!r}")
            if section == "entities" and values["kind"] == "season":
                if values["show"] is None or values["season"] is None:
                    problems.append(f"{where}: a season needs both show and season")
                elif kinds.get(values["show"], "show") != "show":
                    problems.append(f"{where}.show: {values['show']!r} is not a show")
            if key is not None:
                keys[section].add(key)
                values["key"] = key
                if section == "entities":
                    kinds[key] = values["kind"]
                clean[section].append(values)
    if guild_id is not None and targets:
        _check_existing_overrides(data["facts"], store, guild_id, targets, positions, problems)
    if problems:
        raise ImportValidationError(problems)
    return clean


def _check_override(
    record: dict[str, Any],
    values: dict[str, Any],
    i: int,
    guild_id: int | None,
    store: Store,
    keys: dict[str, set[str]],
    targets: dict[int, int],
    problems: list[str],
) -> None:
    """``overrides`` / ``hides`` of fact ``i``: a server's version of a global fact (one per
    global fact and server), or its hiding marker. Absent, an existing row keeps its link."""
    where = f"facts[{i}]"
    try:
        hides = v.parse_bool(record.get("hides", False), "hides")
        target = _ref(record.get("overrides"), "overrides")
    except InvalidInputError as exc:
        problems.append(f"{where}.{exc}")
        return
    if target is None:
        if hides:
            problems.append(f"{where}.hides: only an override hides a fact; give overrides too")
        elif "overrides" in record:
            values.update(overrides=None, hides=False)
        return
    if guild_id is None:
        problems.append(
            f"{where}.overrides: only a server's facts override global ones (import into a server)"
        )
        return
    row = find(store, "fact", target, None)
    if row is None:
        problems.append(f"{where}.overrides: no global fact with key {target!r}")
        return
    if row["id"] in targets:
        problems.append(
            f"{where}.overrides: facts[{targets[row['id']]}] already overrides {target!r}"
            " (one override per fact and server)"
        )
        return
    targets[row["id"]] = i
    entity = store.row("entity", row["entity_id"])
    assert entity is not None
    about = row_key("entity", entity)
    if not values["deleted"] and (values["entity"] != about or about in keys["entities"]):
        problems.append(
            f"{where}.entity: an override is about the subject of the fact it overrides ({about!r})"
        )
    values.update(overrides=target, hides=hides)


def _check_existing_overrides(
    facts: list[Any],
    store: Store,
    guild_id: int,
    targets: dict[int, int],
    positions: dict[str, int],
    problems: list[str],
) -> None:
    """A global fact the server already overrides with a row the file doesn't re-link."""
    for row in store.rows(
        "SELECT id, key, overrides FROM fact WHERE guild_id = ? AND overrides IS NOT NULL",
        [guild_id],
    ):
        j = positions.get(row_key("fact", row))
        if j is not None and "overrides" in facts[j]:
            continue  # the file says what that row overrides
        i = targets.get(row["overrides"])
        if i is not None:
            problems.append(
                f"facts[{i}].overrides: this server already overrides"
                f" {facts[i]['overrides'].strip()!r} with fact #{row['id']}"
                f" ({row_key('fact', row)!r}; one override per fact and server)"
            )


def _clean(section: str, r: dict[str, Any], where: str) -> dict[str, Any]:
    if section == "sources":
        return {
            "title": v.clean_text(r.get("title"), "title", v.MAX_TITLE),
            "publisher": v.clean_text(
                r.get("publisher"), "publisher", v.MAX_PUBLISHER, required=False
            ),
            "url": v.parse_url(r.get("url")),
            "date": v.parse_date_iso(r.get("date")),
            "notes": v.clean_text(r.get("notes"), "notes", v.MAX_NOTES, required=False),
        }
    if section == "entities":
        kind = v.parse_entity_kind(r.get("kind"))
        return {
            "name": v.clean_text(r.get("name"), "name", v.MAX_NAME),
            "kind": kind.value,
            "show": _ref(r.get("show"), "show"),
            "season": v.parse_season(r.get("season")) if kind is EntityKind.SEASON else None,
        }
    if section == "aliases":
        return {
            "entity": _ref(r.get("entity"), "entity", required=True),
            "name": v.clean_text(r.get("name"), "name", v.MAX_NAME),
        }
    if section == "phrasings":  # a question taught for a fact (`fact teach`)
        return {
            "fact": _ref(r.get("fact"), "fact", required=True),
            "text": v.clean_text(r.get("text"), "text", v.MAX_QUESTION),
        }
    fact: dict[str, Any] = {
        "entity": _ref(r.get("entity"), "entity", required=True),
        "kind": v.parse_kind(r.get("kind")).value,
        "text": v.clean_text(r.get("text"), "text", v.MAX_FACT_TEXT),
        "status": v.parse_status(r.get("status")).value,
        "spoiler": v.parse_bool(r.get("spoiler", False), "spoiler"),
        "date": v.parse_date_iso(r.get("date")),
        "source": _ref(r.get("source"), "source"),
        "quote": v.clean_text(r.get("quote"), "quote", v.MAX_QUOTE, required=False),
    }
    if "outcome" in r:  # a file without outcomes (older ones) leaves them as they are
        verdict = None if r["outcome"] is None else v.parse_outcome(r["outcome"])
        fact["outcome"] = verdict.value if verdict else None
        fact["outcome_note"] = v.clean_text(
            r.get("outcome_note"), "outcome_note", v.MAX_OUTCOME_NOTE, required=False
        )
        fact["unspoiled"] = int(v.parse_bool(r.get("unspoiled", False), "unspoiled"))
    return fact


def _ref(value: object, name: str, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{name}: must be the key of a record")
    return value.strip()
