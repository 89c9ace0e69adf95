"""A fake TVmaze API on 127.0.0.1 (aiohttp.web), answering the documented endpoints with
JSON shaped like the real API's (https://www.tvmaze.com/api): /singlesearch/shows,
/search/shows, /shows/:id, /shows/:id/seasons, /shows/:id/episodes, /shows/:id/cast and
/updates/shows, for several shows in both of TVmaze's schemas (the older one without
``averageRuntime``, ``ended`` and episode ``type``), an announced season with null dates,
a show whose title is a number and non-ASCII titles. An unknown show is a 404 with an empty
body, as TVmaze's. Faults on demand: a 429, a slow answer, malformed JSON, a 500.
"""

from __future__ import annotations

import asyncio
import copy
import json
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

SITE = "https://www.tvmaze.com"
API = "https://api.tvmaze.com"


def _slug(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.replace("'", "")).encode("ascii", "ignore")
    text = text.decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in text).split()) or "show"


def _place(name: str, kind: str, ident: int, country: tuple[str, str, str] | None) -> Any:
    where = None
    if country:
        where = {"name": country[0], "code": country[1], "timezone": country[2]}
    return {"id": ident, "name": name, "country": where, "officialSite": None}


US = ("United States", "US", "America/New_York")


def show(
    ident: int,
    name: str,
    *,
    premiered: str | None,
    ended: str | None = None,
    status: str = "Running",
    genres: tuple[str, ...] = ("Drama",),
    network: str | None = None,
    web_channel: str | None = None,
    language: str = "English",
    old: bool = False,
    updated: int = 1_700_000_000,
) -> dict[str, Any]:
    """A show object; ``old``: the older schema (no averageRuntime, no ended)."""
    out: dict[str, Any] = {
        "id": ident,
        "url": f"{SITE}/shows/{ident}/{_slug(name)}",
        "name": name,
        "type": "Scripted",
        "language": language,
        "genres": list(genres),
        "status": status,
        "runtime": 60,
        "averageRuntime": 58,
        "premiered": premiered,
        "ended": ended,
        "officialSite": None,
        "schedule": {"time": "21:00" if network else "", "days": ["Sunday"] if network else []},
        "rating": {"average": 8.4},
        "weight": 98,
        "network": _place(network, "network", ident + 1, US) if network else None,
        "webChannel": _place(web_channel, "web", ident + 2, None) if web_channel else None,
        "dvdCountry": None,
        "externals": {"tvrage": None, "thetvdb": 300000 + ident, "imdb": f"tt{ident:07d}"},
        "image": {
            "medium": f"https://static.tvmaze.com/uploads/images/medium_portrait/{ident}.jpg",
            "original": f"https://static.tvmaze.com/uploads/images/original_untouched/{ident}.jpg",
        },
        "summary": "<p>A summary TVmaze wrote, which showbot never imports.</p>",
        "updated": updated,
        "_links": {"self": {"href": f"{API}/shows/{ident}"}},
    }
    if old:
        del out["averageRuntime"], out["ended"]
    return out


def season(
    show_id: int,
    ident: int,
    number: int,
    premiere: str | None,
    end: str | None,
    order: int | None,
) -> dict[str, Any]:
    return {
        "id": ident,
        "url": f"{SITE}/seasons/{ident}/show-season-{number}",
        "number": number,
        "name": "",
        "episodeOrder": order,
        "premiereDate": premiere,
        "endDate": end,
        "network": None,
        "webChannel": None,
        "image": None,
        "summary": None,
        "_links": {"self": {"href": f"{API}/seasons/{ident}"}},
    }


def episode(
    ident: int, name: str, season_no: int, number: int | None, airdate: str, *, old: bool = False
) -> dict[str, Any]:
    """An episode; ``airdate`` "" when not announced (TVmaze's empty string)."""
    out: dict[str, Any] = {
        "id": ident,
        "url": f"{SITE}/episodes/{ident}/{_slug(name)}",
        "name": name,
        "season": season_no,
        "number": number,
        "type": "regular" if number is not None else "significant_special",
        "airdate": airdate,
        "airtime": "21:00",
        "airstamp": f"{airdate}T01:00:00+00:00" if airdate else None,
        "runtime": 60,
        "rating": {"average": None},
        "image": None,
        "summary": "<p>What happens (a spoiler showbot never imports).</p>",
        "_links": {"self": {"href": f"{API}/episodes/{ident}"}},
    }
    if old:
        del out["type"]
    return out


