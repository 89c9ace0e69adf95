"""Score the engine on the fans' questions (fans.json) over ten shows imported as facts
(shows/<slug>.json): shared by tests/unit/test_fan_questions.py (the data's integrity) and
benchmarks/fan_questions.py (the scores).

Scoring follows labelled.py: each question is asked as typed (``engine.ask(q)``) of a fresh
unseeded store holding only its show. What counts as right differs in one respect, which
fans.json states: a question with ``expect`` is right when one of the first three facts of
an answered reply is in ``expect`` (labelled.py looks at the first fact only; that figure is
reported too, as ``first``); one with ``expect == []`` is right when it is not answered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.engine import Engine
from bot.models import SYSTEM
from bot.store.interchange import import_data
from tests.questions.labelled import Score, key_of

HERE = Path(__file__).parent
SHOWS = HERE / "shows"
FANS: dict[str, Any] = json.loads((HERE / "fans.json").read_text(encoding="utf-8"))
PARTS = ("dev", "holdout")
SHOWN = 3  # the first facts of a reply that count


def slugs() -> list[str]:
    """The shows, in the order of the files' names."""
    return sorted(path.stem for path in SHOWS.glob("*.json"))


def show_data(slug: str) -> dict[str, Any]:
    return json.loads((SHOWS / f"{slug}.json").read_text(encoding="utf-8"))


def open_show(slug: str, path: Path) -> Engine:
    """A fresh unseeded store at ``path`` that imported one show's file, and its engine."""
    engine = Engine.open(path, seed=False)
    data = show_data(slug)
    with engine.store.atomic():
        import_data(engine.store, data, SYSTEM)
    engine.sync(force=True)
    return engine


@dataclass
class FanScore(Score):
    """labelled.Score (right, total, unknown_total, unknown_wrong, misses), where "unknown"
    means the store cannot answer (expect == []): an unknown subject or an unstated thing."""

    confident_wrong: int = 0  # answerable, answered, none of expect among the first three
    unanswered: int = 0  # answerable, not answered
    first_right: int = 0  # labelled.py's rule: the first fact is in expect (or, [], unanswered)

    def add(self, other: FanScore) -> None:
        for name in (
            "right",
            "total",
            "unknown_total",
            "unknown_wrong",
            "confident_wrong",
            "unanswered",
            "first_right",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.misses.extend(other.misses)

    def line(self, name: str) -> str:
        known = self.total - self.unknown_total
        right_known = self.right - (self.unknown_total - self.unknown_wrong)
        share = 100 * self.right / max(self.total, 1)
        first = 100 * self.first_right / max(self.total, 1)
        return (
            f"{name}: {self.right}/{self.total} right ({share:.0f}%; first fact {first:.0f}%);"
            f" answerable {right_known}/{known} right, {self.confident_wrong} confidently wrong,"
            f" {self.unanswered} unanswered; answered although unknown/unstated"
            f" {self.unknown_wrong}/{self.unknown_total}"
        )


def ask(engine: Engine, item: dict[str, Any], out: FanScore) -> None:
    """Ask one question and count it in ``out``."""
    answer = engine.ask(item["q"])
    shown = [key_of(engine, f.id) for f in answer.facts[:SHOWN]] if answer.answered else []
    expect = item["expect"]
    out.total += 1
    if not expect:
        out.unknown_total += 1
        if answer.answered:
            out.unknown_wrong += 1
            out.misses.append(f"{item['q']!r}: answered {shown} ({answer.via}), want no answer")
        else:
            out.right += 1
            out.first_right += 1
        return
    if shown and shown[0] in expect:
        out.first_right += 1
    if any(key in expect for key in shown):
        out.right += 1
    elif not answer.answered:
        out.unanswered += 1
        out.misses.append(f"{item['q']!r}: no answer, want {expect[0]}")
    else:
        out.confident_wrong += 1
        out.misses.append(f"{item['q']!r}: got {shown} ({answer.via}), want {expect[0]}")


def score(part: str, folder: Path, show: str | None = None) -> dict[str, FanScore]:
    """Ask every question of ``part`` ('dev' or 'holdout'), each show on its own fresh store
    in ``folder``; the score per show."""
    out: dict[str, FanScore] = {}
    engines: dict[str, Engine] = {}
    try:
        for item in FANS[part]:
            slug = item["store"]
            if show and slug != show:
                continue
            if slug not in engines:
                engines[slug] = open_show(slug, folder / f"{slug}.db")
            ask(engines[slug], item, out.setdefault(slug, FanScore()))
    finally:
        for engine in engines.values():
            engine.close()
    return out


def overall(scores: dict[str, FanScore]) -> FanScore:
    total = FanScore()
    for one in scores.values():
        total.add(one)
    return total
