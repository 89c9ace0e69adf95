"""The question cooldown every member has, shared by the four question commands and the
suggestion buttons (a click is a question): one member cannot flood a channel. Its own
module so the buttons (``cogs.views``) and the commands (``cogs.questions``) both reach it
without importing each other."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, cast

from discord import Interaction, Message, Object
from discord.ext import commands

from bot.runtime.sending import RepeatCooldown


@dataclass(frozen=True)
class Clicker:
    """A button click seen as the message ``BucketType.member`` reads a key from (its
    ``.guild`` and ``.author``): a click has no message, but spends its member's bucket."""

    guild: Object | None
    author: Object

    @classmethod
    def of(cls, interaction: Interaction) -> Clicker:
        guild_id = interaction.guild_id
        return cls(Object(guild_id) if guild_id else None, Object(interaction.user.id))


class Cooldowns:
    """One bucket per member (``cooldown_rate`` questions per ``cooldown_seconds``) and who
    was already told to slow down in their current window."""

    def __init__(self, rate: int, per: float) -> None:
        self.mapping = commands.CooldownMapping.from_cooldown(rate, per, commands.BucketType.member)
        # Members told to slow down, with when their window ends: one notice per window.
        self.noticed: dict[Any, float] = {}

    def check(self, ctx: commands.Context[Any]) -> None:
        """Spend the member's bucket; raises when it is spent (see :meth:`on_cooldown`)."""
        bucket = self.mapping.get_bucket(ctx.message)
        retry_after = bucket.update_rate_limit() if bucket else None
        if retry_after and bucket:
            raise self.on_cooldown(ctx, bucket, retry_after)

    def on_cooldown(
        self, ctx: commands.Context[Any], bucket: commands.Cooldown, retry_after: float
    ) -> commands.CommandOnCooldown:
        """The notice the first time in a window; a silent refusal after that. A slash
        command always gets its (ephemeral) notice: an interaction must be answered."""
        told = self._told(commands.BucketType.member.get_key(ctx.message), retry_after)
        repeat = told and ctx.interaction is None
        cls = RepeatCooldown if repeat else commands.CommandOnCooldown
        return cls(bucket, retry_after, commands.BucketType.member)

    def _told(self, key: Any, retry_after: float) -> bool:
        """Whether this member was already told in this window; they are told now."""
        now = time.monotonic()
        # Forget the members whose window is over, so this stays as small as the flood.
        self.noticed = {k: end for k, end in self.noticed.items() if end > now}
        told = key in self.noticed
        self.noticed[key] = now + retry_after
        return told

    def forget_member(self, user_id: int) -> None:
        """``!forget me``: the member's cooldown buckets and notices, in every server."""
        cache = getattr(self.mapping, "_cache", {})  # discord.py keeps no public way
        for key in [k for k in cache if isinstance(k, tuple) and k[-1] == user_id]:
            del cache[key]
        self.noticed = {k: v for k, v in self.noticed.items() if k[-1] != user_id}

    def spend_click(self, interaction: Interaction) -> float | None:
        """A suggestion button click is a question: it spends the clicker's bucket, the one
        the four commands share. The seconds to wait when it is spent, else None."""
        # BucketType.member reads only .guild and .author: the Clicker stands in for a Message.
        clicker = cast(Message, Clicker.of(interaction))
        bucket = self.mapping.get_bucket(clicker)
        retry_after = bucket.update_rate_limit() if bucket else None
        if retry_after:
            self._told(commands.BucketType.member.get_key(clicker), retry_after)
        return retry_after