def credit(pid: int, person: str, cid: int, character: str, **flags: bool) -> dict[str, Any]:
    return {
        "person": {
            "id": pid,
            "url": f"{SITE}/people/{pid}/{_slug(person)}",
            "name": person,
            "country": {"name": "United States", "code": "US", "timezone": "America/New_York"},
            "birthday": "1980-01-01",
            "deathday": None,
            "gender": "Female",
            "image": None,
            "updated": 1_690_000_000,
            "_links": {"self": {"href": f"{API}/people/{pid}"}},
        },
        "character": {
            "id": cid,
            "url": f"{SITE}/characters/{cid}/{_slug(character)}",
            "name": character,
            "image": None,
            "_links": {"self": {"href": f"{API}/characters/{cid}"}},
        },
        "self": flags.get("self", False),
        "voice": flags.get("voice", False),
    }


@dataclass
class FakeShow:
    show: dict[str, Any]
    seasons: list[dict[str, Any]]
    episodes: list[dict[str, Any]]
    cast: list[dict[str, Any]]


def _netflix_season(show_id: int, sid: int, number: int, day: str, eid: int) -> Any:
    """A season released all at once (13 episodes, one day)."""
    eps = [episode(eid + i, f"AKA Episode {i + 1}", number, i + 1, day) for i in range(13)]
    return season(show_id, sid, number, day, day, 13), eps


def catalogue() -> dict[int, FakeShow]:
    """The shows the fake knows (fresh copies: a test may change them)."""
    shows: dict[int, FakeShow] = {}
    # Marvel's Jessica Jones: the current schema; the seed's "Jessica Jones" show.
    jj = show(
        1370,
        "Marvel's Jessica Jones",
        premiered="2015-11-20",
        ended="2019-06-14",
        status="Ended",
        genres=("Drama", "Action", "Crime"),
        web_channel="Netflix",
    )
    seasons, episodes = [], []
    for number, day in ((1, "2015-11-20"), (2, "2018-03-08"), (3, "2019-06-14")):
        s, eps = _netflix_season(1370, 5000 + number, number, day, 90000 + 100 * number)
        seasons.append(s)
        episodes += eps
    episodes[15]["name"] = "AKA Sole Survivor"  # season 2 episode 3
    cast = [
        credit(1, "Krysten Ritter", 11, "Jessica Jones"),
        credit(2, "Rachael Taylor", 12, "Trish Walker"),
        credit(3, "David Tennant", 13, "Kilgrave"),
    ]
    shows[1370] = FakeShow(jj, seasons, episodes, cast)

    # Succession: the older schema, running, its fourth season announced without dates.
    su = show(
        26470, "Succession", premiered="2018-06-03", network="HBO", old=True,
        genres=("Drama",),
    )  # fmt: skip
    seasons = [
        season(26470, 7001, 1, "2018-06-03", "2018-08-05", 10),
        season(26470, 7002, 2, "2019-08-11", "2019-10-13", 10),
        season(26470, 7003, 3, "2021-10-17", "2021-12-12", 9),
        season(26470, 7004, 4, None, None, None),
    ]
    episodes = [
        episode(80001, "Celebration", 1, 1, "2018-06-03", old=True),
        episode(80002, "Shit Show at the Fuck Factory", 1, 2, "2018-06-10", old=True),
        episode(80011, "The Summer Palace", 2, 1, "2019-08-11", old=True),
        episode(80012, "Vaulter", 2, 2, "2019-08-18", old=True),
        episode(80013, "Hunting", 2, 3, "2019-08-25", old=True),
        episode(80021, "Secession", 3, 1, "2021-10-17", old=True),
        episode(80041, "TBA", 4, 1, "", old=True),
    ]
    su["_links"]["nextepisode"] = {"href": f"{API}/episodes/80041"}
    cast = [
        credit(21, "Brian Cox", 31, "Logan Roy"),
        credit(22, "Jeremy Strong", 32, "Kendall Roy"),
        credit(23, "Sarah Snook", 33, "Shiv Roy"),
    ]
    shows[26470] = FakeShow(su, seasons, episodes, cast)

    # 1883: a title that is a number (current schema).
    y = show(
        60000, "1883", premiered="2021-12-19", ended="2022-02-27", status="Ended",
        genres=("Drama", "Western"), web_channel="Paramount+",
    )  # fmt: skip
    seasons = [season(60000, 7101, 1, "2021-12-19", "2022-02-27", 10)]
    episodes = [episode(81001, "1883", 1, 1, "2021-12-19")]
    cast = [credit(41, "Sam Elliott", 51, "Shea Brennan")]
    shows[60000] = FakeShow(y, seasons, episodes, cast)

    # Non-ASCII titles and names: Élite (Spanish) and 深夜食堂 (Japanese).
    el = show(
        36570, "Élite", premiered="2018-10-05", web_channel="Netflix", language="Spanish",
        genres=("Drama", "Crime"),
    )  # fmt: skip
    seasons = [season(36570, 7201, 1, "2018-10-05", "2018-10-05", 8)]
    episodes = [episode(82001, "Bienvenidos", 1, 1, "2018-10-05")]
    cast = [credit(61, "Itzan Escamilla", 71, "Samuel García Domínguez")]
    shows[36570] = FakeShow(el, seasons, episodes, cast)
    md = show(
        9000, "深夜食堂", premiered="2009-10-09", network="MBS", language="Japanese",
        genres=(), status="To Be Determined", old=True,
    )  # fmt: skip
    md["network"]["country"] = {"name": "Japan", "code": "JP", "timezone": "Asia/Tokyo"}
    seasons = [season(9000, 7301, 1, "2009-10-09", "2009-12-18", 10)]
    shows[9000] = FakeShow(md, seasons, [], [credit(81, "小林薫", 91, "マスター")])

    # Two shows called The Office: a weak name ("office") is offered both.
    for ident, year, net in ((526, "2005-03-24", "NBC"), (530, "2001-07-09", "BBC Two")):
        office = show(ident, "The Office", premiered=year, network=net, status="Ended")
        shows[ident] = FakeShow(office, [season(ident, ident * 10, 1, year, None, 6)], [], [])
    return copy.deepcopy(shows)


