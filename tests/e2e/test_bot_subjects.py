"""One subject resolver for questions and moderation (issue 11), through the real bot process
and the fake Discord: seasons of new shows added in a burst survive a SIGKILL and are
reachable by the questions that name them; lists of subjects tell namesakes apart (text,
buttons, moderation's "which one", autocomplete) and what a list shows, typed back, means
that subject; numbers are names (``#12`` is an id); the duplicate-alias guard looks at what
this server sees, not at other servers' subjects.

The database is read directly (read-only) to check that what a reply says is what is stored.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from botprocess import (
    REPLY_TIMEOUT,
    ConfigSections,
    RunningBot,
    StartBot,
    World,
    build_world,
    replies_to,
)
from fakediscord import MANAGE_MESSAGES, FakeDiscord, FakeGuild, RecordedRequest

pytestmark = pytest.mark.timeout(120)
MODULE = pytest.mark.asyncio(loop_scope="module")  # the tests sharing the module's bot

CHATTY: ConfigSections = {"limits": {"cooldown_rate": 1000, "cooldown_seconds": 1}}
ACK = re.compile(r"Added fact #(\d+) to \*\*(.+?)\*\*(?: \(new subjects? (.+)\))?\.")
NEW = re.compile(r"\*\*(.+?)\*\* \((\w+)\) #(\d+)")
CANDIDATE = re.compile(r"#(\d+) (.+?) \((\w+)\)")


def shown(text: str) -> str:
    """Roughly what Discord displays: markdown escapes removed."""
    return re.sub(r"\\([^\w\s])", r"\1", text)


def buttons(request: RecordedRequest) -> list[dict[str, Any]]:
    rows = request.json.get("components") or []
    return [b for row in rows for b in row["components"]]


def button_entity(button: dict[str, Any]) -> int:
    return int(button["custom_id"].rsplit(":", 1)[1])


def seeded_fact(bot: RunningBot, key: str) -> int:
    (row,) = bot.query("SELECT id FROM fact WHERE key = ? AND guild_id IS NULL", [key])
    return int(row["id"])


def seeded_entity(bot: RunningBot, key: str) -> int:
    (row,) = bot.query("SELECT id FROM entity WHERE key = ? AND guild_id IS NULL", [key])
    return int(row["id"])


def entity(bot: RunningBot, eid: int) -> dict[str, Any]:
    (row,) = bot.query("SELECT * FROM entity WHERE id = ?", [eid])
    return row


# -- 1. a burst of seasons of new shows, SIGKILL, restart, ask every acknowledged fact ---------


@dataclass(frozen=True)
class Form:
    """A ``subject:`` as a moderator types it, the show it is a season of (as a fan would
    type it) and the season number."""

    subject: str
    show: str
    season: int


BURST = [
    Form("The Crown season 2", "the crown", 2),  # a new show: show and season made
    Form("the expanse s3", "the expanse", 3),
    Form("The Crown s3", "the crown", 3),  # a second season of a show made in the burst
    Form("jessica jones s3", "jessica jones", 3),  # a seeded show: its season made
    Form("Blake's 7 season 2", "blake's 7", 2),  # a number in the show's name
    Form("9-1-1 season 4", "9-1-1", 4),
    Form("The Expanse season 4", "the expanse", 4),
    Form("Luke Cage season 2", "luke cage", 2),
    Form("Fargo season two", "fargo", 2),
    Form("fargo 3rd season", "fargo", 3),
    Form("Severance s02", "severance", 2),
    Form("The Wire Season 5", "the wire", 5),
    Form("Blake's 7 s3", "blake's 7", 3),
    Form("Jessica Jones 5", "jessica jones", 5),  # a bare number of a known show
    Form("24 season 8", "24", 8),  # a show called 24
    Form("The Crown season 2", "the crown", 2),  # a known season: nothing new
]
TAIL = [  # sent without waiting; the bot is killed once some are acknowledged
    Form("Fargo season 5", "fargo", 5),
    Form("The Crown season 4", "the crown", 4),
    Form("Ozark season 4", "ozark", 4),
    Form("severance season 3", "severance", 3),
    Form("the expanse s5", "the expanse", 5),
    Form("Blake's 7 season 4", "blake's 7", 4),
]


@dataclass
class Ack:
    form: Form
    fact: int
    subject: str  # the name the reply gave the fact's subject
    new: list[tuple[str, str, int]]  # (name, kind, id) of each subject the reply says it made


def parse_ack(form: Form, reply: RecordedRequest) -> Ack:
    assert reply.status == 200, reply
    text = shown(str(reply.json["content"]))
    found = ACK.fullmatch(text)
    assert found, (form, text)
    new = [(n, k, int(i)) for n, k, i in NEW.findall(found[3] or "")]
    if found[3]:
        assert " and ".join(f"**{n}** ({k}) #{i}" for n, k, i in new) == found[3], text
    return Ack(form, int(found[1]), found[2], new)


def replies(fake: FakeDiscord, sent: dict[int, Form], since: int) -> dict[int, RecordedRequest]:
    """The bot's reply to each message of ``sent`` posted so far."""
    out: dict[int, RecordedRequest] = {}
    for request in fake.requests[since:]:
        for message in sent:
            if message not in out and replies_to(message)(request):
                out[message] = request
    return out


