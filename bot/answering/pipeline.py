"""The answer decision, one pipeline read top to bottom (issue 22): find the subject a
question names, gather its facts and the facts naming it, keep those that say what the
rest of the question asks; else the free path over every fact; else what is known about
the subject (a partial answer); else an honest "I don't know".

The engine (bot/engine.py) owns the index, the log and the locks, and hands each parsed
question here; this module decides which facts answer it, as data (an Answer); the
replies put it into words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import replace

from bot.answering.answers import (
    agreed,
    answer_found,
    answer_of,
    asked_first,
    choose_facts,
    said_by_any,
)
from bot.answering.grounding import (
    asked_stems,
    shape_of,
    understood,
)
from bot.answering.leftover import leftover
from bot.answering.mentioned import (
    MAX_NAMED,
    distinct,
    identifies,
    in_typed_order,
    named_in_question,
    names_someone,
    only_a_name,
    spelled,
)
from bot.answering.possessives import Possessives
from bot.answering.questions import extract_season
from bot.answering.retrieval import FactFinder
from bot.answering.saying import Saying
from bot.answering.shorthand import read_shorthand
from bot.answering.subjects import IGNORED, Mention, Resolution, Subjects, parse_id
from bot.answering.taught import taught_exactly
from bot.answering.typed import typo
from bot.answering.vocabulary import KIND_WORDS, maybe_names
from bot.language.text import FUNCTION_WORDS, stem
from bot.models import Answer, Entity, EntityKind, Intent, Question, Suggestion
from bot.store.core import Store
from bot.store.synonyms import Synonyms


class Pipeline:
    """Decides the Answer to a parsed question from one store and its subjects."""

    def __init__(
        self,
        store: Store,
        subjects: Subjects,
        finder: FactFinder,
        synonyms: Synonyms,
        entities: MutableMapping[int, Entity],
        seasons_of: Callable[[int], list[Entity]],
        prefix: str,
    ) -> None:
        self.store = store
        self.subjects = subjects
        self.finder = finder
        self.synonyms = synonyms
        self.entities = entities
        self.seasons_of = seasons_of
        self.prefix = prefix
        self.possessives = Possessives(subjects)
        self.saying = Saying(store, entities, seasons_of, self.possessives, synonyms.phrase_table)

    def answer(self, q: Question, guild_id: int | None) -> Answer:
        """One pipeline, top to bottom: find the subject the question names, gather its
        facts and the facts naming it, keep those that say what the rest of the question
        asks; else the free path over every fact; else what is known about the subject
        (a partial answer); else an honest "I don't know". A question moderators taught
        here comes first: it is answered by the fact it was taught for."""
        taught = taught_exactly(self.store, self.entities, q, guild_id)
        if taught is not None:
            return answer_found(q, taught)
        read = read_shorthand(q, self.store, self.subjects, guild_id)  # "gf": girlfriend
        if read is not q:
            # Spelt out, it must answer; else the question is answered (or not) as typed,
            # and an "I don't know" names what the fan typed.
            spelt = self._answer(read, guild_id)
            if spelt.answered:
                return spelt
        return self._answer(q, guild_id)

    def _answer(self, q: Question, guild_id: int | None) -> Answer:
        self.saying.clear()
        self.possessives.clear()
        found = self.subjects.resolve(
            q.subject, intent=q.intent, guild_id=guild_id, season=q.season, kind=q.kind
        )
        found = in_typed_order(
            found, list(q.words), self.subjects, self.store.docs, guild_id, q.kind
        )
        named = answer_of(q, found)
        groups = self.synonyms.groups(guild_id)
        # Words the name leaves unexplained ("who plays X"): X is not all that is asked,
        # as "subject: X comics" is not X for a moderator.
        by_name = (found.entity or found.ambiguous) and parse_id(q.subject) is None
        extra = leftover(q.subject.split(), found) if by_name else []
        if by_name and not extra:
            # "what films has X been in": the kind of the answer is asked, though "films"
            # alone is how a name is asked about ("the X film"). (Only a kind word can be.)
            named_kinds = [w for w in q.subject.split() if stem(w) in KIND_WORDS]
            kinds = shape_of(q.words).answer if named_kinds else frozenset()
            extra = [w for w in named_kinds if stem(w) in kinds]
        if found.entity is not None and not extra and not q.attribute:
            return self._about(q, found, named, guild_id, groups)  # only a name
        if found.show is not None or not q.words:
            return named  # a known show's unknown season stays unknown
        if found.ambiguous:  # "is jessica jones on netflix": the namesake it fits
            outside = [w for w in q.words if w not in q.subject.split()]
            asked_of = asked_stems(extra or outside)
            fits = [
                grounded
                for c in found.candidates
                if asked_of
                and (grounded := self.saying.grounded(q, c.entity, asked_of, guild_id, groups))
            ]
            # A namesake's own fact says it more than a fact that only names it.
            own = [a for a in fits if a.entity and a.facts[0].entity_id == a.entity.id]
            if len(own or fits) == 1:
                return (own or fits)[0]
            if not extra and not q.attribute:
                return named  # just a name two subjects share: "which one do you mean?"
        subject, asked = self._named_in(q, found, extra, guild_id)
        if (
            subject is not None
            and subject is found.entity
            and not asked
            and not any(w.isdigit() for w in extra)  # "agent 13" is not Agent
        ):
            # "what are the names of the walls": only how it is asked around the name
            return self._about(q, found, named, guild_id, groups)
        # The subject's facts, and those naming it, that say what was asked...
        grounded = None
        if subject is not None and asked:
            grounded = self.saying.grounded(q, subject, asked, guild_id, groups)
            if grounded is not None and grounded.fact_scores[0] >= 1.0 and len(grounded.facts) == 1:
                return grounded  # all of it said by one fact: nothing could say more
        # The free path over every fact: what the question's words and meaning point to.
        # Without leftover words ("the villain of X") X is its hint.
        hint = None if extra else found.entity
        free = None
        if subject is None or self.saying.could_concern(subject, guild_id):
            free = self.finder.find(q, guild_id, hint, by_meaning=hint is None)
        if subject is None and found.entity is None and only_a_name(q) and names_someone(q):
            # "who is daredevil": a name the store doesn't know. No word hunt; only a fact
            # saying who or what it is ("Annie is ... the Female Titan") answers.
            if free is None:
                return named
            said = [i for i, f in enumerate(free.facts) if identifies(f.text, q.subject)]
            if not said:
                return named
            picked = [free.facts[i] for i in said]
            return replace(
                answer_found(q, free),
                entity=self.entities.get(picked[0].entity_id, free.subject),
                facts=tuple(picked),
                fact_scores=tuple(free.scores[i] for i in said),
            )
        # ...unless the free path found facts of the subject (its show, its seasons) that
        # say more of it.
        if free is not None and subject is None:
            return answer_found(q, free)
        if free is not None and subject is not None:
            says = self.saying.concerns(q, free.facts, subject, asked, groups, guild_id)
            if says is not None and (grounded is None or says > grounded.fact_scores[0]):
                return answer_found(q, free)
            if says is not None and grounded is not None and free.facts[0] in grounded.facts:
                # As much said either way: the grounded facts the free path's ranking
                # (meaning, rare words) also picked come first, in its order.
                return agreed(grounded, free.facts)
        if grounded is not None:
            return grounded
        if subject is not None and not extra and found.entity is not None:
            # "the villain of X": X's facts for the intent the attribute implies.
            return choose_facts(named, self.store.facts_for(found.entity.id, guild_id))
        if subject is not None:  # known, but nothing says what was asked: say what is known
            return self._partial(q, subject, guild_id)
        if found.entity is None and not found.ambiguous:
            return named
        offers = (Suggestion(found.entity, found.score),) if found.entity else found.candidates
        return replace(named, entity=None, ambiguous=False, suggestions=offers)

    def _scene(self, guild_id: int | None) -> Entity | None:
        """The one show a server holds, if it holds one: every fact there is set in it."""
        return self.subjects.sole_of((EntityKind.SHOW,), guild_id)

    def _about(
        self,
        q: Question,
        found: Resolution,
        named: Answer,
        guild_id: int | None,
        groups: Mapping[str, frozenset[str]],
    ) -> Answer:
        """A question that is only a name: the subject's facts for the intent, what was
        asked first; with none of its own, the facts that name it."""
        assert found.entity is not None
        if typo(" ".join(w for w in q.subject.split() if w not in IGNORED), found.text):
            named = replace(named, typo_of=q.subject)
        own = self.store.facts_for(found.entity.id, guild_id)
        if not own:
            naming = self.store.facts_naming(found.entity.id, guild_id)
            if naming:
                return replace(choose_facts(named, naming), via="named", other_facts=False)
        answer = choose_facts(named, own)
        asked = leftover(list(q.words), found, FUNCTION_WORDS)
        if q.episode is not None:  # "s2e3": that episode's fact first
            asked = [*asked, "episode", str(q.episode)]
        elif asked and not said_by_any(own, asked, groups):
            # "is grant coming back": none of Grant's facts says it; a fact naming him
            # that does ("Ross Kemp is coming back as Grant Mitchell") answers.
            grounded = self.saying.grounded(q, found.entity, asked_stems(asked), guild_id, groups)
            if grounded is not None and grounded.facts[0].entity_id != found.entity.id:
                return grounded
        if asked and not said_by_any(answer.facts, asked, groups):
            # "whats eleven's real name": a fact saying it comes first whatever its kind
            # (a "who" fact, asked with "what"); no other fact of that kind is added.
            saying = [f for f in own if said_by_any([f], asked, groups)]
            answer = replace(answer, facts=tuple(dict.fromkeys([*saying, *answer.facts])))
        return asked_first(answer, asked, groups)

    def _named_in(
        self,
        q: Question,
        found: Resolution,
        extra: list[str],
        guild_id: int | None,
    ) -> tuple[Entity | None, list[str]]:
        """The known subject a question names and the stems of what it asks about it; no
        subject when the rest holds a name-like word no fact has ("who cast rastornalurs
        martinez" is about someone the store doesn't know, not about a Martinez)."""
        subject, asked = self._subject_asked(q, found, extra, guild_id)
        if subject is None or not asked:
            return subject, asked
        groups = self.synonyms.groups(guild_id)
        unseen = {a for a, weight in self.saying.weights(asked, groups).items() if weight < 1.0}
        names = maybe_names(q.words)
        strangers = [
            i
            for i, w in enumerate(q.words)
            if (s := stem(w)) in unseen and not understood(s, groups)
        ]
        if any(names[i] for i in strangers):
            return None, []
        return subject, asked

    def _subject_asked(
        self,
        q: Question,
        found: Resolution,
        extra: list[str],
        guild_id: int | None,
    ) -> tuple[Entity | None, list[str]]:
        """The known subject a question names and the stems of what it asks about it: the
        name path's subject with its leftover words, else the longest subject named in
        full inside the question ("what films did diana rigg act in")."""
        if found.entity is not None:
            if not extra and q.attribute:  # "the release date of X": what is asked of X
                named_words = set(q.subject.split()) | {"season", "s", str(q.season)}
                return found.entity, asked_stems([w for w in q.words if w not in named_words])
            return found.entity, asked_stems(extra)
        if found.ambiguous or q.name_command:
            # "!who frank simpson" is a name: Simpson inside it is not what was asked.
            return None, []
        words = list(q.words)
        # A word asking for a kind names no subject ("what movies are about X" is not
        # about a film called Movie Movie).
        found_in = named_in_question(self.subjects, self.store.docs, words, guild_id)
        full = [m for m in found_in if not m.partial]
        # A first name alone ("kendall's dad") names its subject when it fits no other,
        # typed as it is: "walter" is not "Walker". A word of a title is not a name
        # ("the female titan" is not about Attack on Titan).
        alone = [
            m
            for m in found_in
            if m.partial
            and m.entity.kind in (EntityKind.PERSON, EntityKind.CHARACTER)
            and spelled(words[m.start], m.entity.name)
        ]
        if not full and len({m.entity.id for m in alone}) == 1:
            # ...and no other word is a name the store doesn't know: "jeffrey wprajolo" is
            # someone else than Jeffrey, whoever Jeffrey is ("happened" is just a word).
            names = maybe_names(words)
            inside = range(alone[0].start, alone[0].end)
            others = [w for i, w in enumerate(words) if names[i] and i not in inside]
            seen = self.store.docs.doc_freqs(asked_stems(others))
            if all(seen.get(stem(w)) for w in others):
                full = alone[:1]
        if not full:
            return None, []
        # The longest name, then the best match; when the question names several subjects
        # in full ("who saved simpson from killgrave"), the one whose facts (and those
        # naming it) say most of the rest, the others' names included.
        named = distinct(full, words)[:MAX_NAMED]
        if len(named) > 1 and named[0].end - named[0].start > 1:
            # Beside a name of several words, a one-word title that is an everyday word is
            # a word of the question ("what movies did juliet berto star in": not Star!).
            names = maybe_names(words)
            named = [m for m in named if m.end - m.start > 1 or names[m.start]]
        # In a server holding one show, naming it only sets the scene ("how long has steve
        # mcfadden been on eastenders"): every fact here is about that show's world.
        show = self._scene(guild_id)
        scene = [m for m in named if show is not None and m.entity.id == show.id]
        tried = [self._asked_of(q, m, words, guild_id, scene) for m in named]
        if tried[0][0] is None:
            return None, []  # the longest name's season is unknown: nothing to ground on
        picked = [(subject, asked) for subject, asked in tried if subject is not None]
        groups = self.synonyms.groups(guild_id)

        def said(pair: tuple[Entity, list[str]]) -> float:
            grounded = (
                self.saying.grounded(q, pair[0], pair[1], guild_id, groups) if pair[1] else None
            )
            return grounded.fact_scores[0] if grounded else 0.0

        # max keeps the first of equals: the longest name
        return picked[0] if len(picked) == 1 else max(picked, key=said)

    def _asked_of(
        self,
        q: Question,
        named: Mention,
        words: list[str],
        guild_id: int | None,
        scene: Sequence[Mention] = (),
    ) -> tuple[Entity | None, list[str]]:
        """The subject a mention names (its season, when the question asks one of a show)
        and the stems of what the rest of the question asks of it; ``scene``: mentions of
        the server's one show, which ask nothing of another subject."""
        subject = named.entity
        skip = {i for m in scene if m is not named for i in range(m.start, m.end)}
        skip.update(range(named.start, named.end))
        rest = [w for i, w in enumerate(words) if i not in skip]
        if q.season is not None:
            rest = extract_season(" ".join(rest))[0].split()  # "s1" is no word asked
            if subject.kind is not EntityKind.SHOW:
                # "at the end of s1": when, in the season, not what is asked of a character
                rest = [w for w in rest if stem(w) not in _IN_A_SEASON]
        target = self._season_asked(q, subject, guild_id)
        if target is None:
            return None, []  # a season the store doesn't know: nothing to ground on
        return target, asked_stems(rest)

    def _season_asked(self, q: Question, subject: Entity, guild_id: int | None) -> Entity | None:
        """The subject a question asks about: a show's season when it names one (None when
        the store doesn't know that season), else the subject itself."""
        if q.season is None or subject.kind is not EntityKind.SHOW:
            return subject
        return self.subjects.season_of(subject, q.season, guild_id)

    def _partial(self, q: Question, subject: Entity, guild_id: int | None) -> Answer:
        """What is known about a subject, said as that (not an answer to the question)."""
        facts = self.store.facts_for(subject.id, guild_id) or self.store.facts_naming(
            subject.id, guild_id
        )
        base = Answer(question=q, intent=Intent.ASK, entity=subject, score=0.0)
        return replace(choose_facts(base, facts), intent=q.intent, partial=True)


_IN_A_SEASON = frozenset(("end", "start", "begin", "middl", "final", "finale"))
