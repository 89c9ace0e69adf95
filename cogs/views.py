"""Buttons: ask a suggested subject, and confirm an import (only its invoker may click)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.client import cooldown_notice
from bot.models import Intent, Reply
from bot.render import render_error

if TYPE_CHECKING:
    from cogs.questions import Questions

MAX_BUTTONS = 5


class AskButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"showbot:ask:(?P<intent>when|who|what|ask):(?P<entity>[0-9]{1,20})",
):
    """Asks the question again about a suggested subject. The state lives in the
    custom id, so buttons keep working after a restart.

    A click is a question like any other: it spends the clicker's cooldown (the bucket the
    commands share) and is answered in public. Past the cooldown the clicker alone is told
    to slow down (ephemeral, every time: an interaction must be answered), so clicking
    cannot flood the channel."""

    def __init__(self, intent: Intent, entity_id: int, label: str = "?") -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80] or "?",
                style=discord.ButtonStyle.secondary,
                custom_id=f"showbot:ask:{intent.value}:{entity_id}",
            )
        )
        self.intent = intent
        self.entity_id = entity_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> AskButton:
        return cls(Intent(match["intent"]), int(match["entity"]), item.label or "?")

    async def callback(self, interaction: discord.Interaction) -> None:
        cog = interaction.client.get_cog("Questions")  # type: ignore[attr-defined]
        questions = cast("Questions | None", cog)
        retry_after = questions.spend_click(interaction) if questions else None
        if retry_after:
            notice = render_error(cooldown_notice(retry_after)).content
            await interaction.response.send_message(notice, ephemeral=True)
            return
        engine = interaction.client.engine  # type: ignore[attr-defined]
        answer = engine.answer_entity(
            self.entity_id,
            self.intent,
            interaction.guild_id,
            channel_id=interaction.channel_id,
            user_id=interaction.user.id,
        )
        await interaction.response.send_message(engine.reply(answer).content)


def suggestion_view(reply: Reply) -> discord.ui.View | None:
    if not reply.suggestions:
        return None
    view = discord.ui.View(timeout=None)
    for label, entity_id in reply.suggestions[:MAX_BUTTONS]:
        view.add_item(AskButton(reply.intent, entity_id, label))
    return view


class ConfirmView(discord.ui.View):
    """Yes/No for its invoker only; disabled after a choice or on timeout."""

    def __init__(self, invoker_id: int, *, timeout: float = 120.0) -> None:
        super().__init__(timeout=timeout)
        self.invoker_id = invoker_id
        self.confirmed: bool | None = None

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.invoker_id:
            return True
        await interaction.response.send_message(
            "Only the moderator who asked can answer this.", ephemeral=True
        )
        return False

    async def _finish(self, interaction: discord.Interaction, value: bool) -> None:
        self.confirmed = value
        for child in self.children:
            child.disabled = True  # type: ignore[attr-defined]
        await interaction.response.edit_message(view=self)
        self.stop()

    @discord.ui.button(label="Apply", style=discord.ButtonStyle.danger)
    async def apply(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        await self._finish(interaction, True)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        await self._finish(interaction, False)
