"""Two bot processes (shards) sharing one SQLite database, each on its own fake Discord with
the same server (same guild id): what a moderator changes through one, the other answers
within a second (Engine.sync from the change log); concurrent edits of one fact through both
lose nothing (no "database is locked" either); both processes' question logs land in the one
database.

Both processes start at the same moment on a database that does not exist yet, as a
service manager would start two shards (they must not both try to create the schema).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from botprocess import ConfigSections, ReplyTracker, RunningBot, content
from fakediscord import MANAGE_MESSAGES, FakeDiscord, RecordedRequest

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(90)]

CHANNELS = ("general", "mods", "questions")
CATCH_UP_BOUND = 3.0  # seconds; the design says within one (sync every 0.25 s)
PROBE_GAP = 0.02  # seconds between B's probe questions: the resolution of the measurement
PROBE_TIMEOUT = 10.0
STORE_PROBLEMS = ("can't be written", "locked", "went wrong")
OVERRIDES: ConfigSections = {"limits": {"cooldown_rate": 10_000, "cooldown_seconds": 60}}

catch_up_seconds: dict[str, float] = {}  # what each catch-up test measured, for the summary


@dataclass
class Shard:
    """One bot process and the fake Discord it is connected to."""

    name: str
    fake: FakeDiscord
    bot: RunningBot
    tracker: ReplyTracker

    def channel(self, name: str) -> int:
        return self.fake.guild.channel(name).id

    async def send(
        self, user: int, text: str, *, channel: str = "general", mod: bool = False
    ) -> int:
        roles = ["Moderator"] if mod else None
        return await self.fake.send_message(
            self.fake.guild.id, self.channel(channel), user, text, roles=roles
        )

    async def say(
        self, user: int, text: str, *, channel: str = "general", mod: bool = False
    ) -> RecordedRequest:
        """Post and wait for the bot's reply."""
        message_id = await self.send(user, text, channel=channel, mod=mod)
        return await self.tracker.reply(message_id, 10, bot=self.bot)


@dataclass
class Shards:
    guild: int
    a: Shard
    b: Shard
    users: list[int]  # members of the server on both fakes (same ids); user() hands them out
    _next_user: int = 0

    def user(self) -> int:
        """A member no other test uses (cooldowns and question-log rows stay apart)."""
        self._next_user += 1
        return self.users[self._next_user]


def same_server(fakes: list[FakeDiscord], users: int) -> tuple[int, list[int]]:
    """The same server (guild id, channel names, roles, owner, members) on every fake."""
    first = fakes[0]
    owner = first.add_user("serverowner").id
    members = [first.add_user(f"member{i}").id for i in range(users)]
    guild_id = first.snowflake()
    for fake in fakes:
        for number, member in enumerate(members):
            fake.ensure_user(member, f"member{number}")
        fake.add_guild(
            "Shared Server",
            guild_id=guild_id,
            owner_id=owner,
            channels=CHANNELS,
            roles={"Moderator": MANAGE_MESSAGES},
        )
    return guild_id, members


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shards(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Shards]:
    workdir = tmp_path_factory.mktemp("shards")
    database = workdir / "shared.db"  # created by whichever process gets there first
    fakes = [FakeDiscord(), FakeDiscord()]
    guild_id, users = same_server(fakes, 60)  # the last few ask in the races
    for fake in fakes:
        await fake.start()
    started = await asyncio.gather(
        *(
            RunningBot.start(fake, workdir / name, OVERRIDES, db_path=database)
            for fake, name in zip(fakes, "ab", strict=True)
        ),
        return_exceptions=True,
    )
    bots = [b for b in started if isinstance(b, RunningBot)]
    try:
        if len(bots) != len(started):
            raise next(e for e in started if isinstance(e, BaseException))
        a, b = (
            Shard(name, fake, bot, ReplyTracker(fake))
            for name, fake, bot in zip("AB", fakes, bots, strict=True)
        )
        yield Shards(guild_id, a, b, users)
    finally:
        problems: list[str] = []
        for bot in bots:  # every process is stopped, whatever the first one's problem
            if bot.exited:
                await bot.kill()
                problems.append(f"a shard died\n{bot.log_tail()}")
                continue
            try:
                await bot.stop_cleanly()
            except AssertionError as exc:
                problems.append(str(exc))
        for fake in fakes:
            await fake.stop()
            problems += [str(v) for v in fake.take_violations()]
        if catch_up_seconds:
            figures = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in catch_up_seconds.items())
            print(f"\nshard catch-up (A's acknowledgement -> B's correct answer): {figures}")
        assert not problems, "\n".join(problems)


