"""The drainer: turns the updates outbox (bot/store/outbox.py) into posts in each server's updates
channel and DMs to followers who asked for them, once each, never lost.

Every round (about a second apart) it reads first and writes only when there is work: the
outbox rows waiting are bundled (one post per subject and server per window), then due
deliveries are claimed with a lease, sent through a :class:`Poster` (the Discord adapter in
cogs/updates.py; no discord.py here) and recorded. A post is created with its delivery's
nonce (Discord drops a repeated create with the same nonce), so a process killed after
posting but before recording repeats nothing: the next one to claim it gets the same
message back. Later changes in the window edit the message. A failure (429, 5xx, no answer)
is retried with backoff; a channel Discord refuses, or a member's closed DMs, ends it.

Writes run through ``run`` (the bot's writer thread); reads on the caller's store.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.logs import get_logger
from bot.replies.updates import update_text
from bot.store.core import Store
from bot.store.outbox import Delivery

log = get_logger("showbot.updates")

ROUND_SECONDS = 1.0  # the first change about a subject is posted within about this
MAX_ATTEMPTS = 12  # then a delivery is given up (about an hour and a half of backoff)
DMS_CLOSED = 50007  # Discord: "Cannot send messages to this user"
UNKNOWN_MESSAGE = 10008


class DeliveryFailedError(Exception):
    """Discord (or the network) did not take a post or edit: its HTTP status and JSON error
    code when it answered."""

    def __init__(self, status: int | None, code: int | None, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.code = code


class Poster(Protocol):
    """The REST calls the drainer needs (raising :class:`DeliveryFailedError`)."""

    async def open_dm(self, user_id: int) -> int:
        """The DM channel with a user."""
        ...

    async def post(self, channel_id: int, content: str, nonce: str) -> tuple[int, str]:
        """Create a message (``nonce`` enforced); its id and the content it has."""
        ...

    async def edit(self, channel_id: int, message_id: int, content: str) -> None: ...

    def server_name(self, guild_id: int) -> str | None: ...


Run = Callable[..., Awaitable[Any]]


def backoff(attempts: int) -> float:
    """Seconds before the next try after ``attempts`` failures: 5 s doubling to 10 min."""
    return float(min(5 * 2 ** max(attempts - 1, 0), 600))


def worker_name() -> str:
    """Who claims deliveries: this process (host and pid) and a random part, so a restarted
    process with a reused pid is another claimant."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


# Run in the writer's thread, each one transaction on the writer's store.


def _bundle(store: Store, window_seconds: float) -> int:
    with store.atomic():
        return store.outbox.bundle(window_seconds, store.updates_channel)


def _claim(store: Store, me: str, lease_seconds: float) -> list[Delivery]:
    with store.atomic():
        return store.outbox.claim(me, lease_seconds)


def _sent(
    store: Store, delivery: Delivery, me: str, channel_id: int, message_id: int, v: int
) -> None:
    with store.atomic():
        store.outbox.sent(delivery.id, me, channel_id=channel_id, message_id=message_id, version=v)


def _retry(store: Store, delivery: Delivery, me: str, delay: float, repost: bool) -> None:
    with store.atomic():
        store.outbox.retry(delivery.id, me, delay, repost=repost)


def _end(store: Store, delivery: Delivery, reason: str) -> None:
    with store.atomic():
        store.outbox.end(delivery.id, reason)


def _dms_closed(store: Store, delivery: Delivery) -> int:
    with store.atomic():
        return store.outbox.dms_closed(delivery)


