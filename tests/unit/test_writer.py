"""The bot's writer thread (bot/runtime/writer.py): jobs run in order, off the event loop, on their
own connection; the index catches up between jobs; the question-log flush never waits for
another writer's lock and keeps its rows when refused."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.errors import database_problem
from bot.models import Actor
from bot.replies.render import outcome_text
from bot.runtime.writer import Writer

MOD = Actor(id=7, name="mod", guild_id=1)


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[Writer]:
    engine = Engine.open(tmp_path / "showbot.db")
    w = Writer(engine)
    try:
        yield w
    finally:
        w.close()
        engine.close()


async def test_jobs_run_in_order_in_one_thread_and_the_index_follows(writer: Writer) -> None:
    mod, loop_thread = writer.moderation, threading.get_ident()
    threads: set[int] = set()

    def add(subject: str, alias: str | None = None) -> str:
        threads.add(threading.get_ident())
        if alias is None:
            return outcome_text(mod.add_fact(MOD, subject=subject, kind="who", text="A fact."))
        return outcome_text(mod.add_alias(MOD, alias, subject))

    # Queued together: the alias needs the subject the first job creates, in the index.
    first, second = await asyncio.gather(
        writer.run(add, "Writer Subject"), writer.run(add, "Writer Subject", "wsub")
    )
    assert "Added fact" in first and "wsub" in second
    assert threads and loop_thread not in threads and len(threads) == 1
    answer = writer.engine.ask("!who wsub", guild_id=1)
    assert answer.entity is not None and answer.entity.name == "Writer Subject"


async def test_flush_is_refused_at_once_when_locked_and_rows_wait(
    writer: Writer, tmp_path: Path
) -> None:
    engine = writer.engine
    engine.ask("!who nuke", guild_id=1)
    engine.ask("!who nuke", guild_id=1)
    assert engine.auto_flush is False and len(engine._log) == 2
    other = sqlite3.connect(tmp_path / "showbot.db", isolation_level=None)
    with contextlib.closing(other):
        other.execute("BEGIN IMMEDIATE")
        loop = asyncio.get_running_loop()
        began = loop.time()
        await writer.flush_log()
        assert loop.time() - began < 0.5  # did not wait out the 10 s busy timeout
        assert len(engine._log) == 2  # kept for the next try
        other.execute("ROLLBACK")
    await writer.flush_log()
    assert engine._log == []
    (count,) = other_count(tmp_path)
    assert count == 2


def other_count(tmp_path: Path) -> tuple[int]:
    with contextlib.closing(sqlite3.connect(tmp_path / "showbot.db")) as db:
        return db.execute("SELECT count(*) FROM question").fetchone()


async def test_a_write_past_the_busy_timeout_is_refused_as_busy(
    writer: Writer, tmp_path: Path
) -> None:
    writer.store.db.execute("PRAGMA busy_timeout=200")  # the writer's own connection
    other = sqlite3.connect(tmp_path / "showbot.db", isolation_level=None)
    with contextlib.closing(other):
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError) as caught:
            await writer.run(
                writer.moderation.add_fact, MOD, subject="Never Saved", kind="who", text="No."
            )
        other.execute("ROLLBACK")
    assert database_problem(caught.value) == "busy"
    assert writer.engine.ask("!who never saved", guild_id=1).entity is None
