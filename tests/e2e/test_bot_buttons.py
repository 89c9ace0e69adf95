"""Suggestion buttons follow the questions' rules, through the real bot and the fake Discord:
a click spends its member's cooldown (the bucket the four commands share) and is answered in
public; past the cooldown the clicker alone is told to slow down (ephemeral), so no member
can flood a channel by clicking."""

from __future__ import annotations

import asyncio
import math
import re

import pytest
from botprocess import ConfigSections, RunningBot, World, posts_in, replies_to
from fakediscord import RecordedRequest
from fakediscord.flags import MESSAGE_FLAG_EPHEMERAL

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(60)]

COOLDOWN_RATE = 2
COOLDOWN_SECONDS = 4  # short, so a test can wait for the window to end
NOTICE = re.compile(r"Slow down a little: try again in (\d+) s\.")
ANSWER = "**Jessica Jones season 2** — when"


@pytest.fixture(scope="module")
def bot_overrides() -> ConfigSections:
    return {"limits": {"cooldown_rate": COOLDOWN_RATE, "cooldown_seconds": COOLDOWN_SECONDS}}


async def suggestion(world: World, bot: RunningBot, channel: int, asker: int) -> tuple[int, str]:
    """An unknown-subject reply from ``asker`` (one question spent): its message id and the
    custom id of its "Jessica Jones season 2" button."""
    reply = await bot.ask(world.main.id, channel, asker, "!when jessica jones s3")
    assert reply.status == 200 and reply.json["content"].startswith("I don't know anything")
    buttons = [b for row in reply.json["components"] for b in row["components"]]
    season_2 = next(b for b in buttons if b["label"].startswith("Jessica Jones season 2"))
    return int(reply.response["id"]), season_2["custom_id"]


async def click(
    world: World, message_id: int, user: int, custom_id: str, times: int = 1
) -> list[RecordedRequest]:
    """``times`` rapid clicks (all sent before any answer is awaited); their callbacks."""
    handles = [await world.fake.send_component(message_id, user, custom_id) for _ in range(times)]
    return [await world.fake.wait_for_callback(h) for h in handles]


def is_public_answer(callback: RecordedRequest) -> bool:
    data = callback.json["data"]
    public = not int(data.get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL
    return public and data["content"].startswith(ANSWER)


def notice_seconds(callback: RecordedRequest) -> int | None:
    """The N of an ephemeral "try again in N s" notice, else None."""
    data = callback.json["data"]
    found = NOTICE.search(data["content"])
    if found is None or not int(data.get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL:
        return None
    return int(found[1])


def public_messages(world: World, channel: int, since: int) -> list[int]:
    """Messages anyone in ``channel`` can see, created after message id ``since``."""
    return [
        m.id
        for m in world.fake.messages.values()
        if m.channel_id == channel and m.id > since and not m.ephemeral
    ]


async def test_clicks_past_the_cooldown_get_a_private_notice(world: World, bot: RunningBot) -> None:
    channel = world.channel()
    asker, clicker, other = world.user("asker"), world.user("clicker"), world.user("other")
    message_id, custom_id = await suggestion(world, bot, channel, asker)

    callbacks = await click(world, message_id, clicker, custom_id, times=8)
    assert all(c.status == 200 and c.json["type"] == 4 for c in callbacks)
    answers = [c for c in callbacks if is_public_answer(c)]
    notices = [c for c in callbacks if notice_seconds(c) is not None]
    assert len(answers) == COOLDOWN_RATE, [c.json for c in callbacks]
    assert len(notices) == 8 - COOLDOWN_RATE, [c.json for c in callbacks]
    assert all(0 < (notice_seconds(c) or 0) <= COOLDOWN_SECONDS for c in notices)
    # The channel saw the two answers and nothing else: the notices are the clicker's alone.
    assert len(public_messages(world, channel, message_id)) == COOLDOWN_RATE

    # Another member's click is answered in public as usual...
    (theirs,) = await click(world, message_id, other, custom_id)
    assert is_public_answer(theirs), theirs.json
    # ...while the clicker's commands are over the cooldown too: one bucket per member.
    handle = await world.fake.send_slash_command(
        world.main.id, channel, clicker, "who", {"subject": "nuke"}
    )
    refused = await world.fake.wait_for_callback(handle)
    assert notice_seconds(refused) is not None, refused.json

    # The question log has the answered clicks (the refused ones were never asked).
    mod = world.user("mod")
    stats = await bot.ask(world.main.id, channel, mod, "!stats", roles=["Moderator"])
    assert stats.json["content"].startswith("Last 7 days:")  # !stats flushes the question log
    # Who clicked is not kept (issue 14); this module's first clicks are these.
    logged = bot.query(
        "SELECT text, answered FROM question WHERE guild_id = ? AND text LIKE '#%'",
        [world.main.id],
    )
    entity = custom_id.rsplit(":", 1)[1]
    assert len(logged) == COOLDOWN_RATE + 1
    assert all(r["text"] == f"#{entity}" and r["answered"] for r in logged)


async def test_questions_and_clicks_share_one_budget(world: World, bot: RunningBot) -> None:
    channel, asker = world.channel(), world.user("asker")
    message_id, custom_id = await suggestion(world, bot, channel, asker)  # 1 of 2 spent
    first, second = await click(world, message_id, asker, custom_id, times=2)
    assert is_public_answer(first), first.json
    assert notice_seconds(second) is not None, second.json
    # That notice was the window's one: a question typed now gets no reply at all...
    since = len(world.fake.requests)
    typed = await world.fake.send_message(world.main.id, channel, asker, "!who nuke")
    # ...while another member's, typed after it, is answered.
    other = await bot.ask(world.main.id, channel, world.user("other"), "!who nuke")
    assert other.json["content"].startswith("**Nuke**")
    # Once the asker's own later messages are answered, anything for `typed` would be out:
    # nothing but those replies was posted in the channel.
    later = await bot.barrier(world.main.id, channel, asker)
    assert posts_in(world.fake, channel, since) == [other, *later]
    assert not [r for r in world.fake.requests[since:] if replies_to(typed)(r)]


async def test_a_member_can_click_again_after_the_window(world: World, bot: RunningBot) -> None:
    channel, asker, clicker = world.channel(), world.user("asker"), world.user("clicker")
    message_id, custom_id = await suggestion(world, bot, channel, asker)
    callbacks = await click(world, message_id, clicker, custom_id, times=COOLDOWN_RATE + 1)
    assert [is_public_answer(c) for c in callbacks] == [True] * COOLDOWN_RATE + [False]
    wait = notice_seconds(callbacks[-1])
    assert wait is not None, callbacks[-1].json
    await asyncio.sleep(math.ceil(wait) + 0.2)  # N is rounded up: the window is over by then
    (again,) = await click(world, message_id, clicker, custom_id)
    assert is_public_answer(again), again.json
