"""The web view's edges (issue 20, item 16): a search of thousands of words is cut and
told, a query that cannot run is told without its SQL, an unknown address is a quick and
quiet 404 (no traceback in the log), the home page lists the shows, and a show's fact count
holds its seasons' facts."""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from datasette.app import DatasetteClient
from datasette.database import QueryInterrupted

from bot.store.core import Store
from bot.web.app import build
from bot.web.plugin import MAX_WORDS
from tests.web.conftest import GUILD, Server, WebData, start_web, stop_web

# 12,000 words, an 84 kB address (uvicorn refuses one over 128 kB itself, with a 400)
HUGE = " ".join(f"w{i % 999}" for i in range(12_000))
BAD_URLS = [
    "/nope",
    "/showbot/nope",
    "/showbot/nope.json",
    "/subject/abc",
    "/subject/99999999",
    "/fact/abc",
    "/fact/99999999",
    "/-/nothing",
    "/favicon.png",
    "/subject/",
    "/a/b/c/d",
]


def _timed(server: Server, path: str) -> tuple[int, str, float]:
    started = time.perf_counter()
    status, body = server.get(path)
    return status, body, time.perf_counter() - started


def test_unknown_addresses_are_a_quick_quiet_404(web_store: WebData) -> None:
    db = web_store.path.with_name("quiet.db")
    db.write_bytes(web_store.path.read_bytes())
    server = start_web(db)
    try:
        took = []
        for path in BAD_URLS:
            status, body, seconds = _timed(server, path)
            assert status == 404, (path, status)
            assert "Database not found" not in body and "Traceback" not in body, path
            took.append(seconds)
    finally:
        stop_web(server)
        log = server.process.stdout.read()
    # Datasette printed every local of every frame of each 404: 6,832 lines for 11.
    assert "Traceback" not in log, log[:2000]
    assert len(log.splitlines()) <= 3, log[:2000]
    assert statistics.median(took) < 0.25, took


def test_a_subject_or_fact_that_is_not_there_is_a_friendly_404(web_server: Server) -> None:
    for path, said in (
        ("/subject/abc", "There is no such subject here"),
        ("/subject/99999999", "There is no such subject here."),
        ("/fact/abc", "There is no such fact here"),
        ("/nope", "There is no such page here."),
    ):
        status, body = web_server.get(path)
        assert status == 404 and said in body, (path, body[:500])
        assert "<h1>Not found</h1>" in body
    status, body = web_server.get("/nope.json")
    assert (status, json.loads(body)) == (
        404,
        {"ok": False, "error": "There is no such page here.", "status": 404},
    )


@pytest.mark.parametrize("path", ["/search", "/showbot/search_facts"])
def test_a_search_of_thousands_of_words_is_cut_and_told(web_server: Server, path: str) -> None:
    status, body, seconds = _timed(web_server, f"{path}?q={urllib.parse.quote(HUGE)}")
    assert status == 200, body[:500]
    assert seconds < 5, seconds  # was 18-20 s, and "SQL Interrupted"
    assert f"Only the first {MAX_WORDS} words" in body
    assert "Interrupted" not in body and "fact_doc_fts" not in body
    # A short search is not cut, and still finds what it names.
    status, body = web_server.get(f"{path}?q=kilgrave")
    assert status == 200 and "Only the first" not in body and "Kilgrave" in body


def test_a_huge_search_as_json_runs_on_its_first_words(web_server: Server) -> None:
    q = "kilgrave " + HUGE
    status, body, seconds = _timed(
        web_server, f"/showbot/search_facts.json?_shape=objects&q={urllib.parse.quote(q)}"
    )
    assert status == 200 and seconds < 5
    data = json.loads(body)
    assert data["ok"] is True and data["rows"] == []  # every one of 20 words: none has them
    assert len(data["query"]["params"]["q"].split()) == MAX_WORDS


def test_a_query_that_cannot_run_is_told_without_its_sql(web_store: WebData) -> None:
    """Datasette's "SQL Interrupted" page shows the query; showbot's says what to do."""
    ds = build(web_store.path)
    db = ds.get_database("showbot")
    execute = db.execute

    async def too_slow(sql: str, *args: object, **kwargs: object) -> object:
        if "fact_doc_fts" in sql:  # the search, stopped by sql_time_limit_ms
            raise QueryInterrupted(TimeoutError(), sql, {})
        return await execute(sql, *args, **kwargs)

    db.execute = too_slow  # type: ignore[method-assign]
    client = DatasetteClient(ds)  # after build(): with showbot's routes and context

    def get(path: str) -> tuple[int, str]:
        async def fetch() -> tuple[int, str]:
            response = await client.get(path)
            return response.status_code, response.text

        # A thread of its own: the browser tests' Playwright holds this thread's loop.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, fetch()).result()

    try:
        for path in ("/showbot/search_facts?q=jessica", "/showbot/search_facts.json?q=jessica"):
            status, body = get(path)
            assert status == 400, (path, body[:300])
            assert "took too long and was stopped: try fewer or rarer words" in body
            assert "SELECT" not in body and "fact_doc_fts" not in body and "<textarea" not in body
        status, body = get("/search?q=jessica")  # its own page says so too
        assert status == 200 and "The fact search could not read that" in body
    finally:
        ds.showbot.reader.close()


def _facts_of_shows(path: Path, guild: int | None) -> dict[str, int]:
    """Each show's facts as the scope sees them, its seasons' included (by the store)."""
    store = Store.open_readonly(path)
    try:
        shows = store.rows("SELECT id, name FROM entity WHERE kind = 'show' AND deleted_at IS NULL")
        counts = {}
        for show in shows:
            ids = [show["id"], *(s.id for s in store.seasons_of(show["id"], guild))]
            counts[show["name"]] = sum(len(store.facts_for(i, guild)) for i in ids)
        return counts
    finally:
        store.close()


@pytest.mark.parametrize("which", ["web_server", "guild_server"])
def test_the_home_page_lists_the_shows_with_their_seasons_facts(
    which: str, request: pytest.FixtureRequest, web_store: WebData
) -> None:
    server = request.getfixturevalue(which)
    expected = _facts_of_shows(web_store.path, GUILD if which == "guild_server" else None)
    body = server.get("/")[1]
    listed = re.findall(
        r'<li><a href="/subject/\d+">([^<]+)</a>\s*<span class="badge">(\d+) facts?</span>', body
    )
    assert listed and {name: int(n) for name, n in listed} == expected
    assert expected["Jessica Jones"] > 2  # its seasons' facts count, not only its own
    rows = json.loads(server.get("/showbot/subjects.json?_shape=objects")[1])["rows"]
    assert {r["name"]: r["facts"] for r in rows} == expected
