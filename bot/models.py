"""Plain data the engine passes around: no I/O, no Discord."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from enum import StrEnum


class Intent(StrEnum):
    """What kind of answer a question asks for."""

    WHEN = "when"
    WHO = "who"
    WHAT = "what"
    ASK = "ask"  # free question: the intent is inferred


class Kind(StrEnum):
    """The question a fact answers (the three concrete intents)."""

    WHEN = "when"
    WHO = "who"
    WHAT = "what"


class Status(StrEnum):
    """How certain a fact is; rumors and predictions are always spoiler-tagged."""

    CONFIRMED = "confirmed"
    REPORTED = "reported"
    RUMOR = "rumor"
    PREDICTION = "prediction"

    @property
    def speculative(self) -> bool:
        return self in (Status.RUMOR, Status.PREDICTION)


class Verdict(StrEnum):
    """What became of a rumor or prediction (`!fact resolve`)."""

    CAME_TRUE = "came true"
    BUSTED = "busted"


class EntityKind(StrEnum):
    SHOW = "show"
    SEASON = "season"
    CHARACTER = "character"
    PERSON = "person"
    ORGANISATION = "organisation"
    THING = "thing"
    EVENT = "event"


# Which entity kinds an intent prefers when two subjects match equally well
# ("Jessica Jones" is both a show and a character).
PREFERRED_KINDS: dict[Intent, tuple[EntityKind, ...]] = {
    Intent.WHEN: (EntityKind.SEASON, EntityKind.SHOW, EntityKind.EVENT),
    Intent.WHO: (EntityKind.CHARACTER, EntityKind.PERSON, EntityKind.ORGANISATION),
    Intent.WHAT: (EntityKind.ORGANISATION, EntityKind.THING, EntityKind.SHOW, EntityKind.EVENT),
    Intent.ASK: (),
}

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
# calendar.month_name formats a date on every lookup; nothing here changes the locale.
_MONTHS = tuple(calendar.month_name)


@dataclass(frozen=True, slots=True, order=True)
class FuzzyDate:
    """A date known to a year, a month or a day ("2017", "2016-01", "2016-09-30")."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> FuzzyDate:
        """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise ValueError otherwise."""
        m = _DATE_RE.match(text.strip())
        if not m:
            raise ValueError(f"not a date: use 2017, 2016-09 or 2016-09-30 (got {text[:40]!r})")
        year, month, day = (int(g) if g else None for g in m.groups())
        assert year is not None
        if not 1800 <= year <= 2999:
            raise ValueError(f"year {year} is out of range")
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"month {month} is out of range")
        if day is not None:
            assert month is not None
            if not 1 <= day <= calendar.monthrange(year, month)[1]:
                raise ValueError(f"day {day} does not exist in {calendar.month_name[month]}")
        return cls(year, month, day)

    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def words(self) -> str:
        """The date as readers write it: "30 September 2016", "January 2016", "2017"."""
        if self.month is None:
            return str(self.year)
        month = _MONTHS[self.month]
        if self.day is None:
            return f"{month} {self.year}"
        return f"{self.day} {month} {self.year}"

    def __str__(self) -> str:
        return self.iso()


def seen_in(owner: int | None, guild_id: int | None) -> bool:
    """Whether a row a server owns (``owner``; None: global) is seen in ``guild_id``."""
    return owner is None or owner == guild_id


@dataclass(frozen=True, slots=True)
class Entity:
    id: int
    name: str
    kind: EntityKind
    show_id: int | None = None
    season: int | None = None
    guild_id: int | None = None  # None: global

    def visible_in(self, guild_id: int | None) -> bool:
        """Global entities are seen everywhere; a server's own only there."""
        return seen_in(self.guild_id, guild_id)


@dataclass(frozen=True, slots=True)
class Source:
    id: int
    title: str
    publisher: str | None = None
    url: str | None = None
    date: FuzzyDate | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class Fact:
    id: int
    entity_id: int
    kind: Kind
    text: str
    status: Status
    spoiler: bool
    date: FuzzyDate | None
    source: Source | None
    quote: str | None
    guild_id: int | None
    version: int
    deleted: bool = False
    overrides: int | None = None  # the global fact this server's fact replaces
    hides: bool = False  # this override hides the global fact instead of replacing it
    outcome: Verdict | None = None  # a rumor's or prediction's, once resolved
    outcome_note: str | None = None
    outcome_at: str | None = None  # when it was resolved (ISO time)
    unspoiled: bool = False  # came true, and a moderator lifted its spoiler tag

    @property
    def hidden(self) -> bool:
        """Whether the fact must be spoiler-tagged when shown."""
        return self.spoiler or (self.status.speculative and not self.unspoiled)

    @property
    def resolved(self) -> Verdict | None:
        """The outcome that counts: only a rumor's or a prediction's."""
        return self.outcome if self.status.speculative else None


@dataclass(frozen=True, slots=True)
class Question:
    """A user's message, parsed: the intent and the subject it is about."""

    raw: str
    intent: Intent
    subject: str  # the subject text with question words and the season removed
    season: int | None = None
    explicit_intent: bool = False  # the user named the intent (command or question word)
    kind: EntityKind | None = None  # "(character)" typed after the name
    words: tuple[str, ...] = ()  # the whole question, normalised (free questions search it)
    attribute: bool = False  # "the villain of X": asks about something of X, not X itself
    # A name command (`!who X`, `/who`): all it gives is a name, not a question around one.
    name_command: bool = False
    typed: str = ""  # the message as typed, without its command ("who plays x")
    episode: int | None = None  # "s2e3", "season 2 episode 3": the episode asked about


@dataclass(frozen=True, slots=True)
class Suggestion:
    entity: Entity
    score: float


@dataclass(frozen=True, slots=True)
class Answer:
    """The engine's reply to one question, before rendering."""

    question: Question
    intent: Intent  # the intent answered (ASK resolved where it could be)
    entity: Entity | None
    score: float
    facts: tuple[Fact, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    ambiguous: bool = False
    other_facts: bool = False  # facts shown are not for the asked intent (none were)
    problem: str | None = None  # why the question could not be read (empty, too long, ...)
    # Which path answered: "subject" (a name), "facts" (a free question) or "named" (facts
    # of other subjects that name this one: an actor's films).
    via: str = "subject"
    fact_scores: tuple[float, ...] = ()  # the free path's score (0-1) per fact shown
    # The subject is known but nothing says what the rest of the question asks: the facts
    # shown are what is known about it, not an answer.
    partial: bool = False
    typo_of: str | None = None  # what was typed, when the subject shown is its typo's

    @property
    def answered(self) -> bool:
        return (
            self.entity is not None
            and bool(self.facts)
            and not self.other_facts
            and not self.partial
        )


@dataclass(frozen=True, slots=True)
class Reply:
    """What gets posted: the text of a message, plus suggested subjects for its buttons."""

    content: str
    intent: Intent = Intent.ASK
    suggestions: tuple[tuple[str, int], ...] = field(default=())  # (label, entity id)
    error: bool = False


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change, and in which server (None: global, e.g. the CLI or the owner)."""

    id: int | None = None
    name: str | None = None
    guild_id: int | None = None
    owner: bool = False  # the bot's owner may change global facts


SYSTEM = Actor(id=None, name="showbot", guild_id=None, owner=True)