@pytest.fixture
def pair(shards: Shards) -> Iterator[Shards]:
    """The module's shards, checked after each test: both alive, no tracebacks."""
    yield shards
    for shard in (shards.a, shards.b):
        assert not shard.bot.exited, shard.bot.log_tail()
        shard.bot.assert_no_tracebacks()
        shard.fake.assert_no_violations()


def fact_id(text: str) -> int:
    found = re.search(r"fact #(\d+)", text)
    assert found, text
    return int(found[1])


async def probe(
    shard: Shard, user: int, question: str, good: Callable[[str], bool]
) -> RecordedRequest:
    """Ask ``question`` through ``shard`` until the reply passes ``good``; that reply."""
    async with asyncio.timeout(PROBE_TIMEOUT):
        while True:
            reply = await shard.say(user, question, channel="questions")
            if good(content(reply)):
                return reply
            await asyncio.sleep(PROBE_GAP)


async def measure_catch_up(
    shards: Shards,
    record_property: Callable[[str, Any], None],
    what: str,
    change: str,
    question: str,
    good: Callable[[str], bool],
    *,
    moderator: int | None = None,
) -> float:
    """Make ``change`` through A (a moderator); the time from A's acknowledgement to B's
    first reply to ``question`` that passes ``good``. B must not pass before the change."""
    moderator, asker = moderator or shards.user(), shards.user()
    before = await shards.b.say(asker, question, channel="questions")
    assert not good(content(before)), content(before)
    ack = await shards.a.say(moderator, change, channel="mods", mod=True)
    assert not content(ack).startswith("⚠️"), content(ack)
    answer = await probe(shards.b, asker, question, good)
    seconds = answer.time - ack.time
    catch_up_seconds[what] = seconds
    record_property(f"catch_up_{what}_seconds", round(seconds, 3))
    print(f"{what}: B answered {seconds * 1000:.0f} ms after A acknowledged")
    assert seconds < CATCH_UP_BOUND, f"B took {seconds:.2f} s to see {what}"
    return seconds


# -- catch-up ------------------------------------------------------------------------------------


async def test_a_fact_added_through_a_is_answered_by_b(
    pair: Shards, record_property: Callable[[str, Any], None]
) -> None:
    text = "Orla Vantablack keeps the lighthouse on the shard coast."
    await measure_catch_up(
        pair,
        record_property,
        "new fact and subject",
        f"!fact add subject: Orla Vantablack kind: who text: {text}",
        "!who orla vantablack",
        lambda reply: text in reply,
    )


async def test_an_alias_added_through_a_is_answered_by_b(
    pair: Shards, record_property: Callable[[str, Any], None]
) -> None:
    moderator = pair.user()
    text = "Brannoch Ellisande is the harbour master."
    added = await pair.a.say(
        moderator, f"!fact add subject: Brannoch Ellisande kind: who text: {text}", mod=True
    )
    assert added.json["content"].startswith("Added fact #")
    await measure_catch_up(
        pair,
        record_property,
        "alias",
        "!alias add Tidewarden to: Brannoch Ellisande",
        "!who tidewarden",
        lambda reply: reply.startswith("**Brannoch Ellisande** — who") and text in reply,
    )


