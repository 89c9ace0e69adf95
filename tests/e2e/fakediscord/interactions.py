"""Interactions: users running commands, clicking components and submitting modals.

Sends INTERACTION_CREATE (command, component, autocomplete, modal submit) with the member,
channel and permissions Discord would include, keeps each interaction's server-side record
(looked up by id or token for the callback and webhook routes in ``routes_interactions``),
and creates the messages that callbacks and followups post.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from .commands import Commands
from .flags import DEFAULT_BOT_PERMISSIONS, MESSAGE_FLAG_EPHEMERAL, MESSAGE_FLAG_LOADING
from .messages import Messages
from .records import InteractionHandle, UploadedFile
from .state_messages import InteractionRecord, StoredMessage

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


class Interactions(Messages, Commands):
    """Interactions sent to the bot, and the messages their responses create."""

    # -- interactions --------------------------------------------------------------------------

    def interaction_by_token(self, token: str) -> InteractionRecord | None:
        return next((i for i in self.interactions.values() if i.token == token), None)

    def interaction(self, handle: InteractionHandle) -> InteractionRecord:
        """Server-side state of an interaction: callback type, messages, autocomplete choices."""
        return self.interactions[handle.id]

    async def create_interaction_message(
        self,
        interaction: InteractionRecord,
        data: Mapping[str, Any],
        files: Sequence[UploadedFile],
        *,
        loading: bool = False,
        followup: bool = False,
    ) -> StoredMessage:
        channel = self.channels[interaction.channel_id]
        flags = int(data.get("flags") or 0)
        body: Mapping[str, Any] = data
        if loading:
            body = {}
            flags = (flags & MESSAGE_FLAG_EPHEMERAL) | MESSAGE_FLAG_LOADING
        metadata: dict[str, Any] = {
            "id": str(interaction.id),
            "type": interaction.type,
            "user": interaction.user.payload(),
            "authorizing_integration_owners": (
                {"0": str(interaction.guild_id)}
                if interaction.guild_id
                else {"1": str(interaction.user.id)}
            ),
        }
        if interaction.type == 2:
            metadata["name"] = interaction.data.get("name", "")
        if followup and interaction.original_message_id:
            metadata["original_response_message_id"] = str(interaction.original_message_id)
        if interaction.message_id:
            metadata["interacted_message_id"] = str(interaction.message_id)
        extra = {
            "webhook_id": str(self.application_id),
            "application_id": str(self.application_id),
            "interaction_metadata": metadata,
        }
        # Original responses are CHAT_INPUT_COMMAND (20) or REPLY (19); followups DEFAULT (0).
        message_type = 0 if followup else 20 if interaction.type == 2 else 19
        stored = self._new_message(
            channel,
            self.bot_user,
            body,
            files,
            message_type=message_type,
            flags=flags if loading else 0,
            extra=extra,
            interaction_id=interaction.id,
        )
        await self._announce(stored, "MESSAGE_CREATE")
        return stored

    async def send_interaction(
        self,
        type: int,
        *,
        guild_id: int | None,
        channel_id: int | None,
        user_id: int,
        data: dict[str, Any],
        roles: Sequence[int | str] | None = None,
        username: str | None = None,
        message_id: int | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Dispatch a raw INTERACTION_CREATE (2 command, 3 component, 4 autocomplete, 5 modal)."""
        loop = asyncio.get_running_loop()
        interaction_id = self.snowflake()
        token = f"aW50ZXJhY3Rpb246{interaction_id}:{secrets.token_urlsafe(96)}"
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": type,
            "data": data,
            "token": token,
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if guild_id is not None:
            guild = self.guilds[guild_id]
            if channel_id not in guild.channels:
                raise KeyError(f"channel {channel_id} is not in guild {guild.name!r}")
            channel = guild.channels[channel_id]
            member = self.member(guild_id, user_id, roles, username)
            permissions = guild.permissions_in(user_id, channel.id)
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                member={**member.payload(), "permissions": str(permissions)},
                app_permissions=str(guild.permissions_in(self.bot_user.id, channel.id)),
                authorizing_integration_owners={"0": str(guild.id)},
                context=0,
            )
        else:
            user = self.ensure_user(user_id, username)
            channel = self.dm_channel(user_id)
            payload.update(
                user=user.payload(),
                app_permissions=str(DEFAULT_BOT_PERMISSIONS),
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        payload["channel_id"] = str(channel.id)
        payload["channel"] = channel.payload()
        if message_id is not None:
            stored = self.messages[message_id]
            payload["message"] = stored.gateway_payload(self.guilds.get(guild_id or 0))
        self.interactions[interaction_id] = InteractionRecord(
            id=interaction_id,
            token=token,
            type=type,
            user=self.users[user_id],
            channel_id=channel.id,
            guild_id=guild_id,
            created=loop.time(),
            data=data,
            message_id=message_id,
        )
        await self.gateway.dispatch("INTERACTION_CREATE", payload, guild_id=guild_id)
        return InteractionHandle(
            interaction_id, token, self.application_id, type, channel.id, guild_id
        )

    async def send_slash_command(
        self,
        guild_id: int | None,
        channel_id: int | None,
        user_id: int,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        roles: Sequence[int | str] | None = None,
        username: str | None = None,
        require_registered: bool = True,
    ) -> InteractionHandle:
        """A user runs ``/command`` ("show info" = subcommand path) with ``options``.

        The command must have been synced by the bot (like on Discord); its definition gives
        the option types and is used to reject options a Discord client could not send.
        """
        data = self._command_data(
            guild_id, command, options, focused=None, require_registered=require_registered
        )
        return await self.send_interaction(
            2,
            guild_id=guild_id,
            channel_id=channel_id,
            user_id=user_id,
            data=data,
            roles=roles,
            username=username,
        )

    async def send_autocomplete(
        self,
        guild_id: int | None,
        channel_id: int | None,
        user_id: int,
        command: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        roles: Sequence[int | str] | None = None,
        username: str | None = None,
        require_registered: bool = True,
    ) -> InteractionHandle:
        """A user is typing option ``focused`` of ``/command``: type 4 AUTOCOMPLETE."""
        data = self._command_data(
            guild_id, command, options, focused=focused, require_registered=require_registered
        )
        return await self.send_interaction(
            4,
            guild_id=guild_id,
            channel_id=channel_id,
            user_id=user_id,
            data=data,
            roles=roles,
            username=username,
        )

    async def send_component(
        self,
        message_id: int,
        user_id: int,
        custom_id: str,
        *,
        component_type: int = 2,
        values: Sequence[str] | None = None,
        roles: Sequence[int | str] | None = None,
        username: str | None = None,
    ) -> InteractionHandle:
        """A user clicks a button (or picks ``values`` in a select) on a bot message."""
        stored = self.messages.get(message_id)
        if stored is None:
            raise LookupError(f"no message {message_id} to click on")
        # A person cannot click within milliseconds of a message appearing, while discord.py
        # registers a view only after processing the REST response that created the message.
        wait = stored.created + self.min_click_delay - asyncio.get_running_loop().time()
        if wait > 0:
            await asyncio.sleep(wait)
        found = _find_component(stored.payload["components"], custom_id)
        if found is None:
            raise LookupError(
                f"message {message_id} has no component with custom_id "
                f"{custom_id!r}: {stored.payload['components']}"
            )
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = list(values)
        return await self.send_interaction(
            3,
            guild_id=stored.guild_id,
            channel_id=stored.channel_id,
            user_id=user_id,
            data=data,
            roles=roles,
            username=username,
            message_id=message_id,
        )

    async def send_modal_submit(
        self,
        guild_id: int | None,
        channel_id: int | None,
        user_id: int,
        custom_id: str,
        values: Mapping[str, str],
        *,
        roles: Sequence[int | str] | None = None,
        username: str | None = None,
    ) -> InteractionHandle:
        """A user submits the modal ``custom_id`` (see the type 9 callback) with text ``values``
        keyed by text-input custom_id: type 5 MODAL_SUBMIT."""
        rows = [
            {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
            for key, value in values.items()
        ]
        return await self.send_interaction(
            5,
            guild_id=guild_id,
            channel_id=channel_id,
            user_id=user_id,
            data={"custom_id": custom_id, "components": rows},
            roles=roles,
            username=username,
        )


def _find_component(components: list[Any], custom_id: str) -> dict[str, Any] | None:
    for item in components:
        if not isinstance(item, dict):
            continue
        if item.get("custom_id") == custom_id:
            return item
        for child in (*item.get("components", []), item.get("accessory")):
            if isinstance(child, dict):
                found = _find_component([child], custom_id)
                if found is not None:
                    return found
    return None
