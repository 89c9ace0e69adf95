"""Keeping imported shows fresh: ask TVmaze's ``/updates/shows`` which changed since they
were read, re-read only those, and apply the differences as edits (a moved date is an edit
of its fact, never a second fact), so the history shows them and followers hear them.

The async half reads TVmaze; the other half (``refresh_one``) runs where the caller writes.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from bot.models import Actor
from bot.moderation import Moderation
from bot.store.core import Store
from bot.store.keyed import keyed_everywhere
from bot.tvmaze import mapping
from bot.tvmaze.client import ShowData, TVmaze
from bot.tvmaze.importer import ACTION_REFRESH, Plan, apply, plan

DAY = 86_400


@dataclass(frozen=True)
class Imported:
    """One show imported into one scope, and TVmaze's ``updated`` when it was read."""

    show_id: int
    guild_id: int | None
    stamp: int | None
    title: str


def imported(store: Store) -> list[Imported]:
    """Every show imported, in every scope (one source per show and scope)."""
    out = []
    for row in keyed_everywhere(store, "source", "tvmaze-"):
        found = re.fullmatch(r"tvmaze-(\d{1,12})", row["key"] or "")
        if found:
            stamp = mapping.stamp_of(row["notes"])
            out.append(Imported(int(found[1]), row["guild_id"], stamp, row["title"]))
    return out


def _since(shows: list[Imported], now: float) -> str | None:
    """The smallest window of /updates/shows that covers every show's last read."""
    oldest = min((s.stamp or 0 for s in shows), default=0)
    age = now - oldest
    for since, days in (("day", 1), ("week", 7), ("month", 30)):
        if age < days * DAY - 3600:  # an hour's margin for TVmaze's own clock
            return since
    return None


async def changed(tv: TVmaze, shows: list[Imported], *, everything: bool = False) -> set[int]:
    """The ids of the shows TVmaze changed since they were read (all, ``everything``)."""
    if not shows:
        return set()
    if everything:
        return {s.show_id for s in shows}
    updates = await tv.updates(_since(shows, time.time()))
    return {
        s.show_id for s in shows if s.stamp is None or updates.get(s.show_id, 0) > (s.stamp or 0)
    }


async def read(tv: TVmaze, show_ids: set[int]) -> dict[int, ShowData | None]:
    """Each show's data (None: TVmaze no longer has it), one show after another."""
    return {sid: await tv.show_data(sid) for sid in sorted(show_ids)}


@dataclass
class Refreshed:
    """What a refresh did to one show in one scope."""

    show: Imported
    plan: Plan | None  # None: TVmaze no longer has the show

    def line(self) -> str:
        where = f"server {self.show.guild_id}" if self.show.guild_id else "global"
        if self.plan is None:
            return f"{self.show.title} ({where}): TVmaze no longer has it; nothing changed."
        facts = self.plan.report.counts["facts"]
        if not self.plan.changed:
            text = "up to date"
        else:
            text = f"facts {facts['added']} added, {facts['updated']} updated"
        if self.plan.kept:
            text += f"; {len(self.plan.kept)} kept as moderators changed them"
        return f"{self.plan.name} ({where}): {text}."


def refresh_one(
    mod: Moderation, show: Imported, data: ShowData | None, *, dry_run: bool = False
) -> Refreshed:
    """Apply one show's new data in its scope (in one transaction), if anything changed."""
    if data is None:
        return Refreshed(show, None)
    actor = Actor(id=None, name="TVmaze refresh", guild_id=show.guild_id, owner=True)
    planned = plan(mod, data, actor, action=ACTION_REFRESH)
    if planned.changed and not dry_run:
        planned = apply(mod, planned, actor, action=ACTION_REFRESH)
    return Refreshed(show, planned)
