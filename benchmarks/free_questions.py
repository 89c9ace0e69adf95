"""Free questions at scale: a synthetic store of 100k facts, asked in the fans' own words.

    python benchmarks/free_questions.py [--facts 100000] [--questions 2000] [--quick]
                                        [--rebuild] [--seed 11] [--no-throughput]
                                        [--throughput-questions 20000] [--no-labelled]
                                        [--dump FILE]

What it does (issue 10's "Measure" section):

1. Generates, deterministically, ~facts/20 shows with their seasons, characters, people
   and organisations, and ``--facts`` templated-but-varied facts about them ("X joined
   the cast of Y season 3 as Z", "Y season 2 premieres on 4 March 2019", "Z betrays W
   after the bank heist", "The A Foundation funds Z's clinic"), aliases for some subjects,
   sources and quotes for some facts. Names come from benchmarks/lookup.py's word lists.
2. Imports it with bot.store.interchange.import_data into a fresh unseeded store in one
   transaction, timed: the write cost per fact, fact documents (FTS5 rows and int8
   vectors, written by FactIndex.flush before the commit) included and shown apart.
   The database is cached under benchmarks/results/ (gitignored), keyed by the
   parameters and a hash of the generated data; ``--rebuild`` builds it again (do so
   after a change to how bot/store/factindex.py writes documents: the cache can't see it).
3. Makes ``--questions`` known-answer questions from a sample of facts, in the fans'
   style: a question word, the subject's name (or an alias; a typo in a quarter of them)
   and 1-2 content words of the fact. "Right" is defined in the report. A quarter as
   many absent-subject questions use the same shapes and words around names the store
   does not hold (made-up words, real-looking names, unknown seasons of known shows);
   half as many name questions (``!who <exact name>``) time the name path.
4. In a fresh child process (pinned to one core, like everything here): Engine.open
   cold, the model load, the first free questions, RSS at each step, then every question
   timed with time.perf_counter around engine.ask, then an instrumented pass (where the
   time goes), the SQL of two questions traced and re-run alone with their query plans,
   and 50 moderator adds (Moderation.add_fact), all on a copy of the cached database.
5. Runs benchmarks/ask_throughput.py (``ask -`` on the seeded store) as a subprocess, and
   scores the labelled questions of tests/questions (dev and holdout) for reference.

``--quick`` is a 10k-fact smoke run (500 questions). It prints figures against the
issue's targets; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

# The generator, store, questions, measurements and report live in benchmarks/freeq/; the
# names other benchmarks (web.py, updates.py) import from here are re-exported.
from freeq.measure import measure, pct  # noqa: E402
from freeq.questions import make_questions  # noqa: E402
from freeq.report import report  # noqa: E402
from freeq.store import RESULTS, build, cached_store, disk_usage  # noqa: E402
from freeq.vocabulary import CITIES, EVENTS, NETWORKS  # noqa: E402
from freeq.world import (  # noqa: E402
    GENERATOR_VERSION,
    FactInfo,
    Subject,
    World,
    data_digest,
    make_world,
)

__all__ = [
    "CITIES",
    "EVENTS",
    "GENERATOR_VERSION",
    "NETWORKS",
    "RESULTS",
    "FactInfo",
    "Subject",
    "World",
    "build",
    "cached_store",
    "data_digest",
    "disk_usage",
    "main",
    "make_questions",
    "make_world",
    "measure",
    "pct",
    "pin",
    "report",
]


# ------------------------------------------------------------------ main


def pin() -> tuple[str, str]:
    try:
        allowed = sorted(os.sched_getaffinity(0))
        cpu = allowed[-1]
        os.sched_setaffinity(0, {cpu})
        return (
            f"pinned to CPU {cpu} of {len(allowed)} allowed (os.sched_setaffinity), children too",
            f"one core (CPU {cpu})",
        )
    except (AttributeError, OSError) as exc:
        return f"not pinned ({exc})", "not pinned"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--facts", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=2000, help="known-subject free questions")
    parser.add_argument("--quick", action="store_true", help="a 10k-fact smoke run")
    parser.add_argument("--rebuild", action="store_true", help="ignore the cached database")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-throughput", action="store_true", help="skip ask_throughput.py")
    parser.add_argument("--throughput-questions", type=int, default=None)
    parser.add_argument("--no-labelled", action="store_true", help="skip the labelled questions")
    parser.add_argument(
        "--dump", type=Path, metavar="FILE", help="every timed question's outcome (JSONL)"
    )
    parser.add_argument(
        "--child", nargs=3, metavar=("DB", "QUESTIONS", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        db, qfile, outfile = (Path(p) for p in args.child)
        Path(outfile).write_text(json.dumps(measure(db, qfile, args.seed)), encoding="utf-8")
        return
    if args.quick:
        args.facts, args.questions = 10_000, min(args.questions, 500)
    pinned, pinned_short = pin()

    t = time.perf_counter()
    world = make_world(args.facts, args.seed)
    print(
        f"generated {len(world.facts):,} facts in {time.perf_counter() - t:.1f} s", file=sys.stderr
    )
    path, build_info, fresh = cached_store(world, args.facts, args.seed, rebuild=args.rebuild)
    if fresh:
        built = f"built now, {build_info['built_at']}"
    else:
        built = f"cached, built {build_info['built_at']}; --rebuild to build again"
    qs = make_questions(world, args.questions, args.seed)

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "work.db"
        shutil.copyfile(path, work)  # the child writes (question log, moderator adds)
        qfile = Path(tmp) / "questions.json"
        qfile.write_text(json.dumps(qs), encoding="utf-8")
        outfile = Path(tmp) / "out.json"
        print("measuring in a fresh process...", file=sys.stderr)
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--seed",
                str(args.seed),
                "--child",
                str(work),
                str(qfile),
                str(outfile),
            ],
            check=True,
            cwd=ROOT,
        )
        m = json.loads(outfile.read_text(encoding="utf-8"))
    if args.dump:
        # Outcomes without their timings: two runs' dumps differ only if an answer did.
        with args.dump.open("w", encoding="utf-8") as out:
            for row in m["results"]:
                out.write(json.dumps({k: v for k, v in row.items() if k != "ms"}) + "\n")

    extra = {
        "pinned": pinned,
        "pinned_short": pinned_short,
        "db": str(path.relative_to(ROOT)),
        "built": built,
    }
    if not args.no_throughput:
        n = args.throughput_questions or 20_000
        print("running benchmarks/ask_throughput.py...", file=sys.stderr)
        done = subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "ask_throughput.py"), "--questions", str(n)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        extra["throughput"] = done.stdout if done.returncode == 0 else done.stderr[-2000:]
    if not args.no_labelled:
        from tests.questions.labelled import score

        print("scoring the labelled questions...", file=sys.stderr)
        extra["labelled"] = []
        with tempfile.TemporaryDirectory() as tmp:
            for part in ("dev", "holdout"):
                folder = Path(tmp) / part
                folder.mkdir()
                extra["labelled"].append(score(part, folder).line(part))
    print(report(args, world, build_info, qs, m, extra))


if __name__ == "__main__":
    main()
