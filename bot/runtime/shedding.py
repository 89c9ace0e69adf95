"""Load shedding: what waits to be answered in a channel is bounded, in number and in age.

Discord lets a bot post 5 messages per 5 s in a channel. Questions arriving faster than that
used to queue without bound behind discord.py's per-channel rate limiter: every one held its
message, its context, its reply and a task (8,000 questions pushed into two channels: +134
MiB), a new question in the flooded channel waited behind all of them (more than a minute),
and the backlog's CPU slowed the other channels down. Instead, each channel is a lane:

* at most ``in_flight`` (2) questions of a channel are being answered at a time: the engine
  runs, and the reply waits in discord.py's limiter while the channel's bucket is spent.
  Two keep the channel's 5 posts per window flowing without ever offering discord.py more
  concurrent posts than a window holds (more collide with its retries after a 429, and
  each 429 counts towards Discord's ban of 10,000 invalid requests per 10 minutes);
* at most ``waiting`` (10) more wait for their turn, in order. A question arriving when the
  backlog is full pushes out the **oldest** waiting one, which is **shed**: no engine work,
  no reply (a reply would spend the very posts the channel lacks). The newest questions are
  the ones whose askers are still there, so a new question in a flooded channel is answered
  within about ``(in_flight + waiting)`` posts, about 12 s at Discord's 1 post/s;
* a question whose turn comes after more than ``max_age`` (15) seconds of waiting is shed
  too (the channel's posting stalled: a long 429, Discord slow): its asker has moved on.

So a channel's backlog costs a bounded amount of memory (a dozen questions), a new question
in a flooded channel is answered within seconds of the flood's end, and other channels are
not slowed down. Slash commands and button clicks are answered through their interaction
(not the channel's post limit) and are never shed.

Shed questions are counted (per server, shown by ``!stats``) and logged in aggregate: the
first in a channel at once (``questions_shed``), then at most one line per channel every
``report_every`` seconds with how many were shed meanwhile and why. The state of a channel
lives only while it has questions waiting or sheds to report, so the lanes cost nothing
after a flood.

Every prefix command a fan sends goes through it, not only questions (issue 20, item 13:
a channel flooded with ``!upcoming`` made a later question wait 24.6 s): the client
(bot/runtime/client.py) admits each command through :meth:`Backlog.turn` before it runs.
Moderator and owner commands, and ``!forget``, are never shed (:data:`NEVER_SHED` on one
of their checks): a write asked for is done and answered, and they are few.

No discord.py here.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field

from bot.logs import get_logger

log = get_logger("showbot.shedding")

FULL = "backlog_full"  # pushed out of the channel's full backlog by a newer question
STALE = "too_old"  # the question waited longer than max_age for its turn

Report = Callable[[int, Counter[str]], None]

# Set (True) on a command check's function: commands with that check are never shed.
NEVER_SHED = "showbot_never_shed"


def sheds(checks: Iterable[object]) -> bool:
    """Whether a command with these checks waits its turn in the channel's backlog."""
    return not any(getattr(check, NEVER_SHED, False) for check in checks)


@dataclass
class _Waiter:
    """A question waiting for a slot: its future says True (your turn) or False (shed)."""

    turn: asyncio.Future[bool]
    arrived: float


@dataclass
class Lane:
    """One channel's questions: ``active`` in flight, ``queue`` waiting, oldest first."""

    active: int = 0
    queue: deque[_Waiter] = field(default_factory=deque)

    @property
    def admitted(self) -> int:
        return self.active + len(self.queue)


@dataclass
class _Quiet:
    """A channel that shed recently: further sheds are counted until ``until``."""

    until: float
    counts: Counter[str] = field(default_factory=Counter)
    timer: asyncio.TimerHandle | None = None


