"""Followed subjects through the real bot and the fake Discord (issue 16, parts 1-3): a fan
follows, a moderator edits, exactly one post goes to the updates channel and one DM to the
follower who asked; a burst of edits is one post, edited; a member's closed DMs (403, code
50007) are tried once while the channel post still goes out; the bot killed (SIGKILL) around
the post posts it once after the restart (the nonce); two shard processes on one database
post once. Every REST call is held against Discord's OpenAPI description by the fake."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botprocess import RunningBot, StartBot, content
from fakediscord import FakeDiscord, RecordedRequest
from fakediscord.flags import MESSAGE_FLAG_EPHEMERAL

from cogs.checks import DENIED

pytestmark = pytest.mark.timeout(60)

LUKE_CAGE = 13  # seeded: Luke Cage premieres on 30 September 2016 (confirmed)
FAST: dict[str, Any] = {"updates": {"window_seconds": 600, "lease_seconds": 2}}


def creates_in(fake: FakeDiscord, channel_id: int, since: int = 0) -> list[RecordedRequest]:
    """create_message calls the fake answered (any status), in ``channel_id``."""
    return [
        r
        for r in fake.requests[since:]
        if r.operation_id == "create_message"
        and not r.injected
        and r.path_params.get("channel_id") == str(channel_id)
    ]


def edits_in(fake: FakeDiscord, channel_id: int) -> list[RecordedRequest]:
    return [
        r
        for r in fake.requests
        if r.operation_id == "update_message" and r.path_params.get("channel_id") == str(channel_id)
    ]


def shown(fake: FakeDiscord, channel_id: int) -> list[str]:
    """What the channel shows of the bot's messages now (edits included)."""
    return [str(m["content"]) for m in fake.bot_messages(channel_id)]


async def say(bot: RunningBot, user: int, text: str, *, mod: bool = False) -> str:
    fake = bot.fake
    channel = fake.guild.channel("general").id
    roles = ["Moderator"] if mod else None
    return content(await bot.ask(fake.guild.id, channel, user, text, roles=roles))


async def set_updates(bot: RunningBot, mod: int) -> int:
    channel = bot.fake.guild.channel("off-topic").id
    reply = await say(bot, mod, f"!updates channel <#{channel}>", mod=True)
    assert f"now posted in <#{channel}>" in reply, reply
    return channel


async def wait_shown(fake: FakeDiscord, channel_id: int, what: str, *, count: int = 1) -> str:
    def found() -> str | None:
        texts = shown(fake, channel_id)
        return texts[-1] if len(texts) >= count and what in texts[-1] else None

    return await fake.wait_for(found, 10, f"{what!r} shown in channel {channel_id}")


