"""Learning from moderators, measured: teach one phrasing per missed dev question, then
see how many holdout misses that fixes.

    python benchmarks/teach.py [--show-fixed]

For each labelled set (tests/questions/fans.json over five shows, tests/questions/
labelled.json over the seeded store and a Daredevil one) and each of its stores, on one
fresh store: the holdout is asked (before); every dev question is asked, and each one
answered wrongly or not at all whose expected fact exists is taught as a phrasing of its
first expected fact (``Moderation.teach``, globally: the sets ask without a server); then
dev and holdout are asked again (after). Nothing is tuned here, and the holdout is never
taught: only what the dev questions taught reaches it.

A question is right by its set's own rule (fans.py: one of the first three facts of an
answered reply is expected; labelled.py: the first fact is), or, when nothing is expected,
when it is not answered. Confidently wrong: answered, but not right (an answerable question
with the wrong facts, or one the store cannot answer). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.engine import Engine  # noqa: E402
from bot.errors import ShowbotError  # noqa: E402
from bot.models import SYSTEM  # noqa: E402
from bot.moderation import Moderation  # noqa: E402
from tests.questions import fans, labelled  # noqa: E402
from tests.questions.labelled import key_of  # noqa: E402


@dataclass(frozen=True)
class Labelled:
    """One labelled set: its questions, how to open a store, how many facts count."""

    name: str
    data: dict[str, Any]
    open: Callable[[str, Path], Engine]
    shown: int  # the first facts of a reply that count (fans.py: 3, labelled.py: 1)


SETS = (
    Labelled("fans.json", fans.FANS, fans.open_show, fans.SHOWN),
    Labelled("labelled.json", labelled.LABELLED, labelled.open_store, 1),
)


def judge(engine: Engine, item: dict[str, Any], shown: int) -> str:
    """``right``, ``wrong`` (answered, not right) or ``unanswered``."""
    answer = engine.ask(item["q"])
    if not answer.answered:
        return "unanswered" if item["expect"] else "right"
    keys = [key_of(engine, f.id) for f in answer.facts[:shown]]
    return "right" if any(k in item["expect"] for k in keys) else "wrong"


@dataclass
class Tally:
    before: Counter[str] = field(default_factory=Counter)
    after: Counter[str] = field(default_factory=Counter)
    fixed: list[str] = field(default_factory=list)  # wrong before, right after
    broken: list[str] = field(default_factory=list)  # right before, wrong after

    def add(self, item: dict[str, Any], was: str, now: str) -> None:
        self.before[was] += 1
        self.after[now] += 1
        if was != "right" and now == "right":
            self.fixed.append(item["q"])
        elif was == "right" and now != "right":
            self.broken.append(item["q"])


@dataclass
class Result:
    dev: Tally = field(default_factory=Tally)
    holdout: Tally = field(default_factory=Tally)
    misses: int = 0  # dev questions not right
    teachable: int = 0  # ...of which expect a fact (one that exists)
    taught: int = 0  # phrasings stored
    refused: list[str] = field(default_factory=list)


def run_store(labels: Labelled, store: str, path: Path, result: Result) -> None:
    engine = labels.open(store, path)
    mod = Moderation(engine)
    try:
        parts = {p: [i for i in labels.data[p] if i["store"] == store] for p in ("dev", "holdout")}
        was = {p: [judge(engine, i, labels.shown) for i in parts[p]] for p in parts}
        for item, verdict in zip(parts["dev"], was["dev"], strict=True):
            if verdict == "right":
                continue
            result.misses += 1
            found = [engine.store.find_key("fact", k, None) for k in item["expect"][:1]]
            if not found or found[0] is None:
                continue  # nothing to teach it to: the store can't answer it
            result.teachable += 1
            try:
                outcome = mod.teach(SYSTEM, int(found[0]["id"]), item["q"])
            except ShowbotError as exc:
                result.refused.append(f"{item['q']!r}: {exc}")
                continue
            result.taught += outcome.action == "fact.teach"
        for part, tally in (("dev", result.dev), ("holdout", result.holdout)):
            for item, before in zip(parts[part], was[part], strict=True):
                tally.add(item, before, judge(engine, item, labels.shown))
    finally:
        engine.close()


def line(counts: Counter[str]) -> str:
    total = sum(counts.values())
    return (
        f"{counts['right']}/{total} right, {counts['wrong']} confidently wrong,"
        f" {counts['unanswered']} unanswered"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--show-fixed", action="store_true", help="list the holdout questions fixed and broken"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for labels in SETS:
            result = Result()
            stores = sorted({i["store"] for i in labels.data["dev"] + labels.data["holdout"]})
            for store in stores:
                run_store(labels, store, Path(tmp) / f"{labels.name}-{store}.db", result)
            report(labels.name, result, args.show_fixed)
    print(f"({time.perf_counter() - started:.1f} s)")


def report(name: str, r: Result, show_fixed: bool) -> None:
    h = r.holdout
    print(f"{name}:")
    print(
        f"  dev misses {r.misses}, of which expect a fact {r.teachable}; taught {r.taught}"
        + (f", refused {len(r.refused)}" if r.refused else "")
    )
    print(f"  dev      before: {line(r.dev.before)}")
    print(f"  dev      after:  {line(r.dev.after)}")
    print(f"  holdout  before: {line(h.before)}")
    print(f"  holdout  after:  {line(h.after)}")
    print(
        f"  holdout misses fixed: {len(h.fixed)} of {sum(h.before.values()) - h.before['right']};"
        f" right answers lost: {len(h.broken)}"
    )
    if show_fixed:
        for q in h.fixed:
            print(f"    fixed: {q!r}")
        for q in h.broken:
            print(f"    lost:  {q!r}")
    for refusal in r.refused:
        print(f"    refused {refusal}")


if __name__ == "__main__":
    main()
