"""Which of a known subject's facts answer what the rest of a question asks.

A question names a subject ("who directed das boot", "what films did diana rigg act in")
and asks something about it in its other words. The candidates are the subject's own
facts and the facts of other subjects that name it (bot/store/mentions.py); each is
scored by how many of the asked words it says: the same stem, a word of the same synonym
group (bot/data/synonyms.txt and the server's own), or a word sharing a long stem
("director" ~ "directed", "producer" ~ "produced"). A word followed by a particle in the
fact is another verb ("play into" does not answer "plays").

Nothing here guesses: a fact that says none of what was asked is never the answer. The
engine then says what it does know about the subject instead (a partial answer).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np
from rapidfuzz.distance import OSA

from bot.answering.amounts import amount_asked, says_a_span, says_amount, says_the_amount
from bot.answering.typed import given_name, name_starts
from bot.answering.vocabulary import (
    DATE_WORDS,
    EVENT_WORDS,
    KIND_WORDS,
    categories,
    maybe_names,
)
from bot.language.embedding import embedder
from bot.language.text import FUNCTION_WORDS, normalize, stem
from bot.models import EntityKind, Fact, Intent, Kind, Status
from bot.store.synonyms import Phrases

MIN_SAID = 0.5  # share of the asked words a fact must say to answer
UNSEEN_WEIGHT = 0.25  # an asked word no fact holds: how the question is put ("listed")
MIN_PREFIX = 5  # letters two stems must share to count as one word's family
MEANING = 0.5  # cosine of two words' embeddings taken as one meaning ("dead" ~ "died")
MEANING_CREDIT = 0.7  # what a word of the same meaning counts for
KIND_CREDIT = 0.85  # a word asking for a kind (or a date), in every such fact: less than a synonym
SPAN_CREDIT = 0.95  # "end" said by a span of time: when it ended, more than "the final season"
SHOWN = 3
RESTLESS = 0.3  # below this share of what a question asks besides kinds, a fact says nothing
# Words after a verb that make it another verb: "play into", "turn out", "make up".
PARTICLES = frozenset(("into", "out", "up", "off", "down", "over", "around", "along", "away"))
# Words before a noun: the word after them is not a verb, whatever follows it ("39
# episodes over four seasons").
NOUN_MARKERS = frozenset("a an the its his her their my our your this that these those of".split())


@dataclass(frozen=True, slots=True)
class Scored:
    fact: Fact
    said: float  # share of the asked words the fact says (0-1)
    own: bool  # about the subject itself (not a fact naming it)


# Words that only say how something is asked: "which person wrote X" asks who wrote X.
ASKING = frozenset(
    ("person", "people", "someone", "name", "named", "names", "called", "listed", "mean", "meaning")
)
_ASKING_STEMS = frozenset(stem(w) for w in ASKING)
# Words narrowing a kind asked for ("the real name", "the main language").
_QUALIFIERS = frozenset(stem(w) for w in "real full actual main primary original official".split())
# Verbs that put a subject in a kind asked for ("fall under", "belong to", "classed as").
_CLASSING = frozenset(stem(w) for w in "fall falls belong belongs class classed classified".split())
# Light verbs linking a subject to a thing asked for ("what language does X use").
_LINKING = frozenset(stem(w) for w in "use uses used using made make makes making".split())


def asked_stems(words: Sequence[str]) -> list[str]:
    """The stems of the words that ask something (no function words, no digits)."""
    stems = [stem(w) for w in words if w not in FUNCTION_WORDS and not w.isdigit() and len(w) > 1]
    # "real name", "main language": a word that only narrows what is asked for says
    # nothing a fact would.
    stems = [
        s
        for i, s in enumerate(stems)
        if not (s in _QUALIFIERS and i + 1 < len(stems) and _asks_for_a_kind(stems[i + 1]))
    ]
    if any(s in KIND_WORDS or s in categories() for s in stems):
        # "what genre does X fall under", "which category does X belong to": the verb
        # only puts X in the kind asked for.
        stems = [s for s in stems if s not in _CLASSING]
    if any(s in categories() and s not in _LINKING for s in stems):
        # "what language does X use", "what language was X made in": with a thing of a
        # kind asked for, a light verb only links it to X (but "what films did X make"
        # asks who made them: a kind of subject is not a category).
        stems = [s for s in stems if s not in _LINKING]
    return [s for s in stems if s not in _ASKING_STEMS]


@dataclass(frozen=True, slots=True)
class Shape:
    """How a question's wording asks what it asks, read once per question."""

    amount: str | None = None  # "many" in "how many": said only by a fact with a number
    # Kind words after a function word only say what kind is meant ("how many seasons",
    # "the movie X"): a synonym said ("film") counts no more than any fact of the kind. A
    # kind word after a name ("a punisher show") is a thing asked about: a fact saying
    # it ("a Punisher spin-off series") says more than a fact about some show.
    labels: frozenset[str] = frozenset()
    # Kind words after "what"/"which": the kind of the answer, said only by a fact about
    # or naming a subject of it other than the one asked about ("what films are about
    # sleeping beauty" asks for other films than Sleeping Beauty).
    answer: frozenset[str] = frozenset()
    # What a possessive names ("dad" in "who plays amy's dad"): a fact must say it.
    required: frozenset[str] = frozenset()
    # The verb after "who" ("plays" in "who plays erica"): what is asked of the subject;
    # a fact that only names the subject ("Erica is his sister") doesn't say it.
    relation: str | None = None
    # First names asked besides the subject ("erica" in "who plays erica sinclair", where
    # the subject found is Lucas Sinclair): a fact must say them.
    names: frozenset[str] = frozenset()


