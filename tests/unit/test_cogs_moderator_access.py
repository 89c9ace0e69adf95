"""Who gets the moderator commands (issue 12, part 5): what Discord is told about them, who
the bot counts as a moderator or an owner, and the import confirmation's buttons. The e2e
side, through the real bot process and the fake Discord, is test_bot_moderator_access.py."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest.mock import AsyncMock

import discord
import pytest
from structlog.testing import capture_logs

from bot.config import Config, load_config
from bot.engine import Engine
from bot.runtime.client import ShowBot
from cogs.checks import DENIED, may_moderate
from cogs.views import CONFIRM_ID, EXPIRED, ConfirmView, ExpiredConfirm
from tests.commands import MEMBER_COMMANDS, MODERATOR_COMMANDS, PUBLIC_COMMANDS

MANAGE_MESSAGES = discord.Permissions(manage_messages=True).value  # 8192


async def loaded_bot(engine: Engine, config: Config) -> ShowBot:
    bot = ShowBot(config, engine, serve=False)
    await bot.setup_hook()  # as at start-up (REST only: loads the cogs, no gateway)
    return bot


@pytest.fixture
async def bot(engine: Engine) -> AsyncIterator[ShowBot]:
    bot = await loaded_bot(engine, Config(owner_ids=(111, 222)))
    yield bot
    await bot.close()


# -- what Discord is told -----------------------------------------------------------------------


async def test_moderator_commands_are_manage_messages_and_guild_only(bot: ShowBot) -> None:
    payload = {c["name"]: c for c in await bot.command_payload()}
    assert set(payload) == MODERATOR_COMMANDS | PUBLIC_COMMANDS | MEMBER_COMMANDS
    for name in MEMBER_COMMANDS:  # anyone may, in a server (a follow is per server)
        assert payload[name]["default_member_permissions"] is None, name
        assert payload[name]["dm_permission"] is False, name
    for name in MODERATOR_COMMANDS:
        command = payload[name]
        assert command["default_member_permissions"] == MANAGE_MESSAGES, name
        assert command["dm_permission"] is False, name
        assert command["contexts"] == [0], name  # InteractionContextType.GUILD only
    for name in PUBLIC_COMMANDS:
        command = payload[name]
        assert command["default_member_permissions"] is None, name
        assert command["dm_permission"] is True, name
        assert command["contexts"] is None, name
    # Subcommands carry no flags of their own (Discord takes them from the top level).
    subcommands = [o for c in payload.values() for o in c["options"] if o["type"] in (1, 2)]
    assert subcommands and not any("default_member_permissions" in o for o in subcommands)


# -- who is a moderator ------------------------------------------------------------------------


def role(role_id: int, name: str) -> SimpleNamespace:
    return SimpleNamespace(id=role_id, name=name)


def member(*roles: SimpleNamespace, **server: bool) -> Any:
    """Duck-typed discord.Member: its server-wide permissions and its roles."""
    return SimpleNamespace(guild_permissions=discord.Permissions(**server), roles=list(roles))


def test_role_ids_and_names_are_told_apart(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[moderation]\nroles = [123, "456", " 789 ", "Curators", "2024 crew", "١٢"]\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.moderator_role_ids == {123, 456, 789}
    # Only ASCII digits make an id; anything else is a name (matched case-insensitively).
    assert config.moderator_role_names == {"curators", "2024 crew", "١٢"}


def test_role_id_matches_that_role_only_and_names_match_by_name() -> None:
    config = Config(moderator_roles=(123, "456", "Curators"))
    nothing = discord.Permissions.none()
    assert may_moderate(member(role(123, "Anything")), nothing, config)
    assert may_moderate(member(role(456, "Anything")), nothing, config)
    # An id written as a name is an id, not the name "456".
    assert not may_moderate(member(role(999, "456")), nothing, config)
    assert not may_moderate(member(role(124, "Anything")), nothing, config)
    # A name matches a role called that in any server, whatever its id.
    assert may_moderate(member(role(555, "curators")), nothing, config)
    assert not may_moderate(member(role(555, "Curator")), nothing, config)
    assert not may_moderate(member(), nothing, config)


def test_manage_messages_counts_in_the_channel_where_the_command_runs() -> None:
    config = Config()
    here = discord.Permissions(manage_messages=True)
    nothing = discord.Permissions.none()
    # Granted by this channel's overwrite only: a moderator here...
    assert may_moderate(member(), here, config)
    # ...and not in a channel without it, nor where an overwrite denies the role's grant.
    assert not may_moderate(member(), nothing, config)
    assert not may_moderate(member(manage_messages=True), nothing, config)
    # Manage Server and Administrator are server-wide: they count in every channel.
    assert may_moderate(member(manage_guild=True), nothing, config)
    assert may_moderate(member(administrator=True), nothing, config)
    assert may_moderate(member(), discord.Permissions(administrator=True), config)
    assert "Manage Messages in this channel" in DENIED


async def test_role_names_are_warned_about_once_at_start(engine: Engine) -> None:
    async def start(config: Config) -> list[dict[str, Any]]:
        with capture_logs() as logs:
            bot = await loaded_bot(engine, config)
            await bot.close()
        return [e for e in logs if e["event"] == "moderator_roles_by_name"]

    (warning,) = await start(Config(moderator_roles=(123, "Curators", "Mods")))
    assert warning["log_level"] == "warning" and warning["roles"] == ["curators", "mods"]
    assert "role ids" in warning["hint"]
    assert await start(Config(moderator_roles=(123, "456"))) == []


# -- who is an owner ---------------------------------------------------------------------------


def user(user_id: int) -> Any:
    return SimpleNamespace(id=user_id)


async def test_owner_ids_add_to_the_application_owner(bot: ShowBot) -> None:
    info = SimpleNamespace(team=None, owner=SimpleNamespace(id=999))
    bot.application_info = AsyncMock(return_value=info)  # type: ignore[method-assign]
    assert await bot.is_owner(user(111)) and await bot.is_owner(user(222))
    bot.application_info.assert_not_awaited()  # configured ids need no request
    assert await bot.is_owner(user(999))  # the application's owner stays one
    assert not await bot.is_owner(user(333))
    assert bot.application_info.await_count == 1  # discord.py keeps what it learnt


async def test_team_admins_and_developers_are_owners_too(bot: ShowBot) -> None:
    roles = discord.TeamMemberRole
    team = SimpleNamespace(
        members=[
            SimpleNamespace(id=10, role=roles.admin),
            SimpleNamespace(id=11, role=roles.developer),
            SimpleNamespace(id=12, role=roles.read_only),
        ]
    )
    info = SimpleNamespace(team=team, owner=SimpleNamespace(id=999))
    bot.application_info = AsyncMock(return_value=info)  # type: ignore[method-assign]
    assert [await bot.is_owner(user(i)) for i in (10, 11, 12, 111)] == [True, True, False, True]


# -- the import confirmation ---------------------------------------------------------------------


async def expired_item(custom_id: str) -> ExpiredConfirm:
    template = ExpiredConfirm.__discord_ui_compiled_template__
    match = template.fullmatch(custom_id)
    assert match, custom_id
    button: discord.ui.Button[Any] = discord.ui.Button(label="Apply", custom_id=custom_id)
    return await ExpiredConfirm.from_custom_id(AsyncMock(), button, match)


async def test_confirmation_buttons_are_known_after_the_view_is_gone() -> None:
    view = ConfirmView(1, timeout=60)
    ids = [b.custom_id for b in view.children]  # type: ignore[attr-defined]
    assert ids == [
        CONFIRM_ID.format(token=view.token, choice="apply"),
        CONFIRM_ID.format(token=view.token, choice="cancel"),
    ]
    assert all(re.fullmatch(r"showbot:confirm:[0-9a-f]{16}:(apply|cancel)", i) for i in ids)
    # While the view waits, its clicks are the view's to answer...
    assert (await expired_item(ids[0])).waiting
    # ...after it timed out (or after a restart: an unknown token) they are the catch-all's.
    await view.on_timeout()
    assert all(b.disabled for b in view.children)  # type: ignore[attr-defined]
    assert not (await expired_item(ids[0])).waiting
    assert not (await expired_item(CONFIRM_ID.format(token="0" * 16, choice="cancel"))).waiting
    view.stop()


async def test_a_stale_click_disables_the_buttons_and_says_why() -> None:
    item = await expired_item(CONFIRM_ID.format(token="ab" * 8, choice="apply"))
    interaction = SimpleNamespace(response=AsyncMock(), followup=AsyncMock())
    await item.callback(interaction)  # type: ignore[arg-type]
    (edited,) = interaction.response.edit_message.await_args_list
    buttons = edited.kwargs["view"].children
    assert [b.label for b in buttons] == ["Apply", "Cancel"] and all(b.disabled for b in buttons)
    interaction.followup.send.assert_awaited_once_with(EXPIRED, ephemeral=True)
    assert "run the import again" in EXPIRED


async def test_timeout_edits_the_message_to_show_disabled_buttons() -> None:
    view = ConfirmView(1, timeout=60)
    view.message = AsyncMock()
    await view.on_timeout()  # what discord.py calls once the view was sent and timed out
    (edit,) = view.message.edit.await_args_list
    assert edit.kwargs["view"] is view
    assert all(b.disabled for b in view.children)  # type: ignore[attr-defined]
    assert view.confirmed is None and view.token not in ConfirmView.waiting
    view.message.edit.side_effect = discord.NotFound(AsyncMock(status=404), "gone")
    await view.on_timeout()  # a deleted message is no error
    view.stop()
