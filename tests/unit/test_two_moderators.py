"""Two moderators in one server: nothing one does hides or overwrites the other's work
(undo, overrides and hide markers, merges), on a fresh seeded database each time."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.errors import EditConflictError, InvalidInputError, database_problem
from bot.models import Actor
from bot.moderation import RECENT_EDIT_SECONDS, Moderation
from bot.replies.render import outcome_text

G1, G2 = 111, 222
A = Actor(id=1, name="mod_a", guild_id=G1)
B = Actor(id=3, name="mod_b", guild_id=G1)
OTHER = Actor(id=2, name="mod_other", guild_id=G2)


@pytest.fixture
def mod(engine: Engine) -> Moderation:
    return Moderation(engine)


def texts(engine: Engine, question: str, guild: int | None = G1) -> list[str]:
    return [f.text for f in engine.ask(question, guild_id=guild).facts]


def premiere(engine: Engine) -> int:
    return engine.store.find_key("fact", "luke-cage-premiere", None)["id"]


GLOBAL_TEXT = "Luke Cage premieres on 30 September 2016."


# ------------------------------------------------------------------ 1. undo


def test_undo_keeps_a_subject_another_moderator_added_facts_to(
    engine: Engine, mod: Moderation
) -> None:
    mine = mod.add_fact(A, subject="Jeri Hogarth", kind="who", text="A lawyer.")
    theirs = mod.add_fact(B, subject="jeri hogarth", kind="who", text="Works at Hogarth & Co.")
    assert theirs.entity_id == mine.entity_id and not theirs.made
    out = mod.undo(A)
    # A's own fact is gone, B's stays reachable under the subject A created.
    assert texts(engine, "!who jeri hogarth") == ["Works at Hogarth & Co."]
    assert engine.store.row("fact", mine.fact_id)["deleted_at"] is not None
    assert engine.store.row("entity", mine.entity_id)["deleted_at"] is None
    assert [(k.table, k.name) for k in out.kept] == [("entity", "Jeri Hogarth")]
    assert out.kept[0].users == (("fact", theirs.fact_id, "mod_b"),)
    assert f"Kept subject **Jeri Hogarth** (fact #{theirs.fact_id} by mod\\_b use it)" in (
        outcome_text(out)
    )
    # The undo is done with: A's next undo reaches A's earlier change, not this one again.
    with pytest.raises(Exception, match="no change here to undo"):
        mod.undo(A)


def test_undo_removes_the_subject_when_nobody_else_uses_it(engine: Engine, mod: Moderation) -> None:
    mine = mod.add_fact(A, subject="Jeri Hogarth", kind="who", text="A lawyer.")
    mod.add_fact(B, subject="nuke", kind="who", text="Unrelated.")
    out = mod.undo(A)
    assert out.kept == ()
    assert engine.store.row("entity", mine.entity_id)["deleted_at"] is not None
    assert engine.ask("!who jeri hogarth", guild_id=G1).entity is None


def test_undo_keeps_a_new_source_another_fact_cites(engine: Engine, mod: Moderation) -> None:
    mine = mod.add_fact(A, subject="nuke", kind="who", text="A soldier.", source="Variety")
    (source,) = mine.made
    theirs = mod.add_fact(B, subject="trish", kind="who", text="A host.", source="variety")
    assert engine.store.row("fact", theirs.fact_id)["source_id"] == source.id
    out = mod.undo(A)
    assert [(k.table, k.name) for k in out.kept] == [("source", "Variety")]
    assert engine.store.row("source", source.id)["deleted_at"] is None
    assert engine.store.fact(theirs.fact_id).source.title == "Variety"


def test_undo_keeps_a_show_whose_season_another_moderator_made(
    engine: Engine, mod: Moderation
) -> None:
    mine = mod.add_fact(A, subject="The Crown", kind="when", text="Premiered 2016.", date="2016")
    theirs = mod.add_fact(B, subject="the crown s2", kind="when", text="In 2017.", date="2017")
    out = mod.undo(A)
    assert [k.name for k in out.kept] == ["The Crown"]
    assert texts(engine, "!when the crown s2") == ["In 2017."]
    assert engine.store.row("entity", mine.entity_id)["deleted_at"] is None
    assert theirs.entity_id != mine.entity_id


# ------------------------------------------------------ 2. overrides and hides


def test_a_second_edit_of_a_global_fact_is_checked_against_the_servers_version(
    engine: Engine, mod: Moderation
) -> None:
    fid = premiere(engine)
    first = mod.edit_fact(A, fid, text="Premiered 30 September 2016 on Netflix.")
    assert first.overrides == fid and first.fact_id != fid and first.version == 1
    with pytest.raises(EditConflictError, match="changed meanwhile by mod_a"):
        mod.edit_fact(B, fid, status="reported")
    # The global row's version (what B may have looked at) is not the server's version.
    global_version = engine.store.row("fact", fid)["version"]
    mod.edit_fact(A, first.fact_id, quote="Netflix said so.")  # now version 2
    with pytest.raises(EditConflictError, match=r"now version 2, not 1"):
        mod.edit_fact(B, fid, status="reported", expected_version=global_version)
    assert texts(engine, "!when luke cage") == ["Premiered 30 September 2016 on Netflix."]
    # Deliberately, with the server version's number: B's change lands on top of A's.
    second = mod.edit_fact(B, fid, status="reported", expected_version=2)
    row = engine.store.row("fact", second.fact_id)
    assert second.fact_id == first.fact_id and second.version == 3
    assert (row["text"], row["status"]) == ("Premiered 30 September 2016 on Netflix.", "reported")
    assert texts(engine, "!when luke cage", G2) == [GLOBAL_TEXT]


def test_fact_show_of_a_global_fact_shows_this_servers_version(
    engine: Engine, mod: Moderation
) -> None:
    fid = premiere(engine)
    mine = mod.edit_fact(A, fid, text="Ours.")
    fact, _ = mod.show_fact(B, fid)
    assert (fact.id, fact.text, fact.overrides) == (mine.fact_id, "Ours.", fid)
    theirs, _ = mod.show_fact(OTHER, fid)
    assert (theirs.id, theirs.text) == (fid, GLOBAL_TEXT)


def test_hiding_then_restoring_brings_back_the_servers_own_version(
    engine: Engine, mod: Moderation
) -> None:
    fid = premiere(engine)
    mod.edit_fact(A, fid, text="Ours, on Netflix.")
    hidden = mod.remove_fact(B, fid)
    assert hidden.action == "fact.hide"
    assert texts(engine, "!when luke cage") == []
    with pytest.raises(InvalidInputError, match="already hidden"):
        mod.remove_fact(B, fid)
    mod.restore_fact(B, fid)
    assert texts(engine, "!when luke cage") == ["Ours, on Netflix."]  # A's words kept


def test_a_pure_hide_restored_follows_the_global_fact_again(
    engine: Engine, mod: Moderation
) -> None:
    fid = premiere(engine)
    owner = Actor(id=9, name="owner", guild_id=None, owner=True)
    mod.remove_fact(A, fid)
    mod.restore_fact(A, fid)
    mod.edit_fact(owner, fid, text="Premiered on 30 September 2016.")
    assert texts(engine, "!when luke cage") == ["Premiered on 30 September 2016."]
    # A server version given up earlier starts again from the global fact as it is now.
    mod.remove_fact(A, fid)
    mod.restore_fact(A, fid)
    mod.edit_fact(A, fid, status="reported", expected_version=None)
    (fact,) = engine.ask("!when luke cage", guild_id=G1).facts
    assert (fact.text, fact.status.value) == ("Premiered on 30 September 2016.", "reported")


def test_the_changed_meanwhile_window_follows_the_clock(engine: Engine) -> None:
    offset = timedelta()
    mod = Moderation(engine, clock=lambda: datetime.now(UTC) + offset)
    fid = mod.add_fact(A, subject="nuke", kind="who", text="v1").fact_id
    mod.edit_fact(A, fid, text="v2")
    offset = timedelta(seconds=RECENT_EDIT_SECONDS - 2)
    with pytest.raises(EditConflictError, match="changed meanwhile by mod_a"):
        mod.edit_fact(B, fid, text="v3")
    offset = timedelta(seconds=RECENT_EDIT_SECONDS + 1)
    assert mod.edit_fact(B, fid, text="v3").version == 3
    assert engine.store.fact(fid).text == "v3"


# ------------------------------------------------------------------- 3. merge


def _all_reachable(engine: Engine, questions: list[str]) -> set[int]:
    return {f.id for q in questions for f in engine.ask(q, guild_id=G1).facts}


def test_merging_a_show_moves_its_seasons_and_merges_same_numbered_ones(
    engine: Engine, mod: Moderation
) -> None:
    def add(subject: str, text: str) -> int:
        out = mod.add_fact(A, subject=subject, kind="when", text=text, date="2017")
        assert out.fact_id is not None
        return out.fact_id

    show = add("Daredevil", "Daredevil premiered in 2015.")
    ours_s2 = add("daredevil s2", "Season 2 came in 2016.")
    dup = add("Marvels Daredevil", "A Netflix show.")
    dup_s2 = add("marvels daredevil s2", "Season two in March 2016.")
    dup_s3 = add("marvels daredevil s3", "Season three in 2018.")
    before = {show, ours_s2, dup, dup_s2, dup_s3}
    asked = [
        "!when daredevil",
        "!when daredevil s2",
        "!when daredevil s3",
        "!when marvels daredevil",
        "!when marvels daredevil s2",
        "!when marvels daredevil s3",
    ]
    assert _all_reachable(engine, asked) == before
    out = mod.merge_entities(A, "marvels daredevil", "daredevil")
    assert out.counts == {"fact": 1, "season": 2}
    assert "1 fact(s), 0 alias(es) and 2 season(s) moved" in outcome_text(out)
    assert {f.id for f in engine.ask("!when daredevil s2", guild_id=G1).facts} == {
        ours_s2,
        dup_s2,
    }
    s3 = engine.ask("!when daredevil s3", guild_id=G1)
    assert [f.id for f in s3.facts] == [dup_s3] and s3.entity.name == "Daredevil season 3"
    # Every fact reachable before is reachable after, the old names included.
    assert _all_reachable(engine, asked) == before
    assert engine.ask("!when marvels daredevil s3", guild_id=G1).entity.name == (
        "Daredevil season 3"
    )
    # And undo puts it all back as it was.
    mod.undo(A)
    assert engine.ask("!when marvels daredevil s3", guild_id=G1).entity.name == (
        "Marvels Daredevil season 3"
    )
    assert _all_reachable(engine, asked) == before


def test_merging_a_show_with_seasons_into_a_non_show_is_refused(
    engine: Engine, mod: Moderation
) -> None:
    mod.add_fact(A, subject="Daredevil s2", kind="when", text="2016.", date="2016")
    mod.add_fact(A, subject="Matt Murdock", kind="who", text="A lawyer.")
    before = engine.store.max_change_id()
    with pytest.raises(InvalidInputError, match="has seasons"):
        mod.merge_entities(A, "daredevil", "matt murdock")
    assert engine.store.max_change_id() == before


def test_a_removed_fact_moves_with_a_merge_and_restores_where_its_subject_went(
    engine: Engine, mod: Moderation
) -> None:
    gone = mod.add_fact(A, subject="Jeri Hogarth", kind="who", text="A lawyer.")
    mod.add_fact(A, subject="Jeri", kind="who", text="Hogarth's first name.", entity_kind="person")
    mod.remove_fact(A, gone.fact_id)
    mod.merge_entities(A, "jeri hogarth", "jeri (person)")
    mod.restore_fact(A, gone.fact_id)
    assert "A lawyer." in texts(engine, "!who jeri hogarth")


# ------------------------------------------------------- 6. database errors


def test_database_errors_are_told_apart(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    first = sqlite3.connect(path, timeout=0)
    first.execute("CREATE TABLE t (a)")
    first.execute("BEGIN IMMEDIATE")
    second = sqlite3.connect(path, timeout=0)
    with pytest.raises(sqlite3.OperationalError) as busy:
        second.execute("BEGIN IMMEDIATE")
    first.rollback()
    with pytest.raises(sqlite3.OperationalError) as missing:
        second.execute("SELECT nope FROM t")
    readonly = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as refused:
        readonly.execute("INSERT INTO t VALUES (1)")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    with pytest.raises(sqlite3.DatabaseError) as damaged:
        sqlite3.connect(junk).execute("SELECT 1 FROM sqlite_master")
    assert database_problem(damaged.value) == "damaged"
    assert database_problem(busy.value) == "busy"
    assert database_problem(refused.value) == "unwritable"
    assert database_problem(missing.value) == "bug"  # a missing column is showbot's bug
    for conn in (first, second, readonly):
        conn.close()
