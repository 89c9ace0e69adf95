"""bot.answering.lookup: the fuzzy alias index behind every question and autocomplete."""

from __future__ import annotations

import random
import string

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import bot.answering.lookup as lookup
from bot.answering.lookup import CUTOFF, AliasIndex, Hit

# Entities of the Jessica Jones seed plus look-alikes, so that rare and common words,
# shared words and near misses all exist.
JJ_SHOW, JJ, KILLGRAVE, TRISH, DEFENDERS, ROSENBERG, IGH, NUKE = 1, 2, 3, 4, 5, 6, 7, 8
LUKE_CAGE, COX, JONES_BAR, WALKER_TEXAS, JESSICA_LANGE, SIMPSON = 9, 10, 11, 12, 13, 14
ROWS = [
    (101, JJ_SHOW, "Jessica Jones"),
    (102, JJ_SHOW, "Marvel's Jessica Jones"),
    (103, JJ_SHOW, "JJ"),
    (201, JJ, "Jessica Jones"),  # the character: the same text as the show
    (202, JJ, "Jewel"),
    (301, KILLGRAVE, "Killgrave"),
    (302, KILLGRAVE, "Kilgrave"),
    (303, KILLGRAVE, "Zebediah Killgrave"),
    (304, KILLGRAVE, "The Purple Man"),
    (401, TRISH, "Trish Walker"),
    (402, TRISH, "Patsy Walker"),
    (403, TRISH, "Hellcat"),
    (404, TRISH, "Trish"),
    (501, DEFENDERS, "The Defenders"),
    (601, ROSENBERG, "Melissa Rosenberg"),
    (701, IGH, "IGH"),
    (801, NUKE, "Nuke"),
    (802, NUKE, "Will Simpson"),
    (901, LUKE_CAGE, "Luke Cage"),
    (1001, COX, "Charlie Cox"),
    (1101, JONES_BAR, "Jones's Bar"),
    (1201, WALKER_TEXAS, "Walker, Texas Ranger"),
    (1301, JESSICA_LANGE, "Jessica Lange"),
    (1401, SIMPSON, "The Simpsons"),
]
ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())


@pytest.fixture
def index() -> AliasIndex:
    return AliasIndex.build(ROWS)


def entity(index: AliasIndex, query: str) -> int | None:
    hit = index.best(query)
    return None if hit is None else hit.entity_id


# ----------------------------------------------------------------- matching


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kilgrav", KILLGRAVE),  # two letters short of Killgrave, one of Kilgrave
        ("killgrav", KILLGRAVE),
        ("zebedia kilgrave", KILLGRAVE),
        ("jessika jones", JJ_SHOW),
        ("jessica jnoes", JJ_SHOW),  # swapped letters
        ("melisa rosenburg", ROSENBERG),
        ("melissa rosenberg", ROSENBERG),
        ("defnders", DEFENDERS),
        ("the defenders", DEFENDERS),
        ("defenders", DEFENDERS),
        ("walker trish", TRISH),  # word order
        ("trish walker", TRISH),
        ("patsy", None),  # a partial name is not an alias...
        ("patsy walker", TRISH),  # ...but the full one is
        ("hellcat", TRISH),
        ("helcat", TRISH),
        ("igh", IGH),
        ("nuke", NUKE),
        ("IGH!", IGH),
        ("luke cage", LUKE_CAGE),
        ("luke cgae", LUKE_CAGE),
        ("the purple man", KILLGRAVE),
        ("purple man", KILLGRAVE),
        ("charlie cox", COX),
        ("jessica lange", JESSICA_LANGE),
        ("jones's bar", JONES_BAR),
        ("walker texas ranger", WALKER_TEXAS),
        ("the simpsons", SIMPSON),
    ],
)
def test_best_finds_the_entity(index: AliasIndex, query: str, expected: int | None) -> None:
    assert entity(index, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("jessica jones actress", JJ_SHOW),
        ("the show the defenders", DEFENDERS),
        ("kilgrave character", KILLGRAVE),
        ("melissa rosenberg showrunner", ROSENBERG),  # a leftover word not in NOISE
        ("hellcat real name", TRISH),
    ],
)
def test_leftover_question_words_are_tolerated(
    index: AliasIndex, query: str, expected: int
) -> None:
    assert entity(index, query) == expected


