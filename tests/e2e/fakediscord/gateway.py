"""The fake gateway: HELLO/IDENTIFY/READY, heartbeats, dispatch with sequence numbers, RESUME.

discord.py asks for ``compress=zlib-stream`` (or ``zstd-stream`` when a zstd module exists) but
only decompresses *binary* frames; text frames are parsed as plain JSON. So the fake always sends
uncompressed text frames, which keeps the traffic readable.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .flags import (
    INTENT_DIRECT_MESSAGE_REACTIONS,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGE_REACTIONS,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILDS,
    INTENT_MESSAGE_CONTENT,
    PRIVILEGED_INTENTS,
)
from .records import Violation
from .rest import peer_of

if TYPE_CHECKING:
    from .server import FakeDiscord

log = logging.getLogger(__name__)

OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE_UPDATE = 3
OP_VOICE_STATE_UPDATE = 4
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_GUILD_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

# Close codes after which Discord forgets the session (RESUME then gets INVALID_SESSION).
SESSION_ENDING_CODES = frozenset({1000, 1001, 4007, 4009})
RESUME_PATH = "/resume"

_GUILD_INTENTS: dict[str, int] = {
    "GUILD_CREATE": INTENT_GUILDS,
    "GUILD_UPDATE": INTENT_GUILDS,
    "GUILD_DELETE": INTENT_GUILDS,
    "CHANNEL_CREATE": INTENT_GUILDS,
    "CHANNEL_UPDATE": INTENT_GUILDS,
    "CHANNEL_DELETE": INTENT_GUILDS,
    "GUILD_ROLE_CREATE": INTENT_GUILDS,
    "GUILD_ROLE_UPDATE": INTENT_GUILDS,
    "GUILD_ROLE_DELETE": INTENT_GUILDS,
    "GUILD_MEMBER_ADD": INTENT_GUILD_MEMBERS,
    "GUILD_MEMBER_UPDATE": INTENT_GUILD_MEMBERS,
    "GUILD_MEMBER_REMOVE": INTENT_GUILD_MEMBERS,
    "MESSAGE_CREATE": INTENT_GUILD_MESSAGES,
    "MESSAGE_UPDATE": INTENT_GUILD_MESSAGES,
    "MESSAGE_DELETE": INTENT_GUILD_MESSAGES,
    "MESSAGE_DELETE_BULK": INTENT_GUILD_MESSAGES,
    "MESSAGE_REACTION_ADD": INTENT_GUILD_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE": INTENT_GUILD_MESSAGE_REACTIONS,
}
_DM_INTENTS: dict[str, int] = {
    "MESSAGE_CREATE": INTENT_DIRECT_MESSAGES,
    "MESSAGE_UPDATE": INTENT_DIRECT_MESSAGES,
    "MESSAGE_DELETE": INTENT_DIRECT_MESSAGES,
    "MESSAGE_REACTION_ADD": INTENT_DIRECT_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE": INTENT_DIRECT_MESSAGE_REACTIONS,
}


@dataclass(eq=False)
class Session:
    """A gateway session; it outlives connections so RESUME can replay what was missed."""

    session_id: str
    intents: int
    shard: tuple[int, int] | None
    seq: int = 0
    log: list[dict[str, Any]] = field(default_factory=list)
    conn: Connection | None = None
    # Serialises (allocate seq, log, send) so frames leave in sequence order.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def receives_guild(self, guild_id: int | None) -> bool:
        if self.shard is None or guild_id is None:
            return self.shard is None or self.shard[0] == 0
        shard_id, shard_count = self.shard
        return (guild_id >> 22) % shard_count == shard_id


@dataclass(eq=False)
class Connection:
    ws: web.WebSocketResponse
    request: web.Request
    path: str
    query: dict[str, str]
    session: Session | None = None
    server_closed: bool = False  # the fake chose the close code, not the bot
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    peer: tuple[str, int] | None = None  # the client's (host, port)
    client: str | None = None  # FakeDiscord.name_client's name for it (at connect time)

    async def send(self, payload: dict[str, Any]) -> bool:
        """Send one frame; False if the socket is gone (the event stays logged for RESUME)."""
        if self.ws.closed:
            return False
        try:
            async with self.send_lock:
                await self.ws.send_str(json.dumps(payload, separators=(",", ":")))
        except (ConnectionError, RuntimeError):
            return False
        return True

    def abort(self) -> None:
        transport = self.request.transport
        if transport is not None:
            transport.abort()


@dataclass(frozen=True)
class GatewayFrame:
    """A frame the bot sent on the gateway (tokens included: they are the fake's)."""

    op: int
    data: Any
    path: str
    time: float


class Gateway:
    def __init__(self, fake: FakeDiscord) -> None:
        self._fake = fake
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self.frames: list[GatewayFrame] = []
        self.withheld: list[str] = []  # events not sent for lack of intents (for diagnostics)
        self.identify_count = 0
        self.resume_count = 0
        self.invalid_session_count = 0
        self.ready = asyncio.Event()
        self.presence: dict[str, Any] | None = None

    # -- connection handling -----------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(timeout=2.0, max_msg_size=0)
        await ws.prepare(request)
        conn = Connection(ws, request, request.path, dict(request.query))
        conn.peer = peer_of(request)
        conn.client = self._fake.client_of(conn.peer)
        self.connections.add(conn)
        try:
            if not await self._check_query(conn):
                return ws
            await conn.send(
                {
                    "op": OP_HELLO,
                    "d": {
                        "heartbeat_interval": self._fake.heartbeat_interval_ms,
                        "_trace": ['["gateway-prd-fake",{"micros":0.0}]'],
                    },
                    "s": None,
                    "t": None,
                }
            )
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_frame(conn, msg.data)
                elif msg.type is WSMsgType.BINARY:
                    await self._close(conn, 4002, "binary frames are not JSON (decode error)")
        finally:
            self.connections.discard(conn)
            self._detach(conn)
        return ws

    async def _check_query(self, conn: Connection) -> bool:
        version, encoding = conn.query.get("v"), conn.query.get("encoding", "json")
        compress = conn.query.get("compress")
        if version != "10":
            await self._close(conn, 4012, f"Invalid API version: v={version!r}")
            return False
        if encoding != "json":
            await self._close(conn, 4002, f"encoding={encoding!r} is not emulated, use json")
            return False
        if compress not in (None, "zlib-stream", "zstd-stream"):
            await self._close(conn, 4002, f"unknown compress={compress!r}")
            return False
        return True

    def _detach(self, conn: Connection) -> None:
        session = conn.session
        if session is None or session.conn is not conn:
            return
        session.conn = None
        # A bot closing with 1000/1001 ends its session for good (Discord invalidates it).
        if not conn.server_closed and conn.ws.close_code in (1000, 1001):
            self.sessions.pop(session.session_id, None)
        if not any(s.conn for s in self.sessions.values()):
            self.ready.clear()
        self._fake.notify()

    async def _close(self, conn: Connection, code: int, reason: str) -> None:
        """Close for a protocol error by the bot (always a violation)."""
        self._fake.add_violation(
            Violation(f"gateway closed with {code}: {reason}", "WS", conn.path)
        )
        conn.server_closed = True
        await conn.ws.close(code=code, message=reason[:120].encode())

    # -- frames from the bot -------------------------------------------------------------------

    async def _on_frame(self, conn: Connection, text: str) -> None:
        try:
            frame = json.loads(text)
            op, data = frame["op"], frame.get("d")
        except (ValueError, KeyError, TypeError):
            await self._close(conn, 4002, f"could not decode frame {text[:80]!r}")
            return
        self.frames.append(GatewayFrame(op, data, conn.path, asyncio.get_running_loop().time()))
        if op == OP_HEARTBEAT:
            await conn.send({"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == OP_IDENTIFY:
            await self._identify(conn, data)
        elif op == OP_RESUME:
            await self._resume(conn, data)
        elif conn.session is None:
            await self._close(conn, 4003, f"op {op} sent before IDENTIFY (Not authenticated)")
        elif op == OP_PRESENCE_UPDATE:
            self.presence = data
        elif op == OP_REQUEST_GUILD_MEMBERS:
            await self._request_members(conn.session, data)
        elif op == OP_VOICE_STATE_UPDATE:
            pass  # recorded in frames; voice is not emulated
        else:
            await self._close(conn, 4001, f"Unknown opcode {op}")
        self._fake.notify()

    async def _identify(self, conn: Connection, data: Any) -> None:
        fake = self._fake
        if conn.session is not None:
            await self._close(conn, 4005, "Already authenticated")
            return
        if not isinstance(data, dict) or data.get("token") != fake.token:
            await self._close(conn, 4004, "Authentication failed (token is not the fake's)")
            return
        intents = data.get("intents")
        if not isinstance(intents, int):
            await self._close(conn, 4013, "Invalid intent(s): IDENTIFY has no intents")
            return
        disallowed = intents & PRIVILEGED_INTENTS & ~fake.privileged_intents
        if disallowed:
            await self._close(
                conn, 4014, f"Disallowed intent(s) {disallowed:#x}: not enabled for the app"
            )
            return
        shard = data.get("shard")
        shard_t: tuple[int, int] | None = None
        if shard is not None:
            if not (isinstance(shard, list) and len(shard) == 2 and 0 <= shard[0] < shard[1]):
                await self._close(conn, 4010, f"Invalid shard {shard!r}")
                return
            shard_t = (shard[0], shard[1])

        # A new IDENTIFY replaces the bot's disconnected sessions for the same shard.
        for old in [s for s in self.sessions.values() if s.conn is None and s.shard == shard_t]:
            del self.sessions[old.session_id]
        session = Session(secrets.token_hex(16), intents, shard_t)
        self.sessions[session.session_id] = session
        self.identify_count += 1
        conn.session = session
        ready = self._ready_payload(session)
        async with session.lock:
            session.conn = conn
            await self._dispatch_locked(session, "READY", ready)
            for guild in fake.guilds.values():
                if session.receives_guild(guild.id):
                    await self._dispatch_locked(session, "GUILD_CREATE", guild.create_payload())
        self.ready.set()

    def _ready_payload(self, session: Session) -> dict[str, Any]:
        fake = self._fake
        data: dict[str, Any] = {
            "v": 10,
            "user_settings": {},
            "user": {
                **fake.bot_user.payload(),
                "verified": True,
                "mfa_enabled": False,
                "email": None,
            },
            "guilds": [
                {"id": str(g.id), "unavailable": True}
                for g in fake.guilds.values()
                if session.receives_guild(g.id)
            ],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": fake.resume_gateway_url,
            "application": {"id": str(fake.application_id), "flags": fake.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["us-east", "us-central"],
            "auth": {},
            "_trace": ['["gateway-prd-fake",{"micros":0.0}]'],
        }
        if session.shard is not None:
            data["shard"] = list(session.shard)
        return data

    async def _resume(self, conn: Connection, data: Any) -> None:
        fake = self._fake
        if conn.session is not None:
            await self._close(conn, 4005, "Already authenticated")
            return
        if not isinstance(data, dict) or data.get("token") != fake.token:
            await self._close(conn, 4004, "Authentication failed (RESUME token)")
            return
        if conn.path != RESUME_PATH:
            fake.add_violation(
                Violation("RESUME not sent to resume_gateway_url from READY", "WS", conn.path)
            )
        session = self.sessions.get(data.get("session_id", ""))
        seq = data.get("seq")
        if session is None or not isinstance(seq, int | None):
            # Unknown or ended session: Discord answers op 9 with d=false (not resumable).
            self.invalid_session_count += 1
            await conn.send({"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        if session.conn is not None:
            # The bot gave up on a socket the fake still sees as open (e.g. after a missed
            # heartbeat ACK); the RESUME takes the session over, as on Discord.
            session.conn.abort()
        conn.session = session
        async with session.lock:
            session.conn = conn
            for payload in session.log:
                if payload["s"] > (seq or 0) and not await conn.send(payload):
                    return
            await self._dispatch_locked(session, "RESUMED", {"_trace": ["fake"]})
        self.resume_count += 1
        self.ready.set()

    async def _request_members(self, session: Session, data: Any) -> None:
        if not isinstance(data, dict):
            return
        guild = self._fake.guilds.get(int(data.get("guild_id", 0)))
        if guild is None:
            return
        members = list(guild.members.values())
        if data.get("user_ids"):
            wanted = {int(u) for u in data["user_ids"]}
            members = [m for m in members if m.user.id in wanted]
        elif data.get("query"):
            query = str(data["query"]).lower()
            members = [m for m in members if m.user.username.lower().startswith(query)]
        limit = data.get("limit") or 0
        if limit:
            members = members[:limit]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [m.payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        await self.dispatch("GUILD_MEMBERS_CHUNK", chunk, guild_id=guild.id, gate=False)

    # -- dispatching events to the bot --------------------------------------------------------

    async def dispatch(
        self,
        event: str,
        data: dict[str, Any],
        *,
        guild_id: int | None = None,
        gate: bool = True,
        transform: Callable[[Session, dict[str, Any]], dict[str, Any]] | None = None,
    ) -> int:
        """Send an event to every session that should see it; returns how many got it.

        Sessions without a live connection still log it, so a RESUME replays it.
        """
        delivered = 0
        for session in list(self.sessions.values()):
            if not session.receives_guild(guild_id):
                continue
            needed = _required_intent(event, guild_id) if gate else 0
            if needed and not session.intents & needed:
                self.withheld.append(f"{event} (bot lacks intent {needed:#x})")
                continue
            payload = transform(session, data) if transform else data
            async with session.lock:
                await self._dispatch_locked(session, event, payload)
            delivered += 1
        return delivered

    async def _dispatch_locked(self, session: Session, event: str, data: dict[str, Any]) -> None:
        session.seq += 1
        payload = {"op": OP_DISPATCH, "d": data, "s": session.seq, "t": event}
        session.log.append(payload)
        if session.conn is not None:
            await session.conn.send(payload)

    def redact_content(self, session: Session, message: dict[str, Any]) -> dict[str, Any]:
        """Without MESSAGE_CONTENT, Discord blanks guild messages that don't mention the bot."""
        if session.intents & INTENT_MESSAGE_CONTENT or "guild_id" not in message:
            return message
        bot_id = str(self._fake.bot_user.id)
        if message["author"]["id"] == bot_id or any(u["id"] == bot_id for u in message["mentions"]):
            return message
        self.withheld.append("message content (bot lacks MESSAGE_CONTENT intent)")
        return {**message, "content": "", "embeds": [], "attachments": [], "components": []}

    # -- faults -------------------------------------------------------------------------------

    async def drop(self, code: int | None = None) -> None:
        """Abort the bot's sockets (``code=None``) or close them with ``code``."""
        for conn in list(self.connections):
            if code is None:
                conn.abort()
                continue
            if code in SESSION_ENDING_CODES and conn.session is not None:
                self.sessions.pop(conn.session.session_id, None)
            conn.server_closed = True
            await conn.ws.close(code=code, message=b"closed by fakediscord")

    async def send_op(self, op: int, data: Any) -> None:
        """Send a raw non-dispatch opcode (e.g. RECONNECT, INVALID_SESSION) to every socket."""
        for conn in list(self.connections):
            if op == OP_INVALID_SESSION and data is False and conn.session is not None:
                self.sessions.pop(conn.session.session_id, None)
            await conn.send({"op": op, "d": data, "s": None, "t": None})


def _required_intent(event: str, guild_id: int | None) -> int:
    table = _GUILD_INTENTS if guild_id is not None else _DM_INTENTS
    return table.get(event, 0)
