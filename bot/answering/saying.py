"""Which facts say what a question asks of a subject, with what the store knows of them:
the kinds of the subjects each fact is about or names, how rare each asked word is here,
the questions moderators taught for a fact, and what a possessive names ("amy's dad").
:func:`bot.answering.grounding.ground` scores; this gathers its inputs, for the pipeline
(bot/answering/pipeline.py), and remembers one question's groundings."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import replace

from bot.answering import grounding
from bot.answering.grounding import MIN_SAID, UNSEEN_WEIGHT, Scored, shape_of, understood
from bot.answering.possessives import Possessives
from bot.answering.vocabulary import KIND_WORDS
from bot.language.text import normalize, stem
from bot.models import Answer, Entity, EntityKind, Fact, Intent, Question
from bot.store.core import Store
from bot.store.synonyms import Phrases

_IN_SHOW = frozenset((EntityKind.SHOW,))


class Saying:
    """What a subject's facts (and those naming it) say of what was asked."""

    def __init__(
        self,
        store: Store,
        entities: MutableMapping[int, Entity],
        seasons_of: Callable[[int], list[Entity]],
        possessives: Possessives,
        phrases: Callable[[int | None], Phrases] = lambda _guild: (),
    ) -> None:
        self.store = store
        self.phrases = phrases  # a server's synonym phrases (bot/store/synonyms.py)
        self.entities = entities
        self.seasons_of = seasons_of
        self.possessives = possessives
        # One question's groundings, by subject and what is asked of it: picking among the
        # subjects a question names grounds each, and the one picked is grounded again.
        # The engine asks one question at a time (under its lock); clear() forgets them.
        self._memo: dict[tuple[int, tuple[str, ...]], Answer | None] = {}

    def clear(self) -> None:
        self._memo.clear()

    def could_concern(self, subject: Entity, guild_id: int | None) -> bool:
        """Whether a fact could pass :meth:`_concerns`: one this server sees about the
        subject, its show or its seasons, or one naming it (else the free path, whose
        answers always hold a fact, cannot answer about it: it is not searched)."""
        family = [subject.id, subject.show_id, *(s.id for s in self.seasons_of(subject.id))]
        return any(self.store.facts_for(e, guild_id) for e in family if e is not None) or bool(
            self.store.mentions.facts_naming_ids([subject.id])
        )

    def concerns(
        self,
        q: Question,
        facts: tuple[Fact, ...],
        subject: Entity,
        asked: list[str],
        groups: Mapping[str, frozenset[str]],
        guild_id: int | None,
    ) -> float | None:
        """How much of what was asked the free path's first fact says, if its facts are
        about the subject the question names (its show or seasons too) or name it; None
        when they are not, or say too little of it."""
        family = {subject.id, *(s.id for s in self.seasons_of(subject.id))}
        if subject.show_id is not None:
            family.add(subject.show_id)
        naming = set(self.store.mentions.facts_naming_ids([subject.id]))
        if not all(f.entity_id in family or f.id in naming for f in facts):
            return None
        if not asked:
            return 1.0
        # It must say something of what was asked: a fact picked by meaning alone ("how
        # tall is X" -> X's closest fact) or by a word inside another verb ("play into"
        # for "plays") is not an answer; the subject's partial answer says what is known.
        # A word asking for a kind ("films") is said by every fact of one: what else was
        # asked ("write") must be said too, or "what films did X write" is answered by
        # the films X directed.
        if any(a not in KIND_WORDS for a in asked):
            rest = [a for a in asked if a not in KIND_WORDS]
            if not self.ground(q, rest, facts[:1], (), Intent.ASK, groups, guild_id, least=0.3):
                return None
        said = self.ground(
            q, asked, facts[:1], (), Intent.ASK, groups, guild_id, least=0.3, of=subject
        )
        return said[0].said if said else None

    def ground(
        self,
        q: Question,
        asked: list[str],
        own: Sequence[Fact],
        naming: Sequence[Fact],
        intent: Intent,
        groups: Mapping[str, frozenset[str]],
        guild_id: int | None,
        *,
        least: float = MIN_SAID,
        of: Entity | None = None,
    ) -> list[Scored]:
        """:func:`grounding.ground` with each fact's subject kinds, each asked word's weight, the
        questions taught for each fact in this server (bot/store/phrasings.py) and, when
        the question asks about something ``of`` a subject ("amy's dad"), that word."""
        # Each fact's kinds of subject: its own and those it names ("what shows is X in":
        # X's own fact naming a show says it as much as the show's fact naming X); and
        # without the one asked about, for the kind of the answer ("what films are about
        # sleeping beauty" asks for other films than Sleeping Beauty).
        facts = [*own, *naming]
        named = self.store.mentions.named_in([f.id for f in facts]) if facts else {}
        subjects = {f.id: (f.entity_id, *named.get(f.id, ())) for f in facts}
        kinds = {i: self.kinds(ids) for i, ids in subjects.items()}
        others = kinds
        if of is not None:
            others = {i: self.kinds(e for e in ids if e != of.id) for i, ids in subjects.items()}
        if of is not None and of.kind is EntityKind.PERSON:
            # Playing a character puts someone in a show: "what shows is X in" is said by
            # "X plays Joyce Byers" (a character's facts naming another say no show).
            others = {
                i: k | _IN_SHOW if EntityKind.CHARACTER in k else k for i, k in others.items()
            }
        weights = self.weights(asked, groups)
        surface = {stem(w): w for w in q.words}
        pairs = ((f.id, f.overrides) for f in facts)
        taught = {i: p.text for i, p in self.store.phrasings.of_facts(pairs, guild_id).items()}
        shape = shape_of(q.words)
        if shape.amount is not None and stem(shape.amount) in weights:
            weights[stem(shape.amount)] = 1.0  # "how long": what is asked, however rare here
        if of is not None:
            shape = replace(shape, required=self.possessives.of(q.words, of, asked, guild_id))
            if shape.answer and normalize(of.name).split()[-1:] == list(q.words[-1:]):
                # The last word is the subject's own ("what movie is bring it on"): it
                # relates the subject to nothing; the question asks what kind it is.
                shape = replace(shape, answer=shape_of(q.words[:-1]).answer)
        return grounding.ground(
            asked,
            own,
            naming,
            intent,
            groups,
            kinds,
            weights,
            surface,
            least=least,
            taught=taught,
            shape=shape,
            others=others,
            near=self._names(of, guild_id) if of is not None and shape.relation else (),
            phrases=self.phrases(guild_id),
        )

    def _names(self, subject: Entity, guild_id: int | None) -> tuple[str, ...]:
        """The subject's name and aliases, normalised (read for "who <verb> X" only)."""
        return tuple(
            dict.fromkeys(n for n in map(normalize, self.store.names_of(subject.id, guild_id)) if n)
        )

    def kinds(self, ids: Iterable[int]) -> frozenset[EntityKind]:
        return frozenset(e.kind for i in ids if (e := self.entities.get(i)) is not None)

    def weights(self, asked: list[str], groups: Mapping[str, frozenset[str]]) -> dict[str, float]:
        """1 for a word some fact holds or grounding understands ("language" asks for
        one), UNSEEN_WEIGHT for any other: how the question is put ("listed")."""
        seen = self.store.docs.doc_freqs(asked)
        return {a: 1.0 if seen.get(a) or understood(a, groups) else UNSEEN_WEIGHT for a in asked}

    def grounded(
        self,
        q: Question,
        subject: Entity,
        asked: list[str],
        guild_id: int | None,
        groups: Mapping[str, frozenset[str]],
    ) -> Answer | None:
        """The subject's facts, or facts naming it, that say what was asked (remembered
        for this question: picking among the subjects it names grounds each)."""
        key = (subject.id, tuple(asked))
        if key in self._memo:
            return self._memo[key]
        own = self.store.facts_for(subject.id, guild_id)
        naming = self.store.facts_naming(subject.id, guild_id)
        picked: list[Scored] = []  # ground() picks nothing of no facts (and only reads)
        if own or naming:
            picked = self.ground(q, asked, own, naming, q.intent, groups, guild_id, of=subject)
        answer = None
        if picked:
            answer = Answer(
                question=q,
                intent=q.intent,
                entity=subject,
                score=round(picked[0].said * 100, 2),
                facts=tuple(s.fact for s in picked),
                via="facts",
                fact_scores=tuple(round(s.said, 3) for s in picked),
            )
        self._memo[key] = answer
        return answer
