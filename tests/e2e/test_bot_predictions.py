"""Predictions get their outcome, dates become Discord timestamps, and `!upcoming` lists
what is coming, through the real bot process (issue 16, parts 4 to 6). One bot for the
module; each test takes its own channel, members and subjects. The bot's clock is the real
one (no setting changes it), so dated facts are dated from today."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botprocess import ConfigSections, RunningBot, World, content

from bot.dates import unix

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(60)]

LUKE_CAGE = 1475236800  # 30 September 2016, 12:00 UTC


@pytest.fixture(scope="module")
def bot_overrides() -> ConfigSections:
    return {"limits": {"cooldown_rate": 1000, "cooldown_seconds": 1}}  # moderators talk a lot


class Member:
    def __init__(self, world: World, bot: RunningBot, roles: tuple[str, ...] = ()) -> None:
        self.world, self.bot, self.roles = world, bot, list(roles)
        self.id = world.user("mod" if roles else "fan")
        self.channel = world.channel()
        self.other_channel = world.other_channel()

    async def say(self, text: str, *, other: bool = False) -> str:
        guild = self.world.other.id if other else self.world.main.id
        channel = self.other_channel if other else self.channel
        reply = await self.bot.ask(guild, channel, self.id, text, roles=self.roles)
        assert reply.status == 200, reply
        assert reply.json["allowed_mentions"] == {"parse": []}
        said = content(reply)
        assert len(said) <= 2000
        assert len(re.findall(r"(?<!\\)\|\|", said)) % 2 == 0, said
        return said

    async def slash(self, command: str, options: dict[str, Any]) -> dict[str, Any]:
        fake = self.world.fake
        handle = await fake.send_slash_command(
            self.world.main.id, self.channel, self.id, command, options, roles=self.roles
        )
        callback = await fake.wait_for_callback(handle)
        assert callback.status == 200 and callback.json["type"] == 4, callback
        assert callback.json["data"]["allowed_mentions"] == {"parse": []}
        return dict(callback.json["data"])


def fact_id(text: str) -> int:
    found = re.search(r"fact #(\d+)", text)
    assert found, text
    return int(found[1])


def line_with(text: str, fid: int) -> str:
    (line,) = [x for x in text.splitlines() if x.endswith(f"`#{fid}`")]
    return line


async def test_resolve_a_prediction_then_undo_it(world: World, bot: RunningBot) -> None:
    mod = Member(world, bot, ("Moderator",))
    fid = fact_id(
        await mod.say(
            "!fact add subject: Quorra Vale season 2 kind: when text: Season 2 films in 2031."
            " status: prediction date: 2031 source: Vale gazette"
        )
    )
    before = await mod.say("!when quorra vale s2")
    assert "||Season 2 films in 2031.|| — *prediction* [1]" in line_with(before, fid)

    resolved = await mod.say(f"!fact resolve {fid} outcome: came true note: Filming began.")
    assert resolved == f"Fact #{fid} is resolved: came true."
    answer = line_with(await mod.say("!when quorra vale s2"), fid)
    assert "||Season 2 films in 2031.|| — *prediction: came true* (||Filming began.||)" in answer

    history = await mod.say(f"!fact history {fid}")
    assert "· fact.resolve · " in history and "outcome: None → came true" in history
    listed = await mod.say("!predictions quorra vale")  # the show: its seasons' too
    assert listed.startswith("**Rumors and predictions** about **Quorra Vale**: 0 open, 1 resolved")
    assert "**Quorra Vale season 2** · **2031**: ||" in line_with(listed, fid)
    assert "*prediction: came true*" in listed
    # Other servers see nothing of this server's facts.
    assert "Quorra" not in await mod.say("!predictions", other=True)

    # Slash: the moderator lifts the spoiler tag off the prediction that came true.
    data = await mod.slash(
        "fact resolve", {"id": str(fid), "outcome": "came true", "unspoil": "yes"}
    )
    assert data["content"].endswith("Its spoiler tag is off.")
    assert "||" not in line_with(await mod.say("!when quorra vale s2"), fid)

    assert await mod.say("!fact undo") == "Undid your last change (fact.resolve)."
    assert "||Season 2 films in 2031.||" in line_with(await mod.say("!when quorra vale s2"), fid)
    assert await mod.say("!fact undo") == "Undid your last change (fact.resolve)."
    reopened = await mod.say("!predictions quorra vale s2")
    assert "1 open, 0 resolved" in reopened and "*prediction*" in line_with(reopened, fid)
    (row,) = bot.query("SELECT outcome, outcome_note, unspoiled FROM fact WHERE id = ?", [fid])
    assert row == {"outcome": None, "outcome_note": None, "unspoiled": 0}


async def test_bad_resolves_get_a_friendly_reply_and_change_nothing(
    world: World, bot: RunningBot
) -> None:
    mod = Member(world, bot, ("Moderator",))
    fan = Member(world, bot)
    fid = fact_id(
        await mod.say(
            "!fact add subject: Quorra Vale kind: who text: Vale is a rumored villain."
            " status: rumor"
        )
    )
    confirmed = fact_id(
        await mod.say("!fact add subject: Quorra Vale kind: what text: A show about Vale.")
    )
    changes = bot.query("SELECT count(*) AS n FROM change")
    for command, wanted in [
        (f"!fact resolve {fid} outcome: maybe", "is not one of came true, busted, open"),
        (f"!fact resolve {fid} outcome: busted unspoil: yes", "only a prediction that came true"),
        (f"!fact resolve {confirmed} outcome: busted", "only a rumor or a prediction"),
        (f"!fact resolve {fid}", "Missing `outcome:`"),
    ]:
        reply = await mod.say(command)
        assert reply.startswith("⚠️") and wanted in reply, reply
    assert "Moderators only" in await fan.say(f"!fact resolve {fid} outcome: busted")
    assert bot.query("SELECT count(*) AS n FROM change") == changes


async def test_day_dates_are_timestamps_in_replies(world: World, bot: RunningBot) -> None:
    fan = Member(world, bot)
    stamp = f"**<t:{LUKE_CAGE}:D> (<t:{LUKE_CAGE}:R>)**: Luke Cage premieres on 30 September"
    assert stamp in await fan.say("!when luke cage")
    data = await fan.slash("when", {"subject": "luke cage"})
    assert stamp in data["content"] and "as of May 2016" in data["content"]  # a month: words


async def test_upcoming_lists_what_is_coming_in_this_server(world: World, bot: RunningBot) -> None:
    mod = Member(world, bot, ("Moderator",))
    today = datetime.now(UTC).date()

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    async def add(text: str, date: str | None, *, other: bool = False) -> int:
        dated = f" date: {date}" if date else ""
        return fact_id(
            await mod.say(
                f"!fact add subject: Quorra Vale season 3 kind: when text: {text}"
                f" status: reported{dated}",
                other=other,
            )
        )

    past = await add("Season 3 was announced.", day(-3))
    soon = await add("Season 3 premieres.", day(5))
    later = await add("Season 3 finale airs.", day(100))
    undated = await add("Season 3 is coming, some day.", None)
    elsewhere = await add("Another server's premiere.", day(6), other=True)

    shown = await mod.say("!upcoming")
    assert shown.startswith("**Coming up** in the next 30 day(s) (until <t:")
    stamp = unix(today + timedelta(days=5))
    line = line_with(shown, soon)
    assert line.startswith(f"• **Quorra Vale season 3** · **<t:{stamp}:D> (<t:{stamp}:R>)**:")
    assert "Season 3 premieres. — *reported*" in line
    for absent in (past, later, undated, elsewhere):
        assert f"`#{absent}`" not in shown
    wider = await mod.say("!upcoming 120")
    assert wider.index(f"`#{soon}`") < wider.index(f"`#{later}`")  # soonest first
    assert f"`#{elsewhere}`" in await mod.say("!upcoming", other=True)

    too_far = await mod.say("!upcoming 400")
    assert too_far.startswith("⚠️") and "from 1 to 365" in too_far
    data = await mod.slash("upcoming", {"days": "120"})
    assert f"`#{later}`" in data["content"]

    # `mine: yes`: only what the member follows (a show's seasons included).
    fan = Member(world, bot)
    assert "You follow nothing" in await fan.say("!upcoming mine: yes")
    assert "Quorra Vale" in await fan.say("!follow quorra vale")
    mine = await fan.say("!upcoming 120 mine: yes")
    assert mine.startswith("**Coming up** about what you follow in the next 120 day(s)")
    assert f"`#{soon}`" in mine and f"`#{later}`" in mine
    assert "Luke Cage" not in mine
