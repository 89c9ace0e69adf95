"""The real bot process under sustained load, through the fake Discord: 600 questions from 50
members over 20 channels at about 100/s, while three moderators keep editing facts, a few
reply POSTs are refused with 429 and the gateway connection drops once.

One run (the module's ``load_run``) is checked from several sides: every question answered
exactly once with the engine's own text, 429s honoured, the question log complete, moderator
edits applied, memory flat, the per-member cooldown holding. Correctness only: no timing
asserts (the benchmark, ``benchmarks/load.py``, measures speed).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import pytest_asyncio
from botprocess import ConfigSections, ReplyTracker, RunningBot, World, content, paced

from bot.engine import Engine

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(120)]

MEMBERS = 50
CHANNELS = 20
PER_MEMBER = 12  # 600 questions
RATE = 100.0  # questions per second
COOLDOWN_RATE = 20  # per member per minute: above PER_MEMBER, below FLOOD
FLOOD = 30  # one member's questions, in one of the busy channels
RETRY_AFTER = 0.3
LIMITED_AT = (150, 300, 450)  # the next reply POST after these questions gets a 429
DROP_AT = 300  # the gateway connection is dropped after this question
MESSAGES = "/channels/{channel_id}/messages"
MiB = 2**20

# Known subjects, typos, unknown subjects, seasons and hostile text. None of their answers
# depends on the moderators' concurrent edits (the ``expected`` fixture checks that).
QUESTIONS = [
    "!when jessica jones s2",
    "!who nuke",
    "!what igh",
    "!ask who is kilgrave",
    "!when luke cage",
    "!who kilgrav",
    "!who jessika jones",
    "!who melisa rosenburg",
    "!when defnders",
    "!who walker trish",
    "!when jessica jones s3",
    "!who the punisher",
    "!what nothing we know about",
    "!when jessica jones season two",
    "!ask when does jessica jones 2nd season come out",
    "!when jessica jones s02e03",
    "!who @everyone",
    "!ask ||spoiler||",
    "!what **igh** __under__ `code` [link](https://example.com)",
    "!who <@1234567890>",
    "!ask " + "who is nuke " * 100,  # too long: the engine's own error reply
]
# Subjects the moderators create and edit: names no question above comes near.
MOD_SUBJECTS = ("Quorvin Establex", "Maribel Thornquist", "Zephyrine Oakhollow")


@pytest.fixture(scope="module")
def bot_overrides() -> ConfigSections:
    return {"limits": {"cooldown_rate": COOLDOWN_RATE, "cooldown_seconds": 60}}


@dataclass
class Sent:
    message_id: int
    channel: int
    user: int
    text: str


@dataclass
class Moderator:
    """One moderator's subject, its first fact and what it was last edited to say."""

    user: int
    channel: int
    subject: str
    fact_id: int = 0
    text: str = ""
    commands: list[tuple[int, str]] = field(default_factory=list)  # (message id, command)
    aliases: list[str] = field(default_factory=list)
    extra_facts: list[str] = field(default_factory=list)


@dataclass
class LoadRun:
    guild: int
    questions: list[Sent]
    flood: list[Sent]
    moderators: list[Moderator]
    tracker: ReplyTracker
    rss_warm: int
    rss_end: int
    resumes: int
    sent: int  # every message members and moderators posted that earns a reply (see FLOOD)
    posted: int  # every message the bot posted meanwhile (429'd attempts aside)


def subject_text(message: str) -> str:
    """What the question log stores: the text after the command, as the bot got it."""
    return message.split(" ", 1)[1].strip()[:500]


