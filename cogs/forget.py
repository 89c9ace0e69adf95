"""`forget me`: any member, in a server or a DM, has showbot forget what it keeps under
their account (bot/privacy.py does the work, in the writer thread)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from discord.ext import commands

from bot.runtime.sending import in_time, send_reply
from cogs.checks import never_shed

if TYPE_CHECKING:
    from bot.runtime.client import ShowBot

EXPLAIN = """\
**Forget me.** showbot keeps no question with who asked it, so there is none of yours to \
delete. The subjects you follow (`{p}following`) are deleted. If you ever changed facts \
as a moderator, your name and id in the moderation \
history become a pseudonym such as `moderator-1a2b3c4d` (the history itself stays, so \
others can still read and undo it; you can no longer undo your own earlier changes). \
Your question cooldown is reset too.
To go ahead: `{p}forget me confirm` (or `/forget me`, which only you see)."""


class Forget(commands.Cog):
    """Deletion on request."""

    def __init__(self, bot: ShowBot) -> None:
        self.bot = bot

    @commands.hybrid_group(name="forget", invoke_without_command=True)
    @never_shed()
    async def forget(self, ctx: commands.Context[Any]) -> None:
        """Have showbot forget what it keeps about you."""
        await send_reply(ctx, EXPLAIN.format(p=ctx.clean_prefix), ephemeral=True)

    @forget.command(name="me")  # type: ignore[arg-type]
    async def me(
        self, ctx: commands.Context[Any], confirm: Literal["confirm"] | None = None
    ) -> None:
        """Have showbot forget what it keeps about you; it says what first.

        Args:
            confirm: Choose confirm to go ahead (without it, showbot says what it would do)
        """
        if confirm is None:
            await send_reply(ctx, EXPLAIN.format(p=ctx.clean_prefix), ephemeral=True)
            return
        privacy = self.bot.privacy
        done = await in_time(
            ctx, self.bot.write(privacy.forget_user, ctx.author.id), ephemeral=True
        )
        questions = self.bot.get_cog("Questions")
        forget_member = getattr(questions, "forget_member", None)
        if forget_member is not None:
            forget_member(ctx.author.id)
        # Named only in a private answer: in a channel it would tie the pseudonym to them.
        private = ctx.interaction is not None or ctx.guild is None
        summary = done.summary(named=private)
        await send_reply(ctx, f"Done. {summary} Your question cooldown was reset.", ephemeral=True)


async def setup(bot: ShowBot) -> None:
    await bot.add_cog(Forget(bot))
