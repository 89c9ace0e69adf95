"""Damaged or foreign databases, and backups: clear words, no traceback, nothing lost."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.models import Actor
from bot.moderation import Moderation

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DISCORD_TOKEN": "t0ken-SECRET"},
    )


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: p.write_bytes(b"this is not sqlite at all" * 100), "file is not a database"),
        (lambda p: p.write_bytes(p.read_bytes()[:3000]), "malformed"),
    ],
)
@pytest.mark.parametrize("command", [["ask", "!who nuke"], ["export"], ["run"]])
def test_a_corrupt_database_is_named_not_crashed_on(
    tmp_path: Path, damage: object, message: str, command: list[str]
) -> None:
    db = tmp_path / "bad.db"
    assert cli("ask", "--db", str(db), "!who nuke").returncode == 0
    damage(db)  # type: ignore[operator]
    before = db.read_bytes()
    result = cli(*command, "--db", str(db), cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "SECRET" not in result.stderr
    assert message in result.stderr and str(db) in result.stderr
    assert db.read_bytes() == before  # keeps what it has: nothing rewritten


def test_a_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    assert cli("ask", "--db", str(db), "!who nuke").returncode == 0
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
            " VALUES ('showbot', 'm042_from_the_future', '2030-01-01')"
        )
    result = cli("ask", "--db", str(db), "!who nuke")
    assert result.returncode == 2 and "m042_from_the_future" in result.stderr
    assert "upgrade showbot" in result.stderr and "Traceback" not in result.stderr


def test_backup_restores_to_the_same_export(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    engine = Engine.open(db)
    mod = Moderation(engine)
    actor = Actor(id=1, name="m", guild_id=5)
    fid = mod.add_fact(actor, subject="Jeri Hogarth", kind="who", text="A lawyer.").fact_id
    mod.edit_fact(actor, fid, text="A ruthless lawyer.")
    # The bot keeps its connection open while the backup runs.
    copy = tmp_path / "backup.db"
    result = cli("backup", "--db", str(db), str(copy))
    assert result.returncode == 0, result.stderr
    assert "integrity ok" in result.stdout
    engine.close()
    # Restore = put the copy in place of the database (see README).
    restored = tmp_path / "restored.db"
    restored.write_bytes(copy.read_bytes())
    for scope in ([], ["--guild", "5"]):
        original = cli("export", "--db", str(db), *scope).stdout
        assert cli("export", "--db", str(restored), *scope).stdout == original
    assert "A ruthless lawyer." in cli("export", "--db", str(restored), "--guild", "5").stdout
    facts = json.loads(cli("export", "--db", str(restored), "--guild", "5").stdout)["facts"]
    assert facts and facts[0]["text"] == "A ruthless lawyer."
    assert cli("backup", "--db", str(db), str(copy)).returncode == 2  # never overwrites


def test_the_token_never_reaches_an_export_or_an_error(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[discord]\ntoken = "file-SECRET"\nprefix = 7\n')
    result = cli("run", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2 and "SECRET" not in result.stderr + result.stdout
    export = cli("export", "--db", str(tmp_path / "x.db"))
    assert "SECRET" not in export.stdout + export.stderr
