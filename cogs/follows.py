"""`follow`, `unfollow`, `following`: any member follows subjects in a server and hears
when their facts change (bot/updates/following.py does the work; bot/updates/drainer.py
tells them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from discord import Interaction, app_commands
from discord.ext import commands

from bot import validation as v
from bot.logs import get_logger
from bot.replies.render import labels
from bot.replies.updates import followed_text, following_text, unfollowed_text
from bot.runtime.sending import in_time, send_reply
from bot.store.follows import MAX_FOLLOWS
from bot.updates.following import Following
from cogs.converters import subject_autocomplete

if TYPE_CHECKING:
    from bot.runtime.client import ShowBot

log = get_logger("showbot.follows")


class FollowFlags(commands.FlagConverter, prefix="", delimiter=":"):
    subject: str = commands.flag(
        positional=True, description="A show, season, character... e.g. jessica jones s2"
    )
    dm: str = commands.flag(default="no", description="yes to get each update by DM too")


class Follows(commands.Cog):
    """Fans follow subjects, per member per server."""

    def __init__(self, bot: ShowBot) -> None:
        self.bot = bot
        self.writes = Following(bot.engine, bot.writer.store)  # in the writer thread
        self.reads = Following(bot.engine, bot.engine.store)  # on the loop, reads only

    @commands.hybrid_command(name="follow")  # type: ignore[arg-type]
    @commands.guild_only()
    async def follow(self, ctx: commands.Context[Any], *, flags: FollowFlags) -> None:
        """Hear when a subject's facts change: in the updates channel, and by DM if you ask.

        Args:
            flags: The subject, and dm: yes for direct messages too
        """
        assert ctx.guild is not None
        dm = v.parse_bool(flags.dm, "dm")
        work = self.bot.write(self.writes.follow, ctx.guild.id, ctx.author.id, flags.subject, dm=dm)
        entity, new = await in_time(ctx, work, ephemeral=True)
        log.info("followed", guild=ctx.guild.id, subject=entity.id, dm=dm, new=new)
        text = followed_text(entity, dm=dm, new=new, prefix=ctx.clean_prefix)
        await send_reply(ctx, text, ephemeral=True)

    @commands.hybrid_command(name="unfollow")  # type: ignore[arg-type]
    @commands.guild_only()
    async def unfollow(self, ctx: commands.Context[Any], *, subject: str) -> None:
        """Stop hearing about a subject you follow in this server.

        Args:
            subject: A subject you follow (see following)
        """
        assert ctx.guild is not None
        work = self.bot.write(self.writes.unfollow, ctx.guild.id, ctx.author.id, subject)
        entity, was = await in_time(ctx, work, ephemeral=True)
        log.info("unfollowed", guild=ctx.guild.id, subject=entity.id, was=was)
        await send_reply(ctx, unfollowed_text(entity, was=was), ephemeral=True)

    @commands.hybrid_command(name="following")  # type: ignore[arg-type]
    @commands.guild_only()
    async def following(self, ctx: commands.Context[Any]) -> None:
        """The subjects you follow in this server."""
        assert ctx.guild is not None
        rows = self.reads.following(ctx.guild.id, ctx.author.id)
        shown = [(f.entity, f.dm, f.dm_blocked) for f in rows]
        await send_reply(ctx, following_text(shown, MAX_FOLLOWS, ctx.clean_prefix), ephemeral=True)

    async def followed_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """The member's own follows (theirs only: it lists nobody else's), shown with
        their kind as `following` shows them, sent as ``#id``: a name, even with its kind,
        may also fit a namesake the member doesn't follow ("Nuke (character)")."""
        if interaction.guild_id is None:
            return []
        rows = self.reads.following(interaction.guild_id, interaction.user.id)
        typed = current.casefold().strip()
        entities = [f.entity for f in rows]
        shown = zip(labels(entities, kinds=True), entities, strict=True)
        return [
            app_commands.Choice(name=n[:100], value=f"#{e.id}")
            for n, e in shown
            if typed in n.casefold()
        ][:25]

    follow.autocomplete("subject")(subject_autocomplete)
    unfollow.autocomplete("subject")(followed_autocomplete)


async def setup(bot: ShowBot) -> None:
    await bot.add_cog(Follows(bot))
