"""The updates benchmark's set-up: ids of the made-up servers, users and channels, copies of
the cached store, an interchange file of new facts (``new_facts``), follows written by bulk
SQL (``add_follows``), and the helpers both measurements use: ``timed`` (a function's wall
time added up), ``count`` (one SQL count) and ``pct`` (a percentile)."""

from __future__ import annotations

import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from free_questions import CITIES, EVENTS, NETWORKS

from bot.store.core import Store

GUILD0 = 810_000_000_000_000_000
USER0 = 600_000_000_000_000_000
CHANNEL0 = 910_000_000_000_000_000


def copy_store(src: Path, dest: Path) -> Path:
    shutil.copyfile(src, dest)
    return dest


def timed(spent: dict[str, float], key: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``, adding its wall time to ``spent[key]``."""
    spent.setdefault(key, 0.0)

    def run(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[key] += time.perf_counter() - t

    return run


def new_facts(rng: random.Random, subjects: list[tuple[str, str]], per: int) -> dict:
    """An interchange file of ``per`` new facts about each of ``subjects`` (key, name)."""
    facts = []
    for key, name in subjects:
        for _ in range(per):
            n = len(facts)
            r = rng.random()
            if r < 0.4:
                kind, date = "when", f"20{rng.randint(26, 29)}-{rng.randint(1, 12):02d}-"
                date += f"{rng.randint(1, 28):02d}"
                text = f"{name} returns on {rng.choice(NETWORKS)} (update {n})"
            elif r < 0.7:
                kind, date = "what", None
                text = f"{name} is caught up in the {rng.choice(EVENTS)} in {rng.choice(CITIES)}"
            else:
                kind, date = "who", None
                text = f"{name} gets a new rival after the {rng.choice(EVENTS)}"
            status = rng.choices(["confirmed", "reported", "rumor"], [6, 3, 1])[0]
            facts.append(
                {
                    "key": f"bench-update-{n}",
                    "entity": key,
                    "kind": kind,
                    "text": ("Rumour: " + text) if status == "rumor" else text,
                    "status": status,
                    "spoiler": False,
                    "date": date,
                }
            )
    return {"format": "showbot", "version": 1, "facts": facts}


def add_follows(
    store: Store,
    rng: random.Random,
    n: int,
    subjects: list[int],
    guilds: list[int],
    *,
    dm_share: float,
    users_per_guild: int,
) -> int:
    """``n`` follows (bulk SQL: a fixture), subjects drawn with a long tail (a few are
    followed widely), servers too; how many were written."""
    weights = [1 / (i + 1) ** 0.6 for i in range(len(subjects))]
    gweights = [1 / (i + 1) ** 0.5 for i in range(len(guilds))]
    seen: set[tuple[int, int, int]] = set()
    per_member: dict[tuple[int, int], int] = {}
    rows = []
    every = set(subjects)
    while len(rows) < n:
        # The first pass covers every subject once, so each given one is followed.
        entity = subjects[len(rows)] if len(rows) < len(subjects) else None
        if entity is None:
            entity = rng.choices(subjects, weights)[0]
        guild = rng.choices(guilds, gweights)[0]
        user = USER0 + guilds.index(guild) * 100_000 + rng.randrange(users_per_guild)
        if (guild, user, entity) in seen or per_member.get((guild, user), 0) >= 25:
            continue
        assert entity in every
        seen.add((guild, user, entity))
        per_member[(guild, user)] = per_member.get((guild, user), 0) + 1
        dm = int(rng.random() < dm_share)
        rows.append((guild, user, entity, dm, "2026-05-01T12:00:00.000+00:00"))
    with store.atomic():
        store.db.conn.executemany(
            "INSERT INTO follow (guild_id, user_id, entity_id, dm, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            rows,
        )
    return len(rows)


def count(store: Store, sql: str, params: list[Any] | None = None) -> int:
    return int(store.db.execute(sql, params or []).fetchone()[0])


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * (len(ordered) - 1) + 0.5))]
