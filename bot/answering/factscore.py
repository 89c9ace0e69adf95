"""How well one fact fits a free question (bot/answering/retrieval.py): the question's
weighted words, the share of them a fact holds, how much it is about the subjects named,
and how well its kind fits what is asked. Per fact, so cached where the same facts come
back for question after question."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, TypedDict

from rapidfuzz.distance import OSA

from bot.answering.questions import extract_season
from bot.answering.subjects import Mention
from bot.answering.vocabulary import KIND_WORDS
from bot.language.text import normalize, stem
from bot.models import Entity, EntityKind, Fact, Intent, Kind

NAMED_SHARE = 0.5  # a fact naming a subject weighs this much of one about it


@dataclass(slots=True)
class Word:
    text: str
    stem: str
    weight: float
    known: bool  # some fact holds it
    mention: Entity | None  # part of a mention of this subject
    df: int = 0  # how many facts hold it
    season: int | None = None  # stands for "season N": held by that season's facts
    name_like: bool = False  # a rare word, as names are (unseen ones are likely subjects)


class Mentioned(TypedDict):
    """The subjects a question names (FactFinder._mentioned)."""

    one_season: bool  # a season asked about, and exactly one season found for it
    named: set[int]  # the subjects named
    all: set[int]  # those and the seasons asked about
    ids: list[int]  # `all`, sorted
    season_missing: bool  # a season asked about that no named show has
    show: bool  # some show is named
    said_only: bool  # no subject is the season asked about, but facts say it in words


@lru_cache(maxsize=1 << 14)
def terms(body: str, names: str) -> tuple[list[str], frozenset[str], frozenset[str]]:
    """A document's words, the stems its text says, and those with its subject's names.
    Cached: the same facts come back as candidates for questions about their subjects."""
    words = normalize(body).split()
    said = frozenset(stem(w) for w in words)
    return words, said, said | name_stems(names)  # a subject's names: shared by its facts


@lru_cache(maxsize=1 << 14)
def name_stems(name: str) -> frozenset[str]:
    return frozenset(stem(w) for w in normalize(name).split())


def spans(mentions: list[Mention]) -> dict[tuple[int, int], list[Mention]]:
    """The question's mentions by the words they span (once per question, not per fact)."""
    spans: dict[tuple[int, int], list[Mention]] = {}
    for m in mentions:
        spans.setdefault((m.start, m.end), []).append(m)
    return spans


class NamedAt(NamedTuple):
    """The question's mentions as involved weighs them, the same for every fact."""

    places: list[tuple[float, list[Mention]]]  # each place's weight and its mentions
    total: float  # the places' weights, summed in order
    ids: frozenset[int]  # every subject mentioned


def named_at(spans: dict[tuple[int, int], list[Mention]], mentioned: Mentioned) -> NamedAt:
    places = [(0.5 if all(m.partial for m in g) else 1.0, g) for g in spans.values()]
    total = sum(weight for weight, _ in places)  # left to right, as involved summed it
    ids = frozenset(m.entity.id for g in spans.values() for m in g)
    return NamedAt(places, total, ids)


def involved(
    named_at: NamedAt,
    mentioned: Mentioned,
    entity: Entity,
    text: AbstractSet[str],
) -> float:
    """How much a fact is about the question's subjects (0-1). Each place the question
    names a subject counts once, whichever of its namesakes the fact is about: a subject's
    own fact in full, a fact naming it in its text NAMED_SHARE; a lone first or last name
    counts half as much as a full name. ``named_at``: the mentions by their words."""
    if not mentioned["all"]:
        return 0.0
    got = 0.0
    total = named_at.total
    for weight, group in named_at.places:
        credit = 0.0
        for m in group:
            if m.entity.id == entity.id:
                credit = 1.0
            elif credit < NAMED_SHARE and not name_stems(m.entity.name).isdisjoint(text):
                credit = NAMED_SHARE
        got += weight * credit
    if entity.id in mentioned["all"] and entity.id not in named_at.ids:
        got += 1.0  # the season the question names, or the subject the name path found
        total += 1.0
    return min(1.0, got / max(total, 1.0))


