"""Amounts asked and said: "how many", "how old", "how long" ask for an amount, and only a
fact holding a number (or a date) says one (bot/answering/grounding.py, retrieval.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.language.text import FUNCTION_WORDS
from bot.models import Fact

__all__ = ["amount_asked", "says_a_span", "says_amount", "says_the_amount"]

# "how many", "how old", "how long": an amount is asked, and only a fact holding a number
# (or a date) says one ("Zeke is Eren's older half-brother" says no age).
_AMOUNTS = frozenset("many much old long tall often far big".split())
# Number words, lowercase in a fact (capitalised, they are names: "Seven of Nine"); not
# "one": "one of the Warriors" counts nothing.
_COUNTED = frozenset(
    """two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy
    eighty ninety hundred thousand million billion dozen once twice""".split()
)


_COUNTS = frozenset(("many", "much"))
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_YEAR = re.compile(r"(?:1[89]|20)\d\d")
# Numbers that only say which one: "season 2", "episode 3", a date written out.
_WHICH = re.compile(
    r"\b(?:season|series|episode|part|chapter|volume|s)\s*\d+\b|\b\d{4}-\d{2}(?:-\d{2})?\b",
    re.IGNORECASE,
)
_LOWER_WORDS = re.compile(r"(?<![\w-])[a-z]+(?![\w-])")


def amount_asked(words: Sequence[str]) -> str | None:
    """The amount a question asks for ("many" in "how many", "old" in "how old"), if any:
    "how" opening the question or a clause ("so how old is eren"), not inside a title
    ("who directed how old are you")."""
    return next(
        (
            after
            for before, w, after in zip(["", *words], words, words[1:], strict=False)
            if w == "how" and after in _AMOUNTS and (not before or before in FUNCTION_WORDS)
        ),
        None,
    )


# How a fact says how long: "since 1990", "from 2013 to 2022", "for two years", "39 episodes".
_DURATION = re.compile(
    r"\bsince\s+(?:\w+\s+)?\d{4}\b|\bfrom\s+(?:\w+\s+)?\d{4}\s+(?:to|until|till)\b"
    r"|\b\d{4}\s*[-\u2013]\s*\d{2,4}\b"
    r"|\b(?:\d+|" + "|".join(sorted(_COUNTED)) + r")\s+(?:years?|months?|weeks?|days?|hours?"
    r"|minutes?|decades?|seasons?|series|episodes?)\b",
)


def says_the_amount(text: str, amount: str) -> bool:
    """Whether a fact's text says the amount asked the way a fact says it: a count by a
    number that is not only which one ("four seasons", not "season 2"); how long by a
    span of time ("since 1990", "for two years", not "in 2006" or "two tours"). No other
    amount is said by a number alone: a year is no age or height."""
    if amount in _COUNTS:
        return _counts(_WHICH.sub(" ", text))
    return amount == "long" and bool(_DURATION.search(text))


def says_amount(fact: Fact, amount: str) -> bool:
    """Whether a fact holds what an amount asked could be: a number (or a date, for any
    amount but a count: "in 1994" says when, not how many times). A number naming which
    one ("season 2") or inside a name ("Seven of Nine", "Brooklyn Nine-Nine") is none."""
    text = _WHICH.sub(" ", " ".join(filter(None, (fact.text, fact.quote))))
    if amount in _COUNTS:
        return _counts(text)
    return _counts(text) or bool(_NUMBER.search(text)) or fact.date is not None


def _counts(text: str) -> bool:
    """Whether a text (its "which one" numbers taken out) holds a count: a number word,
    or a number that is no year."""
    return any(w in _COUNTED for w in _LOWER_WORDS.findall(text)) or any(
        not _YEAR.fullmatch(n) for n in _NUMBER.findall(text)
    )


# A time span written out: "from 2009 to 2021", "between 1963 and 1989", "2013-2022",
# "until 2022": it says when something began and when it ended.
_SPAN = re.compile(
    r"\b(?:from|between)\b[^;.]{0,40}?\b(?:to|until|till|and)\b[^;.]{0,20}?\b(?:1[89]|20)\d\d\b"
    r"|\b(?:1[89]|20)\d\d\s*(?:-|–|to)\s*(?:(?:1[89]|20)?\d\d|present)\b"
    r"|\b(?:until|till)\b[^;.]{0,20}?\b(?:1[89]|20)\d\d\b",
    re.IGNORECASE,
)


def says_a_span(text: str) -> bool:
    """Whether a fact says a span of time ("ran from 2015 to 2022"): when something
    started and ended, asked "when did X end"."""
    return _SPAN.search(text) is not None
