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
        # The server's name is kept for DMs sent where it isn't known (another shard).
        work = self.bot.write(
            self.writes.follow,
            ctx.guild.id,
            ctx.author.id,
            flags.subject,
            dm=dm,
            server=ctx.guild.name,
        )
        entity, new = await in_time(ctx, work, ephemeral=True)
        log.info("followed", guild=ctx.guild.id, subject=entity.id, dm=dm, new=new)
        text = followed_text(entity, dm=dm, new=new, prefix=ctx.clean_prefix)
        await send_reply(ctx, text, ephemeral=True)

    # Not guild-only: from a DM (the bot may have left the server) they cover every server.
    @commands.hybrid_command(name="unfollow")  # type: ignore[arg-type]
    async def unfollow(self, ctx: commands.Context[Any], *, subject: str) -> None:
        """Stop hearing about a subject you follow (in a DM: in every server).

        Args:
            subject: A subject you follow (see following)
        """
        guild_id = ctx.guild.id if ctx.guild else None
        work = self.bot.write(self.writes.unfollow, guild_id, ctx.author.id, subject)
        name, ended = await in_time(ctx, work, ephemeral=True)
        log.info("unfollowed", guild=guild_id, follows=len(ended))
        text = unfollowed_text(name, ended, here=guild_id is not None)
        await send_reply(ctx, text, ephemeral=True)

    @commands.hybrid_command(name="following")  # type: ignore[arg-type]
    async def following(self, ctx: commands.Context[Any]) -> None:
        """The subjects you follow in this server (in a DM: in every server)."""
        guild_id = ctx.guild.id if ctx.guild else None
        rows = self.reads.following(guild_id, ctx.author.id)
        text = following_text(rows, MAX_FOLLOWS, ctx.clean_prefix, here=guild_id is not None)
        await send_reply(ctx, text, ephemeral=True)

    async def followed_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """The member's own follows (theirs only: it lists nobody else's; in a DM, in every
        server), shown with their kind as `following` shows them, sent as ``#id``: a name,
        even with its kind, may also fit a namesake the member doesn't follow ("Nuke
        (character)")."""
        rows = self.reads.following(interaction.guild_id, interaction.user.id)
        typed = current.casefold().strip()
        known = [f for f in rows if f.entity is not None]
        entities = [f.entity for f in known if f.entity is not None]
        shown = zip(labels(entities, kinds=True), known, strict=True)
        choices: dict[str, str] = {}  # one choice per subject (a DM: followed in several)
        for name, follow in shown:
            if follow.server and interaction.guild_id is None:
                name = f"{name} · {follow.server}"
            if typed in name.casefold():
                choices.setdefault(f"#{follow.entity_id}", name[:100])
        return [app_commands.Choice(name=n, value=v) for v, n in choices.items()][:25]

    follow.autocomplete("subject")(subject_autocomplete)
    unfollow.autocomplete("subject")(followed_autocomplete)


async def setup(bot: ShowBot) -> None:
    await bot.add_cog(Follows(bot))