async def test_a_rename_through_a_is_answered_by_b(
    pair: Shards, record_property: Callable[[str, Any], None]
) -> None:
    moderator = pair.user()
    text = "Cassivel Marrow runs the night market."
    await pair.a.say(
        moderator, f"!fact add subject: Cassivel Marrow kind: who text: {text}", mod=True
    )
    await measure_catch_up(
        pair,
        record_property,
        "rename",
        "!entity rename Cassivel Marrow to: Quennith Drake",
        "!who quennith drake",
        lambda reply: reply.startswith("**Quennith Drake** — who") and text in reply,
    )
    # The old name keeps working on B too (it became an alias).
    old = await pair.b.say(pair.user(), "!who cassivel marrow")
    assert content(old).startswith("**Quennith Drake** — who")


async def test_a_fact_edited_through_a_is_answered_by_b(
    pair: Shards, record_property: Callable[[str, Any], None]
) -> None:
    moderator = pair.user()
    added = await pair.a.say(
        moderator, "!fact add subject: Ysolde Brackwater kind: who text: Ysolde v1.", mod=True
    )
    fid = fact_id(content(added))
    await probe(pair.b, pair.user(), "!who ysolde brackwater", lambda r: "Ysolde v1." in r)
    await measure_catch_up(
        pair,
        record_property,
        "fact edit",
        f"!fact edit {fid} text: Ysolde v2.",
        "!who ysolde brackwater",
        lambda reply: "Ysolde v2." in reply,
        moderator=moderator,  # their own fresh fact: no "changed meanwhile" question
    )


# -- concurrent writers --------------------------------------------------------------------------


def assert_history_agrees(shard: Shard, fid: int, acknowledged: list[str]) -> None:
    """Every acknowledged edit is in the history once, as consecutive versions, nothing else
    is, and the fact says what the last of them says."""
    history = shard.bot.query(
        "SELECT version, action, after FROM change WHERE table_name = 'fact' AND row_id = ?"
        " ORDER BY id",
        [fid],
    )
    assert [h["version"] for h in history] == list(range(1, len(history) + 1))
    assert [h["action"] for h in history] == ["fact.add"] + ["fact.edit"] * len(acknowledged)
    edited = [json.loads(h["after"])["text"] for h in history[1:]]
    assert sorted(edited) == sorted(acknowledged)
    (fact,) = shard.bot.query("SELECT text, version FROM fact WHERE id = ?", [fid])
    assert fact == {"text": edited[-1] if edited else fact["text"], "version": len(history)}


async def edit_race(
    pair: Shards, fid: int, mods: tuple[int, int], texts: tuple[str, str], version: str = ""
) -> list[str]:
    """One edit of fact ``fid`` through each shard at the same moment, while both shards
    also answer questions (their question-log flushes write to the database too)."""
    questions = [
        shard.send(pair.users[-1 - n], "!who nuke", channel="questions")
        for shard in (pair.a, pair.b)
        for n in range(4)
    ]
    sent = await asyncio.gather(
        *(
            shard.send(mod, f"!fact edit {fid} {version}text: {text}", channel="mods", mod=True)
            for shard, mod, text in zip((pair.a, pair.b), mods, texts, strict=True)
        ),
        *questions,
    )
    replies = []
    for shard, message_id in zip((pair.a, pair.b), sent[:2], strict=True):
        reply = content(await shard.tracker.reply(message_id, 15, bot=shard.bot))
        assert not any(problem in reply for problem in STORE_PROBLEMS), reply
        replies.append(reply)
    return replies