def check_ack_against_store(bot: RunningBot, ack: Ack, guild: int) -> None:
    """The reply names the subject the fact is on and exactly the subjects its batch made,
    each with the kind stored; the subject is the season asked for, under its show."""
    (fact,) = bot.query("SELECT * FROM fact WHERE id = ?", [ack.fact])
    assert fact["guild_id"] == guild and fact["deleted_at"] is None, fact
    season = entity(bot, fact["entity_id"])
    assert season["kind"] == "season" and season["season"] == ack.form.season, (ack, season)
    assert season["name"] == ack.subject, (ack, season)
    show = entity(bot, season["show_id"])
    assert show["kind"] == "show" and show["merged_into"] is None, (ack, show)
    assert show["name"].casefold() == ack.form.show, (ack, show)
    (change,) = bot.query(
        "SELECT batch FROM change WHERE table_name = 'fact' AND row_id = ? AND action = 'fact.add'",
        [ack.fact],
    )
    made = bot.query(
        "SELECT row_id FROM change WHERE batch = ? AND table_name = 'entity'"
        " AND action = 'entity.add' ORDER BY row_id",
        [change["batch"]],
    )
    assert sorted(i for _, _, i in ack.new) == [r["row_id"] for r in made], (ack, made)
    for name, kind, eid in ack.new:
        stored = entity(bot, eid)
        assert (stored["name"], stored["kind"]) == (name, kind), (ack, stored)
        assert eid in (season["id"], show["id"]), (ack, stored)
    if show["id"] in {i for _, _, i in ack.new}:  # a new show comes with its season
        assert [k for _, k, _ in ack.new] == ["show", "season"], ack


