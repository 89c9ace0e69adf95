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
    assert all(r.path_params.get("channel_id") == str(general) for r in posts_in(fake_discord, 0))
