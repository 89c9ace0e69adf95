"""Failures a test injects: 429s and 5xx, Discord's post limit, closed DMs, held posts.

``fail_next`` queues Discord-shaped failures that the REST API takes (``take_fault``) before
emulating a request; ``limit_posts`` turns on the per-channel post limit (``ratelimits``);
``close_dms`` and ``stall_posts`` change what ``create_message`` does (``routes_messages``).
"""

from __future__ import annotations

from .core import FakeCore
from .ratelimits import PostLimits
from .records import Fault, RecordedRequest, RequestPredicate, Stall


class Faults(FakeCore):
    """Failure injection for the REST API."""

    # -- fault injection -----------------------------------------------------------------------

    def fail_next(
        self,
        method: str | None,
        match: str | RequestPredicate,
        status: int = 429,
        retry_after: float = 0.2,
        times: int = 1,
        *,
        is_global: bool = False,
    ) -> Fault:
        """Answer the next ``times`` requests matching (method, template/path/operationId or
        predicate) with a Discord-shaped 429 (honouring ``retry_after``) or a 5xx."""
        fault = Fault(method, match, status, retry_after, times, is_global)
        self._faults.append(fault)
        return fault

    def limit_posts(self, posts: int = 5, per: float = 5.0) -> PostLimits:
        """Limit posting messages as Discord does: ``posts`` per ``per`` seconds per channel
        (Discord: 5 per 5 s), with its rate-limit headers and 429s. A post refused is
        recorded with ``injected`` set and status 429, like a fail_next fault."""
        self.post_limits = PostLimits(posts, per)
        return self.post_limits

    def close_dms(self, user_id: int) -> None:
        """The user does not accept DMs from the bot: create_message in their DM channel
        answers 403 with code 50007, as Discord does."""
        self.closed_dms.add(user_id)

    def stall_posts(self, channel_id: int, *, after_create: bool) -> Stall:
        """Hold the bot's next create_message in ``channel_id`` for good: before creating
        the message (it is never made), or after (made and announced, never answered), as
        a process killed mid-request would leave it."""
        stall = Stall(after_create)
        self.stalls[channel_id] = stall
        self.held.append(stall)
        return stall

    def take_fault(self, request: RecordedRequest) -> Fault | None:
        for fault in self._faults:
            if fault.times > 0 and fault.matches(request):
                fault.times -= 1
                if fault.times == 0:
                    self._faults.remove(fault)
                return fault
        return None
