"""The `python -m bot` contract: arguments, output, exit status. Run as real processes."""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import shard_ids, split_questions
from tests.seeded import seeded_copy

ROOT = Path(__file__).resolve().parents[2]


def run(
    *args: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A freshly seeded database (a copy of one made once: tests/seeded.py). Making one
    on first use is the next test's, and test_faults' corrupt-database tests'."""
    return str(seeded_copy(tmp_path / "cli.db"))


def test_ask_prints_the_reply_and_exits_0(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")  # no database yet: the ask creates and seeds it
    result = run("ask", "--db", db, "!when jessica jones s2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("**Jessica Jones season 2** — when\n")
    assert "**2017**:" in result.stdout and "as of May 2016" in result.stdout
    assert result.stderr == ""


def test_unanswered_question_exits_1(db: str) -> None:
    result = run("ask", "--db", db, "!when jessica jones s3")
    assert result.returncode == 1
    assert "I don't know anything about **jessica jones season 3**" in result.stdout


def test_usage_errors_exit_2(db: str) -> None:
    assert run("ask", "--db", db).returncode == 2
    assert run("frobnicate").returncode == 2
    assert run("ask", "--db", db, "-", "!who nuke").returncode == 2


def test_json_output_fields(db: str) -> None:
    result = run("ask", "--json", "--db", db, "!who nuke", "!who walter white")
    assert result.returncode == 1
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["question"] == "!who nuke" and first["answered"] is True
    assert first["matched"] == "Nuke" and first["score"] == 100.0
    assert first["facts"] and all(isinstance(i, int) for i in first["facts"])
    assert "||" in first["text"]
    assert second["answered"] is False and second["matched"] is None and second["facts"] == []


def test_stdin_streams_one_question_per_line(db: str) -> None:
    questions = ["!who nuke", "!what igh", "", "!when luke cage"] * 50
    result = run("ask", "--json", "--db", db, "-", stdin="\n".join(questions) + "\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 200
    assert [line["answered"] for line in lines[:4]] == [True, True, False, True]
    assert result.returncode == 1  # the empty lines got no answer


@pytest.mark.parametrize(
    "question",
    [
        "",
        "   ",
        "x" * 100_000,
        "\x01\x07\x1b[31m",
        "🙂🔥",
        "מי זה נוק",
        "@everyone",
        "!who ||nuke||",
        "**bold** `code`",
        "'; DROP TABLE fact; --",
    ],
)
def test_bad_input_gets_a_clear_reply_and_changes_nothing(db: str, question: str) -> None:
    before = run("export", "--db", db).stdout
    result = run("ask", "--db", db, question)
    assert result.returncode in (0, 1)
    assert "Traceback" not in result.stderr and result.stdout.strip()
    assert "@everyone" not in result.stdout
    assert run("export", "--db", db).stdout == before


def test_control_characters_on_stdin(db: str) -> None:
    result = run("ask", "--db", db, "-", stdin="\x00who nuke\x00\n\x1b[31m!what igh\n")
    assert result.returncode == 0, result.stdout
    assert "**Nuke**" in result.stdout and "**IGH**" in result.stdout


def test_import_export_round_trip_and_dry_run(tmp_path: Path, db: str) -> None:
    out = tmp_path / "facts.json"
    assert run("export", "--db", db, "--out", str(out)).returncode == 0
    data = json.loads(out.read_text())
    assert data["format"] == "showbot" and data["version"] == 1
    data["facts"][0]["text"] = "A corrected text."
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data))
    dry = run("import", "--db", db, "--dry-run", str(changed))
    assert dry.returncode == 0 and "would" in dry.stdout and "1 updated" in dry.stdout
    assert json.loads(run("export", "--db", db).stdout)["facts"][0]["text"] != "A corrected text."
    assert run("import", "--db", db, str(changed)).returncode == 0
    assert json.loads(run("export", "--db", db).stdout)["facts"][0]["text"] == "A corrected text."


def test_import_of_a_bad_file_names_each_problem(tmp_path: Path, db: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "format": "showbot",
                "version": 1,
                "facts": [
                    {
                        "key": "a",
                        "entity": "show-luke-cage",
                        "kind": "when",
                        "text": "x",
                        "status": "sure",
                    }
                ],
            }
        )
    )
    result = run("import", "--db", db, str(bad))
    assert result.returncode == 1
    assert "facts[0].status: 'sure' is not one of" in result.stderr
    assert "nothing changed" in result.stderr
    notjson = tmp_path / "x.json"
    notjson.write_text("{nope")
    assert "not JSON (line 1" in run("import", "--db", db, str(notjson)).stderr
    assert run("import", "--db", db, str(tmp_path / "missing.json")).returncode == 2


