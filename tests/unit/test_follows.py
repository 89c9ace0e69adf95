"""Follows that outlive their subject or their server (issue 20, items 7 and 8): a subject
merged away or undone, the bot removed from a server, a DM sent by a process that doesn't
see the server. The engine-level half; tests/e2e/test_bot_updates.py has the real bot's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.moderation import Moderation
from bot.privacy import Privacy
from bot.replies.updates import following_text, unfollowed_text
from bot.store.follows import MAX_FOLLOWS, Follows
from bot.updates.drainer import DeliveryFailedError
from bot.updates.following import Following
from tests.seeded import seeded_copy
from tests.unit.test_updates import (
    CHANNEL1,
    FAN,
    G1,
    G2,
    LUKE_CAGE,
    MOD1,
    OWNER,
    Clock,
    FakePoster,
    drainer,
)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = Engine.open(seeded_copy(tmp_path / "follows.db"))
    yield engine
    engine.close()


async def test_a_merged_subjects_followers_follow_what_it_became(engine: Engine) -> None:
    """Item 8: the follow pointed at the merged-away subject, whose facts had moved: the
    follower heard nothing more and could unfollow it neither by name nor by #id."""
    clock = Clock()
    store, mod, poster = engine.store, Moderation(engine), FakePoster()
    store.outbox.clock = clock
    store.set_updates_channel(G1, CHANNEL1)
    a = mod.add_fact(
        MOD1, subject="Zorblax the Great", kind="who", text="A wizard.", entity_kind="character"
    )
    b = mod.add_fact(
        MOD1, subject="Zorblax Prime", kind="who", text="The same.", entity_kind="character"
    )
    following = Following(engine, store)
    following.follow(G1, FAN, "Zorblax the Great", dm=True)
    following.follow(G1, FAN + 1, "Zorblax the Great", dm=False)
    following.follow(G1, FAN + 1, "Zorblax Prime", dm=False)  # both: one follow after
    mod.merge_entities(MOD1, "Zorblax the Great", "Zorblax Prime")
    engine.sync()
    assert store.rows("SELECT user_id, entity_id, dm FROM follow ORDER BY user_id") == [
        {"user_id": FAN, "entity_id": b.entity_id, "dm": 1},
        {"user_id": FAN + 1, "entity_id": b.entity_id, "dm": 0},
    ]
    mod.add_fact(MOD1, subject="Zorblax the Great", kind="when", text="Returns.", date="2027")
    await drainer(store, poster).round()
    (post,) = poster.in_channel(CHANNEL1)
    assert "**Zorblax Prime** has news" in post and "Returns." in post, post
    (row,) = following.following(G1, FAN)
    assert row.entity is not None and row.entity.name == "Zorblax Prime" and not row.gone
    # The autocomplete sent #id before the merge: it still means that follow.
    name, ended = following.unfollow(G1, FAN, f"#{a.entity_id}")
    assert (name, [f.entity_id for f in ended]) == ("Zorblax Prime", [b.entity_id])
    name, ended = following.unfollow(G1, FAN + 1, "Zorblax the Great")  # the old name
    assert len(ended) == 1 and Follows(store.db).of(G1, FAN + 1) == []


