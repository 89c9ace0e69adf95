"""Conversations replayed through the engine and renderer; replies are syrupy snapshots,
so any change to what users see shows up as a reviewable diff (`pytest --snapshot-update`).

A transcript is a text file: `# comment` lines, and `> question` lines asked in order on a
fresh seeded store; a first line `# store: daredevil` asks them instead on a fresh unseeded
store holding only another show's facts (tests/questions/daredevil_s2.json).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from bot.engine import Engine
from tests.questions.labelled import open_store

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
def test_transcript(
    engine: Engine, path: Path, snapshot: SnapshotAssertion, tmp_path: Path
) -> None:
    script = path.read_text(encoding="utf-8")
    if script.startswith("# store: daredevil"):
        other = open_store("daredevil", tmp_path / "daredevil.db")
        try:
            assert replay(other, script) == snapshot
        finally:
            other.close()
        return
    assert replay(engine, script) == snapshot
