"""Tests of the fake Discord itself, driven by a minimal in-process discord.py bot."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
import pytest_asyncio
from discord import app_commands
from discord.ext import commands
from discord.http import Route
from fakediscord import (
    MANAGE_MESSAGES,
    FakeDiscord,
    InteractionHandle,
    RecordedRequest,
    discord_py_pointed_at,
    load_spec,
    valid_command_name,
)
from jsonschema import Draft202012Validator

pytestmark = pytest.mark.timeout(30)

TITLES = ["Lost", "Lovecraft Country", "Loki", "Severance"]


class ShowView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=30)

    @discord.ui.button(label="More", custom_id="more")
    async def more(
        self, interaction: discord.Interaction, button: discord.ui.Button[ShowView]
    ) -> None:
        await interaction.response.edit_message(content="more facts", view=None)


class Pick(discord.ui.View):
    @discord.ui.select(custom_id="pick", options=[discord.SelectOption(label="Lost")])
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[Pick]) -> None:
        await interaction.response.send_modal(Ask())


class Ask(discord.ui.Modal, title="Ask"):
    question: discord.ui.TextInput[Ask] = discord.ui.TextInput(label="Question", custom_id="q")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"asked {self.question.value}", ephemeral=True)


async def tour(ctx: commands.Context[commands.Bot]) -> None:
    """Many everyday discord.py calls; the fake must accept all of them."""
    async with ctx.typing():
        pass
    embed = discord.Embed(title="Lost", description="d", color=0x3498DB, url="https://x.org")
    embed.timestamp = dt.datetime.now(dt.UTC)
    embed.add_field(name="Seasons", value="6").set_footer(text="src").set_author(name="a")
    message = await ctx.send(embed=embed, view=Pick())
    await message.add_reaction("👍")
    await message.remove_reaction("👍", ctx.me)
    await message.edit(content="edited", embed=None)
    await ctx.message.add_reaction("🎬")
    await ctx.author.send("psst")
    gone = await ctx.send("bye", allowed_mentions=discord.AllowedMentions.none(), silent=True)
    await gone.delete()
    history = [m async for m in ctx.channel.history(limit=5)]
    await ctx.message.reply(f"{len(history)} in history", mention_author=False)


async def card(interaction: discord.Interaction) -> None:
    """Interaction responses, edits, followups (with a file), ephemeral and deletion."""
    await interaction.response.send_message(embed=discord.Embed(title="t"), ephemeral=True)
    await interaction.edit_original_response(content="now with text")
    followup = await interaction.followup.send(
        "more", file=discord.File(io.BytesIO(b"x"), "x.txt"), wait=True
    )
    await followup.edit(content="more!")
    await interaction.followup.send("secret", ephemeral=True)
    await interaction.delete_original_response()


def make_bot(*, message_content: bool = True) -> commands.Bot:
    intents = discord.Intents.default()
    intents.message_content = message_content
    # A short guild_ready_timeout so on_ready fires quickly after the GUILD_CREATEs.
    bot = commands.Bot(
        command_prefix="!", intents=intents, guild_ready_timeout=0.05, help_command=None
    )

    @bot.command()
    async def ping(ctx: commands.Context[commands.Bot]) -> None:
        await ctx.reply("pong")

    @bot.command()
    async def long(ctx: commands.Context[commands.Bot]) -> None:
        await ctx.send("x" * 2001)

    @bot.command()
    async def upload(ctx: commands.Context[commands.Bot]) -> None:
        await ctx.send("here", file=discord.File(io.BytesIO(b"hello file"), "facts.txt"))

    @bot.command()
    async def read(ctx: commands.Context[commands.Bot]) -> None:
        data = await ctx.message.attachments[0].read()
        await ctx.send(f"{len(data)} bytes: {data.decode()}")

    @bot.command()
    @commands.has_permissions(manage_messages=True)
    async def purge(ctx: commands.Context[commands.Bot]) -> None:
        await ctx.send("purged")

    @purge.error
    async def purge_error(ctx: commands.Context[commands.Bot], error: Exception) -> None:
        await ctx.send(f"denied: {type(error).__name__}")

    @bot.command()
    async def buttons(ctx: commands.Context[commands.Bot]) -> None:
        await ctx.send("a fact", view=ShowView())

    show = app_commands.Group(name="show", description="TV show facts")

    @show.command(name="info", description="Facts about a show")
    @app_commands.describe(title="Show title")
    async def info(interaction: discord.Interaction, title: str) -> None:
        await interaction.response.send_message(f"{title}: premiered 2004")

    @info.autocomplete("title")
    async def title_autocomplete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t, value=t) for t in TITLES if t.startswith(current)]

    @show.command(name="slow", description="Deferred answer")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("worth the wait")

    bot.tree.add_command(show)
    bot.add_command(commands.Command(tour))
    bot.tree.add_command(app_commands.Command(name="card", description="A card", callback=card))
    return bot


@pytest_asyncio.fixture
async def bot(fake_discord: FakeDiscord) -> AsyncIterator[commands.Bot]:
    client = make_bot()
    with discord_py_pointed_at(fake_discord):
        task = asyncio.create_task(client.start(fake_discord.token))
        try:
            await fake_discord.wait_until_ready(timeout=10)
            await asyncio.wait_for(client.wait_until_ready(), 5)
            yield client
        finally:
            await client.close()
            await asyncio.wait_for(task, 5)


def ids(fake: FakeDiscord) -> tuple[int, int]:
    return fake.guild.id, fake.guild.channel("general").id


def creates(request: RecordedRequest) -> bool:
    return request.operation_id == "create_message" and not request.injected


async def test_login_ready_and_guild_create(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    ops = [r.operation_id for r in fake_discord.requests]
    assert ops[:2] == ["get_my_user", "get_my_oauth2_application"]
    assert fake_discord.identify_count == 1
    assert bot.user is not None and bot.user.id == fake_discord.bot_user.id
    guild = bot.get_guild(fake_discord.guild.id)
    assert guild is not None and guild.name == "Test Server"
    assert {c.name for c in guild.text_channels} == {"general", "off-topic"}
    assert {r.name for r in guild.roles} >= {"@everyone", "Moderator", "ShowBot"}
    assert guild.me.guild_permissions.send_messages
    owner = await bot.fetch_user(fake_discord.owner.id)
    assert await bot.is_owner(owner)
    identify = next(f for f in fake_discord.gateway.frames if f.op == 2)
    assert identify.data["intents"] == bot.intents.value


async def test_prefix_command_reply_is_recorded_and_valid(
    fake_discord: FakeDiscord, bot: commands.Bot
) -> None:
    guild_id, channel_id = ids(fake_discord)
    since = len(fake_discord.requests)
    message_id = await fake_discord.send_message(
        guild_id, channel_id, 1234, "!ping", username="fan"
    )
    reply = await fake_discord.wait_for_request(creates, since=since)
    assert reply.json["content"] == "pong"
    assert int(reply.json["message_reference"]["message_id"]) == message_id
    assert reply.status == 200 and not reply.violations
    assert reply.headers["Authorization"] == f"Bot {fake_discord.token}"
    assert fake_discord.bot_messages(channel_id)[-1]["referenced_message"]["id"] == str(message_id)


async def test_member_roles_drive_permissions(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    guild_id, channel_id = ids(fake_discord)

    async def purge_reply(roles: tuple[str, ...]) -> str:
        since = len(fake_discord.requests)
        await fake_discord.send_message(guild_id, channel_id, 77, "!purge", roles=roles)
        return (await fake_discord.wait_for_request(creates, since=since)).json["content"]

    assert await purge_reply(()) == "denied: MissingPermissions"
    assert await purge_reply(("Moderator",)) == "purged"
    # Role changes reach the bot as GUILD_ROLE_UPDATE, as on Discord.
    await fake_discord.set_role_permissions(guild_id, "Moderator", 0)
    assert await purge_reply(("Moderator",)) == "denied: MissingPermissions"
    await fake_discord.set_role_permissions(guild_id, "Moderator", MANAGE_MESSAGES)
    assert await purge_reply(("Moderator",)) == "purged"


async def test_invalid_bodies_and_routes_are_violations(
    fake_discord: FakeDiscord, bot: commands.Bot
) -> None:
    guild_id, channel_id = ids(fake_discord)
    since = len(fake_discord.requests)
    await fake_discord.send_message(guild_id, channel_id, 1234, "!long")
    too_long = await fake_discord.wait_for_request(creates, since=since)
    assert too_long.status == 400 and too_long.response["code"] == 50035
    assert any("2001 characters" in v for v in too_long.violations)

    with pytest.raises(discord.HTTPException):  # an embed title over the spec's 256 chars
        await bot.get_channel(channel_id).send(embed=discord.Embed(title="t" * 257))  # type: ignore[union-attr]
    with pytest.raises(discord.NotFound):
        await bot.http.request(Route("GET", "/channels/{channel_id}/nonsense", channel_id=1))
    with pytest.raises(discord.HTTPException):
        await bot.http.bulk_upsert_guild_commands(
            bot.application_id, guild_id, [{"name": "Show", "description": "caps", "type": 1}]
        )
    reasons = [v.reason for v in fake_discord.take_violations()]
    assert any("2001 characters" in r for r in reasons)
    assert any("embeds/0/title" in r and "256" in r for r in reasons)
    assert any("no such route" in r for r in reasons)
    assert any("'Show'" in r and "lower case" in r for r in reasons)


async def test_command_sync_is_recorded(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    guild = discord.Object(fake_discord.guild.id)
    bot.tree.copy_global_to(guild=guild)
    synced = await bot.tree.sync(guild=guild)
    put = fake_discord.requests_for("bulk_set_guild_application_commands")[-1]
    assert put.status == 200 and not put.violations
    stored = fake_discord.guild_commands(fake_discord.guild.id)
    assert [c["name"] for c in stored] == ["show", "card"]
    assert [o["name"] for o in stored[0]["options"]] == ["info", "slow"]
    assert [c.id for c in synced] == [int(c["id"]) for c in stored]
    # Re-syncing keeps ids stable, like Discord does.
    await bot.tree.sync(guild=guild)
    assert [c["id"] for c in fake_discord.guild_commands(fake_discord.guild.id)] == [
        c["id"] for c in stored
    ]
    global_sync = await bot.tree.sync()
    assert [c.name for c in global_sync] == ["show", "card"]
    assert fake_discord.find_command("show") is not None


async def test_slash_command_and_autocomplete_callbacks(
    fake_discord: FakeDiscord, bot: commands.Bot
) -> None:
    guild_id, channel_id = ids(fake_discord)
    await bot.tree.sync()
    handle = await fake_discord.send_slash_command(
        guild_id, channel_id, 99, "show info", {"title": "Lost"}
    )
    callback = await fake_discord.wait_for_callback(handle)
    assert callback.json["type"] == 4
    assert callback.json["data"]["content"] == "Lost: premiered 2004"
    assert callback.status == 200 and callback.query == {"with_response": "1"}

    handle = await fake_discord.send_autocomplete(
        guild_id, channel_id, 99, "show info", {"title": "Lo"}, focused="title"
    )
    callback = await fake_discord.wait_for_callback(handle)
    assert callback.json["type"] == 8
    assert [c["value"] for c in callback.json["data"]["choices"]] == [
        "Lost",
        "Lovecraft Country",
        "Loki",
    ]
    with pytest.raises(LookupError):
        await fake_discord.send_slash_command(guild_id, channel_id, 99, "show nope")


async def test_deferred_followup_replaces_thinking_message(
    fake_discord: FakeDiscord, bot: commands.Bot
) -> None:
    guild_id, channel_id = ids(fake_discord)
    await bot.tree.sync()
    handle = await fake_discord.send_slash_command(guild_id, channel_id, 99, "show slow")
    followup = await fake_discord.wait_for_request(
        lambda r: r.method == "POST" and r.path == handle.webhook_path
    )
    assert followup.json["content"] == "worth the wait" and followup.status == 200
    state = fake_discord.interaction(handle)
    assert state.callback_type == 5
    assert fake_discord.messages[state.original_message_id or 0].payload["content"] == (
        "worth the wait"
    )


async def test_component_click_gets_callback(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    guild_id, channel_id = ids(fake_discord)
    since = len(fake_discord.requests)
    await fake_discord.send_message(guild_id, channel_id, 5, "!buttons")
    sent = await fake_discord.wait_for_request(creates, since=since)
    message_id = int(sent.response["id"])
    handle: InteractionHandle = await fake_discord.send_component(message_id, 5, "more")
    callback = await fake_discord.wait_for_callback(handle)
    assert callback.json["type"] == 7
    assert fake_discord.messages[message_id].payload["content"] == "more facts"


async def test_dropped_connection_resumes_and_replays(
    fake_discord: FakeDiscord, bot: commands.Bot
) -> None:
    guild_id, channel_id = ids(fake_discord)
    await fake_discord.drop_connection()
    # Sent while the bot is disconnected: must be replayed after RESUME.
    since = len(fake_discord.requests)
    await fake_discord.send_message(guild_id, channel_id, 1234, "!ping")
    await fake_discord.wait_until_resumed(1)
    reply = await fake_discord.wait_for_request(creates, since=since)
    assert reply.json["content"] == "pong"
    assert fake_discord.identify_count == 1 and fake_discord.resume_count == 1
    resume = next(f for f in fake_discord.gateway.frames if f.op == 6)
    assert resume.path == "/resume"  # discord.py resumes at READY's resume_gateway_url

    # A resumable close code and op 7 RECONNECT also lead to RESUME; events keep flowing.
    await fake_discord.drop_connection(4000)
    await fake_discord.wait_until_resumed(2)
    await fake_discord.send_reconnect()
    await fake_discord.wait_until_resumed(3)
    since = len(fake_discord.requests)
    await fake_discord.send_message(guild_id, channel_id, 1234, "!ping")
    assert (await fake_discord.wait_for_request(creates, since=since)).json["content"] == "pong"


async def test_invalid_session_makes_bot_identify_again(
    fake_discord: FakeDiscord, bot: commands.Bot
) -> None:
    async def identify_at_once(shard_id: int | None, *, initial: bool = False) -> None:
        pass  # discord.py's default hook sleeps 5 s before every re-IDENTIFY

    bot.before_identify_hook = identify_at_once  # type: ignore[method-assign]
    await fake_discord.invalidate_session(resumable=False)
    await fake_discord.wait_for(
        lambda: True if fake_discord.identify_count == 2 else None, 10, "a second IDENTIFY"
    )
    await fake_discord.wait_until_ready()


async def test_rate_limit_is_honoured(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    guild_id, channel_id = ids(fake_discord)
    fake_discord.fail_next("POST", "/channels/{channel_id}/messages", 429, retry_after=0.3)
    since = len(fake_discord.requests)
    await fake_discord.send_message(guild_id, channel_id, 1234, "!ping")
    retry = await fake_discord.wait_for_request(creates, since=since)
    limited = next(r for r in fake_discord.requests[since:] if r.injected)
    assert limited.status == 429 and limited.response["retry_after"] == 0.3
    assert retry.status == 200
    assert retry.time - limited.time >= 0.3


async def test_server_errors_are_injected(fake_discord: FakeDiscord) -> None:
    fake_discord.fail_next("GET", "get_my_user", 502, times=2)
    url = fake_discord.api_base + "/users/@me"
    headers = {"Authorization": f"Bot {fake_discord.token}", "User-Agent": "DiscordBot (x, 1)"}
    async with aiohttp.ClientSession(headers=headers) as session:
        statuses = []
        for _ in range(3):
            async with session.get(url) as response:
                statuses.append(response.status)
    assert statuses == [502, 502, 200]


async def test_multipart_upload_is_parsed_and_served(
    fake_discord: FakeDiscord, bot: commands.Bot
) -> None:
    guild_id, channel_id = ids(fake_discord)
    since = len(fake_discord.requests)
    await fake_discord.send_message(guild_id, channel_id, 1234, "!upload")
    upload = await fake_discord.wait_for_request(creates, since=since)
    assert upload.json["content"] == "here"
    assert upload.json["attachments"] == [{"id": 0, "filename": "facts.txt"}]
    assert [(f.field, f.filename, f.data) for f in upload.files] == [
        ("files[0]", "facts.txt", b"hello file")
    ]
    url = upload.response["attachments"][0]["url"]
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert await response.read() == b"hello file"


async def test_bot_downloads_user_attachment(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    guild_id, channel_id = ids(fake_discord)
    since = len(fake_discord.requests)
    await fake_discord.send_message(
        guild_id, channel_id, 1234, "!read", attachments=[("notes.txt", b"abc", "text/plain")]
    )
    reply = await fake_discord.wait_for_request(creates, since=since)
    assert reply.json["content"] == "3 bytes: abc"
    assert any(r.template == "CDN" for r in fake_discord.requests[since:])


async def test_interaction_rules_are_enforced(fake_discord: FakeDiscord) -> None:
    guild_id, channel_id = ids(fake_discord)
    handle = await fake_discord.send_interaction(
        2,
        guild_id=guild_id,
        channel_id=channel_id,
        user_id=1,
        data={"id": "1", "name": "x", "type": 1},
    )
    body = {"type": 4, "data": {"content": "hi"}}
    async with aiohttp.ClientSession(headers={"User-Agent": "DiscordBot (x, 1)"}) as session:
        url = fake_discord.api_base + handle.callback_path
        first = await session.post(url, json=body)
        second = await session.post(url, json=body)
    assert (first.status, second.status) == (204, 400)
    reasons = [v.reason for v in fake_discord.take_violations()]
    assert reasons == ["Interaction has already been acknowledged."]


async def test_wait_for_request_times_out_helpfully(fake_discord: FakeDiscord) -> None:
    with pytest.raises(
        AssertionError, match=r"(?s)timed out after 0.05s.*last 0 of 0 request\(s\)"
    ):
        await fake_discord.wait_for_request(lambda r: False, timeout=0.05)


async def test_message_content_intent_is_respected(fake_discord: FakeDiscord) -> None:
    client = make_bot(message_content=False)
    seen: asyncio.Queue[str] = asyncio.Queue()

    async def record(message: discord.Message) -> None:
        seen.put_nowait(message.content)

    client.add_listener(record, "on_message")
    guild_id, channel_id = ids(fake_discord)
    with discord_py_pointed_at(fake_discord):
        task = asyncio.create_task(client.start(fake_discord.token))
        try:
            await fake_discord.wait_until_ready()
            await fake_discord.send_message(guild_id, channel_id, 3, "!ping")
            await fake_discord.send_message(
                guild_id, channel_id, 3, f"<@{fake_discord.bot_user.id}> hi"
            )
            contents = [await asyncio.wait_for(seen.get(), 5) for _ in range(2)]
        finally:
            await client.close()
            await asyncio.wait_for(task, 5)
    assert contents == ["", f"<@{fake_discord.bot_user.id}> hi"]


async def test_heartbeats_are_acknowledged() -> None:
    async with FakeDiscord(heartbeat_interval_ms=50) as fake:
        fake.add_guild()
        client = make_bot()
        with discord_py_pointed_at(fake):
            task = asyncio.create_task(client.start(fake.token))
            try:
                await fake.wait_for(
                    lambda: True if sum(f.op == 1 for f in fake.gateway.frames) >= 4 else None,
                    5,
                    "4 heartbeats",
                )
                assert client.latency < 1.0  # only finite once an ACK arrived
            finally:
                await client.close()
                await asyncio.wait_for(task, 5)
        fake.assert_no_violations()


async def test_everyday_discord_py_calls_are_accepted(
    fake_discord: FakeDiscord, bot: commands.Bot
) -> None:
    guild_id, channel_id = ids(fake_discord)
    fan = fake_discord.add_user("fan")
    since = len(fake_discord.requests)
    await fake_discord.send_message(guild_id, channel_id, fan.id, "!tour")
    await fake_discord.wait_for_request(
        lambda r: creates(r) and "in history" in (r.json.get("content") or ""), since=since
    )
    await bot.tree.sync()
    handle = await fake_discord.send_slash_command(guild_id, channel_id, fan.id, "card")
    await fake_discord.wait_for_request(
        lambda r: r.operation_id == "delete_original_webhook_message", since=since
    )
    assert fake_discord.interaction(handle).original_message_id not in fake_discord.messages

    picker = next(m for m in fake_discord.messages.values() if m.payload["components"])
    handle = await fake_discord.send_component(
        picker.id, fan.id, "pick", component_type=3, values=["Lost"]
    )
    modal = await fake_discord.wait_for_callback(handle)
    assert modal.json["type"] == 9
    handle = await fake_discord.send_modal_submit(
        guild_id, channel_id, fan.id, modal.json["data"]["custom_id"], {"q": "why?"}
    )
    answer = await fake_discord.wait_for_callback(handle)
    assert answer.json["data"]["content"] == "asked why?"
    operations = {r.operation_id for r in fake_discord.requests[since:]}
    assert {
        "trigger_typing_indicator",
        "add_my_message_reaction",
        "delete_my_message_reaction",
        "update_message",
        "create_dm",
        "delete_message",
        "list_messages",
        "update_original_webhook_message",
        "execute_webhook",
        "update_webhook_message",
    } <= operations
    # The fixture's teardown asserts that none of this was a violation.


async def test_disallowed_privileged_intent_is_refused() -> None:
    async with FakeDiscord(privileged_intents=0) as fake:
        fake.add_guild()
        client = make_bot(message_content=True)
        with discord_py_pointed_at(fake), pytest.raises(discord.PrivilegedIntentsRequired):
            try:
                await asyncio.wait_for(client.start(fake.token), 5)
            finally:
                await client.close()
        assert [v.reason for v in fake.take_violations()] == [
            "gateway closed with 4014: Disallowed intent(s) 0x8000: not enabled for the app"
        ]


def test_spec_matching_and_name_rule() -> None:
    spec = load_spec()
    original = spec.match("PATCH", ("webhooks", "1", "t", "messages", "@original"))
    by_id = spec.match("PATCH", ("webhooks", "1", "t", "messages", "2"))
    assert original.operation is not None and by_id.operation is not None
    assert original.operation.operation_id == "update_original_webhook_message"
    assert by_id.operation.operation_id == "update_webhook_message"
    assert valid_command_name("show-info") and valid_command_name("série_2")
    assert not valid_command_name("Show") and not valid_command_name("two words")
    assert not valid_command_name("x" * 33)


async def test_shards_get_only_their_guilds_events() -> None:
    """An AutoShardedBot without a shard count asks /gateway/bot, IDENTIFYs each shard;
    each session gets READY and GUILD_CREATE for its guilds only, and every guild event
    (messages, interactions) only on the shard that owns the guild; DMs on shard 0."""
    async with FakeDiscord() as fake:
        fake.shards = 2
        fake.name_client = lambda peer: "this test" if peer[0] == "127.0.0.1" else None
        guilds = [
            fake.add_guild(f"S{shard}-{n}", guild_id=fake.guild_id_on_shard(shard, 2))
            for shard in (0, 1)
            for n in range(2)
        ]
        owner = {g.id: FakeDiscord.shard_of(g.id, 2) for g in guilds}
        assert sorted(owner.values()) == [0, 0, 1, 1]
        client = make_bot()
        sharded = commands.AutoShardedBot(
            command_prefix="!", intents=client.intents, guild_ready_timeout=0.05
        )
        sharded.add_command(client.get_command("ping"))  # type: ignore[arg-type]
        for command in client.tree.get_commands():
            sharded.tree.add_command(command)

        async def identify_at_once(shard_id: int | None, *, initial: bool = False) -> None:
            pass  # discord.py waits 5 s before every IDENTIFY but the first

        sharded.before_identify_hook = identify_at_once  # type: ignore[method-assign]
        with discord_py_pointed_at(fake):
            task = asyncio.create_task(sharded.start(fake.token))
            try:
                await asyncio.wait_for(sharded.wait_until_ready(), 10)
                (gateway,) = fake.requests_for("get_bot_gateway")
                assert gateway.response["shards"] == 2
                components = load_spec().document["components"]
                schema = {**components["schemas"]["GatewayBotResponse"], "components": components}
                assert not list(Draft202012Validator(schema).iter_errors(gateway.response))
                limit = gateway.response["session_start_limit"]
                assert limit["remaining"] == limit["total"]  # nothing identified yet
                identifies = [f.data["shard"] for f in fake.gateway.frames if f.op == 2]
                assert sorted(identifies) == [[0, 2], [1, 2]]
                sessions = {s.shard: s for s in fake.gateway.sessions.values()}
                assert fake.live_shards() == {(0, 2): "this test", (1, 2): "this test"}

                def events(shard: int, name: str) -> list[dict[str, Any]]:
                    log = sessions[(shard, 2)].log
                    return [p["d"] for p in log if p["t"] == name]

                for shard in (0, 1):
                    (ready,) = events(shard, "READY")
                    mine = {str(g) for g, s in owner.items() if s == shard}
                    assert ready["shard"] == [shard, 2]
                    assert {g["id"] for g in ready["guilds"]} == mine
                    assert all(g["unavailable"] for g in ready["guilds"])
                    assert {g["id"] for g in events(shard, "GUILD_CREATE")} == mine
                assert {g.id: g.shard_id for g in sharded.guilds} == owner

                await sharded.tree.sync()
                fan = fake.add_user("fan").id
                since = len(fake.requests)
                for guild in guilds:
                    general = guild.channel("general").id
                    await fake.send_message(guild.id, general, fan, "!ping")
                    handle = await fake.send_slash_command(
                        guild.id, general, fan, "show info", {"title": "Lost"}
                    )
                    await fake.wait_for_callback(handle)

                def pongs() -> bool | None:
                    return sum(creates(r) for r in fake.requests[since:]) == len(guilds) or None

                await fake.wait_for(pongs, 5, "a pong in every guild")
                assert {r.client for r in fake.requests[since:]} == {"this test"}
                for shard in (0, 1):
                    for name in ("MESSAGE_CREATE", "INTERACTION_CREATE"):
                        got = {int(e["guild_id"]) for e in events(shard, name)}
                        assert got == {g for g, s in owner.items() if s == shard}, name
                await fake.send_dm(fan, "hello")
                assert [e["content"] for e in events(0, "MESSAGE_CREATE") if "guild_id" not in e]
                assert all("guild_id" in e for e in events(1, "MESSAGE_CREATE"))
            finally:
                await sharded.close()
                await client.close()
                await asyncio.wait_for(task, 5)
        fake.assert_no_violations()
