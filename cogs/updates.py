"""`updates`: where a server's followed-subject updates go (moderators), and the Discord side
of the drainer (bot/updates/drainer.py): the REST calls it makes, in a loop beside the bot."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord.ext import commands

from bot.logs import get_logger
from bot.replies.settings import updates_changed, updates_text
from bot.runtime.sending import can_send, in_time, send_reply
from bot.updates.drainer import DeliveryFailedError, Drainer
from cogs.checks import moderator_only, moderator_slash, own_channel

if TYPE_CHECKING:
    from bot.runtime.client import ShowBot

log = get_logger("showbot.updates")


class DiscordPoster:
    """The drainer's REST calls through discord.py (the client's allowed_mentions, none,
    applies); Discord's refusals as DeliveryFailedError."""

    def __init__(self, bot: ShowBot) -> None:
        self.bot = bot

    async def open_dm(self, user_id: int) -> int:
        with _as_failure():
            channel = await self.bot.create_dm(discord.Object(user_id))
        return channel.id

    async def post(self, channel_id: int, content: str, nonce: str) -> tuple[int, str]:
        with _as_failure():
            sent = await self.bot.get_partial_messageable(channel_id).send(content, nonce=nonce)
        return sent.id, sent.content

    async def edit(self, channel_id: int, message_id: int, content: str) -> None:
        channel = self.bot.get_partial_messageable(channel_id)
        with _as_failure():
            await channel.get_partial_message(message_id).edit(content=content)

    def server_name(self, guild_id: int) -> str | None:
        guild = self.bot.get_guild(guild_id)
        return guild.name if guild else None


@contextlib.contextmanager
def _as_failure() -> Any:
    try:
        yield
    except discord.HTTPException as exc:
        raise DeliveryFailedError(exc.status, exc.code, str(exc)) from None
    except (OSError, aiohttp.ClientError) as exc:
        raise DeliveryFailedError(None, None, f"{type(exc).__name__}: {exc}") from None


class Updates(commands.Cog):
    """The updates channel setting, and the drainer's loop."""

    def __init__(self, bot: ShowBot) -> None:
        self.bot = bot
        config = bot.config
        self.drainer = Drainer(
            bot.engine.store,
            bot.writer.store,
            bot.write,
            DiscordPoster(bot),
            window_seconds=config.updates_window_seconds,
            lease_seconds=config.updates_lease_seconds,
            prefix=config.prefix if config.message_content else "/",
        )
        self._task: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        if self.bot.serve:
            self._task = asyncio.create_task(self._drain())

    async def cog_unload(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _drain(self) -> None:
        await self.bot.wait_until_ready()  # logged in: posts can go out
        await self.drainer.forever()

    async def cog_check(self, ctx: commands.Context[Any]) -> bool:
        if ctx.guild is None:
            raise commands.NoPrivateMessage("Moderator commands work in a server only.")
        return True

    @commands.hybrid_group(name="updates", invoke_without_command=True, fallback="show")
    @moderator_slash()
    @moderator_only()
    async def updates(self, ctx: commands.Context[Any]) -> None:
        """Moderators: the channel updates about followed subjects are posted to."""
        assert ctx.guild is not None
        channel_id = self.bot.engine.store.updates_channel(ctx.guild.id)
        await send_reply(ctx, updates_text(channel_id, ctx.clean_prefix), ephemeral=True)

    @updates.command(name="channel")
    @moderator_only()
    async def updates_channel(
        self, ctx: commands.Context[Any], channel: discord.TextChannel
    ) -> None:
        """Post updates about followed subjects in a channel of this server.

        Args:
            channel: A text channel of this server
        """
        await self._set(ctx, own_channel(ctx, channel), unusable=not can_send(channel))

    @updates.command(name="off")
    @moderator_only()
    async def updates_off(self, ctx: commands.Context[Any]) -> None:
        """Stop posting updates about followed subjects in a channel (DMs asked for go on)."""
        await self._set(ctx, None)

    async def _set(
        self, ctx: commands.Context[Any], channel_id: int | None, *, unusable: bool = False
    ) -> None:
        guild = ctx.guild
        assert guild is not None
        store = self.bot.writer.store
        work = self.bot.write(store.set_updates_channel, guild.id, channel_id)
        before = await in_time(ctx, work)
        log.info("updates_set", guild=guild.id, channel=channel_id, before=before)
        await send_reply(ctx, updates_changed(channel_id, unusable=unusable))


async def setup(bot: ShowBot) -> None:
    await bot.add_cog(Updates(bot))
