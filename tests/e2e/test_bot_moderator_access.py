"""Moderator commands are for moderators (issue 12, part 5), through the real bot process and
the fake Discord: what Discord is told about the slash commands, who counts as an owner, role
ids, Manage Messages granted or denied per channel, private reads over slash, and the import
confirmation's buttons after a timeout and after a restart."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from botprocess import ConfigSections, RunningBot, World
from fakediscord import MANAGE_MESSAGES, FakeDiscord, Overwrite, RecordedRequest
from fakediscord.flags import MESSAGE_FLAG_EPHEMERAL

from cogs.checks import DENIED
from cogs.views import EXPIRED
from tests.commands import MEMBER_COMMANDS, MODERATOR_COMMANDS, PUBLIC_COMMANDS

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(60)]

CONFIRM_SECONDS = 1.5  # the module's import confirmations time out quickly
MEMBER_OVERWRITE = 1
ROLE_OVERWRITE = 0
ALISA = {
    "format": "showbot",
    "version": 1,
    "entities": [{"key": "e-alisa", "name": "Alisa Jones", "kind": "character"}],
    "facts": [
        {
            "key": "f-alisa",
            "entity": "e-alisa",
            "kind": "who",
            "text": "Jessica's mother.",
            "status": "rumor",
        }
    ],
}
IMPORT_FILE = ("alisa.json", json.dumps(ALISA).encode(), "application/json")


@pytest.fixture(scope="module")
def co_owner(world: World) -> int:
    """A user made an owner by ``[discord] owner_ids`` (the application has its own)."""
    return world.fake.add_user("coowner").id


@pytest.fixture(scope="module")
def bot_overrides(world: World, co_owner: int) -> ConfigSections:
    return {
        "discord": {"owner_ids": [co_owner]},
        # By id: the main server's "Curator" role, not the other server's role of that name.
        "moderation": {
            "roles": [str(world.main.role("Curator").id)],
            "confirm_seconds": CONFIRM_SECONDS,
        },
        "limits": {"cooldown_rate": 1000, "cooldown_seconds": 1},
    }


def ephemeral(data: dict[str, Any]) -> bool:
    return bool(int(data.get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL)


def buttons(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for row in components for b in row["components"]]


async def slash(
    world: World, channel: int, user: int, command: str, options: dict[str, Any] | None = None,
    *, roles: list[str] | None = None, guild: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Run ``/command``; the data of its (type 4) answer."""
    handle = await world.fake.send_slash_command(
        guild or world.main.id, channel, user, command, options or {}, roles=roles
    )
    callback = await world.fake.wait_for_callback(handle)
    assert callback.status == 200 and callback.json["type"] == 4, callback.json
    return dict(callback.json["data"])


def seeded_id(bot: RunningBot, key: str) -> int:
    (row,) = bot.query("SELECT id FROM fact WHERE key = ? AND guild_id IS NULL", [key])
    return int(row["id"])


# -- what Discord is told about the commands ------------------------------------------------------


async def test_synced_moderator_commands_need_manage_messages_in_a_server(
    world: World, bot: RunningBot
) -> None:
    synced = {c["name"]: c for c in world.fake.global_commands}
    assert set(synced) == MODERATOR_COMMANDS | PUBLIC_COMMANDS | MEMBER_COMMANDS
    for name in MODERATOR_COMMANDS:  # as Discord stores them (the PUT was spec-valid)
        command = synced[name]
        assert command["default_member_permissions"] == str(MANAGE_MESSAGES) == "8192", name
        assert command["dm_permission"] is False and command["contexts"] == [0], name
    for name in PUBLIC_COMMANDS:
        assert synced[name]["default_member_permissions"] is None, name
        assert synced[name]["dm_permission"] is True, name
    for name in MEMBER_COMMANDS:  # a follow belongs to a member of a server
        assert synced[name]["default_member_permissions"] is None, name
        assert synced[name]["dm_permission"] is False, name
    (put,) = [r for r in world.fake.requests if r.operation_id == "bulk_set_application_commands"]
    assert put.status == 200
    sent = {c["name"]: c for c in put.json}
    assert sent["fact"]["default_member_permissions"] == MANAGE_MESSAGES
    assert not bot.events("moderator_roles_by_name")  # roles are given by id here


# -- owners ---------------------------------------------------------------------------------------


