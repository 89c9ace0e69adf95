"""The web view at scale: `python -m bot web` over the 100k-fact synthetic store.

    python benchmarks/web.py [--facts 100000] [--requests 200] [--seed 11]

Builds (or reuses, from benchmarks/results/) free_questions.py's synthetic store, copies
it, brings the copy up to date (Store.open migrates), adds 20,000 question-log rows over
30 days, then starts the real `python -m bot web` process on it and measures:

- start-up: from launch to the first answer (Datasette, the read-only engine, its index);
- per page kind, ``--requests`` sequential GETs over different ids or words: p50, p95, max
  and the bytes served (subjects pages, a subject, a fact's history, sources pages, the
  fuzzy + full-text search with typos, the canned fact search, gaps, questions per day).

It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from free_questions import cached_store, make_world  # noqa: E402


def prepare(src: Path, dest: Path, seed: int) -> None:
    from bot.store.core import Store

    shutil.copyfile(src, dest)
    Store.open(dest).close()  # migrations a newer showbot added since the cache was built
    rng = random.Random(seed)
    with sqlite3.connect(dest) as conn:
        words = [r[0] for r in conn.execute("SELECT name FROM entity ORDER BY random() LIMIT 500")]
        rows = [
            (
                f"2026-{rng.choice(['11', '12'])}-{rng.randint(1, 28):02d}T12:00:00+00:00",
                rng.choice([None, 1, 2, 3]),
                f"!who is {rng.choice(words).lower()} {rng.choice(['', 'really', 'now'])}",
                rng.random() < 0.7,
            )
            for _ in range(20_000)
        ]
        conn.executemany(
            "INSERT INTO question (at, guild_id, text, answered) VALUES (?, ?, ?, ?)", rows
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[float, int, int]:
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            body, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        body, status = e.read(), e.code
    return (time.perf_counter() - t) * 1000, status, len(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    src, _, _ = cached_store(make_world(args.facts, args.seed), args.facts, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "web.db"
        prepare(src, db, args.seed)
        with sqlite3.connect(db) as conn:
            entities = [
                r[0] for r in conn.execute("SELECT id FROM entity WHERE deleted_at IS NULL")
            ]
            facts = [r[0] for r in conn.execute("SELECT id FROM fact WHERE deleted_at IS NULL")]
            names = [r[0] for r in conn.execute("SELECT name FROM entity WHERE kind != 'season'")]
            sources = [r[0] for r in conn.execute("SELECT id FROM source")]
            words = [
                r[0]
                for r in conn.execute(
                    "SELECT term FROM fact_doc_fts_vocab WHERE length(term) > 4"
                    " ORDER BY random() LIMIT 400"
                )
            ]
            counts = {
                t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("entity", "alias", "fact", "source", "question")
            }
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "web", "--db", str(db), "--port", str(port)],
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            while True:
                if proc.poll() is not None:
                    sys.exit(f"bot web exited: {proc.stderr.read().decode()[-2000:]}")
                try:
                    urllib.request.urlopen(base + "/-/versions.json", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.05)
            startup = time.perf_counter() - started

            def typo(name: str) -> str:
                i = rng.randrange(len(name))
                return name[:i] + name[i + 1 :] if len(name) > 4 else name

            kinds = ["show", "character", "person", "organisation"]
            pages = {
                "home /": lambda: "/",
                "subjects (a kind, first page)": lambda: (
                    "/showbot/subjects?kind=" + rng.choice(kinds)
                ),
                "subjects (a later page)": lambda: (
                    "/showbot/subjects?kind=character&after="
                    + urllib.parse.quote(rng.choice(names))
                ),
                "subject /subject/<id>": lambda: f"/subject/{rng.choice(entities)}",
                "fact + history /fact/<id>": lambda: f"/fact/{rng.choice(facts)}",
                "sources (20 a page)": lambda: f"/showbot/sources?after={rng.choice(sources)}",
                "search (name with a typo)": lambda: (
                    "/search?q=" + urllib.parse.quote(typo(rng.choice(names)))
                ),
                "search (fact words)": lambda: (
                    "/search?q=" + urllib.parse.quote(" ".join(rng.sample(words, 2)))
                ),
                "search_facts (canned)": lambda: (
                    "/showbot/search_facts?q=" + urllib.parse.quote(rng.choice(words))
                ),
                "gaps": lambda: "/showbot/gaps",
                "questions per day": lambda: "/showbot/questions_per_day",
            }
            print(f"store: {', '.join(f'{n:,} {t}' for t, n in counts.items())}")
            print(f"start-up to first answer: {startup:.2f} s")
            print(f"{'page':34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'KB':>7}  non-200")
            for label, make in pages.items():
                get(base + make())  # warm
                times, sizes, bad = [], [], 0
                for _ in range(args.requests):
                    ms, status, size = get(base + make())
                    times.append(ms)
                    sizes.append(size)
                    bad += status != 200
                times.sort()
                p95 = times[int(0.95 * (len(times) - 1))]
                print(
                    f"{label:34} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f}"
                    f" {statistics.mean(sizes) / 1024:7.1f}  {bad}"
                )
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
