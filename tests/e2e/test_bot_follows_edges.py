"""Follows that outlive their server, through the real bot and the fake Discord (issue 20,
item 7): a DM sent by the shard process that doesn't hold the server names it all the same;
once the bot is removed from a server its followers get no more DMs about it, and from a DM
they list and unfollow their follows (`/following`, `/unfollow`: prefix commands are read in
servers only)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from botprocess import ROOT, RunningBot, StartBot, bot_env, content
from fakediscord import MANAGE_MESSAGES, FakeDiscord

pytestmark = pytest.mark.timeout(90)

LUKE_CAGE = 13  # seeded: Luke Cage premieres on 30 September 2016 (confirmed)
FAST: dict[str, Any] = {"updates": {"window_seconds": 600, "lease_seconds": 2}}


async def say(bot: RunningBot, guild: int, channel: int, user: int, text: str) -> str:
    return content(await bot.ask(guild, channel, user, text))


def import_new_date(db_path: Path, tmp_path: Path, date: str) -> None:
    """The owner changes Luke Cage's date from the command line (export, edit, import)."""
    run: dict[str, Any] = {"cwd": ROOT, "env": bot_env(), "capture_output": True, "text": True}
    out = subprocess.run(
        [sys.executable, "-m", "bot", "export", "--db", str(db_path)], check=True, **run
    )
    data = json.loads(out.stdout)
    with sqlite3.connect(db_path) as db:
        (key,) = db.execute("SELECT key FROM fact WHERE id = ?", [LUKE_CAGE]).fetchone()
    for fact in data["facts"]:
        if fact["key"] == key:
            fact["date"] = date
    path = tmp_path / "edit.json"
    path.write_text(json.dumps(data))
    subprocess.run(
        [sys.executable, "-m", "bot", "import", str(path), "--db", str(db_path)], check=True, **run
    )


async def dm_slash(
    fake: FakeDiscord, user: int, command: str, options: dict[str, Any] | None = None
) -> str:
    handle = await fake.send_slash_command(None, None, user, command, options or {})
    callback = await fake.wait_for_callback(handle)
    assert callback.status == 200 and callback.json["type"] == 4, callback.json
    return str(callback.json["data"]["content"])


async def test_a_dm_sent_by_the_other_shard_process_names_the_server(
    fake_discord: FakeDiscord, start_bot: StartBot, tmp_path: Path
) -> None:
    fake = fake_discord
    shard = FakeDiscord.shard_of(fake.guild.id, 2)
    config = {**FAST, "discord": {"shard_count": 2, "shard_ids": [shard]}}
    database = tmp_path / "shared.db"
    holder = await start_bot(config, db_path=database)
    general = fake.guild.channel("general").id
    fan = fake.add_user("fan").id
    assert "now follow" in await say(
        holder, fake.guild.id, general, fan, "!follow luke cage dm: yes"
    )
    await holder.stop()
    # Only the process holding the other shard runs: its guild cache lacks Test Server.
    await start_bot(config, db_path=database, args=["--shard-ids", str(1 - shard)])
    import_new_date(database, tmp_path, "2016-10-01")
    dm_channel = fake.dm_channel(fan).id
    dm = await fake.wait_for(lambda: (fake.bot_messages(dm_channel) or [None])[-1], 15, "the DM")
    assert dm["content"].startswith("From **Test Server**: 📣 **Luke Cage** has news"), dm


async def test_after_the_bot_leaves_a_server_its_followers_hear_nothing_and_unfollow_by_dm(
    fake_discord: FakeDiscord, start_bot: StartBot, tmp_path: Path
) -> None:
    fake = fake_discord
    second = fake.add_guild(
        "Second Server", channels=("general",), roles={"Moderator": MANAGE_MESSAGES}
    )
    bot = await start_bot(FAST)  # forget_after_days: the default grace period (30 days)
    fan = fake.add_user("fan").id
    here, there = fake.guild.channel("general").id, second.channel("general").id
    assert "now follow" in await say(bot, second.id, there, fan, "!follow luke cage dm: yes")
    assert "now follow" in await say(bot, second.id, there, fan, "!follow nuke")
    assert "now follow" in await say(bot, fake.guild.id, here, fan, "!follow nuke")
    since = len(bot.lines)
    await fake.remove_bot_from_guild(second.id)
    await bot.wait_for_log(lambda r: r.get("event") == "guild_left", since=since)

    import_new_date(bot.db_path, tmp_path, "2016-10-01")
    # Nothing is told about the server the bot left (it was, and DMed for 30 days).
    assert bot.query("SELECT count(*) AS n FROM outbox WHERE guild_id = ?", [second.id]) == [
        {"n": 0}
    ]
    await asyncio.sleep(2.5)  # the drainer's rounds are a second apart
    await bot.barrier(fake.guild.id, here, fan)
    assert fake.bot_messages(fake.dm_channel(fan).id) == []

    # From a DM: the follows in every server, by server, and unfollowing one there.
    listed = await dm_slash(fake, fan, "following")
    assert "In **Second Server**:" in listed and "In **Test Server**:" in listed, listed
    assert "• **Luke Cage** (show) · by DM too" in listed, listed
    gone = await dm_slash(fake, fan, "unfollow", {"subject": "luke cage"})
    assert gone == "You no longer follow **Luke Cage** in **Second Server**.", gone
    both = await dm_slash(fake, fan, "unfollow", {"subject": "nuke"})
    assert both == "You no longer follow **Nuke** in **Second Server**, **Test Server**.", both
    assert bot.query("SELECT * FROM follow WHERE user_id = ?", [fan]) == []
    again = await dm_slash(fake, fan, "unfollow", {"subject": "nuke"})
    assert "You don't follow **Nuke** in any server" in again, again
