"""The fans' questions (tests/questions/fans.json): dev and holdout scores, per show and overall.

    python benchmarks/fan_questions.py [--show SLUG] [--show-misses] [--holdout-misses]

Each show's questions are asked, as typed, of a fresh unseeded store that imported only
that show's file (tests/questions/shows/<slug>.json), one store per show and split. Right:
one of the first three facts of an answered reply is among the question's expected facts,
or, for a question the store cannot answer (expect == []), no answer. Each line also gives
the share right by labelled.py's rule (the first fact alone), the answerable questions
answered confidently wrong and left unanswered, and the unanswerable ones answered anyway.

``--show-misses`` lists the dev split's misses: tune on those only. The holdout is scored,
never tuned on; its misses are printed only with ``--holdout-misses``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.questions.fans import PARTS, FanScore, overall, score, slugs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--show", choices=slugs(), help="score one show only")
    parser.add_argument(
        "--show-misses", action="store_true", help="list the misses of the dev split"
    )
    parser.add_argument(
        "--holdout-misses",
        action="store_true",
        help="also list the holdout's misses. NOT for tuning: read them and the holdout"
        " stops measuring anything",
    )
    args = parser.parse_args()

    results: dict[str, dict[str, FanScore]] = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for part in PARTS:
            folder = Path(tmp) / part
            folder.mkdir()
            results[part] = score(part, folder, args.show)
    took = time.perf_counter() - started

    print(f"fans' questions (tests/questions/fans.json), fresh stores, {took:.1f} s")
    for part in PARTS:
        scores = results[part]
        print(f"{part}:")
        for slug in sorted(scores):
            print("  " + scores[slug].line(slug))
        print("  " + overall(scores).line("overall"))
    for part, wanted in (("dev", args.show_misses), ("holdout", args.holdout_misses)):
        if not wanted:
            continue
        print(f"\n{part} misses:")
        for slug in sorted(results[part]):
            for miss in results[part][slug].misses:
                print(f"  [{slug}] {miss}")


if __name__ == "__main__":
    main()
