"""REST routes for channel messages: create (with replies, enforce_nonce repeats, closed DMs
and held posts), get, list, edit, delete, bulk delete, typing, pins and reactions, each
checking the bot's permissions in the channel like Discord."""

from __future__ import annotations

import asyncio
from typing import Any

from .flags import (
    ADD_REACTIONS,
    ATTACH_FILES,
    MANAGE_MESSAGES,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
)
from .records import RecordedRequest
from .responses import ApiError, Json
from .routes_base import Routes

NONCE_SECONDS = 300.0  # how long Discord remembers a create_message nonce (a few minutes)


class MessageRoutes(Routes):
    """Messages, pins and reactions in channels."""

    # -- messages ------------------------------------------------------------------------------

    async def op_create_message(self, record: RecordedRequest) -> tuple[int, Json]:
        fake = self._fake
        channel = self._channel(record.path_params["channel_id"])
        self._require(channel, VIEW_CHANNEL | SEND_MESSAGES, "send messages")
        if record.files:
            self._require(channel, ATTACH_FILES, "attach files")
        if channel.recipient is not None and channel.recipient.id in fake.closed_dms:
            raise ApiError(403, 50007, "Cannot send messages to this user")
        body = record.json or {}
        nonce = body.get("nonce")
        now = asyncio.get_running_loop().time()
        if nonce is not None and body.get("enforce_nonce"):
            # Discord: a repeat of a recent create with the same nonce gets the first message.
            first = fake.nonces.get((channel.id, str(nonce)))
            if first is not None and now - first[1] < NONCE_SECONDS and first[0] in fake.messages:
                return 200, fake.messages[first[0]].payload
        stall = fake.stalls.pop(channel.id, None)
        if stall is not None and not stall.after_create:
            stall.reached.set()
            await stall.released.wait()  # never made: the caller is killed meanwhile
            return 503, {"message": "held by the test", "code": 0}  # to nobody: no violation
        extra: dict[str, Any] = {}
        message_type = 0
        reference = body.get("message_reference")
        if reference:
            ref_id = reference.get("message_id")
            ref = fake.messages.get(int(ref_id)) if ref_id is not None else None
            if ref is None or ref.ephemeral:
                if reference.get("fail_if_not_exists", True):
                    raise ApiError(
                        400,
                        50035,
                        "Invalid Form Body",
                        f"message_reference: Unknown message {ref_id}",
                    )
            else:
                message_type = 19
                extra["message_reference"] = {
                    "type": 0,
                    "channel_id": str(ref.channel_id),
                    "message_id": str(ref.id),
                    **({"guild_id": str(ref.guild_id)} if ref.guild_id else {}),
                }
                extra["referenced_message"] = ref.payload
        stored = await fake.create_bot_message(
            channel, body, record.files, message_type=message_type, extra=extra
        )
        if nonce is not None:
            fake.nonces[(channel.id, str(nonce))] = (stored.id, now)
        if stall is not None:
            stall.reached.set()
            await stall.released.wait()  # made, but not answered while the caller lives
        return 200, stored.payload

    async def op_get_message(self, record: RecordedRequest) -> tuple[int, Json]:
        self._require(
            self._channel(record.path_params["channel_id"]),
            VIEW_CHANNEL | READ_MESSAGE_HISTORY,
            "read message history",
        )
        stored = self._message(record.path_params["channel_id"], record.path_params["message_id"])
        return 200, stored.payload

    async def op_list_messages(self, record: RecordedRequest) -> tuple[int, Json]:
        channel = self._channel(record.path_params["channel_id"])
        self._require(channel, VIEW_CHANNEL | READ_MESSAGE_HISTORY, "read message history")
        limit = int(record.query.get("limit", "50"))
        before = int(record.query.get("before", str(1 << 63)))
        after = int(record.query.get("after", "0"))
        found = [
            m.payload
            for m in sorted(self._fake.messages.values(), key=lambda m: -m.id)
            if m.channel_id == channel.id and not m.ephemeral and after < m.id < before
        ]
        return 200, found[:limit]

    async def op_update_message(self, record: RecordedRequest) -> tuple[int, Json]:
        stored = self._message(record.path_params["channel_id"], record.path_params["message_id"])
        body = record.json or {}
        if stored.author_id != self._fake.bot_user.id:
            only_flags = set(body) <= {"flags"}
            if not only_flags:
                raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        await self._fake.edit_message(stored, body, record.files)
        return 200, stored.payload

    async def op_delete_message(self, record: RecordedRequest) -> tuple[int, Json]:
        channel = self._channel(record.path_params["channel_id"])
        stored = self._message(record.path_params["channel_id"], record.path_params["message_id"])
        if stored.author_id != self._fake.bot_user.id:
            self._require(channel, MANAGE_MESSAGES, "delete others' messages")
        await self._fake.delete_message(stored)
        return 204, None

    async def op_bulk_delete_messages(self, record: RecordedRequest) -> tuple[int, Json]:
        channel = self._channel(record.path_params["channel_id"])
        self._require(channel, MANAGE_MESSAGES, "bulk delete")
        for message_id in record.json["messages"]:
            stored = self._message(record.path_params["channel_id"], str(message_id))
            await self._fake.delete_message(stored)
        return 204, None

    async def op_trigger_typing_indicator(self, record: RecordedRequest) -> tuple[int, Json]:
        channel = self._channel(record.path_params["channel_id"])
        self._require(channel, VIEW_CHANNEL | SEND_MESSAGES, "type")
        return 204, None

    async def op_create_pin(self, record: RecordedRequest) -> tuple[int, Json]:
        channel = self._channel(record.path_params["channel_id"])
        self._require(channel, MANAGE_MESSAGES, "pin")
        stored = self._message(record.path_params["channel_id"], record.path_params["message_id"])
        stored.payload["pinned"] = True
        return 204, None

    async def op_delete_pin(self, record: RecordedRequest) -> tuple[int, Json]:
        channel = self._channel(record.path_params["channel_id"])
        self._require(channel, MANAGE_MESSAGES, "unpin")
        stored = self._message(record.path_params["channel_id"], record.path_params["message_id"])
        stored.payload["pinned"] = False
        return 204, None

    # -- reactions -----------------------------------------------------------------------------

    async def op_add_my_message_reaction(self, record: RecordedRequest) -> tuple[int, Json]:
        channel = self._channel(record.path_params["channel_id"])
        stored = self._message(record.path_params["channel_id"], record.path_params["message_id"])
        emoji = record.path_params["emoji_name"]
        users = stored.reactions.setdefault(emoji, [])
        if not users:
            self._require(channel, ADD_REACTIONS | READ_MESSAGE_HISTORY, "add a new reaction")
        await self._fake.react(stored, emoji, self._fake.bot_user.id, add=True)
        return 204, None

    async def op_delete_my_message_reaction(self, record: RecordedRequest) -> tuple[int, Json]:
        self._channel(record.path_params["channel_id"])
        stored = self._message(record.path_params["channel_id"], record.path_params["message_id"])
        await self._fake.react(
            stored, record.path_params["emoji_name"], self._fake.bot_user.id, add=False
        )
        return 204, None

    async def op_delete_user_message_reaction(self, record: RecordedRequest) -> tuple[int, Json]:
        channel = self._channel(record.path_params["channel_id"])
        self._require(channel, MANAGE_MESSAGES, "remove others' reactions")
        stored = self._message(record.path_params["channel_id"], record.path_params["message_id"])
        await self._fake.react(
            stored, record.path_params["emoji_name"], int(record.path_params["user_id"]), add=False
        )
        return 204, None

    async def op_delete_all_message_reactions(self, record: RecordedRequest) -> tuple[int, Json]:
        channel = self._channel(record.path_params["channel_id"])
        self._require(channel, MANAGE_MESSAGES, "clear reactions")
        stored = self._message(record.path_params["channel_id"], record.path_params["message_id"])
        stored.reactions.clear()
        return 204, None

    async def op_delete_all_message_reactions_by_emoji(
        self, record: RecordedRequest
    ) -> tuple[int, Json]:
        channel = self._channel(record.path_params["channel_id"])
        self._require(channel, MANAGE_MESSAGES, "clear reactions")
        stored = self._message(record.path_params["channel_id"], record.path_params["message_id"])
        stored.reactions.pop(record.path_params["emoji_name"], None)
        return 204, None

    async def op_list_message_reactions_by_emoji(self, record: RecordedRequest) -> tuple[int, Json]:
        stored = self._message(record.path_params["channel_id"], record.path_params["message_id"])
        users = stored.reactions.get(record.path_params["emoji_name"], [])
        return 200, [self._fake.users[u].payload() for u in users if u in self._fake.users]
