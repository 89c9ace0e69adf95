"""Where moderators' changes are told: `modlog` sets a server's own log channel, and every
change is posted (as one line naming the moderator, never a mention) to the channel of the
server whose data changed, a global change to ``[moderation] log_channel_id`` only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.logs import get_logger
from bot.replies.render import log_line
from bot.replies.settings import modlog_changed, modlog_text
from bot.runtime.sending import can_send, in_time, send_reply
from cogs.checks import moderator_only, moderator_slash, own_channel

if TYPE_CHECKING:
    from bot.runtime.client import ShowBot

log = get_logger("showbot.modlog")


class ModLog(commands.Cog):
    """The moderation log channels: per server, and the owner's for global facts."""

    def __init__(self, bot: ShowBot) -> None:
        self.bot = bot
        # One warning per log channel per breakage, not one per change; a channel Discord
        # said is unknown is not asked again (ids are never reused).
        self.log_channel_warned: set[int] = set()
        self.log_channel_gone: set[int] = set()

    async def cog_check(self, ctx: commands.Context[Any]) -> bool:
        if ctx.guild is None:
            raise commands.NoPrivateMessage("Moderator commands work in a server only.")
        return True

    async def post_to_log(
        self, ctx: commands.Context[Any], message: str, scopes: set[int | None]
    ) -> None:
        """One line (who, which server, the outcome) in the log channel of the server
        whose data changed (``!modlog channel``), and, for a change to global data (the
        owner's), in ``[moderation] log_channel_id``: a server's changes never reach
        another server's channel, nor the owner's. Best effort: a missing or closed
        channel is warned about and never fails the moderator's command."""
        if ctx.guild is not None:
            await self.post_change(ctx.guild, ctx.author, message, scopes)

    async def post_change(
        self,
        guild: discord.Guild,
        author: discord.abc.User,
        message: str,
        scopes: set[int | None],
    ) -> None:
        """:meth:`post_to_log` for a change made other than by a command (a modal)."""
        channels = []
        if not scopes or any(s is not None for s in scopes):
            channels.append(self.bot.engine.store.modlog_channel(guild.id))
        if None in scopes:
            channels.append(self.bot.config.log_channel_id)
        # A name, not a mention: the log must not ping (or look like it could).
        line = log_line(author.display_name, author.id, guild.name, message)
        for channel_id in channels:
            if channel_id is not None:
                await self.post_line(channel_id, line)

    async def post_line(self, channel_id: int, line: str) -> bool:
        """Post ``line`` in a log channel by id; whether it was posted."""
        if channel_id in self.log_channel_gone:
            return False
        # The global channel is usually in a server another process holds (shards): not in
        # this one's cache, so posted by id. When the cache knows it, a channel it can't
        # post in costs no 403.
        channel: (
            discord.abc.GuildChannel
            | discord.Thread
            | discord.abc.PrivateChannel
            | discord.PartialMessageable
            | None
        ) = self.bot.get_channel(channel_id)
        try:
            if channel is None:
                channel = self.bot.get_partial_messageable(channel_id)
            elif not isinstance(channel, discord.abc.Messageable):
                raise LookupError("not a text channel")
            elif not can_send(channel):
                raise LookupError("the bot may not post in it (channel permissions)")
            await channel.send(line)
        except (LookupError, discord.HTTPException) as exc:
            if isinstance(exc, discord.NotFound):
                self.log_channel_gone.add(channel_id)
            if channel_id not in self.log_channel_warned:
                self.log_channel_warned.add(channel_id)
                log.warning("log_channel_unusable", channel=channel_id, error=str(exc))
            return False
        self.log_channel_warned.discard(channel_id)  # working again: warn again if it breaks
        return True

    @commands.hybrid_group(name="modlog", invoke_without_command=True, fallback="show")
    @moderator_slash()
    @moderator_only()
    async def modlog(self, ctx: commands.Context[Any]) -> None:
        """Moderators: the channel this server's moderator changes are posted to."""
        assert ctx.guild is not None
        channel_id = self.bot.engine.store.modlog_channel(ctx.guild.id)
        await send_reply(ctx, modlog_text(channel_id, ctx.clean_prefix), ephemeral=True)

    @modlog.command(name="channel")
    @moderator_only()
    async def modlog_channel(
        self, ctx: commands.Context[Any], channel: discord.TextChannel
    ) -> None:
        """Post this server's moderator changes in a channel of this server.

        Args:
            channel: A text channel of this server
        """
        await self._set_modlog(ctx, own_channel(ctx, channel))

    @modlog.command(name="off")
    @moderator_only()
    async def modlog_off(self, ctx: commands.Context[Any]) -> None:
        """Stop posting this server's moderator changes anywhere."""
        await self._set_modlog(ctx, None)

    async def _set_modlog(self, ctx: commands.Context[Any], channel_id: int | None) -> None:
        guild = ctx.guild
        assert guild is not None
        store = self.bot.writer.store
        before = await in_time(ctx, self.bot.write(store.set_modlog_channel, guild.id, channel_id))
        # A setting, not a curated fact: no change-log row; logged (no names) and told in
        # the channels concerned, so the old one sees where the log went.
        log.info("modlog_set", guild=guild.id, channel=channel_id, before=before)
        message = modlog_changed(channel_id)
        line = log_line(ctx.author.display_name, ctx.author.id, guild.name, message)
        posted = True  # in the new channel, when there is one
        for target in dict.fromkeys((before, channel_id)):
            if target is None:
                continue
            self.log_channel_gone.discard(target)  # chosen again: worth another try
            ok = await self.post_line(target, line)
            if target == channel_id:
                posted = ok
        await send_reply(ctx, message if posted else modlog_changed(channel_id, unusable=True))


async def setup(bot: ShowBot) -> None:
    await bot.add_cog(ModLog(bot))
