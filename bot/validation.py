"""Checks on values users and files supply: one place for every limit and parser.

Each function returns the clean value or raises InvalidInputError naming the field.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from bot.errors import InvalidInputError
from bot.models import EntityKind, FuzzyDate, Kind, Status, Verdict

MAX_NAME = 100
MAX_FACT_TEXT = 600
MAX_QUOTE = 600
MAX_TITLE = 200
MAX_PUBLISHER = 100
MAX_URL = 500
MAX_NOTES = 600
MAX_QUESTION = 400  # a question longer than this is not a question
MAX_OUTCOME_NOTE = 300  # `fact resolve ... note:`: a line beside the fact, not an essay

_TRUE = {"yes", "y", "true", "1", "on"}
_FALSE = {"no", "n", "false", "0", "off"}
_URL_RE = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)


def clean_text(value: object, field: str, max_len: int, *, required: bool = True) -> str | None:
    """Strip control characters and surrounding space, fold newlines, bound the length."""
    if value is None:
        if required:
            raise InvalidInputError(f"{field}: is required")
        return None
    if not isinstance(value, str):
        raise InvalidInputError(f"{field}: must be text")
    text = "".join(
        " " if ch in "\r\n\t" else ch
        for ch in value
        if ch in "\r\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    text = " ".join(text.split())
    if not text:
        if required:
            raise InvalidInputError(f"{field}: must not be empty")
        return None
    if len(text) > max_len:
        raise InvalidInputError(f"{field}: is {len(text)} characters; the limit is {max_len}")
    return text


def _choice(value: object, field: str, enum: type[StrEnum]) -> str:
    text = str(value).strip().lower() if isinstance(value, str) else None
    options = [e.value for e in enum]
    if text is None or text not in options:
        shown = repr(value)[:40]
        raise InvalidInputError(f"{field}: {shown} is not one of {', '.join(options)}")
    return text


def parse_status(value: object, field: str = "status") -> Status:
    return Status(_choice(value, field, Status))


def parse_kind(value: object, field: str = "kind") -> Kind:
    return Kind(_choice(value, field, Kind))


_OUTCOMES = {"came true": Verdict.CAME_TRUE, "busted": Verdict.BUSTED, "open": None}


def parse_outcome(value: object, field: str = "outcome") -> Verdict | None:
    """``came true`` or ``busted``; ``open`` (no outcome) is None."""
    text = " ".join(str(value).lower().replace("-", " ").replace("_", " ").split())
    if not isinstance(value, str) or text not in _OUTCOMES:
        shown = repr(value)[:40]
        raise InvalidInputError(f"{field}: {shown} is not one of came true, busted, open")
    return _OUTCOMES[text]


def parse_days(value: object, field: str = "days", most: int = 365) -> int:
    """A whole number of days, 1 to ``most``."""
    text = str(value).strip().lower().removesuffix("days").removesuffix("day").strip()
    wrong = isinstance(value, bool) or not text.isascii() or not text.isdigit()
    if wrong or len(text) > 6 or not 1 <= int(text) <= most:
        shown = str(value)[:20]
        raise InvalidInputError(f"{field}: say a number of days from 1 to {most} (got {shown!r})")
    return int(text)


def parse_entity_kind(value: object, field: str = "kind") -> EntityKind:
    if isinstance(value, str) and value.strip().lower() == "organization":
        value = "organisation"
    return EntityKind(_choice(value, field, EntityKind))


def parse_date(value: object, field: str = "date") -> FuzzyDate | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise InvalidInputError(f"{field}: must be text like 2017, 2016-09 or 2016-09-30")
    try:
        return FuzzyDate.parse(value)
    except ValueError as exc:
        raise InvalidInputError(f"{field}: {exc}") from None


def parse_date_iso(value: object, field: str = "date") -> str | None:
    """A date as stored: its ISO form (``2016``, ``2016-09``, ``2016-09-30``) or None."""
    parsed = parse_date(value, field)
    return parsed.iso() if parsed else None


def parse_bool(value: object, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidInputError(f"{field}: say yes or no (got {str(value)[:20]!r})")


def parse_url(value: object, field: str = "url") -> str | None:
    url = clean_text(value, field, MAX_URL, required=False)
    if url is not None and not _URL_RE.match(url):
        raise InvalidInputError(f"{field}: must be an http(s) address")
    return url


def parse_id(value: object, field: str = "id") -> int:
    """Ids are written ``12`` or ``#12``."""
    text = str(value).strip().lstrip("#")
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise InvalidInputError(f"{field}: {str(value)[:20]!r} is not an id like 12 or #12")
    return int(text)


def parse_season(value: object, field: str = "season") -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise InvalidInputError(f"{field}: must be a whole number from 0 to 100")
    return value
