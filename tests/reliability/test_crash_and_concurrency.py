"""Kill -9 in the middle of writes, and many writers at once: nothing acknowledged is
lost, every change is whole or absent, and the change log agrees with the facts."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import sqlite3
import struct
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.models import Actor
from bot.moderation import Moderation
from bot.store.core import Store

ROOT = Path(__file__).resolve().parents[2]
GUILD = 4242
ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT)}


def spawn(*args: str, stdin: int | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=ENV,
        text=True,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def check_consistent(path: Path) -> Store:
    """Integrity, and every curated row's version matches its change records."""
    st = Store.open(path)
    assert st.integrity() == "ok"
    for table in ("entity", "alias", "source", "fact"):
        mismatched = st.rows(
            f"SELECT t.id, t.version, count(c.id) AS n FROM {table} t LEFT JOIN change c"
            f" ON c.table_name = '{table}' AND c.row_id = t.id GROUP BY t.id"
            " HAVING t.version != n"
        )
        assert mismatched == [], (table, mismatched[:5])
    return st


def make_facts(path: Path, n: int) -> list[int]:
    engine = Engine.open(path)
    mod = Moderation(engine)
    actor = Actor(id=1, name="setup", guild_id=GUILD)
    ids = [
        mod.add_fact(actor, subject="nuke", kind="who", text=f"fact {i}").fact_id for i in range(n)
    ]
    engine.close()
    return [i for i in ids if i is not None]


def big_import_file(path: Path, n: int) -> Path:
    data = {
        "format": "showbot",
        "version": 1,
        "entities": [
            {"key": f"e{i}", "name": f"Subject {i}", "kind": "character"} for i in range(n)
        ],
        "facts": [
            {
                "key": f"f{i}",
                "entity": f"e{i}",
                "kind": "who",
                "text": f"Fact {i}.",
                "status": "confirmed",
            }
            for i in range(n)
        ],
    }
    out = path.parent / "big.json"
    out.write_text(json.dumps(data))
    return out


RECORDS = 20_000  # subjects, and as many facts: the import takes seconds even on a fast machine
KILL_AFTER_BYTES = (1 << 20, 8 << 20)  # uncommitted WAL bytes at each kill: early, and later


def uncommitted_wal_bytes(db: Path) -> int:
    """Bytes of pages in ``db``'s -wal file after its last commit frame: what a write
    transaction still open had written (SQLite's recovery discards them at the next open).

    WAL format: a 32-byte header (magic, version, page size, checkpoint, salt-1, salt-2, ...),
    then frames of a 24-byte header (page, db size after commit or 0, salt-1, salt-2, ...)
    and one page. Frames of this WAL generation carry the header's salts, except that once a
    big transaction rewrites one of its own frames, SQLite writes the rest with zero salts
    and checksums, filled in only when it commits."""
    wal = Path(f"{db}-wal")
    data = wal.read_bytes() if wal.exists() else b""
    if len(data) < 32:
        return 0
    magic, _, page_size, _, salt1, salt2 = struct.unpack(">6I", data[:24])
    assert magic in (0x377F0682, 0x377F0683), hex(magic)
    pending = 0
    frame = 24 + page_size
    for offset in range(32, len(data) - frame + 1, frame):
        page, commit, s1, s2 = struct.unpack(">4I", data[offset : offset + 16])
        if page == 0 or (s1, s2) not in ((salt1, salt2), (0, 0)):
            break  # left over from an earlier generation
        pending = 0 if commit else pending + page_size
    return pending


def write_lock_held(db: Path) -> bool:
    """Whether another connection holds ``db``'s write lock (a write transaction is open)."""
    with contextlib.closing(sqlite3.connect(db, timeout=0, isolation_level=None)) as probe:
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc), exc
            return True
        probe.execute("ROLLBACK")
        return False


