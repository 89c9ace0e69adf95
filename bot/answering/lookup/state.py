"""What an AliasIndex holds, declared once for the mixins that share it (scoring,
completion, delta): the base arrays, the delta's lists and dicts, the counters, and the
methods one part of the index calls on another. Declarations only: index.py sets them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import count
from typing import TYPE_CHECKING, Self

import numpy as np

from bot.answering.lookup.keys import Buckets
from bot.answering.lookup.vocab import Vocabulary, _WordIds

# Every edit of any index takes the next number: a cache of answers keyed by an index's
# `generation` can never mistake another state (a compaction's fresh build included).
GENERATIONS = count(1)


class IndexState:
    """The attributes of AliasIndex (see index.py's _init_base, _init_delta, _views)."""

    # Counts: aliases and words in the base (n0, v0), alias ids given out (n), live
    # aliases, removed ones, and changes since the build (churn).
    _n0: int
    _v0: int
    _n: int
    _live: int
    _ndead: int
    _churn: int
    _stale: bool  # word weights to recompute before the next query (_refresh)
    generation: int  # changes whenever the aliases may have (see GENERATIONS)
    # A query word's typo neighbours, (word, alone) -> (word id, similarity)s, of one
    # generation (see Scoring._neighbours).
    _near_memo: tuple[int, dict[tuple[str, bool], tuple[tuple[int, float], ...]]]

    # The base (see index.py): typo keys, texts, words, postings, forward lists.
    _dk: np.ndarray
    _wbits: int
    _dbits: int
    _dboff: np.ndarray
    _buf: bytes | memoryview
    _toff: np.ndarray
    _pos: np.ndarray
    _ex: np.ndarray
    _words: Vocabulary
    _wid: _WordIds
    _post: np.ndarray
    _poff: np.ndarray
    _fwd: np.ndarray
    _foff: np.ndarray
    _pw: np.ndarray | None
    _k_sorted: np.ndarray | None
    _k_ids: np.ndarray | None
    # Per alias and per word, grown by the delta.
    _key: np.ndarray
    _ent: np.ndarray
    _wa: np.ndarray
    _tn: np.ndarray
    _dead: np.ndarray
    _wt: np.ndarray
    _dfl: np.ndarray
    _noise_ids: list[int]

    # The delta (see delta.py).
    _dtext: list[str]
    _dfwd: list[list[int]]
    _dflat_a: list[int]
    _dflat_w: list[int]
    _dpost: dict[int, list[int]]
    _dpost_np: dict[int, np.ndarray]
    _ddel: dict[int, list[int]]
    _dex: dict[str, list[int]]
    _dkeys: dict[int, int]

    # memoryviews of the arrays above (single elements as Python numbers, fast).
    _ent_v: memoryview
    _key_v: memoryview
    _dead_v: memoryview
    _wt_v: memoryview
    _poff_v: memoryview
    _toff_v: memoryview
    _pos_v: memoryview
    _dk_v: memoryview
    _dboff_v: memoryview
    _ex_v: memoryview
    _ex_buckets: Buckets | None
    _tn_v: memoryview
    _dfl_v: memoryview

    if TYPE_CHECKING:
        # Defined by AliasIndex (index.py), or by one mixin for the others (_refresh).

        @classmethod
        def build(cls, rows: Iterable[tuple[int, int, str]]) -> Self: ...

        def _views(self) -> None: ...

        def _text(self, aid: int) -> str: ...

        def _word(self, t: str) -> int | None: ...

        def _df(self, w: int) -> int: ...

        def _head(self, w: int, k: int) -> np.ndarray: ...

        def _postings(self, w: int) -> np.ndarray: ...

        def _canonical(self, ids: np.ndarray) -> np.ndarray: ...

        def _ranked(
            self, ids: np.ndarray, scores: np.ndarray, first: int
        ) -> Iterator[tuple[int, float]]: ...

        def _refresh(self) -> None: ...