@pytest.mark.parametrize(
    "query",
    [
        "breaking bad",
        "xyzzy",
        "season finale",
        "the show",
        "who is",
        "maria quorlan",  # unknown words weigh like the rarest word
        "jessica quorlan",  # one known word and an unknown one
        "walker bar",  # known words, but no alias has both
        "nuk",  # 3-4 letter names must be exact on their own
        "igg",
        "",
        "   ",
        "🙂🎬",
        "?!",
    ],
)
def test_absent_subjects_are_unknown(index: AliasIndex, query: str) -> None:
    assert index.best(query) is None


def test_short_names_with_a_typo_are_suggested_not_answered(index: AliasIndex) -> None:
    hits = index.search("nuk")
    assert hits[0].entity_id == NUKE
    assert 50 <= hits[0].score < CUTOFF


def test_exact_match_scores_100_and_beats_everything_fuzzy(index: AliasIndex) -> None:
    hits = index.search("Jessica Jones", limit=10)
    assert {h.entity_id for h in hits if h.score == 100.0} == {JJ_SHOW, JJ}
    others = [h for h in hits if h.entity_id not in (JJ_SHOW, JJ)]
    assert all(h.score <= lookup.NEAR for h in others)
    assert index.best("kilgrave").text == "Kilgrave"  # the exact alias, not Killgrave
    assert index.best("kilgrave").score == 100.0
    assert index.best("walker trish").score < 100.0  # reordered is not exact


def test_exact_beats_a_reordered_alias_of_another_entity() -> None:
    index = AliasIndex.build([(1, 1, "Walker Trish"), (2, 2, "Trish Walker")])
    assert index.best("trish walker").entity_id == 2
    assert index.best("walker trish").entity_id == 1
    assert index.search("trish walker")[1].score <= lookup.NEAR


def test_spacing_variants_match(index: AliasIndex) -> None:
    assert entity(index, "kill grave") == KILLGRAVE
    assert entity(index, "hell cat") == TRISH
    assert index.best("hell cat").score == lookup.NEAR
    index.add(9001, 99, "Spider-Man")
    assert entity(index, "spiderman") == 99
    assert entity(index, "spider man") == 99


def test_aliases_map_to_their_entity(index: AliasIndex) -> None:
    for key, entity_id, text in ROWS:
        hits = index.search(text, limit=10)
        assert any(h.key == key and h.entity_id == entity_id and h.text == text for h in hits)
        assert hits[0].score == 100.0


def test_one_hit_per_entity_best_first(index: AliasIndex) -> None:
    hits = index.search("killgrave", limit=10)
    ids = [h.entity_id for h in hits]
    assert len(ids) == len(set(ids))
    assert hits[0] == Hit(301, KILLGRAVE, "Killgrave", 100.0)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len(index.search("jessica", limit=2)) == 2
    assert index.search("jessica", limit=0) == []


def test_allow_filters_entities(index: AliasIndex) -> None:
    assert entity(index, "jessica jones") in (JJ_SHOW, JJ)
    hit = index.best("jessica jones", allow=lambda e: e == JJ)
    assert hit is not None and hit.entity_id == JJ
    assert index.best("jessica jones", allow=lambda e: e not in (JJ, JJ_SHOW)) is None
    hits = index.search("jessica", limit=10, allow=lambda e: e == JESSICA_LANGE)
    assert [h.entity_id for h in hits] == [JESSICA_LANGE]
    assert index.search("kilgrave", allow=lambda e: False) == []
    assert index.complete("jess", allow=lambda e: e == JESSICA_LANGE)[0].text == "Jessica Lange"


def test_allow_is_asked_once_per_entity(index: AliasIndex) -> None:
    asked: list[int] = []

    def allow(entity_id: int) -> bool:
        asked.append(entity_id)
        return True

    index.search("killgrave", limit=20, allow=allow)
    assert len(asked) == len(set(asked))


