"""The subjects a question names inside its words, as the pipeline weighs them: which
are named apart and as typed, and which are only part of a longer name the facts hold;
and a question that only asks who or what a name is, answered only by a fact saying it.
"""

from __future__ import annotations

import re

from bot.answering.lookup import NOISE
from bot.answering.subjects import Mention, Resolution, Subjects
from bot.answering.typed import in_order, typed_whole
from bot.answering.vocabulary import names_nothing
from bot.language.embedding import name_like
from bot.language.text import FUNCTION_WORDS, normalize
from bot.models import EntityKind, Question
from bot.store.factindex import FactIndex

MAX_NAMED = 3  # subjects named in one question that are each tried


def distinct(mentions: list[Mention], words: list[str]) -> list[Mention]:
    """The first mention, then each other subject's named apart from it (no shared word)
    and as typed (no typo: "spede" is no second subject beside "spede pasanen")."""
    if not mentions:
        return []
    first = mentions[0]
    seen = {first.entity.id}
    out = [first]
    for m in mentions[1:]:
        apart = m.end <= first.start or m.start >= first.end
        typed = [w for w in words[m.start : m.end] if w not in FUNCTION_WORDS]
        exact = all(spelled(w, m.entity.name) for w in typed)
        if apart and exact and m.entity.id not in seen:
            seen.add(m.entity.id)
            out.append(m)
    return out


def spelled(word: str, name: str) -> bool:
    """Whether a word is a part of the name as it is spelled (or its possessive)."""
    return any(word in (part, part + "s") for part in normalize(name).split())


def inside_a_longer_name(
    docs: FactIndex, m: Mention, words: list[str], guild_id: int | None
) -> bool:
    """Whether a one-word name the question holds is only part of a longer name the
    facts hold ("michael winner" is not about a film called Michael when a fact is
    tagged "michael winner"), or is a near-spelling of it while the word as typed is
    itself a name there ("stoner" is not the film Stoker when a fact is tagged
    "stoner")."""
    typed = [w for w in words[m.start : m.end] if w not in FUNCTION_WORDS]
    if len(typed) != 1:
        return False
    if m.typo:  # a near-spelling of the name (or alias) it matched
        return docs.in_a_name(typed[0], guild_id)
    own = set(normalize(m.entity.name).split())

    def beside(i: int) -> bool:  # a word that could make the name longer
        return 0 <= i < len(words) and words[i] not in own and not names_nothing([words[i]])

    typed_name = " ".join(words[m.start : m.end])
    longer = [
        *([f"{words[m.start - 1]} {typed_name}"] if beside(m.start - 1) else []),
        *([f"{typed_name} {words[m.end]}"] if beside(m.end) else []),
    ]
    return any(docs.in_a_name(phrase, guild_id) for phrase in longer)


def named_in_question(
    subjects: Subjects, docs: FactIndex, words: list[str], guild_id: int | None
) -> list[Mention]:
    """The known subjects the question's words name (:meth:`Subjects.mentions`), but for
    words that only ask for a kind ("movies") and names only inside a longer one."""
    return [
        m
        for m in subjects.mentions(words, guild_id)
        if (
            not names_nothing(words[m.start : m.end])
            # A title of glue words typed whole names it ("just go with it")
            or (
                len(normalize(m.entity.name).split()) > 2
                and typed_whole(normalize(m.entity.name).split(), words) > 0
            )
        )
        and not inside_a_longer_name(docs, m, words, guild_id)
    ]


_ASKING = frozenset(("who", "whos", "what", "whats", "is", "are", "was", "were"))
_ARTICLES = frozenset(("the", "a", "an"))


def only_a_name(q: Question) -> bool:
    """Whether the question asks who or what something is and says nothing else ("who is
    daredevil"): only that subject's own facts could answer it, not one mentioning it."""
    words = list(q.words)
    lead = 0
    while lead < len(words) and words[lead] in _ASKING:
        lead += 1
    rest = [w for w in words[lead:] if w not in _ARTICLES]
    copula = any(w in ("is", "are", "was", "were", "whos", "whats") for w in words[:lead])
    return (
        copula
        and 0 < len(rest) <= 3
        and rest == [w for w in q.subject.split() if w not in _ARTICLES]
    )