class Drainer:
    """One process's drainer (see the module's docstring)."""

    def __init__(
        self,
        reader: Store,
        writer: Store,
        run: Run,
        poster: Poster,
        *,
        window_seconds: float,
        lease_seconds: float,
        prefix: str = "!",
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.run = run
        self.poster = poster
        self.window_seconds = window_seconds
        self.lease_seconds = lease_seconds
        self.prefix = prefix
        self.me = worker_name()

    async def forever(self) -> None:
        while True:
            try:
                await self.round()
            except Exception:
                log.exception("updates_round_failed")
            await asyncio.sleep(ROUND_SECONDS)

    async def round(self) -> int:
        """Bundle what waits, send what is due; how many deliveries were tried."""
        if self.reader.outbox.waiting():
            await self.run(_bundle, self.writer, self.window_seconds)
        if not self.reader.outbox.due():
            return 0
        claimed: list[Delivery] = await self.run(_claim, self.writer, self.me, self.lease_seconds)
        for delivery in claimed:
            await self.send(delivery)
        return len(claimed)

    def content(self, delivery: Delivery) -> str:
        """What the delivery's message says now (its bundle's changes so far)."""
        store = self.reader
        changes = store.outbox.changes(delivery.bundle_id)
        facts = {c.fact_id: store.fact(c.fact_id) for c in changes}
        subject = store.entity(delivery.entity_id)
        if delivery.user_id is None:
            return update_text(subject, changes, {k: f for k, f in facts.items() if f})
        return update_text(
            subject,
            changes,
            {k: f for k, f in facts.items() if f},
            # Another shard's server, or one the bot left: the name its follows kept.
            server=self.poster.server_name(delivery.guild_id)
            or store.outbox.follows.server_name(delivery.guild_id)
            or "a server",
            unfollow=f"{self.prefix}unfollow",
        )

    async def send(self, delivery: Delivery) -> None:
        dm = delivery.user_id is not None
        if not dm and self.reader.updates_channel(delivery.guild_id) != delivery.channel_id:
            await self.run(_end, self.writer, delivery, "updates channel changed")
            return
        content = self.content(delivery)
        try:
            # Within the lease, or another process could take the delivery over meanwhile.
            async with asyncio.timeout(self.lease_seconds * 0.8):
                channel_id = delivery.channel_id
                if channel_id is None:
                    assert delivery.user_id is not None
                    channel_id = await self.poster.open_dm(delivery.user_id)
                if delivery.message_id is None:
                    message_id, shown = await self.poster.post(channel_id, content, delivery.nonce)
                    # A repeat answered with the first post (the nonce): edit it next round.
                    version = delivery.version if shown == content else 0
                else:
                    message_id, version = delivery.message_id, delivery.version
                    await self.poster.edit(channel_id, message_id, content)
        except TimeoutError:
            await self.failed(delivery, DeliveryFailedError(None, None, "no answer in time"))
            return
        except DeliveryFailedError as exc:
            await self.failed(delivery, exc)
            return
        await self.run(_sent, self.writer, delivery, self.me, channel_id, message_id, version)
        log.info(
            "update_sent",
            delivery=delivery.id,
            guild=delivery.guild_id,
            subject=delivery.entity_id,
            dm=dm,
            edit=delivery.message_id is not None,
            version=delivery.version,
        )

    async def failed(self, delivery: Delivery, exc: DeliveryFailedError) -> None:
        """Retry later, post anew, or give up, by what Discord said."""
        dm = delivery.user_id is not None
        where = {"delivery": delivery.id, "guild": delivery.guild_id, "dm": dm}
        if dm and (exc.code == DMS_CLOSED or exc.status == 403):
            marked = await self.run(_dms_closed, self.writer, delivery)
            log.info("update_dm_refused", follows_marked=marked, **where)
            return
        if exc.code == UNKNOWN_MESSAGE and delivery.message_id is not None:
            await self.run(_retry, self.writer, delivery, self.me, 0.0, True)  # deleted: anew
            log.info("update_message_gone", **where)
            return
        if exc.status in (403, 404):
            await self.run(_end, self.writer, delivery, f"refused: {exc}")
            log.warning("updates_channel_unusable", channel=delivery.channel_id, error=str(exc))
            return
        if delivery.attempts + 1 >= MAX_ATTEMPTS:
            await self.run(_end, self.writer, delivery, f"gave up: {exc}")
            log.warning("update_given_up", attempts=delivery.attempts + 1, error=str(exc), **where)
            return
        delay = backoff(delivery.attempts + 1)
        await self.run(_retry, self.writer, delivery, self.me, delay, False)
        log.warning("update_retry", error=str(exc), retry_in=delay, **where)
