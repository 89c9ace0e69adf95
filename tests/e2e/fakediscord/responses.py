"""Discord-shaped HTTP answers shared by the REST API, its routes and the server.

``ApiError`` is a Discord error response the bot caused (status, JSON error code, message,
and the reasons recorded as violations); ``json_response`` answers JSON the way discord.py
needs it (``Content-Type`` exactly ``application/json``, Discord's ``Via`` header).
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

Json = Any


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
