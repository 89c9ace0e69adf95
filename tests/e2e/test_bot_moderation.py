"""Moderators curate facts through the real bot process: two servers, a moderator (role
with Manage Messages), a curator (role named in ``[moderation] roles``), a plain member and
the application owner. The database is read directly (read-only) to check what changed."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import pytest
from botprocess import ConfigSections, RunningBot, World
from fakediscord import FileSpec, RecordedRequest

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(60)]

DENIED = "Moderators only"
CONTENT_TABLES = ("entity", "alias", "source", "fact", "change")


@pytest.fixture(scope="module")
def bot_overrides() -> ConfigSections:
    return {
        "moderation": {"roles": ["Curator"]},
        "limits": {"cooldown_rate": 1000, "cooldown_seconds": 1},  # moderators talk a lot
    }


def shown(text: str) -> str:
    """Roughly what Discord displays: markdown escapes removed (code spans aside)."""
    return re.sub(r"\\([^\w\s])", r"\1", text)


def fact_id(text: str) -> int:
    found = re.search(r"fact #(\d+)", text)
    assert found, text
    return int(found[1])


def assert_harmless(text: str) -> None:
    assert len(text) <= 2000
    assert not re.search(r"(?<!\\)@(everyone|here)", text), text
    assert not re.search(r"(?<!\\)<[@#]", text), text
    assert len(re.findall(r"(?<!\\)\|\|", text)) % 2 == 0, text


def snapshot(bot: RunningBot) -> dict[str, list[dict[str, Any]]]:
    """Everything moderators can change (the question log aside)."""
    return {t: bot.query(f"SELECT * FROM {t} ORDER BY id") for t in CONTENT_TABLES}


def seeded_id(bot: RunningBot, key: str) -> int:
    (row,) = bot.query("SELECT id FROM fact WHERE key = ? AND guild_id IS NULL", [key])
    return int(row["id"])


class Member:
    """Someone in both servers, with their own channel in each (one per test)."""

    def __init__(
        self, world: World, bot: RunningBot, roles: Sequence[str] = (), name: str = "member"
    ) -> None:
        self.world, self.bot = world, bot
        self.id = world.user(name)
        self.roles = list(roles)
        self.channel = world.channel()
        self.other_channel = world.other_channel()

    def where(self, other: bool) -> tuple[int, int]:
        if other:
            return self.world.other.id, self.other_channel
        return self.world.main.id, self.channel

    async def send(
        self, text: str, *, other: bool = False, attachments: Sequence[FileSpec] = ()
    ) -> RecordedRequest:
        guild, channel = self.where(other)
        reply = await self.bot.ask(
            guild, channel, self.id, text, roles=self.roles, attachments=attachments
        )
        assert reply.status == 200, reply
        assert reply.json["allowed_mentions"] == {"parse": []}
        return reply

    async def say(self, text: str, *, other: bool = False) -> str:
        return str((await self.send(text, other=other)).json["content"])


def moderator(world: World, bot: RunningBot) -> Member:
    return Member(world, bot, ["Moderator"], "mod")


# -- adding, and who may --------------------------------------------------------------------------


async def test_added_fact_answers_in_its_server_only(world: World, bot: RunningBot) -> None:
    mod = moderator(world, bot)
    added = await mod.say(
        "!fact add subject: Jeri Hogarth kind: who text: A ruthless lawyer."
        " status: confirmed date: 2016"
    )
    fid = fact_id(added)
    assert f"#{fid}" in added and "new subject **Jeri Hogarth**" in added
    answer = await mod.say("!who jeri hogarth")
    assert answer.startswith("**Jeri Hogarth** — who")
    assert f"A ruthless lawyer. — *confirmed* `#{fid}`" in answer
    elsewhere = await mod.say("!who jeri hogarth", other=True)
    assert elsewhere.startswith("I don't know anything about **jeri hogarth**")
    (row,) = bot.query("SELECT * FROM fact WHERE id = ?", [fid])
    assert (row["guild_id"], row["date"], row["status"]) == (world.main.id, "2016", "confirmed")

    async def completions(guild: int, channel: int) -> list[str]:
        handle = await world.fake.send_autocomplete(
            guild, channel, mod.id, "who", {"subject": "jeri hog"}, "subject"
        )
        callback = await world.fake.wait_for_callback(handle)
        return [c["name"] for c in callback.json["data"]["choices"]]

    assert "Jeri Hogarth" in await completions(world.main.id, mod.channel)
    assert "Jeri Hogarth" not in await completions(world.other.id, mod.other_channel)


@pytest.mark.parametrize(
    "command",
    [
        "!fact add subject: Nuke kind: who text: Not a villain.",
        "!fact remove 1",
        "!fact edit 1 text: Plain member was here.",
        "!alias add x to: nuke",
        "!facts export",
        "!fact undo",
        "!source add title: Fake news",
        "!gaps",
        "!entity kind nuke to: person",
    ],
)
async def test_plain_member_is_refused_and_nothing_changes(
    world: World, bot: RunningBot, command: str
) -> None:
    plain = Member(world, bot)
    before = snapshot(bot)
    reply = await plain.send(command)
    assert DENIED in reply.json["content"] and not reply.files
    assert snapshot(bot) == before


async def test_slash_moderator_command_refused_for_plain_member(
    world: World, bot: RunningBot
) -> None:
    plain = Member(world, bot)
    before = snapshot(bot)
    handle = await world.fake.send_slash_command(
        world.main.id, plain.channel, plain.id, "fact remove", {"id": "1"}
    )
    callback = await world.fake.wait_for_callback(handle)
    assert DENIED in callback.json["data"]["content"]
    assert callback.json["data"]["flags"] & 64  # ephemeral: only the member sees it
    assert snapshot(bot) == before


async def test_curator_role_from_config_and_owner_may_moderate(
    world: World, bot: RunningBot
) -> None:
    curator = Member(world, bot, ["Curator"], "curator")
    shown_fact = await curator.say("!fact show 1")
    assert DENIED not in shown_fact and "#1" in shown_fact

    # The application owner, a plain member of both servers, edits a global fact for all.
    owner = Member(world, bot)
    owner.id = world.fake.owner.id
    rosenberg = seeded_id(bot, "rosenberg-who")
    edited = await owner.say(f"!fact edit {rosenberg} text: Showrunner of Jessica Jones.")
    assert edited == f"Edited fact #{rosenberg} (text)."
    for other in (False, True):
        answer = await owner.say("!who melissa rosenberg", other=other)
        assert f"Showrunner of Jessica Jones. — *confirmed*, as of May 2016 [1] `#{rosenberg}`" in (
            answer
        )


# -- editing, history and undo --------------------------------------------------------------------


async def test_edit_text_keeps_date_history_revert_and_show(world: World, bot: RunningBot) -> None:
    mod = moderator(world, bot)
    source = await mod.say(
        "!source add title: Luke Cage renewed publisher: Variety"
        " url: https://variety.com/luke-cage date: 2016-12"
    )
    sid = int(re.search(r"source #(\d+)", source)[1])  # type: ignore[index]
    fid = fact_id(
        await mod.say(
            f"!fact add subject: Luke Cage kind: when text: Season 2 films in 2017."
            f" status: reported date: 2017 source: #{sid} quote: Cage is coming back."
        )
    )
    assert await mod.say(f"!fact edit {fid} text: Season 2 films in mid 2017.") == (
        f"Edited fact #{fid} (text)."
    )
    answer = await mod.say("!when luke cage")
    # The date (and status, source) survive an edit of the text alone.
    assert (
        f"• **2017**: Season 2 films in mid 2017. — *reported*, as of December 2016 [2] `#{fid}`"
        in answer
    )
    await mod.say(f"!fact edit {fid} status: confirmed")

    history = await mod.say(f"!fact history {fid}")
    lines = history.splitlines()
    assert lines[0] == f"History of fact #{fid}:"
    assert [line.split(" · ")[0] for line in lines[1:]] == ["v1", "v2", "v3"]
    assert all(line.split(" · ")[2].startswith("mod") for line in lines[1:]), history
    assert "fact.add" in lines[1] and "fact.edit" in lines[2] and "reported → confirmed" in lines[3]

    assert await mod.say(f"!fact revert {fid} version: 1") == (
        f"Reverted fact #{fid} to version 1 (now version 4)."
    )
    show = await mod.say(f"!fact show {fid}")
    assert show.splitlines() == [
        "**Luke Cage** — when (version 4)",
        f"• **2017**: Season 2 films in 2017. — *reported*, as of December 2016 `#{fid}`",
        f"Source #{sid}: *Luke Cage renewed*, Variety, December 2016 <https://variety.com/luke-cage>",
        "> Cage is coming back.",
    ]
    missing = await mod.say(f"!fact revert {fid} version: 99")
    assert missing.startswith("⚠️") and "no version 99" in missing


async def test_remove_and_restore_own_fact(world: World, bot: RunningBot) -> None:
    mod = moderator(world, bot)
    fid = fact_id(await mod.say("!fact add subject: Malcolm Ducasse kind: who text: A neighbour."))
    assert f"`fact restore {fid}`" in await mod.say(f"!fact remove {fid}")
    gone = await mod.say("!who malcolm ducasse")
    assert "no facts" in gone and f"#{fid}" not in gone
    assert "already removed" in await mod.say(f"!fact remove {fid}")
    assert await mod.say(f"!fact restore {fid}") == f"Restored fact #{fid}."
    assert f"A neighbour. — *confirmed* `#{fid}`" in await mod.say("!who malcolm ducasse")


async def test_undo_add_edit_and_alias(world: World, bot: RunningBot) -> None:
    mod = moderator(world, bot)
    fid = fact_id(await mod.say("!fact add subject: Oscar Arocho kind: who text: A sculptor."))
    await mod.say(f"!fact edit {fid} text: A sculptor and father.")
    assert await mod.say("!fact undo") == "Undid your last change (fact.edit)."
    assert "A sculptor. — " in await mod.say("!who oscar arocho")

    assert "now also means **Oscar Arocho**" in await mod.say(
        "!alias add Vido's dad to: oscar arocho"
    )
    assert "A sculptor." in await mod.say("!who vidos dad")
    assert await mod.say("!fact undo") == "Undid your last change (alias.add)."
    assert "Oscar Arocho" not in (await mod.say("!who vidos dad")).split(".")[0]

    undone = await mod.say("!fact undo")
    assert undone.startswith("Undid your last change (") and "fact.add" in undone
    assert (await mod.say("!who oscar arocho")).startswith("I don't know anything about")
    (row,) = bot.query("SELECT deleted_at FROM fact WHERE id = ?", [fid])
    assert row["deleted_at"] is not None  # soft-deleted, kept for history
    assert "no change here to undo" in await mod.say("!fact undo")


async def test_alias_add_and_remove(world: World, bot: RunningBot) -> None:
    mod = moderator(world, bot)
    await mod.say("!fact add subject: Robyn kind: who text: Ruben's twin sister.")
    assert "**Twinny** now also means **Robyn**" in await mod.say("!alias add Twinny to: robyn")
    assert "Ruben's twin sister." in await mod.say("!who twinny")
    taken = await mod.say("!alias add Twinny to: nuke")
    assert taken.startswith("⚠️") and "already names" in taken
    assert await mod.say("!alias remove twinny") == "Removed alias **Twinny**."
    assert "no alias" in await mod.say("!alias remove twinny")
    global_alias = await mod.say("!alias remove Hellcat")
    assert global_alias.startswith("⚠️") and "global" in global_alias
    assert "Hellcat" in await mod.say("!who hellcat")


async def test_sources_add_and_list(world: World, bot: RunningBot) -> None:
    mod = moderator(world, bot)
    added = await mod.say(
        "!source add title: Defenders wrap party publisher: Deadline date: 2017-03-05"
    )
    assert re.fullmatch(r"Added source #\d+: \*Defenders wrap party\*\.", added), added
    listed = await mod.say("!source list")
    assert "*Defenders wrap party*, Deadline, 5 March 2017" in listed
    assert "Filming Set For 2017" in listed  # the seeded, global source
    bad = await mod.say("!source add title: x url: javascript:alert(1)")
    assert bad.startswith("⚠️") and "url" in bad


async def test_entity_rename_and_merge(world: World, bot: RunningBot) -> None:
    mod = moderator(world, bot)
    await mod.say("!fact add subject: Wendy Ross kind: who text: Jeri's wife. type: person")
    renamed = await mod.say("!entity rename wendy ross to: Wendy Ross-Hogarth")
    assert "Renamed **Wendy Ross** to **Wendy Ross-Hogarth**" in renamed
    assert (await mod.say("!who wendy ross")).startswith("**Wendy Ross-Hogarth** — who")

    await mod.say("!fact add subject: Dr Wendy kind: who text: A doctor. type: person")
    merged = await mod.say("!entity merge dr wendy into: wendy ross-hogarth")
    assert "1 fact(s)" in merged
    answer = await mod.say("!who dr wendy")
    assert answer.startswith("**Wendy Ross-Hogarth** — who")
    assert "Jeri's wife." in answer and "A doctor." in answer
    refused = await mod.say("!entity rename nuke to: Frank Simpson")
    assert refused.startswith("⚠️") and "global" in refused


async def test_a_kind_suffix_and_entity_kind(world: World, bot: RunningBot) -> None:
    """Issue 20, item 17: "(show)" on a new subject's name sets its kind; `entity kind`
    changes it afterwards, in the history and the log, undone by `fact undo`."""
    mod = moderator(world, bot)
    added = await mod.say("!fact add subject: Cloak and Dagger (show) kind: what text: A show.")
    assert "new subject **Cloak and Dagger** (show)" in shown(added), added
    (row,) = bot.query("SELECT * FROM entity WHERE name LIKE 'Cloak and Dagger%'")
    assert (row["name"], row["kind"]) == ("Cloak and Dagger", "show")
    assert row["guild_id"] == world.main.id

    await mod.say("!fact add subject: Tandy Bowen kind: what text: A dancer with light powers.")
    changed = await mod.say("!entity kind tandy bowen to: character")
    assert shown(changed) == "**Tandy Bowen** is now a character (it was a thing).", changed
    (row,) = bot.query("SELECT kind FROM entity WHERE name = 'Tandy Bowen'")
    assert row["kind"] == "character"
    for command, said in (
        ("!entity kind tandy bowen to: character", "already a character; nothing changed"),
        ("!entity kind tandy bowen to: wizard", "to: 'wizard' is not one of"),
        ("!entity kind nobody at all zz to: person", "I don't know a subject"),
    ):
        before = snapshot(bot)
        refused = await mod.say(command)
        assert refused.startswith("⚠️") and said in shown(refused), refused
        assert snapshot(bot) == before
    assert "Undid your last change (entity.kind)" in await mod.say("!fact undo")
    (row,) = bot.query("SELECT kind FROM entity WHERE name = 'Tandy Bowen'")
    assert row["kind"] == "thing"


async def test_gaps_and_stats(world: World, bot: RunningBot) -> None:
    mod = moderator(world, bot)
    fan = Member(world, bot, name="fan")
    for _ in range(3):
        assert (await fan.say("!who the punisher")).startswith("I don't know")
    gaps = await mod.say("!gaps")
    assert gaps.startswith("Most asked without an answer:")
    assert "3× **the punisher**" in gaps
    stats = await mod.say("!stats")
    shape = r"Last 7 days: \d+ question\(s\), \d+% answered \(\d+ from what the facts say"
    assert re.match(shape + r" rather than a name\)\.\nPer day: ", stats), stats
    assert "Top subjects:" in stats


# -- global facts are overridden per server -----------------------------------------------------


async def test_server_edit_of_global_fact_stays_in_that_server(
    world: World, bot: RunningBot
) -> None:
    mod = moderator(world, bot)
    killgrave = seeded_id(bot, "killgrave-who")
    gone = seeded_id(bot, "killgrave-gone")
    before = await mod.say("!who killgrave", other=True)
    edited = await mod.say(f"!fact edit {killgrave} text: The purple man.")
    assert "is global" in edited and "other servers are unaffected" in edited
    hidden = await mod.say(f"!fact remove {gone}")
    assert "hidden in this server only" in hidden

    here = await mod.say("!who killgrave")
    assert "The purple man." in here and f"`#{gone}`" not in here
    assert await mod.say("!who killgrave", other=True) == before
    (original,) = bot.query("SELECT text, deleted_at FROM fact WHERE id = ?", [killgrave])
    assert original["text"].startswith("Killgrave (also spelled Kilgrave)")

    assert "shown in this server again" in await mod.say(f"!fact restore {gone}")
    assert f"`#{gone}`" in await mod.say("!who killgrave")


# -- slash forms ----------------------------------------------------------------------------------


async def test_slash_fact_add_and_edit(world: World, bot: RunningBot) -> None:
    mod = moderator(world, bot)

    async def slash(command: str, options: dict[str, Any]) -> str:
        handle = await world.fake.send_slash_command(
            world.main.id, mod.channel, mod.id, command, options, roles=mod.roles
        )
        callback = await world.fake.wait_for_callback(handle)
        assert callback.status == 200 and callback.json["type"] == 4
        assert callback.json["data"]["allowed_mentions"] == {"parse": []}
        return str(callback.json["data"]["content"])

    added = await slash(
        "fact add",
        {"subject": "Claire Temple", "kind": "who", "text": "A nurse.", "status": "reported"},
    )
    fid = fact_id(added)
    assert "new subject **Claire Temple**" in added
    assert await slash("fact edit", {"id": str(fid), "text": "A night nurse."}) == (
        f"Edited fact #{fid} (text)."
    )
    assert f"A night nurse. — *reported* `#{fid}`" in await mod.say("!who claire temple")
    bad = await slash("fact edit", {"id": str(fid), "date": "2016-13"})
    assert bad.startswith("⚠️") and "date" in bad


# -- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expect"),
    [
        ("!fact edit 99999 text: x", "There is no fact #99999 here."),
        ("!fact edit 1 date: 2016-13", "date: month 13"),
        ("!fact edit 1 status: maybe", "status: 'maybe' is not one of"),
        ("!fact add subject: Nuke kind: who text: " + "x" * 601, "text: is 601 characters"),
        ("!fact add subject: Nuke kind: why text: x", "kind"),
        ("!fact show abc", "id"),
        ("!fact edit 1", "Nothing to change"),
        (
            "!fact revert 1",
            "Missing `version:`. Usage: `!fact revert <fact_id> version: <version>`",
        ),
        ("!fact add kind: who text: x", "Missing `subject:`."),
        ("!fact add", "Missing `subject:`, `kind:`, `text:`."),
    ],
)
async def test_bad_input_is_refused_with_a_reason(
    world: World, bot: RunningBot, command: str, expect: str
) -> None:
    mod = moderator(world, bot)
    before = snapshot(bot)
    reply = await mod.say(command)
    assert reply.startswith("⚠️") and expect in shown(reply), reply
    assert_harmless(reply)
    # Inside a code span a backslash shows as itself: usage must not be escaped.
    assert not any("\\" in span for span in re.findall(r"`([^`]*)`", reply)), reply
    assert snapshot(bot) == before


async def test_hostile_fact_text_is_rendered_harmlessly(world: World, bot: RunningBot) -> None:
    mod = moderator(world, bot)
    text = "Pings @everyone and @here, <@123> ||leaks|| the end [x](https://evil.example) `#1`"
    fid = fact_id(await mod.say(f"!fact add subject: Pryce Cheng kind: who text: {text}"))
    answer = await mod.say("!who pryce cheng")
    assert_harmless(answer)
    assert shown(answer).count(text) == 1  # the words survive, inert
    shown_fact = await mod.say(f"!fact show {fid}")
    assert_harmless(shown_fact)
    history = await mod.say(f"!fact history {fid}")
    assert_harmless(history)


# -- export and import ----------------------------------------------------------------------------


async def click(
    world: World, bot: RunningBot, member: Member, preview: Any, label: str
) -> tuple[Any, Any]:
    """Click an import preview's button as ``member``: the interaction's callback, and
    the bot's reply to the import message that follows."""
    custom_id = next(
        b["custom_id"]
        for row in preview.json["components"]
        for b in row["components"]
        if b["label"] == label
    )
    since = len(world.fake.requests)
    handle = await world.fake.send_component(
        int(preview.response["id"]), member.id, custom_id, roles=member.roles
    )
    clicked = await world.fake.wait_for_callback(handle)
    done = await bot.reply_to(int(preview.json["message_reference"]["message_id"]), since=since)
    return clicked, done


