"""Turn a message as a user types it into a Question: intent, subject and season."""

from __future__ import annotations

import re

from bot.errors import InvalidInputError
from bot.language.text import normalize
from bot.models import EntityKind, Intent, Question
from bot.validation import MAX_QUESTION

COMMANDS = {i.value: i for i in Intent}

# Words that make a question a question rather than part of the subject. They are
# only dropped at the edges of the subject, so names containing them stay whole.
_LEADING = frozenset(
    """
    a about an and any anything are airing airs be can could did do does dont doesnt else
    episode episodes exactly going gonna happen happened happening how i is isnt its know
    me more next on please plz pls s season series she he show tell the their them there
    they this to u us was what whats when whens where which who whos whom will with
    would you your
    """.split()
)
_TRAILING = frozenset(
    """
    a about again air aired airing airs arrive arrives back be begin begins beginning
    come comes coming confirmed date drop drops dropping due episode exactly film filmed
    filming films get gets going happen happening in is launch netflix new next on out
    please plz pls premiere premiered premieres premiering production release released
    releases releasing return returning returns season series shoot shooting show start
    started starting starts stream streaming the then to was will yet
    """.split()
)
# "the" is kept when it starts a name ("The Defenders"); the index copes either way.

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
_NUM = r"(\d{1,3}|" + "|".join(NUMBER_WORDS) + r")"
_SEASON_PATTERNS = [
    re.compile(r"\bs(\d{1,3})(?:\s*e\d{1,3})?\b"),  # s2, s02, s02e03
    re.compile(r"\b(?:season|series)\s+" + _NUM + r"\b"),  # season 2, season two
    re.compile(r"\b" + _NUM + r"(?:st|nd|rd|th)?\s+(?:season|series)\b"),  # 2nd season
]


# "the villain of X", "release date for X": the question is about X. Only attributes a
# fact can answer are stripped; "the mother of nuke" stays an unknown subject.
_ATTRIBUTE = re.compile(
    r"^(?:the |a |an )?(?:new |next |main |first |latest )?"
    r"(release date|premiere date|air date|start date|date|premiere|release|villains?|"
    r"bad guys?|cast|plot|story|trailer|filming|production|news|status|episodes?|"
    r"showrunner|producer|creator|star|stars|actors?|characters?)"
    r" (?:of|for|in|on) (.+)$"
)
# What an attribute asks, when the question word alone ("what", none) does not say.
_ATTRIBUTE_INTENT = {
    **dict.fromkeys(
        ("release date", "premiere date", "air date", "start date", "date", "premiere"),
        Intent.WHEN,
    ),
    **dict.fromkeys(("release", "filming", "production"), Intent.WHEN),
    **dict.fromkeys(
        ("villain", "villains", "bad guy", "bad guys", "cast", "showrunner", "producer"),
        Intent.WHO,
    ),
    **dict.fromkeys(("creator", "star", "stars", "actor", "actors"), Intent.WHO),
}
# A list shows "Jessica Jones (character)"; typed back, the kind narrows the subject.
_KIND_SUFFIX = re.compile(
    r"\s*\((" + "|".join(k.value for k in EntityKind) + r")(?:\s*#(\d{1,18}))?\)\s*$",
    re.IGNORECASE,
)


# Terminal colour codes and other control characters carry no meaning in a question.
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# The kinds of subject a number beside a name is a season of: "kings 24" is no
# character Kings in season 24.
HAS_SEASONS = (EntityKind.SHOW, EntityKind.SEASON)


def split_kind(text: str) -> tuple[str, EntityKind | None, int | None]:
    """ "Jessica Jones (character)" -> ("Jessica Jones", CHARACTER, None); namesakes of
    one kind are listed with their id: "Nuke (character #8)" -> (..., 8)."""
    m = _KIND_SUFFIX.search(text)
    if not m:
        return text, None, None
    return text[: m.start()], EntityKind(m.group(1).lower()), int(m[2]) if m[2] else None


GLUE = _LEADING | _TRAILING  # how questions are asked around a name


def season_number(word: str) -> int | None:
    """A normalised word as a season number ("2", "two", "second" -> 2), else None."""
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word)


def _number(word: str) -> int:
    return NUMBER_WORDS.get(word) or int(word)


# A leading mention is a prefix: Discord sends "@showbot who nuke" as "<@BOTID> who nuke"
# (<@!BOTID> from older clients). Which bot it names is the client's business.
_MENTION_PREFIX = re.compile(r"^<@!?\d{1,20}>\s*")


def split_command(message: str, prefix: str = "!") -> tuple[Intent, str, bool]:
    """Split ``!when jessica jones s2`` (or ``<@BOTID> when jessica jones s2``) into
    (WHEN, "jessica jones s2", explicit)."""
    text = message.strip()
    mention = _MENTION_PREFIX.match(text)
    if mention:  # read as the prefix: "<@BOTID> who nuke" is "!who nuke"
        text = prefix + text[mention.end() :] if prefix else text[mention.end() :]
    if prefix and text.startswith(prefix):
        head, _, rest = text[len(prefix) :].partition(" ")
        intent = COMMANDS.get(head.lower())
        if intent is not None:
            return intent, rest.strip(), intent is not Intent.ASK
        # An unknown command word is the subject itself: "!nuke" asks about Nuke.
        return Intent.ASK, text[len(prefix) :].strip(), False
    return Intent.ASK, text, False


