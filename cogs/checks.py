"""Who may curate facts: the one moderator rule, shared by every moderation command; and
the owner-only check for running the bot itself."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.config import Config
from bot.errors import InvalidInputError
from bot.runtime.shedding import NEVER_SHED

DENIED = (
    "Moderators only: you need Manage Server, Manage Messages in this channel, or a moderator role."
)
OWNER_ONLY = "Only the bot's owner can do that."


async def is_moderator(ctx: commands.Context[Any]) -> bool:
    """The owner, or a member who may moderate in the channel the command runs in."""
    if await ctx.bot.is_owner(ctx.author):
        return True
    if ctx.guild is None or not isinstance(ctx.author, discord.Member):
        return False
    # ctx.permissions: Discord's resolved permissions for a slash command (the interaction
    # carries them), channel.permissions_for(member) for a prefix one; both apply the
    # channel's overwrites, and a thread's are its parent channel's.
    return may_moderate(ctx.author, ctx.permissions, ctx.bot.config)


async def interaction_by_moderator(interaction: discord.Interaction[Any]) -> bool:
    """:func:`is_moderator` for a click or a modal: the owner, or a member who may
    moderate in the channel (the interaction carries its resolved permissions)."""
    client: Any = interaction.client
    if await client.is_owner(interaction.user):
        return True
    member = interaction.user
    if interaction.guild is None or not isinstance(member, discord.Member):
        return False
    return may_moderate(member, interaction.permissions, client.config)


def may_moderate(member: discord.Member, here: discord.Permissions, config: Config) -> bool:
    """Administrator or Manage Server in the server; Manage Messages in this channel
    (``here``: role permissions after the channel's overwrites, so a per-channel grant
    counts in that channel only, and a per-channel deny takes it away there); or a role of
    ``[moderation] roles`` (by id, or by name in any server)."""
    server = member.guild_permissions
    if server.administrator or server.manage_guild or here.administrator:
        return True
    if here.manage_messages:
        return True
    ids, names = config.moderator_role_ids, config.moderator_role_names
    return any(r.id in ids or r.name.casefold() in names for r in member.roles)


def moderator_slash() -> Any:
    """What Discord is told about a moderator command (a hybrid group or command; put it
    under the ``hybrid_*`` decorator): offered by default only to members with Manage
    Messages, and only in servers. Server admins can change who sees it (Integrations), so
    ``moderator_only`` still decides."""

    def decorate(func: Any) -> Any:
        func = app_commands.default_permissions(manage_messages=True)(func)
        return app_commands.guild_only()(func)

    return decorate


def moderator_only() -> Any:
    """A real check (``default_permissions`` only hides commands; admins can change it).
    Never shed under load: a moderator's write is done and answered."""

    async def predicate(ctx: commands.Context[Any]) -> bool:
        if await is_moderator(ctx):
            return True
        raise commands.CheckFailure(DENIED)

    setattr(predicate, NEVER_SHED, True)
    return commands.check(predicate)


def owner_only() -> Any:
    """The application's owner or ``[discord] owner_ids``; anyone else is told so."""

    async def predicate(ctx: commands.Context[Any]) -> bool:
        if await ctx.bot.is_owner(ctx.author):
            return True
        raise commands.CheckFailure(OWNER_ONLY)

    setattr(predicate, NEVER_SHED, True)
    return commands.check(predicate)


def never_shed() -> Any:
    """A command answered even in a flooded channel (``!forget``: a request about the
    member's data is not dropped); every other fan command may be shed."""

    async def predicate(ctx: commands.Context[Any]) -> bool:
        return True

    setattr(predicate, NEVER_SHED, True)
    return commands.check(predicate)


def own_channel(ctx: commands.Context[Any], channel: discord.abc.GuildChannel) -> int:
    """The id of ``channel`` if it is in this server (a server setting may name no other).
    A prefix mention is looked up in this server only, but a slash option is whatever
    Discord resolved: checked all the same."""
    if ctx.guild is None or channel.guild.id != ctx.guild.id:
        raise InvalidInputError("That channel is not in this server: pick one of its own.")
    return channel.id