async def moderate(
    world: World, bot: RunningBot, tracker: ReplyTracker, mod: Moderator, stop: asyncio.Event
) -> None:
    """Edit, alias and add facts about the moderator's subject, about one command a second,
    each after the previous one was acknowledged."""

    async def say(command: str) -> str:
        message_id = await world.fake.send_message(
            world.main.id, mod.channel, mod.user, command, roles=["Moderator"]
        )
        mod.commands.append((message_id, command))
        return content(await tracker.reply(message_id, 20, bot=bot))

    first = mod.subject.split()[0]
    added = await say(f"!fact add subject: {mod.subject} kind: who text: {first} v0.")
    found = re.search(r"Added fact #(\d+)", added)
    assert found, added
    mod.fact_id, mod.text = int(found[1]), f"{first} v0."
    round_ = 0
    while not stop.is_set():
        round_ += 1
        step = round_ % 3
        if step == 1:
            mod.text = f"{first} v{round_}."
            ack = await say(f"!fact edit {mod.fact_id} text: {mod.text}")
            assert ack == f"Edited fact #{mod.fact_id} (text).", ack
        elif step == 2:
            alias = f"{first} alias {round_}"
            ack = await say(f"!alias add {alias} to: {mod.subject}")
            assert f"now also means **{mod.subject}**" in ack, ack
            mod.aliases.append(alias)
        else:
            text = f"{first} extra {round_}."
            ack = await say(f"!fact add subject: {mod.subject} kind: who text: {text}")
            assert ack.startswith("Added fact #") and mod.subject in ack, ack
            mod.extra_facts.append(text)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.3)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def load_run(world: World, bot_process: RunningBot) -> LoadRun:
    fake, bot, guild = world.fake, bot_process, world.main.id
    channels = [world.channel() for _ in range(CHANNELS)]
    members = [world.user("loadfan") for _ in range(MEMBERS)]
    flooder = world.user("flooder")
    tracker = ReplyTracker(fake)
    since = len(fake.requests)

    # Warm-up (its own members): imports, caches and buffers settle before the RSS baseline.
    warm = [
        await fake.send_message(guild, channels[i % CHANNELS], world.user("warm"), QUESTIONS[i])
        for i in range(len(QUESTIONS))
    ]
    await tracker.wait_for_replies(warm, 20, bot=bot)
    rss_warm = bot.rss()

    moderators = [
        Moderator(world.user("loadmod"), channels[i], subject)
        for i, subject in enumerate(MOD_SUBJECTS)
    ]
    stop = asyncio.Event()
    mod_tasks = [
        asyncio.create_task(moderate(world, bot, tracker, mod, stop)) for mod in moderators
    ]

    # Every member asks PER_MEMBER questions, spread over channels; the flooder asks FLOOD
    # questions in channels[0] in between, where others are asking too.
    total = MEMBERS * PER_MEMBER
    flood_every = total // FLOOD
    questions: list[Sent] = []
    flood: list[Sent] = []

    async def send(number: int) -> None:
        user = members[number % MEMBERS]
        channel = channels[(number + number // MEMBERS) % CHANNELS]  # ~30 members per channel
        text = QUESTIONS[number % len(QUESTIONS)]
        message_id = await fake.send_message(guild, channel, user, text)
        questions.append(Sent(message_id, channel, user, text))
        if number % flood_every == 0:
            text = QUESTIONS[(number // flood_every) % 3]  # known subjects
            message_id = await fake.send_message(guild, channels[0], flooder, text)
            flood.append(Sent(message_id, channels[0], flooder, text))
        if number in LIMITED_AT:
            fake.fail_next("POST", MESSAGES, 429, retry_after=RETRY_AFTER)
        if number == DROP_AT:
            await fake.drop_connection()

    try:
        await paced(total, RATE, send)
        # The flooder is answered COOLDOWN_RATE times and told once; the rest get nothing.
        await tracker.wait_for_replies(
            [s.message_id for s in questions + flood[: COOLDOWN_RATE + 1]], timeout=60, bot=bot
        )
    finally:
        stop.set()
        await asyncio.gather(*mod_tasks)
    await fake.wait_until_ready()
    posted = [
        r for r in fake.requests[since:] if r.operation_id == "create_message" and not r.injected
    ]
    # Of the flood, only the answers and the one cooldown notice are replied to.
    replied_flood = min(len(flood), COOLDOWN_RATE + 1)
    sent = len(warm) + len(questions) + replied_flood + sum(len(m.commands) for m in moderators)
    return LoadRun(
        guild,
        questions,
        flood,
        moderators,
        tracker,
        rss_warm,
        bot.rss(),
        fake.resume_count,
        sent,
        len(posted),
    )


@pytest.fixture(scope="module")
def expected(
    load_run: LoadRun, bot_process: RunningBot, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """Each question's reply as the engine gives it, from a freshly seeded database; checked
    to be the same from a copy of the bot's database after the run (the moderators' edits
    do not change these answers, so no reply can depend on when it was asked)."""
    folder = tmp_path_factory.mktemp("expected")
    after_path = folder / "after.db"
    with (
        contextlib.closing(sqlite3.connect(f"file:{bot_process.db_path}?mode=ro", uri=True)) as src,
        contextlib.closing(sqlite3.connect(after_path)) as dest,
    ):
        src.backup(dest)
    fresh, after = Engine.open(folder / "fresh.db"), Engine.open(after_path)
    try:
        answers = {}
        for text in QUESTIONS:
            # Days as Discord timestamps, as the bot posts them.
            answers[text] = fresh.reply(fresh.ask(text, guild_id=load_run.guild), "discord").content
            later = after.reply(after.ask(text, guild_id=load_run.guild), "discord").content
            assert later == answers[text], f"{text!r} depends on the moderators' edits"
        yield answers
    finally:
        fresh.close()
        after.close()


# -- the checks ---------------------------------------------------------------------------------


async def test_every_question_gets_exactly_one_reply_with_the_engines_text(
    bot: RunningBot, load_run: LoadRun, expected: dict[str, str]
) -> None:
    tracker = load_run.tracker
    tracker.scan()
    assert len(load_run.questions) == MEMBERS * PER_MEMBER
    wrong = []
    for sent in load_run.questions:
        replies = tracker.replies.get(sent.message_id, [])
        assert len(replies) == 1, (sent, [str(r) for r in replies])
        (reply,) = replies
        assert reply.status == 200, str(reply)
        assert reply.path_params["channel_id"] == str(sent.channel)
        if content(reply) != expected[sent.text]:
            wrong.append((sent.text, content(reply)[:200]))
    assert not wrong, wrong[:5]
    assert load_run.posted == load_run.sent  # and nothing else: no stray or repeated message


async def test_rate_limits_are_honoured_and_the_drop_resumed(
    bot: RunningBot, load_run: LoadRun
) -> None:
    tracker = load_run.tracker
    tracker.scan()
    limited = [r for r in tracker.injected if r.status == 429]
    assert len(limited) == len(LIMITED_AT), [str(r) for r in tracker.injected]
    for refused in limited:
        target = refused.json["message_reference"]["message_id"]
        (retried,) = tracker.replies[int(target)]  # posted once, after waiting
        assert retried.status == 200
        assert retried.time - refused.time >= RETRY_AFTER - 0.01, (refused, retried)
    assert load_run.resumes >= 1
    assert bot.fake.identify_count == 1  # resumed, not identified again
    assert not bot.exited
    bot.fake.assert_no_violations()
    bot.assert_no_tracebacks()


async def test_a_flooding_member_is_held_to_the_cooldown_while_others_are_answered(
    bot: RunningBot, load_run: LoadRun, expected: dict[str, str]
) -> None:
    tracker = load_run.tracker
    tracker.scan()
    replies = [tracker.replies.get(s.message_id, []) for s in load_run.flood]
    assert len(replies) == FLOOD and all(len(r) <= 1 for r in replies)
    texts = [content(r[0]) for r in replies if r]
    notices = [t for t in texts if re.search(r"try again in \d+ s", t)]
    answered = [
        content(r[0])
        for r, s in zip(replies, load_run.flood, strict=True)
        if r and content(r[0]) == expected[s.text]
    ]
    assert len(answered) == COOLDOWN_RATE, texts
    # One notice for the window, then silence: the flood does not spend the channel's
    # rate limit (everyone else's replies) on notices.
    assert len(notices) == 1, texts
    assert sum(1 for r in replies if not r) == FLOOD - COOLDOWN_RATE - 1
    # In the flooder's channel everyone else was answered (the per-member bucket).
    channel = load_run.flood[0].channel
    others = [s for s in load_run.questions if s.channel == channel]
    assert len({s.user for s in others}) > 10
    for sent in others:
        assert content(tracker.replies[sent.message_id][0]) == expected[sent.text]


async def test_the_question_log_has_every_answered_question(
    bot: RunningBot, load_run: LoadRun, expected: dict[str, str]
) -> None:
    tracker = load_run.tracker
    asked = [
        s
        for s in load_run.questions + load_run.flood
        if tracker.replies.get(s.message_id)  # not the refused flood
        and content(tracker.replies[s.message_id][0]) == expected[s.text]  # nor the notice
    ]
    # The log keeps no user or channel (issue 14): the server's questions are the warm-up's
    # and these, by text.
    want = Counter(subject_text(text) for text in [*QUESTIONS, *(s.text for s in asked)])

    def logged() -> Counter[str]:
        rows = bot.query("SELECT text FROM question WHERE guild_id = ?", [load_run.guild])
        return Counter(r["text"] for r in rows)

    # The housekeeping task flushes the log every half second: wait for it, not a timer.
    for _ in range(100):
        if sum(logged().values()) >= sum(want.values()):  # the warm-up's rows too
            break
        await asyncio.sleep(0.1)
    assert logged() == want


async def test_moderator_edits_all_applied(bot: RunningBot, load_run: LoadRun) -> None:
    tracker = load_run.tracker
    for mod in load_run.moderators:
        assert len(mod.commands) >= 4, mod  # the add, and at least an edit, alias and add
        for message_id, command in mod.commands:
            assert len(tracker.replies.get(message_id, [])) == 1, command
        (fact,) = bot.query("SELECT text, version FROM fact WHERE id = ?", [mod.fact_id])
        edits = sum(1 for _, c in mod.commands if c.startswith("!fact edit"))
        assert fact == {"text": mod.text, "version": 1 + edits}
        aliases = bot.query(
            "SELECT alias.name FROM alias JOIN entity ON entity.id = alias.entity_id"
            " WHERE entity.name = ? AND alias.deleted_at IS NULL ORDER BY alias.id",
            [mod.subject],
        )
        assert [a["name"] for a in aliases] == mod.aliases
        changes = bot.query(
            "SELECT action, count(*) AS n FROM change WHERE actor_id = ? GROUP BY action",
            [mod.user],
        )
        by_action = {c["action"]: c["n"] for c in changes}
        assert by_action.get("fact.edit", 0) == edits
        assert by_action.get("fact.add", 0) == 1 + len(mod.extra_facts)
        assert by_action.get("alias.add", 0) == len(mod.aliases)
    # And the bot answers with the last edit, by the newest alias.
    mod = load_run.moderators[0]
    asker = bot.fake.add_user("late").id
    reply = await bot.ask(load_run.guild, mod.channel, asker, f"!who {mod.aliases[-1]}")
    assert f"**{mod.subject}** — who" in content(reply)
    assert mod.text in content(reply)


async def test_memory_stays_flat(bot: RunningBot, load_run: LoadRun) -> None:
    grown = load_run.rss_end - load_run.rss_warm
    print(
        f"bot RSS after warm-up {load_run.rss_warm / MiB:.1f} MiB,"
        f" after the run {load_run.rss_end / MiB:.1f} MiB"
    )
    assert grown < 50 * MiB, f"RSS grew by {grown / MiB:.1f} MiB"
