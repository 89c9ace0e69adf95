"""Faster ways of working out the same thing give the same thing: a fact made from its row
by column position (reads._maker) equals fact_from_row's, a stem's family found by
prefix lookup (grounding._in_family) equals the pairwise definition, a hash table's
look-up inside one bucket (keys.table_buckets) finds what bisecting it whole finds, an
entity's row guessed from its id (EntityTable._base) is the one bisection finds, a text
with none of what a season needs is read as every season pattern reads it, and where a
name's words are in a question (typed.in_order, from places kept per question) is where a
pairwise search finds them."""

from __future__ import annotations

import bisect
import random
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answering import grounding, questions, typed
from bot.answering.entities import EntityTable
from bot.answering.lookup.keys import table_buckets, table_find
from bot.models import SYSTEM
from bot.store import reads
from bot.store.core import Store
from bot.store.interchange import import_data

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


def _in_order_pairwise(name: list[str], words: list[str]) -> list[int] | None:
    """typed.in_order as first written: every name word tried against every typed one."""
    best: list[int] | None = None
    lead = [i for i, w in enumerate(words) if typed.same_word(name[0], w)] or [
        i for i, w in enumerate(words) if len(name) > 1 and typed.nickname_of(name[0], w)
    ]
    for first in lead:
        at = [first]
        for part in name[1:]:
            i = next(
                (i for i in range(at[-1] + 1, len(words)) if typed.same_word(part, words[i])), -1
            )
            if i < 0:
                return best
            at.append(i)
        if best is None or at[-1] - at[0] < best[-1] - best[0]:
            best = at
    return best


_TYPED = st.sampled_from(
    "mike michael schur shur schurs no return retrun a b cage cgae jessica jesica jessicas"
    " jones jnoes bob robert dep x".split()
)


@given(st.lists(st.lists(_TYPED, min_size=1, max_size=3), max_size=8), st.lists(_TYPED, max_size=9))
def test_names_found_in_order_with_remembered_places_as_pairwise(
    names: list[list[str]], words: list[str]
) -> None:
    seen: dict[str, list[int]] = {}  # shared by every name, as _mentions shares it
    for name in names:
        assert typed.in_order(name, words, seen) == _in_order_pairwise(name, words)
        assert typed.in_order(name, words) == _in_order_pairwise(name, words)


@given(st.text(alphabet="abcos", max_size=11), st.lists(st.text(alphabet="abcos", max_size=11)))
def test_places_skip_only_words_same_word_refuses(word: str, words: list[str]) -> None:
    assert typed.places(word, words) == [i for i, w in enumerate(words) if typed.same_word(word, w)]


def test_a_questions_shape_read_again_is_the_shape_worked_out() -> None:
    questions = [
        "how many seasons does the show have",
        "what films are about sleeping beauty",
        "who plays ben mitchell",
        "what film genre is crash",
        "who directed how old are you",
    ]
    for words in [q.split() for q in questions]:
        fresh = grounding._shape.__wrapped__(tuple(words))
        assert grounding.shape_of(words) == fresh
        assert grounding.shape_of(tuple(words)) == fresh  # remembered, list or tuple


def test_facts_by_ids_in_two_queries_give_what_one_or_query_gave(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    entities = [{"key": f"e{i}", "name": f"Subject {i}", "kind": "person"} for i in range(6)]
    facts = [
        {
            "key": f"f{i}",
            "entity": f"e{i % 6}",
            "kind": "who",
            "text": f"Fact {i} says so.",
            "status": "confirmed",
        }
        for i in range(40)
    ]
    data = {"format": "showbot", "version": 1, "entities": entities, "facts": facts}
    with store.atomic():
        import_data(store, data, SYSTEM)
    rng = random.Random(7)
    with store.atomic():  # servers' own versions and hiding markers of global facts
        for i, target in enumerate(rng.sample(range(1, 41), 16)):
            store.db.execute(
                "INSERT INTO fact (entity_id, kind, text, status, overrides, hides, guild_id,"
                " deleted_at, created_at, updated_at) SELECT entity_id, kind, text || ' Here.',"
                " status, id, ?, ?, ?, 'x', 'x' FROM fact WHERE id = ?",
                [i % 3 == 0, rng.choice([5, 6]), "2020" if i % 5 == 0 else None, target],
            )
    top = store.db.execute("SELECT max(id) FROM fact").fetchone()[0]
    one_query = (
        store._FACT_SELECT + " WHERE (fact.id IN ({m}) OR fact.overrides IN ({m}))"
        " AND fact.deleted_at IS NULL AND (fact.guild_id IS NULL OR fact.guild_id = ?)"
    )
    for _ in range(200):
        ids = rng.sample(range(1, top + 3), rng.randint(1, 30))
        guild = rng.choice([None, 5, 6, 7])
        marks = ",".join("?" for _ in ids)
        old = reads._as_seen(store._facts_of(one_query.format(m=marks), [*ids, *ids, guild]))
        assert store.facts_by_ids(ids, guild) == old
    store.close()


_NAMES = st.lists(
    st.tuples(
        st.lists(st.sampled_from(["the", "amy", "amys", "dad", "kirk", "dougla", "s"]), max_size=3),
        st.sampled_from(["show", "character", "person", "season"]),
        st.sampled_from([None, 7, 8]),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None)
@given(names=_NAMES, asked=st.sampled_from(["amy", "the amy", "dougla", "kirk dougla", "s"]))
def test_names_spelt_exactly_are_those_a_search_lists_spelt_so(
    names: list[tuple[list[str], str, int | None]], asked: str
) -> None:
    """Subjects.named_exactly reads the exact hits alone: the hits a search of 25 listed
    first, filtered the same way (servers' own aliases, every kind)."""
    from bot.answering.lookup import AliasIndex
    from bot.answering.subjects import Subjects
    from bot.language.text import normalize
    from bot.models import Entity, EntityKind

    entities = {
        i + 1: Entity(i + 1, " ".join(w) or "x", EntityKind(kind), None, None, None)
        for i, (w, kind, _) in enumerate(names)
    }
    rows = [(2 * i, i, e.name) for i, e in entities.items()]
    rows += [(2 * i + 1, i, f"the {e.name}") for i, e in entities.items()]
    guilds = {2 * i + 1: g for i, (_, _, g) in enumerate(names, 1) if g is not None}
    subjects = Subjects(AliasIndex.build(rows), entities, lambda _: [], lambda _: [], guilds)
    for guild in (None, 7):
        key = normalize(asked)
        hits = subjects._search(key, 25, guild, frozenset(EntityKind))
        searched = [entities[h.entity_id] for h in hits if normalize(h.text) == key]
        assert subjects.named_exactly(asked, guild) == searched
