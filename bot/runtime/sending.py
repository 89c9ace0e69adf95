"""How the bot answers on Discord: replies that never ping and never post where the bot
may not, slash commands deferred before Discord's deadline, and the wording of input
problems and cooldowns. Shared by the client's error handler and every cog."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Awaitable
from typing import Any, TypeVar, cast

import discord
from discord.ext import commands

from bot.logs import get_logger

log = get_logger("showbot")

T = TypeVar("T")

# A slash command whose answer waits on the writer (bot/runtime/writer.py) longer than this is
# deferred ("thinking…") and answered by a followup: Discord drops an interaction not
# acknowledged within 3 s. A quick one still answers in one response.
DEFER_AFTER_SECONDS = 1.0


class RepeatCooldown(commands.CommandOnCooldown):
    """Over the cooldown again in a window the member was already told about: refused
    without a reply, so a flood costs the channel one notice, not one per message."""


def cooldown_notice(retry_after: float) -> str:
    """What a member over the question cooldown is told (commands and buttons alike)."""
    return f"Slow down a little: try again in {math.ceil(retry_after)} s."


def can_send(channel: Any, *, files: bool = False) -> bool:
    """Whether the bot may post in ``channel``, as its cache knows the channel's permission
    overwrites and its roles: View Channel and Send Messages (in a thread, Send Messages in
    Threads), and Attach Files for a file. Asking Discord instead costs a 403 each time,
    and Discord bans an IP after 10,000 401/403/429s in 10 minutes. A channel the cache
    can't judge (a DM, a channel or server not cached) is left to Discord."""
    return _may_post(channel, _my_permissions(channel), files=files)


def _may_post(channel: Any, perms: discord.Permissions | None, *, files: bool) -> bool:
    """can_send's rule, given the bot's permissions there (None: not known, left to
    Discord)."""
    if perms is None:
        return True
    in_thread = isinstance(channel, discord.Thread)
    send = perms.send_messages_in_threads if in_thread else perms.send_messages
    return perms.view_channel and send and (perms.attach_files or not files)


def _my_permissions(channel: Any) -> discord.Permissions | None:
    """The bot's permissions in ``channel`` after its overwrites; None when not known."""
    if isinstance(channel, discord.PartialMessageable):  # not cached: always "none"
        return None
    guild = getattr(channel, "guild", None)
    me = guild.me if guild is not None else None
    if me is None or not hasattr(channel, "permissions_for"):
        return None
    try:
        return cast(discord.Permissions, channel.permissions_for(me))
    except discord.ClientException:  # a thread whose parent channel is not cached
        return None


def _flags_of(param: commands.Parameter) -> type[commands.FlagConverter] | None:
    converter = param.converter
    if isinstance(converter, type) and issubclass(converter, commands.FlagConverter):
        return converter
    return None


def usage_of(ctx: commands.Context[Any]) -> str:
    """The command as typed, with its flags spelled out (discord.py just says `<flags>`)."""
    command = ctx.command
    assert command is not None
    signature = command.signature
    for param in command.clean_params.values():
        flags = _flags_of(param)
        if flags is None:
            continue
        spelled = []
        for flag in flags.get_flags().values():
            name = flag.name if flag.positional else f"{flag.name}:"
            value = f"<{flag.name}>" if flag.positional else f"{flag.name}: <{flag.name}>"
            spelled.append(value if flag.required else f"[{name}]")
        signature = signature.replace(f"<{param.name}>", " ".join(spelled))
    return f"{ctx.clean_prefix}{command.qualified_name} {signature}".strip()


def input_problem(error: commands.UserInputError) -> str:
    if isinstance(error, commands.MissingRequiredArgument):
        flags = _flags_of(error.param)
        if flags is not None:  # nothing after the command: name the flags it needs
            needed = [f"`{f.name}:`" for f in flags.get_flags().values() if f.required]
            return f"Missing {', '.join(needed)}."
        return f"Missing `{error.param.name}`."
    if isinstance(error, commands.MissingRequiredFlag):
        return f"Missing `{error.flag.name}:`."
    if isinstance(error, commands.TooManyFlags):
        return f"`{error.flag.name}:` was given more than once."
    if isinstance(error, commands.BadFlagArgument):
        return f"`{error.flag.name}:` {error.original}"
    if isinstance(error, commands.ChannelNotFound):
        return "That is not a channel of this server (or I can't see it)."
    text = str(error)
    return text if len(text) < 300 else text[:297] + "…"


async def send_reply(
    ctx: commands.Context[Any],
    content: str,
    *,
    view: discord.ui.View | None = None,
    file: discord.File | None = None,
    ephemeral: bool = False,
) -> discord.Message | None:
    """Answer the question message (as a reply that survives its deletion) or the slash
    command; never pings anyone (the client's allowed_mentions is none)."""
    kwargs: dict[str, Any] = {"content": content}
    if view is not None:
        kwargs["view"] = view
    if file is not None:
        kwargs["file"] = file
    if ctx.interaction is not None:  # an interaction's answer needs no channel permission
        return await ctx.send(ephemeral=ephemeral, **kwargs)
    perms = _my_permissions(ctx.channel)  # worked out once for both checks below
    if not _may_post(ctx.channel, perms, files=file is not None):
        log.debug("reply_skipped", reason="no permission to post", channel=ctx.channel.id)
        return None
    # A reply (a message reference) also needs Read Message History: without it, a plain
    # message instead of Discord's refusal.
    if perms is not None and not perms.read_message_history:
        return await ctx.send(**kwargs)
    reference = ctx.message.to_reference(fail_if_not_exists=False)
    return await ctx.send(reference=reference, **kwargs)


async def in_time(ctx: commands.Context[Any], work: Awaitable[T], *, ephemeral: bool = False) -> T:
    """Await ``work`` (typically ``bot.write(...)``). A slash command still waiting after
    ``DEFER_AFTER_SECONDS`` is deferred, so Discord's 3 s deadline is met whatever the
    writer waits for (another writer's lock, a big import); send_reply then answers with
    the followup. ``ephemeral``: whether the answer (and so the "thinking…") is private.
    Prefix commands just wait."""
    interaction = ctx.interaction
    if interaction is None or interaction.response.is_done():
        return await work
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER_SECONDS)
    if not done and not interaction.response.is_done():
        with contextlib.suppress(discord.HTTPException):  # too late already: nothing to save
            await ctx.defer(ephemeral=ephemeral)
    return await task
