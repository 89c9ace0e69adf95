"""What breaks at scale (issue 13, part 5), through the real bot process and the fake Discord:
a mention of the bot as the prefix, slash-only mode without the privileged Message Content
intent, and channels the bot can read but not post in (no 403s for them)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from botprocess import RunningBot, World, content, expected
from fakediscord import FakeDiscord, Overwrite, RecordedRequest
from fakediscord.flags import (
    INTENT_GUILD_MESSAGES,
    INTENT_GUILDS,
    INTENT_MESSAGE_CONTENT,
    SEND_MESSAGES,
)

from bot.engine import Engine

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(60)]

MEMBER_OVERWRITE = 1
QUESTIONS = {
    "when": "jessica jones s2",
    "who": "nuke",
    "what": "igh",
    "ask": "when does jessica jones season 2 come out",
}


def requests_in(fake: FakeDiscord, channel_id: int, since: int) -> list[RecordedRequest]:
    return [r for r in fake.requests[since:] if r.path_params.get("channel_id") == str(channel_id)]


# -- a mention is a prefix -------------------------------------------------------------------------


async def test_a_mention_of_the_bot_is_a_prefix(
    world: World, bot: RunningBot, reference: Engine
) -> None:
    bot_id = world.fake.bot_user.id
    channel = world.channel()
    for text, same_as in [
        (f"<@{bot_id}> who nuke", "!who nuke"),
        (f"<@!{bot_id}>   when jessica jones s2", "!when jessica jones s2"),
        (f"<@{bot_id}> ask when does jessica jones season 2 come out", None),
    ]:
        reply = await bot.ask(world.main.id, channel, world.user(), text)
        assert reply.status == 200
        wanted = same_as or "!" + text.split("> ", 1)[1]
        assert content(reply) == expected(reference, wanted), text
        assert reply.json["allowed_mentions"]["parse"] == []
    # Help names the prefix it was asked with.
    reply = await bot.ask(world.main.id, channel, world.user(), f"<@{bot_id}> help")
    assert "`@ShowBot who <subject>`" in content(reply), content(reply)


async def test_a_mention_of_someone_else_is_not_a_prefix(world: World, bot: RunningBot) -> None:
    channel, fan = world.channel(), world.user()
    other = world.user("someone")
    since = len(world.fake.requests)
    ignored = await world.fake.send_message(world.main.id, channel, fan, f"<@{other}> who nuke")
    answered = await bot.ask(world.main.id, channel, world.user(), "!who nuke")
    assert answered.status == 200
    posts = [r for r in requests_in(world.fake, channel, since) if r.method == "POST"]
    assert posts == [answered], [str(p) for p in posts]
    assert ignored not in [int(p.json["message_reference"]["message_id"]) for p in posts]


# -- a channel the bot can read but not post in ----------------------------------------------------


async def test_a_channel_the_bot_cannot_post_in_costs_no_request(
    world: World, bot: RunningBot, reference: Engine
) -> None:
    fake = world.fake
    mute, open_channel = world.channel(), world.channel()
    # The bot may read the channel (View Channel stays), not post in it.
    deny = Overwrite(fake.bot_user.id, MEMBER_OVERWRITE, deny=SEND_MESSAGES)
    await fake.set_overwrites(mute, [deny])
    since = len(fake.requests)
    mod = world.user("mod")
    for text in [
        "!who nuke",  # a question: its reply would be a 403
        "!when",  # a usage error: its apology would be another
        f"<@{fake.bot_user.id}> what igh",
        "!fact add subject: Mutechannel Test kind: who text: Never added.",
    ]:
        await fake.send_message(world.main.id, mute, mod, text, roles=["Moderator"])
    # Messages are handled in order: once a later one is answered, those were dealt with.
    answered = await bot.ask(world.main.id, open_channel, world.user(), "!who nuke")
    assert content(answered) == expected(reference, "!who nuke")

    # A slash command there is answered: an interaction's answer needs no Send Messages.
    handle = await fake.send_slash_command(
        world.main.id, mute, world.user(), "who", {"subject": "nuke"}
    )
    callback = await fake.wait_for_callback(handle)
    assert callback.status == 200 and callback.json["type"] == 4
    assert callback.json["data"]["content"] == expected(reference, "!who nuke")

    assert requests_in(fake, mute, since) == []  # not one request to that channel
    assert [str(r) for r in fake.requests[since:] if r.status in (401, 403, 429)] == []
    assert not bot.query("SELECT id FROM entity WHERE name = 'Mutechannel Test'")

    # Allowed again (CHANNEL_UPDATE), the channel is answered again.
    await fake.set_overwrites(mute, [])
    reply = await bot.ask(world.main.id, mute, world.user(), "!what igh")
    assert content(reply) == expected(reference, "!what igh")


# -- slash-only: no Message Content intent ---------------------------------------------------------


@pytest_asyncio.fixture(loop_scope="module")
async def no_content_fake() -> AsyncIterator[FakeDiscord]:
    """A Discord where the application was not granted any privileged intent: asking for
    Message Content there is refused (close code 4014)."""
    fake = FakeDiscord(privileged_intents=0)
    fake.add_guild("Big Server", channels=("general", "questions"))
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    fake.assert_no_violations()


async def test_slash_only_mode_needs_no_message_content_and_answers_everything(
    no_content_fake: FakeDiscord, reference: Engine, tmp_path: Path
) -> None:
    fake = no_content_fake
    guild = fake.guild
    channel = guild.channel("questions").id
    bot = await RunningBot.start(fake, tmp_path / "bot", {"discord": {"message_content": False}})
    try:
        (identify,) = [f for f in fake.gateway.frames if f.op == 2]
        intents = identify.data["intents"]
        assert not intents & INTENT_MESSAGE_CONTENT, f"{intents:#x}"
        assert intents & INTENT_GUILDS and intents & INTENT_GUILD_MESSAGES, f"{intents:#x}"

        # Every question path through the slash commands, autocomplete included.
        for intent, subject in QUESTIONS.items():
            user = fake.add_user(f"fan{intent}").id
            handle = await fake.send_slash_command(
                guild.id, channel, user, intent, {"subject": subject}
            )
            callback = await fake.wait_for_callback(handle)
            assert callback.status == 200 and callback.json["type"] == 4, callback.json
            assert callback.json["data"]["content"] == expected(reference, f"!{intent} {subject}")
            handle = await fake.send_autocomplete(
                guild.id, channel, user, intent, {"subject": "jess"}, "subject"
            )
            callback = await fake.wait_for_callback(handle, timeout=fake.interaction_deadline)
            assert callback.json["type"] == 8 and callback.json["data"]["choices"], callback.json

        # Replies point at the slash commands, which work, not at `!help`, which doesn't.
        handle = await fake.send_slash_command(
            guild.id, channel, fake.add_user("lost").id, "who", {"subject": "zzqx quorble"}
        )
        callback = await fake.wait_for_callback(handle)
        assert "Try `/help`" in callback.json["data"]["content"], callback.json["data"]

        # Prefix commands: only by mention (Discord blanks the text of the others).
        fan = fake.add_user("prefixfan").id
        since = len(fake.requests)
        blanked = await fake.send_message(guild.id, channel, fan, "!who nuke")
        mentioned = f"<@{fake.bot_user.id}> who nuke"
        reply = await bot.ask(guild.id, channel, fake.add_user("mentionfan").id, mentioned)
        assert content(reply) == expected(reference, "!who nuke")
        posts = [r for r in requests_in(fake, channel, since) if r.method == "POST"]
        assert posts == [reply]
        assert blanked != int(reply.json["message_reference"]["message_id"])
        # No "Privileged message content intent is missing" warning from discord.py.
        assert not [line for line in bot.lines if "intent is missing" in line]
    finally:
        if bot.exited:
            bot.assert_no_tracebacks()
        else:
            await bot.stop_cleanly()
