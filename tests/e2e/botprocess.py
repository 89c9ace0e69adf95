"""The real showbot process (``python -m bot run``) driven against a FakeDiscord.

Shared by the end-to-end fixtures (conftest.py) and ``benchmarks/bot_latency.py``.

    bot = await RunningBot.start(fake, tmp_path, {"limits": {"cooldown_rate": 3}})
    reply = await bot.ask(guild.id, channel.id, user.id, "!who nuke")
    assert "Nuke" in reply.json["content"]
    assert await bot.stop() == 0
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fakediscord import MANAGE_MESSAGES, FakeDiscord, FakeGuild, FileSpec, RecordedRequest

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 20.0  # interpreter + discord.py import + seeding + discord.py's 2 s guild wait
REPLY_TIMEOUT = 5.0
STOP_TIMEOUT = 5.0
TRACEBACK = "Traceback (most recent call last)"

TomlValue = str | int | float | bool | Sequence[str | int]
ConfigSections = Mapping[str, Mapping[str, TomlValue]]
StartBot = Callable[..., Awaitable["RunningBot"]]  # the start_bot fixture


def toml_value(value: TomlValue) -> str:
    """A TOML literal; JSON's string escapes are valid TOML basic-string escapes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    return "[" + ", ".join(toml_value(v) for v in value) + "]"


def render_toml(sections: ConfigSections) -> str:
    lines: list[str] = []
    for section, keys in sections.items():
        lines.append(f"[{section}]")
        lines += [f"{key} = {toml_value(value)}" for key, value in keys.items()]
        lines.append("")
    return "\n".join(lines)


def bot_config(fake: FakeDiscord, overrides: ConfigSections | None = None) -> dict[str, Any]:
    """The config pointing the bot at ``fake``, with sections/keys from ``overrides`` merged."""
    config: dict[str, dict[str, Any]] = {
        "discord": {
            "token": fake.token,
            "api_base": fake.api_base,
            "gateway_url": fake.gateway_url,
            "prefix": "!",
        },
        "logging": {"format": "json", "level": "INFO"},
    }
    for section, keys in (overrides or {}).items():
        config.setdefault(section, {}).update(keys)
    return config


def write_config(workdir: Path, config: ConfigSections) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "config.toml"
    path.write_text(render_toml(config), encoding="utf-8")
    return path


def bot_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The outer environment minus anything that would redirect the bot (token, db)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "SHOWBOT_DB")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra or {})
    return env


def bot_command(config_path: Path, db_path: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(config_path),
        "--db",
        str(db_path),
    ]


