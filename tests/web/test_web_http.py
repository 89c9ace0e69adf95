"""The web view over HTTP: read-only, scoped, and never showing a user id."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from bot.store.core import Store
from bot.web.queries import fact_scope
from tests.web.conftest import GUILD, OTHER_GUILD, USER_IDS, Server, WebData

# Every page and JSON document a visitor can reach from the home page.
PAGES = [
    "/",
    "/showbot",
    "/showbot/subjects",
    "/showbot/subjects.json",
    "/showbot/sources",
    "/showbot/sources.json",
    "/showbot/gaps",
    "/showbot/gaps.json",
    "/showbot/gaps.csv",
    "/showbot/questions_per_day",
    "/showbot/questions_per_day.json",
    "/showbot/search_facts?q=jessica",
    "/showbot/search_facts.json?q=jessica",
    "/search?q=jessika+jones",
    "/-/metadata.json",
    "/-/databases.json",
    "/-/actor.json",
]


def _crawl(server: Server, store: WebData) -> dict[str, str]:
    bodies = {}
    for path in PAGES:
        status, body = server.get(path)
        assert status == 200, (path, status, body[:300])
        bodies[path] = body
    links = set()
    for body in bodies.values():
        links |= set(re.findall(r'href="(/(?:subject|fact)/\d+)"', body))
    links |= {f"/fact/{store.rumor_id}", f"/fact/{store.overridden_id}"}
    for path in sorted(links):
        status, body = server.get(path)
        assert status in (200, 404), (path, status)
        bodies[path] = body
    return bodies


@pytest.mark.parametrize("which", ["web_server", "guild_server"])
def test_no_user_id_anywhere_in_html_or_json(
    which: str, request: pytest.FixtureRequest, web_store: WebData
) -> None:
    server = request.getfixturevalue(which)
    bodies = _crawl(server, web_store)
    assert len(bodies) > len(PAGES) + 10  # subjects and facts were followed
    for path, body in bodies.items():
        for uid in USER_IDS:
            assert str(uid) not in body, f"user id {uid} in {path}"
    # Moderators appear by name in a fact's history.
    assert "Alice Moderator" in bodies[f"/fact/{web_store.rumor_id}"]


def test_question_log_shows_words_only(web_server: Server, guild_server: Server) -> None:
    rows = json.loads(guild_server.get("/showbot/gaps.json?_shape=objects")[1])["rows"]
    assert {"question", "times", "last"} == set(rows[0])
    assert {k: rows[0][k] for k in ("question", "times")} == {
        "question": "!who is the green goblin",
        "times": 2,
    }
    assert "hobgoblin" not in json.dumps(rows)  # asked outside the server
    for uid in (GUILD, OTHER_GUILD):
        assert str(uid) not in json.dumps(rows)


def test_the_global_view_shows_no_servers_questions(web_server: Server) -> None:
    """Like its facts, the default view's question pages hold only questions asked outside
    any server: one server's unanswered words are not shown to everyone."""
    gaps = json.loads(web_server.get("/showbot/gaps.json?_shape=objects")[1])["rows"]
    assert [(r["question"], r["times"]) for r in gaps] == [("!who is the hobgoblin", 2)]
    days = web_server.get("/showbot/questions_per_day.json?_shape=objects")[1]
    asked = sum(r["questions"] for r in json.loads(days)["rows"])
    assert asked == 3  # "!when jessica jones s2" and the hobgoblin twice


@pytest.mark.parametrize(
    "path",
    [
        "/showbot?sql=select+*+from+change",
        "/showbot.json?sql=select+1",
        "/showbot/subjects?sql=select+*+from+change",  # a canned query ignores it...
        "/showbot/change",
        "/showbot/change.json",
        "/showbot/question.json",
        "/showbot/entity",
        "/showbot/fact/1",
        "/showbot.db",
        "/_internal",
        "/-/permissions",
    ],
)
def test_sql_box_raw_tables_and_download_refused(web_server: Server, path: str) -> None:
    status, body = web_server.get(path)
    if path.startswith("/showbot/subjects?"):
        assert status == 200 and "actor_id" not in body  # ...and runs its own SQL only
        return
    assert status in (403, 404), (path, status)
    for uid in USER_IDS:
        assert str(uid) not in body


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    "path", ["/showbot/subjects", "/showbot", "/showbot/fact/-/insert", "/-/create", "/search"]
)
def test_every_write_refused(
    web_server: Server, web_store: WebData, method: str, path: str
) -> None:
    before = Path(web_store.path).stat().st_mtime_ns, _changes(web_store.path)
    req = urllib.request.Request(
        web_server.url + path,
        data=b"sql=delete+from+fact&rows=[]",
        method=method,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=10)
    assert refused.value.code == 405
    assert "read-only" in refused.value.read().decode()
    assert (Path(web_store.path).stat().st_mtime_ns, _changes(web_store.path)) == before


