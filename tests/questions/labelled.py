"""Score the engine on the labelled free questions (labelled.json): shared by the tests
and benchmarks/free_questions.py."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine import Engine
from bot.models import SYSTEM
from bot.store.interchange import import_data

HERE = Path(__file__).parent
LABELLED = json.loads((HERE / "labelled.json").read_text(encoding="utf-8"))


def open_store(kind: str, path: Path) -> Engine:
    """'seed': a fresh seeded store; 'daredevil': a fresh unseeded one with another show."""
    if kind == "seed":
        return Engine.open(path)
    engine = Engine.open(path, seed=False)
    data = json.loads((HERE / "daredevil_s2.json").read_text(encoding="utf-8"))
    with engine.store.atomic():
        import_data(engine.store, data, SYSTEM)
    engine.sync(force=True)
    return engine


@dataclass
class Score:
    right: int = 0
    total: int = 0
    unknown_total: int = 0
    unknown_wrong: int = 0  # answered although the subject is unknown
    misses: list[str] = field(default_factory=list)

    def line(self, name: str) -> str:
        known = self.total - self.unknown_total
        share = 100 * self.right / max(self.total, 1)
        return (
            f"{name}: {self.right}/{self.total} right ({share:.0f}%);"
            f" known subjects {self.right - (self.unknown_total - self.unknown_wrong)}/{known},"
            f" unknown subjects answered wrongly {self.unknown_wrong}/{self.unknown_total}"
        )


def key_of(engine: Engine, fact_id: int) -> str | None:
    row = engine.store.row("fact", fact_id)
    return row["key"] if row else None


def score(part: str, folder: Path, store: str | None = None) -> Score:
    """Ask every question of ``part`` ('dev' or 'holdout') on a fresh store of its kind."""
    out = Score()
    engines: dict[str, Engine] = {}
    try:
        for item in LABELLED[part]:
            if store and item["store"] != store:
                continue
            if item["store"] not in engines:
                engines[item["store"]] = open_store(item["store"], folder / f"{item['store']}.db")
            engine = engines[item["store"]]
            answer = engine.ask(item["q"])
            out.total += 1
            expect = item["expect"]
            if not expect:
                out.unknown_total += 1
                if answer.answered:
                    out.unknown_wrong += 1
                    out.misses.append(
                        f"{item['q']!r}: answered {key_of(engine, answer.facts[0].id)}"
                    )
                else:
                    out.right += 1
                continue
            first = key_of(engine, answer.facts[0].id) if answer.answered else None
            if first in expect:
                out.right += 1
            else:
                out.misses.append(f"{item['q']!r}: got {first} ({answer.via}), want {expect[0]}")
    finally:
        for engine in engines.values():
            engine.close()
    return out