def interchange(facts: list[dict[str, Any]], entities: list[dict[str, Any]]) -> bytes:
    data = {"format": "showbot", "version": 1, "entities": entities, "facts": facts}
    return json.dumps(data).encode()


ALISA: list[dict[str, Any]] = [{"key": "e-alisa", "name": "Alisa Jones", "kind": "character"}]
ALISA_FACTS: list[dict[str, Any]] = [
    {"key": "f-alisa-1", "entity": "e-alisa", "kind": "who", "text": "Jessica's mother.",
     "status": "rumor", "date": "2017"},
    {"key": "f-alisa-2", "entity": "e-alisa", "kind": "who", "text": "Survived the crash.",
     "status": "prediction", "spoiler": True},
]  # fmt: skip


async def test_facts_export_is_an_interchange_file(world: World, bot: RunningBot) -> None:
    mod = moderator(world, bot)
    fid = fact_id(await mod.say("!fact add subject: Gillian kind: who text: Jeri's assistant."))
    reply = await mod.send("!facts export")
    assert re.fullmatch(r"\d+ fact\(s\) from this server\.", reply.json["content"])
    (upload,) = reply.files
    assert upload.filename == f"showbot-facts-{world.main.id}.json"
    assert reply.json["attachments"] == [{"id": 0, "filename": upload.filename}]
    data = json.loads(upload.data)
    assert (data["format"], data["version"]) == ("showbot", 1)
    exported = {f["key"]: f for f in data["facts"]}
    assert exported[f"fact-{fid}"]["text"] == "Jeri's assistant."
    assert all(f["key"] != "jj-s2-production-2017" for f in data["facts"])  # global: not here


