"""A strict fake Discord (REST + gateway + attachment CDN) for end-to-end tests of the bot.

One aiohttp server on 127.0.0.1 (a free port) plays Discord for a real discord.py client:

* REST under ``/api/v10``: every request is recorded and checked against Discord's own OpenAPI
  description (``tests/e2e/discord-api-spec/openapi.json``) plus rules the file omits (2000-char
  bot content, command/option naming, empty messages, embed totals, ``Bot <token>`` auth).
  Whatever real Discord would refuse gets Discord's error response *and* a recorded violation.
* Gateway at ``/`` (RESUME at ``/resume``, READY's ``resume_gateway_url``): HELLO, heartbeat
  ACKs, IDENTIFY -> READY + GUILD_CREATE, intent gating (incl. MESSAGE_CONTENT blanking),
  RESUME with replay of missed events, RECONNECT / INVALID_SESSION on demand.
* Attachment files at ``/attachments/{channel}/{id}/{filename}``.

Pointing discord.py at it takes two class attributes and the fake's token::

    discord.http.Route.BASE = fake.api_base                  # http://127.0.0.1:PORT/api/v10
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    await bot.start(fake.token)          # in-process: ``with discord_py_pointed_at(fake): ...``

A test (see ``conftest.fake_discord``, which fails the test on any violation)::

    guild, general = fake.guild, fake.guild.channel("general")
    await fake.wait_until_ready()
    since = len(fake.requests)
    await fake.send_message(guild.id, general.id, 1234, "!ping", roles=("Moderator",))
    reply = await fake.wait_for_request(lambda r: r.operation_id == "create_message", since=since)
    assert reply.json["content"] == "pong"

    handle = await fake.send_slash_command(guild.id, general.id, 1, "show info", {"title": "Lost"})
    callback = await fake.wait_for_callback(handle)  # POST /interactions/{id}/{token}/callback

Layout: ``server.FakeDiscord`` serves and stacks the test-facing layers on ``core.FakeCore``
(state, settings, addresses): ``world``, ``commands``, ``messages``, ``interactions``,
``recording``, ``gateway_control`` and ``faults``. ``gateway`` speaks the gateway protocol;
``rest`` is the REST pipeline, with ``ratelimits``, ``responses`` and the ``routes_*``
handlers; ``spec`` checks against the OpenAPI file; ``state`` (users, guilds, channels),
``state_messages`` (messages, interactions), ``flags`` (Discord's numbers) and ``records``
hold the data.
"""

from .flags import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    MANAGE_GUILD,
    MANAGE_MESSAGES,
    PRIVILEGED_INTENTS,
)
from .messages import FileSpec
from .records import Fault, InteractionHandle, RecordedRequest, UploadedFile, Violation
from .server import FakeDiscord, discord_py_pointed_at
from .spec import ApiSpec, load_spec, valid_command_name
from .state import FakeChannel, FakeGuild, FakeMember, FakeRole, FakeUser, Overwrite

__all__ = [
    "ADMINISTRATOR",
    "ALL_PERMISSIONS",
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "MANAGE_GUILD",
    "MANAGE_MESSAGES",
    "PRIVILEGED_INTENTS",
    "ApiSpec",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "Fault",
    "FileSpec",
    "InteractionHandle",
    "Overwrite",
    "RecordedRequest",
    "UploadedFile",
    "Violation",
    "discord_py_pointed_at",
    "load_spec",
    "valid_command_name",
]