async def test_application_owner_and_configured_owner_both_edit_global_facts(
    world: World, bot: RunningBot, co_owner: int
) -> None:
    channel = world.channel()
    edits = [
        (world.fake.owner.id, "rosenberg-who", "Showrunner of Jessica Jones.", "melissa rosenberg"),
        (co_owner, "charlie-cox-who", "Plays Matt Murdock.", "charlie cox"),
    ]
    for user, key, text, subject in edits:
        fid = seeded_id(bot, key)
        # Both are plain members of the servers: only being owners lets them do this.
        reply = await bot.ask(world.main.id, channel, user, f"!fact edit {fid} text: {text}")
        assert reply.json["content"] == f"Edited fact #{fid} (text).", reply.json["content"]
        (row,) = bot.query("SELECT text FROM fact WHERE id = ?", [fid])
        assert row["text"] == text  # the global fact itself, not a server's copy
        elsewhere = await bot.ask(world.other.id, world.other_channel(), user, f"!who {subject}")
        assert text in elsewhere.json["content"]
    # A member who is neither is refused.
    refused = await bot.ask(world.main.id, channel, world.user(), "!fact edit 1 text: x")
    assert DENIED in refused.json["content"]


# -- role ids -------------------------------------------------------------------------------------


async def test_a_role_id_counts_in_its_own_server_only(world: World, bot: RunningBot) -> None:
    curator = world.user("curator")
    here = await bot.ask(world.main.id, world.channel(), curator, "!fact show 1", roles=["Curator"])
    assert DENIED not in here.json["content"] and "#1" in here.json["content"]
    # The other server has a "Curator" role too: another id, so no moderator there.
    there = await bot.ask(
        world.other.id, world.other_channel(), curator, "!fact show 1", roles=["Curator"]
    )
    assert DENIED in there.json["content"]


# -- Manage Messages per channel ------------------------------------------------------------------


async def test_manage_messages_granted_in_one_channel_counts_there_only(
    world: World, bot: RunningBot
) -> None:
    granted, elsewhere = world.channel(), world.channel()
    member = world.user("helper")
    world.fake.member(world.main.id, member)
    await world.fake.set_overwrites(
        granted, [Overwrite(member, MEMBER_OVERWRITE, allow=MANAGE_MESSAGES)]
    )
    add = "!fact add subject: Dorothy Walker kind: who text: Trish's mother."
    done = await bot.ask(world.main.id, granted, member, add)
    assert done.json["content"].startswith("Added fact #"), done.json["content"]
    shown = await slash(world, granted, member, "fact show", {"id": "1"})
    assert DENIED not in shown["content"] and ephemeral(shown)

    before = bot.query("SELECT count(*) AS n FROM fact")
    refused = await bot.ask(world.main.id, elsewhere, member, add.replace("Dorothy", "Jeri"))
    assert DENIED in refused.json["content"]
    refused_slash = await slash(world, elsewhere, member, "fact show", {"id": "1"})
    assert DENIED in refused_slash["content"] and ephemeral(refused_slash)
    assert bot.query("SELECT count(*) AS n FROM fact") == before


async def test_manage_messages_denied_in_a_channel_is_not_moderation_there(
    world: World, bot: RunningBot
) -> None:
    denied, usual = world.channel(), world.channel()
    moderator_role = world.main.role("Moderator").id
    await world.fake.set_overwrites(
        denied, [Overwrite(moderator_role, ROLE_OVERWRITE, deny=MANAGE_MESSAGES)]
    )
    mod = world.user("mod")
    there = await bot.ask(world.main.id, denied, mod, "!fact show 1", roles=["Moderator"])
    assert DENIED in there.json["content"]
    here = await bot.ask(world.main.id, usual, mod, "!fact show 1", roles=["Moderator"])
    assert DENIED not in here.json["content"]


# -- private reads over slash ---------------------------------------------------------------------


async def test_moderator_reads_over_slash_are_ephemeral_and_changes_public(
    world: World, bot: RunningBot
) -> None:
    channel, mod = world.channel(), world.user("mod")
    roles = ["Moderator"]
    for command, options, starts in [
        ("fact show", {"id": "1"}, "**Jessica Jones season 2**"),
        ("fact history", {"id": "1"}, "History of fact #1:"),
        ("source list", {}, ""),
        ("synonym list", {}, ""),
        ("gaps", {}, ""),
        ("stats", {}, ""),
        ("facts export", {}, ""),
    ]:
        data = await slash(world, channel, mod, command, options, roles=roles)
        assert ephemeral(data), (command, data)
        assert data["content"].startswith(starts) and DENIED not in data["content"], data
    added = await slash(
        world, channel, mod, "fact add",
        {"subject": "Hope Shlottman", "kind": "who", "text": "A student."}, roles=roles,
    )  # fmt: skip
    assert "Hope Shlottman" in added["content"] and not ephemeral(added)
    # Prefix commands stay ordinary replies, seen by the channel.
    typed = await bot.ask(world.main.id, channel, mod, "!fact show 1", roles=roles)
    assert typed.json["content"].startswith("**Jessica Jones season 2**")
    assert not ephemeral(typed.json)


# -- the import confirmation ----------------------------------------------------------------------