# ----------------------------------------------------------------- mutation


def test_add_and_remove_are_visible_at_once(index: AliasIndex) -> None:
    assert index.best("jeri hogarth") is None
    index.add(5001, 50, "Jeri Hogarth")
    assert entity(index, "jeri hogarth") == 50
    assert entity(index, "jeri hogart") == 50  # typos reach added words too
    assert entity(index, "hogarth jeri") == 50
    assert len(index) == len(ROWS) + 1

    index.remove(5001)
    assert index.best("jeri hogarth") is None
    assert all(h.key != 5001 for h in index.search("jeri hogarth", limit=50))
    assert len(index) == len(ROWS)

    index.add(5001, 51, "Jeri Hogarth")  # re-adding works, with the new entity
    assert entity(index, "jeri hogarth") == 51


def test_removing_a_built_alias(index: AliasIndex) -> None:
    index.remove(302)  # "Kilgrave"
    assert all(h.key != 302 for h in index.search("kilgrave", limit=50))
    assert index.best("kilgrave").text == "Killgrave"  # the other alias still answers
    for key in (301, 303, 304):
        index.remove(key)
    assert index.best("kilgrave") is None
    assert len(index) == len(ROWS) - 4
    index.add(302, KILLGRAVE, "Kilgrave")
    assert index.best("kilgrave").key == 302


def test_remove_of_an_absent_key_is_a_no_op(index: AliasIndex) -> None:
    index.remove(123456789)
    index.remove(-5)
    index.remove(2**70)
    index.remove(301)
    index.remove(301)
    assert len(index) == len(ROWS) - 1


def test_add_with_an_existing_key_replaces_the_alias(index: AliasIndex) -> None:
    index.add(403, TRISH, "Patsy")  # was "Hellcat"
    assert index.best("hellcat") is None
    assert entity(index, "patsy") == TRISH
    assert len(index) == len(ROWS)


def test_changes_survive_compaction(index: AliasIndex) -> None:
    index.add(5001, 50, "Jeri Hogarth")
    index.remove(301)
    index.compact()
    assert entity(index, "jeri hogarth") == 50
    assert all(h.key != 301 for h in index.search("killgrave", limit=50))
    assert len(index) == len(ROWS)
    index.remove(5001)  # and the compacted index keeps changing
    index.add(301, KILLGRAVE, "Killgrave")
    assert index.best("jeri hogarth") is None
    assert index.best("killgrave").key == 301


def test_automatic_compaction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.answering.lookup.delta._DELTA_MIN", 8)  # where compaction reads it
    index = AliasIndex.build(ROWS)
    names = ["".join(random.Random(i).choices(string.ascii_lowercase, k=10)) for i in range(40)]
    for i, name in enumerate(names):  # several compactions, adds and removals interleaved
        index.add(10_000 + i, 10_000 + i, f"Guest {name}")
        if i % 3 == 0:
            index.remove(10_000 + i)
    assert index._n0 > len(ROWS)  # it did compact
    for i, name in enumerate(names):
        hits = index.search(f"guest {name}", limit=50)
        if i % 3 == 0:
            assert all(h.key != 10_000 + i for h in hits)
        else:
            assert hits[0].key == 10_000 + i
            assert hits[0].score == 100.0
    assert index.best("jessica jones").entity_id in (JJ_SHOW, JJ)
    assert len(index) == len(ROWS) + 40 - 14


def test_an_index_built_by_adds_answers_like_a_built_one() -> None:
    built = AliasIndex.build(ROWS)
    added = AliasIndex()
    for row in ROWS:
        added.add(*row)
    for query in ["kilgrav", "jessika jones", "melisa rosenburg", "defnders", "walker trish"]:
        assert entity(added, query) == entity(built, query), query
    assert len(added) == len(built)


def test_build_keeps_the_last_row_of_a_repeated_key() -> None:
    index = AliasIndex.build([(1, 1, "Killgrave"), (1, 2, "Kilgrave")])
    assert len(index) == 1
    assert index.best("killgrave").entity_id == 2