async def slash(
    bot: RunningBot, user: int, command: str, options: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run ``/command`` in #general; the data of its (type 4) answer."""
    fake = bot.fake
    channel = fake.guild.channel("general").id
    handle = await fake.send_slash_command(fake.guild.id, channel, user, command, options or {})
    callback = await fake.wait_for_callback(handle)
    assert callback.status == 200 and callback.json["type"] == 4, callback.json
    return dict(callback.json["data"])


async def complete(bot: RunningBot, user: int, command: str, typed: str) -> list[tuple[str, str]]:
    """The choices (name shown, value sent) ``/command``'s ``subject`` autocomplete
    offers for ``typed``."""
    fake = bot.fake
    channel = fake.guild.channel("general").id
    handle = await fake.send_autocomplete(
        fake.guild.id, channel, user, command, {"subject": typed}, "subject"
    )
    callback = await fake.wait_for_callback(handle, timeout=fake.interaction_deadline)
    assert callback.status == 200 and callback.json["type"] == 8, callback.json
    choices = callback.json["data"]["choices"]
    assert len(choices) <= 25, choices
    return [(c["name"], c["value"]) for c in choices]


def ephemeral(data: dict[str, Any]) -> bool:
    return bool(int(data.get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL)


def no_ping(request: RecordedRequest) -> None:
    body = request.json
    assert body.get("allowed_mentions") == {"parse": []}, body
    assert not re.search(r"(?<!\\)<@", content(request)), content(request)


async def test_an_edit_is_one_post_and_one_dm_and_a_burst_edits_that_post(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    fake = fake_discord
    bot = await start_bot(FAST)
    mod, fan, quiet = (fake.add_user(n).id for n in ("mod", "fan", "quiet"))
    updates = await set_updates(bot, mod)
    followed = await say(bot, fan, "!follow luke cage dm: yes")
    assert "You now follow **Luke Cage** (show)" in followed and "by DM" in followed, followed
    assert "now follow" in await say(bot, quiet, "!follow Luke Cage")
    assert "• **Luke Cage** (show) · by DM too" in await say(bot, fan, "!following")
    unknown = await say(bot, fan, "!follow quorvin the unknowable")
    assert unknown.startswith("⚠️") and "don't know a subject" in unknown, unknown
    assert bot.query("SELECT user_id, dm FROM follow ORDER BY id") == [
        {"user_id": fan, "dm": 1},
        {"user_id": quiet, "dm": 0},
    ]

    since = len(fake.requests)
    assert "Fact #13" in await say(bot, mod, f"!fact edit {LUKE_CAGE} date: 2016-10-01", mod=True)
    post = await wait_shown(fake, updates, "**Luke Cage** has news")
    assert "date: <t:" in post and "→" in post and "[1] *" in post, post  # what, and the source
    dm_channel = fake.dm_channel(fan).id
    dm = await wait_shown(fake, dm_channel, "From **Test Server**")
    assert "`!unfollow` in that server" in dm, dm
    await bot.barrier(fake.guild.id, fake.guild.channel("general").id, mod)
    (created,) = creates_in(fake, updates, since)
    (dm_created,) = creates_in(fake, dm_channel, since)
    assert creates_in(fake, fake.dm_channel(quiet).id) == []  # no DM asked for, none sent
    for request in (created, dm_created):
        no_ping(request)
        assert request.json.get("enforce_nonce") is True and request.json.get("nonce")

    # A burst within the window: the same post and DM, edited; no new message.
    for status in ("reported", "rumor", "confirmed"):
        await say(bot, mod, f"!fact edit {LUKE_CAGE} status: {status}", mod=True)
    await say(bot, mod, f"!fact edit {LUKE_CAGE} date: 2016-10-02", mod=True)
    final = await wait_shown(fake, updates, "<t:1475409600:D>")  # 2 October 2016, noon UTC
    assert "status:" not in final, final  # confirmed again: back where it started
    await wait_shown(fake, dm_channel, "<t:1475409600:D>")
    assert len(shown(fake, updates)) == len(shown(fake, dm_channel)) == 1
    assert len(creates_in(fake, updates, since)) == 1 and len(edits_in(fake, updates)) >= 1
    for request in edits_in(fake, updates):
        assert request.json.get("allowed_mentions") == {"parse": []}, request.json

    # Unfollowing and `updates off`: the next change is posted nowhere.
    assert "no longer follow" in await say(bot, fan, "!unfollow luke cage")
    assert "no longer posted" in await say(bot, mod, "!updates off", mod=True)
    assert bot.query("SELECT updates_channel_id FROM guild_setting") == [
        {"updates_channel_id": None}
    ]


async def test_follow_over_slash_autocompletes_and_unfollow_offers_only_ones_own(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    fake = fake_discord
    bot = await start_bot(FAST)
    fan, other = fake.add_user("fan").id, fake.add_user("other").id
    assert "now follow" in await say(bot, other, "!follow luke cage")

    offered = await complete(bot, fan, "follow", "jesica jo")  # a typo, half typed
    assert ("Jessica Jones (show)", "Jessica Jones (show)") in offered, offered
    followed = await slash(bot, fan, "follow", {"subject": "Jessica Jones (show)", "dm": "yes"})
    assert ephemeral(followed), followed
    assert "You now follow **Jessica Jones** (show)" in followed["content"], followed
    assert "by DM" in followed["content"], followed

    # The member's own follows only: the other member's Luke Cage is not offered.
    mine = await complete(bot, fan, "unfollow", "")
    [row] = bot.query("SELECT entity_id FROM follow WHERE user_id = ?", [fan])
    show = row["entity_id"]
    # Shown with its kind ("Jessica Jones" is two), sent as its id (a name and kind may
    # still fit a namesake the member doesn't follow).
    assert mine == [("Jessica Jones (show)", f"#{show}")], mine
    assert [n for n, _ in await complete(bot, other, "unfollow", "")] == ["Luke Cage (show)"]
    listed = await slash(bot, fan, "following")
    assert ephemeral(listed), listed
    assert "• **Jessica Jones** (show) · by DM too" in listed["content"], listed
    assert "Luke Cage" not in listed["content"], listed
    assert bot.query("SELECT user_id, dm FROM follow ORDER BY id") == [
        {"user_id": other, "dm": 0},
        {"user_id": fan, "dm": 1},
    ]

    # The offered choice, picked, means the subject followed.
    ((_, choice),) = mine
    unfollowed = await slash(bot, fan, "unfollow", {"subject": choice})
    assert ephemeral(unfollowed), unfollowed
    assert "You no longer follow **Jessica Jones**" in unfollowed["content"], unfollowed
    assert bot.query("SELECT user_id FROM follow") == [{"user_id": other}]


async def test_members_who_are_not_moderators_cannot_set_or_stop_updates(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    fake = fake_discord
    bot = await start_bot(FAST)
    mod, member = fake.add_user("mod").id, fake.add_user("member").id
    updates = await set_updates(bot, mod)
    general = fake.guild.channel("general").id
    for attempt in (f"!updates channel <#{general}>", "!updates off"):
        refused = await say(bot, member, attempt)
        assert DENIED in refused, (attempt, refused)
        assert bot.query("SELECT updates_channel_id FROM guild_setting") == [
            {"updates_channel_id": updates}
        ], attempt
    assert f"<#{updates}>" in await say(bot, mod, "!updates", mod=True)


async def test_closed_dms_are_tried_once_and_the_channel_post_still_goes_out(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    fake = fake_discord
    bot = await start_bot({"updates": {"window_seconds": 0, "lease_seconds": 2}})
    mod, fan = fake.add_user("mod").id, fake.add_user("closed").id
    updates = await set_updates(bot, mod)
    fake.close_dms(fan)
    await say(bot, fan, "!follow luke cage dm: yes")
    dm_channel = fake.dm_channel(fan).id
    await say(bot, mod, f"!fact edit {LUKE_CAGE} date: 2016-10-01", mod=True)
    await wait_shown(fake, updates, "**Luke Cage** has news")
    refused = await fake.wait_for(
        lambda: creates_in(fake, dm_channel) or None, 10, "the DM attempt"
    )
    assert [(r.status, r.response["code"]) for r in refused] == [(403, 50007)]
    await bot.wait_for_log(lambda r: r.get("event") == "update_dm_refused")
    assert "DMs closed" in await say(bot, fan, "!following")
    # The next change (a new window: 0 s) is posted; the closed DMs are not tried again.
    await say(bot, mod, f"!fact edit {LUKE_CAGE} status: reported", mod=True)
    await wait_shown(fake, updates, "status: confirmed → reported", count=2)
    await bot.barrier(fake.guild.id, fake.guild.channel("general").id, mod)
    assert len(creates_in(fake, dm_channel)) == 1
    # Provoked on purpose (the bot can't know DMs are closed before trying): once only.
    (violation,) = fake.take_violations()
    assert "Cannot send messages to this user" in str(violation)


@pytest.mark.parametrize("after_create", [False, True], ids=["before-post", "after-post"])
async def test_killed_around_the_post_it_is_made_once_after_the_restart(
    fake_discord: FakeDiscord, start_bot: StartBot, after_create: bool
) -> None:
    """SIGKILL while the post is on its way, after the change was committed: never made
    (before-post), or made but never acknowledged (after-post). The restarted process
    posts it once: again, or with the same nonce, which gets the first message back."""
    fake = fake_discord
    first = await start_bot(FAST)
    mod, fan = fake.add_user("mod").id, fake.add_user("fan").id
    updates = await set_updates(first, mod)
    await say(first, fan, "!follow luke cage")
    stall = fake.stall_posts(updates, after_create=after_create)
    await say(first, mod, f"!fact edit {LUKE_CAGE} date: 2016-10-01", mod=True)
    await fake.wait_for(lambda: stall.reached.is_set() or None, 10, "the post on its way")
    await first.kill()
    assert len(shown(fake, updates)) == (1 if after_create else 0)
    since = len(fake.requests)
    await start_bot(FAST, db_path=first.db_path)
    await wait_shown(fake, updates, "**Luke Cage** has news")
    again = await fake.wait_for(lambda: creates_in(fake, updates, since) or None, 10, "a post")
    await first.fake.wait_for(
        lambda: first_delivery_sent(first) or None, 10, "the delivery recorded as sent"
    )
    assert len(shown(fake, updates)) == 1  # exactly once
    assert len(again) == 1 and again[0].json["nonce"] == stall_nonce(first)
    if after_create:  # Discord's answer to the repeat was the message already made
        assert again[0].response["id"] == fake.bot_messages(updates)[0]["id"]


def first_delivery_sent(bot: RunningBot) -> bool:
    rows = bot.query("SELECT sent_version, message_id FROM update_delivery ORDER BY id LIMIT 1")
    return bool(rows and rows[0]["message_id"] and rows[0]["sent_version"] >= 1)


def stall_nonce(bot: RunningBot) -> str:
    return str(bot.query("SELECT nonce FROM update_delivery ORDER BY id LIMIT 1")[0]["nonce"])


async def test_two_shard_processes_on_one_database_post_once(
    fake_discord: FakeDiscord, start_bot: StartBot, tmp_path: Any
) -> None:
    fake = fake_discord
    shard = FakeDiscord.shard_of(fake.guild.id, 2)
    config = {**FAST, "discord": {"shard_count": 2, "shard_ids": [shard]}}
    database = tmp_path / "shared.db"
    a = await start_bot(config, db_path=database)
    b = await start_bot(config, db_path=database, args=["--shard-ids", str(1 - shard)])
    mod, fan = fake.add_user("mod").id, fake.add_user("fan").id
    updates = await set_updates(a, mod)  # the process holding the server answers
    await say(a, fan, "!follow luke cage")
    since = len(fake.requests)
    await say(a, mod, f"!fact edit {LUKE_CAGE} date: 2016-10-01", mod=True)
    await wait_shown(fake, updates, "**Luke Cage** has news")
    await fake.wait_for(
        lambda: (a.events("update_sent") or b.events("update_sent")) or None, 10, "update_sent"
    )
    await a.barrier(fake.guild.id, fake.guild.channel("general").id, mod)
    assert len(creates_in(fake, updates, since)) == 1 and len(shown(fake, updates)) == 1