def shape_of(words: Sequence[str]) -> Shape:
    """The Shape of a question's words (``required`` needs its subject: the caller's)."""
    return _shape(tuple(words))


@lru_cache(maxsize=1 << 12)  # read for each subject a question's words are grounded on
def _shape(words: tuple[str, ...]) -> Shape:
    pairs = list(pairwise(["", *words]))
    # "what film genre is X" asks for a genre: a kind word before another is no answer.
    followed = {w for w, after in pairwise(words) if _asks_for_a_kind(stem(after))}
    return Shape(
        relation=_relation(words),
        names=frozenset(
            stem(w)
            for w, name in zip(words, maybe_names(words), strict=True)
            if name and given_name(w)
        ),
        amount=amount_asked(words),
        labels=frozenset(
            s
            for before, w in pairs
            if (s := stem(w)) in KIND_WORDS and (not before or before in FUNCTION_WORDS)
        ),
        answer=frozenset(
            s
            for i, (before, w) in enumerate(pairs)
            if before in _WH
            and (s := stem(w)) in KIND_WORDS
            and w not in followed
            and not _what_kind_is(words[i + 1 : i + 3], words[-1])
        ),
    )


_WH = frozenset(("what", "whats", "which"))
# Words between "who" and its verb that say how or when, not what ("who first played X").
_ADVERBS = frozenset("first last now still also then ever later once".split())


def _relation(words: Sequence[str]) -> str | None:
    """The stem of the verb after "who" ("plays" in "who plays erica", "voiced" in "who
    originally voiced apu"), if the question opens so."""
    if not words or words[0] != "who":
        return None
    for w in words[1:-1]:
        if w in _ADVERBS or (w.endswith("ly") and len(w) > 4):
            continue
        return None if w in FUNCTION_WORDS else stem(w)
    return None


_COPULA = frozenset(("is", "was", "are", "were"))


def _what_kind_is(after: Sequence[str], last: str) -> bool:
    """Whether the words after "what movie" ask what kind the subject is ("what movie is
    sleeping beauty"), not for other subjects of that kind ("what films are about X",
    "what shows is X in")."""
    return (
        len(after) == 2
        and last not in _TRAILING
        and after[0] in _COPULA
        and after[1] not in FUNCTION_WORDS
        and after[1] not in _RELATING
    )


