"""What the bot did, as a test sees it: recorded requests and violations, and the waits.

``record``/``add_violation`` are how the REST API and the gateway report traffic;
``wait_for`` and friends block (without polling) until a recording matches, and on a timeout
fail with the recent traffic in the message (``describe_recent``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

from .core import FakeCore
from .records import InteractionHandle, RecordedRequest, RequestPredicate, Violation

log = logging.getLogger(__name__)

T = TypeVar("T")


class Recording(FakeCore):
    """Recorded requests and violations, and waiting for them."""

    def record(self, request: RecordedRequest) -> None:
        self.requests.append(request)
        self.notify()

    def add_violation(self, violation: Violation) -> None:
        log.warning("fakediscord violation: %s", violation)
        self.violations.append(violation)
        self.notify()

    def take_violations(self) -> list[Violation]:
        """Return and forget the violations (for tests that provoke them on purpose)."""
        taken, self.violations = self.violations, []
        return taken

    def assert_no_violations(self) -> None:
        if self.violations:
            lines = "\n".join(f"  - {v}" for v in self.violations)
            raise AssertionError(f"the bot did things real Discord would reject:\n{lines}")

    def clear(self) -> None:
        """Forget recorded requests and gateway frames (violations stay; see take_violations)."""
        self.requests.clear()
        self.gateway.frames.clear()
        self.gateway.withheld.clear()

    def requests_for(self, operation: str) -> list[RecordedRequest]:
        """Recorded requests by operationId (``create_message``) or template."""
        return [r for r in self.requests if operation in (r.operation_id, r.template)]

    def describe_recent(self, count: int = 15) -> str:
        gateway = self.gateway
        lines = [
            f"gateway: {len(gateway.connections)} connection(s), identifies="
            f"{gateway.identify_count}, resumes={gateway.resume_count}",
        ]
        recent = self.requests[-count:]
        lines.append(f"last {len(recent)} of {len(self.requests)} request(s):")
        lines += [f"  {r}" for r in recent] or ["  (none)"]
        if self.violations:
            lines.append("violations:")
            lines += [f"  - {v}" for v in self.violations]
        if gateway.withheld:
            lines.append("withheld by intents: " + ", ".join(sorted(set(gateway.withheld))))
        return "\n".join(lines)

    # The waits take a `timeout` (ASYNC109) on purpose: a timeout should fail with the recent
    # traffic in the message, which a bare asyncio.timeout() around the call would not give.
    async def wait_for(self, check: Callable[[], T | None], timeout: float, what: str) -> T:  # noqa: ASYNC109
        """Wait until ``check()`` returns something other than None; woken by ``notify``."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    changed = self._changed
                    result = check()
                    if result is not None:
                        return result
                    await changed.wait()
        except TimeoutError:
            raise AssertionError(
                f"timed out after {timeout}s waiting for {what}\n{self.describe_recent()}"
            ) from None

    async def wait_for_request(
        self,
        predicate: RequestPredicate,
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        since: int = 0,
    ) -> RecordedRequest:
        """The first recorded request (from index ``since``) matching ``predicate``."""

        def find() -> RecordedRequest | None:
            return next((r for r in self.requests[since:] if predicate(r)), None)

        return await self.wait_for(find, timeout, "a matching request")

    async def wait_for_callback(
        self,
        handle: InteractionHandle,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> RecordedRequest:
        return await self.wait_for_request(handle.is_callback, timeout)
