"""The vocabulary: every distinct word of the aliases, sorted, and strings kept as one
UTF-8 buffer plus offsets (about a byte a letter, and mappable from the snapshot file:
no Python string per word or alias until one is read).
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import itemgetter

import numpy as np

from bot.answering.lookup.keys import hash_table, table_buckets, table_find, text_hash

_CACHE = 1 << 14  # words remembered by Vocabulary.get (a query looks up a dozen)


class Strings:
    """A read-only sequence of strings: item i is buf[off[i]:off[i + 1]] as UTF-8."""

    __slots__ = ("_buf", "_n", "_off", "_offv")

    def __init__(self, buf: bytes | memoryview, off: np.ndarray) -> None:
        self._buf = buf
        self._off = off
        self._offv = off.data  # reads single offsets as Python ints, fast
        self._n = len(off) - 1

    @classmethod
    def of(cls, strings: list[str]) -> Strings:
        lens = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
        for i, s in enumerate(strings):
            if not s.isascii():
                lens[i] = len(s.encode("utf-8", "surrogatepass"))
        off = np.zeros(len(strings) + 1, dtype=np.int64)
        np.cumsum(lens, out=off[1:])
        return cls("".join(strings).encode("utf-8", "surrogatepass"), off)

    @property
    def buffer(self) -> bytes | memoryview:
        return self._buf

    @property
    def offsets(self) -> np.ndarray:
        return self._off

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: int) -> str:
        offv = self._offv
        return str(self._buf[offv[i] : offv[i + 1]], "utf-8", "surrogatepass")

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(self._n))


class Vocabulary:
    """Word id -> word, and word -> id, for the build's words (sorted, so that the words
    sharing a prefix are an id range) and the words edits brought since (ids from v0 on,
    in order of arrival)."""

    __slots__ = ("_buckets", "_cache", "_new", "_tv", "_v0", "base", "extra", "table")

    def __init__(self, base: Strings, table: np.ndarray | None = None) -> None:
        self.base = base
        self._v0 = len(base)
        # text_hash(word) << 32 | id, sorted: word -> id without a dict of every word.
        self.table = hash_table(base, np.arange(self._v0)) if table is None else table
        self._tv = self.table.data
        self._buckets = table_buckets(self.table)
        self.extra: list[str] = []
        self._new: dict[str, int] = {}
        # Base words looked up lately, found (their id) or not (None): the base never changes.
        self._cache: dict[str, int | None] = {}

    def __len__(self) -> int:
        return self._v0 + len(self.extra)

    def __getitem__(self, w: int) -> str:
        return self.base[w] if w < self._v0 else self.extra[w - self._v0]

    def get(self, word: str) -> int | None:
        """The id of `word`, or None."""
        w = self._new.get(word)
        if w is not None or not self._v0:
            return w
        w = self._cache.get(word, -1)
        if w != -1:
            return w
        for w in table_find(self._tv, text_hash(word), self._buckets):
            if self.base[w] == word:
                break
        else:
            w = None
        if len(self._cache) >= _CACHE:
            self._cache.clear()
        self._cache[word] = w  # a word not in the base never will be: None is kept too
        return w

    def __contains__(self, word: str) -> bool:
        return self.get(word) is not None

    def ids(self) -> _WordIds:
        return _WordIds(self)

    def append(self, word: str) -> int:
        w = len(self)
        self.extra.append(word)
        self._new[word] = w
        return w


class _WordIds:
    """A read view of word -> id (``index._wid["john"]``)."""

    __slots__ = ("_vocab", "get")

    def __init__(self, vocab: Vocabulary) -> None:
        self._vocab = vocab
        self.get = vocab.get

    def __getitem__(self, word: str) -> int:
        w = self._vocab.get(word)
        if w is None:
            raise KeyError(word)
        return w

    def __contains__(self, word: str) -> bool:
        return self._vocab.get(word) is not None


def _word_ids(flat: list[str]) -> tuple[list[str], np.ndarray]:
    """The distinct words, sorted (so that the words sharing a prefix are an id range),
    and the id of each word in `flat`.

    Grouping by Python's hash (packed with the position, since numpy sorts plain
    integers ~10x faster than it argsorts) avoids a dict lookup per word; two distinct
    words would need the same 64-bit hash to be confused.
    """
    n = len(flat)
    if not n:
        return [], np.zeros(0, dtype=np.int32)
    h = np.fromiter(map(hash, flat), dtype=np.int64, count=n).view(np.uint64)
    bits = max(24, n.bit_length())
    packed = np.sort((h >> np.uint64(bits) << np.uint64(bits)) | np.arange(n, dtype=np.uint64))
    order = (packed & np.uint64((1 << bits) - 1)).astype(np.int64)
    hs = h[order]
    if (np.diff(packed >> np.uint64(bits)) == 0).sum() != (np.diff(hs) == 0).sum():
        order = np.argsort(h, kind="stable")  # two words share the packed hash bits
        hs = h[order]
    start = np.empty(n, dtype=bool)
    start[0] = True
    np.not_equal(hs[1:], hs[:-1], out=start[1:])
    group = np.cumsum(start) - 1  # hash-order id of each word in `order`
    reps = list(itemgetter(*order[start].tolist())(flat)) if start.sum() > 1 else [flat[order[0]]]
    longest = max(map(len, reps))
    if longest <= 32:  # a numpy string array is then small, and sorts fastest
        alpha = np.argsort(np.array(reps)).tolist()
    else:
        alpha = sorted(range(len(reps)), key=reps.__getitem__)
    rank = np.empty(len(reps), dtype=np.int32)
    rank[alpha] = np.arange(len(reps), dtype=np.int32)
    ids = np.empty(n, dtype=np.int32)
    ids[order] = rank[group]
    words = list(itemgetter(*alpha)(reps)) if len(reps) > 1 else reps
    return words, ids
