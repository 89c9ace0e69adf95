"""`help` and `privacy` for everyone; `gaps` and `stats` for moderators (from the question
log); `sync` for the bot's owner."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from discord.ext import commands

from bot.replies.help import help_text
from bot.replies.render import escape, gaps_text, stats_text
from bot.replies.settings import privacy_text
from bot.runtime.sending import in_time, send_reply
from cogs.checks import moderator_only, moderator_slash, owner_only
from cogs.teaching import teach_view

if TYPE_CHECKING:
    from bot.runtime.client import ShowBot


class Meta(commands.Cog):
    """Help and usage insight."""

    def __init__(self, bot: ShowBot) -> None:
        self.bot = bot

    @commands.hybrid_command(name="help")  # type: ignore[arg-type]
    async def help(self, ctx: commands.Context[Any], *, topic: str | None = None) -> None:
        """How to ask showbot questions (and, for moderators, how to curate facts).

        Args:
            topic: Leave empty, or say "moderation"
        """
        await send_reply(ctx, help_text(ctx.clean_prefix, topic))

    @commands.hybrid_command(name="privacy")  # type: ignore[arg-type]
    async def privacy(self, ctx: commands.Context[Any]) -> None:
        """What showbot keeps about you, for how long, and how to have it deleted."""
        config = self.bot.config
        text = privacy_text(
            ctx.clean_prefix,
            config.privacy_contact,
            config.question_days,
            config.forget_after_days,
        )
        await send_reply(ctx, text, ephemeral=True)

    @commands.hybrid_command(name="gaps")
    @moderator_slash()
    @commands.guild_only()
    @moderator_only()
    async def gaps(self, ctx: commands.Context[Any]) -> None:
        """The most asked questions showbot could not answer, to know what to add or teach."""
        gaps = await self._report(ctx, self.bot.moderation.gaps)
        questions = await self._report(ctx, self.bot.moderation.unanswered)
        await send_reply(
            ctx, gaps_text(gaps, questions), ephemeral=True, view=teach_view(questions)
        )

    @commands.hybrid_command(name="stats")
    @moderator_slash()
    @commands.guild_only()
    @moderator_only()
    async def stats(self, ctx: commands.Context[Any]) -> None:
        """Questions per day, answer rate and top subjects over the last week."""
        stats = await self._report(ctx, self.bot.moderation.stats)
        text = stats_text(stats)
        # Questions shed under load never reach the question log: counted by the backlog.
        shed = self.bot.backlog.shed_text(ctx.guild.id if ctx.guild else None)
        await send_reply(ctx, f"{text}\n{shed}" if shed else text, ephemeral=True)

    async def _report(self, ctx: commands.Context[Any], report: Any) -> Any:
        """A question-log report, read in the writer thread after the buffered questions
        are written (bot/runtime/writer.py); a slash command kept waiting is deferred."""

        async def read() -> Any:
            await self.bot.writer.flush_log(queue=True)
            return await self.bot.write(report, ctx.guild.id if ctx.guild else None)

        return await in_time(ctx, read(), ephemeral=True)

    # Prefix only: a slash command cannot be the way to fix the slash commands.
    @commands.command(name="sync")
    @owner_only()
    async def sync(self, ctx: commands.Context[Any]) -> None:
        """Publish the slash commands to Discord now, whatever the stored hashes say."""
        async with ctx.typing():
            outcomes = await self.bot.sync_commands(force=True)
        lines = ["Slash commands:"] + [f"• {escape(o.describe())}" for o in outcomes]
        await send_reply(ctx, "\n".join(lines))


async def setup(bot: ShowBot) -> None:
    await bot.add_cog(Meta(bot))
