"""Another writer holds the database's write lock for seconds: the bot's event loop never
waits for it (bot/runtime/writer.py). Questions, prefix and slash, are answered meanwhile, slash
ones within Discord's 3 s deadline; gateway heartbeats stay on time; a moderator command
sent during the lock is applied once it is released, exactly once, or refused cleanly when
the lock outlasts the 10 s busy timeout, with nothing changed."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from botprocess import ConfigSections, RunningBot, World, build_world
from fakediscord import FakeDiscord, InteractionHandle, RecordedRequest

from bot.errors import DATABASE_REPLIES
from bot.store.core import BUSY_TIMEOUT_MS

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(90)]

HEARTBEAT_MS = 1000  # short, so a blocked loop shows as a late heartbeat
LOCK_SECONDS = 5.0
QUESTION_DEADLINE = 1.0  # what "kept answering" means here; Discord's limit is 3 s


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world() -> AsyncIterator[World]:
    fake = FakeDiscord(heartbeat_interval_ms=HEARTBEAT_MS)
    main, other = build_world(fake, channels=10)
    await fake.start()
    try:
        yield World(fake, main, other)
    finally:
        await fake.stop()


@pytest.fixture(scope="module")
def bot_overrides() -> ConfigSections:
    return {"limits": {"cooldown_rate": 1000, "cooldown_seconds": 1}}


@contextlib.contextmanager
def write_lock(db: Path) -> Iterator[sqlite3.Connection]:
    """Another writer holding the database's write lock (BEGIN IMMEDIATE) until the end."""
    conn = sqlite3.connect(db, timeout=5, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield conn
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def heartbeat_gaps(fake: FakeDiscord, start: float, end: float) -> list[float]:
    """Seconds between successive heartbeats the fake received around [start, end]."""
    beats = [f.time for f in fake.gateway.frames if f.op == 1]
    inside = [t for t in beats if start - HEARTBEAT_MS / 1000 <= t <= end + HEARTBEAT_MS / 1000]
    return [b - a for a, b in itertools.pairwise(inside)]


class Moderator:
    def __init__(self, world: World, bot: RunningBot) -> None:
        self.world, self.bot = world, bot
        self.id = world.user("mod")
        self.channel = world.channel()

    async def send(self, text: str) -> int:
        return await self.world.fake.send_message(
            self.world.main.id, self.channel, self.id, text, roles=["Moderator"]
        )

    async def slash(self, command: str, options: dict[str, str]) -> InteractionHandle:
        return await self.world.fake.send_slash_command(
            self.world.main.id, self.channel, self.id, command, options, roles=["Moderator"]
        )


def replies(fake: FakeDiscord, message_id: int) -> list[RecordedRequest]:
    return [
        r
        for r in fake.requests
        if r.operation_id == "create_message"
        and isinstance(r.json, dict)
        and str((r.json.get("message_reference") or {}).get("message_id")) == str(message_id)
    ]


async def ask_meanwhile(world: World, bot: RunningBot, until: float) -> list[float]:
    """Questions, alternately prefix and slash, until the loop time ``until``: the latency
    of each (to the reply, or to the interaction's callback)."""
    fake, loop = world.fake, asyncio.get_running_loop()
    channel, latencies, number = world.channel(), [], 0
    while loop.time() < until:
        user = world.user()
        began = loop.time()
        if number % 2 == 0:
            reply = await bot.ask(world.main.id, channel, user, "!who nuke", timeout=3)
            latency = reply.time - began
        else:
            handle = await fake.send_slash_command(
                world.main.id, channel, user, "who", {"subject": "nuke"}
            )
            callback = await fake.wait_for_callback(handle, timeout=3)
            assert callback.status == 200 and callback.json["type"] == 4, callback.json
            assert "Nuke" in callback.json["data"]["content"]
            latency = callback.time - fake.interaction(handle).created
        latencies.append(latency)
        number += 1
        await asyncio.sleep(0.2)
    return latencies


async def test_answers_and_heartbeats_while_another_writer_holds_the_lock(
    world: World, bot: RunningBot
) -> None:
    fake, loop = world.fake, asyncio.get_running_loop()
    mod = Moderator(world, bot)
    facts_before = bot.query("SELECT count(*) AS n FROM fact")[0]["n"]
    questions_before = bot.query("SELECT count(*) AS n FROM question")[0]["n"]
    with write_lock(bot.db_path):
        locked_at = loop.time()
        # First questions alone: the writer is idle, so the question-log flush is tried
        # (and refused at once) every housekeeping tick.
        latencies = await ask_meanwhile(world, bot, locked_at + 1.5)
        prefix_id = await mod.send(
            "!fact add subject: Lock Keeper kind: who text: Added while the store was locked."
        )
        handle = await mod.slash(
            "fact add", {"subject": "Lock Warden", "kind": "who", "text": "Added by slash."}
        )
        # The slash command is acknowledged (deferred) within the deadline.
        deferred = await fake.wait_for_callback(handle, timeout=fake.interaction_deadline)
        assert deferred.status == 200 and deferred.json["type"] == 5, deferred.json
        deferred_after = deferred.time - fake.interaction(handle).created
        print(f"\nslash moderator command deferred after {deferred_after:.3f} s")
        latencies += await ask_meanwhile(world, bot, locked_at + LOCK_SECONDS)
        assert not replies(fake, prefix_id), "a write went through the lock?"
        released_at = loop.time()
    print(f"\nquestions while locked: {len(latencies)}, latency max {max(latencies):.3f} s")
    assert len(latencies) >= 10 and max(latencies) < QUESTION_DEADLINE, latencies

    gaps = heartbeat_gaps(fake, locked_at, released_at)
    print(f"heartbeat gaps during the lock: max {max(gaps):.3f} s over {len(gaps)}")
    assert len(gaps) >= 3 and max(gaps) < HEARTBEAT_MS / 1000 + 0.5, gaps

    # Once released: each moderator command applied once, answered once.
    reply = await bot.reply_to(prefix_id, timeout=5)
    assert re.search(r"Added fact #\d+", reply.json["content"]), reply.json
    followup = await fake.wait_for_request(handle.is_followup_or_edit, timeout=5)
    assert followup.status in (200, 204) and "Added fact #" in followup.json["content"]
    await asyncio.sleep(1.0)  # anything duplicated would be there by now
    assert len(replies(fake, prefix_id)) == 1
    assert len([r for r in fake.requests if handle.is_followup_or_edit(r)]) == 1
    added = bot.query(
        "SELECT fact.text FROM fact JOIN entity ON entity.id = fact.entity_id"
        " WHERE entity.name IN ('Lock Keeper', 'Lock Warden') ORDER BY fact.id"
    )
    assert [r["text"] for r in added] == ["Added while the store was locked.", "Added by slash."]
    assert bot.query("SELECT count(*) AS n FROM fact")[0]["n"] == facts_before + 2
    # The question log waited (buffered) and caught up after the lock.
    asked = len(latencies)

    def logged() -> bool | None:
        count = bot.query("SELECT count(*) AS n FROM question")[0]["n"]
        return True if count >= questions_before + asked else None

    await fake.wait_for(logged, 5, "the question log to catch up")
    assert bot.events("question_log_busy")  # it tried, was refused at once, retried


async def test_a_lock_past_the_busy_timeout_refuses_cleanly(world: World, bot: RunningBot) -> None:
    fake, loop = world.fake, asyncio.get_running_loop()
    mod = Moderator(world, bot)
    facts_before = bot.query("SELECT count(*) AS n, max(id) AS last FROM fact")[0]
    busy_seconds = BUSY_TIMEOUT_MS / 1000
    began = time.monotonic()
    with write_lock(bot.db_path):
        prefix_id = await mod.send("!fact add subject: Lock Refused kind: who text: Never saved.")
        handle = await mod.slash(
            "fact add", {"subject": "Lock Refused Too", "kind": "who", "text": "Never."}
        )
        deferred = await fake.wait_for_callback(handle, timeout=fake.interaction_deadline)
        assert deferred.json["type"] == 5
        # Both wait out the busy timeout in the writer thread, one after the other (in
        # order): the first is refused after ~10 s, then the lock is released.
        reply = await bot.reply_to(prefix_id, timeout=busy_seconds + 3)
        assert time.monotonic() - began >= busy_seconds - 0.5
        latencies = await ask_meanwhile(world, bot, loop.time() + 1.0)
    assert reply.json["content"].endswith(DATABASE_REPLIES["busy"]), reply.json
    assert max(latencies) < QUESTION_DEADLINE, latencies
    # The slash command was queued behind it: the lock is gone by its turn, so it is applied.
    followup = await fake.wait_for_request(handle.is_followup_or_edit, timeout=busy_seconds + 3)
    assert "Added fact #" in followup.json["content"], followup.json
    after = bot.query("SELECT count(*) AS n FROM fact")[0]["n"]
    assert after == facts_before["n"] + 1  # the refused one left nothing behind
    assert not bot.query("SELECT id FROM entity WHERE name = 'Lock Refused'"), (
        "the refused command changed something"
    )
    assert bot.events("database_busy")