def _changes(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM change").fetchone()[0]


def test_the_connection_itself_cannot_write(web_store: WebData) -> None:
    store = Store.open_readonly(web_store.path)
    try:
        with pytest.raises(sqlite3.OperationalError, match=r"readonly|read-only|query_only"):
            store.db.execute("DELETE FROM fact")
    finally:
        store.close()


def test_global_scope_shows_global_facts_only(web_server: Server, web_store: WebData) -> None:
    text = web_server.get("/showbot/sources")[1] + web_server.get("/search?q=jeri+hogarth")[1]
    assert "this server only" not in text and "Another server" not in text
    assert web_server.get(f"/fact/{web_store.local_id}")[0] == 404
    body = web_server.get("/search?q=trish+walker")[1]
    assert "radio host" in body and "Patsy, in this server" not in body


def test_guild_scope_shows_its_own_facts_and_overrides(
    guild_server: Server, web_store: WebData
) -> None:
    body = guild_server.get("/search?q=jeri+hogarth")[1]
    assert "this server only" in body and "Another server" not in body
    assert guild_server.get(f"/fact/{web_store.other_id}")[0] == 404
    trish = guild_server.get("/search?q=trish+walker")[1]
    assert "Patsy, in this server" in trish and "radio host" not in trish
    # The guild id comes from --guild only: a visitor's ?guild= changes nothing.
    other = guild_server.get(f"/showbot/sources.json?guild={OTHER_GUILD}&_shape=objects")[1]
    assert "Another server" not in other


def test_sql_scope_agrees_with_the_store(web_store: WebData) -> None:
    """The canned queries' scope rule and the bot's (Store.facts_for) see the same facts."""
    store = Store.open_readonly(web_store.path)
    try:
        for guild in (None, GUILD, OTHER_GUILD):
            by_sql = {
                r[0]
                for r in store.db.execute(f"SELECT fact.id FROM fact WHERE {fact_scope(guild)}")
            }
            entities = {r[0] for r in store.db.execute("SELECT DISTINCT entity_id FROM fact")}
            by_store = {f.id for e in entities for f in store.facts_for(e, guild)}
            assert by_sql == by_store, guild
    finally:
        store.close()


def test_search_survives_search_syntax(web_server: Server) -> None:
    for q in ['"', "NEAR(", "a* OR", "'; drop table fact", "%_", "x" * 500]:
        status, body = web_server.get("/search?q=" + urllib.parse.quote(q))
        assert status == 200, q
        assert "<h1>Search</h1>" in body
    status, body = web_server.get("/search?q=" + urllib.parse.quote("<b>x</b><script>1</script>"))
    assert status == 200
    assert "<script>1" not in body and "&lt;script&gt;1" in body


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--db", "missing.db"], "no database at"),
        (["--port", "0"], "--port must be"),
        (["--guild", "0"], "--guild must be"),
    ],
)
def test_web_command_refuses_bad_arguments(tmp_path: Path, args: list[str], error: str) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bot", "web", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert error in out.stderr


def test_subjects_and_sources_come_a_page_at_a_time(web_server: Server) -> None:
    def names(query: str) -> list[str]:
        body = web_server.get(f"/showbot/subjects.json?_shape=objects&{query}")[1]
        return [r["name"] for r in json.loads(body)["rows"]]

    characters = names("kind=character")
    assert len(characters) >= 3 and characters == sorted(characters)
    assert names("kind=character&after=" + urllib.parse.quote(characters[0])) == characters[1:]
    assert "Jessica Jones" in names("") and "Trish Walker" not in names("")  # shows first

    def sources(query: str) -> list[int]:
        body = web_server.get(f"/showbot/sources.json?_shape=objects&{query}")[1]
        return list(dict.fromkeys(r["source_id"] for r in json.loads(body)["rows"]))

    every = sources("")
    assert len(every) >= 2 and every == sorted(every, reverse=True)
    assert sources(f"after={every[0]}") == every[1:]
