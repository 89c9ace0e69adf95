"""Question -> Answer: pick the subject from the index's hits, then the facts for the intent.

Rules that keep answers honest:
- below the index's cutoff, the answer is "I don't know" with suggestions;
- a season asked for must exist ("jessica jones s3" is unknown when only s2 is known);
- equally good matches of different kinds are settled by the intent (who -> the
  character, what/when -> the show), and otherwise reported as ambiguous.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.lookup import CUTOFF, AliasIndex, Hit
from bot.models import (
    PREFERRED_KINDS,
    Answer,
    Entity,
    EntityKind,
    Fact,
    Intent,
    Kind,
    Question,
    Suggestion,
)

TIE = 2.0  # hits this close to the best are "as good"; the intent decides between them
SUGGEST_FLOOR = 50.0  # weaker hits are not worth suggesting
MAX_SUGGESTIONS = 3

# Describing questions are interchangeable when a subject has facts of only one of them.
_FALLBACK = {Intent.WHO: Kind.WHAT, Intent.WHAT: Kind.WHO}


class Resolver:
    """Finds the entity a question is about, within what one server may see."""

    def __init__(
        self,
        index: AliasIndex,
        entities: Mapping[int, Entity],
        seasons: Callable[[int], list[Entity]],
    ) -> None:
        self.index = index
        self.entities = entities
        self.seasons = seasons  # show id -> its season entities

    def _suggest(self, hits: list[Hit], exclude: int | None = None) -> tuple[Suggestion, ...]:
        out = []
        for hit in hits:
            if hit.score >= SUGGEST_FLOOR and hit.entity_id != exclude:
                out.append(Suggestion(self.entities[hit.entity_id], hit.score))
        return tuple(out[:MAX_SUGGESTIONS])

    def resolve(self, q: Question, guild_id: int | None) -> Answer:
        """Answer with the entity (no facts yet), or unknown/ambiguous with suggestions."""
        if q.season is not None:
            return self._resolve_season(q, guild_id)

        def allow(eid: int) -> bool:
            e = self.entities.get(eid)
            return e is not None and e.visible_in(guild_id) and e.kind is not EntityKind.SEASON

        hits = self.index.search(q.subject, limit=8, allow=allow)
        return self._pick(q, hits)

    def _resolve_season(self, q: Question, guild_id: int | None) -> Answer:
        def is_show(eid: int) -> bool:
            e = self.entities.get(eid)
            return e is not None and e.visible_in(guild_id) and e.kind is EntityKind.SHOW

        hits = self.index.search(q.subject, limit=5, allow=is_show) if q.subject else []
        show_answer = self._pick(q, hits)
        show = show_answer.entity
        if show is None:
            return show_answer
        seasons = [s for s in self.seasons(show.id) if s.visible_in(guild_id)]
        for season in seasons:
            if season.season == q.season:
                return Answer(question=q, intent=q.intent, entity=season, score=show_answer.score)
        # The show is known but not this season: say so, and offer what is known.
        offers = tuple(Suggestion(s, show_answer.score) for s in seasons[:MAX_SUGGESTIONS])
        offers = (*offers, Suggestion(show, show_answer.score))[:MAX_SUGGESTIONS]
        return Answer(question=q, intent=q.intent, entity=None, score=0.0, suggestions=offers)

    def _pick(self, q: Question, hits: list[Hit]) -> Answer:
        if not hits or hits[0].score < CUTOFF:
            top = hits[0].score if hits else 0.0
            return Answer(
                question=q, intent=q.intent, entity=None, score=top, suggestions=self._suggest(hits)
            )
        best = hits[0].score
        near = [self.entities[h.entity_id] for h in hits if h.score >= best - TIE]
        if len(near) > 1:
            preferred = PREFERRED_KINDS[q.intent]
            ranked = [e for e in near if e.kind in preferred]
            if ranked:
                top_rank = min(preferred.index(e.kind) for e in ranked)
                near = [e for e in ranked if preferred.index(e.kind) == top_rank]
        if len(near) > 1:
            return Answer(
                question=q,
                intent=q.intent,
                entity=None,
                score=best,
                suggestions=tuple(Suggestion(e, best) for e in near[:MAX_SUGGESTIONS]),
                ambiguous=True,
            )
        chosen = near[0]
        score = next(h.score for h in hits if h.entity_id == chosen.id)
        return Answer(question=q, intent=q.intent, entity=chosen, score=score)


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
    return Answer(
        question=answer.question,
        intent=answer.intent,
        entity=answer.entity,
        score=answer.score,
        facts=tuple(facts),
        other_facts=other,
    )
