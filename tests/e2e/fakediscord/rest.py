"""The fake REST API under ``/api/v10``: record, validate against the spec, then emulate.

Every request is recorded. A request real Discord would refuse (unknown route, bad token, body
outside the spec, unknown message, callback too late...) is answered with Discord's error shape
*and* recorded as a violation, so the test using the fake fails even if the bot swallowed the
error.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aiohttp import BodyPartReader, web

from .records import RECORDED_HEADERS, Fault, RecordedRequest, UploadedFile, Violation
from .spec import Operation, extra_checks, load_spec
from .state import (
    ADD_REACTIONS,
    ATTACH_FILES,
    MANAGE_MESSAGES,
    MESSAGE_FLAG_EPHEMERAL,
    MESSAGE_FLAG_LOADING,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    FakeChannel,
    FakeGuild,
    InteractionRecord,
    StoredMessage,
    emoji_payload,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

API_PREFIX = "/api/v10"
NONCE_SECONDS = 300.0  # how long Discord remembers a create_message nonce (a few minutes)
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # a bot's upload limit without boosts

# Which callback types Discord accepts for each interaction type.
ALLOWED_CALLBACKS: dict[int, frozenset[int]] = {
    2: frozenset({4, 5, 9}),  # application command
    3: frozenset({4, 5, 6, 7, 9}),  # message component
    4: frozenset({8}),  # autocomplete
    5: frozenset({4, 5, 6, 7}),  # modal submit
}

Json = Any
Handler = Callable[[RecordedRequest], Awaitable[tuple[int, Json]]]


class ApiError(Exception):
    """A Discord error response; recorded as a violation because the bot caused it."""

    def __init__(self, status: int, code: int, message: str, *reasons: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.reasons = list(reasons) or [message]

    def body(self) -> dict[str, Any]:
        return {"message": self.message, "code": self.code}


def json_response(status: int, body: Json, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py only parses JSON when Content-Type is exactly "application/json"; aiohttp's
    # json_response would append "; charset=utf-8" and discord.py would then see a str.
    all_headers = {"Content-Type": "application/json", "Via": "1.1 google"}
    all_headers.update(headers or {})
    if status == 204:
        del all_headers["Content-Type"]
        return web.Response(status=204, headers=all_headers)
    return web.Response(status=status, body=json.dumps(body).encode(), headers=all_headers)


def _new_record(
    request: web.Request, path: str, template: str | None, params: dict[str, str]
) -> RecordedRequest:
    return RecordedRequest(
        method=request.method,
        path=path,
        template=template,
        operation_id=None,
        path_params=params,
        query=dict(request.query),
        headers={h: request.headers[h] for h in RECORDED_HEADERS if h in request.headers},
        json=None,
        files=[],
        time=asyncio.get_running_loop().time(),
        peer=peer_of(request),
    )


def peer_of(request: web.Request) -> tuple[str, int] | None:
    """The client's (host, port): which socket, hence which process, sent ``request``."""
    peer = request.transport.get_extra_info("peername") if request.transport else None
    return (str(peer[0]), int(peer[1])) if peer else None


def _bucket(template: str | None, method: str) -> str:
    return hashlib.sha1(f"{method} {template}".encode()).hexdigest()[:32]


class PostLimits:
    """Discord's per-channel limit on posting messages (``create_message``): ``posts`` per
    ``per`` seconds per channel, a fixed window from the first post in it, as real Discord
    answers it: ``X-RateLimit-Limit/Remaining/Reset/Reset-After/Bucket`` on every post, a
    429 with ``retry_after`` (scope ``user``) past the limit. Opt-in
    (:meth:`FakeDiscord.limit_posts`): without it every response claims plenty remaining,
    so tests that post faster than Discord allows keep passing."""

    def __init__(self, posts: int = 5, per: float = 5.0) -> None:
        self.posts = posts
        self.per = per
        self.limited = 0  # 429s answered
        self._windows: dict[str, tuple[float, int]] = {}  # channel -> (window end, posts)

    def take(self, channel: str, now: float) -> tuple[bool, int, float]:
        """Spend a post in ``channel``: (allowed, remaining, seconds until the reset)."""
        end, used = self._windows.get(channel, (0.0, 0))
        if now >= end:
            end, used = now + self.per, 0
            # Forget windows that are over: a long test touches many channels.
            if len(self._windows) > 1000:
                self._windows = {c: w for c, w in self._windows.items() if w[0] > now}
        if used >= self.posts:
            self.limited += 1
            return False, 0, end - now
        self._windows[channel] = (end, used + 1)
        return True, self.posts - used - 1, end - now


