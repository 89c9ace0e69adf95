"""Who follows which subject, per member per server (``!follow``): a storage module.

A follow is data about a member (their id, what they like): ``!forget me`` and a forgotten
server delete it (bot/privacy.py). A show's followers also hear about its seasons; callers
apply that rule through :meth:`Follows.followed_through`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from bot.models import Entity
from bot.store.bookkeeping import now

MAX_FOLLOWS = 25  # per member per server: what one slash autocomplete list can show


@dataclass(frozen=True, slots=True)
class Follow:
    entity_id: int
    dm: bool
    dm_blocked: bool
    guild_id: int = 0
    guild_name: str | None = None  # the server's name when a member last followed there


@dataclass(frozen=True, slots=True)
class Followed:
    """A follow as its member sees it: the subject (None: no longer in the database),
    whether it was removed (or merged) since, the server and its name as last seen."""

    guild_id: int
    server: str | None
    entity_id: int
    entity: Entity | None
    gone: bool
    dm: bool
    dm_blocked: bool


class Follows:
    """The ``follow`` table over one connection."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def subjects_of(self, guild_id: int, user_id: int) -> list[int]:
        """The entity ids a member follows in a server, oldest follow first."""
        return [f.entity_id for f in self.of(guild_id, user_id)]

    def of(self, guild_id: int | None, user_id: int) -> list[Follow]:
        """A member's follows in a server (None: in every server), oldest first."""
        where, params = ("guild_id = ? AND ", [guild_id]) if guild_id is not None else ("", [])
        rows = self.db.execute(
            "SELECT entity_id, dm, dm_blocked, guild_id, guild_name FROM follow"
            f" WHERE {where}user_id = ? ORDER BY id",
            [*params, user_id],
        ).fetchall()
        return [Follow(e, bool(dm), bool(b), g, name) for e, dm, b, g, name in rows]

    def follow(
        self, guild_id: int, user_id: int, entity_id: int, *, dm: bool, server: str | None = None
    ) -> bool:
        """Follow (or follow again, which asks for DMs anew: a block from closed DMs is
        lifted); whether it is a new follow. ``server``: the server's name now, kept for
        DMs sent by a process that doesn't see the server (another shard, or after the
        bot left it)."""
        with self.db.atomic():
            if server is not None:
                self.db.execute(
                    "UPDATE follow SET guild_name = ? WHERE guild_id = ?", [server, guild_id]
                )
            cur = self.db.execute(
                "UPDATE follow SET dm = ?, dm_blocked = 0 WHERE guild_id = ? AND user_id = ?"
                " AND entity_id = ?",
                [int(dm), guild_id, user_id, entity_id],
            )
            if cur.rowcount:
                return False
            self.db.execute(
                "INSERT INTO follow (guild_id, user_id, entity_id, dm, created_at, guild_name)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [guild_id, user_id, entity_id, int(dm), now(), server],
            )
        return True

    def unfollow(self, guild_id: int, user_id: int, entity_id: int) -> bool:
        with self.db.atomic():
            cur = self.db.execute(
                "DELETE FROM follow WHERE guild_id = ? AND user_id = ? AND entity_id = ?",
                [guild_id, user_id, entity_id],
            )
        return cur.rowcount > 0

    def server_name(self, guild_id: int) -> str | None:
        """The server's name as its members' follows last saw it."""
        found = self.db.execute(
            "SELECT guild_name FROM follow WHERE guild_id = ? AND guild_name IS NOT NULL"
            " ORDER BY id DESC LIMIT 1",
            [guild_id],
        ).fetchone()
        return found[0] if found else None

    def merged(self, old: int, new: int) -> int:
        """Subject ``old`` was merged into ``new``: its follows follow ``new`` (a member
        following both keeps one, with DMs if either asked). How many moved or merged."""
        rows = self.db.execute(
            "SELECT id, guild_id, user_id, dm FROM follow WHERE entity_id = ?", [old]
        ).fetchall()
        for follow_id, guild_id, user_id, dm in rows:
            cur = self.db.execute(
                "UPDATE follow SET dm = max(dm, ?) WHERE guild_id = ? AND user_id = ?"
                " AND entity_id = ?",
                [dm, guild_id, user_id, new],
            )
            if cur.rowcount:  # already followed: one follow, one slot
                self.db.execute("DELETE FROM follow WHERE id = ?", [follow_id])
            else:
                self.db.execute("UPDATE follow SET entity_id = ? WHERE id = ?", [new, follow_id])
        return len(rows)

    def block_dms(self, guild_id: int, user_id: int, entity_ids: list[int]) -> int:
        """Discord refused a DM (the member closed them): no more tries for these follows
        until the member follows again. How many follows were marked."""
        marks = ",".join("?" for _ in entity_ids)
        cur = self.db.execute(
            "UPDATE follow SET dm_blocked = 1 WHERE guild_id = ? AND user_id = ?"
            f" AND dm = 1 AND entity_id IN ({marks})",
            [guild_id, user_id, *entity_ids],
        )
        return cur.rowcount

    # ------------------------------------------------------------ for the outbox

    def followed_through(self, entity_id: int) -> list[int]:
        """The subjects whose followers hear about ``entity_id``: itself and, for a season,
        its show."""
        found = self.db.execute("SELECT show_id FROM entity WHERE id = ?", [entity_id]).fetchone()
        return [entity_id] + ([found[0]] if found and found[0] is not None else [])

    def guilds_following(self, entity_ids: list[int]) -> list[int]:
        """Servers where someone follows one of ``entity_ids``."""
        marks = ",".join("?" for _ in entity_ids)
        return [
            r[0]
            for r in self.db.execute(
                f"SELECT DISTINCT guild_id FROM follow WHERE entity_id IN ({marks})"
                " ORDER BY guild_id",
                entity_ids,
            )
        ]

    def followed_in(self, guild_id: int, entity_ids: list[int]) -> bool:
        marks = ",".join("?" for _ in entity_ids)
        return (
            self.db.execute(
                f"SELECT 1 FROM follow WHERE guild_id = ? AND entity_id IN ({marks}) LIMIT 1",
                [guild_id, *entity_ids],
            ).fetchone()
            is not None
        )

    def dm_followers(self, guild_id: int, entity_ids: list[int]) -> list[int]:
        """Members of a server who asked for DMs about one of ``entity_ids`` (and whose DMs
        Discord has not refused since)."""
        marks = ",".join("?" for _ in entity_ids)
        return [
            r[0]
            for r in self.db.execute(
                "SELECT DISTINCT user_id FROM follow WHERE guild_id = ? AND dm = 1"
                f" AND dm_blocked = 0 AND entity_id IN ({marks}) ORDER BY user_id",
                [guild_id, *entity_ids],
            )
        ]

    def anyone(self) -> bool:
        """Whether anybody follows anything (most writes then need no outbox work)."""
        return self.db.execute("SELECT 1 FROM follow LIMIT 1").fetchone() is not None

    # ------------------------------------------------------------ privacy

    def forget_user(self, user_id: int) -> int:
        """Delete a member's follows in every server; how many."""
        return self.db.execute("DELETE FROM follow WHERE user_id = ?", [user_id]).rowcount

    def forget_guild(self, guild_id: int) -> int:
        return self.db.execute("DELETE FROM follow WHERE guild_id = ?", [guild_id]).rowcount
