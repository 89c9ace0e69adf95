"""Faster ways of working out the same thing give the same thing: a fact made from its row
by column position (reads._maker) equals fact_from_row's, a stem's family found by
prefix lookup (grounding._in_family) equals the pairwise definition, a hash table's
look-up inside one bucket (keys.table_buckets) finds what bisecting it whole finds, an
entity's row guessed from its id (EntityTable._base) is the one bisection finds, and a
text with none of what a season needs is read as every season pattern reads it."""

from __future__ import annotations

import bisect

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answering import grounding, questions
from bot.answering.entities import EntityTable
from bot.answering.lookup.keys import table_buckets, table_find
from bot.store import reads

_COLUMNS = (
    "id",
    "entity_id",
    "kind",
    "text",
    "status",
    "spoiler",
    "date",
    "source_id",
    "quote",
    "overrides",
    "hides",
    "key",
    "guild_id",
    "deleted_at",
    "version",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "outcome",
    "outcome_note",
    "outcome_at",
    "unspoiled",
    "s_id",
    "s_title",
    "s_publisher",
    "s_url",
    "s_date",
    "s_notes",
)


def _row(**values: object) -> tuple[object, ...]:
    base: dict[str, object] = dict.fromkeys(_COLUMNS)
    base.update(id=7, entity_id=3, kind="who", text="Amy joined the cast.", status="confirmed")
    base.update(spoiler=0, hides=0, version=1, unspoiled=0)
    base.update(values)
    return tuple(base[c] for c in _COLUMNS)


def test_a_fact_made_by_column_position_is_the_fact_made_from_its_row() -> None:
    make = reads._maker(_COLUMNS)
    rows = [
        _row(),
        _row(date="2019-03", quote="I'm in.", guild_id=5, overrides=2, hides=1),
        _row(status="rumor", outcome="came true", outcome_note="yes", outcome_at="2020-01-01"),
        _row(spoiler=1, unspoiled=1, deleted_at="2021-01-01", version=4),
        _row(source_id=9, s_id=9, s_title="A wiki", s_url="https://example.org", s_date="2018"),
        _row(source_id=9, s_id=9, s_title="A wiki", s_publisher="Fandom", s_notes="n"),
    ]
    for row in rows:
        assert make(row) == reads.fact_from_row(dict(zip(_COLUMNS, row, strict=True)))


def test_facts_of_other_columns_are_made_from_their_rows() -> None:
    cols = tuple(c for c in _COLUMNS if c not in ("outcome", "outcome_note", "outcome_at"))
    cols = tuple(c for c in cols if c != "unspoiled")
    row = tuple(v for c, v in zip(_COLUMNS, _row(), strict=True) if c in cols)
    made = reads._maker(cols)(row)
    assert made == reads.fact_from_row(dict(zip(cols, row, strict=True)))


def _family(a: str, b: str) -> bool:
    short, long_ = sorted((a, b), key=len)
    return len(short) >= grounding.MIN_PREFIX and long_.startswith(short)


_STEMS = st.text(alphabet="abcdeor", min_size=0, max_size=8)


@given(_STEMS, st.frozensets(_STEMS, max_size=8))
def test_a_stem_family_found_by_prefix_is_the_pairwise_one(a: str, verbs: frozenset[str]) -> None:
    assert grounding._in_family(a, verbs) == any(_family(a, h) for h in verbs)


def test_stem_families_of_real_words() -> None:
    verbs = frozenset(("direct", "produc", "star", "directorship", "abcde"))
    for a in ("director", "direct", "produc", "producer", "star", "start", "dire", "abcd"):
        assert grounding._in_family(a, verbs) == any(_family(a, h) for h in verbs), a


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1024, 5000),
    st.integers(0, 2**32 - 1),
    st.sampled_from([0, 8, 20, 31]),
)
def test_a_hash_looked_up_in_its_bucket_is_found_as_in_the_whole_table(
    n: int, seed: int, narrow: int
) -> None:
    # Hashes of few distinct top bits (``narrow``) crowd some buckets and leave others
    # empty; repeats are hash collisions of different ids.
    rng = np.random.default_rng(seed)
    hashes = rng.integers(0, 2**32, n, dtype=np.uint64) >> np.uint64(narrow) << np.uint64(narrow)
    hashes[: n // 10] = hashes[n // 10 : 2 * (n // 10)]
    table = np.sort((hashes << np.uint64(32)) | rng.permutation(n).astype(np.uint64))
    buckets = table_buckets(table)
    assert buckets is not None
    probes = [*map(int, hashes[:300]), *map(int, rng.integers(0, 2**32, 300)), 0, 2**32 - 1]
    for h in probes:
        assert table_find(table.data, h, buckets) == table_find(table.data, h)
    assert table_buckets(table[:1000]) is None  # small: bisected whole


def _bisected_row(ids: list[int], eid: int) -> int:
    i = bisect.bisect_left(ids, eid)
    return i if i < len(ids) and ids[i] == eid else -1


@given(st.lists(st.integers(1, 400), min_size=1, max_size=120, unique=True))
def test_an_entitys_row_guessed_from_its_id_is_the_bisected_one(ids: list[int]) -> None:
    ids.sort()
    table = EntityTable.of((i, f"n{i}", "character", None, None, None) for i in ids)
    for eid in range(-2, 405):
        assert table._base(eid) == _bisected_row(ids, eid)


def _season_by_patterns(text: str) -> tuple[str, int | None]:
    for pattern in questions._SEASON_PATTERNS:
        m = pattern.search(text)
        if m:
            rest = (text[: m.start()] + " " + text[m.end() :]).split()
            return " ".join(rest), questions._number(m.group(1))
    return text, None


_SEASONISH = st.sampled_from(
    ["s", "s2", "season", "series", "seasons", "2nd", "two", "second", "3", "\u0663", "jones", "x"]
)


@given(st.lists(_SEASONISH, max_size=5).map(" ".join))
def test_a_season_is_read_as_the_patterns_read_it(text: str) -> None:
    assert questions.extract_season(text) == _season_by_patterns(text)
