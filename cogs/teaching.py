"""The buttons of `/gaps`: teach a question fans asked to the fact that answers it.

Each recent unanswered question `gaps` lists gets a button ``Teach N``; a moderator's click
opens a form asking for the fact's id, with the question as asked (editable); its
submission is `fact teach <id> <question>` (Moderation.teach, in the writer thread). The
button's state is the question's row id in its custom id, so buttons keep working after a
restart, while the question's words are still kept ([privacy] question_days).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import ShowbotError
from bot.logs import get_logger
from bot.models import Actor
from bot.replies.render import outcome_text, render_error
from bot.validation import MAX_QUESTION, parse_id
from cogs.checks import DENIED, interaction_by_moderator
from cogs.modlog import ModLog

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.store.questionlog import Unanswered

log = get_logger("showbot.teaching")

TEACH_ID = "showbot:teach:{question}"
GONE = (
    "That question is no longer kept (questions are deleted after a while): use"
    " `fact teach <id> <question>` instead."
)


def teach_view(questions: Sequence[Unanswered]) -> discord.ui.View | None:
    """One ``Teach N`` button per listed question (at most 25: Discord's limit)."""
    if not questions:
        return None
    view = discord.ui.View(timeout=None)
    for i, question in enumerate(questions[:25], 1):
        view.add_item(TeachButton(question.id, f"Teach {i}"))
    view.stop()  # finished: the clicks reach TeachButton, a dynamic item (see suggestion_view)
    return view


class TeachButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"showbot:teach:(?P<question>[0-9]{1,20})",
):
    """Opens the teach form for one unanswered question of the question log."""

    def __init__(self, question_id: int, label: str = "Teach") -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80],
                style=discord.ButtonStyle.secondary,
                custom_id=TEACH_ID.format(question=question_id),
            )
        )
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> TeachButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(int(match["question"]), label or "Teach")

    async def callback(self, interaction: discord.Interaction) -> None:
        if not await interaction_by_moderator(interaction):
            await interaction.response.send_message(DENIED, ephemeral=True)
            return
        bot: Any = interaction.client
        text = await bot.write(
            bot.moderation.unanswered_text, interaction.guild_id, self.question_id
        )
        if text is None:
            await interaction.response.send_message(GONE, ephemeral=True)
            return
        await interaction.response.send_modal(TeachForm(self.question_id, text))


class TeachForm(discord.ui.Modal, title="Teach showbot a question"):
    """The fact's id, and the question (as asked; a moderator may tidy it)."""

    fact: discord.ui.TextInput[TeachForm] = discord.ui.TextInput(
        label="Id of the fact that answers it",
        placeholder="e.g. 12",
        max_length=20,
        custom_id="showbot:teach-form:fact",
    )
    question: discord.ui.TextInput[TeachForm] = discord.ui.TextInput(
        label="The question",
        style=discord.TextStyle.paragraph,
        max_length=MAX_QUESTION,
        custom_id="showbot:teach-form:question",
    )

    def __init__(self, question_id: int, text: str) -> None:
        super().__init__(custom_id=f"showbot:teach-form:{question_id}", timeout=600)
        self.question.default = text[:MAX_QUESTION]

    async def on_submit(self, interaction: discord.Interaction) -> None:
        if not await interaction_by_moderator(interaction):
            await interaction.response.send_message(DENIED, ephemeral=True)
            return
        bot: Any = interaction.client
        user = interaction.user
        actor = Actor(
            id=user.id,
            name=str(user),
            guild_id=interaction.guild_id,
            owner=await bot.is_owner(user),
        )
        try:
            fact_id = parse_id(self.fact.value, "id")
            outcome = await bot.write(bot.moderation.teach, actor, fact_id, self.question.value)
        except ShowbotError as exc:
            await interaction.response.send_message(render_error(str(exc)).content, ephemeral=True)
            return
        message = outcome_text(outcome)
        await interaction.response.send_message(message, ephemeral=True)
        modlog = bot.get_cog("ModLog")
        if outcome.action == "fact.teach" and interaction.guild and isinstance(modlog, ModLog):
            await modlog.post_change(interaction.guild, user, message, {interaction.guild_id})
