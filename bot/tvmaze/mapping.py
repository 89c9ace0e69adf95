"""TVmaze's answers about one show -> an interchange file (bot/store/importcheck.py's
format): the show's network, status, dates and genres, each season's dates and episode
count, each episode's air date, the next episode, and who plays whom.

Pure: no I/O. Every record is keyed by TVmaze's ids (``tvmaze-<show id>-...``; a person,
in several shows, ``tvmaze-person-<id>``), so a second import finds what the first made,
and a refresh can tell an edit from a new fact. Texts carry no tense ("Premiere of X",
its date beside it) so that time passing changes nothing; a date not yet announced says
so. Both of TVmaze's schemas are read: the older one has no ``averageRuntime``, ``ended``
or episode ``type``.
"""

from __future__ import annotations

import re
from typing import Any

from bot import validation as v
from bot.models import FuzzyDate
from bot.tvmaze.client import ShowData

PUBLISHER = "TVmaze"
LICENCE = "TVmaze's data is licensed CC BY-SA 4.0 (https://www.tvmaze.com/api#licensing)."
TBA = "not announced yet"
_STATUS = {
    "Running": "running",
    "Ended": "ended",
    "To Be Determined": "to be determined (neither renewed nor cancelled yet)",
    "In Development": "in development",
}


def prefix(show_id: int) -> str:
    """The key prefix of everything one show's import writes (but shared people)."""
    return f"tvmaze-{int(show_id)}-"


def source_key(show_id: int) -> str:
    return f"tvmaze-{int(show_id)}"


def show_url(show: dict[str, Any]) -> str:
    """The show's page on tvmaze.com, which every citation links (CC BY-SA attribution)."""
    url = show.get("url")
    if isinstance(url, str) and re.match(r"https?://(www\.)?tvmaze\.com/", url):
        return url[: v.MAX_URL]
    return f"https://www.tvmaze.com/shows/{int(show['id'])}"


def stamp_of(notes: str | None) -> int | None:
    """The TVmaze ``updated`` time an import's source notes record."""
    found = re.search(r"\bupdated (\d{1,12})\b", notes or "")
    return int(found[1]) if found else None


