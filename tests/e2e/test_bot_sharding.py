"""One bot token in two processes, each holding two of Discord's four shards, on one SQLite
database and one fake Discord with eight servers (two per shard).

Each process IDENTIFYs its shards (``shard: [id, 4]``), and the fake sends every server's
events only on the connection of the shard that owns it (``(guild_id >> 22) % 4``). So:
every question is answered exactly once, by the process holding its server's shard (told
apart by the sockets its REST calls come from, both processes sending the same token); an
edit every server sees (the owner's, of a global fact, made with a moderator's command)
through one process is answered by the other within a second (the change log); one
process killed (SIGKILL) and restarted while the other answers its servers
throughout; and only the process holding shard 0 publishes the slash commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import pytest
import pytest_asyncio
from botprocess import ConfigSections, ReplyTracker, RunningBot, content, paced
from fakediscord import MANAGE_MESSAGES, FakeDiscord, FakeGuild, RecordedRequest

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(120)]

SHARD_COUNT = 4
HOLDS = {"A": [0, 1], "B": [2, 3]}  # process -> the shards it holds
GUILDS_PER_SHARD = 2
QUESTIONS = ("!who nuke", "!what igh", "!when jessica jones s2", "!who kilgrav")
QUESTION_COUNT = 200
RATE = 100.0  # questions per second
CATCH_UP_BOUND = 1.5  # seconds: "within a second", with slack for a shared machine
PROBE_GAP = 0.02
COMMAND_PUTS = ("bulk_set_application_commands", "bulk_set_guild_application_commands")
# Both processes read the same config file contents (as one /etc/showbot/config.toml would):
# A holds what it says, B is told otherwise by --shard-ids.
OVERRIDES: ConfigSections = {
    "discord": {"shard_count": SHARD_COUNT, "shard_ids": HOLDS["A"]},
    # Every question waits its turn, however slow a loaded machine answers: this is about
    # which process answers, not load shedding (tests/e2e/test_bot_flood.py).
    "limits": {
        "cooldown_rate": 10_000,
        "cooldown_seconds": 60,
        "channel_backlog": 1_000,
        "question_max_age": 120,
    },
}

measured: dict[str, Any] = {}  # for the summary printed at teardown


@dataclass
class Cluster:
    fake: FakeDiscord
    guilds: list[FakeGuild]
    workdir: Path
    database: Path
    members: list[int]
    tracker: ReplyTracker
    bots: dict[str, RunningBot] = field(default_factory=dict)  # the live process of each name
    started: list[RunningBot] = field(default_factory=list)  # every process, in start order
    edited: str = "Nuke"  # the text of the global edit, once made
    _next_member: int = 0

    def owner(self, guild: FakeGuild) -> str:
        """The process whose shards own ``guild``."""
        shard = FakeDiscord.shard_of(guild.id, SHARD_COUNT)
        return next(name for name, shards in HOLDS.items() if shard in shards)

    def guilds_of(self, name: str) -> list[FakeGuild]:
        return [g for g in self.guilds if self.owner(g) == name]

    def member(self) -> int:
        self._next_member += 1
        return self.members[self._next_member % len(self.members)]

    def name_client(self, peer: tuple[str, int]) -> str | None:
        """Which process has the socket at ``peer`` open (asked while it is)."""
        wanted = (peer[1], self.fake.port)  # (the process's port, the fake's)
        for name, bot in self.bots.items():
            with contextlib.suppress(psutil.Error):
                sockets = psutil.Process(bot.process.pid).net_connections(kind="tcp")
                if any(c.raddr and (c.laddr.port, c.raddr.port) == wanted for c in sockets):
                    return name
        return None

    async def start(self, name: str) -> RunningBot:
        """Start process ``name`` (A takes its shards from the config, B from --shard-ids)
        and wait until it is ready and holds its shards' gateway sessions."""
        args = [] if name == "A" else ["--shard-ids", ",".join(map(str, HOLDS[name]))]
        workdir = self.workdir / f"{name}{len(self.started)}"
        bot = await RunningBot.start(
            self.fake, workdir, OVERRIDES, wait=False, db_path=self.database, args=args
        )
        self.bots[name] = bot  # from its first request on, its sockets are named
        self.started.append(bot)
        try:
            await bot.wait_until_ready()
            await self.fake.wait_for(
                lambda: True if self.holds(name) else None, 10, f"{name}'s shard sessions"
            )
        except BaseException:
            await bot.kill()
            raise
        return bot

    def holds(self, name: str) -> bool:
        live = self.fake.live_shards()
        return all(live.get((shard, SHARD_COUNT)) == name for shard in HOLDS[name])

    async def ask(
        self, guild: FakeGuild, text: str, *, mod: bool = False, author: int | None = None
    ) -> int:
        channel = guild.channel("mods" if mod else "general").id
        roles = ["Moderator"] if mod else None
        author = author or self.member()
        return await self.fake.send_message(guild.id, channel, author, text, roles=roles)

    async def say(
        self, guild: FakeGuild, text: str, *, mod: bool = False, author: int | None = None
    ) -> RecordedRequest:
        message_id = await self.ask(guild, text, mod=mod, author=author)
        return await self.tracker.reply(message_id, 10, bot=self.bots[self.owner(guild)])

    def assert_answered_once_by_owner(self, asked: dict[int, FakeGuild]) -> None:
        self.tracker.scan()
        for message_id, guild in asked.items():
            replies = self.tracker.replies.get(message_id, [])
            assert len(replies) == 1, f"message {message_id}: {len(replies)} replies"
            (reply,) = replies
            assert reply.client == self.owner(guild), (reply.client, guild.name)
            assert reply.path_params["channel_id"] == str(guild.channel("general").id)
            content = str(reply.json.get("content", ""))
            # An answer: the subject in bold, or a typo's answer saying so first.
            assert content.startswith(("**", "Showing **")), reply.json


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Cluster]:
    workdir = tmp_path_factory.mktemp("sharding")
    fake = FakeDiscord()
    server_owner = fake.add_user("serverowner").id
    guilds = [
        fake.add_guild(
            f"Server {shard}.{n}",
            guild_id=fake.guild_id_on_shard(shard, SHARD_COUNT),
            owner_id=server_owner,
            channels=("general", "mods"),
            roles={"Moderator": MANAGE_MESSAGES},
        )
        for shard in range(SHARD_COUNT)
        for n in range(GUILDS_PER_SHARD)
    ]
    members = [fake.add_user(f"member{i}").id for i in range(40)]
    await fake.start()
    cluster = Cluster(fake, guilds, workdir, workdir / "shared.db", members, ReplyTracker(fake))
    fake.name_client = cluster.name_client
    problems: list[str] = []
    try:
        began = asyncio.get_running_loop().time()
        # Both at once on a database that does not exist yet, as a service manager would.
        await asyncio.gather(cluster.start("A"), cluster.start("B"))
        measured["both ready (s)"] = round(asyncio.get_running_loop().time() - began, 1)
        yield cluster
    finally:
        for bot in cluster.started:
            if bot.exited:  # B's first process, killed on purpose; any other is a problem
                await bot.kill()
                if bot is not cluster.started[1]:
                    problems.append(f"a process died\n{bot.log_tail()}")
                continue
            try:
                await bot.stop_cleanly()
            except AssertionError as exc:
                problems.append(str(exc))
        await fake.stop()
        problems += [str(v) for v in fake.take_violations()]
        print(f"\nsharding: {measured}")
        assert not problems, "\n".join(problems)


