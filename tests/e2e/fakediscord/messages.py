"""Messages: users posting them, and storing, editing, deleting and reacting to them.

What users send (``send_message``/``send_dm``, with attachments, embeds and replies), how a
message is stored (mentions, attachments served by the fake CDN, numbered components), and
the changes the REST routes make (edit, delete, reactions), each echoed to the bot on the
gateway like Discord does (MESSAGE_CREATE/UPDATE/DELETE, MESSAGE_REACTION_ADD/REMOVE).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from .flags import MESSAGE_FLAG_EPHEMERAL, MESSAGE_FLAG_LOADING
from .records import UploadedFile
from .state import FakeChannel, FakeGuild, FakeUser, iso_timestamp
from .state_messages import StoredMessage, emoji_payload, message_payload, parse_mentions
from .world import World

FileSpec = tuple[str, bytes] | tuple[str, bytes, str]  # (filename, data[, content_type])

SUPPRESS_EMBEDS = 1 << 2


class Messages(World):
    """Messages users post, and the store the bot's REST calls change."""

    async def send_message(
        self,
        guild_id: int | None,
        channel_id: int | None,
        author_id: int,
        content: str = "",
        *,
        roles: Sequence[int | str] | None = None,
        attachments: Sequence[FileSpec] = (),
        username: str | None = None,
        embeds: Sequence[dict[str, Any]] = (),
        reply_to: int | None = None,
    ) -> int:
        """A user posts a message; the bot gets MESSAGE_CREATE. Returns the message id.

        ``guild_id=None`` sends a DM (``channel_id`` is then ignored). ``roles`` (ids or
        names) become the author's roles in the guild, which discord.py uses for permissions.
        """
        if guild_id is None:
            self.ensure_user(author_id, username)
            channel = self.dm_channel(author_id)
        else:
            guild = self.guilds[guild_id]
            if channel_id not in guild.channels:
                raise KeyError(f"channel {channel_id} is not in guild {guild.name!r}")
            channel = guild.channels[channel_id]
            self.member(guild_id, author_id, roles, username)
        author = self.users[author_id]
        files = [
            UploadedFile(f"files[{i}]", spec[0], spec[2] if len(spec) == 3 else None, spec[1])
            for i, spec in enumerate(attachments)
        ]
        extra: dict[str, Any] = {}
        message_type = 0
        if reply_to is not None:
            ref = self.messages[reply_to]
            message_type = 19
            extra["message_reference"] = {
                "type": 0,
                "channel_id": str(ref.channel_id),
                "message_id": str(ref.id),
                **({"guild_id": str(ref.guild_id)} if ref.guild_id else {}),
            }
            extra["referenced_message"] = ref.payload
        body = {"content": content, "embeds": list(embeds)}
        stored = self._new_message(
            channel, author, body, files, message_type=message_type, extra=extra
        )
        await self._announce(stored, "MESSAGE_CREATE")
        return stored.id

    async def send_dm(self, author_id: int, content: str = "", **kwargs: Any) -> int:
        return await self.send_message(None, None, author_id, content, **kwargs)

    def bot_messages(self, channel_id: int | None = None) -> list[dict[str, Any]]:
        """Messages the bot has created (incl. interaction responses), oldest first."""
        return [
            m.payload
            for m in sorted(self.messages.values(), key=lambda m: m.id)
            if m.author_id == self.bot_user.id and channel_id in (None, m.channel_id)
        ]

    def _new_message(
        self,
        channel: FakeChannel,
        author: FakeUser,
        body: Mapping[str, Any],
        files: Sequence[UploadedFile],
        *,
        message_type: int = 0,
        flags: int = 0,
        extra: dict[str, Any] | None = None,
        interaction_id: int | None = None,
    ) -> StoredMessage:
        message_id = self.snowflake()
        content = body.get("content") or ""
        mentions, mention_roles, everyone = self._mentions(content, channel.guild_id)
        payload = message_payload(
            message_id=message_id,
            channel_id=channel.id,
            author=author,
            content=content,
            embeds=body.get("embeds") or (),
            attachments=self._attachments(channel.id, body.get("attachments"), files, []),
            components=_number_components(body.get("components") or []),
            mentions=mentions,
            mention_roles=mention_roles,
            mention_everyone=everyone,
            message_type=message_type,
            flags=flags | int(body.get("flags") or 0),
            extra=extra,
        )
        if body.get("poll"):
            payload["poll"] = body["poll"]
        stored = StoredMessage(
            payload,
            channel.id,
            channel.guild_id,
            created=asyncio.get_running_loop().time(),
            ephemeral=bool(payload["flags"] & MESSAGE_FLAG_EPHEMERAL),
            interaction_id=interaction_id,
        )
        self.messages[message_id] = stored
        if not stored.ephemeral:
            channel.last_message_id = message_id
        return stored

    def _mentions(
        self, content: str, guild_id: int | None
    ) -> tuple[list[dict[str, Any]], list[int], bool]:
        user_ids, role_ids, everyone = parse_mentions(content)
        users = [self.users[u].payload() for u in user_ids if u in self.users]
        guild = self.guilds.get(guild_id) if guild_id else None
        roles = [r for r in role_ids if guild and r in guild.roles]
        return users, roles, everyone

    def _attachments(
        self,
        channel_id: int,
        specs: Sequence[Mapping[str, Any]] | None,
        files: Sequence[UploadedFile],
        existing: Sequence[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """Attachment objects: kept existing ones plus uploaded files, served by the fake CDN."""
        by_id = {str(s.get("id")): s for s in specs or []}
        kept = [a for a in existing if specs is None or a["id"] in by_id]
        for index, upload in enumerate(files):
            number = upload.field.removeprefix("files[").rstrip("]")
            spec = by_id.get(number if number.isdigit() else str(index), {})
            filename = spec.get("filename") or upload.filename
            attachment_id = self.snowflake()
            path = f"/attachments/{channel_id}/{attachment_id}/{filename}"
            self.cdn[path] = (upload.data, upload.content_type)
            url = f"{self.base_url}/attachments/{channel_id}/{attachment_id}/{quote(filename)}"
            attachment: dict[str, Any] = {
                "id": str(attachment_id),
                "filename": filename,
                "size": len(upload.data),
                "url": url,
                "proxy_url": url,
                "content_scan_version": 0,
            }
            if upload.content_type:
                attachment["content_type"] = upload.content_type
            if spec.get("description"):
                attachment["description"] = spec["description"]
            kept.append(attachment)
        return kept

    async def edit_message(
        self, stored: StoredMessage, body: Mapping[str, Any], files: Sequence[UploadedFile]
    ) -> None:
        payload = stored.payload
        was_loading = bool(payload["flags"] & MESSAGE_FLAG_LOADING)
        if "content" in body:
            payload["content"] = body["content"] or ""
            mentions, roles, everyone = self._mentions(payload["content"], stored.guild_id)
            payload.update(
                mentions=mentions, mention_roles=[str(r) for r in roles], mention_everyone=everyone
            )
        if "embeds" in body:
            payload["embeds"] = [{"type": "rich", **e} for e in body["embeds"] or []]
        if "components" in body:
            payload["components"] = _number_components(body["components"] or [])
        if "attachments" in body or files:
            payload["attachments"] = self._attachments(
                stored.channel_id, body.get("attachments"), files, payload["attachments"]
            )
        if body.get("flags") is not None:
            # Only SUPPRESS_EMBEDS can be toggled by an edit.
            keep = payload["flags"] & ~SUPPRESS_EMBEDS
            payload["flags"] = keep | (int(body["flags"]) & SUPPRESS_EMBEDS)
        payload["flags"] &= ~MESSAGE_FLAG_LOADING
        if not was_loading:
            payload["edited_timestamp"] = iso_timestamp()
        await self._announce(stored, "MESSAGE_UPDATE")

    async def delete_message(self, stored: StoredMessage) -> None:
        self.messages.pop(stored.id, None)
        if stored.ephemeral:
            return
        data: dict[str, Any] = {"id": str(stored.id), "channel_id": str(stored.channel_id)}
        if stored.guild_id:
            data["guild_id"] = str(stored.guild_id)
        await self.gateway.dispatch("MESSAGE_DELETE", data, guild_id=stored.guild_id)

    async def react(self, stored: StoredMessage, emoji: str, user_id: int, *, add: bool) -> None:
        users = stored.reactions.setdefault(emoji, [])
        if add == (user_id in users):
            return
        if add:
            users.append(user_id)
        else:
            users.remove(user_id)
        guild = self.guilds.get(stored.guild_id) if stored.guild_id else None
        event = "MESSAGE_REACTION_ADD" if add else "MESSAGE_REACTION_REMOVE"
        await self.gateway.dispatch(
            event, reaction_event(stored, emoji, user_id, guild, add=add), guild_id=stored.guild_id
        )

    async def create_bot_message(
        self,
        channel: FakeChannel,
        body: Mapping[str, Any],
        files: Sequence[UploadedFile],
        *,
        message_type: int = 0,
        extra: dict[str, Any] | None = None,
    ) -> StoredMessage:
        stored = self._new_message(
            channel, self.bot_user, body, files, message_type=message_type, extra=extra
        )
        await self._announce(stored, "MESSAGE_CREATE")
        return stored

    async def _announce(self, stored: StoredMessage, event: str) -> None:
        # Discord echoes every non-ephemeral message, the bot's own included, to the gateway.
        self.notify()
        if stored.ephemeral:
            return
        guild = self.guilds.get(stored.guild_id) if stored.guild_id else None
        await self.gateway.dispatch(
            event,
            stored.gateway_payload(guild),
            guild_id=stored.guild_id,
            transform=self.gateway.redact_content,
        )


def _number_components(components: list[Any]) -> list[Any]:
    """Discord gives every component a numeric ``id`` when the sender did not."""
    counter = iter(range(1, 10_000))

    def walk(items: list[Any]) -> list[Any]:
        out = []
        for item in items:
            if isinstance(item, dict):
                item = dict(item)
                item.setdefault("id", next(counter))
                for key in ("components",):
                    if isinstance(item.get(key), list):
                        item[key] = walk(item[key])
                if isinstance(item.get("accessory"), dict):
                    item["accessory"] = walk([item["accessory"]])[0]
            out.append(item)
        return out

    return walk(components)


def reaction_event(
    stored: StoredMessage, emoji: str, user_id: int, guild: FakeGuild | None, *, add: bool
) -> dict[str, Any]:
    """MESSAGE_REACTION_ADD/REMOVE payload."""
    data: dict[str, Any] = {
        "user_id": str(user_id),
        "channel_id": str(stored.channel_id),
        "message_id": str(stored.id),
        "emoji": emoji_payload(emoji),
        "burst": False,
        "type": 0,
    }
    if guild is not None:
        data["guild_id"] = str(guild.id)
        if add and user_id in guild.members:
            data["member"] = guild.members[user_id].payload()
    if add:
        data["message_author_id"] = str(stored.author_id)
        data["burst_colors"] = []
    return data