def test_server_export_carries_overrides_into_an_empty_database(tmp_path: Path) -> None:
    from bot.engine import Engine
    from bot.models import Actor
    from bot.moderation import Moderation

    source, target = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    guild = "4242"
    engine = Engine.open(source)
    try:
        mod, actor = Moderation(engine), Actor(id=7, name="mod", guild_id=int(guild))
        ids = {k: engine.store.find_key("fact", k, None)["id"] for k in ("nuke-who", "igh-what")}
        mod.edit_fact(actor, ids["nuke-who"], text="Our server's Nuke.")
        mod.remove_fact(actor, ids["igh-what"])
    finally:
        engine.close()
    out = tmp_path / "guild.json"
    assert run("export", "--db", source, "--guild", guild, "--out", str(out)).returncode == 0
    data = json.loads(out.read_text())
    marks = sorted((f["overrides"], f.get("hides", False)) for f in data["facts"])
    assert marks == [("igh-what", True), ("nuke-who", False)]
    dry = run("import", "--db", target, "--guild", guild, "--dry-run", str(out))
    assert dry.returncode == 0 and "would" in dry.stdout and "facts: 2 added" in dry.stdout
    assert json.loads(run("export", "--db", target, "--guild", guild).stdout)["facts"] == []
    done = run("import", "--db", target, "--guild", guild, str(out))
    assert done.returncode == 0 and "facts: 2 added" in done.stdout, done.stderr
    assert json.loads(run("export", "--db", target, "--guild", guild).stdout) == data
    again = run("import", "--db", target, "--guild", guild, str(out))
    assert "facts: 0 added, 0 updated, 2 unchanged" in again.stdout
    # Without --guild the file is refused: global facts override nothing.
    refused = run("import", "--db", target, str(out))
    assert refused.returncode == 1 and "facts[0].overrides: only a server's facts" in (
        refused.stderr
    )


def test_run_without_token_is_one_clear_line(tmp_path: Path) -> None:
    result = run("run", "--db", str(tmp_path / "x.db"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "token" in result.stderr
    (tmp_path / "c.toml").write_text("[discord]\ntoken = 5\n")
    result = run("run", "--config", str(tmp_path / "c.toml"), cwd=tmp_path)
    assert result.returncode == 2 and "[discord] token must be text" in result.stderr


def test_split_questions() -> None:
    assert split_questions(["who", "is", "nuke"], "!") == ["who is nuke"]
    assert split_questions(["!who nuke", "!what igh"], "!") == ["!who nuke", "!what igh"]
    assert split_questions(["!who", "nuke"], "!") == ["!who nuke"]
    assert split_questions(["who is nuke", "what is igh"], "!") == ["who is nuke", "what is igh"]


def test_shard_ids_argument_syntax() -> None:
    assert shard_ids("0") == [0]
    assert shard_ids("0,1") == [0, 1]
    assert shard_ids(" 2, 3 ") == [2, 3]
    assert shard_ids("4-7") == [4, 5, 6, 7]
    assert shard_ids("0,2-3,9") == [0, 2, 3, 9]
    for bad in ("", "a", "1,", "-1", "1-", "3-1", "1.5", "０"):
        with pytest.raises(argparse.ArgumentTypeError):
            shard_ids(bad)


def test_run_shard_ids_are_checked_before_connecting(tmp_path: Path) -> None:
    """Wrong shards are a configuration error (exit 2, one line), never a connection."""
    config = tmp_path / "c.toml"
    config.write_text(
        '[discord]\ntoken = "x"\napi_base = "http://127.0.0.1:9/api/v10"\nshard_count = 4\n'
    )
    db = str(tmp_path / "x.db")
    result = run("run", "--config", str(config), "--db", db, "--shard-ids", "3,4")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "--shard-ids: shard 4 does not exist" in result.stderr
    result = run("run", "--config", str(config), "--db", db, "--shard-ids", "one")
    assert result.returncode == 2 and "'one' is not a list of shard numbers" in result.stderr
    config.write_text('[discord]\ntoken = "x"\n')
    result = run("run", "--config", str(config), "--db", db, "--shard-ids", "0")
    assert result.returncode == 2 and "needs [discord] shard_count" in result.stderr
    assert not Path(db).exists()  # refused before the database was even opened


def test_forget_guild_and_user(db: str) -> None:
    from bot.engine import Engine
    from bot.models import Actor
    from bot.moderation import Moderation

    guild, other, user = 811111111111111111, 822222222222222222, 701234567890123456
    engine = Engine.open(db)
    mod = Moderation(engine)
    mod.add_fact(Actor(user, "alice", guild), subject="Jeri Hogarth", kind="who", text="A lawyer.")
    mod.add_fact(Actor(user, "alice", other), subject="Trish Walker", kind="who", text="Patsy.")
    engine.ask("!who jeri hogarth", guild_id=guild)
    engine.close()

    result = run("forget", "--db", db, "--guild", str(guild))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Server {guild} forgotten: 1 fact(s)")
    assert "1 question(s)" in result.stdout

    result = run("forget", "--db", db, "--user", str(user))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"User {user} forgotten. No question is stored")
    assert "moderator-" in result.stdout and "without them" in result.stdout

    result = run("forget", "--db", db, "--older-than-days", "30")
    assert (result.returncode, result.stdout) == (0, "0 question(s) older than 30 day(s) pruned.\n")

    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM fact WHERE guild_id = ?", [guild]).fetchone() == (
            0,
        )
        assert conn.execute("SELECT count(*) FROM fact WHERE guild_id = ?", [other]).fetchone() == (
            1,
        )
        assert conn.execute(
            "SELECT count(*) FROM change WHERE actor_id = ?", [user]
        ).fetchone() == (0,)


