"""What is remembered to answer faster gives what working it out afresh gives, and is
forgotten after every kind of change that could make it differ."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answering.lookup import AliasIndex

WORD = st.text(alphabet="abcdeor", min_size=3, max_size=9)


def _fresh_neighbours(index: AliasIndex, t: str, alone: bool) -> tuple[tuple[int, float], ...]:
    return index._find_neighbours(t, index._word(t), alone)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(st.lists(WORD, min_size=1, max_size=3), min_size=1, max_size=40),
    asked=st.lists(st.lists(WORD, min_size=1, max_size=4), min_size=1, max_size=6),
)
def test_remembered_neighbours_search_as_a_fresh_index_does(
    names: list[list[str]], asked: list[list[str]]
) -> None:
    rows = [(i, i, " ".join(n)) for i, n in enumerate(names)]
    warm = AliasIndex.build(rows)
    for query in asked:  # every query's words remembered, some twice
        warm.search(" ".join(query), limit=5)
    for query in asked:
        text = " ".join(query)
        cold = AliasIndex.build(rows)
        assert warm.search(text, limit=5) == cold.search(text, limit=5)
        for t in query:
            for alone in (False, True):
                assert warm._neighbours(t, warm._word(t), alone) == _fresh_neighbours(
                    cold, t, alone
                )


def test_neighbours_are_forgotten_when_aliases_are_added_or_removed() -> None:
    index = AliasIndex.build([(1, 1, "Jessica Jones"), (2, 2, "Luke Cage")])
    jessica = index._word("jessica")
    assert [w for w, _ in index._neighbours("jesica", None, True)] == [jessica]
    index.add(3, 3, "Jesicca Walker")  # a new word one edit from what is asked
    assert {index._words[w] for w, _ in index._neighbours("jesica", None, True)} == {
        "jessica",
        "jesicca",
    }
    assert index._neighbours("jesica", None, True) == _fresh_neighbours(index, "jesica", True)
    index.remove(1)  # no alias says "jessica" any more: it is nobody's neighbour
    assert {index._words[w] for w, _ in index._neighbours("jesica", None, True)} == {"jesicca"}
    rebuilt = AliasIndex.build([(2, 2, "Luke Cage"), (3, 3, "Jesicca Walker")])
    assert index.search("jesica walker", limit=3) == rebuilt.search("jesica walker", limit=3)
