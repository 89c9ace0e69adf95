"""Free questions: find the facts a question is about, not only its subject's name.

Three signals, fused per candidate fact:

- **mentions**: the known subjects the question names (:meth:`Subjects.mentions`, typos
  included; "season 2" next to a show means that season) raise their own facts;
- **lexical**: the share of the question's content words (IDF-weighted, porter-stemmed)
  that a fact's text, quote or subject names hold; candidates come from FTS5 (BM25) over
  the rarer words, plus the best-matching facts of each mentioned subject;
- **semantic**: the cosine of the question's and the fact's static embeddings, which
  only re-ranks candidates, so a question's cost does not grow with the store.

Then intent priors (when -> dated facts, who -> people and characters, what -> things
and organisations) and an honest gate: the best fact must cover most of what the
question says. A word the store has never seen (``superman``) weighs most, so a question
about an unknown subject stays unknown instead of answering with another subject's fact.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from bot.answering import factscore
from bot.answering.amounts import amount_asked, says_amount
from bot.answering.factscore import Mentioned, Word
from bot.answering.mentioned import named_in_question
from bot.answering.questions import extract_season
from bot.answering.subjects import Mention, Subjects
from bot.answering.vocabulary import KIND_WORDS, maybe_names
from bot.language.embedding import embedder
from bot.language.text import FUNCTION_WORDS as STOP
from bot.language.text import stem
from bot.models import Entity, EntityKind, Fact, Question
from bot.store.core import Store

CANDIDATES = 40  # facts ranked by BM25 over the question's words
PER_MENTION = 24  # facts of each mentioned subject scored, whatever BM25 says overall
POSTINGS = 1000  # documents the FTS query may gather: rarest words first, then stop
GENERIC_SHARE = 0.1  # an unseen everyday word weighs as a word in this share of facts
MIN_COVER = 0.55  # share of the question's (IDF-weighted) content the best fact must hold
FULL = 0.999  # "every word of it"
SEM_ALONE = 0.35  # the cosine a named subject's own fact needs to answer by meaning alone
MIN_COVER_UNGROUNDED = 0.7  # the same when no known subject is mentioned
MAX_FACTS = 3
RUNNER_UP = 0.85  # further facts shown only when this close to the best
_W_LEX, _W_SEM, _W_MENTION, _W_INTENT = 0.6, 0.2, 0.15, 0.08


@dataclass(frozen=True, slots=True)
class Found:
    """The facts that answer a free question, best first, with their scores (0-1)."""

    facts: tuple[Fact, ...]
    scores: tuple[float, ...]
    subject: Entity


@dataclass(frozen=True, slots=True)
class Candidate:
    fact: Fact
    entity: Entity
    score: float
    cover: float  # share of the question's content the fact holds (0-1)
    sem: float  # cosine of question and fact (0-1)
    rare: int  # the question's rarer words the fact holds
    stranger: bool  # the question has a name-like word no fact holds and this one lacks


@dataclass(frozen=True, slots=True)
class Ranked:
    scored: tuple[Candidate, ...]
    named: bool  # the question names a known subject (or the one season with its number)
    subjects: frozenset[int] = frozenset()  # named in full, the rest of it words no fact has
    # No subject named, no word besides kinds and relation words ("who acted in the
    # movie They": "acted" is no subject, Sister Act's fact no answer): only the facts of
    # the one subject a kind word names may answer ("the show" where the server sees
    # one), -1 when there is none. None: the question says what it is about.
    sole: int | None = None


class FactFinder:
    """Answers free questions from the fact documents of one store."""

    def __init__(
        self,
        store: Store,
        subjects: Subjects,
        synonyms: Callable[[int | None], Mapping[str, frozenset[str]]] = lambda _: {},
        rewrite: Callable[[list[str], int | None], list[str]] = lambda words, _: words,
    ) -> None:
        self.store = store
        self.subjects = subjects
        self.synonyms = synonyms  # server -> stem -> its synonyms' stems
        self.rewrite = rewrite  # phrases of synonym groups -> their single word

    def find(
        self,
        q: Question,
        guild_id: int | None,
        hint: Entity | None = None,
        *,
        by_meaning: bool = True,
    ) -> Found | None:
        """The 1-3 facts answering ``q``, or None when nothing is well grounded.
        ``hint``: the subject the name path found, counted as mentioned; ``by_meaning``:
        may a named subject's closest fact answer when the words don't settle it."""
        ranked = self.rank(q, guild_id, hint)
        if ranked.sole is not None:
            # Nothing named but "the show" where the server sees one: its facts only.
            only = tuple(c for c in ranked.scored if c.entity.id == ranked.sole)
            ranked = replace(ranked, scored=only)
        if amount := amount_asked(q.words):  # "how many": only a fact holding a number says
            held = tuple(c for c in ranked.scored if says_amount(c.fact, amount))
            ranked = replace(ranked, scored=held)
        if not ranked.scored:
            return None
        best = ranked.scored[0]
        named = ranked.named
        # Without a known subject, a fact must share two of the question's rarer words,
        # or hold every word of it (one rare word, nothing else asked).
        grounded = named or best.rare >= 2 or (best.rare >= 1 and best.cover >= FULL)
        need = MIN_COVER if named else MIN_COVER_UNGROUNDED
        if not grounded or best.cover < need or best.stranger:
            return self._by_meaning(ranked) if by_meaning else None
        keep = [
            c
            for c in ranked.scored[:MAX_FACTS]
            if c.score >= best.score * RUNNER_UP and c.cover >= need
        ]
        return Found(
            facts=tuple(c.fact for c in keep),
            scores=tuple(round(c.score, 3) for c in keep),
            subject=best.entity,
        )

    def _by_meaning(self, ranked: Ranked) -> Found | None:
        """When the question names a known subject in full and its other words are in no
        fact ("what happened to frank castle's family"), that subject's own fact closest in
        meaning answers, if it is close enough: never another subject's fact."""
        own = [c for c in ranked.scored if c.entity.id in ranked.subjects and not c.stranger]
        if not own:
            return None
        best = max(own, key=lambda c: (c.sem, -c.fact.id))
        if best.sem < SEM_ALONE:
            return None
        return Found(facts=(best.fact,), scores=(round(best.score, 3),), subject=best.entity)

    def rank(self, q: Question, guild_id: int | None, hint: Entity | None = None) -> Ranked:
        """Every candidate fact for ``q`` with its score, best first (no gate applied)."""
        rest, season = extract_season(" ".join(q.words))
        words = self.rewrite(rest.split(), guild_id)
        seen = self.store.docs.doc_freqs(stem(w) for w in words if w not in STOP)
        # Questions this server's moderators taught (bot/store/phrasings.py): their words
        # are words the store knows here, and their facts are candidates.
        taught = self.store.phrasings.matching((w for w in words if w not in STOP), guild_id)
        if taught.freqs:
            seen = {s: n + taught.freqs.get(s, 0) for s, n in seen.items()}
        if hint is None and season is None and not any(seen.values()):
            return Ranked((), False)  # no fact holds any of its words: nothing to find
        mentions = named_in_question(self.subjects, self.store.docs, words, guild_id)
        mentioned = self._mentioned(mentions, season, guild_id)
        if hint is not None:
            mentioned["named"].add(hint.id)
            mentioned["all"].add(hint.id)
            mentioned["ids"] = sorted(mentioned["all"])
        elif season is not None and mentioned["season_missing"]:
            return Ranked((), False)  # "jessica jones season 7": that season is not known
        elif (
            season is not None
            and not mentioned["show"]
            and not mentioned["one_season"]
            and not mentioned["said_only"]
        ):
            # "succession season 2" with no known show named, and several shows have a
            # season 2: the show asked about is one the store does not know.
            return Ranked((), False)
        content = self._content(words, mentions, seen)
        if season is not None:
            # The season asked about weighs like a name: a fact about another season
            # ("the villain of season 1") does not answer it.
            top = max((w.weight for w in content if w.known), default=1.0)
            content.append(Word(f"season {season}", "", top, True, None, season=season))
        if not content:
            return Ranked((), False)
        groups = self.synonyms(guild_id)
        ids = self._candidates(content, mentioned["ids"], guild_id, groups)
        ids = list(dict.fromkeys([*ids, *taught.facts]))
        facts = self.store.facts_by_ids(ids, guild_id)
        docs = self.store.docs.docs([f.id for f in facts])
        phrased = self.store.phrasings.of_facts(((f.id, f.overrides) for f in facts), guild_id)
        qvec = embedder().embed_one(" ".join(q.words)) if facts else None
        # ...and a word no fact holds whose synonyms some do ("wrote": "composed").
        rarer = factscore.rarer(content) + [
            w.stem for w in content if not w.known and w.stem in groups
        ]
        spans = factscore.spans(mentions)
        # What is the same for every candidate, worked out once: the words' total weight,
        # the subjects named where, and the name-like words no fact holds.
        total = sum(w.weight for w in content)
        named_at = factscore.named_at(spans, mentioned)
        strangers = [
            w
            for w in content
            if w.name_like and not w.known and w.stem not in KIND_WORDS  # "movies": a kind
        ]
        scored = []
        for fact in facts:
            doc = docs.get(fact.id)
            entity = self.subjects.entities.get(fact.entity_id)
            if doc is None or entity is None or not entity.visible_in(guild_id):
                continue
            if q.kind is not None and entity.kind is not q.kind:
                continue  # "(show)" typed: only a show's facts
            extra = phrased.get(fact.id)  # its taught questions: its words and meaning too
            words, said, have = factscore.terms(
                doc[0] if extra is None else f"{doc[0]} {extra.text}", doc[1]
            )
            if season is not None and entity.season != season:
                # "which studio made season 4": a fact about "seasons 1 to 3" is not it.
                other = factscore.seasons_said(words)
                if other and season not in other:
                    continue
            cover = factscore.coverage(
                content, have, words, entity, mentioned["all"], groups, total
            )
            sem = max(0.0, float(np.dot(qvec, doc[2]))) if qvec is not None else 0.0
            if extra is not None and qvec is not None:
                sem = max(sem, float(np.max(extra.vectors @ qvec)))
            bonus = _W_MENTION * factscore.involved(named_at, mentioned, entity, said)
            prior = _W_INTENT * factscore.prior(q.intent, fact, entity)
            score = _W_LEX * cover + _W_SEM * sem + bonus + prior
            stranger = any(
                not factscore.typo_of(w.text, words, 1)  # a made-up name is often 2 edits away
                and not groups.get(w.stem, frozenset()) & have
                for w in strangers
            )
            # A rarer word said by a synonym counts too ("song" for "theme").
            rare = sum(1 for s in rarer if s in have or groups.get(s, frozenset()) & have)
            scored.append(Candidate(fact, entity, score, cover, sem, rare, stranger))
        scored.sort(key=lambda c: (-c.score, c.fact.id))
        # A lone first name ("jesica") raises its subjects' facts but grounds nothing:
        # the name index's own cutoff already said it is not enough.
        full = {m.entity.id for m in mentions if not m.partial} | ({hint.id} if hint else set())
        named = bool(full) or mentioned["one_season"]
        # Only words no fact holds at all leave meaning as the one signal; a word other
        # facts hold ("plays") that this subject's don't means the store doesn't know.
        unseen = all(not w.known and not w.name_like for w in content if w.mention is None)
        subjects = frozenset(full) if unseen else frozenset()
        # "when did the show end" where the store holds one show: about that show only.
        sole = None
        if not named and not factscore.topical(content, groups):
            kinds = [KIND_WORDS[w.stem] for w in content if w.stem in KIND_WORDS]
            found = [e for k in kinds if (e := self.subjects.sole_of(k, guild_id))]
            sole = found[0].id if found else -1
        return Ranked(tuple(scored), named, subjects, sole)

    def _mentioned(
        self, mentions: list[Mention], season: int | None, guild_id: int | None
    ) -> Mentioned:
        named = {m.entity.id for m in mentions}
        extra: set[int] = set()
        missing = said_only = False
        if season is not None:
            # The show the question names most fully decides ("doctor and stranger
            # season 2" is about Doctor & Stranger, not a show called Stranger).
            named_shows = [m for m in mentions if m.entity.kind is EntityKind.SHOW]
            widest = max((m.end - m.start for m in named_shows), default=0)
            shows = [m.entity for m in named_shows if m.end - m.start == widest]
            if shows:
                found = [self.subjects.season_of(s, season, guild_id) for s in shows]
                extra.update(s.id for s in found if s is not None)
                missing = not any(found)
            else:
                # "season 2" alone: the seasons with that number raise their facts, but
                # don't ground an answer by themselves.
                extra.update(e.id for e in self.subjects.numbered(season, guild_id)[:3])
                # ...unless no subject is that season but facts say it ("Sophie won
                # series 8" where a show's seasons are no subjects of their own).
                said = [f"season {season}", f"series {season}"]
                said_only = not extra and self.store.docs.holds(said, guild_id)
                missing = not extra and not said_only
        one_season = season is not None and len(extra) == 1
        return {
            "one_season": one_season,
            "named": named,
            "all": named | extra,
            "ids": sorted(named | extra),
            "season_missing": missing,
            "said_only": said_only,
            "show": any(m.entity.kind is EntityKind.SHOW for m in mentions),
        }

    def _content(
        self, words: list[str], mentions: list[Mention], freqs: Mapping[str, int]
    ) -> list[Word]:
        """The question's words that say what it is about, weighted; ``freqs``: stem ->
        how many facts hold it, for every word not in STOP."""
        owner: dict[int, Entity] = {}
        for m in mentions:
            for i in range(m.start, m.end):
                owner.setdefault(i, m.entity)
        picked = [(i, w) for i, w in enumerate(words) if w not in STOP]
        names = maybe_names(words)
        stems = [stem(w) for _, w in picked]
        n = max(self.store.docs.size(), 1)
        out = []
        for (i, w), s in zip(picked, stems, strict=True):
            df = freqs.get(s, 0)
            named = names[i]
            if df:
                weight = math.log((n + 1) / (df + 0.5))
            elif named:
                # An unseen rare word is likely the subject the question is about:
                # it weighs most, so no fact about something else covers the question.
                weight = math.log((n + 1) / 0.5) + 1.0
            else:  # an unseen everyday word ("want", "happened"): how it is asked
                weight = math.log((n + 1) / (GENERIC_SHARE * n + 0.5))
            out.append(Word(w, s, weight, df > 0, owner.get(i), df=df, name_like=named))
        return out

    def _candidates(
        self,
        content: list[Word],
        mentioned: list[int],
        guild_id: int | None,
        groups: Mapping[str, frozenset[str]],
    ) -> list[int]:
        """Facts worth scoring: BM25's best for the question's rarest words (common words
        only rank, they don't gather: a word in half the facts would make BM25 score half
        the store), plus the facts of the subjects the question names."""
        words = sorted((w for w in content if w.known and w.season is None), key=lambda w: w.df)
        # An unseen name-like word ("superman"): no fact holding it, only a fact holding
        # a typo of it may answer (find's stranger gate), which a common word's best
        # BM25 facts are no likelier to hold than any others.
        unseen = any(
            w.name_like and not w.known and w.stem not in KIND_WORDS and w.stem not in groups
            for w in content
        )
        terms: list[str] = []
        postings = 0
        for w in words:
            if postings + w.df > POSTINGS and (terms or mentioned or unseen):
                break  # with a subject named, its own facts stand in for a common word's
            terms.append(w.text)
            postings += w.df
        # A word's synonyms gather too, within the same budget ("after" is in 16% of facts);
        # not a kind's ("film" for "movies"): every fact about one says it.
        said = (w for w in content if w.stem not in KIND_WORDS)
        extra = sorted({s for w in said for s in groups.get(w.stem, ())} - set(terms))
        if extra:
            for term, df in sorted(self.store.docs.doc_freqs(extra).items(), key=lambda t: t[1]):
                if df > 0 and postings + df <= POSTINGS:
                    terms.append(term)
                    postings += df
        ids = self.store.docs.search(terms, guild_id, CANDIDATES) if terms else []
        if mentioned:
            ids += self.store.docs.of_subjects(mentioned, guild_id, PER_MENTION * len(mentioned))
        return list(dict.fromkeys(ids))
