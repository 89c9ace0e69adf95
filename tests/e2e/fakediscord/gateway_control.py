"""Driving the bot's gateway side from a test; the protocol itself is in ``gateway``.

Sharding as Discord does it (the recommended shard count, which shard owns a guild, a guild
id for a given shard, which client holds which shard), waiting for READY and RESUME, and
disruptions on demand: a dropped socket, RECONNECT, INVALID_SESSION, any dispatch.
"""

from __future__ import annotations

from typing import Any

from .gateway import OP_INVALID_SESSION, OP_RECONNECT
from .recording import Recording


class GatewayControl(Recording):
    """Shards, sessions and gateway events, as a test drives and observes them."""

    # -- shards and clients --------------------------------------------------------------------

    @property
    def recommended_shards(self) -> int:
        """What /gateway/bot says in ``shards``."""
        return self.shards or max(1, -(-len(self.guilds) // 1000))

    @staticmethod
    def shard_of(guild_id: int, shard_count: int) -> int:
        """The shard that receives a guild's events (Discord's sharding formula)."""
        return (guild_id >> 22) % shard_count

    def guild_id_on_shard(self, shard_id: int, shard_count: int) -> int:
        """A fresh snowflake for a guild that shard ``shard_id`` of ``shard_count`` owns
        (for ``add_guild(guild_id=...)``): its timestamp moved back a few milliseconds."""
        flake = self.snowflake()
        stamp = flake >> 22
        stamp -= (stamp - shard_id) % shard_count
        return (stamp << 22) | (flake & ((1 << 22) - 1))

    def client_of(self, peer: tuple[str, int] | None) -> str | None:
        """``name_client``'s name for the client at ``peer`` (None without either)."""
        if peer is None or self.name_client is None:
            return None
        return self.name_client(peer)

    def live_shards(self) -> dict[tuple[int, int] | None, str | None]:
        """The shards (``(id, count)``; None for an unsharded session) with a connected
        gateway session, each with the name of the client holding it."""
        return {
            session.shard: session.conn.client
            for session in self.gateway.sessions.values()
            if session.conn is not None
        }

    # -- gateway -------------------------------------------------------------------------------

    @property
    def identify_count(self) -> int:
        return self.gateway.identify_count

    @property
    def resume_count(self) -> int:
        return self.gateway.resume_count

    async def wait_until_ready(self, timeout: float = 15.0) -> None:  # noqa: ASYNC109
        """Until a bot has identified (or resumed) and been sent every GUILD_CREATE."""
        await self.wait_for(
            lambda: True if self.gateway.ready.is_set() else None,
            timeout,
            "the bot to IDENTIFY/RESUME on the gateway",
        )

    async def wait_until_resumed(self, count: int = 1, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        await self.wait_for(
            lambda: True if self.resume_count >= count else None, timeout, f"{count} RESUME(s)"
        )

    async def drop_connection(self, code: int | None = None) -> None:
        """Kill the bot's gateway socket: abruptly (``None``) or with a close ``code``.

        Abrupt drops and 4000-4003/4005/4008 are resumable; 4007/4009 end the session, so the
        RESUME gets INVALID_SESSION; 4004/4010-4014 are fatal for discord.py.
        """
        self.gateway.ready.clear()
        await self.gateway.drop(code)

    async def send_reconnect(self) -> None:
        """Op 7 RECONNECT: the bot should reconnect and RESUME."""
        self.gateway.ready.clear()
        await self.gateway.send_op(OP_RECONNECT, None)

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Op 9 INVALID_SESSION; with ``resumable=False`` the bot must IDENTIFY again."""
        self.gateway.ready.clear()
        await self.gateway.send_op(OP_INVALID_SESSION, resumable)

    async def dispatch(
        self, event: str, data: dict[str, Any], *, guild_id: int | None = None
    ) -> int:
        """Send any gateway event (intent-gated like Discord); returns sessions reached."""
        return await self.gateway.dispatch(event, data, guild_id=guild_id)