def test_an_undone_subject_is_listed_honestly_and_can_be_unfollowed(engine: Engine) -> None:
    """Item 8: a subject created by mistake, followed, then undone: `!following` listed it
    as if live, `!unfollow` by name or #id failed, and it held one of the 25 slots."""
    store, mod = engine.store, Moderation(engine)
    following = Following(engine, store)
    made = mod.add_fact(
        MOD1, subject="Zorblx", kind="who", text="Typo subject.", entity_kind="character"
    )
    following.follow(G1, FAN, "Zorblx", dm=False)
    following.follow(G1, FAN, "luke cage", dm=False)
    following.follow(G1, FAN + 1, "Zorblx", dm=False)
    mod.undo(MOD1)
    engine.sync()
    rows = following.following(G1, FAN)
    assert [(f.entity_id, f.gone) for f in rows] == [(made.entity_id, True), (3, False)]
    text = following_text(rows, MAX_FOLLOWS, "!")
    assert f"**Zorblx** (character) · no longer in the facts (`#{made.entity_id}`)" in text
    assert "`!unfollow` a subject that is gone to free its slot" in text
    name, ended = following.unfollow(G1, FAN, "zorblx")  # by its name
    assert name == "Zorblx" and [f.entity_id for f in ended] == [made.entity_id]
    assert unfollowed_text(name, ended, here=True) == "You no longer follow **Zorblx**."
    assert Follows(store.db).subjects_of(G1, FAN) == [3]  # the slot is free
    name, ended = following.unfollow(G1, FAN + 1, f"#{made.entity_id}")  # by #id
    assert name == "Zorblx" and [f.entity_id for f in ended] == [made.entity_id]
    assert Follows(store.db).subjects_of(G1, FAN + 1) == []


async def test_the_server_name_is_kept_for_dms_sent_where_it_is_unknown(engine: Engine) -> None:
    """Item 7: a DM drained by a process that doesn't hold the server's shard said "From
    **a server**"."""
    store, poster = engine.store, FakePoster()
    store.outbox.clock = Clock()
    Following(engine, store).follow(G2, FAN, "luke cage", dm=True, server="Second Server")
    Moderation(engine).edit_fact(OWNER, LUKE_CAGE, date="2016-10-01")
    await drainer(store, poster).round()  # FakePoster knows G1's name only
    (dm,) = poster.messages.values()
    assert dm[1].startswith("From **Second Server**: 📣 **Luke Cage** has news"), dm
    assert "`!unfollow` in that server, or `/unfollow` here, stops these messages" in dm[1]


async def test_no_updates_from_a_server_the_bot_left(engine: Engine) -> None:
    """Item 7: removed from a server, the bot kept DMing its followers for the grace period
    (30 days), who could no longer unfollow there. Now nothing more is told, what was on
    its way ends, and from a DM they can list and unfollow their follows in any server."""
    clock = Clock()
    store, mod, poster = engine.store, Moderation(engine), FakePoster()
    store.outbox.clock = clock
    following = Following(engine, store)
    following.follow(G1, FAN, "luke cage", dm=True, server="Test Server")
    following.follow(G2, FAN, "luke cage", dm=True, server="Second Server")
    following.follow(G2, FAN, "nuke", dm=True, server="Second Server")
    drain = drainer(store, poster)
    poster.fail = [DeliveryFailedError(500, None, "Discord 500")] * 2  # both first DMs wait
    mod.edit_fact(OWNER, LUKE_CAGE, date="2016-10-01")
    await drain.round()
    Privacy(store, clock=clock).guild_left(G2)
    clock.advance(10)
    await drain.round()
    clock.advance(601)
    mod.edit_fact(OWNER, LUKE_CAGE, status="reported", expected_version=2)
    await drain.round()
    dms = [text for _, text in poster.messages.values()]
    assert len(dms) == 2 and all(t.startswith("From **Test Server**") for t in dms), dms
    assert store.rows("SELECT guild_id FROM outbox WHERE guild_id = ?", [G2]) == [
        {"guild_id": G2}  # told before the bot left; that delivery ended
    ]
    # From a DM (no server): every server's follows, and unfollowing in any of them.
    rows = following.following(None, FAN)
    text = following_text(rows, MAX_FOLLOWS, "/", here=False)
    assert "In **Second Server**:" in text and "In **Test Server**:" in text, text
    name, ended = following.unfollow(None, FAN, "luke cage")
    assert name == "Luke Cage" and {f.guild_id for f in ended} == {G1, G2}
    said = unfollowed_text(name, ended, here=False)
    assert said == "You no longer follow **Luke Cage** in **Second Server**, **Test Server**."
    assert following.unfollow(None, FAN, "nuke")[1] and following.following(None, FAN) == []
    assert "in any server" in unfollowed_text("Nuke", [], here=False)
