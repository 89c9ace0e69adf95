"""The real showbot process (``python -m bot run``) driven against a FakeDiscord.

Shared by the end-to-end fixtures (conftest.py) and the benchmarks (``bot_latency.py``,
``load.py``).

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
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from fakediscord import MANAGE_MESSAGES, FakeDiscord, FakeGuild, FileSpec, RecordedRequest

from bot.engine import Engine

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


def content(request: RecordedRequest) -> str:
    """The text a recorded REST call posted ("" for none)."""
    return str(request.json.get("content") or "")


def expected(reference: Engine, message: str) -> str:
    """What the engine itself replies to ``message``: the bot's reply must be exactly it
    (days as Discord timestamps, as the bot posts them)."""
    return reference.reply(reference.ask(message), dates="discord").content


def replies_to(message_id: int) -> Callable[[RecordedRequest], bool]:
    """A successful (not injected) message the bot posted in reply to ``message_id``."""

    def check(request: RecordedRequest) -> bool:
        if request.operation_id != "create_message" or request.injected:
            return False
        body = request.json if isinstance(request.json, dict) else {}
        reference = body.get("message_reference") or {}
        return str(reference.get("message_id")) == str(message_id)

    return check


def posts_in(fake: FakeDiscord, channel_id: int, since: int = 0) -> list[RecordedRequest]:
    """Messages the bot posted (accepted, not injected faults) in ``channel_id``, from
    request ``since`` on."""
    return [
        r
        for r in fake.requests[since:]
        if r.operation_id == "create_message"
        and not r.injected
        and r.path_params.get("channel_id") == str(channel_id)
    ]


def replied_message_id(request: RecordedRequest) -> int | None:
    """The message a create_message request replies to (``message_reference``), if any."""
    if request.operation_id != "create_message" or not isinstance(request.json, dict):
        return None
    reference = request.json.get("message_reference") or {}
    message_id = reference.get("message_id")
    return int(message_id) if message_id is not None else None


class ReplyTracker:
    """The bot's replies indexed by the message they answer, read incrementally from
    ``fake.requests``: under load, scanning every request for every question (as
    ``RunningBot.reply_to`` does) would be quadratic.

        tracker = ReplyTracker(fake)
        ids = [await fake.send_message(...) for ...]
        await tracker.wait_for_replies(ids, timeout=30)
        assert len(tracker.replies[ids[0]]) == 1  # exactly one reply
    """

    def __init__(self, fake: FakeDiscord, *, since: int | None = None) -> None:
        self.fake = fake
        self._next = len(fake.requests) if since is None else since
        # Replies the fake emulated (any status), and the ones it refused by fail_next().
        self.replies: dict[int, list[RecordedRequest]] = {}
        self.injected: list[RecordedRequest] = []
        self._order: list[int] = []  # replied-to message ids, first reply first

    def scan(self) -> None:
        """Index what was recorded since the last scan."""
        requests = self.fake.requests
        for request in requests[self._next :]:
            target = replied_message_id(request)
            if target is None:
                continue
            if request.injected:
                self.injected.append(request)
                continue
            if target not in self.replies:
                self._order.append(target)
            self.replies.setdefault(target, []).append(request)
        self._next = len(requests)

    def first(self, message_id: int) -> RecordedRequest | None:
        self.scan()
        found = self.replies.get(message_id)
        return found[0] if found else None

    async def wait_for_replies(
        self,
        message_ids: Iterable[int],
        timeout: float = REPLY_TIMEOUT,  # noqa: ASYNC109
        *,
        bot: RunningBot | None = None,
    ) -> None:
        """Until every message in ``message_ids`` has a reply (fails fast if ``bot`` dies)."""
        self.scan()
        pending = {m for m in message_ids if m not in self.replies}
        seen = len(self._order)  # each waiter reads on from its own place: several may wait

        def done() -> bool | None:
            nonlocal seen
            self.scan()
            pending.difference_update(self._order[seen:])
            seen = len(self._order)
            if pending and bot is not None:
                bot._check_alive()
            return None if pending else True

        await self.fake.wait_for(done, timeout, f"replies to {len(pending)} message(s)")

    async def reply(
        self,
        message_id: int,
        timeout: float = REPLY_TIMEOUT,  # noqa: ASYNC109
        *,
        bot: RunningBot | None = None,
    ) -> RecordedRequest:
        await self.wait_for_replies([message_id], timeout, bot=bot)
        return self.replies[message_id][0]


async def paced(count: int, rate: float, send: Callable[[int], Awaitable[None]]) -> float:
    """Call ``send(0..count-1)`` at ``rate`` per second on a fixed schedule (late calls catch
    up at once instead of drifting); returns the rate achieved."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    for number in range(count):
        delay = began + number / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        await send(number)
    elapsed = loop.time() - began
    return count / elapsed if elapsed > 0 else float("inf")


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
        args: Sequence[str] = (),
    ) -> RunningBot:
        """Write a config, start the bot (``args`` added to ``run``'s, e.g. ``--shard-ids``),
        and (``wait``) return once it is ready: on the gateway, its slash-command sync done
        (published, found unchanged, or left to shard 0's process), and its ``ready`` event
        logged."""
        config_path = write_config(workdir, bot_config(fake, overrides))
        db_path = db_path or workdir / "showbot.db"
        since = len(fake.requests)
        process = await asyncio.create_subprocess_exec(
            *bot_command(config_path, db_path),
            *args,
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
            synced = self.events("commands_sync_done") or self.events("commands_sync_skipped")
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

    def rss(self) -> int:
        """The process's resident memory in bytes (psutil)."""
        return int(psutil.Process(self.process.pid).memory_info().rss)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the process has used so far (psutil)."""
        times = psutil.Process(self.process.pid).cpu_times()
        return float(times.user + times.system)

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

    async def barrier(
        self, guild_id: int, channel_id: int, user_id: int, rounds: int = 2
    ) -> list[RecordedRequest]:
        """``!help`` from ``user_id`` in ``channel_id``, ``rounds`` times, each sent once the
        last is answered; the replies. Use it, not a sleep, before asserting that a message
        got no reply: discord.py reads the gateway in order, so once a later message is
        answered whatever the bot meant to post about the earlier one is posted or on its
        way (an error handler runs as a task of its own, scheduled while the next message is
        handled), and the next round trip, begun only after that reply arrived, lets what was
        on its way arrive. ``!help`` spends no cooldown."""
        assert rounds >= 1
        replies = []
        for _ in range(rounds):
            reply = await self.ask(guild_id, channel_id, user_id, "!help")
            assert reply.status == 200, reply
            replies.append(reply)
        return replies

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
