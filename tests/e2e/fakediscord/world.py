"""Setting up and changing the world a test plays in, and telling the bot like Discord does.

The bot's application (payload, flags), users, guilds with their roles, channels and members,
role permissions and channel overwrites, the bot joining and leaving guilds, and DM channels.
The model classes themselves (FakeGuild, FakeChannel, ...) are in ``state``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from .core import FakeCore
from .flags import (
    APP_FLAG_COMMANDS_BADGE,
    APP_FLAG_GUILD_MEMBERS_LIMITED,
    APP_FLAG_MESSAGE_CONTENT_LIMITED,
    APP_FLAG_PRESENCE_LIMITED,
    CHANNEL_DM,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_PRESENCES,
    INTENT_MESSAGE_CONTENT,
)
from .state import FakeChannel, FakeGuild, FakeMember, FakeRole, FakeUser, Overwrite


class World(FakeCore):
    """Users, guilds, roles, overwrites, membership of the bot, DM channels."""

    # -- world setup ---------------------------------------------------------------------------

    @property
    def application_flags(self) -> int:
        flags = APP_FLAG_COMMANDS_BADGE
        if self.privileged_intents & INTENT_GUILD_PRESENCES:
            flags |= APP_FLAG_PRESENCE_LIMITED
        if self.privileged_intents & INTENT_GUILD_MEMBERS:
            flags |= APP_FLAG_GUILD_MEMBERS_LIMITED
        if self.privileged_intents & INTENT_MESSAGE_CONTENT:
            flags |= APP_FLAG_MESSAGE_CONTENT_LIMITED
        return flags

    def application_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.application_id),
            "name": self.bot_user.username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "hook": True,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": secrets.token_hex(32),
            "owner": self.owner.payload(),
            "team": None,
            "flags": self.application_flags,
            "bot": self.bot_user.payload(),
            "rpc_origins": [],
            "redirect_uris": [],
            "tags": [],
            "terms_of_service_url": None,
            "privacy_policy_url": None,
            "interactions_endpoint_url": None,  # else discord.py warns it gets no interactions
            "role_connections_verification_url": None,
            "approximate_guild_count": len(self.guilds),
            "integration_types_config": {"0": {}},
            "is_monetized": False,
            "storefront_available": False,
        }

    def add_user(
        self,
        username: str,
        *,
        user_id: int | None = None,
        global_name: str | None = None,
        bot: bool = False,
    ) -> FakeUser:
        user = FakeUser(user_id or self.snowflake(), username, global_name, bot)
        self.users[user.id] = user
        return user

    def ensure_user(
        self, user_id: int, username: str | None = None, *, bot: bool = False
    ) -> FakeUser:
        user = self.users.get(user_id)
        if user is None:
            user = self.add_user(username or f"user{user_id % 100_000}", user_id=user_id, bot=bot)
        elif username is not None:
            user.username = username
        return user

    def add_guild(
        self,
        name: str = "Test Server",
        *,
        guild_id: int | None = None,
        owner_id: int | None = None,
        channels: Sequence[str] = ("general",),
        roles: Mapping[str, int] | None = None,
        everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS,
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
    ) -> FakeGuild:
        """Create a guild the bot is in: text ``channels``, ``roles`` (name -> permissions).

        Add guilds before the bot connects; to add one later call ``await announce_guild(g)``.
        """
        gid = guild_id or self.snowflake()
        owner = self.ensure_user(owner_id) if owner_id else self.owner
        guild = FakeGuild(gid, name, owner.id)
        guild.roles[gid] = FakeRole(gid, "@everyone", everyone_permissions, position=0)
        bot_role = FakeRole(
            self.snowflake(),
            self.bot_user.username,
            bot_permissions,
            position=1,
            managed=True,
            bot_id=self.bot_user.id,
        )
        guild.roles[bot_role.id] = bot_role
        for position, (role_name, perms) in enumerate((roles or {}).items(), start=2):
            role = FakeRole(self.snowflake(), role_name, perms, position=position)
            guild.roles[role.id] = role
        for position, channel_name in enumerate(channels):
            channel = FakeChannel(self.snowflake(), channel_name, gid, position=position)
            guild.channels[channel.id] = channel
            self.channels[channel.id] = channel
        guild.members[self.bot_user.id] = FakeMember(self.bot_user, [bot_role.id])
        guild.members[owner.id] = FakeMember(owner)
        self.guilds[gid] = guild
        return guild

    async def set_role_permissions(self, guild_id: int, role: int | str, permissions: int) -> None:
        """Change a role's permissions and tell the bot (GUILD_ROLE_UPDATE), like Discord."""
        guild = self.guilds[guild_id]
        target = guild.role(role) if isinstance(role, str) else guild.roles[role]
        target.permissions = permissions
        await self.gateway.dispatch(
            "GUILD_ROLE_UPDATE",
            {"guild_id": str(guild_id), "role": target.payload()},
            guild_id=guild_id,
        )

    async def set_overwrites(self, channel_id: int, overwrites: Sequence[Overwrite]) -> None:
        """Replace a channel's permission overwrites and tell the bot (CHANNEL_UPDATE), like
        Discord. Interactions in that channel then carry the member's permissions there."""
        channel = self.channels[channel_id]
        channel.overwrites = list(overwrites)
        await self.gateway.dispatch("CHANNEL_UPDATE", channel.payload(), guild_id=channel.guild_id)

    async def announce_guild(self, guild: FakeGuild) -> None:
        """Tell a connected bot about a guild added after READY (the bot "joined" it)."""
        await self.gateway.dispatch("GUILD_CREATE", guild.create_payload(), guild_id=guild.id)

    async def remove_bot_from_guild(self, guild_id: int) -> FakeGuild:
        """The bot is removed from a guild (kicked, banned, or the guild deleted): Discord
        sends GUILD_DELETE without ``unavailable`` (an outage sets it true). The guild and
        its channels are gone from the fake; ``add_bot_to_guild`` brings them back."""
        guild = self.guilds.pop(guild_id)
        for channel_id in guild.channels:
            self.channels.pop(channel_id, None)
        await self.gateway.dispatch("GUILD_DELETE", {"id": str(guild_id)}, guild_id=guild_id)
        return guild

    async def add_bot_to_guild(self, guild: FakeGuild) -> None:
        """The bot is added (back) to ``guild``: GUILD_CREATE after READY without
        ``unavailable`` (which marks a guild back from an outage), so discord.py reports
        on_guild_join."""
        self.guilds[guild.id] = guild
        self.channels.update(guild.channels)
        payload = guild.create_payload()
        payload.pop("unavailable", None)
        await self.gateway.dispatch("GUILD_CREATE", payload, guild_id=guild.id)

    @property
    def guild(self) -> FakeGuild:
        """The first guild (most tests need just one)."""
        return next(iter(self.guilds.values()))

    def member(
        self,
        guild_id: int,
        user_id: int,
        roles: Sequence[int | str] | None = None,
        username: str | None = None,
    ) -> FakeMember:
        """Get or create a guild member; ``roles`` (ids or names) replaces its roles if given."""
        guild = self.guilds[guild_id]
        user = self.ensure_user(user_id, username)
        member = guild.members.get(user_id)
        if member is None:
            member = guild.members[user_id] = FakeMember(user)
        if roles is not None:
            member.roles = guild.resolve_roles(roles)
        return member

    def dm_channel(self, user_id: int) -> FakeChannel:
        for channel in self.channels.values():
            if channel.type == CHANNEL_DM and channel.recipient and channel.recipient.id == user_id:
                return channel
        channel = FakeChannel(
            self.snowflake(), "", None, type=CHANNEL_DM, recipient=self.users[user_id]
        )
        self.channels[channel.id] = channel
        return channel
