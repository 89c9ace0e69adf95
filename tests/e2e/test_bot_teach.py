"""Learning from moderators through the real bot process: `!fact teach` and the teach
buttons of `!gaps` (a button per unanswered question, a form asking for the fact's id).
A taught question answers in its server only; members who may not moderate are refused
and nothing changes. The engine side is tests/unit/test_teach.py."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botprocess import ConfigSections, RunningBot, World
from fakediscord import RecordedRequest
from fakediscord.flags import MESSAGE_FLAG_EPHEMERAL

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(60)]

MOD = ["Moderator"]
TAUGHT = "who picked up the tab after the wreck"
SIMILAR = "who paid the tab after the car wreck"


@pytest.fixture(scope="module")
def bot_overrides() -> ConfigSections:
    return {"limits": {"cooldown_rate": 1000, "cooldown_seconds": 1}}


def seeded_id(bot: RunningBot, key: str) -> int:
    (row,) = bot.query("SELECT id FROM fact WHERE key = ? AND guild_id IS NULL", [key])
    return int(row["id"])


async def say(
    world: World,
    bot: RunningBot,
    user: int,
    text: str,
    roles: list[str] | None = None,
    *,
    other: bool = False,
    channel: int | None = None,
) -> RecordedRequest:
    guild = world.other.id if other else world.main.id
    where = channel or (world.other_channel() if other else world.channel())
    reply = await bot.ask(guild, where, user, text, roles=roles)
    assert reply.status == 200, reply
    assert reply.json["allowed_mentions"] == {"parse": []}
    return reply


def text_of(request: RecordedRequest) -> str:
    data: dict[str, Any] = request.json.get("data", request.json)
    return str(data.get("content") or "")


def ephemeral(callback: RecordedRequest) -> bool:
    return bool(int(callback.json["data"].get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL)


def live_phrasings(bot: RunningBot) -> list[dict[str, Any]]:
    return bot.query("SELECT * FROM phrasing WHERE deleted_at IS NULL ORDER BY id")


async def test_fact_teach_answers_in_its_server_and_is_undone(
    world: World, bot: RunningBot
) -> None:
    mod, fan, plain = world.user("mod"), world.user("fan"), world.user("plain")
    igh = seeded_id(bot, "jj-character-family-igh")
    assert f"`#{igh}`" not in text_of(await say(world, bot, fan, "!ask " + SIMILAR))

    refused = text_of(await say(world, bot, plain, f"!fact teach {igh} {TAUGHT}"))
    assert "Moderators only" in refused and live_phrasings(bot) == []

    taught = text_of(await say(world, bot, mod, f"!fact teach {igh} {TAUGHT}", MOD))
    assert taught.startswith("Taught:") and f"fact #{igh}" in taught
    again = text_of(await say(world, bot, mod, f"!fact teach #{igh} {TAUGHT}", MOD))
    assert again.startswith("Already taught")
    assert [(p["fact_id"], p["guild_id"]) for p in live_phrasings(bot)] == [(igh, world.main.id)]

    assert f"`#{igh}`" in text_of(await say(world, bot, fan, "!ask " + SIMILAR))
    assert f"`#{igh}`" not in text_of(await say(world, bot, fan, "!ask " + SIMILAR, other=True))
    history = text_of(await say(world, bot, mod, f"!fact history {igh}", MOD))
    assert "fact.teach" in history and "tab after the wreck" in history
    elsewhere = text_of(await say(world, bot, mod, f"!fact history {igh}", MOD, other=True))
    assert "fact.teach" not in elsewhere

    missing = text_of(await say(world, bot, mod, f"!fact teach 99999 {TAUGHT}", MOD))
    assert missing.startswith("⚠️") and "no fact #99999" in missing
    too_long = text_of(await say(world, bot, mod, f"!fact teach {igh} {'why ' * 200}", MOD))
    assert too_long.startswith("⚠️") and "limit" in too_long
    assert len(live_phrasings(bot)) == 1

    undone = text_of(await say(world, bot, mod, "!fact undo", MOD))
    assert undone.startswith("Undid your last change (fact.teach")
    assert live_phrasings(bot) == []
    assert f"`#{igh}`" not in text_of(await say(world, bot, fan, "!ask " + SIMILAR))

    # What a moderator typed is echoed inert: no ping, even where a question held one.
    pinged = text_of(await say(world, bot, mod, f"!fact teach {igh} @everyone <@{fan}>?", MOD))
    assert pinged.startswith("Taught:")
    assert not re.search(r"(?<!\\)@(everyone|here)", pinged)
    assert not re.search(r"(?<!\\)<@", pinged)
    assert text_of(await say(world, bot, mod, "!fact undo", MOD)).startswith("Undid")


async def test_a_gaps_button_teaches_the_question_it_stands_beside(
    world: World, bot: RunningBot
) -> None:
    mod, fan, plain = world.user("mod2"), world.user("fan2"), world.user("plain2")
    trish = seeded_id(bot, "trish-who")
    question = "what job does trish have"
    channel = world.channel()
    before = text_of(await say(world, bot, fan, "!ask " + question, channel=channel))
    assert before.startswith("I don't know")  # what is known of Trish, not her job

    gaps = await say(world, bot, mod, "!gaps", MOD, channel=channel)
    lines = text_of(gaps).splitlines()
    number = next(line.split(".")[0] for line in lines if question in line)
    buttons = {b["label"]: b for row in gaps.json["components"] for b in row["components"]}
    button = buttons[f"Teach {number}"]
    message_id = int(gaps.response["id"])

    handle = await world.fake.send_component(message_id, plain, button["custom_id"])
    denied = await world.fake.wait_for_callback(handle)
    assert "Moderators only" in text_of(denied) and ephemeral(denied)

    async def submit(fact: str) -> RecordedRequest:
        """Click the button, check the form, submit it with ``fact``: the reply."""
        click = await world.fake.send_component(message_id, mod, button["custom_id"], roles=MOD)
        form = await world.fake.wait_for_callback(click)
        assert form.json["type"] == 9  # a modal
        inputs = {
            c["custom_id"]: c for row in form.json["data"]["components"] for c in row["components"]
        }
        assert inputs["showbot:teach-form:question"]["value"] == question
        handle = await world.fake.send_modal_submit(
            world.main.id,
            channel,
            mod,
            form.json["data"]["custom_id"],
            {"showbot:teach-form:fact": fact, "showbot:teach-form:question": question},
            roles=MOD,
        )
        return await world.fake.wait_for_callback(handle)

    wrong = await submit("not a number")
    assert text_of(wrong).startswith("⚠️") and ephemeral(wrong)
    assert live_phrasings(bot) == []
    done = await submit(str(trish))
    assert text_of(done).startswith("Taught:") and ephemeral(done)
    assert [(p["fact_id"], p["text"]) for p in live_phrasings(bot)] == [(trish, question)]
    after = text_of(await say(world, bot, fan, "!ask " + question, channel=channel))
    assert f"`#{trish}`" in after and not after.startswith("I don't know")
    elsewhere = text_of(await say(world, bot, fan, "!ask " + question, other=True))
    assert elsewhere.startswith("I don't know")