class RestApi:
    def __init__(self, fake: FakeDiscord) -> None:
        self._fake = fake
        self._spec = load_spec()

    # -- entry points --------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.Response:
        fake = self._fake
        path = unquote(request.raw_path.split("?", 1)[0])[len(API_PREFIX) :] or "/"
        match = self._spec.match(request.method, tuple(path.strip("/").split("/")))
        op = match.operation
        record = _new_record(request, path, op.template if op else None, match.path_params)
        record.operation_id = op.operation_id if op else None
        record.client = fake.client_of(record.peer)

        error = await self._preflight(request, record, op, match.other_methods)
        fault = None if error else fake.take_fault(record)
        limit = None if error or fault else self._post_limit(record)
        if fault is not None:
            response = self._fault_response(fault, record)
        elif limit is not None and not limit[0]:
            response = self._limited_response(record, limit[2])
        else:
            if error is None and op is not None:
                try:
                    record.status, record.response = await self._dispatch(op, record)
                except ApiError as exc:
                    error = exc
            if error is not None:
                record.violations.extend(error.reasons)
                record.status, record.response = error.status, error.body()
                if error.code == 50035:
                    record.response["errors"] = {
                        "_errors": [
                            {"code": "FAKEDISCORD", "message": r} for r in record.violations
                        ]
                    }
            response = json_response(
                record.status, record.response, self._ratelimit_headers(record, limit)
            )
        for reason in record.violations:
            fake.add_violation(Violation(reason, record.method, record.path, record.operation_id))
        # Record only once the response is on the wire, so a test woken by the record does not
        # overtake the bot's handling of the response more than necessary.
        await response.prepare(request)
        await response.write_eof()
        fake.record(record)
        return response

    async def _preflight(
        self,
        request: web.Request,
        record: RecordedRequest,
        op: Operation | None,
        other_methods: tuple[str, ...],
    ) -> ApiError | None:
        """Read and check the request; the error real Discord would answer with, if any."""
        try:
            await self._read_body(request, record)
        except ApiError as exc:
            return exc
        if op is None and other_methods:
            allowed = sorted(set(other_methods))
            return ApiError(
                405, 0, "405: Method Not Allowed", f"{record.method} not allowed (spec: {allowed})"
            )
        if op is None:
            return ApiError(404, 0, "404: Not Found", "no such route in Discord's API spec")
        return self._check(op, record, request, request.content_type)

    async def handle_cdn(self, request: web.Request) -> web.Response:
        """Attachment downloads: ``/attachments/{channel}/{id}/{filename}`` (no auth, no spec)."""
        fake = self._fake
        record = _new_record(request, request.path, "CDN", dict(request.match_info))
        stored = fake.cdn.get(request.path)
        if stored is None:
            record.status = 404
            fake.add_violation(Violation("unknown CDN file", record.method, record.path))
            fake.record(record)
            return web.Response(status=404, text="Not Found")
        data, content_type = stored
        record.status = 200
        response = web.Response(body=data, content_type=content_type or "application/octet-stream")
        await response.prepare(request)
        await response.write_eof()
        fake.record(record)
        return response

    # -- parsing and checking ------------------------------------------------------------------

    async def _read_body(self, request: web.Request, record: RecordedRequest) -> None:
        if not request.can_read_body:
            return
        if request.content_type == "multipart/form-data":
            payload: dict[str, Any] = {}
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue  # nested multipart: Discord does not use it
                name = part.name or ""
                data = await part.read()
                filename = part.filename
                if name == "payload_json":
                    try:
                        record.json = json.loads(data)
                    except ValueError:
                        raise ApiError(
                            400, 50109, "The request body contains invalid JSON."
                        ) from None
                elif filename is not None or name.startswith("files["):
                    ctype = part.headers.get("Content-Type")
                    record.files.append(UploadedFile(name, filename or "", ctype, bytes(data)))
                else:
                    payload[name] = data.decode()
            if record.json is None and payload:
                record.json = payload
            return
        text = await request.text()
        if not text:
            return
        if request.content_type != "application/json":
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                f"unsupported Content-Type {request.content_type!r} for a body",
            )
        try:
            record.json = json.loads(text)
        except ValueError:
            raise ApiError(400, 50109, "The request body contains invalid JSON.") from None

    def _check(
        self, op: Operation, record: RecordedRequest, request: web.Request, content_type: str
    ) -> ApiError | None:
        fake = self._fake
        auth = request.headers.get("Authorization")
        if auth is None and not op.auth_optional:
            return ApiError(401, 0, "401: Unauthorized", "missing Authorization header")
        if auth is not None and auth != f"Bot {fake.token}":
            return ApiError(
                401,
                0,
                "401: Unauthorized",
                "Authorization header is not 'Bot <the configured token>'",
            )
        if auth is not None and not op.bot_token_allowed:
            return ApiError(403, 0, "403: Forbidden", f"{op.operation_id} does not take bot tokens")
        agent = request.headers.get("User-Agent", "")
        # Bot-token requests must identify the library; discord.py's webhook calls don't.
        if auth is not None and not agent.startswith("DiscordBot ("):
            record.violations.append(f"User-Agent {agent!r} is not 'DiscordBot ($url, $version)'")

        reasons: list[str] = []
        for name, value in record.path_params.items():
            if (reason := self._spec.validate_parameter(op, name, "path", value)) is not None:
                reasons.append(reason)
        for name, value in record.query.items():
            if (reason := self._spec.validate_parameter(op, name, "query", value)) is not None:
                reasons.append(reason)
        if op.body_content_types:
            if record.json is None and not record.files:
                if op.body_required:
                    reasons.append("request body is required")
            else:
                spec_type = (
                    "multipart/form-data"
                    if record.files or content_type.startswith("multipart/")
                    else "application/json"
                )
                body = record.json if record.json is not None else {}
                schema_reasons = self._spec.validate_body(op, spec_type, body)
                reasons += schema_reasons
                if not schema_reasons:
                    reasons += extra_checks(op.operation_id, body, file_count=len(record.files))
        total = sum(len(f.data) for f in record.files)
        if total > MAX_UPLOAD_BYTES:
            return ApiError(
                413,
                40005,
                "Request entity too large",
                f"{total} bytes of files; a bot may upload {MAX_UPLOAD_BYTES}",
            )
        if reasons:
            return ApiError(400, 50035, "Invalid Form Body", *reasons)
        return None

    # -- responses -----------------------------------------------------------------------------

    def _post_limit(self, record: RecordedRequest) -> tuple[bool, int, float] | None:
        """The channel's post bucket spent (FakeDiscord.limit_posts), for create_message."""
        limits = self._fake.post_limits
        if limits is None or record.operation_id != "create_message":
            return None
        channel = record.path_params.get("channel_id", "")
        return limits.take(channel, time.monotonic())

    def _ratelimit_headers(
        self, record: RecordedRequest, limit: tuple[bool, int, float] | None = None
    ) -> dict[str, str]:
        if limit is not None:  # Discord-like: the channel's bucket as it stands
            limits = self._fake.post_limits
            assert limits is not None
            _, remaining, reset_after = limit
            return {
                "X-RateLimit-Bucket": _bucket(record.template, record.method),
                "X-RateLimit-Limit": str(limits.posts),
                "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
                "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            }
        # Plenty remaining, so discord.py never pre-emptively waits, but its bucket code runs.
        return {
            "X-RateLimit-Bucket": _bucket(record.template, record.method),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "4",
            "X-RateLimit-Reset": f"{time.time() + 1.0:.3f}",
            "X-RateLimit-Reset-After": "1.000",
        }

    def _limited_response(self, record: RecordedRequest, retry_after: float) -> web.Response:
        """Past the channel's post limit: Discord's 429 (not a violation: a client may
        overrun a bucket it has not seen yet; discord.py waits and retries)."""
        limits = self._fake.post_limits
        assert limits is not None
        record.injected = True  # refused, like fail_next's: not a post
        record.status = 429
        body: Json = {
            "message": "You are being rate limited.",
            "retry_after": round(retry_after, 3),
            "global": False,
        }
        record.response = body
        return json_response(
            429,
            body,
            {
                "Retry-After": str(max(1, round(retry_after))),
                "X-RateLimit-Bucket": _bucket(record.template, record.method),
                "X-RateLimit-Limit": str(limits.posts),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                "X-RateLimit-Scope": "user",
            },
        )

    def _fault_response(self, fault: Fault, record: RecordedRequest) -> web.Response:
        record.injected = True
        record.status = fault.status
        if fault.status == 429:
            body: Json = {
                "message": "You are being rate limited.",
                "retry_after": fault.retry_after,
                "global": fault.is_global,
            }
            headers = {
                # discord.py treats a 429 without `Via` as a Cloudflare ban and gives up.
                "Via": "1.1 google",
                "Retry-After": str(max(1, round(fault.retry_after))),
                "X-RateLimit-Bucket": _bucket(record.template, record.method),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + fault.retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
                "X-RateLimit-Scope": "global" if fault.is_global else "user",
            }
            if fault.is_global:
                headers["X-RateLimit-Global"] = "true"
            record.response = body
            return json_response(429, body, headers)
        if fault.status == 502:
            # Cloudflare's gateway errors are HTML, not JSON.
            record.response = "502 Bad Gateway"
            return web.Response(
                status=502,
                text="<html><body>502 Bad Gateway</body></html>",
                content_type="text/html",
            )
        body = {"message": f"{fault.status}: Injected failure", "code": 0}
        record.response = body
        return json_response(fault.status, body)

    async def _dispatch(self, op: Operation, record: RecordedRequest) -> tuple[int, Json]:
        handler: Handler | None = getattr(self, f"op_{op.operation_id}", None)
        if handler is None:
            raise ApiError(
                501,
                0,
                "501: Not emulated",
                f"fakediscord does not emulate {op.operation_id} "
                f"({op.method} {op.template}); add a handler in rest.py",
            )
        return await handler(record)

    # -- helpers -------------------------------------------------------------------------------

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

    # -- application commands ------------------------------------------------------------------

    def _command_store(
        self, record: RecordedRequest
    ) -> tuple[dict[int, dict[str, Any]], int | None]:
        self._app_check(record)
        if "guild_id" in record.path_params:
            # Discord answers a server the application is not in (or no server at all)
            # with 403 Missing Access here, not 404 Unknown Guild.
            guild = self._fake.guilds.get(int(record.path_params["guild_id"]))
            if guild is None or self._fake.bot_user.id not in guild.members:
                raise ApiError(
                    403,
                    50001,
                    "Missing Access",
                    f"the application is not in guild {record.path_params['guild_id']}",
                )
            return self._fake.guild_command_store(guild.id), guild.id
        return self._fake.global_command_store, None

    def _stored_command(
        self, body: dict[str, Any], guild_id: int | None, existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        fake = self._fake
        command = dict(body)
        command["type"] = command.get("type") or 1
        command["id"] = existing["id"] if existing else str(fake.snowflake())
        command["application_id"] = str(fake.application_id)
        command["version"] = str(fake.snowflake())
        command.setdefault("description", "")
        command.setdefault("options", [])
        # Discord answers with permissions as a string and fills in the defaults.
        perms = command.get("default_member_permissions")
        command["default_member_permissions"] = None if perms is None else str(perms)
        command.setdefault("dm_permission", True)
        command.setdefault("nsfw", False)
        command.setdefault("contexts", None)
        command.setdefault("integration_types", [0])
        if guild_id is not None:
            command["guild_id"] = str(guild_id)
        return command

    async def op_bulk_set_application_commands(self, record: RecordedRequest) -> tuple[int, Json]:
        store, guild_id = self._command_store(record)
        by_key = {(c["type"], c["name"]): c for c in store.values()}
        new = [
            self._stored_command(c, guild_id, by_key.get((c.get("type") or 1, c["name"])))
            for c in record.json or []
        ]
        store.clear()
        store.update({int(c["id"]): c for c in new})
        self._fake.notify()
        return 200, new

    op_bulk_set_guild_application_commands = op_bulk_set_application_commands

    async def op_list_application_commands(self, record: RecordedRequest) -> tuple[int, Json]:
        store, _ = self._command_store(record)
        return 200, list(store.values())

    op_list_guild_application_commands = op_list_application_commands

    async def op_create_application_command(self, record: RecordedRequest) -> tuple[int, Json]:
        store, guild_id = self._command_store(record)
        body = record.json
        existing = next(
            (
                c
                for c in store.values()
                if c["name"] == body["name"] and c["type"] == (body.get("type") or 1)
            ),
            None,
        )
        command = self._stored_command(body, guild_id, existing)
        store[int(command["id"])] = command
        return (200 if existing else 201), command

    op_create_guild_application_command = op_create_application_command

    def _command(self, record: RecordedRequest) -> tuple[dict[int, dict[str, Any]], dict[str, Any]]:
        store, _ = self._command_store(record)
        command = store.get(int(record.path_params["command_id"]))
        if command is None:
            raise ApiError(404, 10063, "Unknown application command")
        return store, command

    async def op_get_application_command(self, record: RecordedRequest) -> tuple[int, Json]:
        return 200, self._command(record)[1]

    op_get_guild_application_command = op_get_application_command

    async def op_update_application_command(self, record: RecordedRequest) -> tuple[int, Json]:
        store, command = self._command(record)
        guild_id = int(command["guild_id"]) if "guild_id" in command else None
        updated = self._stored_command({**command, **record.json}, guild_id, command)
        store[int(updated["id"])] = updated
        return 200, updated

    op_update_guild_application_command = op_update_application_command

    async def op_delete_application_command(self, record: RecordedRequest) -> tuple[int, Json]:
        store, command = self._command(record)
        del store[int(command["id"])]
        return 204, None

    op_delete_guild_application_command = op_delete_application_command

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

    # -- interactions and their webhooks -------------------------------------------------------

    async def op_create_interaction_response(self, record: RecordedRequest) -> tuple[int, Json]:
        fake = self._fake
        interaction = fake.interactions.get(int(record.path_params["interaction_id"]))
        if interaction is None or interaction.token != record.path_params["interaction_token"]:
            raise ApiError(404, 10062, "Unknown interaction")
        if interaction.callback_type is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        elapsed = record.time - interaction.created
        if elapsed > fake.interaction_deadline:
            raise ApiError(
                404,
                10062,
                "Unknown interaction",
                f"callback {elapsed:.2f}s after the interaction; Discord allows "
                f"{fake.interaction_deadline:.1f}s (defer first)",
            )
        body = record.json or {}
        ctype = body.get("type")
        if ctype not in ALLOWED_CALLBACKS.get(interaction.type, frozenset()):
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                f"callback type {ctype} is not valid for interaction type {interaction.type}",
            )
        interaction.callback_type = ctype
        data = body.get("data") or {}
        resource: dict[str, Any] | None = None
        if ctype in (4, 5):
            stored = await fake.create_interaction_message(
                interaction, data, record.files, loading=ctype == 5
            )
            interaction.original_message_id = stored.id
            resource = {"type": ctype, "message": stored.payload}
        elif ctype in (6, 7):
            interaction.original_message_id = interaction.message_id
            stored = fake.messages[interaction.message_id] if interaction.message_id else None
            if ctype == 7 and stored is not None:
                await fake.edit_message(stored, data, record.files)
            if stored is not None:
                resource = {"type": ctype, "message": stored.payload}
        elif ctype == 8:
            interaction.choices = list(data.get("choices") or [])
        elif ctype == 9:
            interaction.modal = data
        fake.notify()
        if record.query.get("with_response", "").lower() not in ("1", "true"):
            return 204, None
        flags = int(data.get("flags") or 0)
        answer: dict[str, Any] = {
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.type,
                "response_message_loading": ctype == 5,
                "response_message_ephemeral": bool(flags & MESSAGE_FLAG_EPHEMERAL),
            }
        }
        if interaction.original_message_id is not None:
            answer["interaction"]["response_message_id"] = str(interaction.original_message_id)
        if resource is not None:
            answer["resource"] = resource
        return 200, answer

    def _webhook_interaction(self, record: RecordedRequest) -> InteractionRecord:
        fake = self._fake
        token = record.path_params["webhook_token"]
        interaction = fake.interaction_by_token(token)
        if int(record.path_params["webhook_id"]) != fake.application_id or interaction is None:
            raise ApiError(404, 10015, "Unknown Webhook")
        if interaction.callback_type is None:
            raise ApiError(
                404,
                10015,
                "Unknown Webhook",
                "interaction webhook used before the interaction was acknowledged",
            )
        return interaction

    def _interaction_message(
        self, interaction: InteractionRecord, message_id: str
    ) -> StoredMessage:
        fake = self._fake
        if message_id == "@original":
            wanted = interaction.original_message_id
        else:
            wanted = int(message_id)
            if wanted not in interaction.followup_ids and wanted != interaction.original_message_id:
                wanted = None
        stored = fake.messages.get(wanted) if wanted is not None else None
        if stored is None:
            raise ApiError(404, 10008, "Unknown Message")
        return stored

    async def op_execute_webhook(self, record: RecordedRequest) -> tuple[int, Json]:
        fake = self._fake
        interaction = self._webhook_interaction(record)
        body = record.json or {}
        original = (
            fake.messages.get(interaction.original_message_id)
            if interaction.original_message_id
            else None
        )
        if (
            original is not None
            and original.payload["flags"] & MESSAGE_FLAG_LOADING
            and not interaction.followup_ids
        ):
            # The first followup after a "thinking" defer replaces the loading message.
            await fake.edit_message(original, body, record.files)
            stored = original
        else:
            stored = await fake.create_interaction_message(
                interaction, body, record.files, followup=True
            )
            interaction.followup_ids.append(stored.id)
        if record.query.get("wait", "").lower() in ("1", "true"):
            return 200, stored.payload
        return 204, None

    async def op_get_original_webhook_message(self, record: RecordedRequest) -> tuple[int, Json]:
        interaction = self._webhook_interaction(record)
        return 200, self._interaction_message(interaction, "@original").payload

    async def op_update_original_webhook_message(self, record: RecordedRequest) -> tuple[int, Json]:
        interaction = self._webhook_interaction(record)
        stored = self._interaction_message(interaction, "@original")
        await self._fake.edit_message(stored, record.json or {}, record.files)
        return 200, stored.payload

    async def op_delete_original_webhook_message(self, record: RecordedRequest) -> tuple[int, Json]:
        interaction = self._webhook_interaction(record)
        await self._fake.delete_message(self._interaction_message(interaction, "@original"))
        return 204, None

    async def op_get_webhook_message(self, record: RecordedRequest) -> tuple[int, Json]:
        interaction = self._webhook_interaction(record)
        return 200, self._interaction_message(interaction, record.path_params["message_id"]).payload

    async def op_update_webhook_message(self, record: RecordedRequest) -> tuple[int, Json]:
        interaction = self._webhook_interaction(record)
        stored = self._interaction_message(interaction, record.path_params["message_id"])
        await self._fake.edit_message(stored, record.json or {}, record.files)
        return 200, stored.payload

    async def op_delete_webhook_message(self, record: RecordedRequest) -> tuple[int, Json]:
        interaction = self._webhook_interaction(record)
        stored = self._interaction_message(interaction, record.path_params["message_id"])
        await self._fake.delete_message(stored)
        return 204, None


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
