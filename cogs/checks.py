"""Who may curate facts: the one moderator rule, shared by every moderation command; and
the owner-only check for running the bot itself."""

from __future__ import annotations

from typing import Any

import discord
from discord.ext import commands

DENIED = "Moderators only: you need Manage Server or Manage Messages, or a moderator role."
OWNER_ONLY = "Only the bot's owner can do that."


async def is_moderator(ctx: commands.Context[Any]) -> bool:
    """Manage Server or Manage Messages here, a configured moderator role, or the owner."""
    if await ctx.bot.is_owner(ctx.author):
        return True
    if ctx.guild is None or not isinstance(ctx.author, discord.Member):
        return False
    perms = ctx.author.guild_permissions
    if perms.manage_guild or perms.manage_messages or perms.administrator:
        return True
    wanted = {str(r).casefold() for r in ctx.bot.config.moderator_roles}
    return any(r.name.casefold() in wanted or str(r.id) in wanted for r in ctx.author.roles)


def moderator_only() -> Any:
    """A real check (``default_permissions`` only hides commands; admins can change it)."""

    async def predicate(ctx: commands.Context[Any]) -> bool:
        if await is_moderator(ctx):
            return True
        raise commands.CheckFailure(DENIED)

    return commands.check(predicate)


def owner_only() -> Any:
    """The application's owner or ``[discord] owner_ids``; anyone else is told so."""

    async def predicate(ctx: commands.Context[Any]) -> bool:
        if await ctx.bot.is_owner(ctx.author):
            return True
        raise commands.CheckFailure(OWNER_ONLY)

    return commands.check(predicate)
