"""Nothing acknowledged is lost, nothing leaks between servers (issue 20, items 1-3) through
the real bot process: the review's chains of a global fact citing a server's source, the
bot removed from that server, and the next moderator's write."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botprocess import ROOT, RunningBot, StartBot, bot_env, content
from fakediscord import MANAGE_MESSAGES, FakeDiscord

pytestmark = pytest.mark.timeout(90)

LUKE_CAGE = 13  # a seeded global fact
FORGET_AT_ONCE = {"privacy": {"forget_after_days": 0}}


async def say(bot: RunningBot, guild: int, channel: int, user: int, text: str) -> str:
    return content(await bot.ask(guild, channel, user, text, roles=["Moderator"]))


def soon(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def count(bot: RunningBot, sql: str, params: list[Any] | None = None) -> int:
    return int(next(iter(bot.query(sql, params or [])[0].values())))


async def test_a_servers_source_stays_its_own_and_its_forget_never_wedges_the_writer(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    fake = fake_discord
    other = fake.add_guild(
        "Other Server", channels=("general",), roles={"Moderator": MANAGE_MESSAGES}
    )
    bot = await start_bot(FORGET_AT_ONCE)
    main, gen = fake.guild.id, fake.guild.channel("general").id
    ogen = other.channel("general").id
    omod, mod = fake.add_user("othermod").id, fake.add_user("mod").id
    added = await say(
        bot,
        other.id,
        ogen,
        omod,
        "!fact add subject: Zorblax the Great kind: who text: A wizard. source: Zorblax Fan Wiki",
    )
    assert added.startswith("Added fact #"), added
    (private,) = bot.query("SELECT id FROM source WHERE guild_id = ?", [other.id])
    refused = await say(
        bot, other.id, ogen, fake.owner.id, f"!fact edit {LUKE_CAGE} source: #{private['id']}"
    )
    assert "global source" in refused, refused
    edited = await say(
        bot, other.id, ogen, fake.owner.id, f"!fact edit {LUKE_CAGE} source: Zorblax Fan Wiki"
    )
    assert edited.startswith("Edited fact"), edited
    (cited,) = bot.query(
        "SELECT source.guild_id FROM fact JOIN source ON source.id = fact.source_id"
        " WHERE fact.id = ?",
        [LUKE_CAGE],
    )
    assert cited["guild_id"] is None  # a global copy, not the server's own

    since = len(bot.lines)
    await fake.remove_bot_from_guild(other.id)
    await bot.wait_for_log(lambda r: r.get("event") == "guild_forgotten", since=since)
    assert count(bot, "SELECT count(*) FROM fact WHERE guild_id = ?", [other.id]) == 0

    reply = await say(bot, main, gen, mod, "!fact add subject: Quuxworth kind: who text: A knight.")
    assert reply.startswith("Added fact #"), reply
    answer = content(await bot.ask(main, gen, fake.add_user("fan").id, "!who quuxworth"))
    assert "A knight." in answer, answer  # the running bot's index caught up
    assert count(bot, "SELECT count(*) FROM fact WHERE text = 'A knight.'") == 1
    cli = await asyncio.to_thread(  # another writer gets the lock
        subprocess.run,
        [sys.executable, "-m", "bot", "forget", "--user", "42", "--db", str(bot.db_path)],
        cwd=ROOT,
        env=bot_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert cli.returncode == 0, cli.stderr
    await bot.stop()
    assert count(bot, "SELECT count(*) FROM fact WHERE text = 'A knight.'") == 1


async def test_after_a_forget_new_rows_never_take_a_forgotten_rows_id(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    fake = fake_discord
    other = fake.add_guild(
        "Other Server", channels=("general",), roles={"Moderator": MANAGE_MESSAGES}
    )
    bot = await start_bot(FORGET_AT_ONCE)
    main, gen = fake.guild.id, fake.guild.channel("general").id
    omod, mod = fake.add_user("othermod").id, fake.add_user("mod").id
    added = await say(
        bot,
        other.id,
        other.channel("general").id,
        omod,
        f"!fact add subject: Project Nightshade kind: when text: A launch. date: {soon(10)}",
    )
    assert added.startswith("Added fact #"), added
    forgotten_top = count(bot, "SELECT max(id) FROM change")
    since = len(bot.lines)
    await fake.remove_bot_from_guild(other.id)
    await bot.wait_for_log(lambda r: r.get("event") == "guild_forgotten", since=since)

    reply = await say(
        bot,
        main,
        gen,
        mod,
        f"!fact add subject: Quuxworth kind: when text: Quuxworth premieres. date: {soon(11)}",
    )
    assert reply.startswith("Added fact #"), reply
    assert count(bot, "SELECT min(id) FROM change WHERE action = 'forget'") > forgotten_top
    answer = content(await bot.ask(main, gen, fake.add_user("fan").id, "!when quuxworth"))
    assert "Quuxworth premieres." in answer, answer
    # The new subject is not shown under the forgotten one's name, anywhere.
    coming = await say(bot, main, gen, mod, "!upcoming 30")
    assert "Quuxworth" in coming and "Nightshade" not in coming, coming
    (row,) = bot.query("SELECT entity_id FROM fact WHERE text = 'Quuxworth premieres.'")
    (entity,) = bot.query("SELECT name FROM entity WHERE id = ?", [row["entity_id"]])
    assert entity["name"] == "Quuxworth"
