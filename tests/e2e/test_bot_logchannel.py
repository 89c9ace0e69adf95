"""Moderator log channels: each server's changes are posted (one line: who, which server, the
outcome) in that server's own channel (``!modlog channel``) and nowhere else; changes to
global data (the owner's) in ``[moderation] log_channel_id``. Read-only commands are not
posted, and a channel the bot cannot use never breaks the moderator's command. Each test
starts its own bot (``start_bot``)."""

from __future__ import annotations

import re

import pytest
from botprocess import RunningBot, StartBot, content
from fakediscord import MANAGE_MESSAGES, FakeDiscord, RecordedRequest

pytestmark = pytest.mark.timeout(60)

ADD = "!fact add subject: Quorvin Logtest kind: who text: A logged fact."


def posts_in(fake: FakeDiscord, channel_id: int, since: int = 0) -> list[RecordedRequest]:
    """Accepted messages the bot posted in ``channel_id`` (from request ``since`` on)."""
    return [
        r
        for r in fake.requests[since:]
        if r.operation_id == "create_message"
        and not r.injected
        and r.path_params.get("channel_id") == str(channel_id)
    ]


async def next_post(fake: FakeDiscord, channel_id: int, since: int) -> RecordedRequest:
    def found() -> RecordedRequest | None:
        posts = posts_in(fake, channel_id, since)
        return posts[0] if posts else None

    return await fake.wait_for(found, 5, f"a post in channel {channel_id}")


def global_fact(bot: RunningBot) -> int:
    (row,) = bot.query(
        "SELECT id FROM fact WHERE guild_id IS NULL AND deleted_at IS NULL"
        " AND overrides IS NULL ORDER BY id LIMIT 1"
    )
    return int(row["id"])


