"""`fact resolve`: a rumor's or prediction's outcome, in answers and the history, undoable
and revertable, scoped like every edit (a global fact is resolved for one server)."""

from __future__ import annotations

import json
import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import validation as v
from bot.engine import Engine
from bot.errors import EditConflictError, InvalidInputError
from bot.models import Actor, Fact, FuzzyDate, Kind, Source, Status, Verdict
from bot.moderation import Moderation
from bot.replies.render import escape, fact_line, outcome_text
from tests.unit.test_properties import SETTINGS, TEXT, assert_safe

G1, G2 = 111, 222
MOD1 = Actor(id=1, name="mod1", guild_id=G1)
MOD1B = Actor(id=3, name="mod1b", guild_id=G1)
MOD2 = Actor(id=2, name="mod2", guild_id=G2)


@pytest.fixture
def mod(engine: Engine) -> Moderation:
    return Moderation(engine)


def prediction(mod: Moderation, actor: Actor = MOD1, **extra: str) -> int:
    out = mod.add_fact(
        actor,
        subject="Jessica Jones season 2",
        kind="when",
        text="Season 2 premieres in 2018.",
        status="prediction",
        date="2018",
        source="#1",  # the seeded article, dated May 2016
        **extra,
    )
    assert out.fact_id is not None
    return out.fact_id


def line_of(engine: Engine, fact_id: int, guild: int | None) -> str:
    content = engine.reply(engine.ask("!when jessica jones s2", guild_id=guild)).content
    (line,) = [x for x in content.splitlines() if x.endswith(f"`#{fact_id}`")]
    return line


def test_a_resolved_prediction_says_so_in_answers_and_stays_spoiler_tagged(
    engine: Engine, mod: Moderation
) -> None:
    fid = prediction(mod)
    assert "*prediction*, as of May 2016 [1]" in line_of(engine, fid, G1)
    out = mod.resolve_fact(MOD1, fid, "came true", note="It premiered on 8 March 2018.")
    assert outcome_text(out) == f"Fact #{fid} is resolved: came true."
    line = line_of(engine, fid, G1)
    assert "||Season 2 premieres in 2018.||" in line
    assert "*predicted in May 2016: came true* (||It premiered on 8 March 2018.||) [1]" in line
    fact = engine.store.fact(fid)
    assert fact is not None and fact.outcome is Verdict.CAME_TRUE and fact.outcome_at


def test_busted_rumors_read_as_rumored(engine: Engine, mod: Moderation) -> None:
    fid = prediction(mod)
    mod.edit_fact(MOD1, fid, status="rumor")
    mod.resolve_fact(MOD1, fid, "busted")
    assert "— *rumored in May 2016: busted* [1]" in line_of(engine, fid, G1)


def test_the_spoiler_tag_comes_off_only_when_the_moderator_says_so(
    engine: Engine, mod: Moderation
) -> None:
    fid = prediction(mod, spoiler="yes")
    mod.resolve_fact(MOD1, fid, "came true")
    assert "||Season 2 premieres in 2018.||" in line_of(engine, fid, G1)
    out = mod.resolve_fact(MOD1, fid, "came true", unspoil="yes")
    assert outcome_text(out).endswith("Its spoiler tag is off.")
    line = line_of(engine, fid, G1)
    assert "||" not in line and "Season 2 premieres in 2018." in line
    # Left out, unspoil stays as it was while the outcome stays; a new outcome hides it again.
    mod.resolve_fact(MOD1, fid, "came true", note="Reworded.")
    assert "||" not in line_of(engine, fid, G1)
    mod.resolve_fact(MOD1, fid, "busted")
    assert "||Season 2 premieres in 2018.||" in line_of(engine, fid, G1)