async def click(fake: FakeDiscord, message_id: int, user: int, label: str) -> Any:
    stored = fake.messages[message_id]
    (button,) = [b for b in buttons(stored.payload["components"]) if b["label"] == label]
    return await fake.send_component(message_id, user, button["custom_id"], roles=["Moderator"])


async def assert_expired_answer(fake: FakeDiscord, handle: Any) -> None:
    """A click nothing waits for: the buttons shown disabled, and a private explanation."""
    callback = await fake.wait_for_callback(handle)
    assert callback.status == 200 and callback.json["type"] == 7, callback.json  # UPDATE_MESSAGE
    shown = buttons(callback.json["data"]["components"])
    assert [b["label"] for b in shown] == ["Apply", "Cancel"] and all(b["disabled"] for b in shown)
    followup: RecordedRequest = await fake.wait_for_request(handle.is_followup_or_edit)
    assert followup.status in (200, 204) and followup.json["content"] == EXPIRED
    assert ephemeral(followup.json)


async def test_confirmation_buttons_are_disabled_on_timeout(world: World, bot: RunningBot) -> None:
    channel, mod = world.channel(), world.user("mod")
    since = len(world.fake.requests)
    preview = await bot.ask(
        world.main.id, channel, mod, "!facts import", roles=["Moderator"], attachments=[IMPORT_FILE]
    )
    assert "Apply?" in preview.json["content"] and not ephemeral(preview.json)
    message_id = int(preview.response["id"])
    assert not any(b.get("disabled") for b in buttons(preview.json["components"]))
    sent = asyncio.get_running_loop().time()

    def disabling_edit(request: RecordedRequest) -> bool:
        if request.operation_id != "update_message" or request.status != 200:
            return False
        if request.path_params["message_id"] != str(message_id):
            return False
        shown = buttons(request.json.get("components") or [])
        return bool(shown) and all(b.get("disabled") for b in shown)

    def cancelled(request: RecordedRequest) -> bool:
        return (
            request.operation_id == "create_message"
            and request.path_params["channel_id"] == str(channel)
            and request.json["content"] == "Import cancelled; nothing changed."
        )

    await world.fake.wait_for_request(disabling_edit, timeout=CONFIRM_SECONDS + 5, since=since)
    assert asyncio.get_running_loop().time() - sent >= CONFIRM_SECONDS - 0.2  # not before
    stored = world.fake.messages[message_id].payload["components"]
    assert [b["label"] for b in buttons(stored)] == ["Apply", "Cancel"]
    assert all(b["disabled"] for b in buttons(stored))
    await world.fake.wait_for_request(cancelled, timeout=5, since=since)
    assert not bot.query("SELECT id FROM entity WHERE name = 'Alisa Jones'")
    # A click that still reaches the bot (a client that had not re-rendered) is answered.
    await assert_expired_answer(world.fake, await click(world.fake, message_id, mod, "Apply"))
    assert not bot.query("SELECT id FROM entity WHERE name = 'Alisa Jones'")


@contextlib.asynccontextmanager
async def own_fake() -> AsyncIterator[FakeDiscord]:
    """A fresh fake Discord for tests that start (and stop) their own bot processes."""
    fake = FakeDiscord()
    fake.add_guild("Test Server", roles={"Moderator": MANAGE_MESSAGES})
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    fake.assert_no_violations()


async def test_a_click_on_a_confirmation_from_before_a_restart_is_answered(
    tmp_path: Path,
) -> None:
    async with own_fake() as fake:
        guild, channel = fake.guild.id, fake.guild.channel("general").id
        mod = fake.add_user("mod").id
        first = await RunningBot.start(fake, tmp_path / "first")
        try:
            preview = await first.ask(
                guild, channel, mod, "!facts import", roles=["Moderator"], attachments=[IMPORT_FILE]
            )
            assert "Apply?" in preview.json["content"]
            message_id = int(preview.response["id"])
        finally:
            await first.stop_cleanly()  # while the confirmation waits

        second = await RunningBot.start(fake, tmp_path / "second", db_path=first.db_path)
        try:
            handle = await click(fake, message_id, mod, "Apply")
            await assert_expired_answer(fake, handle)
            assert not second.query("SELECT id FROM entity WHERE name = 'Alisa Jones'")
        finally:
            await second.stop_cleanly()


async def test_role_names_in_the_config_are_one_warning_at_start(tmp_path: Path) -> None:
    async with own_fake() as fake:
        role_id = fake.guild.role("Moderator").id
        config = {"moderation": {"roles": ["Curators", role_id, "Helpers"]}}
        bot = await RunningBot.start(fake, tmp_path, config)
        try:
            (warning,) = bot.events("moderator_roles_by_name")
            assert warning["level"] == "warning" and warning["roles"] == ["curators", "helpers"]
            assert "role ids" in warning["hint"]
        finally:
            await bot.stop_cleanly()
