"""A question that is only a name skips work that cannot change its answer (issue 22):
the free path for a known subject nothing is said of (no fact about it, its seasons or
its show, none naming it), the grounding of no facts, the question's shape when no word
of the name is a kind word; and leftover() counts a name word's repeats up front. Each
answers exactly as the full work does, before and after every kind of write."""

from __future__ import annotations

from unittest.mock import patch

from hypothesis import given
from hypothesis import strategies as st

from bot.answering.grounding import Shape, ground
from bot.answering.leftover import leftover
from bot.answering.questions import extract_season
from bot.answering.saying import Saying
from bot.answering.subjects import IGNORED, Resolution
from bot.answering.typed import same_word
from bot.engine import Engine
from bot.models import Actor, Entity, EntityKind, Intent
from bot.moderation import Moderation

G = 111
OWNER = Actor(id=1, name="owner", guild_id=None, owner=True)
LOCAL = Actor(id=2, name="mod", guild_id=G)

ASKED = [
    "!who {n}",
    "!who {n} netflix",
    "!who actor {n}",
    "!who {n} character",
    "!what {n} powers",
    "!when {n} season 2",
    "who plays {n}",
    "who is {n}",
    "{n} real name",
    "what films has {n} been in",
    "is {n} coming back",
    "!when {n} joined crew",
]


def check(engine: Engine, names: list[str]) -> tuple[int, int]:
    """Every question answered as it is when the free path is consulted for every known
    subject; how many were about a known subject with nothing said (the free path
    skipped), and how many known subjects' answers came from the free path (so that it
    is still consulted where it answers)."""
    skipped = needed = 0
    real = Saying.could_concern
    for name in names:
        for template in ASKED:
            for guild in (None, G):
                question = template.format(n=name)
                asked: list[bool] = []

                def spy(
                    pipe: Saying, subject: Entity, guild_id: int | None, seen: list[bool] = asked
                ) -> bool:
                    seen.append(real(pipe, subject, guild_id))
                    return seen[-1]

                with patch.object(Saying, "could_concern", spy):
                    fast = engine.ask(question, guild_id=guild)
                with patch.object(Saying, "could_concern", lambda *_: True):
                    full = engine.ask(question, guild_id=guild)
                assert fast == full, question
                with patch("bot.answering.retrieval.FactFinder.find", lambda *_, **__: None):
                    without = engine.ask(question, guild_id=guild)
                skipped += asked == [False]
                needed += bool(asked) and fast != without
    return skipped, needed


def test_the_free_path_is_skipped_only_where_it_could_not_answer(engine: Engine) -> None:
    names = [e.name for e in engine.entities.values()][:40]
    check(engine, names)


def test_every_write_brings_the_free_path_back_when_it_could_answer(engine: Engine) -> None:
    mod = Moderation(engine)
    who = "Zorblat Quex"
    mod.add_fact(OWNER, subject="Quex Show", kind="what", text="Quex Show is a show.",
                 entity_kind="show")  # fmt: skip
    # A subject nothing is said of (its one fact removed): the free path is skipped.
    mod.add_fact(OWNER, subject=who, kind="who", text="Someone else entirely.",
                 entity_kind="character")  # fmt: skip
    eid = next(e.id for e in engine.entities.values() if e.name == who)
    own = engine.store.facts_for(eid, None)[0].id
    mod.remove_fact(OWNER, own)
    engine.sync(force=True)
    assert check(engine, [who, "zorblat quex netflix"])[0] > 0
    writes = [
        # a fact naming it, then its own (here, then everywhere), an edit, a removal...
        lambda: mod.add_fact(
            OWNER, subject="Quex Show", kind="when", text="Zorblat Quex joined the crew in 2019."
        ),
        lambda: mod.add_fact(LOCAL, subject=who, kind="what", text="Zorblat Quex is on netflix."),
        lambda: mod.restore_fact(OWNER, own),
        lambda: mod.edit_fact(OWNER, own, text="Zorblat Quex plays a villain on netflix."),
        lambda: mod.remove_fact(OWNER, own),
        lambda: mod.add_alias(OWNER, "ZQ", who),
        lambda: mod.merge_entities(OWNER, "Quex Show", who),
    ]
    needed = 0
    for write in writes:
        write()
        engine.sync(force=True)
        needed += check(engine, [who, "zq"])[1]
    assert needed > 0  # once something is said of it, the free path answers some


def test_its_family_and_the_facts_naming_it_are_looked_through() -> None:
    # (could_concern reads the store; this pins what it looks through.)
    show = Entity(1, "Show", EntityKind.SHOW)
    season = Entity(2, "Show season 1", EntityKind.SEASON, show_id=1, season=1)
    seen: list[int] = []

    class Store:
        class mentions:
            @staticmethod
            def facts_naming_ids(ids: list[int]) -> list[int]:
                return []

        @staticmethod
        def facts_for(entity_id: int, guild_id: int | None) -> list[object]:
            seen.append(entity_id)
            return []

    pipe = Saying.__new__(Saying)
    pipe.store = Store  # type: ignore[assignment]
    pipe.seasons_of = lambda i: [season] if i == 1 else []
    assert not pipe.could_concern(show, None) and seen == [1, 2]
    seen.clear()
    assert not pipe.could_concern(season, None) and seen == [2, 1]
    # A fact naming it is enough.
    Store.mentions.facts_naming_ids = staticmethod(lambda ids: [9] if ids == [2] else [])
    assert pipe.could_concern(season, None) and not pipe.could_concern(show, None)


def test_no_facts_ground_to_nothing() -> None:
    for asked in (["netflix"], ["charact"], ["play", "villain"], ["real", "name"]):
        assert ground(asked, [], [], Intent.WHO, {}, {}, {a: 1.0 for a in asked}) == []
        assert ground(asked, [], [], Intent.ASK, {}, {}, {}, shape=Shape(amount="many")) == []


def _leftover_as_it_was(words: list[str], found: Resolution) -> list[str]:
    """leftover() before its name words' repeats were counted up front."""
    name = found.text.split()
    typed = extract_season(" ".join(words))[0].split()
    split = {
        i + k for i in range(len(typed) - 1) if typed[i] + typed[i + 1] in name for k in (0, 1)
    }
    return [
        w
        for i, w in enumerate(typed)
        if len(w) > 1
        and i not in split
        and w not in IGNORED
        and not any(
            w in (n, n + "s") or (typed.count(n) < name.count(n) and same_word(n, w)) for n in name
        )
    ]


_WORD = st.sampled_from(["kings", "kngs", "king", "cage", "cgae", "luke", "lukes", "the", "s2"])


@given(st.lists(_WORD, min_size=1, max_size=5), st.lists(_WORD, min_size=1, max_size=3))
def test_leftover_counts_repeats_as_it_did(words: list[str], name: list[str]) -> None:
    found = Resolution(Entity(1, " ".join(name), EntityKind.SHOW), 90.0, text=" ".join(name))
    assert leftover(words, found) == _leftover_as_it_was(words, found)
