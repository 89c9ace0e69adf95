"""What the words of a question are, before any fact is read: words asking for a kind of
subject ("movies"), a date or an event; words of a category (bot/data/categories.txt:
"language" is said by "Japanese"); and words that may be names the store doesn't know."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

from bot.answering.typed import given_name
from bot.language.embedding import embedder, name_like
from bot.language.text import FUNCTION_WORDS, normalize, stem
from bot.models import EntityKind

# Words that ask for a kind of subject rather than say anything: held by every fact
# about (or naming) a subject of that kind.
KIND_WORDS: dict[str, tuple[EntityKind, ...]] = {
    **dict.fromkeys(("show", "seri", "tv", "movi", "film", "filmographi"), (EntityKind.SHOW,)),
    **dict.fromkeys(("charact", "role"), (EntityKind.CHARACTER,)),
    **dict.fromkeys(("actor", "actress"), (EntityKind.PERSON,)),
    **dict.fromkeys(("season",), (EntityKind.SEASON,)),
    **dict.fromkeys(("organis", "organ", "group", "compani"), (EntityKind.ORGANISATION,)),
}


def names_nothing(words: Sequence[str]) -> bool:
    """Whether words a name matched only ask for a kind ("movies": not a film called
    Movie Movie) or are function words."""
    return all(stem(w) in KIND_WORDS or w in FUNCTION_WORDS for w in words)


# Words that ask for a date: held by every dated fact.
DATE_WORDS = frozenset(("year", "date", "when", "dai", "month"))
# Words that ask what befell a subject ("what happened to X"): held by every fact of it.
EVENT_WORDS = frozenset(("happen",))


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
        for word in head.split("/"):  # "job / occupation: ...": one list, several heads
            key = stem(normalize(word))
            out[key] = out.get(key, frozenset()) | names
    return out


@lru_cache(maxsize=1)
def _proper() -> frozenset[str]:
    found = categories()
    return found.get(stem("language"), frozenset()) | found.get(stem("nationality"), frozenset())


def proper(word: str) -> bool:
    """Whether a word names a language or a nation ("german"): as particular as a name,
    though a dictionary holds it. A fact not saying it says nothing of it."""
    return stem(word) in _proper()


def maybe_names(words: Sequence[str]) -> list[bool]:
    """Whether each typed word may name someone or something: a rare word to the model,
    as names are ("rastornalurs"); a language or nation ("german"), as particular as a
    name; or a first name before such a word ("ben mitchell"; not one that is an everyday
    word, "win", "august", nor one before a number). Unseen in a store, such a word is
    most likely a subject it doesn't know, and no other subject's fact answers for it."""
    return list(_maybe_names(tuple(words)))


@lru_cache(maxsize=1 << 12)  # asked of one question's words at several steps
def _maybe_names(words: tuple[str, ...]) -> tuple[bool, ...]:
    rare = [
        (name_like(w) and not (i and _described(words[i - 1]) and _inflected(w))) or proper(w)
        for i, w in enumerate(words)
    ]
    return tuple(
        rare[i]
        or (
            i + 1 < len(words)
            and rare[i + 1]
            and words[i + 1].isalpha()  # "august 2022" is a date
            and w not in FUNCTION_WORDS
            and w not in _EVERYDAY
            and given_name(w)
        )
        for i, w in enumerate(words)
    )


# Endings of an inflected word, and what its base ends with instead ("writing": "write").
_INFLECTIONS = (
    ("s", ""),
    ("es", ""),
    ("ed", ""),
    ("ed", "e"),
    ("d", ""),
    ("ing", ""),
    ("ing", "e"),
)


def _described(before: str) -> bool:
    """Whether the word before an inflected one makes it a word of a description ("writing
    credits"), not a name: an everyday word, not a function word ("who did mills play"),
    a first name ("tonya harding") or another rare word."""
    return before not in FUNCTION_WORDS and not given_name(before) and not name_like(before)


@lru_cache(maxsize=1 << 14)
def _inflected(word: str) -> bool:
    """Whether a word rare to the model is an inflection of a word it knows whole
    ("credits", "leaked", "filmed"): after an everyday word, an everyday word too, not a
    name ("mills", "harding" may be either). A base that is a first name ("roberts",
    "evans") leaves it a name."""
    pieces = embedder().pieces
    for ending, base_end in _INFLECTIONS:
        if word.endswith(ending):
            base = word[: -len(ending)] + base_end
            if len(base) >= 4 and pieces(base) == 1 and not given_name(base):
                return True
    return False


def everyday(word: str) -> bool:
    """Whether a first name is an everyday word more often than a name in a question
    ("win", "will", "may")."""
    return word in _EVERYDAY


# First names (or nicknames) that are everyday words more often than names in a question:
# "did nadiya win bake off", "was he arrested in august", "is jack the ripper in it".
_EVERYDAY = frozenset(
    """will may june august april win mark rose bill art pat sue rob jack frank faith joy
    ray drew gene dawn chase don guy max kit day king rich cliff angel crystal penny ginger
    sandy rusty ivy lily daisy sonny victor bob jay glen grant hope summer sunny star""".split()
)
