"""Faults on purpose (issue 20): SQLite failing where real disks and databases fail, under
the real bot. For each, the moderator is told the truth, nothing acknowledged is lost,
nothing unacknowledged is half-written, and the next write works.

- a COMMIT refused (a deferred foreign key another program's trigger violates);
- the disk full (the bot's file-size limit, RLIMIT_FSIZE, set below its files' sizes:
  every write past it fails as on a full disk; Python ignores SIGXFSZ);
- the bot killed (SIGKILL) after its COMMIT, before its reply reached Discord.

A lock held past the busy timeout is tests/e2e/test_bot_lock.py. A read-only file is
tests/unit/test_store.py's (at the store's level: the tests may run as root, to whom a
file's mode means nothing, and a read-only mount needs privileges CI may not have).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import psutil
import pytest
import pytest_asyncio
from botprocess import RunningBot, content
from fakediscord import FakeDiscord

from bot.errors import DATABASE_REPLIES

pytestmark = pytest.mark.timeout(120)

REFUSED = "The fact store refused that change, so nothing was changed."
ADDED = re.compile(r"Added fact #(\d+)")

Start = Callable[..., Coroutine[Any, Any, RunningBot]]


@pytest_asyncio.fixture
async def start(fake_discord: FakeDiscord, tmp_path: Path) -> AsyncIterator[Start]:
    """Start bot processes on one database; stopped at the end. Unlike ``start_bot`` it
    does not require a log without tracebacks: a refused COMMIT is logged with one, for
    the operator. Each test checks what its bot logged."""
    started: list[RunningBot] = []

    async def run() -> RunningBot:
        bot = await RunningBot.start(
            fake_discord, tmp_path / f"bot{len(started)}", db_path=tmp_path / "showbot.db"
        )
        started.append(bot)
        return bot

    yield run
    for bot in started:
        if not bot.exited:
            assert await bot.stop() == 0, bot.log_tail()


async def moderate(bot: RunningBot, text: str) -> str:
    fake = bot.fake
    mod = fake.add_user("mod").id
    return content(
        await bot.ask(
            fake.guild.id, fake.guild.channel("general").id, mod, text, roles=["Moderator"]
        )
    )


async def ask(bot: RunningBot, text: str) -> str:
    fake = bot.fake
    fan = fake.add_user("fan").id
    return content(await bot.ask(fake.guild.id, fake.guild.channel("general").id, fan, text))


def facts_saying(bot: RunningBot, text: str) -> int:
    return int(bot.query("SELECT count(*) AS n FROM fact WHERE text = ?", [text])[0]["n"])


def changes_of(bot: RunningBot, fact_id: int) -> int:
    rows = bot.query(
        "SELECT count(*) AS n FROM change WHERE table_name = 'fact' AND row_id = ?", [fact_id]
    )
    return int(rows[0]["n"])


async def assert_next_write_works(bot: RunningBot, subject: str, text: str) -> None:
    added = await moderate(bot, f"!fact add subject: {subject} kind: who text: {text}")
    found = ADDED.search(added)
    assert found, added
    assert facts_saying(bot, text) == 1 and changes_of(bot, int(found[1])) == 1
    assert text in await ask(bot, f"!who {subject}")


def logged_only(bot: RunningBot, *events: str) -> None:
    """Whatever tracebacks the bot logged belong to the expected events."""
    for record in bot.logs:
        if "exception" in record or "exc_info" in record:
            assert record.get("event") in events, record


async def test_a_refused_commit_is_reported_and_the_next_write_commits(start: Start) -> None:
    bot = await start()
    # Another program's trigger: every change the bot logs also writes a row whose
    # deferred foreign key points nowhere, so SQLite refuses the COMMIT itself.
    with sqlite3.connect(bot.db_path) as db:
        db.executescript(
            """
            CREATE TABLE fault_probe (
                fact_id INTEGER REFERENCES fact(id) DEFERRABLE INITIALLY DEFERRED
            );
            CREATE TRIGGER fault_commit AFTER INSERT ON change
            BEGIN INSERT INTO fault_probe VALUES (-1); END;
            """
        )
    reply = await moderate(bot, "!fact add subject: Quuxworth kind: who text: A knight.")
    assert REFUSED in reply, reply
    assert facts_saying(bot, "A knight.") == 0
    assert "A knight." not in await ask(bot, "!who quuxworth")
    with sqlite3.connect(bot.db_path) as db:
        db.executescript("DROP TRIGGER fault_commit; DROP TABLE fault_probe;")
    await assert_next_write_works(bot, "Quuxworth", "A knight of the realm.")
    logged_only(bot, "commit_refused")
    assert bot.events("commit_refused")


async def test_a_full_disk_refuses_the_change_and_the_next_write_commits(start: Start) -> None:
    bot = await start()
    process = psutil.Process(bot.process.pid)
    unlimited = process.rlimit(psutil.RLIMIT_FSIZE)
    # Every write past 4 KiB of any file fails: the next frame of the write-ahead log.
    process.rlimit(psutil.RLIMIT_FSIZE, (4096, unlimited[1]))
    try:
        reply = await moderate(bot, "!fact add subject: Quuxworth kind: who text: A knight.")
        assert reply.endswith(DATABASE_REPLIES["unwritable"]), reply
        assert "Quuxworth" not in await ask(bot, "!who nuke")  # questions still answered
    finally:
        process.rlimit(psutil.RLIMIT_FSIZE, unlimited)
    assert facts_saying(bot, "A knight.") == 0
    await assert_next_write_works(bot, "Quuxworth", "A knight of the realm.")
    logged_only(bot)


async def test_killed_after_the_commit_before_the_reply_keeps_the_change_whole(
    start: Start,
) -> None:
    bot = await start()
    fake = bot.fake
    general = fake.guild.channel("general").id
    stall = fake.stall_posts(general, after_create=False)  # the reply never reaches anyone
    mod = fake.add_user("mod").id
    await fake.send_message(
        fake.guild.id,
        general,
        mod,
        "!fact add subject: Quuxworth kind: who text: A knight.",
        roles=["Moderator"],
    )
    # The reply is on its way (and will never arrive): the fact is committed by then, as
    # a member is told "done" only after the commit.
    await asyncio.wait_for(stall.reached.wait(), 30)
    assert facts_saying(bot, "A knight.") == 1
    await bot.kill()  # SIGKILL: committed, not acknowledged

    bot = await start()
    (row,) = bot.query("SELECT id FROM fact WHERE text = 'A knight.'")
    assert changes_of(bot, int(row["id"])) == 1  # the fact and its history: whole
    assert "A knight." in await ask(bot, "!who quuxworth")
    history = await moderate(bot, f"!fact history {row['id']}")
    assert "fact.add" in history and "mod" in history, history
    await assert_next_write_works(bot, "Quuxworth", "A knight of the realm.")
    logged_only(bot)
