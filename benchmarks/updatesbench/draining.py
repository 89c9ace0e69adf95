"""Part 2 of the updates benchmark: the drainer's own work (bot/updates/drainer.py) with a
poster that answers at once (``InstantPoster``) and write jobs run in place (``timed_run``):
rounds back to back until nothing is due (``drain``), changes folded into open bundles,
idle rounds with and without a week of sent deliveries; ``measure_drainer`` runs them and
prints the figures."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.models import SYSTEM
from bot.store.core import Store

from .fixtures import CHANNEL0, GUILD0, add_follows, copy_store, count, pct, timed


class InstantPoster:
    """Discord answering at once: every post is a new message with the content sent."""

    def __init__(self) -> None:
        self.posts = self.edits = self.dms = 0
        self._next = 1

    async def open_dm(self, user_id: int) -> int:
        self.dms += 1
        return 5_000_000 + user_id % 1_000_000

    async def post(self, channel_id: int, content: str, nonce: str) -> tuple[int, str]:
        self.posts += 1
        self._next += 1
        return self._next, content

    async def edit(self, channel_id: int, message_id: int, content: str) -> None:
        self.edits += 1

    def server_name(self, guild_id: int) -> str | None:
        return f"Server {guild_id - GUILD0}"


def timed_run(spent: dict[str, float]) -> Callable[..., Any]:
    """The drainer's ``run``: the write job right here (no writer thread), its wall time
    (its transaction's commit included) added up by job."""

    async def run(fn: Callable[..., Any], *args: Any) -> Any:
        key = fn.__name__.lstrip("_")
        spent.setdefault(key, 0.0)
        t = time.perf_counter()
        try:
            return fn(*args)
        finally:
            spent[key] += time.perf_counter() - t

    return run


def change_facts(store: Store, rng: random.Random, facts: list[int], until_rows: int) -> int:
    """Status changes of ``facts`` (cycling, 50 a transaction, through Store.update and so
    the hook) until the outbox holds ``until_rows`` more pending rows; how many changes."""
    start = count(store, "SELECT count(*) FROM outbox WHERE bundle_id IS NULL")
    made = 0
    order = facts[:]
    rng.shuffle(order)
    while count(store, "SELECT count(*) FROM outbox WHERE bundle_id IS NULL") - start < until_rows:
        with store.atomic():
            for _ in range(50):
                fact_id = order[made % len(order)]
                status = store.row("fact", fact_id)["status"]
                new = "reported" if status == "confirmed" else "confirmed"
                store.update("fact", fact_id, {"status": new}, SYSTEM, "fact.edit")
                made += 1
    return made


async def drain(drainer: Any, spent: dict[str, float]) -> dict:
    """Rounds back to back until one does nothing and nothing waits."""
    rounds: list[float] = []
    tried = 0
    t0 = time.perf_counter()
    while True:
        t = time.perf_counter()
        n = await drainer.round()
        rounds.append((time.perf_counter() - t) * 1000)
        tried += n
        if n == 0 and not drainer.reader.outbox.waiting():
            break
    return {
        "total_s": time.perf_counter() - t0,
        "rounds": rounds[:-1],  # the last one found nothing
        "tried": tried,
        **{k: v for k, v in spent.items()},
    }


def measure_drainer(src: Path, tmp: Path, args: argparse.Namespace, out: Callable) -> None:
    from bot.updates.drainer import Drainer

    rng = random.Random(args.seed + 1)
    path = copy_store(tmp / "base.db", tmp / "drain.db")  # migrated by measure_writes
    writer = Store.open(path)
    reader = Store.open(path)
    guilds = [GUILD0 + i for i in range(20)]
    for i, g in enumerate(guilds):
        writer.set_updates_channel(g, CHANNEL0 + i)
    subjects = [
        r[0]
        for r in writer.db.execute(
            "SELECT entity_id FROM fact WHERE deleted_at IS NULL AND guild_id IS NULL"
            " GROUP BY entity_id HAVING count(*) >= 3 ORDER BY entity_id"
        )
    ]
    subjects = rng.sample(subjects, args.drain_subjects)
    follows = add_follows(
        writer,
        rng,
        args.drain_subjects * 4,
        subjects,
        guilds,
        dm_share=0.15,
        users_per_guild=400,
    )
    marks = ",".join("?" for _ in subjects)
    facts = [
        r[0]
        for r in writer.db.execute(
            f"SELECT id FROM fact WHERE deleted_at IS NULL AND guild_id IS NULL"
            f" AND entity_id IN ({marks}) ORDER BY id",
            subjects,
        )
    ]
    changes = change_facts(writer, rng, facts, args.pending)
    pending = count(writer, "SELECT count(*) FROM outbox WHERE bundle_id IS NULL")
    pairs = count(writer, "SELECT count(*) FROM (SELECT DISTINCT guild_id, entity_id FROM outbox)")
    dm_follows = count(writer, "SELECT count(*) FROM follow WHERE dm = 1")
    out(
        f"\n2. the drainer: {pending:,} pending outbox rows from {changes:,} status changes"
        f" (Store.update, 50 a transaction) over {len(subjects)} subjects, {follows:,} follows"
        f" ({dm_follows} with DMs) in 20 servers with updates channels; {pairs:,}"
        " (server, subject) pairs"
    )

    # The bot logs each delivery at INFO: keep that cost, not the output.
    from bot.logs import configure_logging

    configure_logging("INFO")
    devnull = open(os.devnull, "w")  # noqa: SIM115
    for handler in logging.getLogger().handlers:
        handler.setStream(devnull)  # type: ignore[attr-defined]

    poster = InstantPoster()
    spent: dict[str, float] = {"bundle": 0.0, "claim": 0.0, "sent": 0.0}
    drainer = Drainer(
        reader, writer, timed_run(spent), poster, window_seconds=600, lease_seconds=30
    )
    drainer.content = timed(spent, "content", drainer.content)  # type: ignore[method-assign]

    first = asyncio.run(drain(drainer, spent))
    bundles = count(writer, "SELECT count(*) FROM update_bundle")
    deliveries = count(writer, "SELECT count(*) FROM update_delivery")
    dm_deliveries = count(writer, "SELECT count(*) FROM update_delivery WHERE user_id IS NOT NULL")
    made = poster.posts
    out(
        f"   bundled into {bundles:,} bundles, {deliveries:,} deliveries ({dm_deliveries:,}"
        " DMs); the claim takes 20 a round"
    )

    def row(label: str, r: dict, sent: int) -> None:
        rounds = r["rounds"]
        p50 = statistics.median(rounds[1:] or rounds)
        out(
            f"   {label:22} {r['total_s']:8.2f} {len(rounds):7} {sent:11,}"
            f" {r['total_s'] * 1000 / max(sent, 1):11.3f} {p50:9.2f}"
            f" {rounds[0]:10.1f}"
        )

    out(
        f"   {'':22} {'total s':>8} {'rounds':>7} {'deliveries':>11} {'ms/deliv.':>11}"
        f" {'round p50':>9} {'1st round':>10}"
    )
    row("drain everything", first, first["tried"])
    out(
        "   where a drain's time goes (s; bundle/claim/sent: write jobs, one transaction"
        " each, commit included; content: reads and rendering; the rest: due/waiting"
        " reads, channel checks, the poster, logging, asyncio):"
    )

    def parts(label: str, r: dict) -> None:
        spent = {k: v for k, v in r.items() if k not in ("total_s", "rounds", "tried")}
        out(
            f"     {label}: "
            + ", ".join(f"{k} {v:.2f}" for k, v in spent.items())
            + f", the rest {r['total_s'] - sum(spent.values()):.2f}"
        )

    parts("drain everything", first)

    # Changes within the window fold into the open bundles: their posts are edited.
    for k in spent:
        spent[k] = 0.0
    folded = change_facts(writer, rng, facts, args.fold)
    folded_rows = count(writer, "SELECT count(*) FROM outbox WHERE bundle_id IS NULL")
    edits_before = poster.edits
    second = asyncio.run(drain(drainer, spent))
    row(f"{folded} folded changes", second, second["tried"])
    out(
        f"     ({folded_rows:,} outbox rows; edits made {poster.edits - edits_before:,},"
        f" new posts {poster.posts - made})"
    )
    parts(f"{folded} folded changes", second)

    async def idle() -> list[float]:
        times = []
        for _ in range(args.idle + 10):
            t = time.perf_counter()
            n = await drainer.round()
            times.append((time.perf_counter() - t) * 1000)
            assert n == 0
        return times[10:]

    times = asyncio.run(idle())
    kept = count(writer, "SELECT count(*) FROM update_delivery")
    out(
        f"   idle round (nothing waiting or due), {args.idle} rounds: p50"
        f" {statistics.median(times):.3f} ms, p95 {pct(times, 0.95):.3f} ms, max"
        f" {max(times):.3f} ms ({kept:,} deliveries kept, all sent)"
    )
    # A busy week of sent deliveries (kept KEEP_DAYS days): the due() read walks them.
    at = "2026-01-01T00:00:00.000+00:00"
    with writer.atomic():
        top = count(writer, "SELECT coalesce(max(id), 0) FROM update_bundle")
        writer.db.conn.executemany(
            "INSERT INTO update_bundle (id, guild_id, entity_id, opened_at, closes_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (top + 1 + i, guilds[i % 20], subjects[i % len(subjects)], at, at)
                for i in range(args.history // 2)
            ],
        )
        writer.db.conn.executemany(
            "INSERT INTO update_delivery (bundle_id, channel_id, message_id, nonce,"
            " sent_version, next_try, pending) VALUES (?, ?, ?, ?, 1, ?, 0)",  # sent
            [
                (top + 1 + i // 2, CHANNEL0 + i % 20, i + 1, f"sb{i:016x}", at)
                for i in range(args.history)
            ],
        )
    times = asyncio.run(idle())
    kept = count(writer, "SELECT count(*) FROM update_delivery")
    out(
        f"   idle round with {kept:,} sent deliveries kept (bulk SQL): p50"
        f" {statistics.median(times):.3f} ms, p95 {pct(times, 0.95):.3f} ms, max"
        f" {max(times):.3f} ms"
    )
    from bot.store.outbox import Outbox

    plan = reader.db.execute(
        "EXPLAIN QUERY PLAN SELECT 1" + Outbox._DUE + " LIMIT 1", ["x", "x"]
    ).fetchall()
    out("   due() plan: " + "; ".join(p[3] for p in plan))
    devnull.close()
    reader.close()
    writer.close()
