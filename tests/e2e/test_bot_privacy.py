"""Keep less and delete on request (issue 14) through the real bot process and the fake
Discord: no asker's id in the database file, ``!forget me`` (prefix and slash, in a DM),
and a server's data forgotten when the bot is removed from it (GUILD_DELETE)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from botprocess import ConfigSections, RunningBot, StartBot, World, content
from fakediscord import FakeDiscord

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(60)]


@pytest.fixture(scope="module")
def bot_overrides() -> ConfigSections:
    # Removed from a server, the module's bot forgets it at once (the grace period's own
    # test starts a bot of its own).
    return {"privacy": {"forget_after_days": 0}}


def database_bytes(bot: RunningBot) -> bytes:
    """The database file and its WAL, as they are on disk."""
    found = b""
    for suffix in ("", "-wal"):
        part = Path(f"{bot.db_path}{suffix}")
        if part.exists():
            found += part.read_bytes()
    return found


def ids_in(data: bytes, ids: list[int]) -> list[int]:
    """The ids found in ``data``: as decimal text, or as 8-byte integers either way round."""
    return [
        i
        for i in ids
        if any(p in data for p in (str(i).encode(), struct.pack(">q", i), struct.pack("<q", i)))
    ]


async def flush(world: World, bot: RunningBot) -> None:
    """!stats writes the buffered question log first (it reads the log)."""
    mod = world.user("statsmod")
    reply = await bot.ask(world.main.id, world.channel(), mod, "!stats", roles=["Moderator"])
    assert content(reply).startswith("Last 7 days:"), content(reply)


async def test_no_askers_id_reaches_the_database_file(world: World, bot: RunningBot) -> None:
    fans = [world.user("fan") for _ in range(3)]
    channels = [world.channel() for _ in range(3)]
    questions = ["!who nuke", "!when jessica jones s2", "!ask who is kilgrave", "!who zed nobody"]
    for fan, channel in zip(fans, channels, strict=True):
        for question in questions[:2]:
            assert (await bot.ask(world.main.id, channel, fan, question)).status == 200
    for question in questions[2:]:
        assert (await bot.ask(world.main.id, channels[0], fans[0], question)).status == 200
    handle = await world.fake.send_slash_command(
        world.main.id, channels[1], fans[1], "who", {"subject": "trish walker"}
    )
    await world.fake.wait_for_callback(handle)
    await flush(world, bot)

    logged = bot.query("SELECT text FROM question WHERE guild_id = ?", [world.main.id])
    assert {"nuke", "who is kilgrave", "zed nobody", "trish walker"} <= {r["text"] for r in logged}
    assert ids_in(database_bytes(bot), fans + channels) == []


async def test_forget_me_pseudonymises_a_moderator(world: World, bot: RunningBot) -> None:
    mod, channel = world.user("forgetmod"), world.channel()
    username = world.fake.users[mod].username

    async def say(text: str) -> str:
        return content(await bot.ask(world.main.id, channel, mod, text, roles=["Moderator"]))

    added = await say("!fact add subject: Zora Privacy kind: who text: Zora minds her data.")
    assert added.startswith("Added fact #"), added
    assert bot.query("SELECT count(*) AS n FROM change WHERE actor_id = ?", [mod])[0]["n"] > 0

    asked = await say("!forget me")
    assert "!forget me confirm" in asked and "pseudonym" in asked
    assert bot.query("SELECT count(*) AS n FROM change WHERE actor_id = ?", [mod])[0]["n"] > 0

    done = await say("!forget me confirm")
    assert done.startswith("Done. No question is stored with who asked it"), done
    # In a channel the pseudonym is not named: that would tie it to them for all to see.
    assert "now a pseudonym" in done and "moderator-" not in done, done
    assert "cooldown was reset" in done
    (row,) = bot.query("SELECT DISTINCT actor_name FROM change WHERE actor_id < 0")
    pseudonym = row["actor_name"]
    assert pseudonym.startswith("moderator-") and len(pseudonym) == 18
    assert (
        bot.query("SELECT * FROM change WHERE actor_id = ? OR actor_name = ?", [mod, username])
        == []
    )
    theirs = bot.query("SELECT actor_name FROM change WHERE actor_name = ?", [pseudonym])
    assert len(theirs) >= 2  # the subject and the fact: history kept, under the pseudonym
    fact = bot.query("SELECT * FROM fact WHERE text = 'Zora minds her data.'")[0]
    assert fact["created_by"] < 0 and fact["updated_by"] < 0
    assert ids_in(database_bytes(bot), [mod]) == []
    # The history reads on under the pseudonym.
    history = await say(f"!fact history {fact['id']}")
    assert pseudonym in history and username not in history

    # Anyone, from a DM too, by slash command; nothing stored for a plain member.
    fan = world.user("dmfan")
    handle = await world.fake.send_slash_command(
        None, None, fan, "forget me", {"confirm": "confirm"}
    )
    callback = await world.fake.wait_for_callback(handle)
    text = callback.json["data"]["content"]
    assert text.startswith("Done.") and "Nothing else was stored under your account" in text


async def test_removed_from_a_server_its_data_is_forgotten(world: World, bot: RunningBot) -> None:
    other, channel = world.other.id, world.other_channel()
    mod, fan = world.user("othermod"), world.user("otherfan")
    added = await bot.ask(
        other,
        channel,
        mod,
        "!fact add subject: Quill Other kind: who text: Only here, zebrawhistle.",
        roles=["Moderator"],
    )
    assert content(added).startswith("Added fact #"), content(added)
    assert (await bot.ask(other, channel, fan, "!who quill other")).status == 200
    main_channel = world.channel()
    assert (await bot.ask(world.main.id, main_channel, fan, "!who nuke")).status == 200
    await flush(world, bot)
    main_questions = bot.query(
        "SELECT count(*) AS n FROM question WHERE guild_id = ?", [world.main.id]
    )[0]["n"]
    assert bot.query("SELECT count(*) AS n FROM question WHERE guild_id = ?", [other])[0]["n"]
    since = len(bot.lines)

    await world.fake.remove_bot_from_guild(other)
    forgotten = await bot.wait_for_log(
        lambda r: r.get("event") == "guild_forgotten", since=since, what="guild_forgotten"
    )
    assert forgotten["guild"] == other and forgotten["reason"] == "removed"
    assert forgotten["fact"] == 1 and forgotten["question"] >= 1
    assert bot.events("guild_left")
    for table in ("fact", "entity", "alias", "source", "synonym", "question", "fact_doc"):
        assert bot.query(f"SELECT * FROM {table} WHERE guild_id = ?", [other]) == [], table
    left = bot.query("SELECT action, after FROM change WHERE guild_id = ?", [other])
    assert {r["action"] for r in left} <= {"forget"} and all(r["after"] is None for r in left)
    assert bot.query("SELECT * FROM guild_departure") == []
    # Single words, as FTS5 stores them (lower case, stemmed), in the index's segments too.
    left_on_disk = database_bytes(bot).lower()
    assert not [w for w in (b"only here", b"zebrawhistl", b"quill") if w in left_on_disk]
    # The server the bot is still in keeps everything; global facts still answer there.
    assert (
        bot.query("SELECT count(*) AS n FROM question WHERE guild_id = ?", [world.main.id])[0]["n"]
        == main_questions
    )
    assert "Nuke" in content(await bot.ask(world.main.id, main_channel, fan, "!who nuke"))


@pytest.mark.asyncio(loop_scope="function")  # a bot of its own, on its own fake
async def test_a_grace_period_keeps_the_data_until_it_ends(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    bot = await start_bot({"privacy": {"forget_after_days": 30}})
    guild = fake_discord.guild
    channel = guild.channel("general").id
    mod = fake_discord.add_user("gracemod").id
    added = await bot.ask(
        guild.id,
        channel,
        mod,
        "!fact add subject: Vale Grace kind: who text: Still here.",
        roles=["Moderator"],
    )
    assert content(added).startswith("Added fact #"), content(added)
    since = len(bot.lines)

    await fake_discord.remove_bot_from_guild(guild.id)
    await bot.wait_for_log(lambda r: r.get("event") == "guild_left", since=since)
    (departure,) = bot.query("SELECT * FROM guild_departure")
    assert departure["guild_id"] == guild.id
    assert bot.query("SELECT text FROM fact WHERE guild_id = ?", [guild.id]) == [
        {"text": "Still here."}
    ]
    assert not bot.events("guild_forgotten")

    # Added back within the grace period: nothing will be forgotten.
    await fake_discord.add_bot_to_guild(guild)
    await bot.wait_for_log(lambda r: r.get("event") == "guild_rejoined", since=since)
    assert bot.query("SELECT * FROM guild_departure") == []
    reply = await bot.ask(guild.id, channel, fake_discord.add_user("fan").id, "!who vale grace")
    assert "Still here." in content(reply)
