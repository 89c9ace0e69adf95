"""The load benchmark's workload: the questions members ask (by kind, mixed in shares), the
moderators' subjects and ``moderate``, which keeps one moderator editing and adding facts
and aliases, each command after the last was acknowledged."""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
from dataclasses import dataclass, field

from botprocess import ReplyTracker, RunningBot
from fakediscord import FakeDiscord, RecordedRequest

QUESTIONS: dict[str, list[str]] = {
    "known": [
        "!when jessica jones s2",
        "!who nuke",
        "!what igh",
        "!ask who is kilgrave",
        "!when luke cage",
        "!who trish walker",
        "!what the defenders",
        "!ask when does luke cage premiere",
    ],
    "typo": [
        "!who kilgrav",
        "!who jessika jones",
        "!who melisa rosenburg",
        "!when defnders",
        "!who walker trish",
    ],
    "unknown": [
        "!when jessica jones s3",
        "!who the punisher",
        "!what nothing we know about",
        "!who frank castle",
    ],
    "season": [
        "!when jessica jones season two",
        "!ask when does jessica jones 2nd season come out",
        "!when jessica jones s02e03",
    ],
    "hostile": [
        "!who @everyone",
        "!ask ||spoiler||",
        "!what **igh** __under__ `code` [link](https://example.com)",
        "!who <@1234567890>",
        "!ask " + "who is nuke " * 100,  # too long: the engine's error reply
    ],
}
MIX = {"known": 4, "typo": 2, "unknown": 2, "season": 1, "hostile": 1}  # shares of the load
MOD_SUBJECTS = ("Quorvin Establex", "Maribel Thornquist", "Zephyrine Oakhollow", "Ottoline Vane")


@dataclass
class Asked:
    message_id: int
    channel: int
    user: int
    text: str
    sent_at: float


@dataclass
class Moderator:
    user: int
    channel: int
    subject: str
    fact_id: int = 0
    sent: int = 0
    acknowledged: int = 0
    failures: list[str] = field(default_factory=list)


def content(request: RecordedRequest) -> str:
    return str(request.json.get("content") or "")


def question_mix(count: int, rng: random.Random) -> list[str]:
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=count)
    return [rng.choice(QUESTIONS[kind]) for kind in kinds]


async def moderate(
    fake: FakeDiscord,
    guild: int,
    tracker: ReplyTracker,
    bot: RunningBot,
    mod: Moderator,
    rate: float,
    stop: asyncio.Event,
) -> None:
    """Add a fact, then rotate edit / alias add / fact add at ``rate`` commands a second,
    each after the previous one was acknowledged."""
    first = mod.subject.split()[0]

    async def say(command: str, ok: str) -> str:
        message_id = await fake.send_message(
            guild, mod.channel, mod.user, command, roles=["Moderator"]
        )
        mod.sent += 1
        reply = content(await tracker.reply(message_id, 30, bot=bot))
        if ok in reply:
            mod.acknowledged += 1
        else:
            mod.failures.append(f"{command} -> {reply[:120]}")
        return reply

    added = await say(f"!fact add subject: {mod.subject} kind: who text: {first} v0.", "Added")
    found = re.search(r"Added fact #(\d+)", added)
    if not found:
        return
    mod.fact_id = int(found[1])
    step = 0
    while not stop.is_set():
        step += 1
        if step % 3 == 1:
            await say(f"!fact edit {mod.fact_id} text: {first} v{step}.", "Edited fact")
        elif step % 3 == 2:
            await say(f"!alias add {first} alias {step} to: {mod.subject}", "now also means")
        else:
            await say(f"!fact add subject: {mod.subject} kind: who text: {first} {step}.", "Added")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1 / rate)
