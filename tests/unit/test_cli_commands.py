"""Bot commands typed into `python -m bot ask` (issue 20, item 18): the ones that make sense
without Discord run as the bot runs them; the others say they are Discord-only, never an
answer about some subject; and `--guild ID` answers as that server sees its facts."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.models import Actor, Intent
from bot.moderation import Moderation
from bot.replies.help import help_text
from bot.runtime.asking import DISCORD_ONLY, OFFLINE, command_of
from tests.seeded import seeded_copy
from tests.unit.test_cli import run
from tests.unit.test_docs import discord_commands

GUILD = 734_567_890_123_456_789
OWNER = Actor(id=None, name="cli", guild_id=None, owner=True)
SERVER_MOD = Actor(id=5, name="mod", guild_id=GUILD)
# Every field `ask --json` gave before commands: they stay (fields only grow).
QUESTION_FIELDS = {
    *("question", "answered", "text", "intent", "matched", "entity_id", "score", "facts"),
    *("suggestions", "error", "via", "fact_scores", "discord_text", "partial", "typo_of"),
}


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A seeded database with a global premiere 10 days from now, a server's own fact and
    its own version of a global fact."""
    path = tmp_path / "cli.db"
    engine = Engine.open(seeded_copy(path))
    try:
        mod = Moderation(engine)
        soon = (datetime.now(UTC).date() + timedelta(days=10)).isoformat()
        mod.add_fact(OWNER, subject="Luke Cage s3", kind="when", text="Premieres.", date=soon)
        mod.add_fact(SERVER_MOD, subject="Gregory Salinger", kind="who", text="Server's own.")
        (nuke,) = engine.ask("!who nuke").facts[:1]
        mod.edit_fact(SERVER_MOD, nuke.id, text="Nuke, as this server tells it.")
    finally:
        engine.close()
    return str(path)


def test_every_bot_command_is_a_question_runs_offline_or_is_discord_only() -> None:
    """The lists the CLI reads commands by hold every command the cogs register."""
    names = {c.split()[0] for c in discord_commands()}
    questions = {i.value for i in Intent}
    assert names - questions == OFFLINE | set(DISCORD_ONLY)
    assert not OFFLINE & set(DISCORD_ONLY) and not questions & (OFFLINE | set(DISCORD_ONLY))
    assert command_of("!Follow jj", "!") == "follow" and command_of("!upcoming", "!") == "upcoming"
    for question in ("!who nuke", "!nuke", "! help", "help", "!followers of nuke"):
        assert command_of(question, "!") is None, question


def test_help_runs_as_the_bot_runs_it(db: str) -> None:
    result = run("ask", "--db", db, "!help")
    assert result.returncode == 0, result.stderr
    assert result.stdout == help_text("!") + "\n"
    moderation = run("ask", "--db", db, "!help moderation")
    assert moderation.stdout == help_text("!", "moderation") + "\n"
    assert "Trish" not in result.stdout + moderation.stdout


def test_upcoming_and_predictions_run_offline(db: str) -> None:
    result = run("ask", "--db", db, "!upcoming", "!predictions jessica jones")
    assert result.returncode == 0, result.stderr
    upcoming, predictions = result.stdout.split("\n\n", 1)
    assert upcoming.startswith("**Coming up** in the next 30 day(s)")
    assert "**Luke Cage season 3**" in upcoming and "Premieres." in upcoming
    assert predictions.startswith("**Rumors and predictions** about **Jessica Jones**")
    short = run("ask", "--db", db, "!upcoming 5")
    assert short.returncode == 0 and short.stdout.startswith("Nothing dated in the next 5 day(s)")
    for bad, said in (
        ("!upcoming 9999", "days: say a number of days from 1 to 365"),
        ("!upcoming mine: yes", "mine: you follow subjects in Discord"),
        ("!predictions zzzqx", "I don't know anything about **zzzqx**"),
    ):
        refused = run("ask", "--db", db, bad)
        assert refused.returncode == 1 and said in refused.stdout, (bad, refused.stdout)


@pytest.mark.parametrize(
    "command", ["!follow jj", "!unfollow jj", "!following", "!fact add subject: x", "!gaps"]
)
def test_discord_only_commands_say_so_and_exit_1(db: str, command: str) -> None:
    result = run("ask", "--db", db, command)
    assert result.returncode == 1, result.stderr
    name = command.split()[0]
    assert result.stdout.startswith(f"`{name}` works in Discord only"), result.stdout
    assert "Trish" not in result.stdout and "Killgrave" not in result.stdout


def test_commands_in_a_batch_and_their_json_records(db: str) -> None:
    lines = ["!who nuke", "!help", "!follow jj", "!upcoming", "!predictions"]
    result = run("ask", "--json", "--db", db, "-", stdin="\n".join(lines) + "\n")
    assert result.returncode == 1, result.stderr  # `!follow` got no answer here
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in records] == lines
    assert all(set(r) >= QUESTION_FIELDS for r in records)
    assert [r["command"] for r in records] == [None, "help", "follow", "upcoming", "predictions"]
    assert [r["answered"] for r in records] == [True, True, False, True, True]
    assert [r["discord_only"] for r in records] == [False, False, True, False, False]
    question, helped, follow, upcoming, predictions = records
    assert question["intent"] == "who" and helped["intent"] is None
    assert upcoming["facts"] and "<t:" in upcoming["discord_text"] and "<t:" not in upcoming["text"]
    assert len(predictions["facts"]) >= 3 and follow["facts"] == []


def test_guild_answers_as_that_server_sees_its_facts(db: str) -> None:
    plain = run("ask", "--db", db, "!who nuke", "!who gregory salinger")
    assert plain.returncode == 1  # Salinger is the server's own
    assert "as this server tells it" not in plain.stdout
    scoped = run("ask", "--db", db, "--guild", str(GUILD), "!who nuke", "!who gregory salinger")
    assert scoped.returncode == 0, scoped.stderr
    assert "Nuke, as this server tells it." in scoped.stdout and "Server's own." in scoped.stdout
    other = run("ask", "--db", db, "--guild", "42", "!who gregory salinger")
    assert other.returncode == 1 and "Server's own" not in other.stdout
    with sqlite3.connect(db) as conn:  # nobody in the server asked: logged as the CLI's
        servers = {g for (g,) in conn.execute("SELECT DISTINCT guild_id FROM question")}
    assert servers == {None}


@pytest.mark.parametrize("value", ["0", "-5", "abc", "1.5", "", str(2**63)])
def test_guild_must_be_a_server_id(db: str, value: str) -> None:
    result = run("ask", "--db", db, "--guild", value, "!who nuke")
    assert result.returncode == 2
    assert "--guild: must be a server id (a positive whole number)" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("prefix", ["!", "?", "sb!", "@showbot "])
def test_help_fits_discord_whatever_the_prefix(prefix: str) -> None:
    """`!help moderation` names every moderator command with the prefix on each: it stays
    within Discord's 2,000 characters (with "!" whole, down to the last line)."""
    for topic in (None, "moderation"):
        assert len(help_text(prefix, topic)) <= 2000
    assert "`!entity kind <subject> to: <kind>`" in help_text("!", "moderation")
    assert help_text("!", "moderation").endswith("updates about followed subjects go\n")
