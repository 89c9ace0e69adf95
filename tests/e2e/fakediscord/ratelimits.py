"""Rate limits and injected failures, answered the way Discord answers them.

``PostLimits`` is Discord's per-channel post limit (``FakeDiscord.limit_posts``); the
``RateLimits`` part of the REST API spends it for ``create_message``, puts
``X-RateLimit-*`` headers on every response, and answers 429s past the limit, as well as the
429s and 5xx queued by ``FakeDiscord.fail_next``.
"""

from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING

from aiohttp import web

from .records import Fault, RecordedRequest
from .responses import Json, json_response

if TYPE_CHECKING:
    from .server import FakeDiscord


def _bucket(template: str | None, method: str) -> str:
    return hashlib.sha1(f"{method} {template}".encode()).hexdigest()[:32]


class PostLimits:
    """Discord's per-channel limit on posting messages (``create_message``): ``posts`` per
    ``per`` seconds per channel, a fixed window from the first post in it, as real Discord
    answers it: ``X-RateLimit-Limit/Remaining/Reset/Reset-After/Bucket`` on every post, a
    429 with ``retry_after`` (scope ``user``) past the limit. Opt-in
    (:meth:`FakeDiscord.limit_posts`): without it every response claims plenty remaining,
    so tests that post faster than Discord allows keep passing."""

    def __init__(self, posts: int = 5, per: float = 5.0) -> None:
        self.posts = posts
        self.per = per
        self.limited = 0  # 429s answered
        self._windows: dict[str, tuple[float, int]] = {}  # channel -> (window end, posts)

    def take(self, channel: str, now: float) -> tuple[bool, int, float]:
        """Spend a post in ``channel``: (allowed, remaining, seconds until the reset)."""
        end, used = self._windows.get(channel, (0.0, 0))
        if now >= end:
            end, used = now + self.per, 0
            # Forget windows that are over: a long test touches many channels.
            if len(self._windows) > 1000:
                self._windows = {c: w for c, w in self._windows.items() if w[0] > now}
        if used >= self.posts:
            self.limited += 1
            return False, 0, end - now
        self._windows[channel] = (end, used + 1)
        return True, self.posts - used - 1, end - now


class RateLimits:
    """The REST API's rate-limit headers, post-limit 429s and injected failure responses."""

    _fake: FakeDiscord

    def _post_limit(self, record: RecordedRequest) -> tuple[bool, int, float] | None:
        """The channel's post bucket spent (FakeDiscord.limit_posts), for create_message."""
        limits = self._fake.post_limits
        if limits is None or record.operation_id != "create_message":
            return None
        channel = record.path_params.get("channel_id", "")
        return limits.take(channel, time.monotonic())

    def _ratelimit_headers(
        self, record: RecordedRequest, limit: tuple[bool, int, float] | None = None
    ) -> dict[str, str]:
        if limit is not None:  # Discord-like: the channel's bucket as it stands
            limits = self._fake.post_limits
            assert limits is not None
            _, remaining, reset_after = limit
            return {
                "X-RateLimit-Bucket": _bucket(record.template, record.method),
                "X-RateLimit-Limit": str(limits.posts),
                "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
                "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            }
        # Plenty remaining, so discord.py never pre-emptively waits, but its bucket code runs.
        return {
            "X-RateLimit-Bucket": _bucket(record.template, record.method),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "4",
            "X-RateLimit-Reset": f"{time.time() + 1.0:.3f}",
            "X-RateLimit-Reset-After": "1.000",
        }

    def _limited_response(self, record: RecordedRequest, retry_after: float) -> web.Response:
        """Past the channel's post limit: Discord's 429 (not a violation: a client may
        overrun a bucket it has not seen yet; discord.py waits and retries)."""
        limits = self._fake.post_limits
        assert limits is not None
        record.injected = True  # refused, like fail_next's: not a post
        record.status = 429
        body: Json = {
            "message": "You are being rate limited.",
            "retry_after": round(retry_after, 3),
            "global": False,
        }
        record.response = body
        return json_response(
            429,
            body,
            {
                "Retry-After": str(max(1, round(retry_after))),
                "X-RateLimit-Bucket": _bucket(record.template, record.method),
                "X-RateLimit-Limit": str(limits.posts),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                "X-RateLimit-Scope": "user",
            },
        )

    def _fault_response(self, fault: Fault, record: RecordedRequest) -> web.Response:
        record.injected = True
        record.status = fault.status
        if fault.status == 429:
            body: Json = {
                "message": "You are being rate limited.",
                "retry_after": fault.retry_after,
                "global": fault.is_global,
            }
            headers = {
                # discord.py treats a 429 without `Via` as a Cloudflare ban and gives up.
                "Via": "1.1 google",
                "Retry-After": str(max(1, round(fault.retry_after))),
                "X-RateLimit-Bucket": _bucket(record.template, record.method),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + fault.retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
                "X-RateLimit-Scope": "global" if fault.is_global else "user",
            }
            if fault.is_global:
                headers["X-RateLimit-Global"] = "true"
            record.response = body
            return json_response(429, body, headers)
        if fault.status == 502:
            # Cloudflare's gateway errors are HTML, not JSON.
            record.response = "502 Bad Gateway"
            return web.Response(
                status=502,
                text="<html><body>502 Bad Gateway</body></html>",
                content_type="text/html",
            )
        body = {"message": f"{fault.status}: Injected failure", "code": 0}
        record.response = body
        return json_response(fault.status, body)