# A question's last word relating its subject to the answer ("what shows is X in").
_TRAILING = frozenset(("in", "on", "from", "with", "by", "for", "of"))
# Words after "what films are" relating other films to the subject ("about X").
_RELATING = frozenset(("about", "described", "tagged", "starring", "featuring", "set"))


def _asks_for_a_kind(s: str) -> bool:
    return s in _ASKING_STEMS or s in KIND_WORDS or s in categories()


def ground(
    asked: Sequence[str],
    own: Sequence[Fact],
    naming: Sequence[Fact],
    intent: Intent,
    groups: Mapping[str, frozenset[str]],
    kinds: Mapping[int, frozenset[EntityKind]],
    weights: Mapping[str, float],
    surface: Mapping[str, str] | None = None,
    *,
    least: float = MIN_SAID,
    taught: Mapping[int, str] | None = None,
    shape: Shape = Shape(),
    others: Mapping[int, frozenset[EntityKind]] | None = None,
    near: tuple[str, ...] = (),
    phrases: Phrases = (),
) -> list[Scored]:
    """The facts (a subject's ``own`` and those ``naming`` it) that say what ``asked``
    (stems) asks, best first; empty when none does. ``kinds``: by fact id, the kinds of
    the subjects the fact is about or names (``others``: but the one asked about);
    ``weights``: how much each asked word counts (a word no fact holds anywhere,
    "listed", counts little: it is how the question is put); ``surface``: each asked
    stem as typed, for matching by meaning; ``taught``: fact id -> the questions
    moderators taught for it here, read as words the fact says; ``shape``: how the
    question's wording asks (an amount, labels, the kind of the answer, a possessive);
    ``near``: the subject's names, normalised: asked "who <verb> X", of facts saying as
    much, one saying the verb next to X's name comes first ("Bryan Cranston plays Walter
    White" before "the cousins, played by the Moncadas, come to kill Walt"); ``phrases``:
    the synonym groups' phrases, each said by a fact as the word it stands for."""
    if not asked:
        return []
    surface = surface or {}
    if (amount := shape.amount) is not None:
        own = [f for f in own if says_amount(f, amount)]
        naming = [f for f in naming if says_amount(f, amount)]
    others = kinds if others is None else others
    scored = []
    for fact, is_own in [*((f, True) for f in own), *((f, False) for f in naming)]:
        said = _said(
            asked,
            fact,
            kinds.get(fact.id, frozenset()),
            others.get(fact.id, frozenset()),
            groups,
            weights,
            surface,
            taught.get(fact.id) if taught else None,
            shape,
            phrases,
        )
        if said >= least:
            scored.append(Scored(fact, said, is_own))
    # Of facts saying as much, one fitting the intent first, then the surer one ("Melissa
    # Rosenberg is the executive producer" before a prediction quoting her).
    wanted = tuple(sorted(asked))
    scored.sort(
        key=lambda s: (
            -s.said,
            _apart(s.fact.text, near, wanted) > _NEAR if near and shape.relation else False,
            -_fits(intent, s.fact),
            _SURENESS[s.fact.status],
            not s.own,
            s.fact.id,
        )
    )
    if not scored:
        return []
    best = scored[0].said
    return [s for s in scored if s.said >= best - 1e-9][:SHOWN] or scored[:1]


# What a span of time says ("from 2015 to 2022"): when something began and ended.
_SPANNED = frozenset(stem(w) for w in "end finish conclude start begin stop".split())
# Kind words naming what someone does ("actors in X"): as a label too, a fact saying it
# ("stars in X") says more than any naming a person ("directed by").
_ROLES = frozenset(stem(w) for w in ("actor", "actress"))
_FAR = 8  # words between a name and what was asked beyond which nearer says no more
# Words between them that still say it of the name: "X is played on screen by Y" as much
# as "Y will play X" (then the surer fact first).
_NEAR = 3