async def test_facts_export_and_import_carry_overrides(world: World, bot: RunningBot) -> None:
    """The server's versions of global facts and its hiding markers travel."""
    mod = moderator(world, bot)
    cox, iron_fist = seeded_id(bot, "charlie-cox-who"), seeded_id(bot, "iron-fist-filming")
    before_elsewhere = await mod.say("!when iron fist", other=True)
    await mod.say(f"!fact edit {cox} text: Plays Daredevil.")
    await mod.say(f"!fact remove {iron_fist}")
    upload = (await mod.send("!facts export")).files[0]
    data = json.loads(upload.data)
    mine = {f["overrides"]: f for f in data["facts"] if f.get("overrides") in (
        "charlie-cox-who", "iron-fist-filming"
    )}  # fmt: skip
    assert mine["charlie-cox-who"]["text"] == "Plays Daredevil."
    assert mine["charlie-cox-who"]["entity"] == "person-charlie-cox"
    assert "hides" not in mine["charlie-cox-who"] and mine["iron-fist-filming"]["hides"] is True

    # Back into the same server: every record is already there.
    file = ("mine.json", upload.data, "application/json")
    again = await mod.send("!facts import", attachments=[file])
    assert again.json["content"] == "Nothing to import: every record is already here."

    # Into the other server: it gets the same version and hides the same fact.
    data["facts"] = list(mine.values())
    file = ("overrides.json", json.dumps(data).encode(), "application/json")
    preview = await mod.send("!facts import", other=True, attachments=[file])
    assert "facts: 2 added" in preview.json["content"]
    _, done = await click(world, bot, mod, preview, "Apply")
    assert (
        done.json["content"].startswith("Import did") and "facts: 2 added" in (done.json["content"])
    )
    elsewhere = await mod.say("!who charlie cox", other=True)
    assert "Plays Daredevil." in elsewhere and f"`#{cox}`" not in elsewhere
    assert f"`#{iron_fist}`" in before_elsewhere
    assert f"`#{iron_fist}`" not in await mod.say("!when iron fist", other=True)
    rows = bot.query(
        "SELECT overrides, hides FROM fact WHERE guild_id = ? AND overrides IN (?, ?)"
        " ORDER BY overrides",
        [world.other.id, cox, iron_fist],
    )
    assert sorted((r["overrides"], r["hides"]) for r in rows) == sorted([(cox, 0), (iron_fist, 1)])