def test_bad_rows_are_refused() -> None:
    with pytest.raises(ValueError):
        AliasIndex.build([(2**64, 1, "x")])
    with pytest.raises(TypeError):
        AliasIndex.build([(1, 1, None)])  # type: ignore[list-item]
    index = AliasIndex()
    with pytest.raises(ValueError):
        index.add(1, 2**63, "x")
    with pytest.raises(TypeError):
        index.add(1, 1, b"bytes")  # type: ignore[arg-type]


def test_empty_index() -> None:
    index = AliasIndex()
    assert len(index) == 0
    assert index.search("anything") == []
    assert index.best("anything") is None
    assert index.complete("any") == []
    index.add(1, 1, "Anything")
    assert index.best("anything").entity_id == 1
    assert AliasIndex.build([]).search("x") == []


def test_odd_aliases() -> None:
    rows = [(1, 1, "🙂"), (2, 2, "S.H.I.E.L.D."), (3, 3, "Pokémon"), (4, 4, "9-1-1"), (5, 5, "A")]
    index = AliasIndex.build(rows)
    assert entity(index, "agents of shield") is None
    assert entity(index, "shield") == 2
    assert entity(index, "pokemon") == 3
    assert entity(index, "POKÉMON!") == 3
    assert entity(index, "9 1 1") == 4
    assert entity(index, "a") == 5
    assert index.search("🙂") == []


# ----------------------------------------------------------------- autocomplete


def test_complete(index: AliasIndex) -> None:
    texts = [h.text for h in index.complete("jess")]
    assert texts[0] == "Jessica Jones"
    assert "Jessica Lange" in texts
    assert {h.text for h in index.complete("jessica j")} == {"Jessica Jones"}
    assert {h.entity_id for h in index.complete("jessica j")} == {JJ_SHOW, JJ}
    assert [h.text for h in index.complete("jessica l")] == ["Jessica Lange"]
    assert {h.entity_id for h in index.complete("kil")} == {KILLGRAVE}
    assert index.complete("Jessica Jones")[0].score == 100.0


def test_complete_matches_any_word_and_leads_with_the_first(index: AliasIndex) -> None:
    texts = [h.text for h in index.complete("walk")]
    assert texts[0] == "Walker, Texas Ranger"  # starts with "walk"
    assert texts[1] in ("Trish Walker", "Patsy Walker")  # one of the entity's aliases...
    assert len(texts) == 2  # ...and only one
    assert [h.text for h in index.complete("purple")] == ["The Purple Man"]


def test_complete_one_hit_per_entity_and_limit(index: AliasIndex) -> None:
    hits = index.complete("j", limit=25)
    assert len({h.entity_id for h in hits}) == len(hits)
    assert len(index.complete("j", limit=2)) == 2


def test_complete_trailing_space_finishes_the_word(index: AliasIndex) -> None:
    assert index.complete("trish")[0].text == "Trish"
    assert [h.text for h in index.complete("trish ")] == ["Trish"]  # one per entity
    assert index.complete("kill")[0].text == "Killgrave"
    # "kill" is no word of its own: finished, it can only be a typo (fuzzy fallback).
    assert all(h.score < 100 for h in index.complete("kill "))


def test_complete_falls_back_to_fuzzy_for_typos(index: AliasIndex) -> None:
    assert index.complete("jesica jon")[0].entity_id in (JJ_SHOW, JJ)
    assert index.complete("qqqqzz") == []


def test_complete_sees_changes(index: AliasIndex) -> None:
    index.add(5001, 50, "Jeri Hogarth")
    assert index.complete("hog")[0].text == "Jeri Hogarth"
    assert index.complete("jeri h")[0].text == "Jeri Hogarth"
    index.remove(5001)
    assert index.complete("hog") == []


# ----------------------------------------------------------------- properties


