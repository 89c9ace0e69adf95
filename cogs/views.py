"""Buttons: ask a suggested subject, and confirm an import (only its invoker may click)."""

from __future__ import annotations

import contextlib
import re
import secrets
from typing import TYPE_CHECKING, Any, ClassVar, cast

import discord

from bot.models import Intent, Reply
from bot.replies.render import render_error
from bot.runtime.sending import cooldown_notice

if TYPE_CHECKING:
    from cogs.cooldowns import Cooldowns

MAX_BUTTONS = 5
CONFIRM_ID = "showbot:confirm:{token}:{choice}"
EXPIRED = (
    "This confirmation has expired (it was answered, timed out, or the bot restarted"
    " since): run the import again."
)


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
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AskButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(Intent(match["intent"]), int(match["entity"]), label or "?")

    async def callback(self, interaction: discord.Interaction) -> None:
        cog = interaction.client.get_cog("Questions")  # type: ignore[attr-defined]
        cooldowns = cast("Cooldowns | None", getattr(cog, "cooldowns", None))
        retry_after = cooldowns.spend_click(interaction) if cooldowns else None
        if retry_after:
            notice = render_error(cooldown_notice(retry_after)).content
            await interaction.response.send_message(notice, ephemeral=True)
            return
        engine = interaction.client.engine  # type: ignore[attr-defined]
        answer = engine.answer_entity(self.entity_id, self.intent, interaction.guild_id)
        await interaction.response.send_message(engine.reply(answer, dates="discord").content)


def suggestion_view(reply: Reply) -> discord.ui.View | None:
    if not reply.suggestions:
        return None
    view = discord.ui.View(timeout=None)
    for label, entity_id in reply.suggestions[:MAX_BUTTONS]:
        view.add_item(AskButton(reply.intent, entity_id, label))
    # Finished before it is sent, so discord.py does not keep it: a view without a timeout
    # is otherwise stored (by message) for the life of the process, one per reply with
    # suggestions. The clicks reach AskButton anyway (a dynamic item: its state is its id).
    view.stop()
    return view


class ConfirmView(discord.ui.View):
    """Yes/No for its invoker only; disabled after a choice or on timeout (the message is
    edited to show it), and answered after a restart: its buttons' custom ids,
    ``showbot:confirm:<token>:apply|cancel``, are known to :class:`ExpiredConfirm`,
    which takes every click the view itself can no longer take."""

    waiting: ClassVar[dict[str, ConfirmView]] = {}  # by token: the views of this process

    def __init__(self, invoker_id: int, *, timeout: float = 120.0) -> None:
        super().__init__(timeout=timeout)
        self.invoker_id = invoker_id
        self.confirmed: bool | None = None
        self.message: discord.Message | None = None  # set by the sender, edited on timeout
        self.token = secrets.token_hex(8)
        self.apply.custom_id = CONFIRM_ID.format(token=self.token, choice="apply")
        self.cancel.custom_id = CONFIRM_ID.format(token=self.token, choice="cancel")
        ConfirmView.waiting[self.token] = self

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.invoker_id:
            return True
        await interaction.response.send_message(
            "Only the moderator who asked can answer this.", ephemeral=True
        )
        return False

    def _disable(self) -> None:
        ConfirmView.waiting.pop(self.token, None)
        for child in self.children:
            child.disabled = True  # type: ignore[attr-defined]

    async def _finish(self, interaction: discord.Interaction, value: bool) -> None:
        self.confirmed = value
        self._disable()
        await interaction.response.edit_message(view=self)
        self.stop()

    async def on_timeout(self) -> None:
        self._disable()
        if self.message is not None:
            with contextlib.suppress(discord.HTTPException):  # deleted meanwhile, say
                await self.message.edit(view=self)

    @discord.ui.button(label="Apply", style=discord.ButtonStyle.danger)
    async def apply(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        await self._finish(interaction, True)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        await self._finish(interaction, False)


def expired_confirm_view(token: str) -> discord.ui.View:
    """A confirmation's buttons, disabled (nothing waits for them)."""
    view = discord.ui.View(timeout=None)
    for label, style, choice in (
        ("Apply", discord.ButtonStyle.danger, "apply"),
        ("Cancel", discord.ButtonStyle.secondary, "cancel"),
    ):
        custom_id = CONFIRM_ID.format(token=token, choice=choice)
        view.add_item(
            discord.ui.Button(label=label, style=style, custom_id=custom_id, disabled=True)
        )
    view.stop()  # finished: discord.py does not listen for it
    return view


class ExpiredConfirm(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"showbot:confirm:(?P<token>[0-9a-f]{16}):(?P<choice>apply|cancel)",
):
    """Every click on a confirmation button reaches this too (discord.py dispatches to
    dynamic items and views alike). One whose view waits in this process is the view's
    to answer; any other (the view timed out or was answered, or the bot restarted since
    it was sent) disables the buttons and is told, privately, to run the import again,
    instead of Discord's "This interaction failed"."""

    def __init__(self, token: str, choice: str, *, waiting: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="Apply" if choice == "apply" else "Cancel",
                custom_id=CONFIRM_ID.format(token=token, choice=choice),
            )
        )
        self.token = token
        self.waiting = waiting

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ExpiredConfirm:
        # Decided now, before the view's own callback can run and finish.
        view = ConfirmView.waiting.get(match["token"])
        waiting = view is not None and not view.is_finished()
        return cls(match["token"], match["choice"], waiting=waiting)

    async def callback(self, interaction: discord.Interaction) -> None:
        if self.waiting:
            return  # the live ConfirmView answers this click
        await interaction.response.edit_message(view=expired_confirm_view(self.token))
        await interaction.followup.send(EXPIRED, ephemeral=True)
