"""SIGKILL the real bot process mid-write, restart it on the same database and fake, and check
what survived: the database is intact, an import is wholly in or wholly out, every
acknowledged edit is there, and the change log agrees with the rows (version == changes).

The engine-level version of these checks is tests/reliability/test_crash_and_concurrency.py;
here the writes arrive as Discord messages and button clicks, as in production."""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from botprocess import REPLY_TIMEOUT, ConfigSections, RunningBot, StartBot, replies_to
from fakediscord import FakeDiscord, FileSpec, RecordedRequest

pytestmark = pytest.mark.timeout(90)

OVERRIDES: ConfigSections = {"limits": {"cooldown_rate": 1000, "cooldown_seconds": 1}}
CURATED = ("entity", "alias", "source", "fact")
RECORDS = 12_000  # entities and as many facts: an apply takes ~2.5 s, so kills land inside
PREFIX = "Crashtest"
APPLY_TIMEOUT = 60.0  # a dry run or apply of RECORDS entities + facts, with margin for load


@dataclass
class Place:
    guild: int
    channel: int
    mod: int


def place(fake: FakeDiscord) -> Place:
    guild = fake.guild
    return Place(guild.id, guild.channel("general").id, fake.add_user("crashmod").id)


def assert_consistent(bot: RunningBot) -> None:
    """Integrity ok, and each curated row's version equals its number of change records."""
    assert bot.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
    for table in CURATED:
        mismatched = bot.query(
            f"SELECT t.id, t.version, count(c.id) AS n FROM {table} t LEFT JOIN change c"
            f" ON c.table_name = '{table}' AND c.row_id = t.id GROUP BY t.id"
            " HAVING t.version != n"
        )
        assert mismatched == [], (table, mismatched[:5])


def big_import(count: int) -> FileSpec:
    data = {
        "format": "showbot",
        "version": 1,
        "entities": [
            {"key": f"crash-e{i}", "name": f"{PREFIX} Subject {i}", "kind": "character"}
            for i in range(count)
        ],
        "facts": [
            {
                "key": f"crash-f{i}",
                "entity": f"crash-e{i}",
                "kind": "who",
                "text": f"Crash fact {i}.",
                "status": "confirmed",
            }
            for i in range(count)
        ],
    }
    return ("crash.json", json.dumps(data).encode(), "application/json")


def imported(bot: RunningBot) -> tuple[int, int]:
    """(entities, facts) of the crash file present in the database."""
    (entities,) = bot.query("SELECT count(*) AS n FROM entity WHERE name LIKE ?", [f"{PREFIX}%"])
    (facts,) = bot.query("SELECT count(*) AS n FROM fact WHERE text LIKE 'Crash fact %'")
    return int(entities["n"]), int(facts["n"])


async def ask(bot: RunningBot, where: Place, text: str) -> str:
    reply = await bot.ask(where.guild, where.channel, where.mod, text, roles=["Moderator"])
    assert reply.status == 200, reply
    return str(reply.json["content"])


async def assert_answers_after_restart(bot: RunningBot, where: Place, landed: bool) -> None:
    """The restarted bot answers as the database says: the import's subject only if it
    landed, and a seeded subject either way."""
    last = RECORDS - 1
    answer = await ask(bot, where, f"!who {PREFIX.lower()} subject {last}")
    if landed:
        assert answer.startswith(f"**{PREFIX} Subject {last}** — who"), answer
        assert f"Crash fact {last}." in answer
    else:
        assert f"Crash fact {last}." not in answer and "— who" not in answer, answer
    assert "Nuke" in await ask(bot, where, "!who nuke")


