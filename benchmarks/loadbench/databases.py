"""What the load benchmark checks the bot against, read from SQLite: each question's reply
from a freshly seeded database (``expected_replies``), and what the bot wrote: its question
log (``question_log``) and the moderators' changes (``change_counts``)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections import Counter
from pathlib import Path

from bot.engine import Engine

from .workload import QUESTIONS


def expected_replies(folder: Path, guild: int) -> dict[str, str]:
    """Each question's reply from a freshly seeded database (the moderators' subjects are
    far from every question, so their edits cannot change these)."""
    engine = Engine.open(folder / "reference.db")
    try:
        texts = {text for group in QUESTIONS.values() for text in group}
        # Days as Discord timestamps, as the bot posts them.
        return {t: engine.reply(engine.ask(t, guild_id=guild), "discord").content for t in texts}
    finally:
        engine.close()


def question_log(path: Path) -> Counter[tuple[int, str]]:
    """(server, text) of every logged question: the log keeps no user or channel."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        rows = db.execute("SELECT guild_id, text FROM question").fetchall()
    return Counter((g, t) for g, t in rows)


def change_counts(path: Path, actors: list[int]) -> Counter[str]:
    """Moderator actions in the change log (entity.add comes with a new subject's fact)."""
    marks = ",".join("?" for _ in actors)
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        rows = db.execute(
            f"SELECT action, count(*) FROM change WHERE actor_id IN ({marks})"
            " AND action IN ('fact.add', 'fact.edit', 'alias.add') GROUP BY action",
            actors,
        ).fetchall()
    return Counter({action: n for action, n in rows})