def test_forget_usage_errors_exit_2(tmp_path: Path, db: str) -> None:
    assert run("ask", "--db", db, "!who nuke").returncode == 0  # the database exists
    assert run("forget", "--db", db).returncode == 2  # nothing to forget named
    assert run("forget", "--db", db, "--guild", "1", "--user", "2").returncode == 2
    for args in (["--guild", "0"], ["--user", "-5"], ["--older-than-days", "0"], ["--guild", "x"]):
        result = run("forget", "--db", db, *args)
        assert result.returncode == 2, args
        assert result.stderr.startswith("usage:") or result.stderr.startswith("error:"), args
    missing = run("forget", "--db", str(tmp_path / "none.db"), "--user", "5")
    assert missing.returncode == 2 and "no database" in missing.stderr
    assert not (tmp_path / "none.db").exists()


def test_the_cli_keeps_plain_words_and_json_adds_the_discord_text(db: str) -> None:
    plain = run("ask", "--db", db, "!when luke cage")
    assert "**30 September 2016**:" in plain.stdout and "<t:" not in plain.stdout
    (record,) = (
        json.loads(line)
        for line in run("ask", "--json", "--db", db, "!when luke cage").stdout.splitlines()
    )
    assert record["text"] == plain.stdout.rstrip("\n")  # `text` is what it always was
    stamp = 1475236800  # 30 September 2016, 12:00 UTC
    assert record["discord_text"] == record["text"].replace(
        "30 September 2016**", f"<t:{stamp}:D> (<t:{stamp}:R>)**"
    )


@pytest.mark.parametrize("command", [["ask", "!who nuke"], ["export"], ["import", "missing.json"]])
def test_a_mistyped_db_folder_is_refused_not_created(tmp_path: Path, command: list[str]) -> None:
    """Issue 20, item 15: `--db typo-dir/shwobot.db` made the folders and a fresh database."""
    path = tmp_path / "typo-dir" / "shwobot.db"
    result = run(command[0], "--db", str(path), *command[1:], cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"no folder {path.parent}" in result.stderr and "Traceback" not in result.stderr
    assert not path.parent.exists()


def test_a_line_of_invalid_utf8_is_one_question_not_the_end(tmp_path: Path, db: str) -> None:
    """Issue 20, item 15: a bad byte ended `ask -` with a traceback and lost the batch's
    question log."""
    stdin = b"!who nuke\n!who \xff\xfe nobody\n!when jessica jones s2\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--db", db, "-"],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 1, result.stderr  # one question went unanswered
    assert b"Traceback" not in result.stderr
    assert result.stdout.count(b"**Nuke**") == 1 and b"Jessica Jones season 2" in result.stdout
    logged = sqlite3.connect(db).execute("SELECT count(*) FROM question").fetchone()[0]
    assert logged == 3
