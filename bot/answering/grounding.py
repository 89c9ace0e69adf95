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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from bot.language.text import FUNCTION_WORDS, normalize, stem
from bot.models import EntityKind, Fact, Intent, Kind

MIN_SAID = 0.5  # share of the asked words a fact must say to answer
UNSEEN_WEIGHT = 0.25  # an asked word no fact holds: how the question is put ("listed")
MIN_PREFIX = 5  # letters two stems must share to count as one word's family
SHOWN = 3
# Words after a verb that make it another verb: "play into", "turn out", "make up".
PARTICLES = frozenset(("into", "out", "up", "off", "down", "over", "around", "along", "away"))
# Words that ask for a kind of subject rather than say anything: held by every fact
# about (or naming) a subject of that kind.
KIND_WORDS: dict[str, tuple[EntityKind, ...]] = {
    **dict.fromkeys(("show", "seri", "tv", "movi", "film"), (EntityKind.SHOW,)),
    **dict.fromkeys(("charact", "role"), (EntityKind.CHARACTER,)),
    **dict.fromkeys(("actor", "actress"), (EntityKind.PERSON,)),
    **dict.fromkeys(("season",), (EntityKind.SEASON,)),
}


# Words that ask for a date: held by every dated fact.
DATE_WORDS = frozenset(("year", "date", "when", "dai", "month"))


@lru_cache(maxsize=1)
def categories() -> dict[str, frozenset[str]]:
    """Stem of a word asking for a kind of thing -> stems of the words that name one
    (bot/data/categories.txt: "language" -> "japanes", "english", ...)."""
    text = resources.files("bot").joinpath("data/categories.txt").read_text(encoding="utf-8")
    out: dict[str, frozenset[str]] = {}
    for line in text.splitlines():
        head, sep, rest = line.partition(":")
        if not sep or line.lstrip().startswith("#"):
            continue
        names = frozenset(stem(w) for w in normalize(rest).split())
        out[stem(normalize(head))] = out.get(stem(normalize(head)), frozenset()) | names
    return out


@dataclass(frozen=True, slots=True)
class Scored:
    fact: Fact
    said: float  # share of the asked words the fact says (0-1)
    own: bool  # about the subject itself (not a fact naming it)


# Words that only say how something is asked: "which person wrote X" asks who wrote X.
ASKING = frozenset(("person", "people", "someone", "name", "named", "called"))


def asked_stems(words: Sequence[str]) -> list[str]:
    """The stems of the words that ask something (no function words, no digits)."""
    return [
        stem(w)
        for w in words
        if w not in FUNCTION_WORDS and w not in ASKING and not w.isdigit() and len(w) > 1
    ]


def ground(
    asked: Sequence[str],
    own: Sequence[Fact],
    naming: Sequence[Fact],
    intent: Intent,
    groups: Mapping[str, frozenset[str]],
    kinds: Mapping[int, EntityKind],
    weights: Mapping[str, float],
    *,
    least: float = MIN_SAID,
    taught: Mapping[int, str] | None = None,
) -> list[Scored]:
    """The facts (a subject's ``own`` and those ``naming`` it) that say what ``asked``
    (stems) asks, best first; empty when none does. ``kinds``: each candidate fact's
    subject kind; ``weights``: how much each asked word counts (a word no fact holds
    anywhere, "listed", counts little: it is how the question is put); ``taught``: fact
    id -> the questions moderators taught for it here, read as words the fact says."""
    if not asked:
        return []
    scored = []
    for fact, is_own in [*((f, True) for f in own), *((f, False) for f in naming)]:
        extra = taught.get(fact.id) if taught else None
        said = _said(asked, fact, kinds.get(fact.entity_id), groups, weights, extra)
        if said >= least:
            scored.append(Scored(fact, said, is_own))
    scored.sort(key=lambda s: (-s.said, -_fits(intent, s.fact), not s.own, s.fact.id))
    if not scored:
        return []
    best = scored[0].said
    return [s for s in scored if s.said >= best - 1e-9][:SHOWN] or scored[:1]


def _said(
    asked: Sequence[str],
    fact: Fact,
    kind: EntityKind | None,
    groups: Mapping[str, frozenset[str]],
    weights: Mapping[str, float],
    taught: str | None = None,
) -> float:
    words = _words(" ".join(filter(None, (fact.text, fact.quote, taught))))
    have = {s for s, _ in words}
    verbs = {s for s, nxt in words if nxt not in PARTICLES}
    got = total = 0.0
    for a in asked:
        weight = weights.get(a, 1.0)
        total += weight
        kinds = KIND_WORDS.get(a)
        if a in verbs:
            got += weight
        elif a in have:
            got += 0.3 * weight  # the word, but as part of another verb ("play into")
        elif (kinds and kind in kinds) or (a in DATE_WORDS and fact.date is not None):
            got += weight
        elif categories().get(a, frozenset()) & verbs or groups.get(a, frozenset()) & verbs:
            got += 0.9 * weight
        elif any(_family(a, h) for h in verbs):
            got += 0.8 * weight
    return got / total if total else 0.0


def understood(word_stem: str, groups: Mapping[str, frozenset[str]]) -> bool:
    """Whether grounding knows what an asked word stands for without any fact holding it
    ("movies" asks for a show, "language" for a language's name)."""
    return (
        word_stem in KIND_WORDS
        or word_stem in DATE_WORDS
        or word_stem in categories()
        or word_stem in groups
    )


def _fits(intent: Intent, fact: Fact) -> int:
    if intent is Intent.ASK:
        return 0
    return int(fact.kind is Kind(intent.value))


@lru_cache(maxsize=1 << 14)
def _words(text: str) -> tuple[tuple[str, str], ...]:
    """Each word's stem with the word after it (a verb's particle)."""
    words = normalize(text).split()
    return tuple((stem(w), words[i + 1] if i + 1 < len(words) else "") for i, w in enumerate(words))


def _family(a: str, b: str) -> bool:
    """Stems of one family: one begins with the other, sharing at least MIN_PREFIX letters
    ("director" and "direct", "produc" and "producer")."""
    short, long_ = sorted((a, b), key=len)
    return len(short) >= MIN_PREFIX and long_.startswith(short)
