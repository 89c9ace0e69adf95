"""What following subjects costs: the outbox hook on writes, and the drainer's own work.

    python benchmarks/updates.py [--facts 100000] [--seed 11] [--quick]

On copies of free_questions.py's cached synthetic store (benchmarks/results/, built if
missing; the cache itself is never written), brought up to date by Store.open:

1. The write cost the outbox hook (bot/store/outbox.py, ``Outbox.flush`` just before every
   commit) adds to an import: bot.store.interchange.import_data of 5,000 new facts about 1,000
   existing subjects, one transaction, (a) with nobody following anything, (b) with
   10,000 follows over 3,000 subjects (half the imported-into subjects among them) and
   200 servers. Reported: ms per fact, the time inside ``Outbox.flush`` and the search
   documents' flush apart, and the outbox rows written. Then a moderator edit
   (Moderation.edit_fact changing a global fact's status, as the owner, on the engine's
   own connection, synchronous=FULL) of facts about followed subjects, without and with
   those follows: median of 200 edits, and the outbox rows each wrote.
2. The drainer (bot/updates/drainer.py) with the outbox holding ~2,000 pending rows over 300
   subjects and 20 servers, each with an updates channel, 15% of follows asking for DMs:
   rounds run back to back (no 1 s sleep) until nothing is due, with an in-process
   ``Poster`` that returns at once and writes run directly on the writer's connection
   (no writer thread), so this is the engine-side cost alone: SQLite, bundling, claims,
   rendering, the ``update_sent`` log lines (INFO, formatted, sent to /dev/null). Then
   200 more changes folded into the open bundles (edits of the posts), then an idle round
   (nothing waiting, nothing due): median of 200.

Everything is seeded. ``--quick`` is the 10k-fact store with a fifth of the work. It
prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from free_questions import (  # noqa: E402
    CITIES,
    EVENTS,
    NETWORKS,
    cached_store,
    make_world,
    pin,
)

from bot.models import SYSTEM  # noqa: E402
from bot.store.core import Store  # noqa: E402

GUILD0 = 810_000_000_000_000_000
USER0 = 600_000_000_000_000_000
CHANNEL0 = 910_000_000_000_000_000


# ------------------------------------------------------------------ set-up


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


# ------------------------------------------------------------------ 1. the write hook


def import_once(path: Path, data: dict) -> dict:
    from bot.store.interchange import import_data

    store = Store.open(path)
    spent: dict[str, float] = {}
    store.outbox.flush = timed(spent, "outbox", store.outbox.flush)
    store.docs.flush = timed(spent, "docs", store.docs.flush)
    before = count(store, "SELECT count(*) FROM outbox")
    t = time.perf_counter()
    report = import_data(store, data, SYSTEM)
    seconds = time.perf_counter() - t
    out = {
        "seconds": seconds,
        "facts": len(data["facts"]),
        "added": report.changed,
        "outbox_rows": count(store, "SELECT count(*) FROM outbox") - before,
        "guilds": count(store, "SELECT count(DISTINCT guild_id) FROM outbox"),
        **{f"{k}_s": v for k, v in spent.items()},
    }
    store.close()
    return out


def edits(path: Path, fact_ids: list[int], warm: int) -> dict:
    """Moderation.edit_fact changing the status of each fact (the first ``warm`` untimed)."""
    from bot.engine import Engine
    from bot.moderation import Moderation

    engine = Engine.open(path, seed=False)
    mod = Moderation(engine)
    store = engine.store
    spent: dict[str, float] = {}
    store.outbox.flush = timed(spent, "outbox", store.outbox.flush)
    times, flushes, rows = [], [], []
    for i, fact_id in enumerate(fact_ids):
        status = store.row("fact", fact_id)["status"]
        new = "reported" if status == "confirmed" else "confirmed"
        before_rows = count(store, "SELECT count(*) FROM outbox")
        spent["outbox"] = 0.0
        t = time.perf_counter()
        mod.edit_fact(SYSTEM, fact_id, status=new)
        ms = (time.perf_counter() - t) * 1000
        if i >= warm:
            times.append(ms)
            flushes.append(spent["outbox"] * 1000)
            rows.append(count(store, "SELECT count(*) FROM outbox") - before_rows)
    engine.close()
    return {"times": times, "flush_ms": flushes, "rows": rows}


def measure_writes(src: Path, tmp: Path, args: argparse.Namespace, out: Callable) -> None:
    rng = random.Random(args.seed)
    base = copy_store(src, tmp / "base.db")
    store = Store.open(base)  # migrations a newer showbot added since the cache was built
    entities = store.db.execute(
        "SELECT id, key, name FROM entity WHERE deleted_at IS NULL AND merged_into IS NULL"
        " AND guild_id IS NULL ORDER BY id"
    ).fetchall()
    n_facts = count(store, "SELECT count(*) FROM fact")
    store.close()
    chosen = rng.sample(entities, args.import_subjects)
    per = args.import_facts // args.import_subjects
    data = new_facts(rng, [(key, name) for _, key, name in chosen], per)
    imported_ids = [eid for eid, _, _ in chosen]
    # Half the imported-into subjects are followed, among others (a long tail).
    followed_imported = imported_ids[: len(imported_ids) // 2]
    others = [e[0] for e in entities if e[0] not in set(imported_ids)]
    followed = followed_imported + rng.sample(
        others, args.followed_subjects - len(followed_imported)
    )
    rng.shuffle(followed)
    guilds = [GUILD0 + i for i in range(args.guilds)]

    from bot.language.embedding import embedder

    embedder().embed(["warm the model up"])  # a bot process has it loaded already

    out(
        f"store: {n_facts:,} facts, {len(entities):,} global subjects"
        f" ({src.name}, a copy, migrated)"
    )
    out(
        f"\n1. import of {len(data['facts']):,} new facts about {len(chosen):,} existing"
        " subjects (import_data, one transaction)"
    )
    # Each case twice on fresh copies, interleaved (a, b, a, b), the faster run reported:
    # the first import in a process pays for warming the model and the page cache.
    runs: dict[str, list[dict]] = {"a": [], "b": []}
    for i in range(2):
        for case in ("a", "b"):
            path = copy_store(base, tmp / f"import-{case}{i}.db")
            if case == "b":
                fstore = Store.open(path)
                n_follows = add_follows(
                    fstore,
                    random.Random(args.seed + 2),
                    args.follows,
                    followed,
                    guilds,
                    dm_share=0.15,
                    users_per_guild=2000,
                )
                dist = fstore.db.execute(
                    "SELECT count(DISTINCT entity_id), count(DISTINCT guild_id),"
                    " count(DISTINCT guild_id || ':' || user_id) FROM follow"
                ).fetchone()
                fan = fstore.db.execute(
                    "SELECT avg(n), max(n) FROM (SELECT count(DISTINCT guild_id) AS n"
                    " FROM follow GROUP BY entity_id)"
                ).fetchone()
                fstore.close()
            runs[case].append(import_once(path, data))
    a = min(runs["a"], key=lambda r: r["seconds"])
    b = min(runs["b"], key=lambda r: r["seconds"])
    plain, following = tmp / "import-a1.db", tmp / "import-b1.db"
    both = "; ".join(
        f"({k}) " + " / ".join(f"{r['seconds']:.2f}" for r in v) + " s" for k, v in runs.items()
    )
    out(f"   (each case twice on fresh copies, interleaved; the faster shown: {both})")
    out(
        f"   follows in (b): {n_follows:,} by {dist[2]:,} members over {dist[0]:,} subjects"
        f" ({len(followed_imported):,} of the imported-into ones) and {dist[1]} servers;"
        f" a followed subject is followed in {fan[0]:.1f} servers on average, {fan[1]} at most"
    )
    out(
        f"   {'':28} {'total s':>8} {'ms/fact':>8} {'outbox.flush s':>15} {'docs.flush s':>13}"
        f" {'outbox rows':>12}"
    )
    cases = (("(a) nobody follows anything", a), (f"(b) {n_follows:,} follows", b))
    for label, r in cases:
        out(
            f"   {label:28} {r['seconds']:8.2f} {r['seconds'] * 1000 / r['facts']:8.3f}"
            f" {r['outbox_s']:15.3f} {r['docs_s']:13.2f} {r['outbox_rows']:12,}"
        )
    extra = b["seconds"] - a["seconds"]
    out(
        f"   the hook in (b): {b['outbox_s'] * 1000 / b['facts']:.3f} ms/fact inside"
        f" Outbox.flush ({b['outbox_s'] * 1e6 / max(b['outbox_rows'], 1):.0f} µs per row"
        f" written, {b['guilds']} servers told); total (b) - (a): {extra:+.2f} s"
        f" ({extra * 1000 / b['facts']:+.3f} ms/fact)"
    )

    # Moderator edits of facts about followed subjects (the same facts in both copies).
    fs = Store.open(following)
    followed_ids = sorted(set(followed))
    rows = fs.db.execute(
        "SELECT fact.id FROM fact JOIN entity ON entity.id = fact.entity_id"
        " WHERE fact.deleted_at IS NULL AND fact.guild_id IS NULL"
        f" AND fact.entity_id IN ({','.join('?' for _ in followed_ids)}) ORDER BY fact.id",
        followed_ids,
    ).fetchall()
    fs.close()
    warm = 10
    targets = rng.sample([r[0] for r in rows], args.edits + warm)
    ea = edits(plain, targets, warm)
    eb = edits(following, targets, warm)
    out(
        f"\n   moderator edit (Moderation.edit_fact, status), {args.edits} edits of facts"
        " about followed subjects"
    )
    out(f"   {'':28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'flush p50 ms':>13} rows/edit")
    for label, r in (("without follows", ea), ("with the follows of (b)", eb)):
        out(
            f"   {label:28} {statistics.median(r['times']):8.2f} {pct(r['times'], 0.95):8.2f}"
            f" {max(r['times']):8.2f} {statistics.median(r['flush_ms']):13.3f}"
            f" {statistics.mean(r['rows']):.2f} (max {max(r['rows'])})"
        )


# ------------------------------------------------------------------ 2. the drainer


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


# ------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--facts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--quick", action="store_true", help="10k-fact store, a fifth the work")
    args = parser.parse_args()
    scale = 5 if args.quick else 1
    if args.quick:
        args.facts = 10_000
    args.import_facts = 5000 // scale
    args.import_subjects = 1000 // scale
    args.follows = 10_000 // scale
    args.followed_subjects = 3000 // scale
    args.guilds = 200 // scale
    args.edits = 200 // scale
    args.pending = 2000 // scale
    args.drain_subjects = 300 // scale
    args.fold = 200 // scale
    args.idle = 200
    args.history = 100_000 // scale

    pinned, _ = pin()
    src, _, _ = cached_store(make_world(args.facts, args.seed), args.facts, args.seed)
    started = time.perf_counter()

    def out(line: str) -> None:
        print(line, flush=True)

    out(f"benchmarks/updates.py, seed {args.seed}, {pinned}")
    with tempfile.TemporaryDirectory() as tmp:
        measure_writes(src, Path(tmp), args, out)
        measure_drainer(src, Path(tmp), args, out)
    out(f"\n(ran in {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