async def test_burst_of_new_seasons_survives_sigkill_and_every_fact_is_reachable(
    fake_discord: FakeDiscord, start_bot: StartBot, tmp_path: Path
) -> None:
    db = tmp_path / "subjects.db"
    guild = fake_discord.guild
    channel = guild.channel("general").id
    mod = fake_discord.add_user("burstmod").id
    bot = await start_bot(CHATTY, db_path=db)

    def command(number: int, form: Form) -> str:
        return (
            f"!fact add subject: {form.subject} kind: when text: Burst fact {number} about"
            f" {form.subject}. status: reported date: 20{10 + number % 15}"
        )

    # The burst: every message sent before any reply is awaited.
    since = len(fake_discord.requests)
    sent: dict[int, Form] = {}
    for number, form in enumerate(BURST):
        message = await fake_discord.send_message(
            guild.id, channel, mod, command(number, form), roles=["Moderator"]
        )
        sent[message] = form
    await fake_discord.wait_for(
        lambda: True if len(replies(fake_discord, sent, since)) == len(sent) else None,
        REPLY_TIMEOUT * 4,
        "a reply to every message of the burst",
    )
    acks = [parse_ack(sent[m], r) for m, r in replies(fake_discord, sent, since).items()]

    # The tail: the bot is killed with some of it still in flight.
    tail_since = len(fake_discord.requests)
    tail: dict[int, Form] = {}
    for number, form in enumerate(TAIL, start=len(BURST)):
        message = await fake_discord.send_message(
            guild.id, channel, mod, command(number, form), roles=["Moderator"]
        )
        tail[message] = form
    await fake_discord.wait_for(
        lambda: True if replies(fake_discord, tail, tail_since) else None,
        REPLY_TIMEOUT,
        "a reply to the tail",
    )
    await bot.kill()
    acks += [parse_ack(tail[m], r) for m, r in replies(fake_discord, tail, tail_since).items()]

    bot = await start_bot(CHATTY, db_path=db)
    assert bot.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
    for ack in acks:
        check_ack_against_store(bot, ack, guild.id)
    # The same season asked for twice is one subject; a show made in the burst, one show.
    repeated = [a for a in acks if a.form == BURST[0]]
    assert len(repeated) == 2 and sum(bool(a.new) for a in repeated) == 1, repeated
    assert len({a.subject for a in repeated}) == 1, repeated
    twice = bot.query(
        "SELECT lower(name) AS name, kind, count(*) AS n FROM entity WHERE deleted_at IS NULL"
        " AND merged_into IS NULL AND (guild_id IS NULL OR guild_id = ?)"
        " GROUP BY lower(name), kind HAVING n > 1",
        [guild.id],
    )
    assert twice == [], twice
    for ack in acks:  # a new season of a seeded show: the season alone, "(season)"
        if ack.form.show in ("jessica jones", "luke cage"):
            assert [k for _, k, _ in ack.new] == ["season"], ack

    fan = fake_discord.add_user("burstfan").id
    unreachable = []
    for ack in acks:
        for question in (
            f"!when {ack.form.show} s{ack.form.season}",
            f"!when {ack.form.show} season {ack.form.season}",
        ):
            reply = await bot.ask(guild.id, channel, fan, question)
            text = str(reply.json["content"])
            heading = f"**{ack.subject}** — when"
            if f"`#{ack.fact}`" not in text or "I don't know" in text or heading not in shown(text):
                unreachable.append((question, ack.fact, text[:300]))
    assert unreachable == [], "\n".join(map(str, unreachable))
    print(f"burst: {len(BURST)} + {len(acks) - len(BURST)} of {len(TAIL)} acknowledged")


# -- the module's bot: several servers -----------------------------------------------------------

HOGARTH_ELSEWHERE = 3  # servers that each have their own subject "Hogarth"


@dataclass
class Servers(World):
    elsewhere: Sequence[FakeGuild] = ()  # each with its own Hogarth
    hogarths: FakeGuild | None = None  # has its own Hogarth too
    plain: FakeGuild | None = None  # has none


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world() -> AsyncIterator[World]:
    """The usual two servers, plus servers for the alias guard, each with a Moderator role."""
    fake = FakeDiscord()
    main, other = build_world(fake)

    def server(name: str) -> FakeGuild:
        return fake.add_guild(
            name,
            channels=("general",),
            roles={"Moderator": MANAGE_MESSAGES},
            owner_id=main.owner_id,
        )

    elsewhere = [server(f"Hogarth Server {i}") for i in range(HOGARTH_ELSEWHERE)]
    hogarths, plain = server("Own Hogarth Server"), server("No Hogarth Server")
    await fake.start()
    try:
        yield Servers(fake, main, other, elsewhere=elsewhere, hogarths=hogarths, plain=plain)
    finally:
        await fake.stop()


@pytest.fixture(scope="module")
def bot_overrides() -> ConfigSections:
    return CHATTY