@pytest.fixture
def shards(cluster: Cluster) -> Iterator[Cluster]:
    """The module's processes, checked after each test: alive, no tracebacks, nothing
    real Discord would refuse."""
    yield cluster
    for bot in cluster.bots.values():
        assert not bot.exited, bot.log_tail()
        bot.assert_no_tracebacks()
    cluster.fake.assert_no_violations()


async def test_each_process_holds_its_shards_and_logs_them(shards: Cluster) -> None:
    assert shards.fake.live_shards() == {
        (0, 4): "A",
        (1, 4): "A",
        (2, 4): "B",
        (3, 4): "B",
    }
    for name, bot in shards.bots.items():
        (starting,) = bot.events("starting")
        assert starting["shard_ids"] == HOLDS[name] and starting["shard_count"] == SHARD_COUNT
        assert starting["syncs_commands"] is (name == "A")
        (ready,) = bot.events("ready")
        assert ready["shard_ids"] == HOLDS[name] and ready["guilds"] == 4
        assert sorted(e["shard_id"] for e in bot.events("shard_ready")) == HOLDS[name]
        assert all(e["guilds"] == GUILDS_PER_SHARD for e in bot.events("shard_ready"))


async def test_every_question_is_answered_once_by_the_owning_process(shards: Cluster) -> None:
    asked: dict[int, FakeGuild] = {}

    async def send(number: int) -> None:
        guild = shards.guilds[number % len(shards.guilds)]
        asked[await shards.ask(guild, QUESTIONS[number % len(QUESTIONS)])] = guild

    loop = asyncio.get_running_loop()
    began = loop.time()
    rate = await paced(QUESTION_COUNT, RATE, send)
    await shards.tracker.wait_for_replies(asked, 30)
    measured["200 questions answered (s)"] = round(loop.time() - began, 2)
    measured["question rate (/s)"] = round(rate)
    await asyncio.sleep(0.5)  # a second answer would come within this
    shards.assert_answered_once_by_owner(asked)
    by_process = {name: sum(shards.owner(g) == name for g in asked.values()) for name in HOLDS}
    assert by_process == {"A": QUESTION_COUNT // 2, "B": QUESTION_COUNT // 2}


async def test_a_global_edit_through_a_is_answered_by_b_within_a_second(
    shards: Cluster,
) -> None:
    """A server's moderators change their own server's facts, which only the process
    holding that server answers; a change every server sees is the owner's edit of a global
    fact: made through a server of A, answered in B's servers within a second."""
    through, others = shards.guilds_of("A")[0], shards.guilds_of("B")
    question = "!who nuke"
    before = content(await shards.say(through, question))
    found = re.search(r"`#(\d+)`", before)
    assert found, before
    fid, text = int(found[1]), "Nuke was edited through shard 0 and read on shards 2 and 3."
    for guild in others:
        assert text not in content(await shards.say(guild, question))
    ack = await shards.say(
        through, f"!fact edit {fid} text: {text}", mod=True, author=shards.fake.owner.id
    )
    assert content(ack) == f"Edited fact #{fid} (text).", content(ack)
    assert ack.client == "A"

    async def probe(guild: FakeGuild) -> float:
        """Ask in one of B's servers until the answer has the edit; seconds since A's ack."""
        async with asyncio.timeout(10):
            while True:
                reply = await shards.say(guild, question)
                if text in content(reply):
                    assert reply.client == "B"
                    return reply.time - ack.time
                await asyncio.sleep(PROBE_GAP)

    seconds = await asyncio.gather(*(probe(guild) for guild in others))  # 2 per shard of B
    measured["catch-up A -> B (ms)"] = [round(s * 1000) for s in seconds]
    assert max(seconds) < CATCH_UP_BOUND, seconds
    shards.edited = text


async def test_b_killed_and_restarted_while_a_answers_throughout(shards: Cluster) -> None:
    loop = asyncio.get_running_loop()
    mine, theirs = shards.guilds_of("A"), shards.guilds_of("B")
    to_a: dict[int, FakeGuild] = {}
    stop = asyncio.Event()

    async def keep_asking_a() -> None:
        number = 0
        while not stop.is_set():
            guild = mine[number % len(mine)]
            to_a[await shards.ask(guild, QUESTIONS[number % len(QUESTIONS)])] = guild
            number += 1
            await asyncio.sleep(0.05)

    asking = asyncio.create_task(keep_asking_a())
    try:
        await asyncio.sleep(0.5)
        old_b = shards.bots["B"]
        await old_b.kill()  # SIGKILL: no goodbye to the gateway, no final flush
        killed = loop.time()

        def b_gone() -> bool | None:
            live = shards.fake.live_shards()
            return None if any(live.get((s, SHARD_COUNT)) for s in HOLDS["B"]) else True

        await shards.fake.wait_for(b_gone, 5, "B's sessions to drop")
        # Nobody holds B's shards now: their servers' messages reach no process (on Discord
        # too); above all, A never answers them.
        unheld = {await shards.ask(guild, "!who nuke"): guild for guild in theirs}
        new_b = await shards.start("B")
        measured["B down, killed -> its shards held again (s)"] = round(loop.time() - killed, 1)
        assert new_b.process.pid != old_b.process.pid
        await asyncio.sleep(0.5)  # A keeps answering after B is back, too
    finally:
        stop.set()
        await asyncio.wait_for(asking, 5)
    await shards.tracker.wait_for_replies(to_a, 10, bot=shards.bots["A"])
    measured["questions to A during B's restart"] = len(to_a)
    assert len(to_a) >= 20
    await asyncio.sleep(0.3)
    shards.assert_answered_once_by_owner(to_a)
    shards.tracker.scan()
    assert not any(shards.tracker.replies.get(m) for m in unheld)

    # The restarted B answers its servers again, and knows what was changed through A.
    again = {await shards.ask(guild, "!who nuke"): guild for guild in theirs}
    await shards.tracker.wait_for_replies(again, 10, bot=new_b)
    await asyncio.sleep(0.3)
    shards.assert_answered_once_by_owner(again)
    for message_id in again:
        assert shards.edited in content(shards.tracker.replies[message_id][0])


async def test_only_the_shard_zero_process_publishes_commands(shards: Cluster) -> None:
    puts = [r for r in shards.fake.requests if r.operation_id in COMMAND_PUTS]
    assert [(r.operation_id, r.client, r.status) for r in puts] == [
        ("bulk_set_application_commands", "A", 200)
    ]
    a, *bs = shards.started
    assert a.events("commands_sync_done") and not a.events("commands_sync_skipped")
    assert bs and all(b.events("commands_sync_skipped") for b in bs)
    assert not any(b.events("commands_synced") or b.events("commands_sync_done") for b in bs)
    measured["command PUTs"] = len(puts)