def run_once(
    config_path: Path, db_path: Path, env: Mapping[str, str] | None = None, timeout: float = 20
) -> subprocess.CompletedProcess[str]:
    """``python -m bot run`` to completion (for start-up failures, which need no fake)."""
    return subprocess.run(
        bot_command(config_path, db_path),
        cwd=ROOT,
        env=bot_env(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def build_world(fake: FakeDiscord, channels: int = 80) -> tuple[FakeGuild, FakeGuild]:
    """Two servers, each with a "Moderator" role (Manage Messages), a "Curator" role with no
    permissions (moderator by config: ``[moderation] roles``) and many channels, so tests
    sharing one bot process can each take their own channel."""
    names = ["general", *(f"c{i:02d}" for i in range(channels))]
    roles = {"Moderator": MANAGE_MESSAGES, "Curator": 0}
    # Someone else owns the servers: the app owner (fake.owner) is then a plain member there,
    # so what it may do comes from discord.py's is_owner, not from owning the server.
    server_owner = fake.add_user("serverowner").id
    main = fake.add_guild("Test Server", channels=names, roles=roles, owner_id=server_owner)
    other = fake.add_guild("Other Server", channels=names, roles=roles, owner_id=server_owner)
    return main, other


@dataclass
class World:
    """One fake Discord with two servers, shared by a module's tests. Each test takes its own
    channel (``channel()``) and members (``user()``) so that tests sharing a bot process stay
    independent (cooldowns are per member, replies are found by channel and message)."""

    fake: FakeDiscord
    main: FakeGuild
    other: FakeGuild
    _next_channel: int = 0

    def channel(self) -> int:
        """A channel of the main server no other test of the module uses."""
        self._next_channel += 1
        return self.main.channel(f"c{self._next_channel:02d}").id

    def other_channel(self) -> int:
        """The same-named channel in the other server (call after ``channel()``)."""
        return self.other.channel(f"c{self._next_channel:02d}").id

    def user(self, name: str = "fan") -> int:
        return self.fake.add_user(f"{name}{len(self.fake.users)}").id


def replies_to(message_id: int) -> Callable[[RecordedRequest], bool]:
    """A successful (not injected) message the bot posted in reply to ``message_id``."""

    def check(request: RecordedRequest) -> bool:
        if request.operation_id != "create_message" or request.injected:
            return False
        body = request.json if isinstance(request.json, dict) else {}
        reference = body.get("message_reference") or {}
        return str(reference.get("message_id")) == str(message_id)

    return check


class RunningBot:
    """One ``python -m bot run`` process: its config, database and captured logs."""

    def __init__(
        self,
        fake: FakeDiscord,
        process: asyncio.subprocess.Process,
        config_path: Path,
        db_path: Path,
        since: int,
    ) -> None:
        self.fake = fake
        self.process = process
        self.config_path = config_path
        self.db_path = db_path
        self.started_at = since  # index into fake.requests when the process was started
        self.lines: list[str] = []  # stderr, one entry per line
        self.stdout: list[str] = []
        self.exited = False
        self._readers = [
            asyncio.create_task(self._read(process.stderr, self.lines)),
            asyncio.create_task(self._read(process.stdout, self.stdout)),
        ]
        self._waiter = asyncio.create_task(self._wait_exit())

    # -- start and stop ----------------------------------------------------------------------

    @classmethod
    async def start(
        cls,
        fake: FakeDiscord,
        workdir: Path,
        overrides: ConfigSections | None = None,
        *,
        wait: bool = True,
        db_path: Path | None = None,
    ) -> RunningBot:
        """Write a config, start the bot, and (``wait``) return once it is ready: on the
        gateway, its slash commands synced, and its ``ready`` event logged."""
        config_path = write_config(workdir, bot_config(fake, overrides))
        db_path = db_path or workdir / "showbot.db"
        since = len(fake.requests)
        process = await asyncio.create_subprocess_exec(
            *bot_command(config_path, db_path),
            cwd=ROOT,
            env=bot_env(),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        bot = cls(fake, process, config_path, db_path, since)
        if wait:
            try:
                await bot.wait_until_ready()
            except BaseException:
                await bot.kill()
                raise
        return bot

    async def wait_until_ready(self, timeout: float = START_TIMEOUT) -> None:  # noqa: ASYNC109
        def ready() -> bool | None:
            self._check_alive()
            synced = any(
                r.operation_id == "bulk_set_application_commands" and r.status == 200
                for r in self.fake.requests[self.started_at :]
            )
            if synced and self.fake.gateway.ready.is_set() and self.events("ready"):
                return True
            return None

        await self.fake.wait_for(ready, timeout, "the bot process to be ready")

    async def stop(self, timeout: float = STOP_TIMEOUT) -> int:  # noqa: ASYNC109
        """SIGTERM, as a service manager would; the exit code (killed after ``timeout``)."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(timeout):
                code = await self.process.wait()
                await asyncio.gather(*self._readers)
        except TimeoutError:
            await self.kill()
            raise AssertionError(
                f"the bot did not exit within {timeout}s of SIGTERM\n{self.log_tail()}"
            ) from None
        return code

    async def wait_exit(self, timeout: float = STOP_TIMEOUT) -> int:  # noqa: ASYNC109
        """The exit code of a process that ends by itself (no signal sent)."""
        await self.fake.wait_for(lambda: True if self.exited else None, timeout, "the bot to exit")
        await asyncio.gather(*self._readers)
        assert self.process.returncode is not None
        return self.process.returncode

    async def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()
        for reader in self._readers:
            reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._readers, return_exceptions=True)

    async def stop_cleanly(self) -> None:
        """Stop and assert what every run must end with: exit 0, no traceback, every stderr
        line a JSON record (``[logging] format = "json"``) and the token in none of them."""
        code = await self.stop()
        assert code == 0, f"exit code {code}\n{self.log_tail()}"
        self.assert_no_tracebacks()
        stray = [line for line in self.lines if line.strip() and not line.startswith("{")]
        assert not stray and len(self.logs) == len(self.lines), "\n".join(stray[:10])
        assert not any(self.fake.token in line for line in self.lines + self.stdout)

    # -- output --------------------------------------------------------------------------------

    async def _read(self, stream: asyncio.StreamReader | None, into: list[str]) -> None:
        assert stream is not None
        while line := await stream.readline():
            into.append(line.decode("utf-8", "replace").rstrip("\n"))
            self.fake.notify()  # so fake.wait_for() also waits on log lines

    async def _wait_exit(self) -> None:
        await self.process.wait()
        self.exited = True
        self.fake.notify()

    def _check_alive(self) -> None:
        if self.exited:
            raise AssertionError(
                f"the bot exited with {self.process.returncode}\n{self.log_tail()}"
            )

    @property
    def logs(self) -> list[dict[str, Any]]:
        """stderr lines that are JSON log records."""
        out = []
        for line in self.lines:
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict):
                    out.append(record)
        return out

    def events(self, name: str) -> list[dict[str, Any]]:
        return [r for r in self.logs if r.get("event") == name]

    async def wait_for_log(
        self,
        check: Callable[[dict[str, Any]], bool],
        timeout: float = REPLY_TIMEOUT,  # noqa: ASYNC109
        *,
        since: int = 0,
        what: str = "a log record",
    ) -> dict[str, Any]:
        """The first JSON log record (from stderr line ``since``) that passes ``check``."""

        def find() -> dict[str, Any] | None:
            for line in self.lines[since:]:
                with contextlib.suppress(ValueError):
                    record = json.loads(line)
                    if isinstance(record, dict) and check(record):
                        return record
            self._check_alive()
            return None

        return await self.fake.wait_for(find, timeout, what)

    def tracebacks(self) -> list[str]:
        """Logged exceptions: JSON records with ``exception`` and raw traceback lines."""
        found = [line for line in self.lines if TRACEBACK in line]
        found += [json.dumps(r) for r in self.logs if "exception" in r or "exc_info" in r]
        return found

    def assert_no_tracebacks(self) -> None:
        found = self.tracebacks()
        assert not found, "the bot logged tracebacks:\n" + "\n".join(found)

    def log_tail(self, count: int = 30) -> str:
        return "bot stderr (last lines):\n" + "\n".join(self.lines[-count:])

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Read the bot's database while it runs (WAL mode lets a reader in; read-only)."""
        with contextlib.closing(
            sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=5)
        ) as db:
            db.row_factory = sqlite3.Row
            return [dict(row) for row in db.execute(sql, params)]

    # -- talking to it ---------------------------------------------------------------------------

    async def ask(
        self,
        guild_id: int,
        channel_id: int,
        user_id: int,
        content: str,
        *,
        roles: Sequence[int | str] | None = None,
        attachments: Sequence[FileSpec] = (),
        timeout: float = REPLY_TIMEOUT,  # noqa: ASYNC109
    ) -> RecordedRequest:
        """Post ``content`` as a member; the bot's reply to it (a create_message request)."""
        since = len(self.fake.requests)
        message_id = await self.fake.send_message(
            guild_id, channel_id, user_id, content, roles=roles, attachments=attachments
        )
        return await self.reply_to(message_id, timeout, since=since)

    async def reply_to(
        self,
        message_id: int,
        timeout: float = REPLY_TIMEOUT,  # noqa: ASYNC109
        *,
        since: int = 0,
    ) -> RecordedRequest:
        check = replies_to(message_id)

        def find() -> RecordedRequest | None:
            found = next((r for r in self.fake.requests[since:] if check(r)), None)
            if found is None:
                self._check_alive()
            return found

        return await self.fake.wait_for(find, timeout, f"the reply to message {message_id}")
