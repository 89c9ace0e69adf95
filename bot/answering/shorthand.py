"""Fans' shorthand and misspellings ("gf", "eps", "happend") read as the words facts
spell out (bot/data/slang.txt), and a show's initials ("bb") as its title, in free
questions, unless the store holds the word as typed: a fact's word ("THX 1138"), a
taught question's, or a subject's name or alias ("GF" for Gravity Falls). A name
command ("!who gf") names what it types, as a moderator's command would."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from importlib import resources

from bot.answering.questions import parse_question
from bot.answering.subjects import Subjects, parse_id
from bot.answering.typed import given_name
from bot.answering.vocabulary import everyday, maybe_names
from bot.errors import InvalidInputError
from bot.language.text import FUNCTION_WORDS, normalize, stem
from bot.models import EntityKind, Question
from bot.store.core import Store


@lru_cache(maxsize=1)
def spelled_out() -> dict[str, str]:
    """Typed word -> the words meant, from bot/data/slang.txt."""
    text = resources.files("bot").joinpath("data/slang.txt").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        typed, sep, meant = line.partition(":")
        if sep and not line.lstrip().startswith("#"):
            out[normalize(typed)] = normalize(meant)
    return out


def initials(name: str) -> set[str]:
    """How fans shorten a title of several words: its initials, with and without a
    leading "the" ("Breaking Bad": "bb"; "The Walking Dead": "twd", "wd")."""
    words = [w for w in normalize(name).split() if w.isalnum()]
    out = set()
    for run in (words, words[1:] if words[:1] == ["the"] else []):
        if len(run) >= 2:
            out.add("".join(w[0] for w in run))
    return {i for i in out if 2 <= len(i) <= 5 and i not in FUNCTION_WORDS}


def shows_by_initials(subjects: Subjects, guild_id: int | None) -> dict[str, str]:
    """Initials -> the name of the one show a server sees with them ("dw": "Doctor Who"),
    where it sees few shows (a fan server; in a catalogue of films, initials name
    nothing: too many share them)."""
    found: dict[str, set[str]] = {}
    for show in subjects.few_of((EntityKind.SHOW,), guild_id):
        for typed in initials(show.name):
            found.setdefault(typed, set()).add(normalize(show.name))
    return {typed: next(iter(names)) for typed, names in found.items() if len(names) == 1}


# What fans type in chat that a show's initials could spell: never read as a title.
_CHAT = frozenset(
    """ok tv ep eps op ed ps dm np jk vs hp gg dr mr ms mrs tw uk us pm am rn ty bc ik fr
    ya yt ig fb pc cg fx vo lol omg idk tbh imo ngl btw irl afaik hbo bbc itv mcu dc nsfw
    tldr wtf smh fyi asap diy""".split()
)


def _initials_typed(words: Sequence[str], typed: str) -> bool:
    """Whether ``typed`` stands alone as initials wherever it is typed: not a first name
    ("lou"), not chat ("op", "tv"), nor part of a name ("bb king", "st vincent", "ts
    eliot": a first name or a name-like word after it)."""
    if typed in _CHAT or given_name(typed):
        return False
    names = maybe_names(words)
    return all(
        i + 1 >= len(words)
        or not (names[i + 1] or (given_name(words[i + 1]) and not everyday(words[i + 1])))
        for i, w in enumerate(words)
        if w == typed
    )


def read_shorthand(q: Question, store: Store, subjects: Subjects, guild_id: int | None) -> Question:
    """``q`` with the shorthand the store doesn't hold spelt out (the question as typed
    otherwise unchanged: its raw text, what was typed, the kind of subject asked for)."""
    meant = slang = spelled_out()
    if shows := shows_by_initials(subjects, guild_id):
        meant = {**shows, **slang}  # slang first: "op" is an opening before a title
    typed = [w for w in dict.fromkeys(q.words) if w in meant]
    if not typed or q.name_command or parse_id(q.subject) is not None:
        return q
    taught = store.phrasings.matching(typed, guild_id).freqs
    keep = {
        w
        for w in typed
        if taught.get(stem(w))
        or store.docs.holds([w], guild_id)  # the facts this server sees only
        or subjects.named_exactly(w, guild_id)
        or (w in shows and w not in slang and not _initials_typed(q.words, w))
    }
    if len(keep) == len(typed):
        return q
    words = [
        x for w in q.words for x in (meant[w].split() if w in meant and w not in keep else [w])
    ]
    kind = f" ({q.kind.value})" if q.kind is not None else ""  # "agent s2": no season
    try:
        read = parse_question(" ".join(words) + kind)
    except InvalidInputError:
        return q  # nothing left to ask once spelt out ("eps?"), or too long: as typed
    return replace(read, raw=q.raw, typed=q.typed)
