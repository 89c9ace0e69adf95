"""Slash commands are published only when they changed (a hash per scope in the database),
to development servers instead of globally (never both), and a server Discord refuses is
one warning while the bot runs on. Real ``python -m bot run`` / ``sync`` processes against
the fake Discord; each test gets a fresh fake and database."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import sys
from pathlib import Path

import pytest
from botprocess import ROOT, RunningBot, StartBot, bot_config, bot_env, write_config
from fakediscord import FakeDiscord, RecordedRequest, discord_py_pointed_at

from bot.runtime.commandsync import GLOBAL, payload_hash

pytestmark = pytest.mark.timeout(90)

PUT_GLOBAL = "bulk_set_application_commands"
PUT_GUILD = "bulk_set_guild_application_commands"
UNKNOWN_GUILD = 1_000_000_000_000_000_001  # a well-formed id of no server the bot is in


def puts(fake: FakeDiscord, since: int = 0) -> list[RecordedRequest]:
    """Every command PUT (global or guild) from request ``since`` on."""
    return [r for r in fake.requests[since:] if r.operation_id in (PUT_GLOBAL, PUT_GUILD)]


def hashes(db_path: Path) -> dict[str, str]:
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as db:
        return dict(db.execute("SELECT scope, hash FROM command_sync").fetchall())


def tamper(db_path: Path, scope: str, digest: str) -> None:
    with contextlib.closing(sqlite3.connect(db_path)) as db, db:
        db.execute("UPDATE command_sync SET hash = ? WHERE scope = ?", [digest, scope])


def events(bot: RunningBot, name: str) -> list[dict]:
    return bot.events(name)


async def test_commands_are_put_once_then_only_after_a_change(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    first = await start_bot()
    (put,) = puts(fake_discord)
    assert put.operation_id == PUT_GLOBAL and put.status == 200
    names = [c["name"] for c in put.json]
    assert {"when", "who", "what", "ask", "help", "fact"} <= set(names)
    assert "sync" not in names  # owner-only, prefix only
    assert hashes(first.db_path) == {GLOBAL: payload_hash(put.json)}
    assert [e["scope"] for e in events(first, "commands_synced")] == [GLOBAL]
    await first.stop_cleanly()

    # Same commands, same database: nothing is sent, and the commands still work.
    second = await start_bot(db_path=first.db_path)
    assert puts(fake_discord, second.started_at) == []
    (unchanged,) = events(second, "commands_unchanged")
    assert unchanged["scope"] == GLOBAL and unchanged["count"] == len(names)
    assert not events(second, "commands_synced")
    guild, channel = fake_discord.guild.id, fake_discord.guild.channel("general").id
    handle = await fake_discord.send_slash_command(
        guild, channel, fake_discord.add_user("fan").id, "who", {"subject": "nuke"}
    )
    assert (
        (await fake_discord.wait_for_callback(handle))
        .json["data"]["content"]
        .startswith("**Nuke**")
    )
    await second.stop_cleanly()

    # The database remembers an older command set (as after an upgrade that added `help`):
    # the next start sends the new set once, and the one after sends nothing.
    older = [c for c in put.json if c["name"] != "help"]
    tamper(first.db_path, GLOBAL, payload_hash(older))
    third = await start_bot(db_path=first.db_path)
    (again,) = puts(fake_discord, third.started_at)
    assert again.operation_id == PUT_GLOBAL and again.status == 200
    assert sorted(c["name"] for c in again.json) == sorted(names)
    assert hashes(first.db_path) == {GLOBAL: payload_hash(again.json)}
    await third.stop_cleanly()
    fourth = await start_bot(db_path=first.db_path)
    assert puts(fake_discord, fourth.started_at) == []


async def test_development_server_lists_each_command_once(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    guild, channel = fake_discord.guild.id, fake_discord.guild.channel("general").id
    bot = await start_bot({"discord": {"guild_ids": [guild]}})
    (to_guild,) = fake_discord.requests_for(PUT_GUILD)
    assert to_guild.status == 200 and to_guild.path_params["guild_id"] == str(guild)
    # The global set is emptied, not duplicated: a Discord client in the development
    # server lists guild and global commands side by side.
    (to_global,) = fake_discord.requests_for(PUT_GLOBAL)
    assert to_global.status == 200 and to_global.json == []
    assert fake_discord.global_commands == []
    listed = [c["name"] for c in fake_discord.guild_commands(guild)]
    listed += [c["name"] for c in fake_discord.global_commands]
    assert len(listed) == len(set(listed)) and {"when", "who", "what", "fact"} <= set(listed)
    assert set(hashes(bot.db_path)) == {GLOBAL, str(guild)}
    # A Discord client there offers the server's copy; it answers like a global one would.
    assert "guild_id" in (fake_discord.find_command("when", guild) or {})
    handle = await fake_discord.send_slash_command(
        guild, channel, fake_discord.add_user("fan").id, "when", {"subject": "luke cage"}
    )
    callback = await fake_discord.wait_for_callback(handle)
    assert callback.json["data"]["content"].startswith("**Luke Cage** — when")
    await bot.stop_cleanly()

    again = await start_bot({"discord": {"guild_ids": [guild]}}, db_path=bot.db_path)
    assert puts(fake_discord, again.started_at) == []
    assert sorted(e["scope"] for e in events(again, "commands_unchanged")) == sorted(
        [GLOBAL, str(guild)]
    )
    await again.stop_cleanly()

    # Back to production (no guild_ids): global commands, and the server's copies removed.
    prod = await start_bot(db_path=bot.db_path)
    sent = {
        (r.operation_id, r.path_params.get("guild_id")): r
        for r in puts(fake_discord, prod.started_at)
    }
    assert set(sent) == {(PUT_GLOBAL, None), (PUT_GUILD, str(guild))}
    assert sent[(PUT_GUILD, str(guild))].json == []
    assert fake_discord.guild_commands(guild) == []
    assert {"when", "who"} <= {c["name"] for c in fake_discord.global_commands}
    assert set(hashes(bot.db_path)) == {GLOBAL}


async def test_unknown_server_id_is_one_warning_and_the_bot_runs(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    guild, channel = fake_discord.guild.id, fake_discord.guild.channel("general").id
    config = {"discord": {"guild_ids": [UNKNOWN_GUILD, guild]}}
    bot = await start_bot(config)
    refused = [r for r in puts(fake_discord) if r.status != 200]
    assert [(r.path_params["guild_id"], r.status, r.response["code"]) for r in refused] == [
        (str(UNKNOWN_GUILD), 403, 50001)
    ]
    (violation,) = fake_discord.take_violations()  # what real Discord refuses, on purpose
    assert str(UNKNOWN_GUILD) in violation.path
    # showbot's own warnings (discord.py warns about voice support at every start)
    warnings = [r for r in bot.logs if r["level"] == "warning" and r["logger"] == "showbot"]
    assert [w["event"] for w in warnings] == ["commands_sync_failed"], warnings
    assert warnings[0]["scope"] == str(UNKNOWN_GUILD)
    assert (warnings[0]["status"], warnings[0]["code"]) == (403, 50001)
    assert "Missing Access" in warnings[0]["reason"]
    bot.assert_no_tracebacks()
    # The good server got its commands and the bot answers.
    assert {"when", "who"} <= {c["name"] for c in fake_discord.guild_commands(guild)}
    reply = await bot.ask(guild, channel, fake_discord.add_user("fan").id, "!who nuke")
    assert reply.json["content"].startswith("**Nuke**")
    assert str(UNKNOWN_GUILD) not in hashes(bot.db_path)
    (done,) = events(bot, "commands_sync_done")
    assert done["failed"] == [str(UNKNOWN_GUILD)]
    await bot.stop_cleanly()

    # The next start tries that server again (only it), and warns once again.
    again = await start_bot(config, db_path=bot.db_path)
    assert [r.path_params.get("guild_id") for r in puts(fake_discord, again.started_at)] == [
        str(UNKNOWN_GUILD)
    ]
    assert len(events(again, "commands_sync_failed")) == 1
    fake_discord.take_violations()


async def test_discord_failing_the_global_sync_does_not_stop_the_bot(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    fake_discord.fail_next("PUT", PUT_GLOBAL, 503)
    bot = await start_bot()
    (failed,) = events(bot, "commands_sync_failed")
    assert failed["scope"] == GLOBAL and failed["status"] == 503
    guild, channel = fake_discord.guild.id, fake_discord.guild.channel("general").id
    reply = await bot.ask(guild, channel, fake_discord.add_user("fan").id, "!what igh")
    assert reply.json["content"].startswith("**IGH**")
    assert hashes(bot.db_path) == {}
    await bot.stop_cleanly()
    again = await start_bot(db_path=bot.db_path)  # not recorded, so retried
    (put,) = puts(fake_discord, again.started_at)
    assert put.status == 200 and set(hashes(bot.db_path)) == {GLOBAL}


async def test_a_long_rate_limit_gives_up_instead_of_waiting_it_out(
    fake_discord: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In process (a real 429 of minutes would make a slow test): the bot's own sync code,
    # with the wait bound shortened.
    from bot.config import Config
    from bot.engine import Engine
    from bot.runtime import client

    monkeypatch.setattr(client, "SYNC_WAIT_SECONDS", 0.5)
    fake_discord.fail_next("PUT", PUT_GLOBAL, 429, retry_after=120)
    engine = Engine.open(tmp_path / "db")
    bot = client.ShowBot(Config(token=fake_discord.token), engine, serve=False)
    try:
        with discord_py_pointed_at(fake_discord):
            await bot.login(fake_discord.token)
            began = asyncio.get_running_loop().time()
            (outcome,) = await bot.sync_commands()
        assert asyncio.get_running_loop().time() - began < 5
    finally:
        await bot.close()
        engine.close()
    assert outcome.result == "failed" and "no answer within 0.5 s" in (outcome.reason or "")
    (limited,) = puts(fake_discord)
    assert limited.status == 429 and limited.injected
    assert hashes(tmp_path / "db") == {}  # so the next start tries again


async def test_owner_sync_command_forces_a_sync(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    bot = await start_bot()
    guild, channel = fake_discord.guild.id, fake_discord.guild.channel("general").id
    since = len(fake_discord.requests)
    refused = await bot.ask(guild, channel, fake_discord.add_user("mod").id, "!sync")
    assert "Only the bot's owner" in refused.json["content"]
    assert puts(fake_discord, since) == []

    reply = await bot.ask(guild, channel, fake_discord.owner.id, "!sync")
    (put,) = puts(fake_discord, since)
    assert put.operation_id == PUT_GLOBAL and put.status == 200
    count = len(put.json)
    assert f"global: synced ({count} commands)" in reply.json["content"]
    forced = [e for e in events(bot, "commands_synced") if e["forced"]]
    assert [e["scope"] for e in forced] == [GLOBAL]


async def run_cli(fake: FakeDiscord, workdir: Path, *args: str, **overrides: object) -> tuple:
    """``python -m bot sync`` (in a subprocess, while the fake serves on this loop)."""
    config = write_config(workdir, bot_config(fake, overrides))  # type: ignore[arg-type]
    process = await asyncio.create_subprocess_exec(
        *(
            sys.executable,
            "-m",
            "bot",
            "sync",
            "--config",
            str(config),
            "--db",
            str(workdir / "db"),
        ),
        *args,
        cwd=ROOT,
        env=bot_env(),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 30)
    return process.returncode, out.decode(), err.decode()


async def test_cli_sync_forces_a_sync_over_rest_only(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    code, out, err = await run_cli(fake_discord, tmp_path)
    assert code == 0, err
    (put,) = puts(fake_discord)
    assert put.operation_id == PUT_GLOBAL and put.status == 200
    assert out.strip() == f"global: synced ({len(put.json)} commands)"
    assert fake_discord.identify_count == 0  # no gateway
    assert "Traceback" not in err and fake_discord.token not in out + err
    assert [json.loads(line)["event"] for line in err.splitlines()].count("commands_synced") == 1

    # Forced: the unchanged set is sent again. A server Discord refuses: exit 1.
    guild = fake_discord.guild.id
    code, out, err = await run_cli(
        fake_discord, tmp_path, discord={"guild_ids": [UNKNOWN_GUILD, guild]}
    )
    assert code == 1, err
    lines = out.strip().splitlines()
    assert lines[0] == "global: synced (0 commands)"
    assert lines[1].startswith(f"server {UNKNOWN_GUILD}: failed (403 Forbidden")
    assert lines[2].startswith(f"server {guild}: synced (")
    assert "Traceback" not in err
    fake_discord.take_violations()


async def test_cli_sync_with_a_refused_token_exits_2(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    code, _, err = await run_cli(fake_discord, tmp_path, discord={"token": "not-the-token"})
    assert code == 2 and "login_failed" in err and "Traceback" not in err, err
    assert puts(fake_discord) == []
    fake_discord.take_violations()
