"""REST routes for what the bot looks up: its user and application, the gateway, users,
DM channels, guilds, their channels, roles and members."""

from __future__ import annotations

from .records import RecordedRequest
from .responses import ApiError, Json
from .routes_base import Routes


class ResourceRoutes(Routes):
    """Users, the application, the gateway, DMs, guilds and channels."""

    # -- users, application, gateway ----------------------------------------------------------

    async def op_get_my_user(self, record: RecordedRequest) -> tuple[int, Json]:
        user = self._fake.bot_user.payload()
        user.update(
            {
                "verified": True,
                "mfa_enabled": False,
                "email": None,
                "locale": "en-US",
                "premium_type": 0,
                "bio": "",
            }
        )
        return 200, user

    async def op_get_user(self, record: RecordedRequest) -> tuple[int, Json]:
        user = self._fake.users.get(int(record.path_params["user_id"]))
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        return 200, user.payload()

    async def op_get_my_oauth2_application(self, record: RecordedRequest) -> tuple[int, Json]:
        return 200, self._fake.application_payload()

    async def op_get_my_application(self, record: RecordedRequest) -> tuple[int, Json]:
        return 200, self._fake.application_payload()

    async def op_get_gateway(self, record: RecordedRequest) -> tuple[int, Json]:
        return 200, {"url": self._fake.gateway_url.rstrip("/")}

    async def op_get_bot_gateway(self, record: RecordedRequest) -> tuple[int, Json]:
        fake = self._fake
        # GatewayBotResponse: the recommended shard count, and how many more IDENTIFYs
        # (session starts) the bot may make before reset_after ms have passed.
        return 200, {
            "url": fake.gateway_url.rstrip("/"),
            "shards": fake.recommended_shards,
            "session_start_limit": {
                "total": fake.session_start_total,
                "remaining": max(fake.session_start_total - fake.identify_count, 0),
                "reset_after": 86_400_000,
                "max_concurrency": 1,
            },
        }

    async def op_create_dm(self, record: RecordedRequest) -> tuple[int, Json]:
        user_id = int(record.json["recipient_id"])
        if user_id not in self._fake.users:
            raise ApiError(400, 50035, "Invalid Form Body", f"unknown recipient_id {user_id}")
        return 200, self._fake.dm_channel(user_id).payload()

    # -- guilds --------------------------------------------------------------------------------

    async def op_get_guild(self, record: RecordedRequest) -> tuple[int, Json]:
        data = self._guild(record.path_params["guild_id"]).create_payload()
        for key in (
            "members",
            "channels",
            "threads",
            "presences",
            "voice_states",
            "joined_at",
            "large",
            "member_count",
            "lazy",
            "unavailable",
        ):
            data.pop(key, None)
        return 200, data

    async def op_list_guild_channels(self, record: RecordedRequest) -> tuple[int, Json]:
        guild = self._guild(record.path_params["guild_id"])
        return 200, [c.payload() for c in guild.channels.values()]

    async def op_list_guild_roles(self, record: RecordedRequest) -> tuple[int, Json]:
        guild = self._guild(record.path_params["guild_id"])
        return 200, [r.payload() for r in guild.roles.values()]

    async def op_get_guild_member(self, record: RecordedRequest) -> tuple[int, Json]:
        guild = self._guild(record.path_params["guild_id"])
        member = guild.members.get(int(record.path_params["user_id"]))
        if member is None:
            raise ApiError(404, 10007, "Unknown Member")
        return 200, member.payload()

    async def op_list_guild_members(self, record: RecordedRequest) -> tuple[int, Json]:
        guild = self._guild(record.path_params["guild_id"])
        limit = int(record.query.get("limit", "1"))
        after = int(record.query.get("after", "0"))
        members = sorted(guild.members.values(), key=lambda m: m.user.id)
        return 200, [m.payload() for m in members if m.user.id > after][:limit]

    async def op_get_channel(self, record: RecordedRequest) -> tuple[int, Json]:
        return 200, self._channel(record.path_params["channel_id"]).payload()
