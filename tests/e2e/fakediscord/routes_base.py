"""What every group of REST routes shares: lookups that answer Discord's errors.

The bot's application, a guild, a channel or a message by id (404 Unknown ... when absent),
and the bot's permissions in a channel (403 Missing Permissions when short).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .records import RecordedRequest
from .responses import ApiError
from .state import FakeChannel, FakeGuild
from .state_messages import StoredMessage

if TYPE_CHECKING:
    from .server import FakeDiscord


class Routes:
    """The base of the route groups: the fake they act on, and shared lookups and checks."""

    _fake: FakeDiscord

    def _app_check(self, record: RecordedRequest, key: str = "application_id") -> None:
        if int(record.path_params[key]) != self._fake.application_id:
            raise ApiError(403, 50001, "Missing Access", f"{key} is not the bot's application")

    def _guild(self, guild_id: str) -> FakeGuild:
        guild = self._fake.guilds.get(int(guild_id))
        if guild is None:
            raise ApiError(404, 10004, "Unknown Guild")
        return guild

    def _channel(self, channel_id: str) -> FakeChannel:
        channel = self._fake.channels.get(int(channel_id))
        if channel is None:
            raise ApiError(404, 10003, "Unknown Channel")
        return channel

    def _require(self, channel: FakeChannel, permissions: int, what: str) -> None:
        if channel.guild_id is None:
            return
        guild = self._fake.guilds[channel.guild_id]
        have = guild.permissions_in(self._fake.bot_user.id, channel.id)
        missing = permissions & ~have
        if missing:
            raise ApiError(
                403,
                50013,
                "Missing Permissions",
                f"bot lacks permissions {missing:#x} to {what} in #{channel.name}",
            )

    def _message(self, channel_id: str, message_id: str) -> StoredMessage:
        stored = self._fake.messages.get(int(message_id))
        if stored is None or stored.channel_id != int(channel_id) or stored.ephemeral:
            raise ApiError(404, 10008, "Unknown Message")
        return stored
