"""Conversations replayed through the engine and renderer; replies are syrupy snapshots,
so any change to what users see shows up as a reviewable diff (`pytest --snapshot-update`).

A transcript is a text file: `# comment` lines, and `> question` lines asked in order on a
fresh seeded store.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from bot.engine import Engine

HERE = Path(__file__).parent
TRANSCRIPTS = sorted(HERE.glob("*.txt"))


def replay(engine: Engine, script: str) -> str:
    out = []
    for line in script.splitlines():
        if line.startswith("> ") or line == ">":
            question = line[2:]
            reply = engine.reply(engine.ask(question))
            out.append(f"> {question}\n{reply.content}\n")
    return "\n".join(out)


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_transcript(engine: Engine, path: Path, snapshot: SnapshotAssertion) -> None:
    assert replay(engine, path.read_text(encoding="utf-8")) == snapshot
