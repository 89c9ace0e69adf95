"""bot.runtime.sending.can_send: the permission check before a reply (issue 13, part 5), for the
channel kinds the fake Discord doesn't model (threads, uncached channels, DMs)."""

from __future__ import annotations

from unittest import mock

import discord
import pytest

from bot.runtime.sending import can_send

SEND = discord.Permissions(view_channel=True, send_messages=True, read_message_history=True)


def channel(kind: type, perms: discord.Permissions | Exception) -> mock.MagicMock:
    fake = mock.MagicMock(spec=kind)
    fake.guild.me = mock.sentinel.me
    if isinstance(perms, Exception):
        fake.permissions_for.side_effect = perms
    else:
        fake.permissions_for.return_value = perms
    return fake


@pytest.mark.parametrize(
    ("perms", "files", "allowed"),
    [
        (SEND, False, True),
        (SEND, True, False),  # an export needs Attach Files
        (discord.Permissions(SEND.value, attach_files=True), True, True),
        (discord.Permissions(SEND.value, send_messages=False), False, False),
        (discord.Permissions(SEND.value, view_channel=False), False, False),
        # Send Messages in Threads is for threads only.
        (discord.Permissions(view_channel=True, send_messages_in_threads=True), False, False),
    ],
)
def test_a_text_channel(perms: discord.Permissions, files: bool, allowed: bool) -> None:
    text = channel(discord.TextChannel, perms)
    assert can_send(text, files=files) is allowed
    text.permissions_for.assert_called_once_with(mock.sentinel.me)


@pytest.mark.parametrize(
    ("perms", "allowed"),
    [
        (discord.Permissions(view_channel=True, send_messages_in_threads=True), True),
        (discord.Permissions(SEND.value), False),  # Send Messages alone: not in a thread
    ],
)
def test_a_thread_needs_send_messages_in_threads(perms: discord.Permissions, allowed: bool) -> None:
    assert can_send(channel(discord.Thread, perms)) is allowed


def test_what_the_cache_cannot_judge_is_left_to_discord() -> None:
    orphan = channel(discord.Thread, discord.ClientException("Parent channel not found"))
    assert can_send(orphan)
    assert can_send(mock.MagicMock(spec=discord.PartialMessageable))  # its permissions: none
    dm = mock.MagicMock(spec=discord.DMChannel)
    dm.guild = None
    assert can_send(dm)
    no_member = channel(discord.TextChannel, discord.Permissions.none())
    no_member.guild.me = None
    assert can_send(no_member)