def names_someone(q: Question) -> bool:
    """Whether the subject asked about holds a name-like word ("daredevil"), not only
    everyday ones ("the first opening song" is a thing to look for, not a name)."""
    return any(name_like(w) for w in q.subject.split() if w not in FUNCTION_WORDS)


def identifies(text: str, phrase: str) -> bool:
    """Whether a fact says that its subject is ``phrase``: the phrase completes a clause
    after "is", "was", "and" or "as" ("Bertolt is the Colossal Titan, who ..."), not a
    word inside another ("first introduced in the Daredevil comics")."""
    words = [w for w in phrase.split() if w not in _ARTICLES]
    if not words:
        return False
    for clause in _CLAUSES.split(text):
        said = normalize(clause).split()
        n = len(words)
        for i in range(1, len(said) - n + 1):
            if said[i : i + n] != words:
                continue
            before = said[i - 1] if said[i - 1] not in _ARTICLES or i < 2 else said[i - 2]
            after = said[i + n] if i + n < len(said) else ""
            if before in _COPULAS and after in ("", "who", "which", "that", "and"):
                return True
    return False


_CLAUSES = re.compile(r"[,.;:!?()]")
_COPULAS = frozenset(("is", "was", "are", "were", "and", "as", "becomes", "became"))


def in_typed_order(
    found: Resolution,
    words: list[str],
    subjects: Subjects,
    docs: FactIndex,
    guild_id: int | None,
    kind: EntityKind | None = None,
) -> Resolution:
    """The subject a name matched only with its words out of order is not the one typed:
    "what kind of movie is crazy love" names Crazy Love, not Crazy Kind of Love; "movies
    about keith david" names no David Keith where the facts hold "keith david" as a name.
    Another subject named in order wins; else, a name the facts hold as typed leaves the
    question about no known subject; else the match stands. Of two subjects tied, the
    one whose name is typed whole is meant ("when was heaven and earth made" is not about
    Made in Heaven)."""
    if found.ambiguous:
        whole = [
            c
            for c in found.candidates
            if (name := [w for w in normalize(c.entity.name).split() if w not in NOISE])
            and typed_whole(name, words)
        ]
        tied = {c.entity.id for c in found.candidates}
        if (
            len(whole) == 1
            and len(whole[0].entity.name.split()) > 1
            and len(tied) > 1
            # ...unless another of them is called that too (an alias): a real namesake
            and len(tied & {e.id for e in subjects.named_exactly(whole[0].entity.name, guild_id)})
            == 1
        ):
            return Resolution(whole[0].entity, whole[0].score, text=whole[0].entity.name)
    if found.entity is None:
        return found
    name = [w for w in normalize(found.text).split() if w not in NOISE]
    if len(name) < 2 or set(words) <= set(name):
        return found  # nothing else typed ("keith david" alone asks for it)
    at = in_order(name, words)
    if at is not None and not any(
        words[i] not in NOISE for i in range(min(at), max(at) + 1) if i not in at
    ):
        return found  # in order, with no other word inside it (a typo of one at most)
    typed = [
        m
        for m in named_in_question(subjects, docs, words, guild_id)
        if not m.partial
        and not m.typo
        and m.end - m.start >= 2
        and m.entity != found.entity
        and kind in (None, m.entity.kind)  # "X (character)" asks for a character
    ]
    if typed:  # another name typed whole: "year of top gun" is not Year of the Gun
        return Resolution(typed[0].entity, typed[0].score, text=typed[0].entity.name)
    if at is not None:
        return found
    held = [i for i, w in enumerate(words) if w in name]
    if held and docs.in_a_name(" ".join(words[min(held) : max(held) + 1]), guild_id):
        return Resolution(None, 0.0)
    return found
