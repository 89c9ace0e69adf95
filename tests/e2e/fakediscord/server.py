"""FakeDiscord: one aiohttp server on 127.0.0.1 serving REST, the gateway and attachment files."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import secrets
import socket
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

from aiohttp import web

from .gateway import OP_INVALID_SESSION, OP_RECONNECT, RESUME_PATH, Gateway
from .records import (
    Fault,
    InteractionHandle,
    RecordedRequest,
    RequestPredicate,
    UploadedFile,
    Violation,
)
from .rest import API_PREFIX, PostLimits, RestApi, json_response, reaction_event
from .state import (
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
    MESSAGE_FLAG_EPHEMERAL,
    MESSAGE_FLAG_LOADING,
    PRIVILEGED_INTENTS,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    InteractionRecord,
    Overwrite,
    SnowflakeFactory,
    StoredMessage,
    iso_timestamp,
    message_payload,
    parse_mentions,
)

log = logging.getLogger(__name__)

FileSpec = tuple[str, bytes] | tuple[str, bytes, str]  # (filename, data[, content_type])
T = TypeVar("T")

SUPPRESS_EMBEDS = 1 << 2
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
_OPTION_SUBCOMMAND = (1, 2)
_SNOWFLAKE_OPTIONS = (6, 7, 8, 9)  # user, channel, role, mentionable


@dataclass
class Stall:
    """A held create_message (see FakeDiscord.stall_posts): ``reached`` once it arrived."""

    after_create: bool
    reached: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)  # at stop(), at the latest


class FakeDiscord:
    """A strict fake of Discord's REST API and gateway for driving a real discord.py bot."""

    def __init__(
        self,
        *,
        token: str | None = None,
        owner_id: int | None = None,
        owner_username: str = "showrunner",
        bot_username: str = "ShowBot",
        application_id: int | None = None,
        heartbeat_interval_ms: int = 41_250,
        privileged_intents: int = PRIVILEGED_INTENTS,
        interaction_deadline: float = 3.0,
        min_click_delay: float = 0.5,  # people click after a moment; discord.py needs one
        host: str = "127.0.0.1",
    ) -> None:
        self.snowflake = SnowflakeFactory()
        self.application_id = application_id or self.snowflake()
        # A bot's user id equals its application id for every app created since 2019.
        self.bot_user = FakeUser(self.application_id, bot_username, bot=True)
        # Shaped like a real token: base64(user id).timestamp-ish.hmac-ish
        encoded_id = base64.b64encode(str(self.application_id).encode()).decode().rstrip("=")
        self.token = token or f"{encoded_id}.{secrets.token_urlsafe(4)}.{secrets.token_urlsafe(27)}"
        self.owner = FakeUser(owner_id or self.snowflake(), owner_username, global_name="Owner")
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.privileged_intents = privileged_intents
        self.interaction_deadline = interaction_deadline
        self.min_click_delay = min_click_delay
        self.host = host

        self.users: dict[int, FakeUser] = {u.id: u for u in (self.bot_user, self.owner)}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.messages: dict[int, StoredMessage] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.global_command_store: dict[int, dict[str, Any]] = {}
        self._guild_commands: dict[int, dict[int, dict[str, Any]]] = {}
        self.cdn: dict[str, tuple[bytes, str | None]] = {}

        # Sharding: /gateway/bot recommends ``shards`` (None: one per 1,000 guilds, as a
        # guide; Discord requires sharding past 2,500) and allows this many session starts.
        self.shards: int | None = None
        self.session_start_total = 1000
        # Names the client behind a (host, port), for RecordedRequest.client and the gateway's
        # Connection.client: e.g. which of several processes sharing the token made a call.
        self.name_client: Callable[[tuple[str, int]], str | None] | None = None

        self.requests: list[RecordedRequest] = []
        self.violations: list[Violation] = []
        self._faults: list[Fault] = []
        # Discord's per-channel post limit, when a test asks for it (limit_posts).
        self.post_limits: PostLimits | None = None
        # Bot messages by (channel, nonce), for create_message's enforce_nonce: Discord
        # answers a repeat within a few minutes with the first message, creating none.
        self.nonces: dict[tuple[int, str], tuple[int, float]] = {}
        # Users whose DMs refuse the bot (Discord's 403, code 50007), and channels whose
        # next create_message a test holds (stall_posts).
        self.closed_dms: set[int] = set()
        self.stalls: dict[int, Stall] = {}
        self.held: list[Stall] = []
        self._changed = asyncio.Event()

        self.gateway = Gateway(self)
        self._rest = RestApi(self)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest.handle)
        app.router.add_get(
            "/attachments/{channel_id}/{attachment_id}/{filename}", self._rest.handle_cdn
        )
        app.router.add_get("/", self.gateway.handle)
        app.router.add_get(RESUME_PATH, self.gateway.handle)
        app.router.add_route("*", "/{tail:.*}", self._unknown_path)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        # Bind port 0 ourselves so the OS picks a free port without races.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def stop(self) -> None:
        for stall in self.held:
            stall.released.set()
        for conn in list(self.gateway.connections):
            conn.abort()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _unknown_path(self, request: web.Request) -> web.Response:
        self.add_violation(
            Violation("not an API, gateway or CDN path", request.method, request.path)
        )
        return json_response(404, {"message": "404: Not Found", "code": 0})

    # -- addresses -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """What discord.py's ``Route.BASE`` must be set to."""
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """What discord.py's ``DiscordWebSocket.DEFAULT_GATEWAY`` must be set to."""
        return f"ws://{self.host}:{self.port}/"

    @property
    def resume_gateway_url(self) -> str:
        # A distinct path, so the fake can tell that a RESUME used READY's resume_gateway_url.
        return f"ws://{self.host}:{self.port}{RESUME_PATH}"

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

    @property
    def recommended_shards(self) -> int:
        """What /gateway/bot says in ``shards``."""
        return self.shards or max(1, -(-len(self.guilds) // 1000))

    @staticmethod
    def shard_of(guild_id: int, shard_count: int) -> int:
        """The shard that receives a guild's events (Discord's sharding formula)."""
        return (guild_id >> 22) % shard_count

    def guild_id_on_shard(self, shard_id: int, shard_count: int) -> int:
        """A fresh snowflake for a guild that shard ``shard_id`` of ``shard_count`` owns
        (for ``add_guild(guild_id=...)``): its timestamp moved back a few milliseconds."""
        flake = self.snowflake()
        stamp = flake >> 22
        stamp -= (stamp - shard_id) % shard_count
        return (stamp << 22) | (flake & ((1 << 22) - 1))

    def client_of(self, peer: tuple[str, int] | None) -> str | None:
        """``name_client``'s name for the client at ``peer`` (None without either)."""
        if peer is None or self.name_client is None:
            return None
        return self.name_client(peer)

    def live_shards(self) -> dict[tuple[int, int] | None, str | None]:
        """The shards (``(id, count)``; None for an unsharded session) with a connected
        gateway session, each with the name of the client holding it."""
        return {
            session.shard: session.conn.client
            for session in self.gateway.sessions.values()
            if session.conn is not None
        }

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

    # -- application commands as synced by the bot ---------------------------------------------

    def guild_command_store(self, guild_id: int) -> dict[int, dict[str, Any]]:
        return self._guild_commands.setdefault(guild_id, {})

    @property
    def global_commands(self) -> list[dict[str, Any]]:
        return list(self.global_command_store.values())

    def guild_commands(self, guild_id: int) -> list[dict[str, Any]]:
        return list(self._guild_commands.get(guild_id, {}).values())

    def find_command(
        self, name: str, guild_id: int | None = None, ctype: int = 1
    ) -> dict[str, Any] | None:
        """A synced command as a Discord client would see it: guild commands first."""
        stores = [self._guild_commands.get(guild_id, {})] if guild_id else []
        stores.append(self.global_command_store)
        for store in stores:
            for command in store.values():
                if command["name"] == name and command["type"] == ctype:
                    return command
        return None

    # -- recording -----------------------------------------------------------------------------

    def notify(self) -> None:
        """Wake every waiter (broadcast by swapping in a fresh Event; no polling)."""
        self._changed.set()
        self._changed = asyncio.Event()

    def record(self, request: RecordedRequest) -> None:
        self.requests.append(request)
        self.notify()

    def add_violation(self, violation: Violation) -> None:
        log.warning("fakediscord violation: %s", violation)
        self.violations.append(violation)
        self.notify()

    def take_violations(self) -> list[Violation]:
        """Return and forget the violations (for tests that provoke them on purpose)."""
        taken, self.violations = self.violations, []
        return taken

    def assert_no_violations(self) -> None:
        if self.violations:
            lines = "\n".join(f"  - {v}" for v in self.violations)
            raise AssertionError(f"the bot did things real Discord would reject:\n{lines}")

    def clear(self) -> None:
        """Forget recorded requests and gateway frames (violations stay; see take_violations)."""
        self.requests.clear()
        self.gateway.frames.clear()
        self.gateway.withheld.clear()

    def requests_for(self, operation: str) -> list[RecordedRequest]:
        """Recorded requests by operationId (``create_message``) or template."""
        return [r for r in self.requests if operation in (r.operation_id, r.template)]

    def describe_recent(self, count: int = 15) -> str:
        gateway = self.gateway
        lines = [
            f"gateway: {len(gateway.connections)} connection(s), identifies="
            f"{gateway.identify_count}, resumes={gateway.resume_count}",
        ]
        recent = self.requests[-count:]
        lines.append(f"last {len(recent)} of {len(self.requests)} request(s):")
        lines += [f"  {r}" for r in recent] or ["  (none)"]
        if self.violations:
            lines.append("violations:")
            lines += [f"  - {v}" for v in self.violations]
        if gateway.withheld:
            lines.append("withheld by intents: " + ", ".join(sorted(set(gateway.withheld))))
        return "\n".join(lines)

    # The waits take a `timeout` (ASYNC109) on purpose: a timeout should fail with the recent
    # traffic in the message, which a bare asyncio.timeout() around the call would not give.
    async def wait_for(self, check: Callable[[], T | None], timeout: float, what: str) -> T:  # noqa: ASYNC109
        """Wait until ``check()`` returns something other than None; woken by ``notify``."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    changed = self._changed
                    result = check()
                    if result is not None:
                        return result
                    await changed.wait()
        except TimeoutError:
            raise AssertionError(
                f"timed out after {timeout}s waiting for {what}\n{self.describe_recent()}"
            ) from None

    async def wait_for_request(
        self,
        predicate: RequestPredicate,
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        since: int = 0,
    ) -> RecordedRequest:
        """The first recorded request (from index ``since``) matching ``predicate``."""

        def find() -> RecordedRequest | None:
            return next((r for r in self.requests[since:] if predicate(r)), None)

        return await self.wait_for(find, timeout, "a matching request")

    async def wait_for_callback(
        self,
        handle: InteractionHandle,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> RecordedRequest:
        return await self.wait_for_request(handle.is_callback, timeout)

    # -- fault injection -----------------------------------------------------------------------

    def fail_next(
        self,
        method: str | None,
        match: str | RequestPredicate,
        status: int = 429,
        retry_after: float = 0.2,
        times: int = 1,
        *,
        is_global: bool = False,
    ) -> Fault:
        """Answer the next ``times`` requests matching (method, template/path/operationId or
        predicate) with a Discord-shaped 429 (honouring ``retry_after``) or a 5xx."""
        fault = Fault(method, match, status, retry_after, times, is_global)
        self._faults.append(fault)
        return fault

    def limit_posts(self, posts: int = 5, per: float = 5.0) -> PostLimits:
        """Limit posting messages as Discord does: ``posts`` per ``per`` seconds per channel
        (Discord: 5 per 5 s), with its rate-limit headers and 429s. A post refused is
        recorded with ``injected`` set and status 429, like a fail_next fault."""
        self.post_limits = PostLimits(posts, per)
        return self.post_limits

    def close_dms(self, user_id: int) -> None:
        """The user does not accept DMs from the bot: create_message in their DM channel
        answers 403 with code 50007, as Discord does."""
        self.closed_dms.add(user_id)

    def stall_posts(self, channel_id: int, *, after_create: bool) -> Stall:
        """Hold the bot's next create_message in ``channel_id`` for good: before creating
        the message (it is never made), or after (made and announced, never answered), as
        a process killed mid-request would leave it."""
        stall = Stall(after_create)
        self.stalls[channel_id] = stall
        self.held.append(stall)
        return stall

    def take_fault(self, request: RecordedRequest) -> Fault | None:
        for fault in self._faults:
            if fault.times > 0 and fault.matches(request):
                fault.times -= 1
                if fault.times == 0:
                    self._faults.remove(fault)
                return fault
        return None

    # -- gateway -------------------------------------------------------------------------------

    @property
    def identify_count(self) -> int:
        return self.gateway.identify_count

    @property
    def resume_count(self) -> int:
        return self.gateway.resume_count

    async def wait_until_ready(self, timeout: float = 15.0) -> None:  # noqa: ASYNC109
        """Until a bot has identified (or resumed) and been sent every GUILD_CREATE."""
        await self.wait_for(
            lambda: True if self.gateway.ready.is_set() else None,
            timeout,
            "the bot to IDENTIFY/RESUME on the gateway",
        )

    async def wait_until_resumed(self, count: int = 1, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        await self.wait_for(
            lambda: True if self.resume_count >= count else None, timeout, f"{count} RESUME(s)"
        )

    async def drop_connection(self, code: int | None = None) -> None:
        """Kill the bot's gateway socket: abruptly (``None``) or with a close ``code``.

        Abrupt drops and 4000-4003/4005/4008 are resumable; 4007/4009 end the session, so the
        RESUME gets INVALID_SESSION; 4004/4010-4014 are fatal for discord.py.
        """
        self.gateway.ready.clear()
        await self.gateway.drop(code)

    async def send_reconnect(self) -> None:
        """Op 7 RECONNECT: the bot should reconnect and RESUME."""
        self.gateway.ready.clear()
        await self.gateway.send_op(OP_RECONNECT, None)

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Op 9 INVALID_SESSION; with ``resumable=False`` the bot must IDENTIFY again."""
        self.gateway.ready.clear()
        await self.gateway.send_op(OP_INVALID_SESSION, resumable)

    async def dispatch(
        self, event: str, data: dict[str, Any], *, guild_id: int | None = None
    ) -> int:
        """Send any gateway event (intent-gated like Discord); returns sessions reached."""
        return await self.gateway.dispatch(event, data, guild_id=guild_id)

    # -- messages ------------------------------------------------------------------------------

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

    def _command_data(
        self,
        guild_id: int | None,
        command: str,
        options: Mapping[str, Any] | None,
        *,
        focused: str | None,
        require_registered: bool,
    ) -> dict[str, Any]:
        root, *path = command.strip().lstrip("/").split()
        definition = self.find_command(root, guild_id)
        if definition is None and require_registered:
            raise LookupError(
                f"/{root} is not synced globally or for guild {guild_id}; Discord would not "
                f"offer it. Synced: {[c['name'] for c in self.global_commands]} (global), "
                f"{[c['name'] for c in self.guild_commands(guild_id or 0)]} (guild)"
            )
        data: dict[str, Any] = {
            "id": definition["id"] if definition else str(self.snowflake()),
            "name": root,
            "type": 1,
        }
        if definition and "guild_id" in definition:
            data["guild_id"] = definition["guild_id"]
        container = data
        level: list[dict[str, Any]] | None = definition.get("options", []) if definition else None
        for depth, sub in enumerate(path):
            sub_def = None
            if level is not None:
                sub_def = next(
                    (o for o in level if o["name"] == sub and o["type"] in _OPTION_SUBCOMMAND), None
                )
                if sub_def is None:
                    raise LookupError(f"/{command}: {sub!r} is not a subcommand of /{root}")
            node_type = sub_def["type"] if sub_def else (1 if depth == len(path) - 1 else 2)
            node: dict[str, Any] = {"type": node_type, "name": sub, "options": []}
            container.setdefault("options", []).append(node)
            container = node
            level = sub_def.get("options", []) if sub_def else None

        given = dict(options or {})
        if focused is not None and focused not in given:
            raise ValueError(f"focused option {focused!r} needs a (partial) value in options")
        resolved: dict[str, dict[str, Any]] = {}
        leaf: list[dict[str, Any]] = []
        for name, value in given.items():
            opt_def = None
            if level is not None:
                opt_def = next(
                    (o for o in level if o["name"] == name and o["type"] not in _OPTION_SUBCOMMAND),
                    None,
                )
                if opt_def is None:
                    names = [o["name"] for o in level]
                    raise LookupError(f"/{command} has no option {name!r} (it has {names})")
            otype = opt_def["type"] if opt_def else _infer_option_type(value)
            entry: dict[str, Any] = {"name": name, "type": otype}
            if name == focused:
                entry["value"] = str(value)  # a partial input is always sent as a string
                entry["focused"] = True
            else:
                entry["value"] = str(value) if otype in _SNOWFLAKE_OPTIONS else value
                choices = (opt_def or {}).get("choices")
                if choices and value not in [c["value"] for c in choices]:
                    raise ValueError(f"{value!r} is not a choice of option {name!r}: {choices}")
                self._resolve(otype, value, guild_id, resolved)
            leaf.append(entry)
        if level is not None and focused is None:
            missing = [o["name"] for o in level if o.get("required") and o["name"] not in given]
            if missing:
                raise ValueError(f"/{command} is missing required option(s) {missing}")
        if leaf:
            container["options"] = leaf
        if resolved:
            data["resolved"] = resolved
        return data

    def _resolve(
        self, otype: int, value: Any, guild_id: int | None, resolved: dict[str, dict[str, Any]]
    ) -> None:
        """Discord sends user/role/channel option targets in ``data.resolved``."""
        if otype not in _SNOWFLAKE_OPTIONS:
            return
        target = int(value)
        guild = self.guilds.get(guild_id) if guild_id else None
        if target in self.users and otype in (6, 9):
            resolved.setdefault("users", {})[str(target)] = self.users[target].payload()
            if guild and target in guild.members:
                member = guild.members[target].payload(with_user=False)
                member["permissions"] = str(guild.permissions_in(target, None))
                resolved.setdefault("members", {})[str(target)] = member
        elif guild and target in guild.roles and otype in (8, 9):
            resolved.setdefault("roles", {})[str(target)] = guild.roles[target].payload()
        elif target in self.channels and otype == 7:
            channel = self.channels[target].payload()
            channel["permissions"] = str(DEFAULT_EVERYONE_PERMISSIONS)
            resolved.setdefault("channels", {})[str(target)] = channel
        else:
            raise LookupError(f"option value {target} is not a known user/role/channel")


def _infer_option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    return 3


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


@contextlib.contextmanager
def discord_py_pointed_at(fake: FakeDiscord) -> Iterator[None]:
    """Point an in-process discord.py at the fake (REST base and gateway), then restore."""
    import yarl
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    saved = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    Route.BASE = fake.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved
