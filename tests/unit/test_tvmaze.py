"""Facts from TVmaze (issue 23): the client against a fake TVmaze on 127.0.0.1, the CLI's
import with its exit codes, what the facts say, and that a second import changes nothing.
Nothing here reaches the network: every request goes to tests/faketvmaze.py."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import main
from bot.engine import Engine
from bot.models import Actor
from bot.moderation import Moderation
from bot.tvmaze import client as tvmaze_client
from bot.tvmaze.client import RateWindow, TVmaze, TVmazeUnavailable
from tests.faketvmaze import FakeTVmaze


@pytest.fixture(autouse=True)
def fresh_rate_window() -> Iterator[None]:
    """Each test starts with this process's TVmaze rate window empty, as each real
    ``python -m bot tvmaze`` run does: run in-process, the tests would otherwise share one
    window, and each test after the first few would wait out the requests of the tests
    before it (about 8 s each). Within a test the window holds as it does in a CLI run."""
    tvmaze_client.WINDOW._starts.clear()
    yield
    tvmaze_client.WINDOW._starts.clear()


class Served:
    """The fake TVmaze in a thread of its own, so the CLI's asyncio.run can call it."""

    def __init__(self) -> None:
        self.fake = FakeTVmaze(slow_seconds=0.6)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.fake.start(), self.loop).result(10)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.fake.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def served() -> Iterator[Served]:
    s = Served()
    yield s
    s.close()


@pytest.fixture
def cli(served: Served, tmp_path: Path) -> Any:
    config = tmp_path / "config.toml"
    config.write_text(f'[tvmaze]\napi_base = "{served.fake.url}"\n', encoding="utf-8")
    db = tmp_path / "tv.db"

    def run(*args: str) -> int:
        return main(["tvmaze", *args, "--db", str(db), "--config", str(config)])

    run.db = db  # type: ignore[attr-defined]
    return run


def ask(db: Path, question: str) -> str:
    engine = Engine.open(db)
    try:
        return engine.reply(engine.ask(question)).content
    finally:
        engine.close()