@lru_cache(maxsize=1 << 14)
def _apart(text: str, names: tuple[str, ...], asked: tuple[str, ...]) -> int:
    """How many words apart a fact says a name of the subject and an asked word (stems),
    up to _FAR."""
    words = normalize(text).split()
    stems = [stem(w) for w in words]
    wanted = set(asked)
    at_asked = [i for i, s in enumerate(stems) if s in wanted]
    if not at_asked:
        return _FAR
    best = _FAR
    for name in names:
        parts = name.split()
        end = len(parts) - 1
        for i in name_starts(parts, words):
            for j in at_asked:
                best = min(best, i - j if j < i else max(j - (i + end), 0))
    return best


_SURENESS = {Status.CONFIRMED: 0, Status.REPORTED: 1, Status.RUMOR: 2, Status.PREDICTION: 3}


def _said(
    asked: Sequence[str],
    fact: Fact,
    kinds_of: frozenset[EntityKind],
    others_of: frozenset[EntityKind],
    groups: Mapping[str, frozenset[str]],
    weights: Mapping[str, float],
    surface: Mapping[str, str],
    taught: str | None,
    shape: Shape,
    phrases: Phrases = (),
) -> float:
    text = " ".join(filter(None, (fact.text, fact.quote, taught)))
    have, verbs = _stems_said(text)
    if phrases:
        verbs = verbs | _phrases_said(text, phrases)
    got = total = 0.0
    rest_got = rest_total = 0.0  # the words that don't ask for a kind of subject
    required_said = 0.0
    related = 1.0
    for a in asked:
        weight = weights.get(a, 1.0)
        kinds = KIND_WORDS.get(a)
        if kinds and a in shape.answer:
            # "what movies ...": said by a fact about or naming a film (not the one asked
            # about), not by a word like "film" in a fact about something else.
            credit = KIND_CREDIT if not others_of.isdisjoint(kinds) else 0.0
        else:
            credit = _credit(a, fact, text, have, verbs, kinds_of, groups, surface, shape)
        if a in shape.required:
            required_said = max(required_said, credit)
        # The relation asked must be said where other facts say it (a word no fact
        # holds, "paid" for "covered", is how the question is put); names always.
        if (a == shape.relation and weight >= 1.0) or a in shape.names:
            related = min(related, credit)
        total += weight
        got += credit * weight
        if not kinds:
            rest_total += weight
            rest_got += credit * weight
    if shape.required and required_said < MEANING_CREDIT:
        return 0.0  # "who plays amy's dad": a fact not saying "dad" is about Amy
    if related < MEANING_CREDIT:
        return 0.0  # "who plays erica": a fact not saying who plays anyone, or Erica
    # A kind word ("films", "actors") is said by every fact of one: the rest of what was
    # asked ("starred") must be said too, or the films X directed answer which X starred in.
    if rest_total >= 1.0 and rest_got < RESTLESS * rest_total:
        return 0.0
    return got / total if total else 0.0


def _credit(
    a: str,
    fact: Fact,
    text: str,
    have: frozenset[str],
    verbs: frozenset[str],
    kinds_of: frozenset[EntityKind],
    groups: Mapping[str, frozenset[str]],
    surface: Mapping[str, str],
    shape: Shape,
) -> float:
    """How much a fact says one asked word (stem ``a``), 0-1."""
    if a in verbs:
        return 1.0
    if shape.amount and a == stem(shape.amount) and says_the_amount(text, shape.amount):
        return KIND_CREDIT  # "how long has X played Phil": "since 1990"
    if a in _SPANNED and says_a_span(text):
        return SPAN_CREDIT  # "when did X end": "ran from 2015 to 2022"
    kinds = KIND_WORDS.get(a)
    if groups.get(a, frozenset()) & verbs and not (kinds and a in shape.labels and a not in _ROLES):
        return 0.9  # a synonym: "film" for "movie" ("is there gonna be a b99 movie")
    if (
        (kinds and not kinds_of.isdisjoint(kinds))
        or a in EVENT_WORDS
        or (a in DATE_WORDS and fact.date is not None)
    ):
        # Held by every fact of its kind: a fact saying the word itself says more
        # ("where do they film X": the filming fact, not every fact of a show).
        return KIND_CREDIT
    # The best of the weaker signs: the word inside another verb ("play into"), a word of
    # its category, of its stem family, of its meaning.
    credit = 0.3 if a in have else 0.0
    if (kind := categories().get(a)) and kind & verbs & _outside_names(text, kind):
        return 0.9
    if _in_family(a, verbs):
        return max(credit, 0.8)
    if a in surface and _means(surface[a], text):
        return max(credit, MEANING_CREDIT)
    return credit


