"""The words a resolved name leaves unexplained: what a question asks besides the name
(the pipeline), and what a moderator's subject line holds besides it."""

from __future__ import annotations

from bot.answering.questions import HAS_SEASONS, extract_season, season_number
from bot.answering.subjects import IGNORED, Resolution
from bot.answering.typed import same_word
from bot.language.text import normalize
from bot.models import EntityKind


def leftover(
    words: list[str], found: Resolution, ignore: frozenset[str] | None = None
) -> list[str]:
    """The typed words a resolution leaves unexplained: not part of the name matched (typos
    allowed), nor of a season, nor question glue. "jessica jones comics" -> ["comics"]."""
    ignore = IGNORED if ignore is None else ignore
    name = normalize(found.text).split()
    for tied in found.candidates if found.ambiguous else ():
        name += normalize(tied.entity.name).split()
    season = found.entity is not None and found.entity.kind is EntityKind.SEASON
    # A number is a season's only beside a show or season (HAS_SEASONS).
    person = found.entity is not None and found.entity.kind not in HAS_SEASONS
    typed = words if person else extract_season(" ".join(words))[0].split()
    # A name word typed in two ("hell cat" for Hellcat) is explained by it.
    split = {
        i + k for i in range(len(typed) - 1) if typed[i] + typed[i + 1] in name for k in (0, 1)
    }
    spelt = {*name, *(n + "s" for n in name)}
    # A typo of a name word typed as often as the name holds it is another word: "kngs
    # kings" is not explained by the alias Kings (it is by Kings Kings).
    fewer = [n for n in dict.fromkeys(name) if typed.count(n) < name.count(n)]
    return [
        w
        for i, w in enumerate(typed)
        if len(w) > 1
        and i not in split
        and w not in ignore
        and not (season and season_number(w) is not None)
        and w not in spelt
        and not any(same_word(n, w) for n in fewer)
    ]