def _name(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return " ".join(value.split())[: v.MAX_NAME]


def _date(value: Any) -> str | None:
    """An ISO day TVmaze gave, if it is one (``""`` and null: not announced)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return FuzzyDate.parse(value.strip()).iso()
    except ValueError:
        return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class _Doc:
    """The file being written, and the keys already in it."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.entities: list[dict[str, Any]] = []
        self.facts: list[dict[str, Any]] = []
        self._keys: set[str] = set()

    def entity(
        self, key: str, name: str, kind: str, show: str | None = None, season: int | None = None
    ) -> str:
        if key not in self._keys:
            self._keys.add(key)
            self.entities.append(
                {"key": key, "name": name, "kind": kind, "show": show, "season": season}
            )
        return key

    def fact(self, key: str, entity: str, kind: str, text: str, date: str | None = None) -> None:
        if key in self._keys:
            return  # TVmaze listed it twice (a cast member in two credits, say)
        self._keys.add(key)
        self.facts.append(
            {
                "key": key,
                "entity": entity,
                "kind": kind,
                "text": text[: v.MAX_FACT_TEXT],
                "status": "confirmed",  # a published schedule, not a rumor
                "spoiler": False,  # schedules are not spoilers; no summaries are read
                "date": date,
                "source": self.source,
                "quote": None,
            }
        )


def to_interchange(
    data: ShowData, show_key: str, show_name: str, today: str, *, known_date: str | None = None
) -> dict[str, Any]:
    """The interchange file for one show: ``show_key`` is its subject's key (an existing
    subject's, or a new one's) and ``show_name`` the name the texts use. The source is dated
    ``known_date`` if given (the day it was first read), else ``today``."""
    show = data.show
    sid = int(show["id"])
    tvname = _name(show.get("name")) or f"TVmaze show {sid}"
    pre = prefix(sid)
    src = source_key(sid)
    doc = _Doc(src)
    source = {
        "key": src,
        "title": f"{tvname} on TVmaze"[: v.MAX_TITLE],
        "publisher": PUBLISHER,
        "url": show_url(show),
        "date": known_date or today,
        "notes": f"TVmaze show {sid}, updated {_int(show.get('updated')) or 0}. {LICENCE}",
    }
    doc.entity(show_key, show_name, "show")
    _show_facts(doc, show, show_key, show_name, pre, data.episodes)
    counts: dict[int, int] = {}
    for episode in data.episodes:
        in_season = _int(episode.get("season"))
        if in_season is not None and _int(episode.get("number")) is not None:
            counts[in_season] = counts.get(in_season, 0) + 1
    season_keys: dict[int, str] = {}
    for season in data.seasons:
        number = _int(season.get("number"))
        season_id = _int(season.get("id"))
        if number is None or season_id is None or number < 0:
            continue
        label = f"{show_name} season {number}"
        name = label[: v.MAX_NAME]
        key = doc.entity(f"{pre}season-{season_id}", name, "season", show_key, number)
        season_keys[number] = key
        first, last = _date(season.get("premiereDate")), _date(season.get("endDate"))
        spre = f"{pre}season-{season_id}-"
        doc.fact(spre + "premiere", key, "when", _dated(f"Premiere of {label}", first), first)
        doc.fact(spre + "finale", key, "when", _dated(f"Finale of {label}", last), last)
        order = _int(season.get("episodeOrder")) or counts.get(number)
        if order:
            doc.fact(spre + "episodes", key, "what", f"{label} has {order} episode(s).")
    for episode in data.episodes:
        line = _episode_line(episode, show_name)
        number, episode_id = _int(episode.get("season")), _int(episode.get("id"))
        if line is None or number not in season_keys or episode_id is None:
            continue
        aired = _date(episode.get("airdate"))
        text = line + "." if aired else f"{line}: air date {TBA}."
        doc.fact(f"{pre}episode-{episode_id}", season_keys[number], "when", text, aired)
    _cast_facts(doc, data.cast, show_key, show_name, pre)
    return {
        "format": "showbot",
        "version": 1,
        "sources": [source],
        "entities": doc.entities,
        "facts": doc.facts,
    }


def _dated(text: str, date: str | None) -> str:
    return f"{text}." if date else f"{text}: {TBA}."


def _episode_line(episode: dict[str, Any], show_name: str) -> str | None:
    """ "X season 2 episode 3, “Title”"; None for a special (no number) or a non-regular
    episode (the current schema's ``type``; the older one has none)."""
    season, number = _int(episode.get("season")), _int(episode.get("number"))
    kind = episode.get("type")
    if season is None or number is None or (kind is not None and kind != "regular"):
        return None
    line = f"{show_name} season {season} episode {number}"
    title = _name(episode.get("name"))
    return f"{line}, “{title}”" if title and title != "TBA" else line


def _show_facts(
    doc: _Doc,
    show: dict[str, Any],
    key: str,
    name: str,
    pre: str,
    episodes: list[dict[str, Any]],
) -> None:
    network, web = show.get("network"), show.get("webChannel")
    if isinstance(network, dict) and _name(network.get("name")):
        country = network.get("country")
        where = _name(country.get("name")) if isinstance(country, dict) else None
        text = f"Network of {name}: {_name(network['name'])}" + (f" ({where})." if where else ".")
        doc.fact(pre + "network", key, "what", text)
    elif isinstance(web, dict) and _name(web.get("name")):
        text = f"Streaming service of {name}: {_name(web['name'])}."
        doc.fact(pre + "network", key, "what", text)
    status = show.get("status")
    if isinstance(status, str) and status.strip():
        words = _STATUS.get(status.strip(), status.strip().lower())
        doc.fact(pre + "status", key, "what", f"Status of {name}: {words}."[: v.MAX_FACT_TEXT])
    first = _date(show.get("premiered"))
    doc.fact(pre + "premiered", key, "when", _dated(f"Premiere of {name}", first), first)
    last = _date(show.get("ended"))  # the current schema only
    if last:
        doc.fact(pre + "ended", key, "when", f"Final episode of {name}.", last)
    genres = [g for g in (_name(g) for g in show.get("genres") or []) if g]
    if genres:
        doc.fact(pre + "genres", key, "what", f"Genres of {name}: {', '.join(genres)}.")
    runtime = _int(show.get("averageRuntime")) or _int(show.get("runtime"))
    if runtime:
        doc.fact(pre + "runtime", key, "what", f"Episodes of {name} run about {runtime} minutes.")
    upcoming = _next_episode(show, episodes)
    if upcoming is not None:
        line = _episode_line(upcoming, name)
        aired = _date(upcoming.get("airdate"))
        if line is not None:
            text = f"Next episode: {line}" + ("." if aired else f": air date {TBA}.")
            doc.fact(pre + "next", key, "when", text, aired)


def _next_episode(show: dict[str, Any], episodes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The episode TVmaze's ``_links.nextepisode`` names (TVmaze moves it, not our clock)."""
    links = show.get("_links")
    nxt = links.get("nextepisode") if isinstance(links, dict) else None
    href = nxt.get("href") if isinstance(nxt, dict) else None
    found = re.search(r"/episodes/(\d+)", href) if isinstance(href, str) else None
    if found is None:
        return None
    return next((e for e in episodes if e.get("id") == int(found[1])), None)


def _cast_facts(
    doc: _Doc, cast: list[dict[str, Any]], show_key: str, show_name: str, pre: str
) -> None:
    for credit in cast:
        person, character = credit.get("person"), credit.get("character")
        if not isinstance(person, dict) or not isinstance(character, dict):
            continue
        pid, cid = _int(person.get("id")), _int(character.get("id"))
        who, role = _name(person.get("name")), _name(character.get("name"))
        if pid is None or who is None:
            continue
        person_key = doc.entity(f"tvmaze-person-{pid}", who, "person")
        if credit.get("self") or cid is None or role is None:
            text = f"{who} appears as themself in {show_name}."
            doc.fact(f"{pre}cast-{pid}-self", person_key, "who", text)
            continue
        verb = "voices" if credit.get("voice") else "plays"
        text = f"{who} {verb} {role} in {show_name}."
        role_key = doc.entity(f"tvmaze-character-{cid}", role, "character")
        doc.fact(f"{pre}cast-{pid}-{cid}-character", role_key, "who", text)
        doc.fact(f"{pre}cast-{pid}-{cid}-person", person_key, "who", text)
