"""`when`, `who`, `what`, `ask`: hybrid commands (prefix and slash) over Engine.ask."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from discord.ext import commands

from bot.logs import get_logger, preview
from bot.models import Intent
from bot.runtime.sending import send_reply
from cogs.converters import subject_autocomplete
from cogs.cooldowns import Cooldowns
from cogs.views import AskButton, suggestion_view

if TYPE_CHECKING:
    from bot.runtime.client import ShowBot

log = get_logger("showbot.questions")


class Questions(commands.Cog):
    """Answers fans' questions from the fact store."""

    def __init__(self, bot: ShowBot) -> None:
        self.bot = bot
        self.engine = bot.engine
        # One bucket per member across all four commands and the suggestion buttons.
        self.cooldowns = Cooldowns(bot.config.cooldown_rate, bot.config.cooldown_seconds)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(AskButton)

    async def cog_check(self, ctx: commands.Context[Any]) -> bool:
        self.cooldowns.check(ctx)
        return True

    def forget_member(self, user_id: int) -> None:
        """``!forget me``: the member's cooldown buckets and notices, in every server."""
        self.cooldowns.forget_member(user_id)

    async def answer(self, ctx: commands.Context[Any], intent: Intent, subject: str) -> None:
        # Admitted through the channel's backlog first (ShowBot.invoke): a channel asking
        # faster than Discord lets the bot post sheds before the engine.
        guild_id = ctx.guild.id if ctx.guild else None
        answer = self.engine.ask(subject, intent=intent, guild_id=guild_id)
        reply = self.engine.reply(answer, dates="discord")
        await send_reply(ctx, reply.content, view=suggestion_view(reply))
        # What was asked only when the operator debugs, and shortened; the INFO line
        # below carries no user text (the match is a curated subject's name).
        log.debug("question_text", guild=guild_id, text=preview(subject))
        log.info(
            "question",
            guild=guild_id,
            channel=ctx.channel.id,
            intent=answer.intent.value,
            match=answer.entity.name if answer.entity else None,
            score=round(answer.score, 1),
            answered=answer.answered,
            slash=ctx.interaction is not None,
        )

    @commands.hybrid_command(name="when")  # type: ignore[arg-type]
    async def when(self, ctx: commands.Context[Any], *, subject: str) -> None:
        """When a show or season films, premieres or was confirmed, with its source.

        Args:
            subject: A show or season, e.g. jessica jones s2
        """
        await self.answer(ctx, Intent.WHEN, subject)

    @commands.hybrid_command(name="who")  # type: ignore[arg-type]
    async def who(self, ctx: commands.Context[Any], *, subject: str) -> None:
        """Who a character, person or organisation is, with its source.

        Args:
            subject: A character, person or organisation, e.g. nuke
        """
        await self.answer(ctx, Intent.WHO, subject)

    @commands.hybrid_command(name="what")  # type: ignore[arg-type]
    async def what(self, ctx: commands.Context[Any], *, subject: str) -> None:
        """What an organisation, thing or show is, with its source.

        Args:
            subject: An organisation, thing or show, e.g. igh
        """
        await self.answer(ctx, Intent.WHAT, subject)

    @commands.hybrid_command(name="ask")  # type: ignore[arg-type]
    async def ask(self, ctx: commands.Context[Any], *, subject: str) -> None:
        """Ask anything in your own words; showbot works out what you mean.

        Args:
            subject: Your question, e.g. when does jessica jones season 2 come out
        """
        await self.answer(ctx, Intent.ASK, subject)

    command: commands.HybridCommand[Any, ..., Any]
    for command in (when, who, what, ask):
        command.autocomplete("subject")(subject_autocomplete)
    del command


async def setup(bot: ShowBot) -> None:
    await bot.add_cog(Questions(bot))
