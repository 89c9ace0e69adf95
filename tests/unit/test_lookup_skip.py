"""AliasIndex.search(skip=...): entities refused in bulk give exactly the hits that
refusing them one by one in allow() gives, equal scores included (groups of equal
scores are put in order by their text, a few at a time), and Subjects refuses the
seasons so when a question does not ask for one."""

from __future__ import annotations

import random
from unittest.mock import patch

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answering.entities import EntityTable
from bot.answering.lookup import CUTOFF, AliasIndex, Hit
from bot.answering.lookup import index as lookup_index
from bot.answering.subjects import Subjects
from bot.models import Entity, EntityKind

# Few words, many aliases of the same words in another order: equal scores above and
# below CUTOFF, with texts that differ.
WORDS = ["harbor", "snake", "season", "2", "knight", "the"]


def hit(h: Hit) -> tuple:
    return (h.key, h.entity_id, h.text, h.score)


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_base=st.integers(1, 120),
    n_added=st.integers(0, 12),
    n_ents=st.integers(5, 60),
    skipped_share=st.floats(0.0, 1.0),
    scope=st.integers(2, 5),
    seed=st.integers(0, 2**32),
)
def test_skip_gives_the_hits_allow_gives(
    n_base: int, n_added: int, n_ents: int, skipped_share: float, scope: int, seed: int
) -> None:
    rng = random.Random(seed)

    def text() -> str:
        return " ".join(rng.choices(WORDS, k=rng.randint(1, 3)))

    rows = [(k, rng.randrange(n_ents), text()) for k in range(n_base + n_added)]
    index = AliasIndex.build(rows[:n_base])
    for k, e, t in rows[n_base:]:  # delta ids: not in canonical order
        index.add(k, e, t)
    skipped = {e for e in range(n_ents) if rng.random() < skipped_share}
    skip = np.array(sorted(skipped), dtype=np.int64)

    def allow(e: int) -> bool:  # refuses the skipped ones, as search() requires
        return e not in skipped and e % scope != 0

    for _ in range(8):
        words = rng.choice(rows)[2].split() + rng.sample(WORDS, rng.randint(0, 2))
        q = " ".join(typo(w, rng) if rng.random() < 0.3 else w for w in words)
        for limit in (1, 3, 16):
            want = [hit(h) for h in index.search(q, limit=limit, allow=allow)]
            for bulk in (0, lookup_index._BULK_SKIP):  # refused in bulk however few there are
                with patch.object(lookup_index, "_BULK_SKIP", bulk):
                    got = [hit(h) for h in index.search(q, limit=limit, allow=allow, skip=skip)]
                assert got == want, (q, limit, bulk)


@patch.object(lookup_index, "_BULK_SKIP", 0)
def test_ties_above_cutoff_keep_their_order() -> None:
    # Word order is not scored: "Harbor Snake" and "Snake Harbor" tie, above CUTOFF for a
    # typo, and each group of equal scores is ordered by likeness to the query. Refused
    # ones take places in the first group, so dropping them early would change the order.
    rows = [(k, k, "Snake Harbor" if k % 2 else "Harbor Snake") for k in range(20)]
    index = AliasIndex.build(rows)
    skipped = {0, 2, 4, 6}
    skip = np.array(sorted(skipped), dtype=np.int64)

    def allow(e: int) -> bool:
        return e not in skipped

    want = index.search("harbr snake", limit=10, allow=allow)
    assert [h.entity_id for h in want] == [1, 3, 5, 7, 8, 10, 12, 14, 9, 11]
    assert want[0].score >= CUTOFF
    assert index.search("harbr snake", limit=10, allow=allow, skip=skip) == want


def test_skipped_hits_below_cutoff_are_never_offered_to_allow() -> None:
    rows = [(k, k, f"Show {k % 50} season 2") for k in range(2000)]
    rows.append((5000, 5000, "Marshal Precinct"))
    index = AliasIndex.build(rows)
    seasons = np.arange(2000, dtype=np.int64)
    asked: list[int] = []

    def allow(e: int) -> bool:
        asked.append(e)
        return e >= 2000

    hits = index.search("marshal precinct 2 premieres", limit=16, allow=allow, skip=seasons)
    assert [h.entity_id for h in hits] == [5000]
    assert len(asked) == 1  # without skip: one call per season drawn by "2"


def _season(eid: int, show: int, number: int) -> Entity:
    return Entity(eid, f"Show {show} season {number}", EntityKind.SEASON, show, number)


def test_subjects_skip_the_seasons_unless_asked_for() -> None:
    shows = {i: Entity(i, f"Show {i}", EntityKind.SHOW) for i in range(1, 4)}
    seasons = {10 * i + n: _season(10 * i + n, i, n) for i in shows for n in (1, 2)}
    entities = {**shows, **seasons}
    rows = [(eid, eid, e.name) for eid, e in entities.items()]
    table = EntityTable.of(
        (e.id, e.name, e.kind.value, e.show_id, e.season, e.guild_id) for e in entities.values()
    )
    for held in (entities, table):
        subjects = Subjects(AliasIndex.build(rows), held, lambda _: [], lambda _: [])
        ids = subjects._skipped(None)
        assert ids is not None and ids.tolist() == sorted(seasons)
        assert subjects._skipped(frozenset([EntityKind.SHOW])) is ids
        assert subjects._skipped(frozenset(EntityKind)) is None
        found = subjects._search("show 2 season 2", 5, None, None)
        assert found and all(h.entity_id in shows for h in found)
        kinds = frozenset([EntityKind.SEASON])
        assert subjects._search("show 2 season 2", 3, None, kinds)[0].entity_id == 22


def test_entity_table_ids_of_kind_follow_edits() -> None:
    table = EntityTable.of(
        [
            (1, "A", "show", None, None, None),
            (2, "A s1", "season", 1, 1, None),
            (3, "A s2", "season", 1, 2, None),
            (4, "B", "show", None, None, None),
        ]
    )
    assert table.ids_of_kind(EntityKind.SEASON).tolist() == [2, 3]
    del table[2]
    table[7] = _season(7, 4, 1)
    table[4] = Entity(4, "B", EntityKind.CHARACTER)
    assert table.ids_of_kind(EntityKind.SEASON).tolist() == [3, 7]
    assert table.ids_of_kind(EntityKind.SHOW).tolist() == [1]
    assert [e.id for e in table.of_kind(EntityKind.SEASON)] == [3, 7]
