"""Learning from moderators (issue 22, part 4): a question taught for a fact (`fact teach`)
is a phrasing of it in one server: it answers there and only there, shows in the fact's
history, is undone softly, travels in export and import, and is forgotten with its server.
The Discord side (`!fact teach`, the buttons of `/gaps`) is tests/e2e/test_bot_teach.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answering.grounding import ground
from bot.engine import Engine
from bot.errors import InvalidInputError, NotFoundError
from bot.models import Actor, Intent
from bot.moderation import Moderation
from bot.privacy import Privacy
from bot.replies.render import history_text, outcome_text
from bot.validation import MAX_QUESTION

G1, G2 = 111, 222
MOD1 = Actor(id=1, name="mod1", guild_id=G1)
MOD1B = Actor(id=3, name="mod1b", guild_id=G1)
MOD2 = Actor(id=2, name="mod2", guild_id=G2)
CLI = Actor(id=None, name="cli", guild_id=None, owner=True)
TAUGHT = "who paid jessica's hospital bills"
SIMILAR = "who paid for jessicas hospital"


@pytest.fixture
def mod(engine: Engine) -> Moderation:
    return Moderation(engine)


def seeded(engine: Engine, key: str) -> int:
    return int(engine.store.find_key("fact", key, None)["id"])


def answer_ids(engine: Engine, question: str, guild: int | None) -> list[int]:
    found = engine.ask(question, guild_id=guild)
    return [f.id for f in found.facts] if found.answered else []


def live_phrasings(engine: Engine) -> list[dict]:
    return engine.store.rows("SELECT * FROM phrasing WHERE deleted_at IS NULL ORDER BY id")


def test_a_taught_question_answers_a_similar_one_in_its_server_only(
    engine: Engine, mod: Moderation
) -> None:
    igh = seeded(engine, "jj-character-family-igh")
    assert answer_ids(engine, SIMILAR, G1) == []  # "covered her medical bills": not enough

    out = mod.teach(MOD1, igh, TAUGHT)
    assert out.action == "fact.teach"
    assert f"now asks for fact #{igh}" in outcome_text(out)
    assert answer_ids(engine, SIMILAR, G1)[:1] == [igh]
    assert answer_ids(engine, TAUGHT, G1)[:1] == [igh]
    # Another server and the command line (global) learned nothing.
    assert answer_ids(engine, SIMILAR, G2) == []
    assert answer_ids(engine, SIMILAR, None) == []


def test_a_phrasing_counts_as_what_its_fact_says_when_the_subject_is_named(
    engine: Engine, mod: Moderation
) -> None:
    trish = seeded(engine, "trish-who")
    question = "what job does trish have"
    partial = engine.ask(question, guild_id=G1)
    assert not partial.answered and partial.partial  # Trish known, her job not said

    mod.teach(MOD1, trish, "what is trish's job")
    assert answer_ids(engine, question, G1) == [trish]
    assert not engine.ask(question, guild_id=G2).answered


def test_grounding_reads_a_phrasing_as_text_of_its_own_fact_only(engine: Engine) -> None:
    facts = engine.store.facts_for(engine.store.fact(seeded(engine, "trish-who")).entity_id, G1)
    asked = ["job"]
    args = (asked, facts, (), Intent.WHAT, {}, {}, {"job": 1.0})
    assert ground(*args) == []
    hellcat = next(f for f in facts if "Hellcat" in f.text)
    picked = ground(*args, taught={hellcat.id: "what is trish's job"})
    assert [s.fact.id for s in picked] == [hellcat.id]


def test_the_same_question_taught_twice_changes_nothing(engine: Engine, mod: Moderation) -> None:
    igh = seeded(engine, "jj-character-family-igh")
    mod.teach(MOD1, igh, TAUGHT)
    changes = engine.store.max_change_id()
    again = mod.teach(MOD1B, igh, f"  !ask {TAUGHT.upper()}?  ")
    assert again.action == "fact.teach.unchanged"
    assert "Already taught" in outcome_text(again)
    assert engine.store.max_change_id() == changes
    assert len(live_phrasings(engine)) == 1
    # Another server may teach the same words: its own phrasing.
    assert mod.teach(MOD2, igh, TAUGHT).action == "fact.teach"
    assert [(p["guild_id"], p["text"]) for p in live_phrasings(engine)] == [
        (G1, TAUGHT),
        (G2, TAUGHT),
    ]


def test_teaching_refuses_what_it_cannot_do(engine: Engine, mod: Moderation) -> None:
    own = mod.add_fact(MOD2, subject="Jeri Hogarth", kind="who", text="A lawyer.").fact_id
    assert own is not None
    igh = seeded(engine, "jj-character-family-igh")
    with pytest.raises(NotFoundError):
        mod.teach(MOD1, 999_999, TAUGHT)
    with pytest.raises(NotFoundError):  # another server's fact: not there at all
        mod.teach(MOD1, own, TAUGHT)
    with pytest.raises(InvalidInputError, match="must not be empty"):
        mod.teach(MOD1, igh, "   ")
    with pytest.raises(InvalidInputError, match="no words"):
        mod.teach(MOD1, igh, "!ask ?!")
    with pytest.raises(InvalidInputError, match="limit"):
        mod.teach(MOD1, igh, "why " * MAX_QUESTION)
    mod.remove_fact(MOD1, igh)  # hidden in this server
    with pytest.raises(InvalidInputError, match="removed"):
        mod.teach(MOD1, igh, TAUGHT)
    assert live_phrasings(engine) == []
    assert engine.store.rows("SELECT * FROM change WHERE table_name = 'phrasing'") == []


def test_a_command_or_mention_is_not_part_of_the_question(mod: Moderation) -> None:
    assert mod.question_text("!ask who paid") == "who paid"
    assert mod.question_text("<@123456789> who paid?") == "who paid?"
    assert mod.question_text("!who is the hobgoblin") == "who is the hobgoblin"
    assert mod.question_text("ask me anything") == "ask me anything"


def test_history_shows_teach_and_undo_in_the_server_only(engine: Engine, mod: Moderation) -> None:
    igh = seeded(engine, "jj-character-family-igh")
    mod.teach(MOD1, igh, TAUGHT)
    mine = mod.history(MOD1, igh)
    assert [(v.action, v.changed) for v in mine[1:]] == [
        ("fact.teach", {"phrasing": (None, TAUGHT)})
    ]
    assert mine[-1].number == mine[0].number  # taught at the fact's current version
    assert "fact.teach" in history_text(igh, mine)
    # The other server's moderators see the fact's history without this server's words.
    assert [v.action for v in mod.history(MOD2, igh)] == [mine[0].action]

    out = mod.undo(MOD1)
    assert out.counts == {"fact.teach": 1}
    actions = [(v.action, v.changed) for v in mod.history(MOD1, igh)[1:]]
    assert actions == [
        ("fact.teach", {"phrasing": (None, TAUGHT)}),
        ("undo", {"phrasing": (TAUGHT, None)}),
    ]
    assert answer_ids(engine, SIMILAR, G1) == []


def test_undo_is_soft_and_teaching_again_makes_a_new_phrasing(
    engine: Engine, mod: Moderation
) -> None:
    igh = seeded(engine, "jj-character-family-igh")
    first = mod.teach(MOD1, igh, TAUGHT).counts["phrasing"]
    mod.undo(MOD1)
    (row,) = engine.store.rows("SELECT * FROM phrasing")
    assert row["id"] == first and row["deleted_at"] is not None and row["text"] == TAUGHT
    assert engine.store.rows("SELECT * FROM phrasing_doc") == []
    with pytest.raises(NotFoundError):
        mod.undo(MOD1)  # nothing left of theirs to undo
    second = mod.teach(MOD1, igh, TAUGHT).counts["phrasing"]
    assert second > first  # ids never reused
    assert answer_ids(engine, SIMILAR, G1)[:1] == [igh]


def test_reverting_a_fact_keeps_its_phrasings(engine: Engine, mod: Moderation) -> None:
    own = mod.add_fact(MOD1, subject="Jeri Hogarth", kind="who", text="A lawyer.").fact_id
    assert own is not None
    mod.teach(MOD1, own, "who is jessica's lawyer")
    mod.edit_fact(MOD1, own, text="A ruthless lawyer.")
    assert mod.revert(MOD1, own, 1).action == "fact.revert"
    assert engine.store.fact(own).text == "A lawyer."
    assert [p["text"] for p in live_phrasings(engine)] == ["who is jessica's lawyer"]
    actions = [v.action for v in mod.history(MOD1, own)]
    assert actions == ["fact.add", "fact.teach", "fact.edit", "fact.revert"]
    assert answer_ids(engine, "who is jessicas lawyer", G1) == [own]


def test_undoing_a_fact_keeps_it_while_another_moderator_taught_it(
    engine: Engine, mod: Moderation
) -> None:
    own = mod.add_fact(MOD1, subject="Jeri Hogarth", kind="who", text="A lawyer.").fact_id
    assert own is not None
    mod.teach(MOD1B, own, "who is jessica's lawyer")
    out = mod.undo(MOD1)
    assert out.kept and out.kept[0].users[0][:1] == ("phrasing",)
    assert engine.store.row("fact", own)["deleted_at"] is None


def test_a_servers_version_of_a_global_fact_keeps_its_phrasings(
    engine: Engine, mod: Moderation
) -> None:
    igh = seeded(engine, "jj-character-family-igh")
    mod.teach(MOD1, igh, TAUGHT)
    mine = mod.edit_fact(MOD1, igh, text="IGH paid her hospital bills after the crash.")
    assert mine.overrides == igh
    assert answer_ids(engine, SIMILAR, G1)[:1] == [mine.fact_id]
    # Taught through the server's version: the same phrasing, already taught.
    assert mod.teach(MOD1, mine.fact_id or 0, TAUGHT).action == "fact.teach.unchanged"


def test_export_and_import_carry_a_servers_phrasings(
    engine: Engine, mod: Moderation, tmp_path: Path
) -> None:
    igh = seeded(engine, "jj-character-family-igh")
    own = mod.add_fact(MOD1, subject="Jeri Hogarth", kind="who", text="A lawyer.").fact_id
    mod.teach(MOD1, igh, TAUGHT)
    mod.teach(MOD1, own or 0, "who is jessica's lawyer")
    mod.teach(MOD2, igh, "who covered the medical bills")
    gone = mod.teach(MOD1, igh, "who paid for everything")
    mod.undo(MOD1)

    data = mod.export(G1)
    assert [(p["fact"], p["text"], p.get("deleted", False)) for p in data["phrasings"]] == [
        ("jj-character-family-igh", TAUGHT, False),
        (data["facts"][0]["key"], "who is jessica's lawyer", False),
        ("jj-character-family-igh", "who paid for everything", True),
    ]
    assert gone.counts["phrasing"]
    assert "who covered the medical bills" not in str(data)  # the other server's
    assert mod.export(None)["phrasings"] == []

    other = Engine.open(tmp_path / "other.db")
    try:
        report = Moderation(other).import_file(MOD1, data)
        assert report.counts["phrasings"]["added"] == 3
        assert "phrasings: 3 added" in report.summary()
        assert answer_ids(other, SIMILAR, G1)[:1] == [seeded(other, "jj-character-family-igh")]
        assert answer_ids(other, SIMILAR, G2) == []
        assert answer_ids(other, "who paid for everything", G1) == []  # imported removed
        again = Moderation(other).import_file(MOD1, data)
        assert again.changed == 0
    finally:
        other.close()


def test_an_import_refuses_a_phrasing_of_an_unknown_fact(mod: Moderation) -> None:
    data = {
        "format": "showbot",
        "version": 1,
        "phrasings": [{"key": "p1", "fact": "no-such-fact", "text": "who?"}],
    }
    with pytest.raises(Exception, match="no fact with key"):
        mod.import_file(MOD1, data)


def test_forgetting_a_server_forgets_its_phrasings_and_their_words(
    engine: Engine, mod: Moderation, db_path: Path
) -> None:
    igh = seeded(engine, "jj-character-family-igh")
    mod.teach(MOD1, igh, "who paid zorblaxian hospital bills")
    mod.teach(MOD2, igh, TAUGHT)
    mod.teach(MOD1, igh, "who covered quuxmorphic costs")
    mod.undo(MOD1)  # a removed phrasing goes too

    done = Privacy(engine.store).forget_guild(G1)
    assert done.counts["phrasing"] == 2
    store = engine.store
    assert store.rows("SELECT * FROM phrasing WHERE guild_id = ?", [G1]) == []
    assert store.rows("SELECT * FROM phrasing_doc WHERE guild_id = ?", [G1]) == []
    assert not store.rows(
        "SELECT * FROM change WHERE table_name = 'phrasing' AND guild_id = ?", [G1]
    )
    assert not store.rows(
        "SELECT * FROM phrasing_doc_fts WHERE phrasing_doc_fts MATCH 'zorblaxian'"
    )
    engine.sync(force=True)
    assert answer_ids(engine, "who paid zorblaxian hospital bills", G1) == []
    assert answer_ids(engine, SIMILAR, G2)[:1] == [igh]  # the other server's stays
    store.checkpoint()
    data = Path(db_path).read_bytes() + (
        Path(f"{db_path}-wal").read_bytes() if Path(f"{db_path}-wal").exists() else b""
    )
    for word in ("zorblax", "quuxmorph"):
        assert word.encode() not in data