class Person:
    """A member with their own channel in the main and other server (Moderator if ``mod``)."""

    def __init__(self, world: World, bot: RunningBot, *, mod: bool = False) -> None:
        self.world, self.bot = world, bot
        self.id = world.user("mod" if mod else "fan")
        self.roles = ["Moderator"] if mod else []
        self.channel = world.channel()
        self.other_channel = world.other_channel()

    def where(self, other: bool = False, guild: FakeGuild | None = None) -> tuple[int, int]:
        if guild is not None:
            return guild.id, guild.channel("general").id
        if other:
            return self.world.other.id, self.other_channel
        return self.world.main.id, self.channel

    async def send(
        self, text: str, *, other: bool = False, guild: FakeGuild | None = None
    ) -> RecordedRequest:
        reply = await self.bot.ask(*self.where(other, guild), self.id, text, roles=self.roles)
        assert reply.status == 200, reply
        assert reply.json["allowed_mentions"] == {"parse": []}
        return reply

    async def say(self, text: str, *, other: bool = False, guild: FakeGuild | None = None) -> str:
        return str((await self.send(text, other=other, guild=guild)).json["content"])

    async def slash(
        self, command: str, options: dict[str, Any], *, other: bool = False
    ) -> dict[str, Any]:
        guild, channel = self.where(other)
        handle = await self.world.fake.send_slash_command(
            guild, channel, self.id, command, options, roles=self.roles
        )
        callback = await self.world.fake.wait_for_callback(handle)
        assert callback.status == 200 and callback.json["type"] == 4, callback
        return dict(callback.json["data"])

    async def complete(self, text: str, *, other: bool = False) -> list[str]:
        guild, channel = self.where(other)
        handle = await self.world.fake.send_autocomplete(
            guild, channel, self.id, "who", {"subject": text}, "subject", roles=self.roles
        )
        callback = await self.world.fake.wait_for_callback(
            handle, timeout=self.world.fake.interaction_deadline
        )
        assert callback.status == 200 and callback.json["type"] == 8, callback
        choices = callback.json["data"]["choices"]
        assert all(c["name"] == c["value"] and len(c["name"]) <= 100 for c in choices)
        return [c["name"] for c in choices]


@dataclass(frozen=True)
class JessicaJones:
    show: int
    character: int
    show_fact: int  # seeded facts of each
    character_fact: int


