"""Question -> Answer: the subject's facts for the intent (the name path), or the facts a
free question is about (the free path, :mod:`bot.answering.retrieval`), and the order an
answer's facts are shown in (what was asked first).

Rules that keep answers honest live in :mod:`bot.answering.subjects` (what a name means) and
:mod:`bot.answering.retrieval` (when a free question is grounded enough to answer).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.answering.grounding import stems_of
from bot.answering.subjects import Resolution
from bot.language.text import stem
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
    if not facts and not answer.facts and other is answer.other_facts:
        return answer  # already so: a subject with no facts (most of a big store's)
    return replace(answer, facts=tuple(facts), other_facts=other)


def agreed(answer: Answer, ranked: tuple[Fact, ...]) -> Answer:
    """The answer's facts that ``ranked`` holds too first, in its order, then the rest."""
    score = dict(zip(answer.facts, answer.fact_scores, strict=True))
    facts = tuple(dict.fromkeys([*(f for f in ranked if f in score), *answer.facts]))
    return replace(answer, facts=facts, fact_scores=tuple(score[f] for f in facts))


def asked_first(answer: Answer, asked: list[str], groups: Mapping[str, frozenset[str]]) -> Answer:
    """The subject's facts with those saying what was asked first ("when was X filmed":
    the filming fact before the premiere), the rest in their usual order."""
    wanted = _wanted(asked, groups)
    if not wanted or len(answer.facts) < 2:
        return answer
    return replace(answer, facts=tuple(sorted(answer.facts, key=lambda f: -_said_of(f, wanted))))


def said_by_any(
    facts: Sequence[Fact], asked: list[str], groups: Mapping[str, frozenset[str]]
) -> bool:
    """Whether any of the facts says a word of what was asked (or of its synonym group)."""
    wanted = _wanted(asked, groups)
    return any(_said_of(f, wanted) for f in facts)


def _wanted(asked: list[str], groups: Mapping[str, frozenset[str]]) -> set[str]:
    wanted = {stem(w) for w in asked}
    return wanted | {s for w in list(wanted) for s in groups.get(w, ())}


def _said_of(fact: Fact, wanted: set[str]) -> int:
    return len(wanted & stems_of(fact.text))
