"""FakeDiscord: one aiohttp server on 127.0.0.1 serving REST, the gateway and attachment files.

This module assembles FakeDiscord from its layers (``core`` state, ``world``, ``commands``,
``messages``, ``interactions``, ``recording``, ``gateway_control``, ``faults``) and owns its
lifecycle: the routes of the one HTTP server, starting on a free port, stopping, and
pointing an in-process discord.py at it.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

from aiohttp import web

from .faults import Faults
from .gateway import RESUME_PATH
from .gateway_control import GatewayControl
from .interactions import Interactions
from .records import Violation
from .responses import json_response
from .rest import API_PREFIX


class FakeDiscord(Interactions, GatewayControl, Faults):
    """A strict fake of Discord's REST API and gateway for driving a real discord.py bot."""

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