def coverage(
    content: list[Word],
    have: AbstractSet[str],
    words: list[str],
    entity: Entity,
    mentioned: set[int],
    groups: Mapping[str, frozenset[str]],
    total: float,
) -> float:
    """The IDF-weighted share of the question's content words the fact holds; ``total``:
    their weights summed."""
    got = 0.0
    for w in content:
        if w.season is not None:
            about = entity.kind is EntityKind.SEASON and entity.season == w.season
            if (about and entity.id in mentioned) or names_season(words, w.season):
                got += w.weight
        elif w.stem in have or (w.mention is not None and w.mention.id == entity.id):
            got += w.weight
        elif w.mention is not None and name_stems(w.mention.name) <= have:
            got += w.weight  # "the punisher" asked; the fact says "Frank Castle"
        elif entity.kind in KIND_WORDS.get(w.stem, ()):
            got += w.weight  # "the show jessica jones": a fact about the show
        elif groups.get(w.stem, frozenset()) & have or (
            not w.known and len(w.text) >= 5 and typo_of(w.text, words)
        ):
            got += 0.8 * w.weight  # a paraphrase from the list, or a typo
    return got / total if total else 0.0


def names_season(words: list[str], number: int) -> bool:
    _, found = extract_season(" ".join(words))
    return found == number


_SEASON_WORDS = frozenset(("season", "seasons", "series"))
_RANGE = frozenset(("to", "through", "and"))
_OPEN = frozenset(("from", "since", "after"))  # "from series 8 onwards": every later one
_COUNTED = frozenset("times time years year episodes episode days weeks months".split())
_MOST = 99  # more seasons than any show has: "season 4 2022" is no range


def seasons_said(words: list[str]) -> set[int] | None:
    """The season numbers a fact's words say: "season 2", "seasons 1 to 3" (and "1 3",
    the dash dropped), "seasons 2 and 3"; None when it says every season after one ("from
    series 8"), whose end it does not say. "the series 3 times" names no season."""
    out: set[int] = set()
    for i, w in enumerate(words[:-1]):
        if w not in _SEASON_WORDS or not words[i + 1].isdigit():
            continue
        after = words[i + 2] if i + 2 < len(words) else ""
        if after in _COUNTED:
            continue
        if i > 0 and words[i - 1] in _OPEN:
            return None
        first = int(words[i + 1])
        out.add(first)
        rest = words[i + 2 : i + 4]
        if rest and rest[0].isdigit() and first < int(rest[0]) <= _MOST:
            out.update(range(first, int(rest[0]) + 1))
        elif len(rest) == 2 and rest[0] in _RANGE and rest[1].isdigit():
            last = int(rest[1])
            if rest[0] == "and":
                out.add(last)
            elif first < last <= _MOST:
                out.update(range(first, last + 1))
    return out


def typo_of(word: str, words: list[str], most: int = 2) -> bool:
    edits = min(most, 2 if len(word) >= 8 else 1)
    return any(
        OSA.distance(word, t, score_cutoff=edits) <= edits
        for t in words
        if abs(len(t) - len(word)) <= edits
    )


def topical(content: list[Word], groups: Mapping[str, frozenset[str]]) -> bool:
    """Whether a question says what it is about besides one relation: a word that is no
    kind of subject ("movie") and in no synonym group ("what movies are about incest"),
    or two things asked ("who wrote the theme tune"; words of one group count once).
    "who directed the film" and "which words describe" say nothing more."""
    asked: list[str] = []
    for w in content:
        if w.season is not None or (w.stem not in KIND_WORDS and w.stem not in groups):
            return True
        if w.stem not in KIND_WORDS and not any(
            w.stem == a or w.stem in groups.get(a, frozenset()) for a in asked
        ):
            asked.append(w.stem)
    return len(asked) >= 2


def rarer(content: list[Word]) -> list[str]:
    """The stems of the question's known words weighing at least the median: a fact
    sharing two of them is grounded without a named subject."""
    ordered = sorted(w.weight for w in content if w.known)
    median = ordered[(len(ordered) - 1) // 2] if ordered else 0.0  # the lower one of two
    return [w.stem for w in content if w.known and w.weight >= median]


def prior(intent: Intent, fact: Fact, entity: Entity) -> float:
    """How well a fact's kind fits what the question asks (0-1)."""
    if intent is Intent.WHEN:
        return 1.0 if fact.date is not None else 0.5 if fact.kind is Kind.WHEN else 0.0
    if intent is Intent.WHO:
        people = (EntityKind.CHARACTER, EntityKind.PERSON)
        return (0.5 if fact.kind is Kind.WHO else 0.0) + (0.5 if entity.kind in people else 0.0)
    if intent is Intent.WHAT:
        things = (EntityKind.ORGANISATION, EntityKind.THING, EntityKind.SHOW, EntityKind.EVENT)
        return (0.5 if fact.kind is Kind.WHAT else 0.0) + (0.5 if entity.kind in things else 0.0)
    return 0.0
