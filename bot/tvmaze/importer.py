"""A show from TVmaze into the facts, through the interchange import (all-or-nothing, in the
history, undoable, followers told): find the show, read it, plan the file, apply it.

Reading (async, TVmaze) comes first and writes nothing; planning and applying run where
the caller writes (the CLI's one thread, the bot's writer thread).

The plan matches subjects that already exist instead of making namesakes (the seed's
Jessica Jones show, found by a name or an alias; its seasons by number; a person by name;
a hand-made character by name), and leaves alone every fact a moderator changed, removed
or undid since TVmaze's import wrote it: the moderator wins, and the plan says which.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.errors import InvalidInputError
from bot.language.text import normalize
from bot.models import Actor
from bot.moderation import Moderation
from bot.store.core import Store
from bot.store.importcheck import find, row_key
from bot.store.interchange import ImportReport
from bot.store.keyed import keyed_rows, last_actions
from bot.tvmaze import mapping
from bot.tvmaze.client import ShowData, TVmaze

ACTION_IMPORT = "tvmaze.import"
ACTION_REFRESH = "tvmaze.refresh"
MAX_CHOICES = 5


@dataclass(frozen=True)
class Choice:
    """A show TVmaze offers for a name that matched weakly."""

    id: int
    name: str
    premiered: str | None
    network: str | None

    def label(self) -> str:
        year = f"{self.premiered[:4]}" if self.premiered else "?"
        return f"{self.name} ({year}{', ' + self.network if self.network else ''})"


@dataclass(frozen=True)
class Lookup:
    """What a name found: the show's id (a strong match), or choices (a weak one), or
    neither (TVmaze knows no such show)."""

    show_id: int | None = None
    choices: tuple[Choice, ...] = ()


def _words(name: str) -> str:
    # "Marvel's Jessica Jones" is asked for as "jessica jones": a leading possessive brand
    # does not make the match weak.
    return normalize(name).replace("marvels ", "")


def strong(query: str, name: str) -> bool:
    return bool(normalize(query)) and (
        normalize(query) == normalize(name) or _words(query) == _words(name)
    )


def _choice(show: dict[str, Any]) -> Choice:
    where = show.get("network") or show.get("webChannel")
    network = where.get("name") if isinstance(where, dict) else None
    premiered = show.get("premiered")
    return Choice(
        int(show["id"]),
        str(show.get("name") or show["id"]),
        premiered if isinstance(premiered, str) else None,
        network if isinstance(network, str) else None,
    )


async def lookup(tv: TVmaze, query: str) -> Lookup:
    """``/singlesearch/shows``; when its show's name is not what was asked, ``/search/shows``
    for choices (unless only that one show fits)."""
    found = await tv.single_search(query)
    if found is None:
        return Lookup()
    if strong(query, str(found.get("name") or "")):
        return Lookup(show_id=int(found["id"]))
    results = await tv.search(query)
    choices = [_choice(r["show"]) for r in results if isinstance(r["show"].get("id"), int)]
    exact = [c for c in choices if strong(query, c.name)]
    if len(exact) == 1:
        return Lookup(show_id=exact[0].id)
    if not choices:
        choices = [_choice(found)]
    return Lookup(choices=tuple(choices[:MAX_CHOICES]))


def today() -> str:
    return datetime.now(UTC).date().isoformat()


@dataclass
class Plan:
    """The file to import for one show, what applying it would do, and what it leaves as
    moderators left it."""

    show_id: int
    name: str  # the show's subject's name
    url: str
    doc: dict[str, Any]
    report: ImportReport
    kept: list[str] = field(default_factory=list)  # fact keys a moderator's change keeps

    @property
    def changed(self) -> int:
        return self.report.changed

    def summary(self, *, done: bool) -> str:
        """One line: what the import did (or would do) for the show."""
        c = self.report.counts
        verb = "Imported" if done else "Would import"
        facts, subjects = c["facts"], c["entities"]
        line = (
            f"{verb} {self.name} from TVmaze <{self.url}>: facts {facts['added']} added,"
            f" {facts['updated']} updated, {facts['unchanged']} unchanged;"
            f" subjects {subjects['added']} added."
        )
        if not self.changed:
            line = f"{self.name} is up to date with TVmaze <{self.url}>: nothing to change."
        if self.kept:
            line += f" {len(self.kept)} fact(s) kept as moderators changed them."
        return line


class _Names:
    """The subjects a scope sees, by kind and normalised name (aliases too)."""

    def __init__(self, store: Store, scope: int | None) -> None:
        self.rows: dict[int, tuple[str, str, int | None, int | None, int | None]] = {}
        self.by_name: dict[tuple[str, str], list[int]] = {}
        self.seasons: dict[tuple[int, int], list[int]] = {}
        for eid, name, kind, show_id, season, guild_id in store.live_entity_rows():
            if guild_id not in (None, scope):
                continue
            self.rows[eid] = (name, kind, show_id, season, guild_id)
            self.by_name.setdefault((kind, normalize(name)), []).append(eid)
            if kind == "season" and show_id is not None and season is not None:
                self.seasons.setdefault((show_id, season), []).append(eid)
        for alias in store.aliases_visible(scope):
            if scope is None and alias["guild_id"] is not None:
                continue
            row = self.rows.get(alias["entity_id"])
            if row is not None:
                key = (row[1], normalize(alias["name"]))
                self.by_name.setdefault(key, []).append(alias["entity_id"])

    def named(self, kind: str, *names: str) -> int | None:
        for name in names:
            ids = self.by_name.get((kind, normalize(name)), [])
            if ids:  # the server's own before a global one, then the oldest
                return min(ids, key=lambda i: (self.rows[i][4] is None, i))
        return None


def _key_of(store: Store, entity_id: int) -> str:
    row = store.row("entity", entity_id)
    assert row is not None
    return row_key("entity", row)


def _existing(store: Store, table: str, key: str, scope: int | None) -> dict[str, Any] | None:
    return find(store, table, key, scope) or (find(store, table, key, None) if scope else None)


def plan(
    mod: Moderation,
    data: ShowData,
    actor: Actor,
    *,
    query: str | None = None,
    action: str = ACTION_IMPORT,
    day: str | None = None,
) -> Plan:
    """The file that brings the facts in ``actor``'s scope up to date with ``data``, and a
    dry run of it (nothing written). Run where the caller writes."""
    store, scope = mod.store, actor.guild_id
    show, sid = data.show, int(data.show["id"])
    names = _Names(store, scope)
    made = _existing(store, "entity", mapping.prefix(sid) + "show", scope)
    tvname = str(show.get("name") or sid)
    if made is not None and made["deleted_at"] is None:
        show_entity: int | None = int(made["id"])
    else:
        show_entity = names.named("show", tvname, *([query] if query else []))
    if show_entity is not None:
        show_key, show_name = _key_of(store, show_entity), names.rows[show_entity][0]
    else:
        show_key, show_name = mapping.prefix(sid) + "show", " ".join(tvname.split())[:100]
    if scope is not None and find(store, "source", mapping.source_key(sid), None) is not None:
        # Its facts are every server's already (and refreshed): a copy would answer twice.
        raise InvalidInputError(
            f"{tvname} is already imported from TVmaze for every server; nothing was written."
        )
    source = find(store, "source", mapping.source_key(sid), scope)
    known = source["date"] if source is not None else None

    def build(fresh: bool) -> tuple[dict[str, Any], list[str]]:
        day_read = day or today()
        doc = mapping.to_interchange(
            data, show_key, show_name, day_read, known_date=None if fresh else known
        )
        if source is not None and not fresh:  # as it is: a plan that changes nothing else
            doc["sources"][0].update(
                {k: source[k] for k in ("title", "publisher", "url", "date", "notes")}
            )
        _match_entities(store, doc, names, show_entity, scope)
        kept = _moderator_wins(store, doc, sid, scope)
        return doc, kept

    doc, kept = build(fresh=False)
    report = mod.import_file(actor, doc, dry_run=True, action=action)
    if report.changed and source is not None:
        doc, kept = build(fresh=True)  # read today: the source says so
        report = mod.import_file(actor, doc, dry_run=True, action=action)
    return Plan(sid, show_name, mapping.show_url(show), doc, report, kept)


def apply(mod: Moderation, planned: Plan, actor: Actor, *, action: str = ACTION_IMPORT) -> Plan:
    """Write the plan in one transaction (validated again: the data may have moved)."""
    planned.report = mod.import_file(actor, planned.doc, action=action)
    return planned


def _match_entities(
    store: Store, doc: dict[str, Any], names: _Names, show_entity: int | None, scope: int | None
) -> None:
    """Drop the records of subjects that exist (by key, or matched) and point the file at
    their keys; only new subjects stay in the file, so nothing existing is renamed."""
    renamed: dict[str, str] = {}
    keep: list[dict[str, Any]] = []
    for record in doc["entities"]:
        key = record["key"]
        row = _existing(store, "entity", key, scope)
        if row is not None:
            if row["merged_into"] is not None:
                renamed[key] = _key_of(store, row["merged_into"])
            continue  # made by an earlier import (or the show matched): as it is now
        found: int | None = None
        kind = record["kind"]
        if kind == "season" and show_entity is not None:
            ids = names.seasons.get((show_entity, record["season"]), [])
            found = min(ids) if ids else None
        elif kind == "person":
            found = names.named("person", record["name"])
        elif kind == "character":
            found = names.named("character", record["name"])
            if found is not None and _key_of(store, found).startswith("tvmaze-character-"):
                found = None  # another show's character of that name: not this one
        if found is not None:
            renamed[key] = _key_of(store, found)
        else:
            keep.append(record)
    for record in keep:
        if record.get("show") in renamed:
            record["show"] = renamed[record["show"]]
    doc["entities"] = keep
    for fact in doc["facts"]:
        fact["entity"] = renamed.get(fact["entity"], fact["entity"])


def _moderator_wins(store: Store, doc: dict[str, Any], sid: int, scope: int | None) -> list[str]:
    """Facts a moderator changed since TVmaze wrote them leave the file (listed when TVmaze
    says otherwise now); the import's own facts TVmaze no longer lists are removed."""
    rows = {r["key"]: r for r in keyed_rows(store, "fact", mapping.prefix(sid), scope)}
    actions = last_actions(store, "fact", [r["id"] for r in rows.values()])
    ours = {k for k, r in rows.items() if actions.get(r["id"], "").startswith("tvmaze.")}
    kept: list[str] = []
    facts = []
    for fact in doc["facts"]:
        row = rows.get(fact["key"])
        if row is not None and fact["key"] not in ours:
            same = row["deleted_at"] is None and (row["text"], row["date"]) == (
                fact["text"],
                fact["date"],
            )
            if not same:
                kept.append(fact["key"])
            continue
        facts.append(fact)
    listed = {f["key"] for f in doc["facts"]}
    for key in sorted(ours - listed):
        row = rows[key]
        if row["deleted_at"] is not None:
            continue
        facts.append(
            {
                "key": key,
                "entity": _key_of(store, row["entity_id"]),
                "kind": row["kind"],
                "text": row["text"],
                "status": row["status"],
                "spoiler": bool(row["spoiler"]),
                "date": row["date"],
                "source": mapping.source_key(sid),
                "quote": row["quote"],
                "deleted": True,
            }
        )
    doc["facts"] = facts
    return kept
