"""Moderator actions at the engine level: scoping, history, revert, undo, merge, bad input."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.errors import (
    AmbiguousSubjectError,
    EditConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from bot.models import Actor
from bot.moderation import Moderation
from bot.replies.render import outcome_text

G1, G2 = 111, 222
MOD1 = Actor(id=1, name="mod1", guild_id=G1)
MOD1B = Actor(id=3, name="mod1b", guild_id=G1)
MOD2 = Actor(id=2, name="mod2", guild_id=G2)
OWNER = Actor(id=9, name="owner", guild_id=G1, owner=True)


@pytest.fixture
def mod(engine: Engine) -> Moderation:
    return Moderation(engine)


def texts(engine: Engine, message: str, guild: int | None) -> list[str]:
    return [f.text for f in engine.ask(message, guild_id=guild).facts]


def seeded(engine: Engine, key: str) -> int:
    return engine.store.find_key("fact", key, None)["id"]


def test_add_creates_subject_scoped_to_the_server(engine: Engine, mod: Moderation) -> None:
    out = mod.add_fact(MOD1, subject="Jeri Hogarth", kind="who", text="A lawyer.", date="2016")
    assert "new subject **Jeri Hogarth** (character)" in outcome_text(out)
    assert f"#{out.fact_id}" in outcome_text(out)
    assert texts(engine, "!who jeri hogarth", G1) == ["A lawyer."]
    assert not engine.ask("!who jeri hogarth", guild_id=G2).answered
    assert not engine.ask("!who jeri hogarth").answered


def test_add_to_an_existing_subject_uses_fuzzy_lookup(engine: Engine, mod: Moderation) -> None:
    out = mod.add_fact(MOD1, subject="kilgrave", kind="who", text="Played by David Tennant.")
    assert "**Killgrave**" in outcome_text(out) and "new subject" not in outcome_text(out)
    assert "Played by David Tennant." in texts(engine, "!who killgrave", G1)


def test_the_fact_kind_settles_a_shared_name_as_a_question_would(
    engine: Engine, mod: Moderation
) -> None:
    show = mod.add_fact(MOD1, subject="Jessica Jones", kind="what", text="A Netflix show.")
    who = mod.add_fact(MOD1, subject="Jessica Jones", kind="who", text="A detective.")
    assert show.entity_id == engine.ask("!what jessica jones", guild_id=G1).entity.id
    assert who.entity_id == engine.ask("!who jessica jones", guild_id=G1).entity.id
    assert show.entity_id != who.entity_id


def test_ambiguous_subject_lists_candidates_and_id_picks(engine: Engine, mod: Moderation) -> None:
    mod.add_fact(MOD1, subject="Nuke comics", kind="who", text="The comics' Nuke.")
    mod.rename_entity(MOD1, "Nuke comics", "Nuke")  # two characters called Nuke here
    with pytest.raises(AmbiguousSubjectError) as info:
        mod.add_fact(MOD1, subject="Nuke", kind="who", text="x")
    ids = [eid for eid, _ in info.value.candidates]
    assert len(ids) == 2
    out = mod.add_fact(MOD1, subject=f"#{ids[0]}", kind="who", text="A villain.")
    assert out.entity_id == ids[0]


def test_season_subject_creates_a_season_of_the_show(engine: Engine, mod: Moderation) -> None:
    out = mod.add_fact(MOD1, subject="jessica jones s3", kind="when", text="Soon.", date="2019")
    assert "Jessica Jones season 3" in outcome_text(out)
    assert engine.ask("!when jessica jones s3", guild_id=G1).answered
    assert not engine.ask("!when jessica jones s3", guild_id=G2).answered


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "maybe"}, "status: 'maybe' is not one of"),
        ({"date": "2016-02-30"}, "date: day 30 does not exist in February"),
        ({"date": "next year"}, "date: not a date"),
        ({"kind": "why"}, "kind: 'why' is not one of when, who, what"),
        ({"text": "x" * 601}, "text: is 601 characters; the limit is 600"),
        ({"text": "   "}, "text: must not be empty"),
        ({"spoiler": "perhaps"}, "spoiler: say yes or no"),
        ({"source": "#99999"}, "There is no source #99999 here."),
        ({"subject": "#99999"}, "There is no subject #99999 here."),
    ],
)
def test_bad_input_changes_nothing(
    engine: Engine, mod: Moderation, fields: dict, message: str
) -> None:
    args = {"subject": "nuke", "kind": "who", "text": "Something."} | fields
    before = engine.store.max_change_id()
    with pytest.raises((InvalidInputError, NotFoundError), match=message):
        mod.add_fact(MOD1, **args)
    assert engine.store.max_change_id() == before


def test_mentions_and_spoiler_bars_in_facts_render_harmlessly(
    engine: Engine, mod: Moderation
) -> None:
    mod.add_fact(MOD1, subject="nuke", kind="who", text="@everyone ||leak|| <@1>", status="rumor")
    content = engine.reply(engine.ask("!who nuke", guild_id=G1)).content
    line = next(line for line in content.splitlines() if "leak" in line)
    assert line.startswith("• ||\\@everyone \\|\\|leak\\|\\| \\<\\@1>||")


def test_edit_history_revert(engine: Engine, mod: Moderation) -> None:
    fid = mod.add_fact(MOD1, subject="nuke", kind="who", text="v1", date="2016").fact_id
    mod.edit_fact(MOD1, fid, text="v2")
    assert engine.store.fact(fid).date.iso() == "2016"  # text alone keeps the date
    mod.edit_fact(MOD1B, fid, date="2017-03", expected_version=2)
    history = mod.history(MOD1, fid)
    assert [v.number for v in history] == [1, 2, 3]
    assert history[1].changed["text"] == ("v1", "v2") and history[1].actor == "mod1"
    assert history[2].changed["date"] == ("2016", "2017-03") and history[2].actor == "mod1b"
    mod.revert(MOD1, fid, 1)
    fact = engine.store.fact(fid)
    assert (fact.text, fact.date.iso(), fact.version) == ("v1", "2016", 4)


def test_stale_version_is_refused(engine: Engine, mod: Moderation) -> None:
    fid = mod.add_fact(MOD1, subject="nuke", kind="who", text="v1").fact_id
    mod.edit_fact(MOD1, fid, text="v2", expected_version=1)
    with pytest.raises(EditConflictError, match="changed meanwhile"):
        mod.edit_fact(MOD1B, fid, text="v3", expected_version=1)
    assert engine.store.fact(fid).text == "v2"


def test_a_second_moderator_editing_at_the_same_moment_is_told(
    engine: Engine, mod: Moderation
) -> None:
    fid = mod.add_fact(MOD1, subject="nuke", kind="who", text="v1").fact_id
    mod.edit_fact(MOD1, fid, text="v2")
    with pytest.raises(EditConflictError, match=r"changed meanwhile by mod1 \(now version 2\)"):
        mod.edit_fact(MOD1B, fid, text="mine")
    assert engine.store.fact(fid).text == "v2"
    mod.edit_fact(MOD1, fid, text="v3")  # one's own edits never conflict
    mod.edit_fact(MOD1B, fid, text="mine", expected_version=3)  # a deliberate edit
    assert engine.store.fact(fid).text == "mine"


def test_remove_restore_are_soft(engine: Engine, mod: Moderation) -> None:
    fid = mod.add_fact(MOD1, subject="nuke", kind="who", text="Temporary.").fact_id
    mod.remove_fact(MOD1, fid)
    assert "Temporary." not in texts(engine, "!who nuke", G1)
    assert engine.store.row("fact", fid)["text"] == "Temporary."
    mod.restore_fact(MOD1, fid)
    assert "Temporary." in texts(engine, "!who nuke", G1)


def test_undo_reverses_the_callers_last_change_of_any_kind(engine: Engine, mod: Moderation) -> None:
    fid = mod.add_fact(MOD1, subject="nuke", kind="who", text="v1").fact_id
    mod.edit_fact(MOD1, fid, text="v2")
    mod.add_alias(MOD1B, "Frank Simpson", "nuke")  # someone else's change
    mod.undo(MOD1)
    assert engine.store.fact(fid).text == "v1"
    mod.undo(MOD1)
    assert engine.store.fact(fid).deleted
    assert engine.ask("!who frank simpson", guild_id=G1).entity.name == "Nuke"
    mod.undo(MOD1B)
    assert engine.ask("!who frank simpson", guild_id=G1).entity is None
    with pytest.raises(NotFoundError):
        mod.undo(MOD1)
    # History keeps every step, undos included.
    assert [v.action for v in mod.history(MOD1, fid)] == ["fact.add", "fact.edit", "undo", "undo"]


def test_undo_refuses_when_someone_changed_it_since(engine: Engine, mod: Moderation) -> None:
    fid = mod.add_fact(MOD1, subject="nuke", kind="who", text="v1").fact_id
    mod.edit_fact(MOD1, fid, text="v2")
    mod.edit_fact(MOD1B, fid, text="v3", expected_version=2)
    with pytest.raises(EditConflictError):
        mod.undo(MOD1)
    assert engine.store.fact(fid).text == "v3"


def test_servers_override_and_hide_global_facts_only_for_themselves(
    engine: Engine, mod: Moderation
) -> None:
    premiere = seeded(engine, "luke-cage-premiere")
    out = mod.edit_fact(MOD1, premiere, text="Premiered 30 September 2016.")
    assert "your server now sees" in outcome_text(out)
    assert texts(engine, "!when luke cage", G1) == ["Premiered 30 September 2016."]
    assert texts(engine, "!when luke cage", G2) == ["Luke Cage premieres on 30 September 2016."]
    mod.remove_fact(MOD2, premiere)
    assert texts(engine, "!when luke cage", G2) == []
    assert texts(engine, "!when luke cage", None) == ["Luke Cage premieres on 30 September 2016."]
    mod.restore_fact(MOD2, premiere)
    assert texts(engine, "!when luke cage", G2) == ["Luke Cage premieres on 30 September 2016."]
    assert engine.store.fact(premiere).version == 1  # the global row never changed


def test_only_the_owner_edits_global_facts(engine: Engine, mod: Moderation) -> None:
    premiere = seeded(engine, "luke-cage-premiere")
    mod.edit_fact(OWNER, premiere, status="reported")
    assert engine.store.fact(premiere).status.value == "reported"
    with pytest.raises(PermissionDeniedError):
        mod.revert(MOD1, premiere, 1)


def test_other_servers_facts_are_invisible(engine: Engine, mod: Moderation) -> None:
    fid = mod.add_fact(MOD1, subject="nuke", kind="who", text="Mine.").fact_id
    for action in (mod.remove_fact, mod.restore_fact, mod.history):
        with pytest.raises(NotFoundError):
            action(MOD2, fid)
    with pytest.raises(NotFoundError):
        mod.edit_fact(MOD2, fid, text="Theirs.")


def test_alias_rename_merge(engine: Engine, mod: Moderation) -> None:
    mod.add_fact(MOD1, subject="Jeri Hogarth", kind="who", text="A lawyer.")
    mod.add_alias(MOD1, "Jeri", "jeri hogarth")
    assert engine.ask("!who jeri", guild_id=G1).entity.name == "Jeri Hogarth"
    with pytest.raises(InvalidInputError, match="already names"):
        mod.add_alias(MOD1, "jeri", "nuke")
    mod.rename_entity(MOD1, "jeri hogarth", "Jeryn Hogarth")
    assert engine.ask("!who jeryn hogarth", guild_id=G1).answered
    assert engine.ask("!who jeri hogarth", guild_id=G1).entity.name == "Jeryn Hogarth"
    mod.add_fact(MOD1, subject="Hogarth Dup", kind="who", text="Duplicate.", entity_kind="person")
    out = mod.merge_entities(MOD1, "hogarth dup", "jeryn hogarth")
    assert "1 fact(s)" in outcome_text(out)
    answer = engine.ask("!who hogarth dup", guild_id=G1)
    assert answer.entity.name == "Jeryn Hogarth"
    assert {f.text for f in answer.facts} == {"A lawyer.", "Duplicate."}
    mod.remove_alias(MOD1, "jeri")
    live = engine.store.rows("SELECT * FROM alias WHERE name = 'Jeri' AND deleted_at IS NULL")
    assert live == []
    with pytest.raises(PermissionDeniedError):
        mod.remove_alias(MOD1, "Kilgrave")  # global alias


def test_sources_by_title_or_id(engine: Engine, mod: Moderation) -> None:
    src = mod.add_source(
        MOD1, title="Deadline interview", url="https://deadline.com/x", date="2016-04"
    )
    assert "#" in outcome_text(src)
    out = mod.add_fact(MOD1, subject="nuke", kind="who", text="Cited.", source="deadline interview")
    assert "new source" not in outcome_text(out)
    out = mod.add_fact(MOD1, subject="nuke", kind="who", text="New src.", source="Some blog")
    assert "new source" in outcome_text(out)
    with pytest.raises(InvalidInputError, match="url: must be an http"):
        mod.add_source(MOD1, title="x", url="javascript:alert(1)")


def test_gaps_and_stats(engine: Engine, mod: Moderation) -> None:
    for _ in range(3):
        engine.ask("!who jeri hogarth", guild_id=G1)
    engine.ask("!who walter white", guild_id=G1)
    engine.ask("!who nuke", guild_id=G1)
    engine.ask("!who saul", guild_id=G2)
    gaps = mod.gaps(G1)
    assert [(g.subject, g.times) for g in gaps] == [("jeri hogarth", 3), ("walter white", 1)]
    stats = mod.stats(G1)
    assert stats.total == 5 and stats.answer_rate == pytest.approx(0.2)
    assert stats.top == [("Nuke", 1)]


def test_other_processes_see_edits_through_the_change_log(db_path, mod: Moderation) -> None:
    other = Engine.open(db_path)
    try:
        assert other.ask("!who jeri hogarth", guild_id=G1).entity is None
        mod.add_fact(MOD1, subject="Jeri Hogarth", kind="who", text="A lawyer.")
        assert other.sync(force=True) > 0
        assert other.ask("!who jeri hogarth", guild_id=G1).answered
    finally:
        other.close()


def test_alias_guard_looks_at_this_server_only_and_at_all_of_it(
    engine: Engine, mod: Moderation
) -> None:
    """Issue 11 item 7: three other servers each have a subject "Hogarth"; a server with its
    own Hogarth cannot alias the name to Nuke, and its `!who hogarth` stays its own."""
    others = [Actor(id=20 + g, name=f"mod{g}", guild_id=g) for g in (301, 302, 303)]
    for actor in others:
        mod.add_fact(actor, subject="Hogarth", kind="who", text=f"Hogarth of {actor.guild_id}.")
    own = mod.add_fact(MOD1, subject="Hogarth", kind="who", text="Our own Hogarth.")
    assert "new subject **Hogarth** (character)" in outcome_text(own)
    for name in ("Hogarth", "hogarth", " HOGARTH "):
        with pytest.raises(InvalidInputError, match=r"already names \*\*Hogarth\*\*$"):
            mod.add_alias(MOD1, name, "nuke")
    answer = engine.ask("!who hogarth", guild_id=G1)
    assert answer.entity is not None and answer.entity.id == own.entity_id
    assert texts(engine, "!who hogarth", G1) == ["Our own Hogarth."]
    # Many more namesakes elsewhere than any search limit: still only this server's count.
    for g in range(400, 430):
        mod.add_fact(Actor(id=g, name="m", guild_id=g), subject="Hogarth", kind="who", text="x")
    with pytest.raises(InvalidInputError, match="already names"):
        mod.add_alias(MOD1, "Hogarth", "nuke")
    # A server without a Hogarth of its own may use the name, whatever other servers hold.
    out = mod.add_alias(MOD2, "Hogarth", "nuke")
    assert "now also means **Nuke**" in outcome_text(out)
    assert engine.ask("!who hogarth", guild_id=G2).entity.name == "Nuke"
    # A global alias names the subject in every server: it is taken everywhere.
    with pytest.raises(InvalidInputError, match=r"already names \*\*Trish Walker\*\*"):
        mod.add_alias(MOD1, "Hellcat", "nuke")


def test_a_servers_alias_of_a_global_subject_stays_in_that_server(
    engine: Engine, mod: Moderation
) -> None:
    """An alias a server's moderator adds to a global subject (Nuke) is that server's: other
    servers neither reach Nuke by it nor find the name taken."""
    mod.add_alias(MOD2, "Nukey", "nuke")
    assert engine.ask("!who nukey", guild_id=G2).entity.name == "Nuke"
    own = mod.add_fact(MOD1, subject="Hogarth", kind="who", text="Our own Hogarth.")
    mod.add_alias(MOD2, "Hogarth", "nuke")  # G2 has no Hogarth of its own
    seen = engine.ask("!who hogarth", guild_id=G1)
    assert seen.entity is not None and seen.entity.id == own.entity_id, engine.reply(seen).content
    assert engine.ask("!who nukey", guild_id=G1).entity is None
    assert engine.complete("nukey", guild_id=G1) == []
    out = mod.add_alias(MOD1, "Nukey", "igh")  # the name is free in G1
    assert "**Nukey** now also means **IGH**" in outcome_text(out)