async def test_each_server_has_its_own_log_channel(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    a = fake_discord.guild  # "Test Server": #general, #off-topic
    b = fake_discord.add_guild(
        "Other Server", channels=("general", "mod-log"), roles={"Moderator": MANAGE_MESSAGES}
    )
    staff = fake_discord.add_guild("Staff Server", channels=("owner-log",))
    a_general, a_log = a.channel("general").id, a.channel("off-topic").id
    b_general, b_log = b.channel("general").id, b.channel("mod-log").id
    owner_log = staff.channel("owner-log").id
    everywhere = (a_general, a_log, b_general, b_log, owner_log)
    bot = await start_bot({"moderation": {"log_channel_id": owner_log}})
    mod_a, mod_b = fake_discord.add_user("amod").id, fake_discord.add_user("bmod").id

    async def say(guild: int, channel: int, user: int, text: str) -> str:
        return content(await bot.ask(guild, channel, user, text, roles=["Moderator"]))

    def logged(since: int) -> dict[int, list[str]]:
        """Posts since ``since`` that are not replies, per channel."""
        return {
            c: [
                content(r)
                for r in posts_in(fake_discord, c, since)
                if not r.json.get("message_reference")
            ]
            for c in everywhere
        }

    # Nothing is posted until a server chooses its channel.
    assert "not posted anywhere" in await say(a.id, a_general, mod_a, "!modlog")
    since = len(fake_discord.requests)
    assert (await say(a.id, a_general, mod_a, ADD)).startswith("Added fact #")
    await bot.barrier(a.id, a_general, mod_a)
    assert logged(since) == {c: [] for c in everywhere}

    # A moderator picks a channel of their own server; another server's is refused.
    refused = await say(a.id, a_general, mod_a, f"!modlog channel <#{b_log}>")
    assert "not a channel of this server" in refused, refused
    since = len(fake_discord.requests)
    chosen = await say(a.id, a_general, mod_a, f"!modlog channel <#{a_log}>")
    assert f"now posted in <#{a_log}>" in chosen, chosen
    assert chosen in content(await next_post(fake_discord, a_log, since))  # it works
    assert f"<#{a_log}>" in await say(a.id, a_general, mod_a, "!modlog")
    # Stored per server, with nobody's user id.
    assert bot.query("SELECT guild_id, modlog_channel_id FROM guild_setting") == [
        {"guild_id": a.id, "modlog_channel_id": a_log}
    ]
    assert f"<#{b_log}>" in await say(b.id, b_general, mod_b, f"!modlog channel <#{b_log}>")

    # A's change: in A's channel only (not B's, not the owner's).
    since = len(fake_discord.requests)
    added = await say(a.id, a_general, mod_a, ADD.replace("A logged", "Server A's"))
    assert added.startswith("Added fact #"), added
    line = content(await next_post(fake_discord, a_log, since))
    assert added in line and "amod" in line and "Test Server" in line, line
    assert "\n" not in line and not re.search(r"(?<!\\)<[@#]", line), line  # no ping
    # B's change, then a look in A (not posted): once B's line is there, A's is settled.
    removed = await say(b.id, b_general, mod_b, ADD.replace("A logged", "Server B's"))
    fact_id = re.search(r"fact #(\d+)", added)
    assert fact_id, added
    assert "Server A's fact." in await say(a.id, a_general, mod_a, f"!fact show {fact_id[1]}")
    await next_post(fake_discord, b_log, since)
    await bot.barrier(a.id, a_general, mod_a)
    posts = logged(since)
    assert posts[a_log] == [line]
    assert len(posts[b_log]) == 1 and removed in posts[b_log][0] and "bmod" in posts[b_log][0]
    assert posts[owner_log] == [] and posts[a_general] == posts[b_general] == []

    # The owner editing a global fact from server A: global data, the owner's channel only.
    since = len(fake_discord.requests)
    edited = await say(
        a.id,
        a_general,
        fake_discord.owner.id,
        f"!fact edit {global_fact(bot)} text: An owner's global edit. version: 1",
    )
    assert edited.startswith("Edited fact #"), edited
    owner_line = content(await next_post(fake_discord, owner_log, since))
    assert edited in owner_line, owner_line
    await bot.barrier(a.id, a_general, mod_a)
    assert logged(since) == {**{c: [] for c in everywhere}, owner_log: [owner_line]}

    # Off: A's changes go nowhere; the old channel is told.
    since = len(fake_discord.requests)
    off = await say(a.id, a_general, mod_a, "!modlog off")
    assert "no longer posted" in off, off
    assert (await say(a.id, a_general, mod_a, ADD.replace("A logged", "Unlogged"))).startswith(
        "Added fact #"
    )
    await bot.barrier(a.id, a_general, mod_a)
    posts = logged(since)
    assert len(posts[a_log]) == 1 and off in posts[a_log][0], posts[a_log]
    assert posts[b_log] == posts[owner_log] == []
    (changed,) = [e for e in bot.events("modlog_set") if e["channel"] is None]
    assert changed["guild"] == a.id and changed["before"] == a_log
    assert not bot.events("log_channel_unusable")


async def test_slash_modlog_takes_a_channel_of_this_server(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    guild = fake_discord.guild
    general, log_channel = guild.channel("general").id, guild.channel("off-topic").id
    bot = await start_bot()
    mod = fake_discord.add_user("slashmod").id
    since = len(fake_discord.requests)
    handle = await fake_discord.send_slash_command(
        guild.id, general, mod, "modlog channel", {"channel": log_channel}, roles=["Moderator"]
    )
    answer = (await fake_discord.wait_for_callback(handle)).json["data"]["content"]
    assert f"now posted in <#{log_channel}>" in answer, answer
    await next_post(fake_discord, log_channel, since)
    handle = await fake_discord.send_slash_command(
        guild.id, general, mod, "modlog show", roles=["Moderator"]
    )
    shown = (await fake_discord.wait_for_callback(handle)).json["data"]
    assert f"<#{log_channel}>" in shown["content"] and shown["flags"] & 64  # private
    assert bot.query("SELECT modlog_channel_id FROM guild_setting") == [
        {"modlog_channel_id": log_channel}
    ]


async def test_a_missing_log_channel_never_breaks_the_command(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    guild = fake_discord.guild
    general = guild.channel("general").id
    bot = await start_bot({"moderation": {"log_channel_id": 123456789012345678}})
    fact_id = global_fact(bot)
    for version in (1, 2):
        reply = await bot.ask(
            guild.id,
            general,
            fake_discord.owner.id,
            f"!fact edit {fact_id} text: Owner edit {version}. version: {version}",
        )
        assert content(reply).startswith("Edited fact #"), content(reply)
    # Warned once, not once per change; nothing else went anywhere.
    await bot.wait_for_log(lambda r: r.get("event") == "log_channel_unusable")
    assert len(bot.events("log_channel_unusable")) == 1
    posted = [r for r in fake_discord.requests_for("create_message") if r.status == 200]
    assert posted and all(r.path_params.get("channel_id") == str(general) for r in posted)
    # Posted by id (this process's cache may just not hold it): Discord's 404 says the
    # channel doesn't exist, and ids are never reused, so it is asked once, not per change.
    (missing,) = [r for r in fake_discord.requests_for("create_message") if r.status == 404]
    assert missing.path_params["channel_id"] == "123456789012345678"
    assert [v.reason for v in fake_discord.take_violations()] == ["Unknown Channel"]


async def test_the_owner_log_channel_may_be_in_a_server_this_process_does_not_hold(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    """With shards spread over processes, the owner's log channel's server is usually
    another process's: this one never got its GUILD_CREATE, so its cache doesn't know the
    channel. The line is posted all the same (by id), from every process."""
    guild = fake_discord.guild
    general = guild.channel("general").id
    staff = fake_discord.add_guild("Staff Server", channels=("mod-log",))
    log_channel = staff.channel("mod-log").id
    # Not announced: the bot IDENTIFYs without this server, as a process without its shard.
    del fake_discord.guilds[staff.id]
    bot = await start_bot({"moderation": {"log_channel_id": log_channel}})
    fake_discord.guilds[staff.id] = staff  # it exists on Discord, and the bot is in it
    sent = [p for session in fake_discord.gateway.sessions.values() for p in session.log]
    assert not [p for p in sent if p["t"] == "GUILD_CREATE" and p["d"]["id"] == str(staff.id)]
    since = len(fake_discord.requests)
    edit = f"!fact edit {global_fact(bot)} text: Edited from elsewhere. version: 1"
    edited = content(await bot.ask(guild.id, general, fake_discord.owner.id, edit))
    assert edited.startswith("Edited fact #"), edited
    post = await next_post(fake_discord, log_channel, since)
    assert post.status == 200 and edited in content(post), content(post)
    assert post.json["allowed_mentions"]["parse"] == []
    assert not bot.events("log_channel_unusable")
