"""Questions per second through one `python -m bot ask -` process on the seeded store.

Streams N questions (known, typo'd, unknown, season, hostile) through standard input,
question log included, and prints throughput and per-question latency from the log.

    python benchmarks/ask_throughput.py [--questions 20000]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTIONS = [
    "!when jessica jones s2",
    "!who nuke",
    "!what igh",
    "!who kilgrav",
    "!when defnders",
    "!ask when does jessica jones season 2 come out",
    "!who walker trish",
    "!when luke cage",
    "!who melisa rosenburg",
    "!when jessica jones s3",
    "!who walter white",
    "jessica jones",
    "!who @everyone",
    "!ask ||nuke||",
    "",
    "!when iron fist",
    "who is hellcat",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    lines = "\n".join(rng.choice(QUESTIONS) for _ in range(args.questions)) + "\n"
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        cmd = [sys.executable, "-m", "bot", "ask", "--json", "--db", str(db)]
        subprocess.run([*cmd, "!who nuke"], cwd=root, capture_output=True, check=True)  # seed
        started = time.perf_counter()
        out = subprocess.run([*cmd, "-"], input=lines, text=True, capture_output=True, cwd=root)
        elapsed = time.perf_counter() - started
        answered = out.stdout.count('"answered": true')
        with sqlite3.connect(db) as conn:
            logged = conn.execute("SELECT count(*) FROM question").fetchone()[0] - 1
            lat = [r[0] for r in conn.execute("SELECT latency_ms FROM question")]
    lat.sort()
    print(f"questions:      {args.questions:,} ({answered:,} answered), {logged:,} logged")
    print(f"wall time:      {elapsed:.2f} s including start-up")
    print(f"throughput:     {args.questions / elapsed:,.0f} questions/s")
    print(
        f"engine latency: p50 {statistics.median(lat):.3f} ms,"
        f" p99 {lat[int(len(lat) * 0.99)]:.3f} ms (parse, lookup, facts, log)"
    )


if __name__ == "__main__":
    main()
