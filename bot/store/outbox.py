"""The updates outbox: what followers hear about, written in the change's own transaction,
and the posts it becomes (a storage module; bot/updates/drainer.py drains it).

* :meth:`Outbox.touch` notes every fact row the store writes and :meth:`Outbox.flush`
  (called by ``Store.atomic`` just before the commit, like the search documents) turns them
  into ``outbox`` rows: one per server whose followers hear about it, saying what changed
  *as that server sees it* (a server's own version of a global fact stands in for it, a
  hiding marker is a removal there). Only a new, removed or restored fact, or a change of
  its date, status or outcome, is told; nothing is written for a server nobody in it
  follows the subject (or, for a season, its show).
* :meth:`Outbox.bundle` puts pending rows into ``update_bundle`` rows, one per subject and
  server per ``[updates] window_seconds``, each with a delivery per target (the updates
  channel; each follower who asked for DMs). A later change within the window bumps the
  bundle's version, so its deliveries are edited rather than posted anew.
* Deliveries are claimed with a lease (:meth:`Outbox.claim`), so two processes on one
  database never send the same one; a crashed process's claim runs out and another (or the
  restarted one) sends it, with the same nonce, which Discord uses to drop a repeat.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from bot.store.follows import Follows

TOLD_FIELDS = ("date", "status", "outcome")  # a change of these is news; of the text, not
KEEP_DAYS = 7  # bundles closed longer ago than this are deleted with their deliveries


def stamp(at: datetime) -> str:
    """Sortable UTC text, as ``bot.store.bookkeeping.now`` writes it."""
    return at.astimezone(UTC).isoformat(timespec="milliseconds")


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Change:
    """One change followers hear about: a fact (by the id the server sees) added,
    changed (``fields``: name -> [old, new]), removed or restored."""

    fact_id: int
    what: str
    fields: dict[str, list[Any]]


@dataclass(frozen=True, slots=True)
class Delivery:
    """A claimed delivery: where to send which bundle, and what was sent before."""

    id: int
    bundle_id: int
    guild_id: int
    entity_id: int
    version: int
    channel_id: int | None  # the updates channel, or (once opened) the DM channel
    user_id: int | None  # a DM's recipient
    message_id: int | None
    nonce: str
    attempts: int


def _seen(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """The fact as answers show it, or None (removed, or a hiding marker)."""
    if row is None or row["deleted_at"] or row["hides"]:
        return None
    return row


class Outbox:
    """The outbox, bundles and deliveries over one connection."""

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self.db = db
        self.follows = Follows(db)
        self.clock = clock
        self._pending: dict[int, dict[str, Any] | None] = {}  # fact id -> row before

    # ------------------------------------------------------------ in the change's transaction

    def touch(self, table: str, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        """Note a written fact row (told about by :meth:`flush`): its state before the
        transaction's first write of it."""
        if table == "fact" and after["id"] not in self._pending:
            self._pending[int(after["id"])] = before

    def discard(self) -> None:
        """Forget pending work (the transaction rolled back)."""
        self._pending.clear()

    def flush(self) -> int:
        """Write the outbox rows for the facts touched since the last flush; how many."""
        pending, self._pending = self._pending, {}
        if not pending or not self.follows.anyone():
            return 0  # an import with nobody following anything costs one query
        written = 0
        at = stamp(self.clock())
        for fact_id, before in pending.items():
            after = self._row(fact_id)
            if after is None or after == before:
                continue
            for guild_id, old, new in self._as_seen(before, after):
                written += self._tell(at, guild_id, before is None, old, new)
        return written

    def _row(self, fact_id: int) -> dict[str, Any] | None:
        cur = self.db.execute("SELECT * FROM fact WHERE id = ?", [fact_id])
        found = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], found, strict=True)) if found else None

    def _as_seen(
        self, before: dict[str, Any] | None, after: dict[str, Any]
    ) -> list[tuple[int, dict[str, Any] | None, dict[str, Any] | None]]:
        """(server, the fact as it saw it before, as it sees it now) per server concerned."""
        if after["overrides"] is not None:  # a server's version of a global fact
            base = _seen(self._row(after["overrides"]))

            def shown(row: dict[str, Any] | None) -> dict[str, Any] | None:
                if row is None or row["deleted_at"]:
                    return base  # no version of its own: the global fact shows
                return None if row["hides"] else row

            return [(after["guild_id"], shown(before), shown(after))]
        old, new = _seen(before), _seen(after)
        if after["guild_id"] is not None:
            return [(after["guild_id"], old, new)]
        guilds = self.follows.guilds_following(self.follows.followed_through(after["entity_id"]))
        # A server with its own version (or a hiding marker) of this fact doesn't see it.
        return [(g, old, new) for g in guilds if not self._overridden(after["id"], g)]

    def _overridden(self, fact_id: int, guild_id: int) -> bool:
        return (
            self.db.execute(
                "SELECT 1 FROM fact WHERE overrides = ? AND guild_id = ? AND deleted_at IS NULL",
                [fact_id, guild_id],
            ).fetchone()
            is not None
        )

    def _tell(
        self,
        at: str,
        guild_id: int,
        new_row: bool,
        old: dict[str, Any] | None,
        new: dict[str, Any] | None,
    ) -> int:
        shown = new or old
        if shown is None:
            return 0
        fields: dict[str, list[Any]] = {}
        if old is None:
            what = "added" if new_row else "restored"
        elif new is None:
            what = "removed"
        else:
            what = "changed"
            fields = {f: [old.get(f), new.get(f)] for f in TOLD_FIELDS if old.get(f) != new.get(f)}
            if not fields:
                return 0  # only the text, the quote or the source: not news
        entity_id = int(shown["entity_id"])
        if not self.follows.followed_in(guild_id, self.follows.followed_through(entity_id)):
            return 0  # no followers, no post
        if self._departed(guild_id):
            return 0  # the bot left the server: no more updates from it (issue 20, item 7)
        self.db.execute(
            "INSERT INTO outbox (at, guild_id, entity_id, fact_id, what, fields)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [at, guild_id, entity_id, shown["id"], what, json.dumps(fields)],
        )
        return 1

    # ------------------------------------------------------------ bundling (the drainer's)

    def waiting(self) -> bool:
        """Whether outbox rows wait for a bundle (a read: the drainer writes only then)."""
        return (
            self.db.execute("SELECT 1 FROM outbox WHERE bundle_id IS NULL LIMIT 1").fetchone()
            is not None
        )

    def bundle(self, window_seconds: float, updates_channel: Callable[[int], int | None]) -> int:
        """Put waiting outbox rows into bundles (one transaction, the caller's); how many.
        A new bundle gets a delivery to the server's updates channel (if it set one) and to
        each follower who asked for DMs."""
        now = self.clock()
        at = stamp(now)
        rows = self.db.execute(
            "SELECT id, guild_id, entity_id FROM outbox WHERE bundle_id IS NULL ORDER BY id"
        ).fetchall()
        for outbox_id, guild_id, entity_id in rows:
            found = self.db.execute(
                "SELECT id FROM update_bundle WHERE guild_id = ? AND entity_id = ?"
                " AND closes_at > ? ORDER BY id DESC LIMIT 1",
                [guild_id, entity_id, at],
            ).fetchone()
            if found is not None:
                bundle_id = found[0]
                self.db.execute(
                    "UPDATE update_bundle SET version = version + 1 WHERE id = ?", [bundle_id]
                )
                self.db.execute(  # their messages now lack this change: edit them
                    "UPDATE update_delivery SET pending = 1 WHERE bundle_id = ? AND ended IS NULL",
                    [bundle_id],
                )
                # The channel may have been set, moved or fixed (after a 403) since the
                # bundle opened: this change goes to the current one (issue 20, item 6).
                self._to_channel(bundle_id, updates_channel(guild_id), at)
            else:
                bundle_id = self._open(guild_id, entity_id, now, window_seconds, updates_channel)
            self.db.execute("UPDATE outbox SET bundle_id = ? WHERE id = ?", [bundle_id, outbox_id])
        if rows:
            self._prune(now)
        return len(rows)

    def _open(
        self,
        guild_id: int,
        entity_id: int,
        now: datetime,
        window_seconds: float,
        updates_channel: Callable[[int], int | None],
    ) -> int:
        at = stamp(now)
        closes = stamp(now + timedelta(seconds=window_seconds))
        cur = self.db.execute(
            "INSERT INTO update_bundle (guild_id, entity_id, opened_at, closes_at)"
            " VALUES (?, ?, ?, ?)",
            [guild_id, entity_id, at, closes],
        )
        bundle_id = int(cur.lastrowid)  # type: ignore[arg-type]
        channel = updates_channel(guild_id)
        if channel is not None:
            self._deliver(bundle_id, channel, None, at)
        through = self.follows.followed_through(entity_id)
        for user in self.follows.dm_followers(guild_id, through):
            self._deliver(bundle_id, None, user, at)
        return bundle_id

    def _deliver(
        self, bundle_id: int, channel_id: int | None, user_id: int | None, at: str
    ) -> None:
        self.db.execute(
            "INSERT INTO update_delivery (bundle_id, channel_id, user_id, nonce, next_try)"
            " VALUES (?, ?, ?, ?, ?)",
            # At most 25 characters (Discord's nonce limit); the same on every retry.
            [bundle_id, channel_id, user_id, "sb" + secrets.token_hex(8), at],
        )

    def _to_channel(self, bundle_id: int, channel: int | None, at: str) -> None:
        """A bundle's channel post goes to ``channel`` (the server's updates channel now):
        a live delivery to another one ends, and one to this channel is added when none is
        live (never set before, moved, or ended by a refusal since fixed)."""
        live = self.db.execute(
            "SELECT id, channel_id FROM update_delivery WHERE bundle_id = ?"
            " AND user_id IS NULL AND ended IS NULL",
            [bundle_id],
        ).fetchall()
        for delivery_id, channel_id in live:
            if channel_id != channel:
                self.end(delivery_id, "updates channel changed")
        if channel is not None and all(c != channel for _, c in live):
            self._deliver(bundle_id, channel, None, at)

    def channel_set(self, guild_id: int, channel: int | None) -> int:
        """``!updates channel`` (or ``off``) in the caller's transaction: the server's open
        windows post to the new channel from now on, with what they hold so far (changes
        later in the window used to reach no channel). How many bundles were open."""
        at = stamp(self.clock())
        open_ = self.db.execute(
            "SELECT id FROM update_bundle WHERE guild_id = ? AND closes_at > ?", [guild_id, at]
        ).fetchall()
        for (bundle_id,) in open_:
            self._to_channel(bundle_id, channel, at)
        return len(open_)

    def _prune(self, now: datetime) -> None:
        old = stamp(now - timedelta(days=KEEP_DAYS))
        gone = "SELECT id FROM update_bundle WHERE closes_at < ?"
        self.db.execute(f"DELETE FROM update_delivery WHERE bundle_id IN ({gone})", [old])
        self.db.execute(f"DELETE FROM outbox WHERE bundle_id IN ({gone})", [old])
        self.db.execute("DELETE FROM update_bundle WHERE closes_at < ?", [old])

    # ------------------------------------------------------------ deliveries

    _DUE = (
        " FROM update_delivery d JOIN update_bundle b ON b.id = d.bundle_id"
        " WHERE d.pending = 1 AND d.ended IS NULL AND d.sent_version < b.version"
        " AND d.next_try <= ?"
        " AND (d.claimed_until IS NULL OR d.claimed_until < ?)"
    )

    def due(self) -> bool:
        """Whether a delivery is due and unclaimed (a read)."""
        at = stamp(self.clock())
        return self.db.execute("SELECT 1" + self._DUE + " LIMIT 1", [at, at]).fetchone() is not None

    def claim(self, me: str, lease_seconds: float, limit: int = 20) -> list[Delivery]:
        """Take up to ``limit`` due deliveries for ``lease_seconds`` (the caller's
        transaction); nobody else sends them meanwhile."""
        now = self.clock()
        at, until = stamp(now), stamp(now + timedelta(seconds=lease_seconds))
        self.db.execute(
            "UPDATE update_delivery SET claimed_by = ?, claimed_until = ? WHERE id IN"
            f" (SELECT d.id{self._DUE} ORDER BY d.id LIMIT ?)",
            [me, until, at, at, limit],
        )
        rows = self.db.execute(
            "SELECT d.id, d.bundle_id, b.guild_id, b.entity_id, b.version, d.channel_id,"
            " d.user_id, d.message_id, d.nonce, d.attempts FROM update_delivery d"
            " JOIN update_bundle b ON b.id = d.bundle_id"
            " WHERE d.claimed_by = ? AND d.claimed_until = ? ORDER BY d.id",
            [me, until],
        ).fetchall()
        return [Delivery(*row) for row in rows]

    def changes(self, bundle_id: int) -> list[Change]:
        """A bundle's changes, oldest first."""
        return [
            Change(fact_id, what, json.loads(fields))
            for fact_id, what, fields in self.db.execute(
                "SELECT fact_id, what, fields FROM outbox WHERE bundle_id = ? ORDER BY id",
                [bundle_id],
            )
        ]

    def sent(
        self,
        delivery_id: int,
        me: str,
        *,
        channel_id: int,
        message_id: int,
        version: int,
    ) -> None:
        """Posted or edited: ``version`` is what the message now shows (0: a repeat Discord
        answered with the first message, so an edit must follow)."""
        # Recorded even if another process took the claim over meanwhile: it sends with the
        # same nonce, so the message is the same one.
        self.db.execute(
            "UPDATE update_delivery SET channel_id = ?, message_id = ?,"
            " sent_version = max(sent_version, ?), attempts = 0, pending = (max(sent_version, ?)"
            " < (SELECT b.version FROM update_bundle b WHERE b.id = update_delivery.bundle_id))"
            " WHERE id = ?",
            [channel_id, message_id, version, version, delivery_id],
        )
        self.db.execute(
            "UPDATE update_delivery SET claimed_by = NULL, claimed_until = NULL"
            " WHERE id = ? AND claimed_by = ?",
            [delivery_id, me],
        )

    def retry(self, delivery_id: int, me: str, delay_seconds: float, *, repost: bool) -> None:
        """Not sent (a 429, a 5xx, no answer): try again after ``delay_seconds``;
        ``repost``: the message is gone, so post a new one (a new nonce)."""
        next_try = stamp(self.clock() + timedelta(seconds=delay_seconds))
        extra = ", message_id = NULL, sent_version = 0, nonce = ?" if repost else ""
        params: list[Any] = [next_try]
        if repost:
            params.append("sb" + secrets.token_hex(8))
        self.db.execute(
            "UPDATE update_delivery SET next_try = ?, attempts = attempts + 1,"
            f" claimed_by = NULL, claimed_until = NULL{extra} WHERE id = ? AND claimed_by = ?",
            [*params, delivery_id, me],
        )

    def end(self, delivery_id: int, reason: str) -> None:
        """Give a delivery up (the channel is gone, DMs are closed, too many tries)."""
        self.db.execute(
            "UPDATE update_delivery SET ended = ?, pending = 0, claimed_by = NULL,"
            " claimed_until = NULL WHERE id = ?",
            [f"{stamp(self.clock())} {reason}"[:200], delivery_id],
        )

    def dms_closed(self, delivery: Delivery) -> int:
        """Discord refused a DM: end it and mark the follows it came from (not tried again
        until the member follows again); how many follows were marked."""
        self.end(delivery.id, "dms closed")
        assert delivery.user_id is not None
        through = self.follows.followed_through(delivery.entity_id)
        return self.follows.block_dms(delivery.guild_id, delivery.user_id, through)

    def unfollowed(self, guild_id: int, user_id: int) -> int:
        """A member stopped following something here: their DMs not yet (fully) sent about
        bundles none of their follows reaches any more end now, an open window's edits too
        (issue 20, item 11). How many ended."""
        follows = set(self.follows.subjects_of(guild_id, user_id))
        live = self.db.execute(
            "SELECT update_delivery.id, update_bundle.entity_id FROM update_delivery"
            " JOIN update_bundle ON update_bundle.id = update_delivery.bundle_id"
            " WHERE update_bundle.guild_id = ? AND update_delivery.user_id = ?"
            " AND update_delivery.ended IS NULL",
            [guild_id, user_id],
        ).fetchall()
        ended = 0
        for delivery_id, entity_id in live:
            if not follows & set(self.follows.followed_through(entity_id)):
                self.end(delivery_id, "unfollowed")
                ended += 1
        return ended

    # ------------------------------------------------------------ privacy

    def _departed(self, guild_id: int) -> bool:
        found = self.db.execute(
            "SELECT 1 FROM guild_departure WHERE guild_id = ?", [guild_id]
        ).fetchone()
        return found is not None

    def departed(self, guild_id: int) -> int:
        """The bot left a server (the caller's transaction): what it had yet to post or DM
        about that server's subjects ends, and nothing new is told until it is back. Its
        followers are not DMed for the grace period about a server they can't reach. How
        many deliveries ended."""
        self.db.execute("DELETE FROM outbox WHERE guild_id = ? AND bundle_id IS NULL", [guild_id])
        live = self.db.execute(
            "SELECT d.id FROM update_delivery d JOIN update_bundle b ON b.id = d.bundle_id"
            " WHERE b.guild_id = ? AND d.ended IS NULL",
            [guild_id],
        ).fetchall()
        for (delivery_id,) in live:
            self.end(delivery_id, "the bot left the server")
        return len(live)

    def forget_user(self, user_id: int) -> int:
        """A member's DM deliveries (the only rows here with a user id); how many."""
        return self.db.execute("DELETE FROM update_delivery WHERE user_id = ?", [user_id]).rowcount

    def forget_guild(self, guild_id: int) -> int:
        """A server's outbox rows, bundles and deliveries; how many bundles."""
        bundles = "SELECT id FROM update_bundle WHERE guild_id = ?"
        self.db.execute(f"DELETE FROM update_delivery WHERE bundle_id IN ({bundles})", [guild_id])
        self.db.execute("DELETE FROM outbox WHERE guild_id = ?", [guild_id])
        return self.db.execute("DELETE FROM update_bundle WHERE guild_id = ?", [guild_id]).rowcount
