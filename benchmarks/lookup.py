"""Benchmark the alias index (bot.answering.lookup) against a full rapidfuzz WRatio scan.

    python benchmarks/lookup.py [--sizes 10000 100000 1000000] [--queries N] [--seed S]
                                [--scan-sample N]

Per size, in a fresh process (so RSS is the index's own): build a seeded store of
realistic aliases (multilingual people with nicknames and spelling variants, show titles,
organisations with articles, made-up words so the vocabulary grows with the store;
1-4 aliases per entity, every normalised alias unique), then ask questions with known
answers:

- exact: an alias with its case and punctuation shuffled;
- typo1 / typo2: 1 or 2 random edits (substitute, delete, insert, swap neighbours) inside
  words of 4+ letters, of aliases of 6+ (typo1) or 9+ (typo2) letters;
- reordered: the words of a 2+ word alias shuffled;
- noise: an alias with leftover question words around it ("actor", "the show",
  "netflix"...; some of them are not in the index's list of question words);
- absent: names that are not in the store, built from made-up words 3+ edits away from
  every store word, alone or next to a common store word ("Maria Quorvan"); best() must
  return None.

The scan is rapidfuzz.process.extractOne(normalized query, normalized aliases,
scorer=WRatio) with the same CUTOFF, on a sample of the questions at big sizes.
"""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lookupbench.measure import run_size
from lookupbench.report import report
from rich.console import Console

from bot.answering.lookup import CUTOFF


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=1200, help="questions per size")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--scan-sample",
        type=int,
        default=200,
        help="questions given to the slow full scan above 10k aliases",
    )
    args = parser.parse_args()
    console = Console(width=120)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    console.print(f"CUTOFF = {CUTOFF}; one size per fresh process; load average {load}")
    for size in args.sizes:
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
            r = pool.submit(run_size, size, args.queries, args.seed, args.scan_sample).result()
        report(r, console)


if __name__ == "__main__":
    main()
