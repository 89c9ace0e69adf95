"""Slash commands are published only when they changed, per scope, and never both globally
and to a development server (bot/runtime/commandsync.py; the e2e side is
test_bot_command_sync.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from bot.runtime.commandsync import (
    GLOBAL,
    Payload,
    SyncRefused,
    Target,
    payload_hash,
    plan,
    publish,
)
from bot.store.core import Store

WHEN = {"name": "when", "type": 1, "description": "When?", "options": [{"name": "subject"}]}
WHO = {"name": "who", "type": 1, "description": "Who?", "options": []}
COMMANDS: Payload = [WHEN, WHO]


class FakePut:
    """Discord's bulk overwrite: remembers each PUT; refuses the scopes in ``refuse``."""

    def __init__(self, refuse: dict[int | None, SyncRefused] | None = None) -> None:
        self.calls: list[tuple[int | None, Payload]] = []
        self.refuse = refuse or {}

    async def __call__(self, guild_id: int | None, payload: Payload) -> None:
        self.calls.append((guild_id, payload))
        if guild_id in self.refuse:
            raise self.refuse[guild_id]


@pytest.fixture
def sync_store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "sync.db")
    yield store
    store.close()


def test_hash_ignores_command_and_key_order_but_not_content() -> None:
    reordered = [{k: WHO[k] for k in reversed(list(WHO))}, WHEN]
    assert payload_hash(COMMANDS) == payload_hash(reordered)
    changed = [{**WHEN, "description": "When does it film?"}, WHO]
    assert payload_hash(changed) != payload_hash(COMMANDS)
    # Option order is what Discord shows: it counts.
    two = {**WHO, "options": [{"name": "a"}, {"name": "b"}]}
    swapped = {**WHO, "options": [{"name": "b"}, {"name": "a"}]}
    assert payload_hash([two]) != payload_hash([swapped])
    assert payload_hash([]) != payload_hash(COMMANDS)


def test_without_development_servers_commands_are_global() -> None:
    (only,) = plan(COMMANDS, [])
    assert (only.scope, only.payload) == (GLOBAL, COMMANDS)


def test_development_servers_get_the_commands_instead_of_global() -> None:
    targets = plan(COMMANDS, [11, 22, 11])
    assert [(t.scope, t.payload) for t in targets] == [
        (GLOBAL, []),  # emptied, so no development server lists a command twice
        ("11", COMMANDS),
        ("22", COMMANDS),
    ]


def test_former_development_servers_are_emptied() -> None:
    targets = plan(COMMANDS, [], tracked=[GLOBAL, "11"])
    assert [(t.scope, t.payload, t.former) for t in targets] == [
        (GLOBAL, COMMANDS, False),
        ("11", [], True),
    ]
    assert [t.scope for t in plan(COMMANDS, [11], tracked=[GLOBAL, "11"])] == [GLOBAL, "11"]


async def test_unchanged_commands_are_not_put_again(sync_store: Store) -> None:
    put = FakePut()
    with capture_logs() as first:
        outcomes = await publish(plan(COMMANDS, []), sync_store, put)
    assert [o.result for o in outcomes] == ["synced"]
    assert put.calls == [(None, sorted(COMMANDS, key=lambda c: c["name"]))]
    assert sync_store.synced_hash(GLOBAL) == payload_hash(COMMANDS)
    assert [e["event"] for e in first] == ["commands_synced", "commands_sync_done"]

    with capture_logs() as second:
        outcomes = await publish(plan(list(reversed(COMMANDS)), []), sync_store, put)
    assert [o.result for o in outcomes] == ["unchanged"] and len(put.calls) == 1
    assert second[0]["event"] == "commands_unchanged" and second[0]["scope"] == GLOBAL

    changed = [{**WHEN, "description": "When does it film?"}, WHO]
    await publish(plan(changed, []), sync_store, put)
    assert len(put.calls) == 2 and sync_store.synced_hash(GLOBAL) == payload_hash(changed)
    await publish(plan(changed, []), sync_store, put)
    assert len(put.calls) == 2