@pytest.fixture(scope="module")
def jj(bot_process: RunningBot) -> JessicaJones:
    return JessicaJones(
        seeded_entity(bot_process, "show-jessica-jones"),
        seeded_entity(bot_process, "character-jessica-jones"),
        seeded_fact(bot_process, "jj-show-what"),
        seeded_fact(bot_process, "jj-character-who"),
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def namesake(world: World, bot_process: RunningBot) -> int:
    """A second character called Jessica Jones, in the other server only (made as "Jewel"
    and renamed): the id of that character, with one fact."""
    mod = Person(world, bot_process, mod=True)
    added = await mod.say(
        "!fact add subject: Jewel kind: who text: Jessica's costumed identity in the comics."
        " type: character",
        other=True,
    )
    found = ACK.fullmatch(shown(added))
    assert found and "(character)" in added, added
    (eid,) = (int(i) for _, _, i in NEW.findall(found[3] or ""))
    renamed = await mod.say("!entity rename jewel to: Jessica Jones", other=True)
    assert "Renamed **Jewel** to **Jessica Jones**" in renamed, renamed
    return eid


# -- 2. suggestions that look the same are told apart --------------------------------------------


@MODULE
async def test_unknown_reply_tells_namesakes_apart_in_text_and_buttons(
    world: World, bot: RunningBot, jj: JessicaJones
) -> None:
    fan = Person(world, bot)
    reply = await fan.send("!what jesica")  # a typo: no fact's words match it either
    text = shown(str(reply.json["content"]))
    assert text.startswith("I don't know anything about **jesica**."), text
    assert "**Jessica Jones (show)**" in text and "**Jessica Jones (character)**" in text, text
    assert "**Jessica Jones**," not in text and "**Jessica Jones**?" not in text, text
    labelled = {b["label"]: button_entity(b) for b in buttons(reply)}
    assert labelled.get("Jessica Jones (show)") == jj.show, labelled
    assert labelled.get("Jessica Jones (character)") == jj.character, labelled
    assert "Jessica Jones" not in labelled, labelled

    # The character's button answers about the character.
    character = next(b for b in buttons(reply) if b["label"] == "Jessica Jones (character)")
    handle = await world.fake.send_component(
        int(reply.response["id"]), fan.id, character["custom_id"]
    )
    callback = await world.fake.wait_for_callback(handle)
    answer = callback.json["data"]["content"]
    assert f"`#{jj.character_fact}`" in answer and f"`#{jj.show_fact}`" not in answer, answer


@MODULE
async def test_ambiguous_ask_lists_both_with_their_kinds(
    world: World, bot: RunningBot, jj: JessicaJones
) -> None:
    reply = await Person(world, bot).send("!ask jessica jones")
    text = shown(str(reply.json["content"]))
    assert text == (
        f"**jessica jones** could be **Jessica Jones (show)** `#{jj.show}`,"
        f" **Jessica Jones (character)** `#{jj.character}`. Which one do you mean?"
    ), text
    assert [(b["label"], button_entity(b)) for b in buttons(reply)] == [
        ("Jessica Jones (show)", jj.show),
        ("Jessica Jones (character)", jj.character),
    ]


@MODULE
async def test_moderation_unknown_subject_lists_namesakes_with_kinds(
    world: World, bot: RunningBot
) -> None:
    mod = Person(world, bot, mod=True)
    before = bot.query("SELECT count(*) AS n FROM alias")
    reply = shown(await mod.say("!alias add Jessie to: jessica"))
    assert reply.startswith("⚠️ I don't know a subject called 'jessica'."), reply
    assert "Closest: Jessica Jones (show), Jessica Jones (character)" in reply, reply
    assert bot.query("SELECT count(*) AS n FROM alias") == before


@MODULE
async def test_moderation_on_an_ambiguous_name_lists_every_candidate_with_its_kind(
    world: World, bot: RunningBot, jj: JessicaJones, namesake: int
) -> None:
    mod = Person(world, bot, mod=True)
    before = {t: bot.query(f"SELECT count(*) AS n FROM {t}") for t in ("fact", "alias")}

    def listed(reply: str) -> list[tuple[int, str, str]]:
        text = shown(reply)
        assert text.startswith("⚠️ 'jessica jones' could mean several subjects: "), text
        assert text.endswith("Pick one by its #id."), text
        return [(int(i), n, k) for i, n, k in CANDIDATE.findall(text)]

    # A who-fact: the intent sets the show aside, and two characters are still as good.
    who = listed(await mod.say("!fact add subject: jessica jones kind: who text: x", other=True))
    assert sorted(who) == [
        (jj.character, "Jessica Jones", "character"),
        (namesake, "Jessica Jones", "character"),
    ], who
    # An alias has no intent: all three.
    alias = listed(await mod.say("!alias add JJC to: jessica jones", other=True))
    assert sorted(alias) == sorted(
        [
            (jj.show, "Jessica Jones", "show"),
            (jj.character, "Jessica Jones", "character"),
            (namesake, "Jessica Jones", "character"),
        ]
    ), alias
    assert {t: bot.query(f"SELECT count(*) AS n FROM {t}") for t in before} == before
    # ...and the id settles it.
    added = await mod.say(
        f"!fact add subject: #{namesake} kind: who text: Wears a costume.", other=True
    )
    found = ACK.fullmatch(shown(added))
    assert found and not found[3], added
    (row,) = bot.query("SELECT entity_id FROM fact WHERE id = ?", [int(found[1])])
    assert row["entity_id"] == namesake


@MODULE
async def test_ambiguous_buttons_of_same_kind_namesakes_can_be_told_apart(
    world: World, bot: RunningBot, jj: JessicaJones, namesake: int
) -> None:
    """Two characters called Jessica Jones: the text names each with its id, and the
    buttons (which show no id) must still differ."""
    fan = Person(world, bot)
    for question, expected in (
        ("!who jessica jones", {jj.character, namesake}),
        ("!ask jessica jones", {jj.show, jj.character, namesake}),
    ):
        reply = await fan.send(question, other=True)
        text = shown(str(reply.json["content"]))
        assert "Which one do you mean?" in text, text
        for eid in expected:
            assert f"`#{eid}`" in text, text
        labels = [b["label"] for b in buttons(reply)]
        assert {button_entity(b) for b in buttons(reply)} == expected, labels
        assert len(set(labels)) == len(labels), (question, labels)


@MODULE
async def test_unknown_reply_tells_same_kind_namesakes_apart(
    world: World, bot: RunningBot, jj: JessicaJones, namesake: int
) -> None:
    reply = await Person(world, bot).send("!what jesica", other=True)
    labelled = {b["label"]: button_entity(b) for b in buttons(reply)}
    assert labelled == {
        "Jessica Jones (show)": jj.show,
        f"Jessica Jones (character #{jj.character})": jj.character,
        f"Jessica Jones (character #{namesake})": namesake,
    }, labelled
    text = shown(str(reply.json["content"]))
    assert all(f"**{label}**" in text for label in labelled), text


@MODULE
async def test_autocomplete_tells_namesakes_apart_and_the_choice_means_that_one(
    world: World, bot: RunningBot, jj: JessicaJones
) -> None:
    fan = Person(world, bot)
    choices = await fan.complete("jess")
    assert "Jessica Jones (show)" in choices and "Jessica Jones (character)" in choices, choices
    assert "Jessica Jones" not in choices, choices
    # Chosen, the kind decides, even against the intent's preference.
    for command, choice, mine, theirs in (
        ("who", "Jessica Jones (character)", jj.character_fact, jj.show_fact),
        ("what", "Jessica Jones (character)", jj.character_fact, jj.show_fact),
        ("who", "Jessica Jones (show)", jj.show_fact, jj.character_fact),
    ):
        content = (await fan.slash(command, {"subject": choice}))["content"]
        assert shown(content).startswith(("**Jessica Jones** — ", "I have nothing on")), content
        assert f"`#{mine}`" in content and f"`#{theirs}`" not in content, (command, choice)


@MODULE
async def test_every_autocomplete_choice_typed_back_means_that_subject(
    world: World, bot: RunningBot, jj: JessicaJones, namesake: int
) -> None:
    """In the server with two characters called Jessica Jones, each choice offered for
    "jess", chosen as the /who subject, answers about one subject, a different one each."""
    fan = Person(world, bot)
    choices = await fan.complete("jess", other=True)
    assert len(choices) == len(set(choices)), choices
    assert "Jessica Jones (show)" in choices, choices
    assert sum(c.startswith("Jessica Jones (character") for c in choices) == 2, choices
    answered = {c: (await fan.slash("who", {"subject": c}, other=True))["content"] for c in choices}
    unknown = {c: a[:200] for c, a in answered.items() if a.startswith(("I don't know", "**jess"))}
    assert unknown == {}, unknown  # neither unknown nor "which one do you mean?"
    # The two character choices: each answers about one of the two characters, not the same.
    mine = {
        eid: {f"`#{r['id']}`" for r in bot.query("SELECT id FROM fact WHERE entity_id = ?", [eid])}
        for eid in (jj.character, namesake)
    }
    reached = []
    for choice, content in answered.items():
        if choice.startswith("Jessica Jones (character"):
            reached += [eid for eid, ids in mine.items() if any(i in content for i in ids)]
    assert sorted(reached) == sorted(mine), (reached, answered)


# -- 3. names that are numbers -------------------------------------------------------------------


@MODULE
async def test_numbers_are_names_and_only_hash_is_an_id(world: World, bot: RunningBot) -> None:
    mod = Person(world, bot, mod=True)
    added = shown(
        await mod.say("!fact add subject: 24 kind: when text: Day 1 premieres. date: 2001-11-06")
    )
    found = ACK.fullmatch(added)
    assert found and found[2] == "24", added
    (new,) = NEW.findall(found[3] or "")
    assert new[:2] == ("24", "show"), added
    show_24, fid = int(new[2]), int(found[1])
    (row,) = bot.query("SELECT entity_id FROM fact WHERE id = ?", [fid])
    assert row["entity_id"] == show_24 and entity(bot, show_24)["name"] == "24"

    again = shown(await mod.say("!fact add subject: 24 kind: when text: Day 2. date: 2002-10"))
    found = ACK.fullmatch(again)
    assert found and found[2] == "24" and not found[3], again  # the show 24, not a new one
    second = int(found[1])

    answer = shown(await mod.say("!when 24"))
    assert answer.startswith("**24** — when"), answer
    assert f"`#{fid}`" in answer and f"`#{second}`" in answer, answer

    # #<id> is the id: the show 24 by its id, and a seeded subject by its id.
    cox = seeded_entity(bot, "person-charlie-cox")
    by_id = shown(await mod.say(f"!fact add subject: #{cox} kind: who text: Plays Matt Murdock."))
    found = ACK.fullmatch(by_id)
    assert found and found[2] == "Charlie Cox" and not found[3], by_id
    assert bot.query("SELECT entity_id FROM fact WHERE id = ?", [int(found[1])]) == [
        {"entity_id": cox}
    ]
    found = ACK.fullmatch(
        shown(await mod.say(f"!fact add subject: #{show_24} kind: when text: Day 3. date: 2004"))
    )
    assert found and found[2] == "24" and not found[3]
    missing = shown(await mod.say("!fact add subject: #999999 kind: when text: x"))
    assert missing.startswith("⚠️") and "There is no subject #999999" in missing, missing

    # A fresh number is a new subject of that name, not "no subject #1883".
    fresh = shown(
        await mod.say("!fact add subject: 1883 kind: when text: A Yellowstone prequel. date: 2021")
    )
    found = ACK.fullmatch(fresh)
    assert found and found[2] == "1883", fresh
    (new,) = NEW.findall(found[3] or "")
    assert new[:2] == ("1883", "show"), fresh
    assert entity(bot, int(new[2]))["name"] == "1883"
    answer = shown(await mod.say("!when 1883"))
    assert answer.startswith("**1883** — when") and f"`#{found[1]}`" in answer, answer
    assert (await mod.say("!when 24")).startswith("**24** — when")  # still the show 24


# -- 4. the duplicate-alias guard sees what this server sees -------------------------------------


@MODULE
async def test_alias_guard_ignores_other_servers_and_keeps_this_ones_hogarth(
    world: World, bot: RunningBot
) -> None:
    assert isinstance(world, Servers) and world.hogarths and world.plain
    mod = Person(world, bot, mod=True)
    facts: dict[int, int] = {}
    for server in [*world.elsewhere, world.hogarths]:
        added = shown(
            await mod.say(
                f"!fact add subject: Hogarth kind: who text: The Hogarth of {server.name}.",
                guild=server,
            )
        )
        found = ACK.fullmatch(added)
        assert found and "**Hogarth** (character)" in (found[3] or ""), added  # each its own
        facts[server.id] = int(found[1])
    nuke = seeded_fact(bot, "nuke-who")

    refused = shown(await mod.say("!alias add Hogarth to: nuke", guild=world.hogarths))
    assert refused.startswith("⚠️") and "**Hogarth** already names **Hogarth**" in refused, refused
    answer = shown(await mod.say("!who hogarth", guild=world.hogarths))
    assert answer.startswith("**Hogarth** — who"), answer
    assert f"`#{facts[world.hogarths.id]}`" in answer and f"`#{nuke}`" not in answer, answer
    others = [f"`#{facts[s.id]}`" for s in world.elsewhere]
    assert not any(o in answer for o in others), answer


@MODULE
async def test_an_alias_made_in_one_server_is_not_seen_in_another(
    world: World, bot: RunningBot
) -> None:
    """A server's alias of a global subject names it in that server only: elsewhere it
    neither answers nor blocks the name (runs after the test above: its Hogarths)."""
    assert isinstance(world, Servers) and world.hogarths and world.plain
    mod = Person(world, bot, mod=True)
    nuke = seeded_fact(bot, "nuke-who")
    (own,) = bot.query(
        "SELECT fact.id FROM fact JOIN entity ON entity.id = fact.entity_id"
        " WHERE entity.name = 'Hogarth' AND fact.guild_id = ?",
        [world.hogarths.id],
    )
    # A server with no Hogarth of its own may alias the name, whatever other servers hold.
    allowed = shown(await mod.say("!alias add Hogarth to: nuke", guild=world.plain))
    assert "**Hogarth** now also means **Nuke**" in allowed, allowed
    answer = shown(await mod.say("!who hogarth", guild=world.plain))
    assert answer.startswith("**Nuke** — who") and f"`#{nuke}`" in answer, answer
    # ...which changes nothing where Hogarth is someone else, or unknown.
    answer = shown(await mod.say("!who hogarth", guild=world.hogarths))
    assert answer.startswith("**Hogarth** — who"), answer
    assert f"`#{own['id']}`" in answer and f"`#{nuke}`" not in answer, answer
    answer = shown(await mod.say("!who hogarth"))
    assert f"`#{nuke}`" not in answer, answer
    # Nor does it take the name from another server's moderators.
    igh = seeded_entity(bot, "organisation-igh")
    elsewhere = shown(await mod.say(f"!alias add Hogarth to: #{igh}"))
    assert "**Hogarth** now also means **IGH**" in elsewhere, elsewhere
