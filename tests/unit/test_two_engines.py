"""Two engines on one database, as two shard processes have it (issue 20): moderators in
two servers write through either, servers are forgotten, each engine syncs when it does.
After any sequence, once synced, each engine answers every question as a freshly opened
engine does, and no server's answer holds another server's rows."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from bot.engine import Engine
from bot.errors import ShowbotError
from bot.models import Actor, Answer
from bot.moderation import Moderation
from bot.privacy import Privacy
from tests.seeded import seeded_copy

G1, G2 = 811111111111111111, 822222222222222222
MOD1 = Actor(id=1, name="alice", guild_id=G1)
MOD2 = Actor(id=2, name="bob", guild_id=G2)
OWNER = Actor(id=9, name="owner", guild_id=None, owner=True)
ACTORS = st.sampled_from([MOD1, MOD2, OWNER])
NAMES = ["Kilgrave", "Nuke", "Luke Cage", "Zorblax", "Quill", "Mirabel"]
WORDS = st.lists(st.sampled_from(["a", "wizard", "knight", "Zorblax", "Nuke", "returns"]),
                 min_size=1, max_size=5)  # fmt: skip
QUESTIONS = [f"!who {n}" for n in NAMES] + ["!ask who is the wizard", "!when luke cage"]


def summary(engine: Engine, answer: Answer) -> tuple[Any, ...]:
    """What a member sees of an answer: the subject, the facts and the reply's text."""
    return (
        answer.entity.name if answer.entity else None,
        tuple(f.id for f in answer.facts),
        engine.reply(answer).content,
    )


class TwoEngines(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.path = Path(self.folder.name) / "shared.db"
        self.engines = [Engine.open(seeded_copy(self.path)), Engine.open(self.path)]
        self.mods = [Moderation(e) for e in self.engines]
        self.facts: list[int] = []

    def teardown(self) -> None:
        for engine in self.engines:
            engine.close()
        self.folder.cleanup()

    def _try(self, action: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return action(*args, **kwargs)
        except ShowbotError:
            return None  # refused (unknown, not theirs, ambiguous): nothing changed

    @rule(which=st.integers(0, 1), actor=ACTORS, subject=st.sampled_from(NAMES), words=WORDS)
    def add_fact(self, which: int, actor: Actor, subject: str, words: list[str]) -> None:
        text = " ".join(words) + "."
        done = self._try(self.mods[which].add_fact, actor, subject=subject, kind="who", text=text)
        if done is not None:
            self.facts.append(done.fact_id)

    @rule(which=st.integers(0, 1), actor=ACTORS, pick=st.integers(0, 50), words=WORDS)
    def edit_fact(self, which: int, actor: Actor, pick: int, words: list[str]) -> None:
        if self.facts:
            fid = self.facts[pick % len(self.facts)]
            self._try(self.mods[which].edit_fact, actor, fid, text=" ".join(words) + "!")

    @rule(which=st.integers(0, 1), actor=ACTORS, pick=st.integers(0, 50), back=st.booleans())
    def remove_or_restore(self, which: int, actor: Actor, pick: int, back: bool) -> None:
        if self.facts:
            mod = self.mods[which]
            action = mod.restore_fact if back else mod.remove_fact
            self._try(action, actor, self.facts[pick % len(self.facts)])

    @rule(which=st.integers(0, 1), actor=ACTORS, alias=st.sampled_from(["zorb", "the mage"]),
          subject=st.sampled_from(NAMES))  # fmt: skip
    def add_alias(self, which: int, actor: Actor, alias: str, subject: str) -> None:
        self._try(self.mods[which].add_alias, actor, alias, subject)

    @rule(which=st.integers(0, 1), actor=ACTORS, subject=st.sampled_from(NAMES),
          new=st.sampled_from(["Zed", "Mage"]))  # fmt: skip
    def rename(self, which: int, actor: Actor, subject: str, new: str) -> None:
        self._try(self.mods[which].rename_entity, actor, subject, new)

    @rule(which=st.integers(0, 1), actor=ACTORS)
    def undo(self, which: int, actor: Actor) -> None:
        self._try(self.mods[which].undo, actor)

    @rule(which=st.integers(0, 1), guild=st.sampled_from([G1, G2]))
    def forget(self, which: int, guild: int) -> None:
        Privacy(self.engines[which].store).forget_guild(guild)

    @rule(which=st.integers(0, 1))
    def sync(self, which: int) -> None:
        self.engines[which].sync(force=True)

    @invariant()
    def synced_engines_answer_as_a_fresh_one(self) -> None:
        for engine in self.engines:
            engine.sync(force=True)
        fresh = Engine.open(self.path)
        try:
            for guild in (None, G1, G2):
                for question in QUESTIONS:
                    want = summary(fresh, fresh.ask(question, guild_id=guild))
                    for engine in self.engines:
                        answer = engine.ask(question, guild_id=guild)
                        assert summary(engine, answer) == want, (question, guild)
                        self._only_visible(engine, answer, guild)
        finally:
            fresh.close()

    def _only_visible(self, engine: Engine, answer: Answer, guild: int | None) -> None:
        rows = [engine.store.row("fact", f.id) for f in answer.facts]
        if answer.entity is not None:
            rows.append(engine.store.row("entity", answer.entity.id))
        for row in rows:
            assert row["guild_id"] in (None, guild), (row, guild)


TwoEngines.TestCase.settings = settings(
    max_examples=15,
    stateful_step_count=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_two_engines_on_one_database_answer_alike = TwoEngines.TestCase