def _words(text: str) -> set[str]:
    return {w for w in "".join(c.lower() if c.isalnum() else " " for c in text).split()}


@dataclass
class FakeTVmaze:
    """``await fake.start()``; ``fake.url`` is the api_base. ``faults`` holds what the next
    requests get instead of their answer: "429", "slow", "malformed" or "500"."""

    shows: dict[int, FakeShow] = field(default_factory=catalogue)
    faults: list[str] = field(default_factory=list)
    slow_seconds: float = 2.0
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # (path, query, UA)
    url: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application(middlewares=[self._faults])
        app.router.add_get("/singlesearch/shows", self._singlesearch)
        app.router.add_get("/search/shows", self._search)
        app.router.add_get("/shows/{id}", self._show)
        app.router.add_get("/shows/{id}/{what}", self._of_show)
        app.router.add_get("/updates/shows", self._updates)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def move_season(self, show_id: int, number: int, premiere: str, end: str | None) -> None:
        """TVmaze learns a season's dates (and stamps the show as updated)."""
        fake = self.shows[show_id]
        for s in fake.seasons:
            if s["number"] == number:
                s["premiereDate"], s["endDate"] = premiere, end
        fake.show["updated"] += 1000

    @web.middleware
    async def _faults(self, request: web.Request, handler: Any) -> web.StreamResponse:
        agent = request.headers.get("User-Agent", "")
        self.requests.append((request.path, request.query_string, agent))
        if self.faults:
            fault = self.faults.pop(0)
            if fault == "429":
                return web.Response(status=429, text="Too Many Requests")
            if fault == "500":
                return web.Response(status=500, text="oops")
            if fault == "malformed":
                return web.Response(text='{"id": 1, "name": ', content_type="application/json")
            if fault == "slow":
                await asyncio.sleep(self.slow_seconds)
        response: web.StreamResponse = await handler(request)
        return response

    def _json(self, value: Any) -> web.Response:
        return web.Response(text=json.dumps(value), content_type="application/json")

    def _missing(self) -> web.Response:
        return web.Response(status=404, body=b"")  # TVmaze's 404s have no body

    def _matches(self, query: str) -> list[tuple[float, FakeShow]]:
        asked = _words(query)
        found = []
        for fake in self.shows.values():
            name = _words(fake.show["name"])
            if (asked and asked <= name) or query.casefold() == fake.show["name"].casefold():
                exact = query.casefold() == fake.show["name"].casefold()
                found.append((1.0 if exact else 0.5 * len(asked) / len(name), fake))
        return sorted(found, key=lambda f: (-f[0], f[1].show["id"]))

    async def _singlesearch(self, request: web.Request) -> web.Response:
        found = self._matches(request.query.get("q", ""))
        return self._json(found[0][1].show) if found else self._missing()

    async def _search(self, request: web.Request) -> web.Response:
        found = self._matches(request.query.get("q", ""))
        return self._json([{"score": score, "show": f.show} for score, f in found])

    async def _show(self, request: web.Request) -> web.Response:
        fake = self.shows.get(int(request.match_info["id"]))
        return self._json(fake.show) if fake else self._missing()

    async def _of_show(self, request: web.Request) -> web.Response:
        fake = self.shows.get(int(request.match_info["id"]))
        what = request.match_info["what"]
        if fake is None or what not in ("seasons", "episodes", "cast"):
            return self._missing()
        return self._json(getattr(fake, what))

    async def _updates(self, request: web.Request) -> web.Response:
        return self._json({str(i): f.show["updated"] for i, f in self.shows.items()})
