"""A polite client of TVmaze's public API (https://www.tvmaze.com/api), on aiohttp.

Polite as TVmaze asks: at most 20 requests per 10 seconds from this process (every client
shares one window), a 429 waited out (its Retry-After, else 2 s, doubling), 5xx answers and
timeouts retried a few times, and then one clear :class:`TVmazeUnavailable`. A request
that fails changes nothing: callers read everything before they write anything.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.errors import ShowbotError

RATE_LIMIT = 20  # requests ...
RATE_PERIOD = 10.0  # ... per this many seconds (TVmaze's documented limit)
RETRIES = 3  # further tries after a 5xx or a timeout
MAX_429 = 6  # 429s waited out for one request before giving up
MAX_WAIT = 60.0  # the longest Retry-After honoured
TIMEOUT = 15.0


class TVmazeError(ShowbotError):
    """TVmaze could not be read; nothing was written."""


class TVmazeUnavailable(TVmazeError):
    """TVmaze kept failing (5xx, timeouts, rate limits) or answered nonsense."""


class RateWindow:
    """At most ``limit`` starts per ``period`` seconds: each caller is given the earliest
    time its request may start (thread-safe: the CLI and the bot may run clients on
    different loops)."""

    def __init__(self, limit: int = RATE_LIMIT, period: float = RATE_PERIOD) -> None:
        self.limit, self.period = limit, period
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Seconds to wait before starting (0: now); the slot is taken."""
        with self._lock:
            now = time.monotonic()
            while len(self._starts) >= self.limit and self._starts[0] <= now - self.period:
                self._starts.popleft()
            start = now
            if len(self._starts) >= self.limit:
                start = max(now, self._starts[-self.limit] + self.period)
            self._starts.append(start)
            while len(self._starts) > self.limit:
                self._starts.popleft()
            return start - now


WINDOW = RateWindow()  # this process's, shared by every client


@dataclass
class ShowData:
    """Everything one import reads about a show."""

    show: dict[str, Any]
    seasons: list[dict[str, Any]]
    episodes: list[dict[str, Any]]
    cast: list[dict[str, Any]]


class TVmaze:
    """``async with TVmaze(api_base, user_agent) as tv: await tv.single_search("...")``."""

    def __init__(
        self,
        api_base: str,
        user_agent: str,
        *,
        timeout: float = TIMEOUT,
        backoff: float = 2.0,
        window: RateWindow = WINDOW,
    ) -> None:
        self.api_base = api_base.rstrip("/")
        self.user_agent = user_agent
        self.timeout = timeout
        self.backoff = backoff  # the first wait after a 429 without Retry-After, or a 5xx
        self.window = window
        self.requests = 0  # made by this client (tests and logs)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> TVmaze:
        self._session = aiohttp.ClientSession(
            headers={"User-Agent": self.user_agent, "Accept": "application/json"},
            timeout=aiohttp.ClientTimeout(total=self.timeout),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        """The JSON of ``path``; None for a 404 (TVmaze's "no such show")."""
        assert self._session is not None, "use the client in `async with`"
        url = self.api_base + path
        tries = 0
        limited = 0
        wait = self.backoff
        while True:
            await asyncio.sleep(self.window.reserve())
            self.requests += 1
            problem: str
            try:
                async with self._session.get(url, params=params) as response:
                    if response.status == 404:
                        return None
                    if response.status == 429:
                        limited += 1
                        if limited > MAX_429:
                            raise TVmazeUnavailable(
                                "TVmaze kept refusing requests (rate limit); try again later."
                                " Nothing was changed."
                            )
                        after = _retry_after(response.headers.get("Retry-After"))
                        await asyncio.sleep(after if after is not None else wait)
                        wait = min(wait * 2, MAX_WAIT)
                        continue
                    if response.status >= 500:
                        problem = f"TVmaze answered {response.status}"
                    elif response.status >= 400:
                        raise TVmazeError(
                            f"TVmaze refused {path} ({response.status}). Nothing was changed."
                        )
                    else:
                        body = await response.read()
                        try:
                            return json.loads(body)
                        except (UnicodeDecodeError, json.JSONDecodeError):
                            raise TVmazeUnavailable(
                                f"TVmaze sent something that is not JSON for {path}."
                                " Nothing was changed."
                            ) from None
            except TimeoutError:
                problem = "TVmaze did not answer in time"
            except aiohttp.ClientError as exc:
                problem = f"TVmaze could not be reached ({exc.__class__.__name__})"
            tries += 1
            if tries > RETRIES:
                raise TVmazeUnavailable(f"{problem}, {tries} times; nothing was changed.")
            await asyncio.sleep(wait)
            wait = min(wait * 2, MAX_WAIT)

    async def single_search(self, name: str) -> dict[str, Any] | None:
        found = await self.get("/singlesearch/shows", {"q": name})
        return _object(found, "/singlesearch/shows")

    async def search(self, name: str) -> list[dict[str, Any]]:
        """``[{"score": ..., "show": {...}}, ...]``, best first."""
        found = await self.get("/search/shows", {"q": name})
        return [r for r in _list(found, "/search/shows") if isinstance(r.get("show"), dict)]

    async def show_data(self, show_id: int) -> ShowData | None:
        """The show, its seasons, episodes and cast; None if TVmaze has no such show."""
        base = f"/shows/{int(show_id)}"
        show = _object(await self.get(base), base)
        if show is None:
            return None
        seasons = _list(await self.get(base + "/seasons"), base + "/seasons")
        episodes = _list(await self.get(base + "/episodes"), base + "/episodes")
        cast = _list(await self.get(base + "/cast"), base + "/cast")
        return ShowData(show, seasons, episodes, cast)

    async def updates(self, since: str | None = None) -> dict[int, int]:
        """Show id -> the time (Unix seconds) TVmaze last changed it."""
        params = {"since": since} if since else None
        found = await self.get("/updates/shows", params)
        if not isinstance(found, dict):
            raise TVmazeUnavailable("TVmaze's /updates/shows was not a JSON object.")
        out = {}
        for key, stamp in found.items():
            if str(key).isdigit() and isinstance(stamp, int):
                out[int(key)] = stamp
        return out


def _retry_after(value: str | None) -> float | None:
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    if seconds is None or not 0 <= seconds < float("inf"):
        return None
    return min(seconds, MAX_WAIT)


def _object(found: Any, path: str) -> dict[str, Any] | None:
    if found is None:
        return None
    if not isinstance(found, dict) or not isinstance(found.get("id"), int):
        raise TVmazeUnavailable(f"TVmaze's {path} was not a show. Nothing was changed.")
    return found


def _list(found: Any, path: str) -> list[dict[str, Any]]:
    if found is None:
        return []
    if not isinstance(found, list):
        raise TVmazeUnavailable(f"TVmaze's {path} was not a list. Nothing was changed.")
    return [item for item in found if isinstance(item, dict)]