async def test_facts_import_preview_apply_only_by_invoker(world: World, bot: RunningBot) -> None:
    mod, other_mod = moderator(world, bot), moderator(world, bot)
    other_mod.channel = mod.other_channel
    before = snapshot(bot)
    file = ("alisa.json", interchange(ALISA_FACTS, ALISA), "application/json")
    preview = await mod.send("!facts import", other=True, attachments=[file])
    assert (
        "facts: 2 added" in preview.json["content"]
        and "entities: 1 added" in (preview.json["content"])
    )
    assert snapshot(bot) == before  # a dry run
    buttons = {b["label"]: b for row in preview.json["components"] for b in row["components"]}
    assert set(buttons) == {"Apply", "Cancel"}
    message_id = int(preview.response["id"])

    # Another moderator may not answer someone else's import.
    handle = await world.fake.send_component(
        message_id, other_mod.id, buttons["Apply"]["custom_id"], roles=other_mod.roles
    )
    refused = await world.fake.wait_for_callback(handle)
    assert (
        refused.json["data"]["flags"] & 64
        and "Only the moderator" in (refused.json["data"]["content"])
    )
    assert snapshot(bot) == before

    clicked, done = await click(world, bot, mod, preview, "Apply")
    assert clicked.json["type"] == 7  # the preview is edited: its buttons disabled
    disabled = [
        b["disabled"] for row in clicked.json["data"]["components"] for b in row["components"]
    ]
    assert disabled == [True, True]
    assert "facts: 2 added" in done.json["content"] and done.json["content"].startswith(
        "Import did"
    )

    answer = await mod.say("!who alisa jones", other=True)
    assert "Jessica's mother." in answer and "||Survived the crash.||" in answer
    assert (await mod.say("!who alisa jones")).startswith("I don't know")  # not in the main one
    again = await mod.send("!facts import", other=True, attachments=[file])
    assert again.json["content"] == "Nothing to import: every record is already here."


