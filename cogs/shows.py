"""Moderators import a show's facts from TVmaze (`show import`), previewed with Apply and
Cancel as `facts import` is; the bot refreshes imported shows every [tvmaze] refresh_hours.

Both only when the operator turned TVmaze on ([tvmaze] enabled): off, nothing here reaches
TVmaze. The work is bot/tvmaze's; this cog reads TVmaze on the loop and writes through the
bot's writer (bot/runtime/writer.py), so the history, undo and followers see it all.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from discord.ext import commands

from bot.errors import InvalidInputError
from bot.logs import get_logger
from bot.models import Actor
from bot.moderation import Moderation
from bot.runtime.sending import send_reply
from bot.tvmaze.cli import find_and_read, not_found_text
from bot.tvmaze.client import ShowData, TVmaze, TVmazeError
from bot.tvmaze.importer import Plan, apply, plan
from bot.tvmaze.refresh import changed, imported, read, refresh_one
from cogs.checks import moderator_only, moderator_slash
from cogs.facts import Facts
from cogs.views import ConfirmView

if TYPE_CHECKING:
    from bot.runtime.client import ShowBot

log = get_logger("showbot.tvmaze")

OFF = (
    "TVmaze imports are off on this bot: its operator turns them on with `[tvmaze] enabled = true`."
)


def replan_and_apply(mod: Moderation, data: ShowData, actor: Actor, query: str) -> Plan:
    """In the writer: plan again (a moderator may have edited since the preview) and apply."""
    planned = plan(mod, data, actor, query=query)
    return apply(mod, planned, actor) if planned.changed else planned


class Shows(commands.Cog):
    """`show import`, and the periodic refresh of imported shows."""

    def __init__(self, bot: ShowBot) -> None:
        self.bot = bot
        self._refresher: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        config = self.bot.config
        # One process refreshes (the one publishing commands): the others would only
        # repeat its requests and find nothing left to change.
        if self.bot.serve and config.tvmaze_enabled and config.holds_shard_zero:
            self._refresher = asyncio.create_task(self._refresh_rounds())

    async def cog_unload(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresher

    async def cog_check(self, ctx: commands.Context[Any]) -> bool:
        if ctx.guild is None:
            raise commands.NoPrivateMessage("Moderator commands work in a server only.")
        return True

    def client(self) -> TVmaze:
        config = self.bot.config
        return TVmaze(config.tvmaze_api_base, config.tvmaze_user_agent)

    @commands.hybrid_group(name="show", invoke_without_command=True)
    @moderator_slash()
    @moderator_only()
    async def show(self, ctx: commands.Context[Any]) -> None:
        """Moderators: import a show's dates, seasons, episodes and cast from TVmaze."""
        await send_reply(ctx, f"Use `{ctx.clean_prefix}show import <show name>`.")

    @show.command(name="import")
    @moderator_only()
    async def show_import(self, ctx: commands.Context[Any], *, name: str) -> None:
        """Import a show's facts from TVmaze: previewed, applied on confirmation.

        Args:
            name: The show's name, as TVmaze knows it
        """
        if not self.bot.config.tvmaze_enabled:
            raise InvalidInputError(OFF)
        query = " ".join(name.split())[:200]
        await ctx.defer(ephemeral=True)  # TVmaze and the dry run take seconds
        actor = await self.bot.actor(ctx)
        if actor.owner:  # the owner's imports are global; a moderator's the server's
            actor = replace(actor, guild_id=None)
        try:
            async with self.client() as tv:
                found, data = await find_and_read(tv, query)
        except TVmazeError as exc:
            raise InvalidInputError(str(exc)) from None
        if data is None:
            await send_reply(ctx, not_found_text(query, found), ephemeral=True)
            return
        mod = self.bot.moderation
        preview = await self.bot.write(plan, mod, data, actor, query=query)
        if not preview.changed:
            await send_reply(ctx, preview.summary(done=False), ephemeral=True)
            return
        view = ConfirmView(ctx.author.id, timeout=self.bot.config.confirm_seconds)
        view.message = await send_reply(
            ctx, preview.summary(done=False) + " Apply?", view=view, ephemeral=True
        )
        await view.wait()
        if not view.confirmed:
            await send_reply(ctx, "Import cancelled; nothing changed.", ephemeral=True)
            return
        facts = self.bot.get_cog("Facts")
        assert isinstance(facts, Facts)
        done = await facts.scoped(ctx, replan_and_apply, mod, data, actor, query)
        await facts.done(ctx, done.summary(done=True))

    # ------------------------------------------------------------------ refresh

    async def _refresh_rounds(self) -> None:
        await self.bot.wait_until_ready()
        period = self.bot.config.tvmaze_refresh_hours * 3600
        while True:
            await asyncio.sleep(period)
            try:
                await self.refresh_round()
            except TVmazeError as exc:
                log.warning("tvmaze_refresh_failed", reason=str(exc))
            except Exception:
                log.exception("tvmaze_refresh_failed")

    async def refresh_round(self) -> None:
        """Ask TVmaze what changed, re-read those shows, apply each in the writer."""
        shows = await self.bot.write(imported, self.bot.writer.store)
        if not shows:
            return
        async with self.client() as tv:
            ids = await changed(tv, shows)
            datas = await read(tv, ids)
        for show in shows:
            if show.show_id in ids:
                done = await self.bot.write(
                    refresh_one, self.bot.moderation, show, datas[show.show_id]
                )
                log.info("tvmaze_refreshed", show=show.show_id, outcome=done.line())


async def setup(bot: ShowBot) -> None:
    await bot.add_cog(Shows(bot))