async def test_force_puts_every_scope(sync_store: Store) -> None:
    put = FakePut()
    await publish(plan(COMMANDS, [5]), sync_store, put)
    await publish(plan(COMMANDS, [5]), sync_store, put, force=True)
    assert [g for g, _ in put.calls] == [None, 5, None, 5]


async def test_a_refused_scope_is_one_warning_and_retried_next_time(sync_store: Store) -> None:
    refused = SyncRefused("403 Forbidden (error code: 50001): Missing Access", status=403)
    put = FakePut({404404: refused})
    with capture_logs() as logs:
        outcomes = await publish(plan(COMMANDS, [1, 404404, 2]), sync_store, put)
    assert [(o.scope, o.result) for o in outcomes] == [
        (GLOBAL, "synced"),
        ("1", "synced"),
        ("404404", "failed"),
        ("2", "synced"),  # the servers after the bad one still get theirs
    ]
    warnings = [e for e in logs if e["log_level"] == "warning"]
    assert len(warnings) == 1 and warnings[0]["event"] == "commands_sync_failed"
    assert warnings[0]["scope"] == "404404" and "Missing Access" in warnings[0]["reason"]
    assert sync_store.synced_hash("404404") is None
    assert "failed" in outcomes[2].describe() and "Missing Access" in outcomes[2].describe()

    put.refuse.clear()  # e.g. the bot was invited meanwhile: only that server is PUT again
    outcomes = await publish(plan(COMMANDS, [1, 404404, 2]), sync_store, put)
    assert [g for g, _ in put.calls[4:]] == [404404]
    assert [o.result for o in outcomes] == ["unchanged", "unchanged", "synced", "unchanged"]


async def test_a_failed_global_sync_is_not_recorded(sync_store: Store) -> None:
    put = FakePut({None: SyncRefused("503 Service Unavailable", status=503)})
    (outcome,) = await publish(plan(COMMANDS, []), sync_store, put)
    assert outcome.result == "failed" and sync_store.synced_hashes() == {}
    put.refuse.clear()
    (outcome,) = await publish(plan(COMMANDS, []), sync_store, put)
    assert outcome.result == "synced" and len(put.calls) == 2


async def test_leaving_development_mode_empties_those_servers_once(sync_store: Store) -> None:
    put = FakePut()
    await publish(plan(COMMANDS, [7]), sync_store, put)
    assert set(sync_store.synced_hashes()) == {GLOBAL, "7"}
    outcomes = await publish(plan(COMMANDS, [], sync_store.synced_hashes()), sync_store, put)
    assert [(o.scope, o.result) for o in outcomes] == [(GLOBAL, "synced"), ("7", "cleared")]
    assert put.calls[-1] == (7, [])
    assert set(sync_store.synced_hashes()) == {GLOBAL}  # no longer tracked
    await publish(plan(COMMANDS, [], sync_store.synced_hashes()), sync_store, put)
    assert len(put.calls) == 4


async def test_a_former_server_without_access_is_forgotten(sync_store: Store) -> None:
    sync_store.record_sync("9", payload_hash(COMMANDS))
    put = FakePut({9: SyncRefused("403 Forbidden", status=403)})
    targets = [Target(9, [], former=True)]
    (outcome,) = await publish(targets, sync_store, put)
    assert outcome.result == "failed" and sync_store.synced_hash("9") is None


def test_the_migration_creates_the_table(sync_store: Store) -> None:
    sync_store.record_sync("global", "a" * 64)
    sync_store.record_sync("global", "b" * 64)
    assert sync_store.synced_hashes() == {"global": "b" * 64}
    with pytest.raises(sqlite3.IntegrityError):
        sync_store.db.execute("INSERT INTO command_sync (scope, hash) VALUES ('x', 'y')")
    names = [m for (m,) in sync_store.db.execute("SELECT name FROM _sqlite_migrations")]
    assert names.index("m002_command_sync") == names.index("m001_initial") + 1
