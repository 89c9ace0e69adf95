"""A moderator in a separate process, for crash and concurrency tests.

    python -m tests.reliability.worker [--default-path] [--wait] [--pause]
        DB ACTOR_ID GUILD_ID EDITS FACT_ID...

Edits the given facts round-robin (text "actor:pid:n", never a fact's current text, so
every edit really bumps the version), each edit its own transaction. After each commit it
prints "ok FACT VERSION" (flushed), so the parent knows exactly what was acknowledged, and
at the end "done conflicts=N default=N".

By default every edit passes ``version:`` (the version just read); on a conflict it re-reads
and retries. With ``--default-path`` each edit first goes the way moderators usually edit,
without ``version:``; when that is refused as "changed meanwhile" (someone else changed the
fact in the last minute) it retries as the message says, adding ``version: N``, and on a
further conflict re-reads and retries with the version. Its lines then name the path that
landed: "ok FACT VERSION default" or "ok FACT VERSION version".

With ``--wait`` it prints "ready" once the database is open and starts editing only when
it reads a line on stdin, so that a parent can start several writers at the same moment
(starting Python takes longer than a writer's edits). With ``--pause`` it sleeps a random
0-5 ms after each edit: SQLite's busy handler sleeps between tries, so a writer going
straight on to its next edit would keep the lock through all its edits, one writer after
another, and the writers would never interleave.
"""

from __future__ import annotations

import os
import random
import re
import sys
import time

from bot.engine import Engine
from bot.errors import EditConflictError
from bot.models import Actor
from bot.moderation import Moderation

DEFAULT_PATH = "--default-path"
WAIT = "--wait"
PAUSE = "--pause"
FLAGS = (DEFAULT_PATH, WAIT, PAUSE)
SUGGESTED_VERSION = re.compile(r"adding `version: (\d+)`")


def main(argv: list[str]) -> int:
    default_path = DEFAULT_PATH in argv
    db, actor_id, guild_id, edits, *fact_ids = [a for a in argv if a not in FLAGS]
    engine = Engine.open(db, seed=False)
    mod = Moderation(engine)
    actor = Actor(id=int(actor_id), name=f"mod{actor_id}", guild_id=int(guild_id))
    if WAIT in argv:
        print("ready", flush=True)
        sys.stdin.readline()
    conflicts = defaults = 0
    for n in range(int(edits)):
        fact_id = int(fact_ids[n % len(fact_ids)])
        text = f"{actor_id}:{os.getpid()}:{n}"
        path = "version"
        version: int | None = None
        if default_path:
            try:
                mod.edit_fact(actor, fact_id, text=text, expected_version=None)
                path = "default"
            except EditConflictError as exc:
                conflicts += 1
                found = SUGGESTED_VERSION.search(str(exc))
                if found is None:  # the message must say how to confirm the edit
                    print(f"error: no version in {str(exc)!r}", file=sys.stderr, flush=True)
                    return 1
                version = int(found[1])
        while path == "version":
            if version is None:
                version = engine.store.row("fact", fact_id)["version"]
            try:
                mod.edit_fact(actor, fact_id, text=text, expected_version=version)
            except EditConflictError:
                conflicts += 1
                version = None  # look again
                continue
            break
        if path == "default":
            defaults += 1
        # Only this process edits as this actor: its latest change record is this edit.
        (landed,) = engine.store.rows(
            "SELECT max(version) AS v FROM change"
            " WHERE table_name = 'fact' AND row_id = ? AND actor_id = ?",
            [fact_id, actor.id],
        )
        suffix = f" {path}" if default_path else ""
        print(f"ok {fact_id} {landed['v']}{suffix}", flush=True)
        if PAUSE in argv:
            time.sleep(random.uniform(0, 0.005))
    print(f"done conflicts={conflicts} default={defaults}", flush=True)
    engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
