"""`predictions` and `upcoming`: fans' lists of rumors and predictions, and of what is
coming, over Engine.predictions / Engine.upcoming (hybrid, prefix and slash)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from discord.ext import commands

from bot.errors import InvalidInputError
from bot.replies.listings import predictions_text, upcoming_text
from bot.runtime.sending import send_reply
from bot.store.follows import Follows
from bot.validation import parse_bool
from cogs.converters import UpcomingFlags, subject_autocomplete

if TYPE_CHECKING:
    from bot.runtime.client import ShowBot


class Timeline(commands.Cog):
    """Predictions with their outcomes, and what is coming soon."""

    def __init__(self, bot: ShowBot) -> None:
        self.bot = bot
        self.engine = bot.engine

    async def cog_check(self, ctx: commands.Context[Any]) -> bool:
        # These are questions too: they spend the member's one question budget.
        questions = self.bot.get_cog("Questions")
        check = getattr(questions, "cog_check", None)
        return bool(await check(ctx)) if check is not None else True

    @commands.hybrid_command(name="predictions")  # type: ignore[arg-type]
    async def predictions(self, ctx: commands.Context[Any], *, subject: str | None = None) -> None:
        """Rumors and predictions, open and resolved, with their dates and outcomes.

        Args:
            subject: A show, season or character, e.g. jessica jones (empty: all of them)
        """
        found = self.engine.predictions(subject, ctx.guild.id if ctx.guild else None)
        reply = predictions_text(found, self.engine.entities, ctx.clean_prefix, "discord")
        await send_reply(ctx, reply.content)

    @commands.hybrid_command(name="upcoming")  # type: ignore[arg-type]
    async def upcoming(self, ctx: commands.Context[Any], *, flags: UpcomingFlags) -> None:
        """Premieres, releases and filming dated in the next days (30 unless you say)."""
        followed = None
        if parse_bool(flags.mine, "mine"):
            if ctx.guild is None:
                raise InvalidInputError("mine: you follow subjects in a server; ask there.")
            followed = Follows(self.engine.store.db).subjects_of(ctx.guild.id, ctx.author.id)
        found = self.engine.upcoming(
            ctx.guild.id if ctx.guild else None,
            today=datetime.now(UTC).date(),
            days=flags.days,
            followed=followed,
        )
        reply = upcoming_text(found, self.engine.entities, ctx.clean_prefix, "discord")
        await send_reply(ctx, reply.content)

    predictions.autocomplete("subject")(subject_autocomplete)


async def setup(bot: ShowBot) -> None:
    await bot.add_cog(Timeline(bot))
