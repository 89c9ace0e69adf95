"""The bot's writer: every write (and anything else that may wait for SQLite's write lock)
runs here, one at a time and in order, in one thread, so the event loop never waits on
SQLite.

The threading model, in full:

* The **event-loop thread** owns the engine: its connection (``engine.store``, reads only
  in the bot: questions, autocomplete, the change-log catch-up, which never wait in WAL
  mode) and its in-memory index, which only ``Engine.sync`` updates, on that thread.
* The **writer thread** (one ``ThreadPoolExecutor`` worker) owns a second connection to
  the same database (``Writer.store``) and the :class:`Moderation`, :class:`Synonyms` and
  :class:`QuestionLog` bound to it (and the client's :class:`Privacy`): moderator commands
  (their reads too), imports and exports, synonym changes, the question-log flush and
  pruning, forgetting members and servers, slash-command sync records. A
  transaction open there is invisible to the loop's connection (no uncommitted reads, no
  interference), exactly as another process's would be.
* Moderation looks names up in the engine's index from the writer thread: those lookups,
  and every engine entry point on the loop, hold ``Engine.lock``. Nothing holds it while
  waiting for SQLite's write lock, so the loop can wait on it for an index lookup at most.
* :meth:`Writer.run` takes one job at a time (an ``asyncio.Lock``, first come first
  served), and after each job brings the index up to date on the loop
  (``engine.sync(force=True)``) before the next job starts and before the caller
  replies: a moderator's next command, and every question after the reply, see the
  change, and the order of writes is the order they were asked for.
* The question-log flush never waits for the lock: it is skipped while a job runs and
  tries once with no busy timeout; refused, its rows go back to the (bounded) buffer and
  the next housekeeping tick retries.

No discord imports: the Discord client (bot/runtime/client.py) uses this; the CLI does not
(it is one thread and uses :class:`Moderation` on the engine's own connection).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, ParamSpec, TypeVar

from bot.engine import Engine
from bot.logs import get_logger
from bot.moderation import Moderation
from bot.store.core import Store
from bot.store.questionlog import QuestionLog
from bot.store.synonyms import Synonyms

P = ParamSpec("P")
T = TypeVar("T")

log = get_logger("showbot.writer")

LOG_FLUSH_BUSY_MS = 0  # the question-log flush does not wait for another writer's lock


class Writer:
    """One thread for every write of the bot's process (see the module's docstring)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        engine.auto_flush = False  # ask() only buffers; flush_log() below writes
        if engine.store.path == ":memory:":  # a second connection would be another database
            self.store = engine.store
        else:
            self.store = Store.open(engine.store.path)
        self.moderation = Moderation(engine, store=self.store)
        self.synonyms = Synonyms(self.store)
        self.questions = QuestionLog(self.store)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="showbot-writer")
        self._turn = asyncio.Lock()
        self._closed = False

    @property
    def busy(self) -> bool:
        """A job is running or waiting."""
        return self._turn.locked()

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` in the writer thread, after every job asked for before
        it; then the engine's index catches up with what it wrote (on the loop)."""
        return await self._run(partial(fn, *args, **kwargs), sync=True)

    async def _run(self, job: Callable[[], T], *, sync: bool) -> T:
        async with self._turn:
            loop = asyncio.get_running_loop()
            future = loop.run_in_executor(self._thread, job)
            try:
                # Shielded: a cancelled caller does not stop the write (it runs once,
                # whole), and the thread still takes the jobs in order.
                return await asyncio.shield(future)
            finally:
                if sync:
                    self.engine.sync(force=True)

    async def flush_log(self, *, queue: bool = False, patient: bool = False) -> None:
        """Write the question log's buffered rows. Skipped while another job runs (unless
        ``queue``: a report about to read the log waits its turn); never waits for
        another writer's lock (unless ``patient``: at shutdown); refused rows stay
        buffered for the next try."""
        if self._closed or (self.busy and not queue):
            return
        rows = self.engine.take_log()
        if not rows:
            return
        try:
            await self._run(partial(self._append, rows, patient), sync=False)
        except sqlite3.Error as exc:
            self.engine.log_refused(rows, exc)
        else:
            self.engine.log_written()

    def _append(self, rows: list[tuple[Any, ...]], patient: bool) -> None:
        rows = self.engine.kept(rows)  # a server forgotten since they were buffered
        if patient:
            self.questions.append(rows)
            return
        with self.store.waiting_at_most(LOG_FLUSH_BUSY_MS):
            self.questions.append(rows)

    def close(self) -> None:
        """Finish the jobs already given, then close the writer's connection."""
        if self._closed:
            return
        self._closed = True
        self._thread.shutdown(wait=True)
        if self.store is not self.engine.store:
            self.store.close()
