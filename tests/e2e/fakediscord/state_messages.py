"""The fake's messages and interactions: message payloads as Discord returns them, the
mentions in a message's content, the messages the fake knows (with their reactions), and
the server-side record of each interaction."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .state import FakeGuild, FakeUser, snowflake_time

_MENTION_USER = re.compile(r"<@!?(\d+)>")
_MENTION_ROLE = re.compile(r"<@&(\d+)>")


def parse_mentions(content: str) -> tuple[list[int], list[int], bool]:
    """User ids, role ids and @everyone found in message content."""
    users = [int(m) for m in _MENTION_USER.findall(content)]
    roles = [int(m) for m in _MENTION_ROLE.findall(content)]
    return list(dict.fromkeys(users)), list(dict.fromkeys(roles)), "@everyone" in content


def message_payload(
    *,
    message_id: int,
    channel_id: int,
    author: FakeUser,
    content: str = "",
    embeds: Sequence[dict[str, Any]] = (),
    attachments: Sequence[dict[str, Any]] = (),
    components: Sequence[dict[str, Any]] = (),
    mentions: Sequence[dict[str, Any]] = (),
    mention_roles: Sequence[int] = (),
    mention_everyone: bool = False,
    message_type: int = 0,
    flags: int = 0,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A complete message object as Discord returns it over REST."""
    data: dict[str, Any] = {
        "id": str(message_id),
        "type": message_type,
        "content": content,
        "channel_id": str(channel_id),
        "author": author.payload(),
        "attachments": list(attachments),
        "embeds": [{"type": "rich", **e} for e in embeds],
        "mentions": list(mentions),
        "mention_roles": [str(r) for r in mention_roles],
        "pinned": False,
        "mention_everyone": mention_everyone,
        "tts": False,
        "timestamp": snowflake_time(message_id),
        "edited_timestamp": None,
        "flags": flags,
        "components": list(components),
    }
    if extra:
        data.update(extra)
    return data


@dataclass(eq=False)
class StoredMessage:
    """A message the fake knows: sent by a test user, or created by the bot."""

    payload: dict[str, Any]
    channel_id: int
    guild_id: int | None
    created: float = 0.0  # event-loop time
    ephemeral: bool = False
    interaction_id: int | None = None  # set for interaction responses and followups
    reactions: dict[str, list[int]] = field(default_factory=dict)  # emoji -> user ids

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def author_id(self) -> int:
        return int(self.payload["author"]["id"])

    def gateway_payload(self, guild: FakeGuild | None) -> dict[str, Any]:
        """MESSAGE_CREATE/UPDATE form: REST form plus guild_id and the author's member."""
        data = dict(self.payload)
        if guild is not None:
            data["guild_id"] = str(guild.id)
            member = guild.members.get(self.author_id)
            if member is not None and "webhook_id" not in data:
                data["member"] = member.payload(with_user=False)
            data["mentions"] = [
                {**u, "member": guild.members[int(u["id"])].payload(with_user=False)}
                if int(u["id"]) in guild.members
                else u
                for u in data["mentions"]
            ]
        if self.reactions:
            data["reactions"] = self.reaction_payload()
        return data

    def reaction_payload(self, me: int | None = None) -> list[dict[str, Any]]:
        return [
            {
                "emoji": emoji_payload(emoji),
                "count": len(users),
                "count_details": {"burst": 0, "normal": len(users)},
                "me": me is not None and me in users,
                "me_burst": False,
                "burst_colors": [],
            }
            for emoji, users in self.reactions.items()
            if users
        ]


def emoji_payload(emoji: str) -> dict[str, Any]:
    """``name:id`` (custom) or a unicode emoji, as used in reaction routes."""
    name, _, emoji_id = emoji.partition(":")
    return {"id": emoji_id or None, "name": name}


@dataclass(eq=False)
class InteractionRecord:
    """Server-side state of one interaction: who answered it how, and its messages."""

    id: int
    token: str
    type: int
    user: FakeUser
    channel_id: int
    guild_id: int | None
    created: float  # event-loop time it was dispatched
    data: dict[str, Any]
    message_id: int | None = None  # the message whose component was used
    callback_type: int | None = None
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None  # autocomplete answer
    modal: dict[str, Any] | None = None