async def test_concurrent_edits_of_one_fact_through_both_lose_nothing(pair: Shards) -> None:
    mod_a, mod_b = pair.user(), pair.user()
    added = await pair.a.say(
        mod_a, "!fact add subject: Tamsin Holloway kind: who text: Tamsin v0.", mod=True
    )
    fid = fact_id(content(added))
    await probe(pair.b, pair.user(), "!who tamsin holloway", lambda r: "Tamsin v0." in r)
    acknowledged: list[str] = []  # texts whose edit was acknowledged
    refused = 0
    for round_ in range(12):
        texts = (f"Tamsin A{round_}.", f"Tamsin B{round_}.")
        replies = await edit_race(pair, fid, (mod_a, mod_b), texts)
        for reply, text in zip(replies, texts, strict=True):
            if reply == f"Edited fact #{fid} (text).":
                acknowledged.append(text)
            else:  # the other moderator's edit is that fresh: they are told, not overwritten
                assert "changed meanwhile" in reply, reply
                refused += 1
    assert len(acknowledged) + refused == 24 and acknowledged
    assert_history_agrees(pair.a, fid, acknowledged)
    (row,) = pair.a.bot.query("SELECT text FROM fact WHERE id = ?", [fid])
    for shard in (pair.a, pair.b):  # both shards answer with what the fact now says
        reply = await shard.say(pair.user(), "!who tamsin holloway")
        assert row["text"] in content(reply)
    print(f"concurrent edits: {len(acknowledged)} applied in sequence, {refused} refused")


async def test_concurrent_edits_at_one_version_exactly_one_wins(pair: Shards) -> None:
    """Both moderators confirm the version they saw (``version:``): one edit applies, the
    other is told "changed meanwhile", in every round; never both (a lost update)."""
    mod_a, mod_b = pair.user(), pair.user()
    added = await pair.a.say(
        mod_a, "!fact add subject: Wendell Askari kind: who text: Wendell v0.", mod=True
    )
    fid = fact_id(content(added))
    await probe(pair.b, pair.user(), "!who wendell askari", lambda r: "Wendell v0." in r)
    acknowledged: list[str] = []
    wins = Counter[str]()
    for round_ in range(12):
        (row,) = pair.a.bot.query("SELECT version FROM fact WHERE id = ?", [fid])
        texts = (f"Wendell A{round_}.", f"Wendell B{round_}.")
        replies = await edit_race(
            pair, fid, (mod_a, mod_b), texts, version=f"version: {row['version']} "
        )
        won = [
            (shard, text)
            for shard, reply, text in zip("AB", replies, texts, strict=True)
            if reply == f"Edited fact #{fid} (text)."
        ]
        assert len(won) == 1, replies
        assert sum("changed meanwhile" in reply for reply in replies) == 1, replies
        wins[won[0][0]] += 1
        acknowledged.append(won[0][1])
    assert_history_agrees(pair.a, fid, acknowledged)
    print(f"versioned races: A won {wins['A']}, B won {wins['B']} of 12")


# -- the question log ----------------------------------------------------------------------------


async def test_both_shards_question_logs_land_in_the_database(pair: Shards) -> None:
    asked = {
        "A": (pair.a, pair.user(), ["!who trish walker", "!when jessica jones s3", "!what igh"]),
        "B": (pair.b, pair.user(), ["!who kilgrav", "!ask when does luke cage premiere"]),
    }
    for shard, user, questions in asked.values():
        for question in questions:
            await shard.say(user, question)

    # No other test of the module asks these; the log keeps no user or channel (issue 14).
    def logged(questions: list[str]) -> list[str]:
        texts = [q.split(" ", 1)[1] for q in questions]
        marks = ",".join("?" for _ in texts)
        rows = pair.a.bot.query(
            f"SELECT text FROM question WHERE guild_id = ? AND text IN ({marks}) ORDER BY id",
            [pair.guild, *texts],
        )
        return [r["text"] for r in rows]

    # Each process flushes its log every half second: wait for it, not a timer.
    for _ in range(200):
        if all(len(logged(q)) >= len(q) for _, _, q in asked.values()):
            break
        await asyncio.sleep(0.05)
    for _, _, questions in asked.values():  # each process's in the order it was asked
        assert logged(questions) == [q.split(" ", 1)[1] for q in questions]
