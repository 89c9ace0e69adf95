"""FakeCore: what every part of a FakeDiscord works on.

It owns the fake's identity and settings (token, application, owner, bot user, intents, the
interaction deadline, the host), all of its state (users, guilds, channels, messages,
interactions, synced commands, CDN files, recorded requests and violations, injected faults,
post limits, nonces, closed DMs, stalls), its gateway and REST halves, its addresses, and the
change broadcast (``notify``) that every wait wakes on.

The test-facing methods are layered on top of it: ``world`` (users, guilds, roles, DMs),
``commands`` (synced application commands), ``messages``, ``interactions``, ``recording``
(requests, violations, waits), ``gateway_control`` (sharding and the bot's sessions) and
``faults``; ``server.FakeDiscord`` puts them together and serves them.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from aiohttp import web

from .flags import PRIVILEGED_INTENTS
from .gateway import RESUME_PATH, Gateway
from .ratelimits import PostLimits
from .records import Fault, RecordedRequest, Stall, Violation
from .rest import API_PREFIX, RestApi
from .state import FakeChannel, FakeGuild, FakeUser, SnowflakeFactory
from .state_messages import InteractionRecord, StoredMessage

if TYPE_CHECKING:
    from .server import FakeDiscord


class FakeCore:
    """The state, settings and addresses that FakeDiscord's layers share."""

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

        # FakeCore only ever exists as the base of a FakeDiscord, which both halves serve.
        fake = cast("FakeDiscord", self)
        self.gateway = Gateway(fake)
        self._rest = RestApi(fake)
        self._runner: web.AppRunner | None = None
        self.port = 0

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

    # -- change broadcast ----------------------------------------------------------------------

    def notify(self) -> None:
        """Wake every waiter (broadcast by swapping in a fresh Event; no polling)."""
        self._changed.set()
        self._changed = asyncio.Event()