def rows(db: Path, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    engine = Engine.open(db)
    try:
        return engine.store.rows(sql, params or [])
    finally:
        engine.close()


def changes(db: Path) -> int:
    return int(rows(db, "SELECT count(*) AS n FROM change")[0]["n"])


# ---------------------------------------------------------------- the client


async def client_of(fake: FakeTVmaze, **kw: Any) -> TVmaze:
    return TVmaze(fake.url, "showbot-test/1", backoff=0.05, **kw)


async def test_client_reads_waits_out_a_429_and_retries_a_slow_answer() -> None:
    fake = FakeTVmaze(slow_seconds=1.0)
    await fake.start()
    try:
        async with await client_of(fake, timeout=0.4) as tv:
            fake.faults = ["429"]
            found = await tv.single_search("succession")
            assert found is not None and found["name"] == "Succession"
            fake.faults = ["slow"]  # past the timeout: tried again
            data = await tv.show_data(26470)
            assert data is not None and len(data.seasons) == 4
            assert await tv.single_search("quorvin the unknowable") is None  # 404, empty
            assert tv.requests == 2 + 5 + 1
        assert {agent for _, _, agent in fake.requests} == {"showbot-test/1"}
    finally:
        await fake.stop()


async def test_client_gives_a_clear_error_for_nonsense_and_for_a_failing_server() -> None:
    fake = FakeTVmaze()
    await fake.start()
    try:
        async with await client_of(fake) as tv:
            fake.faults = ["malformed"]
            with pytest.raises(TVmazeUnavailable, match="not JSON"):
                await tv.show_data(1370)
            fake.faults = ["500"] * 10
            with pytest.raises(TVmazeUnavailable, match="TVmaze answered 500, 4 times"):
                await tv.single_search("succession")
    finally:
        await fake.stop()


def test_rate_window_allows_20_per_10_seconds() -> None:
    window = RateWindow(limit=3, period=1.0)
    waits = [window.reserve() for _ in range(7)]
    assert waits[:3] == [0, 0, 0]
    assert 0.9 < waits[3] <= 1.0 and 0.9 < waits[5] <= 1.0 and 1.9 < waits[6] <= 2.0
    assert RateWindow().limit == 20 and RateWindow().period == 10.0


# ---------------------------------------------------------------- import


def test_import_gives_the_seeded_show_tvmazes_facts(cli: Any, capsys: Any) -> None:
    assert cli("import", "Jessica Jones") == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith(
        "Imported Jessica Jones from TVmaze <https://www.tvmaze.com/shows/1370/marvels-jessica-jones>"
    )
    db = cli.db
    # No second "Jessica Jones" show: the seed's has the facts, its seasons too.
    shows = rows(db, "SELECT id, key FROM entity WHERE kind = 'show' AND name LIKE '%Jessica%'")
    assert [s["key"] for s in shows] == ["show-jessica-jones"]
    seasons = rows(db, "SELECT key FROM entity WHERE kind = 'season' ORDER BY season")
    assert [s["key"] for s in seasons] == [
        "season-jessica-jones-1", "season-jessica-jones-2", "tvmaze-1370-season-5003"
    ]  # fmt: skip
    s2 = ask(db, "!when jessica jones s2")
    assert "**8 March 2018**: Premiere of Jessica Jones season 2." in s2
    assert "<https://www.tvmaze.com/shows/1370/marvels-jessica-jones>" in s2  # attribution
    assert "TVmaze" in s2
    episode = ask(db, "!when jessica jones s2e3").split("\n")
    first = next(line for line in episode if line.startswith("•"))
    assert "Jessica Jones season 2 episode 3, “AKA Sole Survivor”." in first, episode
    # The seed's Killgrave (alias Kilgrave) is TVmaze's Kilgrave: no namesake.
    assert "David Tennant plays Kilgrave in Jessica Jones." in ask(db, "who plays killgrave")
    assert "David Tennant plays Kilgrave" in ask(db, "!who david tennant")
    assert "Streaming service of Jessica Jones: Netflix." in ask(db, "!what jessica jones")
    facts = rows(db, "SELECT * FROM fact WHERE key LIKE 'tvmaze-%'")
    assert facts and all(f["status"] == "confirmed" and not f["spoiler"] for f in facts)
    assert not any("never imports" in f["text"] or "spoiler" in f["text"] for f in facts)
    (source,) = rows(db, "SELECT * FROM source WHERE key = 'tvmaze-1370'")
    assert source["publisher"] == "TVmaze" and source["date"] == time.strftime(
        "%Y-%m-%d", time.gmtime()
    )
    assert {f["source_id"] for f in facts} == {source["id"]}
    actions = rows(db, "SELECT DISTINCT action FROM change WHERE action LIKE 'tvmaze%'")
    assert [a["action"] for a in actions] == ["tvmaze.import"]


def test_a_second_import_of_an_unchanged_show_changes_nothing(cli: Any, capsys: Any) -> None:
    assert cli("import", "Succession") == 0
    before = changes(cli.db)
    assert cli("import", "Succession") == 0
    assert "up to date with TVmaze" in capsys.readouterr().out.splitlines()[-1]
    assert changes(cli.db) == before


def test_older_schema_announced_season_and_cast(cli: Any) -> None:
    assert cli("import", "succession") == 0
    db = cli.db
    s4 = ask(db, "!when succession s4")
    assert "Premiere of Succession season 4: not announced yet." in s4
    assert "Succession season 4 episode 1: air date not announced yet." in s4
    assert "Jeremy Strong plays Kendall Roy in Succession." in ask(db, "who plays kendall roy")
    assert "Jeremy Strong plays Kendall Roy in Succession." in ask(db, "who is jeremy strong")
    assert "Next episode: Succession season 4 episode 1" in ask(db, "!when succession")
    assert "Network of Succession: HBO (United States)." in ask(db, "!what succession")
    assert not rows(db, "SELECT id FROM fact WHERE key = 'tvmaze-26470-ended'")  # old schema


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("1883", "Premiere of 1883 season 1."),
        ("Élite", "Premiere of Élite season 1."),
        ("深夜食堂", "Premiere of 深夜食堂 season 1."),
    ],
)
def test_numbers_and_non_ascii_titles(cli: Any, name: str, expected: str) -> None:
    assert cli("import", name) == 0
    facts = rows(cli.db, "SELECT text FROM fact WHERE key LIKE 'tvmaze-%'")
    assert expected in {f["text"] for f in facts}
    assert rows(cli.db, "SELECT name FROM entity WHERE kind = 'show' AND name = ?", [name])


def test_not_found_weak_and_usage_write_nothing(cli: Any, capsys: Any, served: Served) -> None:
    assert cli("import", "Jessica Jones", "--dry-run") == 0
    assert capsys.readouterr().out.startswith("Would import Jessica Jones")
    before = changes(cli.db)
    assert cli("import", "Quorvin the Unknowable") == 1
    assert "TVmaze knows no show called 'Quorvin the Unknowable'" in capsys.readouterr().err
    assert cli("import", "office") == 1
    err = capsys.readouterr().err
    assert "Did you mean: The Office (2005, NBC); The Office (2001, BBC Two)?" in err
    assert cli("import", "  ") == 2
    served.fake.faults = ["malformed"]
    assert cli("import", "Succession") == 1
    assert "not JSON" in capsys.readouterr().err
    assert changes(cli.db) == before
    with pytest.raises(SystemExit) as usage:
        main(["tvmaze", "import"])
    assert usage.value.code == 2


def test_a_servers_import_is_its_own(cli: Any, capsys: Any) -> None:
    assert cli("import", "Succession", "--guild", "42") == 0
    scopes = rows(cli.db, "SELECT DISTINCT guild_id FROM fact WHERE key LIKE 'tvmaze-%'")
    assert [s["guild_id"] for s in scopes] == [42]
    # Imported globally, a show is every server's: a server's copy would answer twice.
    assert cli("import", "Succession") == 0
    before = changes(cli.db)
    assert cli("import", "Succession", "--guild", "43") == 2
    assert "already imported from TVmaze for every server" in capsys.readouterr().err
    assert changes(cli.db) == before


# ---------------------------------------------------------------- refresh


def test_refresh_edits_a_moved_date_and_the_moderator_wins(
    cli: Any, capsys: Any, served: Served
) -> None:
    assert cli("import", "Succession") == 0
    db = cli.db
    (premiere,) = rows(db, "SELECT * FROM fact WHERE key = 'tvmaze-26470-season-7004-premiere'")
    (finale,) = rows(db, "SELECT * FROM fact WHERE key = 'tvmaze-26470-season-7004-finale'")
    engine = Engine.open(db)
    try:  # a moderator corrects the finale by hand
        mod = Actor(id=7, name="mod", guild_id=None, owner=True)
        Moderation(engine).edit_fact(mod, finale["id"], text="Finale: spring 2023, says HBO.")
    finally:
        engine.close()
    capsys.readouterr()
    assert cli("refresh") == 0
    assert "0 of 1 imported show(s) changed" in capsys.readouterr().out
    served.fake.move_season(26470, 4, "2023-03-26", "2023-05-28")
    assert cli("refresh") == 0
    out = capsys.readouterr().out
    assert (
        "Succession (global): facts 0 added, 1 updated; 1 kept as moderators changed them." in out
    )
    (after,) = rows(db, "SELECT * FROM fact WHERE id = ?", [premiere["id"]])
    assert (after["date"], after["text"]) == ("2023-03-26", "Premiere of Succession season 4.")
    assert after["version"] == premiere["version"] + 1  # an edit, not a second fact
    (kept,) = rows(db, "SELECT * FROM fact WHERE id = ?", [finale["id"]])
    assert kept["text"] == "Finale: spring 2023, says HBO." and kept["date"] is None
    (logged,) = rows(
        db,
        "SELECT action FROM change WHERE table_name = 'fact' AND row_id = ? AND version = ?",
        [premiere["id"], after["version"]],
    )
    assert logged["action"] == "tvmaze.refresh"
    assert cli("refresh") == 0  # nothing new
    assert "facts 0 added, 0 updated" not in capsys.readouterr().out
