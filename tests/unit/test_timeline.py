"""`!upcoming` and `!predictions` at the engine level: the window (today injected), date
precision, order, a server's scope and its versions of global facts, and the replies."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.engine import Engine
from bot.errors import InvalidInputError
from bot.models import Actor
from bot.moderation import Moderation
from bot.replies.listings import predictions_text, upcoming_text
from bot.replies.render import MAX_CONTENT

TODAY = date(2026, 5, 10)
G1, G2 = 111, 222
MOD1 = Actor(id=1, name="mod1", guild_id=G1)
MOD2 = Actor(id=2, name="mod2", guild_id=G2)


@pytest.fixture
def mod(engine: Engine) -> Moderation:
    return Moderation(engine)


def add(mod: Moderation, text: str, date_: str | None, *, actor: Actor = MOD1, **kw: str) -> int:
    out = mod.add_fact(
        actor,
        subject=kw.pop("subject", "Luke Cage season 3"),
        kind=kw.pop("kind", "when"),
        text=text,
        date=date_,
        **kw,
    )
    assert out.fact_id is not None
    return out.fact_id


def coming(engine: Engine, guild: int | None = G1, days: int | str = 30, **kw: object) -> list[str]:
    return [f.text for f in engine.upcoming(guild, today=TODAY, days=days, **kw).facts]  # type: ignore[arg-type]


def test_upcoming_holds_the_window_whatever_the_precision(engine: Engine, mod: Moderation) -> None:
    add(mod, "Yesterday.", "2026-05-09")
    add(mod, "Today.", "2026-05-10")
    add(mod, "In a week.", "2026-05-17")
    add(mod, "Last day.", "2026-06-09")
    add(mod, "Too far.", "2026-06-10")
    add(mod, "This month.", "2026-05")
    add(mod, "Last month.", "2026-04")
    add(mod, "Next month.", "2026-06")
    add(mod, "This year.", "2026")
    add(mod, "Next year.", "2027")
    add(mod, "Undated.", None)
    add(mod, "A who fact, dated.", "2026-05-12", kind="who", subject="Luke Cage")
    # The surest soonest first: by the last day a date may mean, the narrower first.
    assert coming(engine) == [
        "Today.",
        "In a week.",
        "This month.",
        "Last day.",
        "Next month.",
        "This year.",
    ]
    assert coming(engine, days=1) == ["Today.", "This month.", "This year."]
    assert coming(engine, days="365")[-1] == "Next year."


def test_upcoming_is_the_servers_own_view(engine: Engine, mod: Moderation) -> None:
    mine = add(mod, "Ours.", "2026-05-20")
    add(mod, "Theirs.", "2026-05-20", actor=MOD2)
    assert coming(engine, G1) == ["Ours."]
    assert coming(engine, G2) == ["Theirs."]
    assert coming(engine, None) == []  # global facts only (the seed's are all past)
    # A server's version of a global fact counts instead of it, in that server only.
    premiere = engine.store.find_key("fact", "luke-cage-premiere", None)["id"]
    mod.edit_fact(MOD1, premiere, date="2026-05-30", text="Premieres again.")
    assert coming(engine, G1) == ["Ours.", "Premieres again."]
    assert coming(engine, G2) == ["Theirs."]
    mod.remove_fact(MOD1, mine)
    assert coming(engine, G1) == ["Premieres again."]


def test_upcoming_for_followed_subjects_takes_a_shows_seasons(
    engine: Engine, mod: Moderation
) -> None:
    season = add(mod, "Season 3 premieres.", "2026-05-20")
    add(mod, "Iron Fist films.", "2026-05-21", subject="Iron Fist")
    show = engine.store.fact(season).entity_id  # type: ignore[union-attr]
    show_id = engine.entities[show].show_id
    assert coming(engine, followed=[show_id]) == ["Season 3 premieres."]
    assert coming(engine, followed=[]) == []
    assert len(coming(engine)) == 2


@pytest.mark.parametrize("days", [0, -1, 366, "soon", "3.5", True])
def test_days_out_of_range_are_refused(engine: Engine, days: object) -> None:
    with pytest.raises(InvalidInputError, match="from 1 to 365"):
        engine.upcoming(G1, today=TODAY, days=days)  # type: ignore[arg-type]


def test_upcoming_reply(engine: Engine, mod: Moderation) -> None:
    add(mod, "Season 3 premieres.", "2026-05-20", status="rumor")
    found = engine.upcoming(G1, today=TODAY, days=30)
    text = upcoming_text(found, engine.entities, "!", "discord").content
    head, line = text.splitlines()
    assert head.startswith("**Coming up** in the next 30 day(s) (until <t:")
    assert line.startswith("• **Luke Cage season 3** · **<t:1779278400:D> (<t:1779278400:R>)**:")
    assert "||Season 3 premieres.||" in line and "*rumor*" in line
    words = upcoming_text(found, engine.entities).content
    assert "(until 9 June 2026)" in words and "**20 May 2026**" in words
    empty = engine.upcoming(G1, today=TODAY, days=2)
    assert upcoming_text(empty, engine.entities).content == (
        "Nothing dated in the next 2 day(s) (until 12 May 2026)."
    )
    none_followed = engine.upcoming(G1, today=TODAY, followed=[])
    assert "You follow nothing" in upcoming_text(none_followed, engine.entities).content


def test_a_long_upcoming_list_fits_discord(engine: Engine, mod: Moderation) -> None:
    for n in range(60):
        add(mod, f"Episode {n} airs, with a long sentence about it. " * 3, "2026-05-20")
    text = upcoming_text(engine.upcoming(G1, today=TODAY), engine.entities, "!", "discord").content
    assert len(text) <= MAX_CONTENT
    assert re.search(r"… and \d+ more: ask for fewer days", text)


def test_predictions_open_then_resolved_in_the_servers_scope(
    engine: Engine, mod: Moderation
) -> None:
    seeded = engine.predictions(None, G1)
    assert len(seeded.open) == 4 and seeded.resolved == ()
    ours = add(mod, "Season 3 in 2027.", "2027", status="prediction")
    add(mod, "Theirs.", "2027", status="rumor", actor=MOD2)
    add(mod, "Not speculation.", "2027")
    nuke = engine.store.find_key("fact", "jj-s2-villain-nuke-prediction", None)["id"]
    resolved = mod.resolve_fact(MOD1, nuke, "came true").fact_id
    found = engine.predictions(None, G1)
    assert [f.id for f in found.resolved] == [resolved]  # the server's version of it
    assert ours in [f.id for f in found.open] and nuke not in [f.id for f in found.open]
    assert "Theirs." not in [f.text for f in found.open]
    assert len(engine.predictions(None, G2).open) == 5  # the seed's four and its own

    about = engine.predictions("jessica jones", G1)  # the show: its seasons' too
    assert about.about is not None and about.about.name == "Jessica Jones"
    assert [f.id for f in about.resolved] == [resolved] and about.open == ()
    text = predictions_text(about, engine.entities).content
    assert text.startswith("**Rumors and predictions** about **Jessica Jones**: 0 open, 1 resolved")
    assert "**Jessica Jones season 2**: ||" in text  # each line names the season
    assert "*predicted in May 2016: came true*" in text


def test_predictions_about_an_unknown_subject_say_so(engine: Engine) -> None:
    found = engine.predictions("walter white", G1)
    assert found.unknown is not None
    text = predictions_text(found, engine.entities).content
    assert text.startswith("I don't know anything about **walter white**")
    assert predictions_text(engine.predictions("igh", G1), engine.entities).content == (
        "No rumors or predictions about **IGH** here yet."
    )


def _bulk(engine: Engine, rows: list[tuple[str, str, str | None, str]]) -> None:
    """Many facts at once through the import path: (subject, text, date, status)."""
    from bot.models import SYSTEM
    from bot.store.interchange import import_data

    data = {
        "format": "showbot",
        "version": 1,
        "entities": [{"key": "bulk-show", "name": "Bulk Show", "kind": "show"}],
        "facts": [
            {"key": f"bulk-{i}", "entity": "bulk-show", "kind": "when", "text": text,
             "date": when, "status": status}
            for i, (_, text, when, status) in enumerate(rows)
        ],
    }  # fmt: skip
    with engine.store.atomic():
        import_data(engine.store, data, SYSTEM)
    engine.sync(force=True)


def test_a_busy_year_does_not_hide_what_is_coming(engine: Engine, mod: Moderation) -> None:
    """Issue 20, item 12: 1,000 dates earlier this year used up the 1,000 rows read."""
    days = [date(2026, 1, 1).toordinal() + i % 120 for i in range(1000)]
    _bulk(
        engine,
        [("x", f"Past event {i}.", date.fromordinal(d).isoformat(), "confirmed")
         for i, d in enumerate(days)],
    )  # fmt: skip
    finale = add(mod, "The finale airs.", "2026-05-13")
    coming = engine.upcoming(G1, today=TODAY, days=30)
    assert [f.id for f in coming.facts] == [finale]


def test_many_rumors_elsewhere_do_not_hide_a_subjects_own(engine: Engine) -> None:
    """Issue 20, item 12: 1,000 rumors about another show crowded out the seed's."""
    _bulk(engine, [("x", f"Rumor {i}.", None, "rumor") for i in range(1000)])
    found = engine.predictions("jessica jones s2", None)
    assert found.unknown is None and found.open
    assert all("Rumor " not in f.text for f in found.open)
