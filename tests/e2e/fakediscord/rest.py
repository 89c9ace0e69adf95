"""The fake REST API under ``/api/v10``: record, validate against the spec, then emulate.

Every request is recorded. A request real Discord would refuse (unknown route, bad token, body
outside the spec, unknown message, callback too late...) is answered with Discord's error shape
*and* recorded as a violation, so the test using the fake fails even if the bot swallowed the
error.

This module is the request pipeline (record, read, check, inject faults, rate-limit,
dispatch to ``op_<operationId>``, answer) and the CDN. The handlers live in one module per
group of routes, all inherited by RestApi: ``routes_resources`` (the bot's user and
application, the gateway, DMs, guilds, channels), ``routes_commands``, ``routes_messages``
(with pins and reactions) and ``routes_interactions`` (callbacks and their webhooks), on
``routes_base``'s shared lookups; ``ratelimits`` adds the rate-limit answers.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aiohttp import BodyPartReader, web

from .ratelimits import RateLimits
from .records import RECORDED_HEADERS, RecordedRequest, UploadedFile, Violation
from .responses import ApiError, Json, json_response
from .routes_commands import CommandRoutes
from .routes_interactions import InteractionRoutes
from .routes_messages import MessageRoutes
from .routes_resources import ResourceRoutes
from .spec import Operation, extra_checks, load_spec

if TYPE_CHECKING:
    from .server import FakeDiscord

API_PREFIX = "/api/v10"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # a bot's upload limit without boosts

Handler = Callable[[RecordedRequest], Awaitable[tuple[int, Json]]]


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


class RestApi(RateLimits, ResourceRoutes, CommandRoutes, MessageRoutes, InteractionRoutes):
    """The request pipeline; the ``op_*`` handlers come from the route groups it inherits."""

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

    async def _dispatch(self, op: Operation, record: RecordedRequest) -> tuple[int, Json]:
        handler: Handler | None = getattr(self, f"op_{op.operation_id}", None)
        if handler is None:
            raise ApiError(
                501,
                0,
                "501: Not emulated",
                f"fakediscord does not emulate {op.operation_id} "
                f"({op.method} {op.template}); add a handler in routes_*.py",
            )
        return await handler(record)
