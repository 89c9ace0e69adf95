"""The typo search's two lookups give what a plain scan gives: _probe (a binary search
inside each key's bucket, or numpy for many keys) finds exactly the words whose
deletion entries share a key's prefix, and _verify's distances, measured one call per
candidate word for a few and by cdist for many, are the same."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from bot.answering.lookup import AliasIndex, scoring
from bot.answering.lookup.keys import _query_keys, _query_keys2

WORD = st.text(alphabet="abcdeéor", min_size=3, max_size=11)


def scanned(index: AliasIndex, keys: list[int]) -> set[int]:
    wbits = index._wbits
    entries = index._dk.tolist()
    prefixes = {k >> wbits for k in keys}
    return {e & ((1 << wbits) - 1) for e in entries if e >> wbits in prefixes}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(WORD, min_size=1, max_size=60), asked=st.lists(WORD, min_size=1, max_size=6))
def test_probe_finds_what_a_scan_finds(words: list[str], asked: list[str]) -> None:
    index = AliasIndex.build([(i, i, w) for i, w in enumerate(words)])
    for t in asked + words[:3]:
        one = _query_keys(t, 1)
        assert index._probe(one) == scanned(index, one)
        two = _query_keys2(t)
        assert index._probe(two) == index._probe(two.tolist()) == scanned(index, two.tolist())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(WORD, min_size=1, max_size=80, unique=True), asked=WORD)
def test_verify_measures_alike_one_call_each_or_by_cdist(words: list[str], asked: str) -> None:
    index = AliasIndex.build([(i, i, w) for i, w in enumerate(words)])
    found = {w for t in words if (w := index._word(t)) is not None}
    known = index._word(asked)
    one_each = index._verify(asked, found, known)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(scoring, "_FEW_CANDIDATES", -1)  # cdist always
        by_cdist = index._verify(asked, found, known)
    assert sorted(one_each) == sorted(by_cdist)
    # ...and both keep every word within reach, as the distance says.
    for near in one_each:
        assert near.edits == OSA.distance(asked, near.text) <= 2