def _means(word: str, text: str) -> bool:
    """Whether a word of the fact means what ``word`` (as typed) does, by the cosine of
    their static embeddings: "dead" ~ "died", "injured" ~ "wounded", "rich" ~
    "wealthy". A weaker sign than the word itself or its synonyms."""
    if len(word) < 3 or word.isdigit() or _pieces(word) > 2:
        return False  # a rare word (a name) means little more than its spelling
    return _close_in(word, _fact_words(text))


@lru_cache(maxsize=1 << 16)
def _close_in(word: str, words: tuple[str, ...]) -> bool:
    """Whether one of ``words`` means ``word``. By the words, not the text: templated
    facts ("X was directed by Y.") share their everyday words, so this is worked out once
    for them all."""
    if not words:
        return False
    close = np.stack([_vector(w) for w in words]) @ _vector(word)
    # Only the close ones are looked at letter by letter (most of a fact's words aren't).
    return any(not _rhymes(word, words[i]) for i in np.flatnonzero(close >= MEANING).tolist())


def _rhymes(a: str, b: str) -> bool:
    """Two words one letter apart but for their first ("pills", "bills"): alike in
    spelling, so in their embeddings' pieces, and unrelated in meaning ("dies" and "died"
    keep their first letter)."""
    return a[0] != b[0] and OSA.distance(a, b, score_cutoff=2) <= 1


@lru_cache(maxsize=1 << 16)
def _pieces(word: str) -> int:
    return embedder().pieces(word)


@lru_cache(maxsize=1 << 16)
def _vector(word: str) -> np.ndarray:
    return embedder().embed_one(word)


@lru_cache(maxsize=1 << 14)
def _fact_words(text: str) -> tuple[str, ...]:
    """A fact's everyday words (no function words, digits, or capitalised words: names),
    sorted."""
    return tuple(
        sorted(
            {
                w
                for raw in _RAW_WORDS.findall(text)
                if not raw[0].isupper()
                for w in normalize(raw).split()
                if w not in FUNCTION_WORDS and len(w) > 2 and not w.isdigit()
            }
        )
    )


_RAW_WORDS = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def understood(word_stem: str, groups: Mapping[str, frozenset[str]]) -> bool:
    """Whether grounding knows what an asked word stands for without any fact holding it
    ("movies" asks for a show, "language" for a language's name)."""
    return (
        word_stem in KIND_WORDS
        or word_stem in DATE_WORDS
        or word_stem in EVENT_WORDS
        or word_stem in categories()
        or word_stem in groups
    )


def _fits(intent: Intent, fact: Fact) -> int:
    if intent is Intent.ASK:
        return 0
    return int(fact.kind is Kind(intent.value))


def stems_of(text: str) -> frozenset[str]:
    """The stems of a text's words (cached: a subject's facts are read again and again)."""
    return _stems_said(text)[0]


