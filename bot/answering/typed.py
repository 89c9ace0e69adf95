"""How the words a fan typed match a name's words: equal, a possessive, or a typo of it
(a first name also as its nickname); in a row as spelt; in order inside a question
(bot/answering/subjects.py uses them to find the subjects a question names and what it
leaves unexplained)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from nicknames import NickNamer
from rapidfuzz.distance import OSA

from bot.language.text import normalize


@lru_cache(maxsize=1 << 14)  # mentions compare every name's words with every typed word
def same_word(word: str, typed: str, most: int = 2) -> bool:
    """Whether ``typed`` is ``word``, its possessive, or a typo of it (one edit, two for
    words of 8 letters or more, never more than ``most``)."""
    if typed in (word, word + "s"):
        return True
    if len(word) >= 5 and len(typed) >= 4:
        edits = min(most, 2 if len(word) >= 8 else 1)
        return OSA.distance(word, typed, score_cutoff=edits) <= edits
    # A short word only with two neighbouring letters swapped ("cgae" for "cage"): any
    # other edit of four letters makes another word too easily.
    return (
        len(word) == 4
        and sorted(word) == sorted(typed)
        and OSA.distance(word, typed, score_cutoff=1) <= 1
    )


def typed_whole(name: list[str], words: list[str]) -> int:
    """len(name) when the question holds the name's words in a row as they are spelled
    (the last one may be a possessive), else 0."""
    return len(name) if name_starts(name, words) else 0


def name_starts(name: Sequence[str], words: Sequence[str]) -> list[int]:
    """Where ``words`` hold the name's words in a row as they are spelled, the last one
    maybe a possessive ("Eren's father": "erens father")."""
    if not name:
        return []
    n, last = len(name), (name[-1], name[-1] + "s")
    head = list(name[:-1])
    return [
        i
        for i in range(len(words) - n + 1)
        if words[i + n - 1] in last and list(words[i : i + n - 1]) == head
    ]


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()  # the package's own list of English names and their nicknames


@lru_cache(maxsize=1 << 14)
def given_name(word: str) -> bool:
    """Whether ``word`` is an English first name or a nickname of one ("ben", "dot")."""
    names = _nicknamer()
    return bool(names.nicknames_of(word) or names.canonicals_of(word))


@lru_cache(maxsize=1 << 14)
def nickname_of(first: str, typed: str) -> bool:
    """Whether ``typed`` is a nickname of the first name ``first`` ("mike" of "michael",
    "jake" of "jacob"), or its possessive."""
    if len(first) < 3 or typed in (first, first + "s"):
        return False
    names = _nicknames(first)
    return typed in names or (typed.endswith("s") and typed[:-1] in names)


@lru_cache(maxsize=1 << 12)
def _nicknames(first: str) -> frozenset[str]:
    # The package normalises and looks a name up on every call: a question's every word
    # is tried against the same few first names.
    return frozenset(_nicknamer().nicknames_of(first))


def nicknamed(first: str, words: list[str]) -> list[int]:
    """Where ``words`` hold a nickname of the first name ``first`` (:func:`nickname_of`)."""
    if len(first) < 3 or not _nicknames(first):  # most words of names are no first names
        return []
    return [i for i, w in enumerate(words) if nickname_of(first, w)]


def places(word: str, words: list[str]) -> list[int]:
    """Where ``words`` hold ``word`` (as :func:`same_word` says), in order."""
    # same_word needs lengths within two of each other (two edits, or a possessive's
    # "s"): most pairs are told apart without a call.
    n = len(word)
    if n < 4:  # too short for a typo: only the word or its possessive
        possessive = word + "s"
        return [i for i, w in enumerate(words) if w in (word, possessive)]
    return [i for i, w in enumerate(words) if -2 <= len(w) - n <= 2 and same_word(word, w)]


def in_order(
    name: list[str], words: list[str], seen: dict[str, list[int]] | None = None
) -> list[int] | None:
    """Where each word of a name is in ``words`` (equal, a possessive, or a typo of it),
    each after the one before, as tightly as the question allows: a word a name repeats
    is found twice ("No Deposit, No Return"); the first word of a longer name may be typed
    as its nickname ("mike schur"); None when some word isn't there in order. ``seen``:
    :func:`places` of name words in these ``words``, kept by a caller trying many names."""
    seen = {} if seen is None else seen

    def where(part: str) -> list[int]:
        found = seen.get(part)
        if found is None:
            found = seen[part] = places(part, words)
        return found

    best: list[int] | None = None
    # A first name may be typed as its nickname: "mike schur" names Michael Schur.
    lead = where(name[0]) or (nicknamed(name[0], words) if len(name) > 1 else [])
    for first in lead:
        at = [first]
        for part in name[1:]:
            i = next((i for i in where(part) if i > at[-1]), -1)
            if i < 0:
                return best  # later starts find no more than this one did
            at.append(i)
        if best is None or at[-1] - at[0] < best[-1] - best[0]:
            best = at  # the tightest place: "a x a b" holds "a b" at its end
    return best


def typo(typed: str, name: str) -> bool:
    """Whether the typed subject is not just the name's words (a typo of it was matched);
    a season's number beside it is no typo."""
    words = set(normalize(name).split())
    said = {w for w in normalize(typed).split() if not w.isdigit() and w not in ("season", "s")}
    return bool(name) and not said <= words
