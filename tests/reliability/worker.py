"""A moderator in a separate process, for crash and concurrency tests.

    python -m tests.reliability.worker DB ACTOR_ID GUILD_ID EDITS FACT_ID...

Edits the given facts round-robin (text "actor:pid:n", never a fact's current text, so
every edit really bumps the version), each edit its own transaction with a version check;
on a conflict it re-reads and retries. After each commit it prints
"ok FACT VERSION" (flushed), so the parent knows exactly what was acknowledged.
"""

from __future__ import annotations

import os
import sys

from bot.engine import Engine
from bot.errors import EditConflictError
from bot.models import Actor
from bot.moderation import Moderation


def main(argv: list[str]) -> int:
    db, actor_id, guild_id, edits, *fact_ids = argv
    engine = Engine.open(db, seed=False)
    mod = Moderation(engine)
    actor = Actor(id=int(actor_id), name=f"mod{actor_id}", guild_id=int(guild_id))
    conflicts = 0
    for n in range(int(edits)):
        fact_id = int(fact_ids[n % len(fact_ids)])
        while True:
            version = engine.store.row("fact", fact_id)["version"]
            try:
                mod.edit_fact(actor, fact_id, text=f"{actor_id}:{os.getpid()}:{n}", expected_version=version)
            except EditConflictError:
                conflicts += 1
                continue
            break
        print(f"ok {fact_id} {version + 1}", flush=True)
    print(f"done conflicts={conflicts}", flush=True)
    engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
