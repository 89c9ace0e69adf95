"""Publishing slash commands only when they changed: which command set each scope (global
or one server) should have, and whether Discord already has it.

Discord limits how often an application may replace its commands, so a start publishes
only the scopes whose payload differs from the one Discord last accepted (its sha256 is
kept per scope in the ``command_sync`` table). With development servers configured
(``[discord] guild_ids``) those servers get the commands as guild commands and the global
set is empty: Discord lists a server's own commands beside the global ones, so having
both would show every command twice there.

No discord.py here: ``bot/runtime/client.py`` builds the payloads and makes the PUT requests,
turning Discord's refusals into :class:`SyncRefused`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from bot.logs import get_logger
from bot.store.core import Store

log = get_logger("showbot")

GLOBAL = "global"

Payload = list[dict[str, Any]]
Put = Callable[[int | None, Payload], Awaitable[None]]
# Runs a Store method with its arguments on the writer's store: save(Store.record_sync, ...)
Save = Callable[..., Awaitable[None]]
Result = Literal["synced", "unchanged", "cleared", "failed"]


def scope_of(guild_id: int | None) -> str:
    return GLOBAL if guild_id is None else str(guild_id)


def canonical(payload: Iterable[dict[str, Any]]) -> Payload:
    """The commands in a fixed order (by type, then name), whatever the load order."""
    return sorted(payload, key=lambda c: (c.get("type") or 1, str(c.get("name"))))


def payload_hash(payload: Iterable[dict[str, Any]]) -> str:
    """sha256 of the canonical JSON of a bulk-overwrite payload (keys sorted, no spaces)."""
    text = json.dumps(canonical(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Target:
    """The command set one scope should have."""

    guild_id: int | None  # None: the global commands
    payload: Payload
    former: bool = False  # a former development server: emptied, then no longer tracked

    @property
    def scope(self) -> str:
        return scope_of(self.guild_id)


def plan(
    commands: Payload, dev_guild_ids: Sequence[int], tracked: Iterable[str] = ()
) -> list[Target]:
    """The global scope first, then each development server, then any server synced before
    (``tracked``) that is no longer one, to empty it.

    Without development servers the commands are global; with them, only those servers
    have them (as guild commands) and the global set is empty. Never both."""
    dev = list(dict.fromkeys(dev_guild_ids))
    targets = [Target(None, [] if dev else commands)]
    targets += [Target(guild_id, commands) for guild_id in dev]
    for scope in sorted(set(tracked)):
        if scope != GLOBAL and scope.isdigit() and int(scope) not in dev:
            targets.append(Target(int(scope), [], former=True))
    return targets


class SyncRefused(Exception):
    """Discord did not accept a scope's commands (or could not be reached in time)."""

    def __init__(self, reason: str, *, status: int | None = None, code: int | None = None):
        super().__init__(reason)
        self.status = status
        self.code = code


@dataclass(frozen=True)
class Outcome:
    scope: str
    result: Result
    count: int  # commands in the scope's payload
    reason: str | None = None

    def describe(self) -> str:
        """One line for people (``!sync`` and ``python -m bot sync``)."""
        where = "global" if self.scope == GLOBAL else f"server {self.scope}"
        if self.result == "failed":
            return f"{where}: failed ({self.reason}); will retry at the next start"
        if self.result == "cleared":
            return f"{where}: cleared (no longer a development server)"
        return f"{where}: {self.result} ({self.count} commands)"


async def publish(
    targets: Sequence[Target],
    store: Store,
    put: Put,
    *,
    force: bool = False,
    save: Save | None = None,
) -> list[Outcome]:
    """PUT each target whose payload Discord does not have yet (every one when ``force``);
    record its hash only once Discord accepted it. A refused scope is one warning and
    stays unrecorded, so the next start tries again; the others carry on. ``save`` runs
    the records (``Store.record_sync`` / ``forget_sync`` and their arguments) where the
    caller writes (the bot: its writer thread); by default on ``store``, inline."""
    known = store.synced_hashes()

    async def keep(method: Callable[..., None], *args: Any) -> None:
        if save is None:
            method(store, *args)
        else:
            await save(method, *args)

    outcomes: list[Outcome] = []
    for target in targets:
        scope, count = target.scope, len(target.payload)
        digest = payload_hash(target.payload)
        if not force and known.get(scope) == digest:
            if target.former:
                await keep(Store.forget_sync, scope)
            log.info("commands_unchanged", scope=scope, count=count)
            outcomes.append(Outcome(scope, "unchanged", count))
            continue
        try:
            await put(target.guild_id, canonical(target.payload))
        except SyncRefused as exc:
            log.warning(
                "commands_sync_failed",
                scope=scope,
                status=exc.status,
                code=exc.code,
                reason=str(exc),
            )
            if target.former and exc.status in (403, 404):
                await keep(Store.forget_sync, scope)  # no access there any more: nothing left
            outcomes.append(Outcome(scope, "failed", count, str(exc)))
            continue
        if target.former:
            await keep(Store.forget_sync, scope)
        else:
            await keep(Store.record_sync, scope, digest)
        result: Result = "cleared" if target.former else "synced"
        log.info("commands_synced", scope=scope, count=count, forced=force, cleared=target.former)
        outcomes.append(Outcome(scope, result, count))
    log.info(
        "commands_sync_done",
        **{
            kind: [o.scope for o in outcomes if o.result == kind]
            for kind in ("synced", "unchanged", "cleared", "failed")
        },
    )
    return outcomes
