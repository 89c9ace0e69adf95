"""Facts from TVmaze through the real bot (issue 23): a moderator's `!show import` is
previewed with Apply and Cancel, applied, and answers `!when <show> s2` and "who plays
<character>"; the bot's own refresh then moves a date TVmaze moved, as an edit followers
hear about. TVmaze is tests/faketvmaze.py on 127.0.0.1; nothing reaches the network."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from botprocess import RunningBot, StartBot, content
from fakediscord import FakeDiscord, RecordedRequest

from tests.faketvmaze import FakeTVmaze

pytestmark = pytest.mark.timeout(90)


@pytest_asyncio.fixture
async def tvmaze() -> AsyncIterator[FakeTVmaze]:
    fake = FakeTVmaze()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


async def send(bot: RunningBot, user: int, text: str, *, mod: bool = False) -> RecordedRequest:
    fake = bot.fake
    channel = fake.guild.channel("general").id
    roles = ["Moderator"] if mod else None
    reply = await bot.ask(fake.guild.id, channel, user, text, roles=roles)
    assert reply.status == 200 and reply.json["allowed_mentions"] == {"parse": []}, reply
    return reply


async def click(bot: RunningBot, user: int, preview: RecordedRequest, label: str) -> Any:
    """Click the preview's button; the bot's reply to the import command that follows."""
    custom_id = next(
        b["custom_id"]
        for row in preview.json["components"]
        for b in row["components"]
        if b["label"] == label
    )
    fake = bot.fake
    since = len(fake.requests)
    handle = await fake.send_component(
        int(preview.response["id"]), user, custom_id, roles=["Moderator"]
    )
    clicked = await fake.wait_for_callback(handle)
    assert clicked.json["type"] == 7, clicked.json  # the preview's buttons disabled
    return await bot.reply_to(int(preview.json["message_reference"]["message_id"]), since=since)


def shown(fake: FakeDiscord, channel_id: int) -> list[str]:
    return [str(m["content"]) for m in fake.bot_messages(channel_id)]


async def test_show_import_then_refresh_through_the_bot(
    fake_discord: FakeDiscord, start_bot: StartBot, tvmaze: FakeTVmaze
) -> None:
    fake = fake_discord
    bot = await start_bot(
        {"tvmaze": {"enabled": True, "api_base": tvmaze.url, "refresh_hours": 0.001}}
    )
    mod, fan = fake.add_user("mod").id, fake.add_user("fan").id

    refused = content(await send(bot, fan, "!show import succession"))
    assert "Moderators only" in refused
    assert not [r for r in tvmaze.requests if r[0] != "/updates/shows"]  # nothing asked

    unknown = content(await send(bot, mod, "!show import quorvin the unknowable", mod=True))
    assert "TVmaze knows no show called 'quorvin the unknowable'" in unknown

    before = bot.query("SELECT count(*) AS n FROM change")
    preview = await send(bot, mod, "!show import succession", mod=True)
    assert content(preview).startswith("Would import Succession from TVmaze"), content(preview)
    assert content(preview).endswith("Apply?") and len(content(preview)) <= 2000
    assert bot.query("SELECT count(*) AS n FROM change") == before  # a dry run
    cancelled = await click(
        bot, mod, await send(bot, mod, "!show import succession", mod=True), "Cancel"
    )
    assert content(cancelled) == "Import cancelled; nothing changed."
    done = await click(bot, mod, preview, "Apply")
    assert content(done).startswith("Imported Succession from TVmaze"), content(done)

    s2 = content(await send(bot, fan, "!when succession s2"))
    assert "Premiere of Succession season 2." in s2, s2
    assert "<https://www.tvmaze.com/shows/26470/succession>" in s2, s2
    plays = content(await send(bot, fan, "!ask who plays kendall roy"))
    assert "Jeremy Strong plays Kendall Roy in Succession." in plays, plays
    # A moderator's import belongs to the server.
    scopes = bot.query("SELECT DISTINCT guild_id FROM fact WHERE key LIKE 'tvmaze-%'")
    assert scopes == [{"guild_id": fake.guild.id}]
    again = content(await send(bot, mod, "!show import succession", mod=True))
    assert "is up to date with TVmaze" in again, again

    # A fan follows season 4; TVmaze announces its premiere; the refresh edits the date.
    updates = fake.guild.channel("off-topic").id
    assert "now posted in" in content(
        await send(bot, mod, f"!updates channel <#{updates}>", mod=True)
    )
    assert "now follow" in content(await send(bot, fan, "!follow succession season 4"))
    (tba,) = bot.query(
        "SELECT id, version, date FROM fact WHERE key = 'tvmaze-26470-season-7004-premiere'"
    )
    assert tba["date"] is None
    tvmaze.move_season(26470, 4, "2027-01-17", None)

    def posted() -> str | None:
        texts = shown(fake, updates)
        return texts[-1] if texts and "Premiere of Succession season 4" in texts[-1] else None

    post = await fake.wait_for(posted, 30, "the refresh's update post")
    assert "→" in post and "date:" in post, post
    (moved,) = bot.query("SELECT id, version, date FROM fact WHERE id = ?", [tba["id"]])
    assert (moved["date"], moved["version"]) == ("2027-01-17", tba["version"] + 1)
    actions = bot.query(
        "SELECT action FROM change WHERE table_name = 'fact' AND row_id = ? ORDER BY id",
        [tba["id"]],
    )
    assert [a["action"] for a in actions] == ["tvmaze.import", "tvmaze.refresh"]