async def test_facts_import_cancel_changes_nothing(world: World, bot: RunningBot) -> None:
    mod = moderator(world, bot)
    before = snapshot(bot)
    facts = [{**ALISA_FACTS[0], "key": "f-cancel", "entity": "e-cancel"}]
    entities = [{"key": "e-cancel", "name": "Dorothy Walker", "kind": "character"}]
    file = ("cancel.json", interchange(facts, entities), "application/json")
    preview = await mod.send("!facts import", attachments=[file])
    _, done = await click(world, bot, mod, preview, "Cancel")
    assert done.json["content"] == "Import cancelled; nothing changed."
    assert snapshot(bot) == before


async def test_bad_import_file_lists_problems_and_changes_nothing(
    world: World, bot: RunningBot
) -> None:
    mod = moderator(world, bot)
    before = snapshot(bot)
    facts = [
        {**ALISA_FACTS[0], "key": "f-bad-1", "status": "maybe"},
        {**ALISA_FACTS[1], "key": "f-bad-2", "entity": "e-nowhere"},
        {**ALISA_FACTS[1], "key": "f-bad-3", "entity": "e-bad", "date": "2016-13"},
    ]
    entities = [{"key": "e-bad", "name": "Ruben", "kind": "character"}]
    file = ("bad.json", interchange(facts, entities), "application/json")
    reply = await mod.send("!facts import", attachments=[file])
    text = reply.json["content"]
    assert text.startswith("⚠️ Nothing was imported. Problems:")
    assert "facts[0].status: 'maybe' is not one of" in shown(text)
    assert "facts[1].entity" in shown(text) and "facts[2].date" in shown(text)
    assert not reply.json.get("components")
    assert_harmless(text)
    many = [{**ALISA_FACTS[0], "key": f"f-many-{i}", "status": "maybe"} for i in range(30)]
    file = ("many.json", interchange(many, ALISA), "application/json")
    listed = (await mod.send("!facts import", attachments=[file])).json["content"]
    # Whole problems only, as many as fit, then a count of the rest.
    lines = shown(listed).splitlines()
    items = [line for line in lines if line.startswith("• ")]
    pattern = (
        r"• facts\[\d+\]\.status: 'maybe' is not one of confirmed, reported, rumor, prediction"
    )
    assert items and all(re.fullmatch(pattern, item) for item in items), lines
    assert lines[-1] == f"… and {30 - len(items)} more." and len(listed) <= 2000
    not_json = await mod.send(
        "!facts import", attachments=[("x.json", b"{not json", "application/json")]
    )
    assert "not JSON" in not_json.json["content"]
    missing = await mod.say("!facts import")
    assert missing.startswith("⚠️") and "file" in missing
    assert snapshot(bot) == before