@pytest.mark.parametrize(
    ("kwargs", "wanted"),
    [
        ({"outcome": "maybe"}, "not one of came true, busted, open"),
        ({"outcome": "busted", "unspoil": "yes"}, "only a prediction that came true"),
        ({"outcome": "open", "note": "x"}, "no outcome to note"),
        ({"outcome": "came true", "unspoil": "perhaps"}, "say yes or no"),
        ({"outcome": "came true", "note": "x" * 301}, "the limit is 300"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    engine: Engine, mod: Moderation, kwargs: dict[str, str], wanted: str
) -> None:
    fid = prediction(mod)
    before = engine.store.max_change_id()
    with pytest.raises(InvalidInputError, match=wanted):
        mod.resolve_fact(MOD1, fid, **kwargs)  # type: ignore[arg-type]
    assert engine.store.max_change_id() == before


def test_only_rumors_and_predictions_are_resolved(engine: Engine, mod: Moderation) -> None:
    confirmed = engine.store.find_key("fact", "luke-cage-premiere", None)["id"]
    with pytest.raises(InvalidInputError, match="is confirmed: only a rumor or a prediction"):
        mod.resolve_fact(MOD1, confirmed, "came true")
    fid = prediction(mod)
    mod.remove_fact(MOD1, fid)
    with pytest.raises(InvalidInputError, match="removed; restore it first"):
        mod.resolve_fact(MOD1, fid, "busted")


def test_history_undo_and_revert_of_a_resolve(engine: Engine, mod: Moderation) -> None:
    fid = prediction(mod)
    mod.resolve_fact(MOD1, fid, "came true", note="Yes.")
    assert mod.resolve_fact(MOD1, fid, "came true").action == "fact.unchanged"  # note kept
    versions = mod.history(MOD1, fid)
    assert [v.action for v in versions] == ["fact.add", "fact.resolve"]
    assert versions[-1].changed["outcome"] == (None, "came true")
    assert versions[-1].changed["outcome_note"] == (None, "Yes.")

    undone = mod.undo(MOD1)
    assert undone.counts == {"fact.resolve": 1}
    fact = engine.store.fact(fid)
    assert fact is not None and (fact.outcome, fact.outcome_note, fact.outcome_at) == (
        None,
        None,
        None,
    )
    assert "*prediction*, as of May 2016" in line_of(engine, fid, G1)

    mod.resolve_fact(MOD1, fid, "busted")
    mod.revert(MOD1, fid, 1)
    fact = engine.store.fact(fid)
    assert fact is not None and fact.outcome is None
    assert [v.action for v in mod.history(MOD1, fid)][-2:] == ["fact.resolve", "fact.revert"]


def test_reopening_clears_the_outcome(engine: Engine, mod: Moderation) -> None:
    fid = prediction(mod)
    mod.resolve_fact(MOD1, fid, "busted", note="No.")
    assert (
        outcome_text(mod.resolve_fact(MOD1, fid, "open"))
        == f"Fact #{fid} is open again (no outcome)."
    )
    fact = engine.store.fact(fid)
    assert fact is not None and (fact.outcome, fact.outcome_note) == (None, None)


def test_a_global_prediction_is_resolved_for_one_server_only(
    engine: Engine, mod: Moderation
) -> None:
    gid = engine.store.find_key("fact", "jj-s2-villain-nuke-prediction", None)["id"]
    out = mod.resolve_fact(MOD1, gid, "came true")
    assert out.overrides == gid and out.fact_id != gid
    assert outcome_text(out).startswith(
        f"Fact #{gid} is global; in this server (fact #{out.fact_id})"
    )
    mine = {f.id: f for f in engine.store.facts_by_ids([gid], G1)}
    theirs = {f.id: f for f in engine.store.facts_by_ids([gid], G2)}
    assert mine[out.fact_id].outcome is Verdict.CAME_TRUE
    assert theirs[gid].outcome is None
    # The server's version answers to its own "changed meanwhile" rule.
    with pytest.raises(EditConflictError):
        mod.resolve_fact(MOD1B, gid, "busted")
    mod.undo(MOD1)
    assert all(f.outcome is None for f in engine.store.facts_by_ids([gid], G1))


def test_the_outcome_column_refuses_other_values(engine: Engine) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        engine.store.db.execute("UPDATE fact SET outcome = 'maybe' WHERE id = 1")


@SETTINGS
@given(note=TEXT, text=TEXT, unspoil=st.booleans())
def test_any_note_renders_safely(note: str, text: str, unspoil: bool) -> None:
    """Hostile notes and fact texts: the line stays within limits, spoilers shut, no ping."""
    fact = Fact(
        id=1,
        entity_id=1,
        kind=Kind.WHEN,
        text=text or "x",
        status=Status.PREDICTION,
        spoiler=False,
        date=FuzzyDate.parse("2016-09-30"),
        source=Source(1, "A source", date=FuzzyDate.parse("2016-05")),
        quote=None,
        guild_id=None,
        version=1,
        outcome=Verdict.CAME_TRUE,
        outcome_note=note[: v.MAX_OUTCOME_NOTE] or None,
        unspoiled=unspoil,
    )
    for dates in ("words", "discord"):
        line = fact_line(fact, 1, dates=dates)  # type: ignore[arg-type]
        assert_safe(line)
        if not unspoil:  # the text and the note behind spoiler tags
            assert line.count("||") >= 2 + (2 if escape(fact.outcome_note or "") else 0)


def test_changes_logged_before_the_outcome_columns_still_undo_and_revert(
    engine: Engine, mod: Moderation
) -> None:
    """A database upgraded to m009_outcomes: its change log's rows lack the new columns."""
    fid = prediction(mod)
    mod.edit_fact(MOD1, fid, text="Season 2 premieres in 2019.")
    new = ("outcome", "outcome_note", "outcome_at", "unspoiled")
    for change in engine.store.rows("SELECT * FROM change WHERE row_id = ?", [fid]):
        old = {
            side: json.dumps(
                {k: val for k, val in json.loads(change[side]).items() if k not in new}
            )
            if change[side]
            else None
            for side in ("before", "after")
        }
        engine.store.db.execute(
            "UPDATE change SET before = ?, after = ? WHERE id = ?",
            [old["before"], old["after"], change["id"]],
        )
    mod.undo(MOD1)
    assert engine.store.fact(fid).text == "Season 2 premieres in 2018."  # type: ignore[union-attr]
    mod.resolve_fact(MOD1, fid, "busted")
    mod.revert(MOD1, fid, 1)
    fact = engine.store.fact(fid)
    assert fact is not None and fact.outcome is None and not fact.unspoiled