class Backlog:
    """The per-channel lanes of one bot process."""

    def __init__(
        self,
        *,
        in_flight: int = 2,
        waiting: int = 10,
        max_age: float = 15.0,
        report_every: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        report: Report | None = None,
    ) -> None:
        if in_flight < 1 or waiting < 0 or max_age <= 0 or report_every <= 0:
            raise ValueError("in_flight >= 1, waiting >= 0, max_age > 0, report_every > 0")
        self.in_flight = in_flight
        self.waiting = waiting
        self.max_age = max_age
        self.report_every = report_every
        self.clock = clock
        self.report = report or _log_shed
        self.lanes: dict[int, Lane] = {}
        self.shed: Counter[str] = Counter()  # by reason, since start
        self.shed_by_guild: Counter[int | None] = Counter()
        self._quiet: dict[int, _Quiet] = {}

    # -- admission -------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def turn(self, channel: int, guild: int | None = None) -> AsyncIterator[bool]:
        """``async with backlog.turn(channel) as admitted:`` answer only when ``admitted``.

        True once the question holds one of the lane's in-flight slots, which it keeps for
        the body of the ``with`` (the engine and the reply). False when it is shed: pushed
        out of a full backlog by a newer question (the newest are the ones worth
        answering: their askers are still there), or its turn came after ``max_age``."""
        lane = self.lanes.get(channel)
        if lane is None:
            lane = self.lanes[channel] = Lane()
        if lane.active < self.in_flight and not lane.queue:
            lane.active += 1
        elif not await self._wait(lane, channel, guild):
            yield False
            return
        try:
            yield True
        finally:
            self._release(lane, channel)

    async def _wait(self, lane: Lane, channel: int, guild: int | None) -> bool:
        """Queue for a slot; whether one was handed over (and the question is not stale)."""
        if len(lane.queue) >= self.waiting:
            if not lane.queue:  # no backlog at all (waiting = 0): this one goes
                self._shed(channel, guild, FULL)
                self._forget(lane, channel)
                return False
            oldest = lane.queue.popleft()
            oldest.turn.set_result(False)
        waiter = _Waiter(asyncio.get_running_loop().create_future(), self.clock())
        lane.queue.append(waiter)
        try:
            granted = await waiter.turn
        except asyncio.CancelledError:
            if waiter.turn.done() and not waiter.turn.cancelled() and waiter.turn.result():
                self._release(lane, channel)  # handed a slot it will not use
            else:
                with contextlib.suppress(ValueError):
                    lane.queue.remove(waiter)
                self._forget(lane, channel)
            raise
        if not granted:  # pushed out by a newer question
            self._shed(channel, guild, FULL)
            self._forget(lane, channel)
            return False
        if self.clock() - waiter.arrived > self.max_age:
            self._shed(channel, guild, STALE)
            self._release(lane, channel)
            return False
        return True

    def _release(self, lane: Lane, channel: int) -> None:
        """A slot is free: the oldest waiter's turn (its ``active`` counted for it)."""
        lane.active -= 1
        while lane.queue:
            waiter = lane.queue.popleft()
            if not waiter.turn.done():
                lane.active += 1
                waiter.turn.set_result(True)
                return
        self._forget(lane, channel)

    def _forget(self, lane: Lane, channel: int) -> None:
        if lane.admitted == 0 and self.lanes.get(channel) is lane:
            del self.lanes[channel]

    def pending(self, channel: int) -> int:
        """Questions of ``channel`` waiting or being answered."""
        lane = self.lanes.get(channel)
        return lane.admitted if lane else 0

    # -- accounting ------------------------------------------------------------------------

    def _shed(self, channel: int, guild: int | None, reason: str) -> None:
        self.shed[reason] += 1
        self.shed_by_guild[guild] += 1
        now = self.clock()
        quiet = self._quiet.get(channel)
        if quiet is not None and now < quiet.until:
            quiet.counts[reason] += 1
            return
        # The first shed in a while: said at once, the next ones summed up later.
        self.report(channel, Counter({reason: 1}))
        quiet = self._quiet[channel] = _Quiet(now + self.report_every)
        quiet.timer = self._schedule(channel, self.report_every)

    def _schedule(self, channel: int, delay: float) -> asyncio.TimerHandle | None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a unit test calling flush itself)
            return None
        return loop.call_later(delay, self.flush, channel)

    def flush(self, channel: int) -> None:
        """Log what ``channel`` shed since its last line; forget it if nothing was."""
        quiet = self._quiet.get(channel)
        if quiet is None:
            return
        if not quiet.counts:
            del self._quiet[channel]
            return
        self.report(channel, quiet.counts)
        self._quiet[channel] = _Quiet(self.clock() + self.report_every)
        self._quiet[channel].timer = self._schedule(channel, self.report_every)

    def flush_all(self) -> None:
        """Log every count not yet logged (at shutdown)."""
        for channel, quiet in list(self._quiet.items()):
            if quiet.timer is not None:
                quiet.timer.cancel()
            if quiet.counts:
                self.report(channel, quiet.counts)
        self._quiet.clear()

    def tracked(self) -> int:
        """Channels with any state (lanes or reports due): zero once all is quiet."""
        return len(self.lanes.keys() | self._quiet.keys())

    def shed_text(self, guild: int | None) -> str | None:
        """The ``!stats`` line for ``guild``, when it shed anything since the start."""
        count = self.shed_by_guild.get(guild, 0)
        if not count:
            return None
        return (
            f"Not answered under load since this process started: {count} question(s)"
            f" (a channel asked faster than Discord lets the bot reply)."
        )


def _log_shed(channel: int, counts: Counter[str]) -> None:
    log.warning(
        "questions_shed",
        channel=channel,
        count=sum(counts.values()),
        **{reason: n for reason, n in sorted(counts.items())},
        hint="questions arrive faster than Discord lets the bot post in this channel",
    )
