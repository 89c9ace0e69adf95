"""The real bot at ``[logging] level = "DEBUG"``: after questions (prefix and slash), a
moderator's change and ``!privacy``, its output holds no message content, no interaction
token and no bot token; a question's text shows only in a DEBUG record, shortened."""

from __future__ import annotations

import json

import pytest
from botprocess import StartBot
from fakediscord import FakeDiscord, InteractionHandle

from bot.logs import PREVIEW_CHARS

pytestmark = pytest.mark.timeout(60)

CONTACT = "privacy@showbot.example"
SHORT = "Zephyrquill"  # in the first 80 characters of a question
LONG = "Vorpalnexus"  # beyond them: never logged at all
SLASH = "Glimmerquade"
FACT = "Sprocketwhisk"  # in a fact's text (message content too, and in replies)
SUBJECT = "Quorvin Markerline"


async def test_debug_logs_hold_no_content_and_no_tokens(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    guild = fake_discord.guild
    general = guild.channel("general").id
    bot = await start_bot({"logging": {"level": "DEBUG"}, "privacy": {"contact": CONTACT}})
    fan, mod = fake_discord.add_user("fan").id, fake_discord.add_user("mod").id

    # Prefix questions, a short one and one whose marker lies past the preview's end.
    await bot.ask(guild.id, general, fan, f"!ask when does {SHORT} premiere")
    long_question = "who is the " + "really " * 12 + f"famous {LONG} in it"
    assert long_question.index(LONG) > PREVIEW_CHARS
    await bot.ask(guild.id, general, fan, f"!ask {long_question}")
    # A moderator's change: the fact's text is content (in the message, the reply and the
    # gateway's MESSAGE_CREATE of that reply).
    added = await bot.ask(
        guild.id,
        general,
        mod,
        f"!fact add subject: {SUBJECT} kind: who text: A {FACT} of a fact.",
        roles=["Moderator"],
    )
    assert added.json["content"].startswith("Added fact #"), added.json
    # Slash commands: each interaction has a token, in its callback and followup URLs.
    handles: list[InteractionHandle] = []
    for command, options in (("who", {"subject": SLASH}), ("privacy", {})):
        handle = await fake_discord.send_slash_command(guild.id, general, fan, command, options)
        handles.append(handle)
        await fake_discord.wait_for_callback(handle)
    handle = await fake_discord.send_slash_command(
        guild.id,
        general,
        mod,
        "fact show",
        {"id": added.json["content"].split("#")[1].split()[0]},
        roles=["Moderator"],
    )
    handles.append(handle)
    shown = (await fake_discord.wait_for_callback(handle)).json["data"]["content"]
    assert FACT in shown
    privacy = (await fake_discord.wait_for_callback(handles[1])).json["data"]["content"]
    assert CONTACT.replace("@", "\\@") in privacy
    await bot.barrier(guild.id, general, fan)
    await bot.stop_cleanly()  # also: every line JSON, the bot token in none of them

    output = "\n".join(bot.lines + bot.stdout)
    assert [r for r in bot.logs if r.get("level") == "debug"], "not running at DEBUG?"
    for secret in (fake_discord.token, *(h.token for h in handles)):
        assert secret not in output
    for marker in (LONG, FACT):
        assert marker not in output, [line for line in bot.lines if marker in line][:3]
    # The questions' text: in DEBUG records of its own, shortened, and nowhere else.
    with_text = [r for r in bot.logs if SHORT in json.dumps(r) or SLASH in json.dumps(r)]
    assert {(r["event"], r["level"]) for r in with_text} == {("question_text", "debug")}
    assert len(with_text) == 2
    texts = [r["text"] for r in bot.events("question_text")]
    assert texts and all(len(t) <= PREVIEW_CHARS for t in texts)
    assert any(t.endswith("…") and t.startswith("who is the really") for t in texts)
    # Nothing of discord.py below INFO (its DEBUG lines are gateway and request dumps).
    assert not [r for r in bot.logs if r["logger"].startswith("discord") and r["level"] == "debug"]