@lru_cache(maxsize=1 << 14)
def _stems_said(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The stems of a fact's words, and of those it says as themselves: not a verb bound
    to a particle after it ("play into") nor a participle after an article ("a trained
    assassin"). Cached: the same facts come back as candidates again and again."""
    words = normalize(text).split()
    have: set[str] = set()
    verbs: set[str] = set()
    for i, word in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else ""
        before = words[i - 1] if i else ""
        have.add(stem(word))
        if (after not in PARTICLES or _noun(before)) and not _adjective(words, i):
            verbs.add(stem(word))
    return frozenset(have), frozenset(verbs)


@lru_cache(maxsize=1 << 14)
def _phrases_said(text: str, phrases: Phrases) -> frozenset[str]:
    """The stems of the words a fact says by a phrase of their group ("gave his life":
    "die")."""
    by_first = _by_first(phrases)
    words = normalize(text).split()
    said = set()
    for i, word in enumerate(words):
        for phrase, single in by_first.get(word, ()):
            if tuple(words[i : i + len(phrase)]) == phrase:
                said.add(stem(single))
    return frozenset(said)


@lru_cache(maxsize=64)
def _by_first(phrases: Phrases) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    out: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for phrase, single in phrases:
        out.setdefault(phrase[0], []).append((phrase, single))
    return out


# A run of capitalised words, or one after "the" ("the Salesman", "the Doctor"): a name.
_CAPITALISED_RUN = re.compile(r"\b(?:[A-Z][\w'-]*|the)(?:\s+[A-Z][\w'-]*)+")


@lru_cache(maxsize=1 << 14)
def _outside_names(text: str, kind: frozenset[str]) -> frozenset[str]:
    """The stems of a fact's words but those inside a run of capitalised words holding a
    word of no such ``kind`` ("Billy Butcher", "Red Ranger"): a name says no job ("what is
    hughie's job" is not said by "Billy Butcher recruits Hughie"). One capitalised word
    alone ("a Japanese film") or a run all of the kind ("a Science Fiction film") says it;
    so does the word outside the name ("The Dunwich Horror is a Horror film")."""

    def name(run: re.Match[str]) -> str:
        said = {stem(w) for w in normalize(run.group()).split()}
        return run.group() if said <= kind else " "

    return frozenset(stem(w) for w in normalize(_CAPITALISED_RUN.sub(name, text)).split())


def _adjective(words: Sequence[str], i: int) -> bool:
    """A participle after an article describes a noun ("a trained assassin"), as one
    after a superlative's "ever" does ("the greatest drama ever made"): it does not say
    what the verb asks ("who trained X", "who made X"). ("The first man Walt ever
    killed" says who killed him.)"""
    word, before = words[i], words[i - 1] if i else ""
    if before == "ever":
        participle = word.endswith(("ed", "en", "wn")) or word in ("made", "built", "sold")
        return participle and any(_superlative(w) for w in words[max(i - 5, 0) : i - 1])
    return before in ("a", "an", "the") and word.endswith("ed")


def _superlative(word: str) -> bool:
    return word in ("best", "worst", "most") or (word.endswith("est") and len(word) > 5)


def _noun(before: str) -> bool:
    """Whether the word after ``before`` is a noun (a determiner or a number before it)."""
    return before in NOUN_MARKERS or before.isdigit()


def _in_family(a: str, verbs: frozenset[str]) -> bool:
    """Whether a stem said is of ``a``'s family: one begins with the other, sharing at
    least MIN_PREFIX letters ("director" and "direct", "produc" and "producer"). Without
    a call per stem: ``a`` begins with a long enough one, or (sorted, those beginning
    with ``a`` are in a row) one begins with ``a``."""
    ordered, long_ = _prefixes(verbs)
    if a.startswith(long_):
        return True
    if len(a) < MIN_PREFIX:
        return False
    at = bisect_left(ordered, a)
    return at < len(ordered) and ordered[at].startswith(a)


@lru_cache(maxsize=1 << 14)  # per fact, like _stems_said
def _prefixes(verbs: frozenset[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    ordered = tuple(sorted(verbs))
    return ordered, tuple(h for h in ordered if len(h) >= MIN_PREFIX)
