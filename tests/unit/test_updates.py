"""Follows, the updates outbox and its drainer at the engine level (issue 16, parts 1-3):
what a change tells (as each server sees it), that it is written in the change's own
transaction, bundling within the window, leases between two drainers, nonces after a
crash, closed DMs and retries. The Discord side is tests/e2e/test_bot_updates.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.engine import Engine
from bot.errors import AmbiguousSubjectError, InvalidInputError, UnknownSubjectError
from bot.models import Actor
from bot.moderation import Moderation
from bot.privacy import Privacy
from bot.replies.render import MAX_CONTENT
from bot.store.core import Store
from bot.store.follows import MAX_FOLLOWS, Follows
from bot.updates.drainer import DeliveryFailedError, Drainer
from bot.updates.following import Following
from tests.seeded import seeded_copy

G1, G2 = 811111111111111111, 822222222222222222
FAN, FAN2 = 601234567890123456, 602345678901234567
MOD1 = Actor(id=701234567890123456, name="alice", guild_id=G1)
OWNER = Actor(id=709999999999999999, name="owner", guild_id=G1, owner=True)
CHANNEL1, CHANNEL2 = 911111111111111111, 922222222222222222
S2_FILMING = 1  # seed: "Jessica Jones season 2" films in 2017 (reported)
LUKE_CAGE = 13  # seed: Luke Cage premieres 2016-09-30 (confirmed)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 5, 1, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class FakePoster:
    """Discord as the drainer sees it: channels of messages, nonces honoured, DMs closed
    for some users, failures injected per call."""

    def __init__(self) -> None:
        self.messages: dict[int, tuple[int, str]] = {}  # id -> (channel, content)
        self.nonces: dict[tuple[int, str], int] = {}
        self.calls: list[tuple[str, int]] = []
        self.closed: set[int] = set()
        self.fail: list[DeliveryFailedError] = []  # raised by the next calls, in order
        self._next = 1000

    def _maybe_fail(self) -> None:
        if self.fail:
            raise self.fail.pop(0)

    async def open_dm(self, user_id: int) -> int:
        self.calls.append(("dm", user_id))
        return 5_000_000 + user_id % 1000

    async def post(self, channel_id: int, content: str, nonce: str) -> tuple[int, str]:
        self.calls.append(("post", channel_id))
        self._maybe_fail()
        if channel_id - 5_000_000 in {u % 1000 for u in self.closed}:
            raise DeliveryFailedError(403, 50007, "Cannot send messages to this user")
        assert len(content) <= MAX_CONTENT
        known = self.nonces.get((channel_id, nonce))
        if known is not None:
            return known, self.messages[known][1]
        self._next += 1
        self.messages[self._next] = (channel_id, content)
        self.nonces[(channel_id, nonce)] = self._next
        return self._next, content

    async def edit(self, channel_id: int, message_id: int, content: str) -> None:
        self.calls.append(("edit", channel_id))
        self._maybe_fail()
        if message_id not in self.messages:
            raise DeliveryFailedError(404, 10008, "Unknown Message")
        self.messages[message_id] = (channel_id, content)

    def server_name(self, guild_id: int) -> str | None:
        return "Test Server" if guild_id == G1 else None

    def in_channel(self, channel_id: int) -> list[str]:
        return [text for channel, text in self.messages.values() if channel == channel_id]


async def direct(fn: Any, *args: Any) -> Any:
    return fn(*args)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = Engine.open(seeded_copy(tmp_path / "updates.db"))
    yield engine
    engine.close()


@pytest.fixture
def clock(engine: Engine) -> Clock:
    clock = Clock()
    engine.store.outbox.clock = clock
    return clock


def drainer(store: Store, poster: FakePoster, *, window: float = 600, lease: float = 30) -> Drainer:
    return Drainer(store, store, direct, poster, window_seconds=window, lease_seconds=lease)


def outbox(store: Store) -> list[dict[str, Any]]:
    return store.rows("SELECT guild_id, entity_id, fact_id, what, fields FROM outbox ORDER BY id")


# ------------------------------------------------------------------ following


def test_a_subject_is_followed_by_the_questions_fuzzy_lookup(engine: Engine) -> None:
    following = Following(engine, engine.store)
    entity, new = following.follow(G1, FAN, "jessika jones s2", dm=False)
    assert (entity.name, new) == ("Jessica Jones season 2", True)
    assert following.follow(G1, FAN, "Jessica Jones season 2", dm=True)[1] is False
    assert Follows(engine.store.db).subjects_of(G1, FAN) == [entity.id]
    assert Follows(engine.store.db).subjects_of(G2, FAN) == []  # per server
    with pytest.raises(AmbiguousSubjectError):
        following.follow(G1, FAN, "jessica jones", dm=False)  # the show or the character
    assert following.follow(G1, FAN, "Jessica Jones (show)", dm=False)[0].kind.value == "show"
    with pytest.raises(UnknownSubjectError):
        following.follow(G1, FAN, "jessica jones comics", dm=False)
    assert len(following.unfollow(G1, FAN, "jessica jones s2")[1]) == 1
    assert following.unfollow(G1, FAN, "jessica jones s2")[1] == []


def test_a_member_follows_at_most_25_subjects_per_server(engine: Engine) -> None:
    following = Following(engine, engine.store)
    mod = Moderation(engine)
    for n in range(MAX_FOLLOWS + 1):
        mod.add_fact(
            MOD1, subject=f"Zorblax Show {n}", kind="what", text="A show.", entity_kind="show"
        )
    for n in range(MAX_FOLLOWS):
        following.follow(G1, FAN, f"Zorblax Show {n}", dm=False)
    with pytest.raises(InvalidInputError, match="25 subjects"):
        following.follow(G1, FAN, f"Zorblax Show {MAX_FOLLOWS}", dm=False)
    following.follow(G1, FAN, "Zorblax Show 3", dm=True)  # again: allowed, not a new one
    assert len(Follows(engine.store.db).subjects_of(G1, FAN)) == MAX_FOLLOWS
    assert following.follow(G2, FAN, "luke cage", dm=False)[1]  # another server: its own 25
    with pytest.raises(UnknownSubjectError):  # and G1's own subjects are not G2's
        following.follow(G2, FAN, "Zorblax Show 1", dm=False)


# ------------------------------------------------------------------ the outbox


def test_only_news_about_a_followed_subject_reaches_the_outbox(engine: Engine) -> None:
    store, mod = engine.store, Moderation(engine)
    mod.edit_fact(OWNER, S2_FILMING, date="2018")
    assert outbox(store) == []  # no followers, no post
    Following(engine, store).follow(G1, FAN, "jessica jones (show)", dm=False)
    mod.edit_fact(OWNER, S2_FILMING, date="2018-03", expected_version=2)
    mod.edit_fact(OWNER, S2_FILMING, text="Filming of season 2 starts in 2018.")
    mod.edit_fact(OWNER, LUKE_CAGE, status="reported")  # Luke Cage: nobody follows it
    assert outbox(store) == [
        {
            "guild_id": G1,
            "entity_id": 14,
            "fact_id": S2_FILMING,
            "what": "changed",
            "fields": '{"date": ["2018", "2018-03"]}',
        }
    ]  # the show's follower hears about its season; the text edit is not news
    mod.remove_fact(OWNER, S2_FILMING)
    mod.restore_fact(OWNER, S2_FILMING)
    added = mod.add_fact(
        MOD1, subject="jessica jones s2", kind="when", text="It airs.", date="2018-03-08"
    )
    assert [r["what"] for r in outbox(store)] == ["changed", "removed", "restored", "added"]
    assert outbox(store)[-1]["fact_id"] == added.fact_id


def test_the_outbox_row_commits_with_the_change_or_not_at_all(engine: Engine) -> None:
    store = engine.store
    Following(engine, store).follow(G1, FAN, "luke cage", dm=False)
    with pytest.raises(RuntimeError), store.atomic():
        store.update("fact", LUKE_CAGE, {"date": "2016-10"}, OWNER, "fact.edit")
        raise RuntimeError("the transaction fails after the write")
    assert outbox(store) == [] and store.row("fact", LUKE_CAGE)["date"] == "2016-09-30"
    with store.atomic():  # two writes in one transaction: one change, first before to last
        store.update("fact", LUKE_CAGE, {"date": "2016-10"}, OWNER, "fact.edit")
        store.update("fact", LUKE_CAGE, {"date": "2016-11"}, OWNER, "fact.edit")
    assert [r["fields"] for r in outbox(store)] == ['{"date": ["2016-09-30", "2016-11"]}']


def test_each_server_hears_about_a_change_as_it_sees_it(engine: Engine) -> None:
    store, mod = engine.store, Moderation(engine)
    following = Following(engine, store)
    following.follow(G1, FAN, "luke cage", dm=False)
    following.follow(G2, FAN2, "luke cage", dm=False)
    # G1's moderator gives G1 its own version: only G1 hears, and of its version's id.
    own = mod.edit_fact(MOD1, LUKE_CAGE, date="2016-10-01")
    assert [(r["guild_id"], r["fact_id"], r["what"]) for r in outbox(store)] == [
        (G1, own.fact_id, "changed")
    ]
    # The owner's edit of the global fact: G2 sees it; G1 sees its own version, unchanged.
    owner_in_g2 = Actor(id=OWNER.id, name="owner", guild_id=G2, owner=True)
    mod.edit_fact(owner_in_g2, LUKE_CAGE, status="reported", expected_version=1)
    assert [(r["guild_id"], r["fact_id"]) for r in outbox(store)][1:] == [(G2, LUKE_CAGE)]
    # G2's moderator hiding it is a removal, in G2 only.
    later = Moderation(engine, clock=lambda: datetime.now(UTC) + timedelta(minutes=2))
    later.remove_fact(Actor(id=MOD1.id + 1, name="bob", guild_id=G2), LUKE_CAGE)
    assert [(r["guild_id"], r["what"]) for r in outbox(store)][2:] == [(G2, "removed")]


# ------------------------------------------------------------------ the drainer


async def test_one_post_per_window_later_changes_edit_it(engine: Engine, clock: Clock) -> None:
    store, mod, poster = engine.store, Moderation(engine), FakePoster()
    store.set_updates_channel(G1, CHANNEL1)
    Following(engine, store).follow(G1, FAN, "luke cage", dm=False)
    drain = drainer(store, poster, window=600)
    assert await drain.round() == 0  # nothing to do: no write either
    mod.edit_fact(OWNER, LUKE_CAGE, date="2016-10-01")
    assert await drain.round() == 1
    (first,) = poster.in_channel(CHANNEL1)
    assert "**Luke Cage**" in first and "date:" in first and "→" in first, first
    assert "*Luke Cage Season 1 Release Date" in first or "[1]" in first, first  # citation
    assert not re.search(r"(?<!\\)<@", first)
    assert await drain.round() == 0  # sent: not again
    clock.advance(60)
    mod.edit_fact(OWNER, LUKE_CAGE, status="reported", expected_version=2)
    assert await drain.round() == 1
    assert [c[0] for c in poster.calls] == ["post", "edit"]
    (edited,) = poster.in_channel(CHANNEL1)
    assert "status: confirmed → reported" in edited and "date:" in edited, edited
    clock.advance(600)  # the window is over: the next change is a new post
    mod.edit_fact(OWNER, LUKE_CAGE, status="confirmed", expected_version=3)
    await drain.round()
    assert [c[0] for c in poster.calls] == ["post", "edit", "post"]
    assert len(poster.in_channel(CHANNEL1)) == 2


async def test_a_repeat_after_a_crash_is_the_same_message(engine: Engine, clock: Clock) -> None:
    """Posted, then the process died before recording it: the next claimant (after the
    lease) posts with the same nonce, Discord answers with the first message; a change
    folded in meanwhile is then edited in."""
    store, mod, poster = engine.store, Moderation(engine), FakePoster()
    store.set_updates_channel(G1, CHANNEL1)
    Following(engine, store).follow(G1, FAN, "luke cage", dm=False)
    crashed = drainer(store, poster, lease=30)
    mod.edit_fact(OWNER, LUKE_CAGE, date="2016-10-01")
    await crashed.run(_bundle_only, store)
    (claimed,) = store.outbox.claim(crashed.me, 30)
    await poster.post(CHANNEL1, crashed.content(claimed), claimed.nonce)  # then: kill -9
    mod.edit_fact(OWNER, LUKE_CAGE, status="reported", expected_version=2)
    restarted = drainer(store, poster, lease=30)
    assert await restarted.round() == 0  # the dead process's lease still holds
    clock.advance(31)
    await restarted.round()  # the same nonce: the first message, which it then edits
    await restarted.round()
    (only,) = poster.in_channel(CHANNEL1)
    assert "status: confirmed → reported" in only
    assert [c[0] for c in poster.calls] == ["post", "post", "edit"]


def _bundle_only(store: Store) -> int:
    with store.atomic():
        return store.outbox.bundle(600, store.updates_channel)


async def test_two_drainers_on_one_database_post_once(engine: Engine, tmp_path: Path) -> None:
    store, poster = engine.store, FakePoster()
    other = Store.open(store.path)
    try:
        store.set_updates_channel(G1, CHANNEL1)
        Following(engine, store).follow(G1, FAN, "luke cage", dm=False)
        Moderation(engine).edit_fact(OWNER, LUKE_CAGE, date="2016-10-01")
        a, b = drainer(store, poster), drainer(other, poster)
        await a.run(_bundle_only, store)
        claimed_a = store.outbox.claim(a.me, 30)
        claimed_b = other.outbox.claim(b.me, 30)
        assert len(claimed_a) == 1 and claimed_b == []
        for delivery in claimed_a:
            await a.send(delivery)
        assert await b.round() == 0 and len(poster.in_channel(CHANNEL1)) == 1
    finally:
        other.close()


async def test_closed_dms_are_not_tried_again_until_followed_again(
    engine: Engine, clock: Clock
) -> None:
    store, mod, poster = engine.store, Moderation(engine), FakePoster()
    store.set_updates_channel(G1, CHANNEL1)
    following = Following(engine, store)
    following.follow(G1, FAN, "luke cage", dm=True)
    following.follow(G1, FAN2, "luke cage", dm=True)
    poster.closed.add(FAN2)
    drain = drainer(store, poster, window=0)
    mod.edit_fact(OWNER, LUKE_CAGE, date="2016-10-01")
    assert await drain.round() == 3  # the channel and two DMs
    assert len(poster.in_channel(CHANNEL1)) == 1
    dms = [t for c, t in poster.messages.values() if c != CHANNEL1]
    assert (
        len(dms) == 1
        and dms[0].startswith("From **Test Server**")
        and "`!unfollow` in that server" in dms[0]
    )
    assert [f.dm_blocked for f in following.following(G1, FAN2)] == [True]
    clock.advance(1)
    mod.edit_fact(OWNER, LUKE_CAGE, date="2016-10-02", expected_version=2)
    assert await drain.round() == 2  # the channel and FAN's DM; FAN2 is not tried
    following.follow(G1, FAN2, "luke cage", dm=True)  # following again: tried again
    clock.advance(1)
    mod.edit_fact(OWNER, LUKE_CAGE, date="2016-10-03", expected_version=3)
    assert await drain.round() == 3


async def test_a_failed_post_is_retried_with_backoff(engine: Engine, clock: Clock) -> None:
    store, mod, poster = engine.store, Moderation(engine), FakePoster()
    store.set_updates_channel(G1, CHANNEL1)
    Following(engine, store).follow(G1, FAN, "luke cage", dm=False)
    drain = drainer(store, poster)
    mod.edit_fact(OWNER, LUKE_CAGE, date="2016-10-01")
    poster.fail = [DeliveryFailedError(503, 0, "503 Service Unavailable")]
    assert await drain.round() == 1 and poster.in_channel(CHANNEL1) == []
    assert await drain.round() == 0  # not before its time
    clock.advance(6)
    assert await drain.round() == 1 and len(poster.in_channel(CHANNEL1)) == 1
    # A channel Discord refuses ends the delivery (no retry storm of 403s).
    clock.advance(601)
    mod.edit_fact(OWNER, LUKE_CAGE, status="reported", expected_version=2)
    poster.fail = [DeliveryFailedError(403, 50013, "Missing Permissions")]
    assert await drain.round() == 1
    clock.advance(700)
    assert await drain.round() == 0


async def test_updates_off_drops_pending_channel_posts(engine: Engine) -> None:
    store, poster = engine.store, FakePoster()
    store.set_updates_channel(G1, CHANNEL1)
    Following(engine, store).follow(G1, FAN, "luke cage", dm=False)
    Moderation(engine).edit_fact(OWNER, LUKE_CAGE, date="2016-10-01")
    store.set_updates_channel(G1, None)
    await drainer(store, poster).round()
    assert poster.messages == {}


def test_a_long_bundle_fits_discord(engine: Engine) -> None:
    from bot.replies.updates import update_text
    from bot.store.outbox import Change

    fact = engine.store.fact(LUKE_CAGE)
    assert fact is not None
    changes = [Change(LUKE_CAGE, "changed", {"status": ["confirmed", "x" * 900]})] * 1
    facts = {LUKE_CAGE: fact}
    many = changes + [Change(i, "added", {}) for i in range(2, 40)]
    facts.update({i: engine.store.fact(i) for i in range(2, 28)})  # type: ignore[misc]
    text = update_text(engine.store.entity(3), many, {k: v for k, v in facts.items() if v})
    assert len(text) <= MAX_CONTENT and "more change(s)" in text


# ------------------------------------------------------------------ privacy


def test_forgetting_a_member_or_a_server_deletes_their_follows(engine: Engine) -> None:
    store = engine.store
    following = Following(engine, store)
    following.follow(G1, FAN, "luke cage", dm=True)
    following.follow(G2, FAN, "luke cage", dm=False)
    following.follow(G2, FAN2, "luke cage", dm=False)
    store.set_updates_channel(G2, CHANNEL2)
    Moderation(engine).edit_fact(OWNER, LUKE_CAGE, date="2016-10-01")
    with store.atomic():
        store.outbox.bundle(600, store.updates_channel)
    done = Privacy(store).forget_user(FAN)
    assert done.follows == 2 and "2 follow(s) were deleted" in done.summary()
    assert store.rows("SELECT user_id FROM follow") == [{"user_id": FAN2}]
    assert store.rows("SELECT 1 FROM update_delivery WHERE user_id = ?", [FAN]) == []
    forgotten = Privacy(store).forget_guild(G2)
    assert forgotten.counts["follow"] == 1 and "1 follow(s)" in forgotten.summary()
    assert store.rows("SELECT * FROM follow") == []
    assert store.rows("SELECT * FROM outbox WHERE guild_id = ?", [G2]) == []
    assert store.rows("SELECT * FROM update_bundle WHERE guild_id = ?", [G2]) == []


def test_a_resolved_prediction_is_news_for_its_followers(engine: Engine) -> None:
    """The outcome (issue 16 part 4, written through Store.update like every change) is a
    told field; undoing it is news again (the outcome changed back)."""
    store = engine.store
    Following(engine, store).follow(G1, FAN, "nuke", dm=False)
    prediction = 22  # seed: Nuke, a prediction
    with store.atomic():
        store.update("fact", prediction, {"outcome": "came true"}, OWNER, "fact.resolve")
    with store.atomic():
        store.update("fact", prediction, {"outcome": None}, OWNER, "undo")
    assert [r["fields"] for r in outbox(store)] == [
        '{"outcome": [null, "came true"]}',
        '{"outcome": ["came true", null]}',
    ]


async def test_unfollowing_stops_a_dm_already_on_its_way(engine: Engine) -> None:
    """Issue 20, item 11: a DM in backoff (and an open window's edits) still reached a
    member who had unfollowed."""
    clock = Clock()
    engine.store.outbox.clock = clock
    store, mod, poster = engine.store, Moderation(engine), FakePoster()
    following = Following(engine, store)
    following.follow(G1, FAN, "luke cage", dm=True)
    following.follow(G1, FAN2, "luke cage", dm=True)
    d = drainer(store, poster)
    poster.fail = [DeliveryFailedError(500, None, "Discord 500")]  # the first DM try fails
    mod.edit_fact(OWNER, LUKE_CAGE, date="2016-10-01")
    await d.round()
    assert following.unfollow(G1, FAN, "luke cage")[1]
    clock.advance(10)
    await d.round()
    mod.edit_fact(OWNER, LUKE_CAGE, status="reported")  # inside the open window
    clock.advance(10)
    await d.round()
    dms = store.rows(
        "SELECT user_id, ended, message_id FROM update_delivery WHERE user_id IS NOT NULL"
    )
    mine = [r for r in dms if r["user_id"] == FAN]
    assert mine and all(r["ended"] and r["ended"].endswith("unfollowed") for r in mine)
    assert all(r["message_id"] is None for r in mine)  # never sent
    theirs = [r for r in dms if r["user_id"] == FAN2]
    assert theirs and all(r["ended"] is None and r["message_id"] for r in theirs)


# ------------------------------------------------------------------ issue 20


@pytest.mark.parametrize("case", ["set late", "moved", "fixed after a refusal"])
async def test_a_channel_set_or_moved_inside_a_window_gets_the_windows_news(
    engine: Engine, clock: Clock, case: str
) -> None:
    """Issue 20, item 6: the channel delivery was made only when the window opened, so a
    channel set (or moved, or refused and then fixed) inside it never saw later changes."""
    store, mod, poster = engine.store, Moderation(engine), FakePoster()
    Following(engine, store).follow(G1, FAN, "luke cage", dm=False)
    drain = drainer(store, poster, window=600)
    if case != "set late":
        store.set_updates_channel(G1, CHANNEL1)
    if case == "fixed after a refusal":
        poster.fail = [DeliveryFailedError(403, 50013, "Missing Permissions")]
    mod.edit_fact(OWNER, LUKE_CAGE, date="2016-10-01")
    await drain.round()
    clock.advance(60)
    target = CHANNEL1 if case == "fixed after a refusal" else CHANNEL2
    if case != "fixed after a refusal":  # the moderator sets or moves the channel
        store.set_updates_channel(G1, target)
        await drain.round()  # the window's news so far goes to the new channel at once
        (now,) = poster.in_channel(target)
        assert "date:" in now and "status:" not in now, now
    clock.advance(60)
    mod.edit_fact(OWNER, LUKE_CAGE, status="reported", expected_version=2)
    for _ in range(3):
        await drain.round()
        clock.advance(2)
    (post,) = poster.in_channel(target)
    assert "date:" in post and "status: confirmed → reported" in post, post
    if case == "moved":  # the old channel's post is left as it was, no longer edited
        (old,) = poster.in_channel(CHANNEL1)
        assert "status:" not in old, old
    live = store.rows(
        "SELECT channel_id FROM update_delivery WHERE ended IS NULL AND user_id IS NULL"
    )
    assert live == [{"channel_id": target}]