async def test_sigkill_mid_import_leaves_it_all_or_nothing(
    fake_discord: FakeDiscord, start_bot: StartBot, tmp_path: Path
) -> None:
    db = tmp_path / "crash.db"
    where = place(fake_discord)
    bot = await start_bot(OVERRIDES, db_path=db)
    file = big_import(RECORDS)
    outcomes: list[tuple[str, float]] = []  # (outcome, kill delay after the click in s)
    applied = 0.0  # how long the finished apply took
    # Kill at fractions of the dry run's duration (an apply does the same work, so this
    # calibrates itself to the machine); None: let the apply finish, then kill.
    for fraction in (0.25, 0.6, None):
        began = time.monotonic()
        preview = await bot.ask(
            where.guild,
            where.channel,
            where.mod,
            "!facts import",
            roles=["Moderator"],
            attachments=[file],
            timeout=APPLY_TIMEOUT,
        )
        dry_run = time.monotonic() - began
        assert preview.json["content"].endswith("Apply?"), preview.json["content"]
        apply = next(
            b["custom_id"]
            for row in preview.json["components"]
            for b in row["components"]
            if b["label"] == "Apply"
        )
        # Click as a person would, a moment after the preview: discord.py registers the
        # buttons only once it has processed the send, and right after parsing a big file
        # a loaded machine can take longer than the fake's 0.1 s click delay for that.
        await asyncio.sleep(1.0)
        since = len(fake_discord.requests)
        handle = await fake_discord.send_component(
            int(preview.response["id"]), where.mod, apply, roles=["Moderator"]
        )
        await fake_discord.wait_for_callback(handle, timeout=10)  # the apply starts now
        clicked = time.monotonic()
        question = int(preview.json["message_reference"]["message_id"])
        delay = 0.0
        if fraction is None:
            done = await bot.reply_to(question, APPLY_TIMEOUT, since=since)
            assert done.json["content"].startswith("Import did"), done.json["content"]
            applied = time.monotonic() - clicked
        else:
            delay = dry_run * fraction
            await asyncio.sleep(delay)
        await bot.kill()
        reported = any(replies_to(question)(r) for r in fake_discord.requests[since:])

        bot = await start_bot(OVERRIDES, db_path=db)
        assert_consistent(bot)
        entities, facts = imported(bot)
        assert (entities, facts) in ((0, 0), (RECORDS, RECORDS)), (entities, facts)
        landed = facts == RECORDS
        assert landed or not reported  # a reported import is never lost
        # Not reported and not there: killed inside the apply (it began at the click).
        outcomes.append(("all" if landed else "none", round(delay, 2)))
        await assert_answers_after_restart(bot, where, landed)
        if landed:
            break  # the file is in: a new preview would find nothing to import
    print(f"dry run {dry_run:.2f}s, apply {applied:.2f}s; kills (outcome, delay): {outcomes}")
    assert outcomes[-1][0] == "all"  # the last apply was let finish (or an earlier one did)


def edit_reply(text: str) -> int | None:
    found = re.match(r"Edited fact #(\d+) \(text\)\.", text)
    return int(found[1]) if found else None


async def test_sigkill_mid_edits_keeps_every_acknowledged_edit(
    fake_discord: FakeDiscord, start_bot: StartBot, tmp_path: Path
) -> None:
    db = tmp_path / "edits.db"
    where = place(fake_discord)  # one moderator: their own edits never conflict
    bot = await start_bot(OVERRIDES, db_path=db)
    ids: list[int] = []
    for number in range(3):
        added = await ask(bot, where, f"!fact add subject: Crash Edit {number} kind: who text: v0")
        found = re.search(r"fact #(\d+)", added)
        assert found, added
        ids.append(int(found[1]))

    # sent[n] = the fact edit n went to; acknowledged edits are those answered before the kill.
    sent: list[int] = []
    acknowledged: set[int] = set()
    for number in range(1, 7):  # one at a time, each waited for
        fid = ids[number % 3]
        sent.append(fid)
        assert edit_reply(await ask(bot, where, f"!fact edit {fid} text: v{number}")) == fid
        acknowledged.add(number)
    # Then a burst not waited for; the bot is killed once a few of it are answered.
    since = len(fake_discord.requests)
    burst: dict[int, int] = {}  # message id -> edit number
    for number in range(7, 25):
        fid = ids[number % 3]
        sent.append(fid)
        message = await fake_discord.send_message(
            where.guild, where.channel, where.mod, f"!fact edit {fid} text: v{number}",
            roles=["Moderator"],
        )  # fmt: skip
        burst[message] = number

    def answered() -> dict[int, RecordedRequest]:
        found: dict[int, RecordedRequest] = {}
        for message in burst:
            reply = next((r for r in fake_discord.requests[since:] if replies_to(message)(r)), None)
            if reply is not None:
                found[message] = reply
        return found

    await fake_discord.wait_for(
        lambda: True if len(answered()) >= 4 else None, REPLY_TIMEOUT, "4 burst replies"
    )
    await bot.kill()  # the rest of the burst is in flight (or queued) in the bot
    for message, reply in answered().items():
        number = burst[message]
        assert edit_reply(reply.json["content"]) == sent[number - 1], reply.json
        acknowledged.add(number)

    bot = await start_bot(OVERRIDES, db_path=db)
    assert_consistent(bot)
    kept = 0  # edits in the database (acknowledged or not)
    for fid in ids:
        mine = [n for n, f in enumerate(sent, start=1) if f == fid]
        acked = [n for n in mine if n in acknowledged]
        (row,) = bot.query("SELECT text, version FROM fact WHERE id = ?", [fid])
        # Each edit of a fact adds one version (created = v1); edits apply in order.
        assert row["version"] >= 1 + len(acked), (fid, row, acked)
        kept += row["version"] - 1
        assert row["text"] == f"v{mine[row['version'] - 2]}", (fid, row)
        logged = {
            json.loads(c["after"]).get("text")
            for c in bot.query(
                "SELECT after FROM change WHERE table_name = 'fact' AND row_id = ?", [fid]
            )
        }
        assert {f"v{n}" for n in acked} <= logged, (fid, acked, logged)
        history = await ask(bot, where, f"!fact history {fid}")
        listed = re.findall(r"^v(\d+) ·", history, re.MULTILINE)
        assert listed == [str(v) for v in range(1, row["version"] + 1)], history
    print(f"edits: {len(sent)} sent, {len(acknowledged)} acknowledged, {kept} kept")
