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
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from free_questions import cached_store, make_world, pin  # noqa: E402
from updatesbench.draining import measure_drainer  # noqa: E402
from updatesbench.writes import measure_writes  # noqa: E402


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
