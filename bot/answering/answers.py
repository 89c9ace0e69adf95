"""Question -> Answer: the subject's facts for the intent (the name path), or the facts a
free question is about (the free path, :mod:`bot.answering.retrieval`).

Rules that keep answers honest live in :mod:`bot.answering.subjects` (what a name means) and
:mod:`bot.answering.retrieval` (when a free question is grounded enough to answer).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.answering.subjects import Resolution
from bot.models import Answer, Fact, Intent, Kind, Question

if TYPE_CHECKING:
    from bot.answering.retrieval import Found

# Describing questions are interchangeable when a subject has facts of only one of them.
_FALLBACK = {Intent.WHO: Kind.WHAT, Intent.WHAT: Kind.WHO}


def answer_of(q: Question, found: Resolution) -> Answer:
    """The name path's Answer for what the subject resolver found (no facts yet)."""
    return Answer(
        question=q,
        intent=q.intent,
        entity=found.entity,
        score=found.score,
        suggestions=found.candidates if found.entity is None else (),
        ambiguous=found.ambiguous,
    )


def answer_found(q: Question, found: Found) -> Answer:
    """The free path's Answer: the facts that answer what was asked, best first."""
    return Answer(
        question=q,
        intent=q.intent,
        entity=found.subject,
        score=round(found.scores[0] * 100, 2),
        facts=found.facts,
        via="facts",
        fact_scores=found.scores,
    )


def choose_facts(answer: Answer, facts: list[Fact]) -> Answer:
    """Keep the facts that answer the intent; fall back honestly when there are none."""
    intent = answer.intent
    if intent is Intent.ASK:
        chosen = _ordered(facts)
        return _with(answer, chosen, other=False)
    kind = Kind(intent.value)
    chosen = [f for f in facts if f.kind is kind]
    if not chosen and intent in _FALLBACK:
        chosen = [f for f in facts if f.kind is _FALLBACK[intent]]
    if chosen:
        return _with(answer, chosen, other=False)
    return _with(answer, _ordered(facts), other=bool(facts))


def _ordered(facts: list[Fact]) -> list[Fact]:
    order = {Kind.WHO: 0, Kind.WHAT: 1, Kind.WHEN: 2}
    return sorted(facts, key=lambda f: (order[f.kind], f.id))


def _with(answer: Answer, facts: list[Fact], *, other: bool) -> Answer:
    return replace(answer, facts=tuple(facts), other_facts=other)