@settings(max_examples=150, deadline=None)
@given(st.text(ANY_CHAR, max_size=60))
def test_queries_never_raise_and_scores_are_bounded(query: str) -> None:
    index = _SHARED
    hits = index.search(query, limit=5)
    assert len({h.entity_id for h in hits}) == len(hits) <= 5
    assert all(0.0 <= h.score <= 100.0 for h in hits)
    best = index.best(query)
    assert best is None or best.score >= CUTOFF
    completions = index.complete(query)
    assert all(0.0 <= h.score <= 100.0 for h in completions)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(ANY_CHAR, max_size=20), max_size=6), st.text(ANY_CHAR, max_size=30))
def test_any_aliases_can_be_indexed_and_found(texts: list[str], query: str) -> None:
    rows = [(i, i % 3, t) for i, t in enumerate(texts)]
    built = AliasIndex.build(rows)
    grown = AliasIndex()
    for row in rows:
        grown.add(*row)
    for index in (built, grown):
        for key, _, text in rows:
            hits = index.search(text, limit=10)
            if hits and hits[0].score == 100.0:
                assert any(h.entity_id == key % 3 for h in hits)
        assert all(0.0 <= h.score <= 100.0 for h in index.search(query))
        index.complete(query)


def test_huge_queries_are_cheap(index: AliasIndex) -> None:
    for query in ("jessica " * 20_000, "x" * 100_000, "🙂" * 50_000, "a.b." * 25_000):
        index.search(query)
        index.best(query)
        index.complete(query)


_SHARED = AliasIndex.build(ROWS)


def test_words_looked_up_and_missed_are_found_once_added() -> None:
    """The vocabulary remembers base words it did not find (Vocabulary.get); a word an
    edit brings later counts all the same: the edited index answers as a rebuild does."""
    rows = [(1, 10, "Alpha Centauri"), (2, 20, "Beta Pictoris")]
    index = AliasIndex.build(rows)
    asked = ["zorblaxian", "empire zorblaxian", "zorblaxan", "zorblaxian centauri"]
    for q in asked:
        assert index.best(q) is None
        assert index.best(q) is None  # the misses are remembered
    index.add(3, 30, "Zorblaxian Empire")
    assert "zorblaxian" in index._wid  # a word now, though remembered as none
    rebuilt = AliasIndex.build([*rows, (3, 30, "Zorblaxian Empire")])
    for q in asked:
        assert index.search(q) == rebuilt.search(q) != []
    index.remove(3)
    index.compact()  # a rebuild: the remembered words start afresh
    assert index.best("zorblaxian") is None
    index.add(4, 40, "Zorblaxian")
    assert (hit := index.best("zorblaxian")) is not None and hit.entity_id == 40


@settings(max_examples=60, deadline=None)
@given(
    names=st.lists(
        st.lists(
            st.sampled_from(["mara", "vance", "ortega", "blue", "the", "doctor"]),
            min_size=1,
            max_size=3,
        ),
        min_size=2,
        max_size=30,
    ),
    query=st.lists(
        st.sampled_from(["mara", "vanse", "ortga", "blue", "docter", "show", "zq"]),
        min_size=1,
        max_size=4,
    ),
    banned=st.sets(st.integers(0, 9), max_size=5),
)
@example(
    names=[["vance", "mara"], ["blue"], ["mara", "vance"]], query=["mara", "vanse"], banned=set()
)
@example(  # more ties than a group holds, the whole first group not allowed
    names=[["mara", "vance"]] * 12, query=["mara", "vanse"], banned={0, 2, 3, 4, 5, 6, 7, 8}
)
def test_best_is_the_first_search_hit_that_clears_the_cutoff(
    names: list[list[str]], query: list[str], banned: set[int]
) -> None:
    """Asked for one hit, a search ranks only the first group of equal scores
    (AliasIndex._top): best() and search(limit=1) must pick what a longer search lists
    first, ties, filters and removals included."""
    index = AliasIndex.build([(k, k % 10, " ".join(n).title()) for k, n in enumerate(names)])
    index.remove(1)  # a removed alias counts nowhere
    q = " ".join(query)
    for allow in (None, lambda e: e not in banned):
        first = index.search(q, limit=3, allow=allow)[:1]
        assert index.search(q, limit=1, allow=allow) == first
        expected = first[0] if first and first[0].score >= CUTOFF else None
        assert index.best(q, allow=allow) == expected
