"""The bot process's life: start-up errors, SIGTERM, gateway drops and REST failures (slash
command sync: test_bot_command_sync.py). Each test gets a fresh process (``start_bot``) on a
fresh fake."""

from __future__ import annotations

import contextlib
import json
import socket
import sqlite3
from pathlib import Path

import pytest
from botprocess import (
    TRACEBACK,
    ConfigSections,
    RunningBot,
    StartBot,
    bot_config,
    run_once,
    write_config,
)
from fakediscord import FakeDiscord, RecordedRequest

pytestmark = pytest.mark.timeout(60)

MESSAGES = "/channels/{channel_id}/messages"


def where(fake: FakeDiscord) -> tuple[int, int]:
    return fake.guild.id, fake.guild.channel("general").id


def is_reply(request: RecordedRequest) -> bool:
    return request.operation_id == "create_message"


async def test_sigterm_exits_cleanly_with_question_log_flushed(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    bot = await start_bot()
    guild, channel = where(fake_discord)
    asked = ["!who nuke", "!when jessica jones s3", "!what igh"]
    for number, text in enumerate(asked):
        reply = await bot.ask(guild, channel, fake_discord.add_user(f"fan{number}").id, text)
        assert reply.status == 200
    # An import waiting for its Apply click must not hold up (or break) the shutdown.
    data = {
        "format": "showbot",
        "version": 1,
        "entities": [{"key": "e-zed", "name": "Zed", "kind": "character"}],
        "facts": [
            {"key": "f-zed", "entity": "e-zed", "kind": "who", "text": "Z.", "status": "rumor"}
        ],
    }
    preview = await bot.ask(
        guild,
        fake_discord.guild.channel("off-topic").id,
        fake_discord.add_user("mod").id,
        "!facts import",
        roles=["Moderator"],
        attachments=[("zed.json", json.dumps(data).encode())],
    )
    assert preview.json["content"].endswith("Apply?")
    await bot.stop_cleanly()  # right after the last reply: the log may still be buffered
    assert bot.events("shutting_down")
    with contextlib.closing(sqlite3.connect(f"file:{bot.db_path}?mode=ro", uri=True)) as db:
        logged = [
            row[0]
            for row in db.execute(
                "SELECT text FROM question WHERE guild_id = ? ORDER BY id", [guild]
            )
        ]
    assert logged == ["nuke", "jessica jones s3", "igh"]  # the subjects, as asked


async def test_dropped_gateway_connection_is_resumed(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    bot = await start_bot()
    guild, channel = where(fake_discord)
    user = fake_discord.add_user("fan").id
    await fake_discord.drop_connection()
    # Sent while the bot is away: Discord replays it after the RESUME.
    missed = await fake_discord.send_message(guild, channel, user, "!who nuke")
    await fake_discord.wait_until_resumed(1)
    assert (await bot.reply_to(missed)).json["content"].startswith("**Nuke**")
    assert fake_discord.identify_count == 1 and fake_discord.resume_count == 1

    await fake_discord.drop_connection(4000)  # a resumable close code
    await fake_discord.wait_until_resumed(2)
    reply = await bot.ask(guild, channel, user, "!what igh")
    assert reply.json["content"].startswith("**IGH**")


async def test_rate_limited_reply_is_retried_after_retry_after(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    bot = await start_bot()
    guild, channel = where(fake_discord)
    fake_discord.fail_next("POST", MESSAGES, 429, retry_after=0.4)
    since = len(fake_discord.requests)
    reply = await bot.ask(guild, channel, fake_discord.add_user("fan").id, "!who nuke")
    assert reply.status == 200 and reply.json["content"].startswith("**Nuke**")
    (limited,) = [r for r in fake_discord.requests[since:] if r.injected]
    assert limited.status == 429
    assert reply.time - limited.time >= 0.4
    replies = [r for r in fake_discord.requests[since:] if is_reply(r) and not r.injected]
    assert replies == [reply]  # retried once, posted once


async def test_server_error_on_reply_is_retried(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    bot = await start_bot()
    guild, channel = where(fake_discord)
    fake_discord.fail_next("POST", MESSAGES, 500)
    since = len(fake_discord.requests)
    # discord.py waits 1 s before retrying a 5xx.
    reply = await bot.ask(guild, channel, fake_discord.add_user("fan").id, "!what igh", timeout=6)
    assert reply.status == 200 and reply.json["content"].startswith("**IGH**")
    assert [r.status for r in fake_discord.requests[since:] if is_reply(r)] == [500, 200]


async def test_refused_token_exits_2(fake_discord: FakeDiscord, start_bot: StartBot) -> None:
    bot = await start_bot({"discord": {"token": "not-the-token"}}, wait=False)
    assert await bot.wait_exit(timeout=15) == 2, bot.log_tail()
    assert bot.events("login_failed")
    bot.assert_no_tracebacks()
    fake_discord.take_violations()  # the fake records the bad token as one


# -- start-up errors (no Discord needed) ---------------------------------------------------------

BAD_CONFIGS: dict[str, tuple[ConfigSections, str]] = {
    "missing token": ({"discord": {"token": ""}}, "[discord] token is missing"),
    "unknown key": ({"discord": {"tokn": "x"}}, "unknown key 'tokn' in [discord]"),
    "unknown section": ({"discrod": {"token": "x"}}, "unknown section [discrod]"),
    "wrong type": ({"limits": {"cooldown_rate": "five"}}, "[limits] cooldown_rate must be"),
    "bad list": ({"discord": {"guild_ids": ["abc"]}}, "[discord] guild_ids must be a list"),
    "bad url": ({"discord": {"api_base": "localhost"}}, "[discord] api_base must be a URL"),
}


def assert_one_clear_line(result: object, expect: str) -> None:
    stderr: str = result.stderr  # type: ignore[attr-defined]
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert result.returncode == 2, stderr  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert expect in lines[0], lines[0]
    assert TRACEBACK not in stderr


@pytest.mark.parametrize("case", list(BAD_CONFIGS))
def test_bad_config_exits_2_with_one_line(tmp_path: Path, case: str) -> None:
    overrides, expect = BAD_CONFIGS[case]
    config = {
        "discord": {"token": "a-token", "api_base": "http://127.0.0.1:9/api/v10"},
        "logging": {"format": "json"},
    }
    for section, keys in overrides.items():
        config.setdefault(section, {}).update(keys)
    if case == "missing token":
        del config["discord"]["token"]
    path = write_config(tmp_path, config)
    assert_one_clear_line(run_once(path, tmp_path / "db.sqlite"), expect)


@pytest.mark.parametrize("problem", ["missing", "directory", "not utf-8", "not toml"])
def test_unreadable_config_exits_2_with_one_line(tmp_path: Path, problem: str) -> None:
    path = tmp_path / "config.toml"
    if problem == "directory":
        path.mkdir()
    elif problem == "not utf-8":
        path.write_bytes(b'[discord]\ntoken = "\xff\xfe"\n')
    elif problem == "not toml":
        path.write_text("[discord\ntoken = x\n", encoding="utf-8")
    expect = {
        "missing": "no such file",
        "directory": "cannot read it",
        "not utf-8": "cannot read it",
        "not toml": "not valid TOML",
    }[problem]
    result = run_once(path, tmp_path / "db.sqlite")
    assert_one_clear_line(result, expect)
    assert str(path) in result.stderr


def test_unreachable_discord_exits_1_with_one_log_line(tmp_path: Path) -> None:
    # The token comes from DISCORD_TOKEN (none in the file); the API is a port where nothing
    # listens (bound, never listening, so no one else takes it meanwhile).
    fake = FakeDiscord()
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        config = bot_config(fake)
        del config["discord"]["token"]
        config["discord"]["api_base"] = f"http://127.0.0.1:{port}/api/v10"
        config["discord"]["gateway_url"] = f"ws://127.0.0.1:{port}/"
        path = write_config(tmp_path, config)
        result = run_once(path, tmp_path / "db.sqlite", env={"DISCORD_TOKEN": fake.token})
    assert result.returncode == 1, result.stderr
    assert TRACEBACK not in result.stderr
    assert fake.token not in result.stderr + result.stdout
    records = [json.loads(line) for line in result.stderr.splitlines()]
    errors = [r for r in records if r["level"] == "error"]
    assert [r["event"] for r in errors] == ["discord_unreachable"], errors
    assert str(port) in errors[0]["api_base"]


async def test_refused_message_content_intent_exits_2(tmp_path: Path) -> None:
    async with FakeDiscord(privileged_intents=0) as fake:
        fake.add_guild()
        bot = await RunningBot.start(fake, tmp_path, wait=False)
        assert await bot.wait_exit(timeout=15) == 2, bot.log_tail()
        (refused,) = bot.events("intents_refused")
        assert "Message Content" in refused["reason"]
        bot.assert_no_tracebacks()
        assert [v.reason[:25] for v in fake.take_violations()] == ["gateway closed with 4014:"]