def imported_counts(st: Store) -> tuple[int, int, int]:
    """The file's subjects, facts and change records in the database (the seed's own rows
    were imported too, by "showbot": the CLI's actor is "cli")."""
    (row,) = st.rows(
        "SELECT (SELECT count(*) FROM entity WHERE key GLOB 'e[0-9]*') AS entities,"
        " (SELECT count(*) FROM fact WHERE key GLOB 'f[0-9]*') AS facts,"
        " (SELECT count(*) FROM change WHERE action = 'import' AND actor_name = 'cli') AS changes"
    )
    return row["entities"], row["facts"], row["changes"]


def kill_mid_import(db: Path, file: Path, after_bytes: int) -> int:
    """Start ``python -m bot import`` and SIGKILL it once its open transaction has written
    ``after_bytes`` to the WAL; the uncommitted bytes the kill left there."""
    proc = spawn("-m", "bot", "import", "--db", str(db), str(file))
    deadline = time.monotonic() + 60
    try:
        while True:
            finished = proc.poll() is not None
            assert not finished, (
                "the import ended before the kill (make the file bigger):"
                f" {proc.returncode} {proc.communicate()}"
            )
            assert time.monotonic() < deadline, "the import never wrote to the WAL"
            wal = Path(f"{db}-wal")
            written = wal.exists() and wal.stat().st_size >= after_bytes  # cheap, checked first
            if written and uncommitted_wal_bytes(db) >= after_bytes and write_lock_held(db):
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.005)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL, proc.returncode  # the kill, not an exit
    return uncommitted_wal_bytes(db)  # read before anything opens (and recovers) the db


