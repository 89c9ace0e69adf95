"""What the fake remembers about the bot's traffic: requests, violations, injected faults."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

RECORDED_HEADERS = (
    "Authorization",
    "Content-Type",
    "User-Agent",
    "X-Audit-Log-Reason",
)


@dataclass(frozen=True)
class UploadedFile:
    """One ``files[n]`` part of a multipart body."""

    field: str
    filename: str
    content_type: str | None
    data: bytes


@dataclass
class RecordedRequest:
    """One HTTP request the bot made to the fake.

    ``path`` is relative to ``/api/v10`` (CDN downloads keep their full path and have
    ``template == "CDN"``). ``json`` is the JSON body, or the parsed ``payload_json`` of a
    multipart body, whose files are in ``files``.
    """

    method: str
    path: str
    template: str | None
    operation_id: str | None
    path_params: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    files: list[UploadedFile]
    time: float  # event-loop time of arrival
    status: int = 0
    response: Any = None
    injected: bool = False  # answered by fail_next() rather than emulated
    violations: list[str] = field(default_factory=list)
    # Who made it: the client's (host, port), and the name FakeDiscord.name_client gave that
    # address while the request was open (e.g. which of several bot processes sharing one
    # token; they are told apart by their sockets, not by what they send).
    peer: tuple[str, int] | None = None
    client: str | None = None

    def __str__(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.query.items())
        status = f" -> {self.status}" + (" (injected)" if self.injected else "")
        body = "" if self.json is None else f" {_brief(self.json)}"
        files = f" files={[f.filename for f in self.files]}" if self.files else ""
        return f"{self.method} {self.path}{'?' + query if query else ''}{status}{body}{files}"


@dataclass(frozen=True)
class Violation:
    """Something the bot did that real Discord would reject (or a spec gap in the fake)."""

    reason: str
    method: str = ""
    path: str = ""
    operation_id: str | None = None

    def __str__(self) -> str:
        where = f"{self.method} {self.path}".strip()
        op = f" [{self.operation_id}]" if self.operation_id else ""
        return f"{where}{op}: {self.reason}" if where else self.reason


RequestPredicate = Callable[[RecordedRequest], bool]


@dataclass
class Fault:
    """An injected failure for the next ``times`` matching requests."""

    method: str | None
    match: str | RequestPredicate
    status: int
    retry_after: float
    times: int
    is_global: bool = False

    def matches(self, request: RecordedRequest) -> bool:
        if self.method is not None and self.method.upper() != request.method:
            return False
        if callable(self.match):
            return self.match(request)
        return self.match in (request.template, request.path, request.operation_id)


@dataclass
class Stall:
    """A held create_message (see FakeDiscord.stall_posts): ``reached`` once it arrived."""

    after_create: bool
    reached: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)  # at stop(), at the latest


@dataclass(frozen=True)
class InteractionHandle:
    """Identifies an interaction sent to the bot, to find its callback and webhook requests."""

    id: int
    token: str
    application_id: int
    type: int
    channel_id: int
    guild_id: int | None

    @property
    def callback_path(self) -> str:
        return f"/interactions/{self.id}/{self.token}/callback"

    @property
    def webhook_path(self) -> str:
        return f"/webhooks/{self.application_id}/{self.token}"

    def is_callback(self, request: RecordedRequest) -> bool:
        return request.method == "POST" and request.path == self.callback_path

    def is_followup_or_edit(self, request: RecordedRequest) -> bool:
        return request.path.startswith(self.webhook_path)


def _brief(value: Any, limit: int = 160) -> str:
    text = re.sub(r"\s+", " ", repr(value))
    return text if len(text) <= limit else f"{text[:limit]}…"