_RAW_SEASONS = [re.compile(p.pattern, re.IGNORECASE) for p in _SEASON_PATTERNS]
_DIGIT = re.compile(r"\d")  # the patterns' \d: any Unicode digit


def split_season(name: str) -> tuple[str, int | None]:
    """ "The Crown season 2" -> ("The Crown", 2), keeping the name as typed."""
    for pattern in _RAW_SEASONS:
        m = pattern.search(name)
        if m:
            rest = (name[: m.start()] + " " + name[m.end() :]).split()
            return " ".join(rest).strip(" -:,"), _number(m.group(1).lower())
    return name.strip(), None


def extract_season(text: str) -> tuple[str, int | None]:
    """Find "s2" / "season two" / "2nd season" in normalised text; return (rest, season)."""
    if "season" not in text and "series" not in text and not _DIGIT.search(text):
        return text, None  # what every pattern needs is missing (most names): no regex run
    for pattern in _SEASON_PATTERNS:
        m = pattern.search(text)
        if m:
            rest = (text[: m.start()] + " " + text[m.end() :]).split()
            return " ".join(rest), _number(m.group(1))
    return text, None


def _infer_intent(words: list[str]) -> Intent:
    for word in words[:3]:
        if word in ("when", "whens"):
            return Intent.WHEN
        if word in ("who", "whos", "whom"):
            return Intent.WHO
        if word in ("what", "whats", "which"):
            return Intent.WHAT
    return Intent.ASK


def strip_question_words(words: list[str]) -> list[str]:
    start, end = 0, len(words)
    while start < end and words[start] in _LEADING:
        start += 1
    while end > start and words[end - 1] in _TRAILING:
        end -= 1
    kept = words[start:end]
    # Keep a leading "the" that belongs to a name; it was dropped above only if the
    # whole subject was question words, in which case nothing is left anyway.
    if start > 0 and words[start - 1] == "the" and kept:
        kept = ["the", *kept]
    return kept


# An episode asked about: "s2e3", "s02 e03", "season 2 episode 3", "season 2 ep 3".
_EPISODE = re.compile(r"\bs\d{1,3}\s*e(\d{1,3})\b|\b(?:episode|ep)\s+(\d{1,3})\b")
_EPISODE_WORDS = re.compile(r"\b(?:episode|ep)\s+\d{1,3}\b")

# Question words as fans often type them, corrected when they lead a question.
_MISSPELT = {
    "wen": "when",
    "whn": "when",
    "wat": "what",
    "wut": "what",
    "wht": "what",
    "wats": "whats",
    "hu": "who",
    "wer": "where",
    "whr": "where",
    "hw": "how",
}


def _too_long(length: int) -> str:
    return f"That question is {length:,} characters long; please keep it under {MAX_QUESTION}."


def parse_question(message: str, prefix: str = "!", intent: Intent | None = None) -> Question:
    """Parse one message; raise InvalidInputError when there is nothing to ask about.

    With ``intent`` (a slash command's), ``message`` is only the subject text.
    """
    if len(message) > MAX_QUESTION * 4:  # don't even normalise a novel
        raise InvalidInputError(_too_long(len(message)))
    message = _CONTROL.sub("", message)
    if intent is None:
        intent, rest, explicit = split_command(message, prefix)
    else:
        rest, explicit = message.strip(), intent is not Intent.ASK
    explicit_command = explicit  # named by the command itself, not by a question word
    typed = rest.strip()
    if len(rest) > MAX_QUESTION:
        raise InvalidInputError(_too_long(len(rest)))
    rest, kind, picked = split_kind(rest)
    norm = normalize(rest)
    words = norm.split()
    if words and words[0] in _MISSPELT:  # "wen is s3 out": how fans type "when"
        words[0] = _MISSPELT[words[0]]
    if intent is Intent.ASK:
        inferred = _infer_intent(words)
        if inferred is not Intent.ASK:
            intent, explicit = inferred, True
    if kind is None or kind in HAS_SEASONS:
        norm, season = extract_season(" ".join(words))
    else:  # "Agent 13 (character)": a number in a character's name is no season
        norm, season = " ".join(words), None
    episode = _EPISODE.search(" ".join(words)) if season is not None else None
    if episode is not None:  # "season 2 episode 3": the episode is no part of the name
        norm = " ".join(_EPISODE_WORDS.sub(" ", norm).split())
    subject = " ".join(strip_question_words(norm.split()))
    attribute = _ATTRIBUTE.match(subject)
    if attribute:
        subject = " ".join(strip_question_words(attribute.group(2).split()))
        if intent in (Intent.WHAT, Intent.ASK) and not explicit_command:
            intent = _ATTRIBUTE_INTENT.get(attribute.group(1), intent)
    if not subject and season is None:
        raise InvalidInputError(
            "Ask me about a show, season, character or person, e.g. `!when jessica jones s2`."
        )
    if picked is not None:  # a listed namesake, chosen by its id
        subject, season = f"#{picked}", None
    return Question(
        raw=message,
        intent=intent,
        subject=subject,
        season=season,
        explicit_intent=explicit,
        kind=kind,
        words=tuple(words),
        attribute=attribute is not None,
        name_command=explicit_command,
        typed=typed,
        episode=int(next(g for g in episode.groups() if g)) if episode else None,
    )
