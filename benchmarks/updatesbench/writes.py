"""Part 1 of the updates benchmark: the write cost the outbox hook adds, to an import of new
facts (``import_once``, without and with follows) and to moderators' edits of facts about
followed subjects (``edits``); ``measure_writes`` runs both and prints the figures."""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bot.models import SYSTEM
from bot.store.core import Store

from .fixtures import GUILD0, add_follows, copy_store, count, new_facts, pct, timed


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
