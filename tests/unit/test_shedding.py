"""The load-shedding policy (bot/runtime/shedding.py): bounded per channel, in number and in age,
counted, and logged in aggregate."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from bot.runtime.shedding import FULL, STALE, Backlog


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def backlog(**options: object) -> tuple[Backlog, list[tuple[int, Counter[str]]], Clock]:
    reports: list[tuple[int, Counter[str]]] = []
    clock = Clock()
    settings: dict[str, object] = {"in_flight": 2, "waiting": 3, "max_age": 10.0}
    settings.update(options)
    made = Backlog(
        clock=clock,
        report=lambda channel, counts: reports.append((channel, Counter(counts))),
        **settings,  # type: ignore[arg-type]
    )
    return made, reports, clock


async def hold(b: Backlog, channel: int, release: asyncio.Event, seen: list[bool]) -> None:
    """A question that, once admitted, stays in flight until ``release``."""
    async with b.turn(channel, guild=7) as admitted:
        seen.append(admitted)
        if admitted:
            await release.wait()


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_quiet_channel_is_admitted_at_once_and_leaves_no_state() -> None:
    b, reports, _ = backlog()
    async with b.turn(1) as admitted:
        assert admitted
        assert b.pending(1) == 1
    assert b.pending(1) == 0
    assert b.tracked() == 0
    assert reports == [] and not b.shed


async def test_a_full_backlog_sheds_its_oldest_question_for_the_newest() -> None:
    b, reports, _ = backlog()
    release = asyncio.Event()
    seen: dict[int, bool] = {}

    async def ask(n: int) -> None:
        async with b.turn(1, guild=7) as admitted:
            seen[n] = admitted
            if admitted:
                await release.wait()

    tasks = [asyncio.create_task(ask(n)) for n in range(5)]
    await settle()
    assert seen == {0: True, 1: True}  # 2 in flight, 3 waiting
    assert b.pending(1) == 5
    newest = asyncio.create_task(ask(5))  # the 6th pushes out the oldest waiting (2)
    await settle()
    assert seen[2] is False
    assert b.pending(1) == 5
    assert b.shed == Counter({FULL: 1})
    assert b.shed_by_guild == Counter({7: 1})
    assert reports == [(1, Counter({FULL: 1}))]  # the first shed is said at once
    # Another channel is not affected by this one's backlog.
    async with b.turn(2) as admitted:
        assert admitted
    release.set()
    await asyncio.gather(*tasks, newest)
    assert seen == {0: True, 1: True, 2: False, 3: True, 4: True, 5: True}
    assert b.lanes == {}


async def test_without_a_backlog_a_question_beyond_the_slots_is_shed_at_once() -> None:
    b, _, _ = backlog(in_flight=1, waiting=0)
    release = asyncio.Event()
    seen: list[bool] = []
    busy = asyncio.create_task(hold(b, 1, release, seen))
    await settle()
    async with b.turn(1) as admitted:
        assert not admitted
    release.set()
    await busy
    assert seen == [True] and b.shed == Counter({FULL: 1}) and b.lanes == {}


async def test_a_question_whose_turn_comes_too_late_is_shed() -> None:
    b, _, clock = backlog(in_flight=1, waiting=5)
    release = asyncio.Event()
    seen: list[bool] = []
    first = asyncio.create_task(hold(b, 1, release, seen))
    await settle()
    late = asyncio.create_task(hold(b, 1, release, seen))
    await settle()
    clock.now += 10.5  # the first answer took longer than max_age
    release.set()
    await asyncio.gather(first, late)
    assert seen == [True, False]
    assert b.shed == Counter({STALE: 1})


async def test_order_is_kept_within_a_channel() -> None:
    b, _, _ = backlog(in_flight=1, waiting=10)
    order: list[int] = []

    async def ask(n: int) -> None:
        async with b.turn(1) as admitted:
            assert admitted
            await asyncio.sleep(0)
            order.append(n)

    await asyncio.gather(*(ask(n) for n in range(8)))
    assert order == list(range(8))


async def test_sheds_are_logged_once_per_interval_per_channel() -> None:
    b, reports, clock = backlog(in_flight=1, waiting=0, report_every=10.0)
    release = asyncio.Event()
    seen: list[bool] = []
    busy = asyncio.create_task(hold(b, 1, release, seen))
    await settle()
    for _ in range(50):
        async with b.turn(1) as admitted:
            assert not admitted
    assert len(reports) == 1  # the first, at once; the other 49 are counted
    clock.now += 10
    b.flush(1)  # what the timer does
    assert reports[1] == (1, Counter({FULL: 49}))
    clock.now += 10
    b.flush(1)  # nothing shed meanwhile: no line, and the channel is forgotten
    assert len(reports) == 2
    release.set()
    await busy
    assert b.tracked() == 0
    assert b.shed == Counter({FULL: 50})


async def test_the_report_timer_runs_on_its_own() -> None:
    b, reports, _ = backlog(in_flight=1, waiting=0, report_every=0.05)
    release = asyncio.Event()
    busy = asyncio.create_task(hold(b, 1, release, []))
    await settle()
    for _ in range(3):
        async with b.turn(1):
            pass
    await asyncio.sleep(0.2)
    assert [sum(c.values()) for _, c in reports] == [1, 2]
    release.set()
    await busy
    assert b.tracked() == 0


async def test_flush_all_logs_what_is_left_and_stats_show_the_count() -> None:
    b, reports, _ = backlog(in_flight=1, waiting=0)
    release = asyncio.Event()
    busy = asyncio.create_task(hold(b, 1, release, []))
    await settle()
    for _ in range(4):
        async with b.turn(1, guild=7):
            pass
    b.flush_all()
    assert [sum(c.values()) for _, c in reports] == [1, 3]
    assert b.tracked() == 1  # the lane still has its question in flight
    text = b.shed_text(7)
    assert text is not None and "4 question(s)" in text
    assert b.shed_text(8) is None
    release.set()
    await busy


async def test_a_cancelled_waiter_frees_its_place() -> None:
    b, _, _ = backlog(in_flight=1, waiting=1)
    release = asyncio.Event()
    seen: list[bool] = []
    busy = asyncio.create_task(hold(b, 1, release, seen))
    waiter = asyncio.create_task(hold(b, 1, release, seen))
    await settle()
    assert b.pending(1) == 2
    waiter.cancel()
    await asyncio.gather(waiter, return_exceptions=True)
    assert b.pending(1) == 1
    release.set()
    await busy
    assert b.lanes == {}


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        Backlog(in_flight=0)
    with pytest.raises(ValueError):
        Backlog(max_age=0)
