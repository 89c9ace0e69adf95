"""The whole engine at scale: a showbot database with N aliases, opened cold, then asked.

Where benchmarks/lookup.py measures the index alone, this measures what a bot process
pays: Engine start-up from SQLite (entities, aliases, index), its RSS, and the latency
of complete questions (parse, lookup, facts from SQLite, render, question log). Then
cold start again from the snapshot that first start wrote (bot/answering/coldstart.py), in two
fresh processes on the same database, one after the other while the first stays up:
each one's start time and what it adds in RSS (VmRSS) and in PSS (smaps_rollup: pages
shared by the two processes count half in each), after the start and after questions.

    python benchmarks/engine_scale.py [--aliases 1000000] [--questions 2000]

The store is filled with benchmarks/lookup.py's synthetic names by bulk SQL (no change
log rows: this is a fixture, not a moderator's work), plus one fact per 10 entities.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psutil
from lookupbench.questions import make_questions  # the lookup benchmark's generator
from lookupbench.store import make_store

from bot.engine import Engine
from bot.store.core import Store, now
from bot.store.seeds import apply_seeds


def fill(path: Path, size: int, seed: int) -> tuple[list, dict[int, int]]:
    rows, held_out = make_store(size, seed)
    store = Store.open(path)
    apply_seeds(store)
    base = store.db.execute("SELECT coalesce(max(id), 0) FROM entity").fetchone()[0] + 1
    stamp = now()
    first: dict[int, str] = {}
    for _, eid, text in rows:
        first.setdefault(eid, text)
    ids = {eid: base + i for i, eid in enumerate(sorted(first))}
    with store.atomic():
        store.db.conn.executemany(
            "INSERT INTO entity (id, name, kind, created_at, updated_at) VALUES (?,?,?,?,?)",
            ((ids[e], name, "character", stamp, stamp) for e, name in first.items()),
        )
        store.db.conn.executemany(
            "INSERT INTO alias (entity_id, name, created_at, updated_at) VALUES (?,?,?,?)",
            ((ids[e], text, stamp, stamp) for _, e, text in rows if text != first[e]),
        )
        store.db.conn.executemany(
            "INSERT INTO fact (entity_id, kind, text, status, created_at, updated_at)"
            " VALUES (?, 'who', ?, 'confirmed', ?, ?)",
            (
                (ids[e], f"{name} is someone.", stamp, stamp)
                for e, name in first.items()
                if ids[e] % 10 == 0
            ),
        )
    store.close()
    questions = make_questions(rows, held_out, 2000, seed)
    return questions, ids


# A shard process: open the engine, report, answer questions, report, wait to be told to go.
CHILD = r"""
import gc, json, sys, time
sys.path.insert(0, sys.argv[1])
def mem():
    out = {}
    for f, k in (("status", "VmRSS:"), ("smaps_rollup", "Pss:")):
        for line in open(f"/proc/self/{f}"):
            if line.startswith(k):
                out[f] = int(line.split()[1]) / 1024
    out["uss"] = sum(
        int(line.split()[1]) / 1024
        for line in open("/proc/self/smaps_rollup")
        if line.startswith(("Private_Clean:", "Private_Dirty:"))
    )
    return out
from bot.engine import Engine
gc.collect()
m0 = mem()
t = time.perf_counter()
engine = Engine.open(sys.argv[2])
cold = time.perf_counter() - t
gc.collect()
m1 = mem()
for q in json.load(open(sys.argv[3])):
    engine.reply(engine.ask(q))
m2 = mem()
print(json.dumps({"cold": cold, "m0": m0, "m1": m1, "m2": m2}), flush=True)
sys.stdin.readline()
engine.close()
"""


def shards(path: Path, asked: list[str], n: int = 2) -> list[dict]:
    """Start n engine processes on the same database, one after the other (all up)."""
    qfile = path.with_suffix(".questions.json")
    qfile.write_text(json.dumps(asked))
    root = str(Path(__file__).resolve().parents[1])
    procs, reports = [], []
    try:
        for _ in range(n):
            proc = subprocess.Popen(
                [sys.executable, "-c", CHILD, root, str(path), str(qfile)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            procs.append(proc)
            reports.append(json.loads(proc.stdout.readline()))  # type: ignore[union-attr]
    finally:
        for proc in procs:
            proc.communicate("\n", timeout=120)
    return reports


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--aliases", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scale.db"
        t = time.perf_counter()
        questions, ids = fill(path, args.aliases, args.seed)
        print(f"filled {args.aliases:,} aliases in {time.perf_counter() - t:.1f} s")
        del ids
        gc.collect()
        rss0 = psutil.Process().memory_info().rss / 2**20
        t = time.perf_counter()
        engine = Engine.open(path)
        cold = time.perf_counter() - t
        gc.collect()
        rss1 = psutil.Process().memory_info().rss / 2**20
        rng = random.Random(args.seed)
        asked = [f"!who {q}" for _, q, _ in questions]
        rng.shuffle(asked)
        for q in asked[:200]:  # warm-up
            engine.reply(engine.ask(q))
        latencies = []
        started = time.perf_counter()
        for q in asked:
            t0 = time.perf_counter_ns()
            engine.reply(engine.ask(q))
            latencies.append((time.perf_counter_ns() - t0) / 1e6)
        wall = time.perf_counter() - started
        engine.close()
        sharded = shards(path, asked[:500])
    print(f"engine cold start:  {cold:.2f} s, no snapshot ({len(engine.index):,} names indexed)")
    print(f"engine RSS:         {rss1:.0f} MB (+{rss1 - rss0:.0f} MB for the engine)")
    print(
        f"question latency:   p50 {statistics.median(latencies):.3f} ms,"
        f" p99 {pct(latencies, 0.99):.3f} ms, max {max(latencies):.2f} ms"
    )
    print(f"questions/s:        {len(asked) / wall:,.0f} (one core, log included)")
    print("  (that start built the index and wrote its snapshot; fresh processes now map it)")
    for i, r in enumerate(sharded, 1):
        rss = r["m1"]["status"] - r["m0"]["status"]
        pss = r["m1"]["smaps_rollup"] - r["m0"]["smaps_rollup"]
        uss = r["m1"]["uss"] - r["m0"]["uss"]
        rss2 = r["m2"]["status"] - r["m0"]["status"]
        pss2 = r["m2"]["smaps_rollup"] - r["m0"]["smaps_rollup"]
        uss2 = r["m2"]["uss"] - r["m0"]["uss"]
        print(
            f"process {i} from snapshot: start {r['cold']:.2f} s; engine adds RSS +{rss:.0f} MB,"
            f" PSS +{pss:.0f} MB, private +{uss:.0f} MB; after 500 questions (the embedding"
            f" model loads: ~55 MB) RSS +{rss2:.0f} MB, PSS +{pss2:.0f} MB,"
            f" private +{uss2:.0f} MB"
        )


if __name__ == "__main__":
    main()