def test_kill_during_a_large_import_leaves_all_or_nothing(tmp_path: Path) -> None:
    db = tmp_path / "kill.db"
    Store.open(db).close()
    subprocess.run(  # seeds the database, so the import's start-up writes nothing
        [sys.executable, "-m", "bot", "ask", "--db", str(db), "!who nuke"],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        check=True,
    )
    file = big_import_file(db, RECORDS)
    for after_bytes in KILL_AFTER_BYTES:
        left = kill_mid_import(db, file, after_bytes)
        # The kill landed inside the import's transaction, after it had written: the WAL
        # still holds at least that much written and never committed.
        assert left >= after_bytes, (left, after_bytes)
        st = check_consistent(db)
        assert imported_counts(st) == (0, 0, 0)  # none of it, not part of it
        st.close()
    # An uninterrupted run imports everything, exactly once.
    done = subprocess.run(
        [sys.executable, "-m", "bot", "import", "--db", str(db), str(file)],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"entities: {RECORDS} added" in done.stdout and f"facts: {RECORDS} added" in done.stdout
    st = check_consistent(db)
    assert imported_counts(st) == (RECORDS, RECORDS, 2 * RECORDS)
    assert uncommitted_wal_bytes(db) == 0
    st.close()


def test_kill_during_moderator_edits_loses_nothing_acknowledged(tmp_path: Path) -> None:
    db = tmp_path / "edits.db"
    ids = make_facts(db, 5)
    for round_ in range(3):
        proc = spawn(
            "-m", "tests.reliability.worker", str(db), "7", str(GUILD), "100000", *map(str, ids)
        )
        acknowledged: dict[int, int] = {}
        deadline = time.monotonic() + 0.5 + round_ * 0.3
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line.startswith("ok "):
                _, fact, version = line.split()[:3]
                acknowledged[int(fact)] = int(version)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert acknowledged, proc.stderr.read() if proc.stderr else ""
        st = check_consistent(db)
        for fact, version in acknowledged.items():
            assert st.row("fact", fact)["version"] >= version
        st.close()


def change_chain(st: Store, fact_id: int) -> list[dict]:
    """The fact's change records, oldest first, with ``before``/``after`` parsed."""
    records = st.rows(
        "SELECT id, at, actor_id, action, version, before, after FROM change"
        " WHERE table_name = 'fact' AND row_id = ? ORDER BY id",
        [fact_id],
    )
    for record in records:
        for side in ("before", "after"):
            record[side] = json.loads(record[side]) if record[side] else None
    return records


@pytest.mark.parametrize("path", ["version", "default"])
def test_concurrent_writers_lose_no_update(tmp_path: Path, path: str) -> None:
    """Writers collide on two shared facts. ``version``: every edit passes ``version:``.
    ``default``: every edit first goes without it, as moderators usually edit, and on
    "changed meanwhile" retries adding the version the message gives; each writer also
    has a fact of its own, which nobody else changes, so that path also lands."""
    writers, edits = 4, 60
    db = tmp_path / "many.db"
    shared = make_facts(db, 2)
    own = make_facts(db, writers) if path == "default" else []
    ids = shared + own
    flags = ["--default-path"] if path == "default" else []
    actors = [100 + w for w in range(writers)]
    facts_of = [[*shared, own[w]] if own else shared for w in range(writers)]
    procs = [
        spawn(
            "-m",
            "tests.reliability.worker",
            "--wait",
            "--pause",
            *flags,
            str(db),
            str(actor),
            str(GUILD),
            str(edits),
            *map(str, facts),
            stdin=subprocess.PIPE,
        )
        for actor, facts in zip(actors, facts_of, strict=True)
    ]
    for proc in procs:  # all started and their database open: now all edit at once
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outputs = [p.communicate(timeout=120) for p in procs]
    acknowledged: dict[tuple[int, int], tuple[int, str, str]] = {}  # (fact, v) -> who, text, path
    conflicts = defaults = 0
    for proc, actor, facts, (out, err) in zip(procs, actors, facts_of, outputs, strict=True):
        assert proc.returncode == 0, err
        assert "locked" not in err and "Traceback" not in err, err
        lines = out.splitlines()
        oks = [line.split() for line in lines if line.startswith("ok ")]
        assert len(oks) == edits, out
        for n, (_, fact, version, *landed_by) in enumerate(oks):
            assert int(fact) == facts[n % len(facts)]
            key = (int(fact), int(version))
            assert key not in acknowledged, (key, acknowledged.get(key))  # one edit per version
            acknowledged[key] = (actor, f"{actor}:{proc.pid}:{n}", "".join(landed_by) or path)
        (done,) = (line for line in lines if line.startswith("done "))
        counts = dict(field.split("=") for field in done.split()[1:])
        conflicts += int(counts["conflicts"])
        defaults += int(counts["default"])

    st = check_consistent(db)
    edits_logged = st.rows("SELECT count(*) AS n FROM change WHERE action = 'fact.edit'")[0]["n"]
    assert edits_logged == writers * edits
    versions = sum(st.row("fact", i)["version"] for i in ids)
    assert versions == len(ids) + writers * edits  # every edit landed on top of the last
    logged = 0
    for fact_id in ids:
        chain = change_chain(st, fact_id)
        assert [r["version"] for r in chain] == list(range(1, len(chain) + 1))
        assert chain[0]["action"] == "fact.add"
        for previous, record in itertools.pairwise(chain):
            # Each edit started from what the one before it left: none overwrote another.
            assert record["before"] == previous["after"], (fact_id, record["version"])
            who, text, landed = acknowledged[(fact_id, record["version"])]
            assert (record["actor_id"], record["after"]["text"]) == (who, text)
            if landed == "default":
                # Without version:, someone else's change of the last minute is refused.
                fresh = datetime.fromisoformat(record["at"]) - datetime.fromisoformat(
                    previous["at"]
                )
                assert previous["actor_id"] == who or fresh >= timedelta(seconds=60), (
                    fact_id,
                    record["version"],
                )
            logged += 1
        assert st.row("fact", fact_id)["text"] == chain[-1]["after"]["text"]
        if fact_id in shared:  # the writers took turns, not one after another: they raced
            turns = sum(
                1 for a, b in itertools.pairwise(chain[1:]) if a["actor_id"] != b["actor_id"]
            )
            assert turns > writers, [r["actor_id"] for r in chain]
    assert logged == len(acknowledged) == writers * edits  # every acknowledged edit, logged
    assert conflicts > 0  # the writers did collide
    if path == "default":
        assert 0 < defaults < writers * edits  # both ways landed: without and with version:
        assert defaults == sum(1 for *_, landed in acknowledged.values() if landed == "default")
    st.close()
