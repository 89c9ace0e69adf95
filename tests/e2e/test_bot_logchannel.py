"""``[moderation] log_channel_id``: every moderator change is also posted there as one line
(who, which server, the outcome); read-only commands are not, and a channel the bot cannot
use never breaks the moderator's command. Each test starts its own bot (``start_bot``)."""

from __future__ import annotations

import re

import pytest
from botprocess import StartBot
from fakediscord import FakeDiscord, RecordedRequest

pytestmark = pytest.mark.timeout(60)

ADD = "!fact add subject: Quorvin Logtest kind: who text: A logged fact."


def content(request: RecordedRequest) -> str:
    return str(request.json.get("content") or "")


def posts_in(fake: FakeDiscord, channel_id: int, since: int = 0) -> list[RecordedRequest]:
    """Accepted messages the bot posted in ``channel_id`` (from request ``since`` on)."""
    return [
        r
        for r in fake.requests[since:]
        if r.operation_id == "create_message"
        and not r.injected
        and r.path_params.get("channel_id") == str(channel_id)
    ]


async def test_changes_are_posted_to_the_log_channel_and_looks_are_not(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    guild = fake_discord.guild
    general, log_channel = guild.channel("general").id, guild.channel("off-topic").id
    bot = await start_bot({"moderation": {"log_channel_id": log_channel}})
    mod = fake_discord.add_user("logmod")

    async def say(text: str) -> str:
        reply = await bot.ask(guild.id, general, mod.id, text, roles=["Moderator"])
        return content(reply)

    async def next_log_post(since: int) -> RecordedRequest:
        def found() -> RecordedRequest | None:
            posts = posts_in(fake_discord, log_channel, since)
            return posts[0] if posts else None

        return await fake_discord.wait_for(found, 5, "a post in the log channel")

    since = len(fake_discord.requests)
    added = await say(ADD)
    assert added.startswith("Added fact #"), added
    found = re.search(r"fact #(\d+)", added)
    assert found, added
    fact_id = int(found[1])
    post = await next_log_post(since)
    line = content(post)
    assert added in line and "logmod" in line and "Test Server" in line, line
    assert "\n" not in line and not re.search(r"(?<!\\)<[@#]", line), line  # one line, no ping
    assert post.json["allowed_mentions"]["parse"] == []

    # A look changes nothing and is not posted; the change after it is (and only it).
    since = len(fake_discord.requests)
    assert "A logged fact." in await say(f"!fact show {fact_id}")
    removed = await say(f"!fact remove {fact_id}")
    post = await next_log_post(since)
    assert removed in content(post), content(post)
    assert len(posts_in(fake_discord, log_channel, since)) == 1
    assert not bot.events("log_channel_unusable")


async def test_a_missing_log_channel_never_breaks_the_command(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    guild = fake_discord.guild
    general = guild.channel("general").id
    bot = await start_bot({"moderation": {"log_channel_id": 123456789012345678}})
    mod = fake_discord.add_user("logmod").id
    for number in range(2):
        reply = await bot.ask(
            guild.id,
            general,
            mod,
            ADD.replace("A logged", f"Logged {number}"),
            roles=["Moderator"],
        )
        assert content(reply).startswith("Added fact #"), content(reply)
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


async def test_the_log_channel_may_be_in_a_server_this_process_does_not_hold(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    """With shards spread over processes, the log channel's server is usually another
    process's: this one never got its GUILD_CREATE, so its cache doesn't know the channel.
    The line is posted all the same (by id), from every process."""
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
    mod = fake_discord.add_user("shardmod").id
    reply = await bot.ask(guild.id, general, mod, ADD, roles=["Moderator"])
    added = content(reply)
    assert added.startswith("Added fact #"), added

    def found() -> RecordedRequest | None:
        posts = posts_in(fake_discord, log_channel, since)
        return posts[0] if posts else None

    post = await fake_discord.wait_for(found, 5, "a post in the other server's log channel")
    assert post.status == 200 and added in content(post), content(post)
    assert post.json["allowed_mentions"]["parse"] == []
    assert not bot.events("log_channel_unusable")
