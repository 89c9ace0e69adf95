"""Fuzzy lookup of aliases (names of shows, characters, people...) for fans' questions.

Design, in short:

- Every alias is normalised (``bot.text.normalize``) and split into words. A word-level
  inverted index (numpy CSR: word id -> sorted alias ids) finds the aliases that share
  words with a query. Alias ids go fewest words, then shortest, then by key first (the
  canonical order), so a truncated posting list keeps the aliases most likely to be
  meant, and equal scores prefer the shorter alias. Word ids go in sorted order, so the
  words with a prefix are an id range (complete()).
- Typos are caught per word, SymSpell style: every vocabulary word, its one-deletion
  variants and (8-10 letters) its two-deletion variants are hashed into one sorted
  uint64 array (hash bits | word id), bucketed by the top bits. A query word's own
  variants are looked up there and the candidates checked with an OSA (Damerau)
  distance: one edit for words up to 7 letters, two for longer ones. A query word that
  is a known word itself keeps it, and looks for neighbours only if nothing convincing
  comes out (a typo that lands on another name is rarer than that name being meant).
- Scoring is a weighted Dice over words: the matched weight (IDF x word similarity)
  twice, over the weight of the query's words plus the alias's words. Rare words decide,
  common ones ("the", "john") count little, question leftovers ("actor", "show",
  "season": NOISE) a tenth, and a word found in no alias half the rarest word's weight,
  so "kilgrave actor" finds Kilgrave while "maria quorlan" does not become "Maria".
  Word order is not scored (letter-by-letter likeness breaks ties). Only an exact
  normalised match scores 100; anything else is capped at NEAR (97), so an exact match
  always wins by a clear margin.
- A query gathers the posting lists of its rarest words (a budget bounds them) and
  only checks the commoner words against those candidates (binary searches), which
  bounds the cost of "the" or "john".
- Additions go to a small mutable delta (dicts of lists) and removals to tombstones,
  on top of the numpy arrays; compact() folds them in (a rebuild) and runs by itself
  once the delta and removals outnumber a quarter of the base (and at least 4096).
- Answers depend on the live aliases only, never on the history of edits or the order
  rows came in: two processes on the same data, or one before and after a restart,
  answer alike (tests/unit/test_index_history.py). Word weights come from live counts
  (an edit marks them stale; the next query recomputes them and the aliases' sums, in
  a build's order of operations, so the very same floats); a word all of whose aliases
  are gone is no word; ties (equal scores, truncated posting lists, similar words) go
  by the canonical order or the word's text, never by an id, since delta aliases and
  words get theirs in order of arrival.

The index lives in memory only (it relies on Python's per-process string hashes) and is
not thread-safe: query and mutate it from one thread (the event loop), or hold a lock
(the first query after edits writes too: it recomputes the weights).
"""

from __future__ import annotations

import bisect
import contextlib
import ctypes
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, compress, repeat
from operator import itemgetter

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.text import normalize, normalize_many

__all__ = ["CUTOFF", "NEAR", "NOISE", "AliasIndex", "Hit"]

# Below this a query is "unknown". A score is roughly the share of the query's and the
# alias's information that matches (IDF-weighted words, typos counted by similarity).
# At 75: one typo in a name scores 80-95 ("jessika jones" 93, "defnders" 91), two typos
# usually 75-90 ("kilgrav" vs "Killgrave" 87.5, "melisa rosenburg" 91), a name with
# leftovers 85+ ("jessica jones actress" 97, "melissa rosenberg showrunner" 85, an
# unknown leftover weighing more than a known one), while in the benchmark no absent
# name scores above ~72: a name sharing one word with an alias ("maria quorlan" vs
# "Maria" ~70, vs "Maria Quinn" ~40) or words 3+ edits from every alias word (no
# candidate at all). A name of 4 letters or fewer with a typo is most likely another
# name: "nuk" scores 72.9 against "Nuke" (suggested by search(), None from best()).
CUTOFF: float = 75.0
EXACT: float = 100.0
NEAR: float = 97.0  # the most anything but an exact normalised match scores

# Question leftovers and glue words. In a query they weigh a tenth of a name word and
# match only exactly; a query made of nothing else ("season finale") can only match an
# alias exactly. Aliases keep them ("The Defenders"), also at a tenth of the weight.
NOISE: frozenset[str] = frozenset(
    """
    a about actor actors actress actresses age air aired airs airing all alias also am an
    and any anything are arc as at aka backstory be been being born by called can cast
    character characters could de der did die do does done du el en episode episodes
    ending era et finale for from full go had has have he her him his how i if in info
    information is
    it its know la le les like los me more my name named names new nickname of old on
    or our pilot play played player playing plays please plot premiere real recap release
    released review role roles
    said say says season seasons see series she show shows so some spoiler spoilers
    story storyline tell than that the their them then there they this those to trailer tv
    u um uh up us was watch we were what whats when where which who whom whos why will
    with would ya you your
    """.split()
)
_NOISE_WEIGHT = 0.1
_UNKNOWN_WEIGHT = 0.5  # a word found in no alias, relative to the rarest word (see CUTOFF)
_SHORT = 4  # a typo in a word this short makes another word: similarity x 0.85
_SHORT_PENALTY = 0.85
_DEL2_MIN = 8  # words this long tolerate two edits...
_DEL2_MAX = 10  # ...but past this only the query's side has two-deletion variants (memory)
_MAXLEN = 24  # longer words only match exactly (and stay out of the deletion index)
_MAX_QUERY_WORDS = 12  # a subject is a handful of words; bounds the cost of a pasted novel
_MAX_PAIRS = 255  # (query word, matched word) pairs scored at most: a byte in _rank's sort
_MAX_FUZZY = 12  # similar words kept per query word: fewest edits, then most frequent
_RARER = 20  # a query word that is a word itself ignores neighbours this much rarer
_BUDGET = 4096  # alias ids gathered from one posting list at most; bounds p99
_MERGE = 512  # more words' lists are merged (a sort) only while they add up to this
_PRUNE = 512  # beyond this many candidates, drop those lacking the next word but shortest
_SECOND_LOOK = CUTOFF  # below this best score, known query words also look for neighbours
_COMPLETE_BUDGET = 4096  # the same for complete(), which needs fewer candidates
_TIES = 8  # equally scored hits put in order by their text, at most this many at a time
_SELECT = 64  # candidates ranked per round when picking the best hit per entity
_DELTA_MIN = 4096  # delta size (adds + removals) that never triggers a compaction
_COMPLETE_FUZZY_FLOOR = 60.0  # complete() falls back to search() hits at least this good

# H(s) = sum c_k P^(k+1) mod 2^64 over code points c_k, so every deletion variant's hash
# follows from prefix sums (see _query_keys). The exponent starts at 1 so that even a
# 2-letter variant's top bits, which pick its bucket, depend on every letter.
_MASK = (1 << 64) - 1
_P = 0x9E3779B97F4A7C15
_PINV = pow(_P, -1, 1 << 64)
_PINV2 = (_PINV * _PINV) & _MASK
_PPOW = [pow(_P, k + 1, 1 << 64) for k in range(_MAXLEN)]
_PPOW_NP = np.array(_PPOW, dtype=np.uint64)
_PINV_NP, _PINV2_NP = np.uint64(_PINV), np.uint64(_PINV2)
_EMPTY_I32 = np.zeros(0, dtype=np.int32)
_EMPTY_F64 = np.zeros(0, dtype=np.float64)
_I64_MIN, _I64_MAX = -(1 << 63), (1 << 63) - 1


def _query_keys(word: str, level: int) -> list[int]:
    """Hashes of a word's variants: level 1 is the word and (4+ letters) its one-deletion
    variants, level 2 its two-deletion variants. H(s) = sum c_k P^(k+1) over the code
    points; with prefix sums C_m = sum_{k<m}, deleting position i gives
    C_i + P^-1 (C_n - C_{i+1}), and deleting i < j gives
    C_i + P^-1 (C_j - C_{i+1}) + P^-2 (C_n - C_{j+1}). (_build_deletions is the same in
    numpy, for the whole vocabulary at once.)"""
    n = len(word)
    c = [0]
    acc = 0
    for ch, p in zip(word, _PPOW, strict=False):
        acc = (acc + ord(ch) * p) & _MASK
        c.append(acc)
    if level == 1:
        if n < _SHORT:
            return [acc]
        return [acc, *((c[i] + _PINV * (acc - c[i + 1])) & _MASK for i in range(n))]
    out: list[int] = []
    for j in range(1, n):
        tail = _PINV2 * (acc - c[j + 1])
        cj = c[j]
        out.extend((c[i] + _PINV * (cj - c[i + 1]) + tail) & _MASK for i in range(j))
    return out


_TRIU: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}


def _query_keys2(word: str) -> np.ndarray:
    """_query_keys(word, 2) in numpy: a long word has dozens of them."""
    n = len(word)
    if n not in _TRIU:
        i, j = np.triu_indices(n, 1)
        _TRIU[n] = (i, j, i + 1, j + 1)
    i, j, i1, j1 = _TRIU[n]
    c = np.zeros(n + 1, dtype=np.uint64)
    cp = np.frombuffer(word.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    np.cumsum(cp * _PPOW_NP[:n], out=c[1:])
    return c[i] + _PINV_NP * (c[j] - c[i1]) + _PINV2_NP * (c[n] - c[j1])


def _index_keys(word: str) -> list[int]:
    """The hashes a vocabulary word is found under (see _build_deletions)."""
    if not 3 <= len(word) <= _MAXLEN:
        return []
    keys = _query_keys(word, 1)
    if _DEL2_MIN <= len(word) <= _DEL2_MAX:
        keys += _query_keys(word, 2)
    return keys


def _build_deletions(words: list[str]) -> tuple[np.ndarray, int]:
    """The hashes of every word of 3.._MAXLEN letters, of its one-deletion variants
    (from 4 letters: a 3-letter word's are never looked up) and, from _DEL2_MIN to
    _DEL2_MAX letters, of its two-deletion variants (past that, for memory, only the
    query's side has them); each with its low `wbits` bits replaced by the word's id,
    sorted. Returns them and `wbits`. Same hashes as _query_keys, a length at a time."""
    wbits = max(22, len(words).bit_length())
    lens = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    parts = []
    for n in range(3, _MAXLEN + 1):
        ids = np.flatnonzero(lens == n)
        if not len(ids):
            continue
        group = "".join(itemgetter(*ids)(words)) if len(ids) > 1 else words[ids[0]]
        cp = np.frombuffer(group.encode("utf-32-le"), dtype="<u4").reshape(len(ids), n)
        c = np.zeros((len(ids), n + 1), dtype=np.uint64)
        np.cumsum(cp.astype(np.uint64) * _PPOW_NP[:n], axis=1, out=c[:, 1:])
        tot = c[:, n:]
        cols = [tot]
        if n >= _SHORT:
            cols.append(c[:, :n] + _PINV_NP * (tot - c[:, 1:]))
        if _DEL2_MIN <= n <= _DEL2_MAX:
            i, j = np.triu_indices(n, 1)
            del2 = c[:, i] + _PINV_NP * (c[:, j] - c[:, i + 1])
            cols.append(del2 + _PINV2_NP * (tot - c[:, j + 1]))
        keys = np.concatenate(cols, axis=1)
        keys >>= np.uint64(wbits)
        keys <<= np.uint64(wbits)
        keys |= ids[:, None].astype(np.uint64)
        parts.append(keys.ravel())
    if not parts:
        return np.zeros(0, dtype=np.uint64), wbits
    keys = np.sort(np.concatenate(parts))
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))], wbits  # "anna": 2x "ana"


def _bucket_offsets(sorted_keys: np.ndarray, bits: int) -> np.ndarray:
    """Start of each bucket (the top `bits` bits) in the sorted keys, plus the end."""
    offsets = np.zeros((1 << bits) + 1, dtype=np.int64)
    buckets = (sorted_keys >> np.uint64(64 - bits)).astype(np.int64)
    np.cumsum(np.bincount(buckets, minlength=1 << bits), out=offsets[1:])
    return offsets


def _idf(df: int, n: int) -> float:
    return math.log1p((n - df + 0.5) / (df + 0.5))


def _weights(df: np.ndarray, n: int, noise_ids: list[int]) -> np.ndarray:
    """Each word's weight (IDF) from its count of live aliases `df` among `n`; question
    leftovers a tenth. Computed through a table by count, so that the same counts give
    the same floats however the words are numbered (a build, or edits since one)."""
    n = max(n, 1)
    k = np.arange(int(df.max()) + 1 if len(df) else 1, dtype=np.float64)
    weight = np.log1p((n - k + 0.5) / (k + 0.5))[df]
    if noise_ids:
        weight[noise_ids] *= _NOISE_WEIGHT
    return weight


def _word_similarity(a: str, b: str, dist: int, alone: bool) -> float:
    """0..1. OSA counts a swap of neighbours as one edit; Indel (fuzz.ratio) is kinder
    to an inserted or dropped letter. Take the kinder of the two. A short word `alone`
    (the whole name) with a typo is most likely another name: penalised."""
    sim = max(fuzz.ratio(a, b) / 100.0, 1.0 - dist / max(len(a), len(b)))
    if alone and min(len(a), len(b)) <= _SHORT:
        sim *= _SHORT_PENALTY
    return sim


def _max_edits(a: str, b: str) -> int:
    if min(len(a), len(b)) <= 2:
        return 0
    return 2 if max(len(a), len(b)) >= _DEL2_MIN else 1


def _ranges(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flat positions of the half-open ranges [lo, hi) and which range each came from."""
    counts = hi - lo
    owner = np.repeat(np.arange(len(lo)), counts)
    starts = np.cumsum(counts) - counts
    return np.arange(int(counts.sum())) - np.repeat(starts - lo, counts), owner


@dataclass(frozen=True, slots=True)
class Hit:
    key: int  # the alias key given at add time
    entity_id: int
    text: str  # the alias text as given (original case)
    score: float  # 0..100, higher is better; 100 for an exact normalised match


class AliasIndex:
    """Aliases -> entities, found by fuzzy, word-order-insensitive questions."""

    def __init__(self) -> None:
        self._init_base(_int64s([]), _int64s([]), [])

    # ------------------------------------------------------------------ building

    @classmethod
    def build(cls, rows: Iterable[tuple[int, int, str]]) -> AliasIndex:
        """A new index of (key, entity_id, text) rows; a repeated key keeps its last row."""
        rows = rows if isinstance(rows, list) else list(rows)
        keys = [r[0] for r in rows]
        ents = [r[1] for r in rows]
        texts = [r[2] for r in rows]
        key_arr = _int64s(keys)
        sk = np.sort(key_arr)
        if len(sk) and (sk[1:] == sk[:-1]).any():
            last = sorted({k: i for i, k in enumerate(keys)}.values())
            ents, texts = [ents[i] for i in last], [texts[i] for i in last]
            key_arr = key_arr[last]
        if not set(map(type, texts)) <= {str}:
            raise TypeError("alias texts must be str")
        index = cls.__new__(cls)
        index._init_base(key_arr, _int64s(ents), texts)
        del keys, ents, texts, key_arr
        _release_memory()
        return index

    def _init_base(self, keys: np.ndarray, ents: np.ndarray, texts: list[str]) -> None:
        n = len(texts)
        norms = normalize_many(texts)
        nlen = np.fromiter(map(len, norms), dtype=np.int64, count=n)
        ntok = np.fromiter(map(str.count, norms, repeat(" ")), dtype=np.int64, count=n)
        ntok += nlen > 0
        # Internal ids go fewest words, then shortest, then by key (the canonical order,
        # see _canon): truncated posting lists and equal scores favour the aliases closest
        # to a short query, and never depend on the order rows came in. `pos` maps an id
        # to its row as given (the text buffer's order), `new` the other way.
        # (numpy sorts plain integers several times faster than it argsorts, hence the
        # packing of each row's rank by key; a stable argsort of keys that come in a few
        # ascending runs, as the store gives them, is nearly linear.)
        tn = (np.minimum(ntok, 255) << 24) | np.minimum(nlen, (1 << 24) - 1)
        by_key = np.argsort(keys, kind="stable")
        rank = np.empty(n, dtype=np.int64)
        rank[by_key] = np.arange(n)
        pos = by_key[np.sort((tn << 32) | rank) & 0xFFFFFFFF]
        del by_key, rank
        new = np.empty(n, dtype=np.int64)
        new[pos] = np.arange(n)

        words, tok_word = _word_ids(" ".join(norms).split())
        nv = len(words)
        tok_alias = np.repeat(new, ntok)  # the (new) alias id of each word, in row order
        order = np.sort((tok_alias << 32) | np.arange(len(tok_alias))) & 0xFFFFFFFF
        fwd = tok_word[order]
        del order
        foff = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(ntok[pos], out=foff[1:])
        pairs = np.sort((tok_word.astype(np.int64) << 32) | tok_alias)
        del tok_word, tok_alias
        if len(pairs):  # a word twice in one alias counts once
            pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
        pw = pairs >> 32
        post = (pairs & 0xFFFFFFFF).astype(np.int32)
        del pairs
        df = np.bincount(pw, minlength=nv)
        poff = np.zeros(nv + 1, dtype=np.int64)
        np.cumsum(df, out=poff[1:])
        noise_ids = []
        for w in sorted(NOISE):
            i = bisect.bisect_left(words, w)
            if i < nv and words[i] == w:
                noise_ids.append(i)
        weight = _weights(df, n, noise_ids)
        wa = np.bincount(post, weights=weight[pw], minlength=n).astype(np.float64, copy=False)
        del pw  # (an empty bincount is of integers: the delta's weights must not be)

        self._dk, self._wbits = _build_deletions(words)
        self._dbits = max(1, len(self._dk).bit_length() - 2)  # ~2-4 entries per bucket
        self._dboff = _bucket_offsets(self._dk, self._dbits)

        blen = np.fromiter(map(len, texts), dtype=np.int64, count=n)
        for i in compress(range(n), [not a for a in map(str.isascii, texts)]):
            blen[i] = len(texts[i].encode("utf-8", "surrogatepass"))
        toff = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(blen, out=toff[1:])
        self._buf = "".join(texts).encode("utf-8", "surrogatepass")
        self._toff, self._pos = toff, pos
        self._ex = _hash_table(norms, new)
        # The words are still the strings split from the aliases, scattered among the
        # freed ones; fresh copies, made once those are gone, let the allocator hand the
        # build's transient memory back to the system (~100 MB at 1M aliases).
        blob = "\n".join(words)
        del norms, words
        words = blob.split("\n") if blob else []
        del blob

        self._n0, self._v0 = n, nv
        self._words, self._wid = words, dict(zip(words, range(nv), strict=True))
        self._post, self._poff, self._fwd, self._foff = post, poff, fwd, foff
        self._k_sorted: np.ndarray | None = None  # made by the first remove()
        # Per alias (base ids, then delta ids) and per word (base words, then new ones);
        # these grow when the delta does.
        self._n = n
        self._key = keys[pos]
        self._ent = ents[pos]
        self._wa = wa
        self._tn = tn[pos]
        self._dead = np.zeros(n, dtype=bool)
        # Word weights follow the live aliases: `_dfl` counts each word's live aliases,
        # and an edit marks the weights (`_wt`, and the aliases' sums `_wa`) stale, to be
        # recomputed from the counts before the next query (_refresh), exactly as a
        # build of the same rows computes them.
        self._wt = weight
        self._dfl = df
        self._noise_ids = noise_ids
        self._stale = False
        self._pw: np.ndarray | None = None  # each posting's word, made by a _refresh()
        self._live = n
        self._ndead = 0
        self._churn = 0  # delta aliases + removed base aliases since the build
        # The delta: aliases added since the build, and the words they brought.
        self._dtext: list[str] = []
        self._dfwd: list[list[int]] = []
        # Each delta alias's distinct words, in text order (as a build sums their weights).
        self._dflat_a: list[int] = []
        self._dflat_w: list[int] = []
        self._dpost: dict[int, list[int]] = {}
        self._dpost_np: dict[int, np.ndarray] = {}
        self._ddel: dict[int, list[int]] = {}
        self._dex: dict[str, list[int]] = {}
        self._dkeys: dict[int, int] = {}
        self._views()

    def _views(self) -> None:
        # memoryviews read single elements as Python numbers ~5x faster than numpy does.
        self._ent_v, self._key_v, self._dead_v = (
            memoryview(self._ent),
            memoryview(self._key),
            memoryview(self._dead),
        )
        self._wt_v, self._poff_v, self._toff_v, self._pos_v = (
            memoryview(self._wt),
            memoryview(self._poff),
            memoryview(self._toff),
            memoryview(self._pos),
        )
        self._dk_v, self._dboff_v = memoryview(self._dk), memoryview(self._dboff)
        self._ex_v = memoryview(self._ex)
        self._tn_v, self._dfl_v = memoryview(self._tn), memoryview(self._dfl)

    # ------------------------------------------------------------------ mutation

    def add(self, key: int, entity_id: int, text: str) -> None:
        """Add one alias, or replace the alias with this key; visible at once."""
        key, entity_id, text = _check_int(key), _check_int(entity_id), _check_text(text)
        self.remove(key)
        norm = normalize(text)
        aid = self._n
        if aid >= len(self._key):
            self._grow_aliases(aid + 1)
        ws = []
        for word in norm.split():
            w = self._wid.get(word)
            ws.append(self._new_word(word) if w is None else w)
        words = self._words
        uniq = sorted(set(ws), key=words.__getitem__)  # text order, as a build sums them
        dfl = self._dfl
        for w in uniq:
            self._dpost.setdefault(w, []).append(aid)
            self._dpost_np.pop(w, None)
            dfl[w] += 1
        self._dflat_a.extend(repeat(aid - self._n0, len(uniq)))
        self._dflat_w.extend(uniq)
        self._key[aid], self._ent[aid] = key, entity_id
        self._tn[aid] = (min(len(ws), 255) << 24) | min(len(norm), (1 << 24) - 1)
        self._dead[aid] = False
        self._n = aid + 1
        self._dtext.append(text)
        self._dfwd.append(ws)
        self._dex.setdefault(norm, []).append(aid)
        self._dkeys[key] = aid
        self._live += 1
        self._churn += 1
        self._stale = True
        self._maybe_compact()

    def remove(self, key: int) -> None:
        """Remove the alias with this key; nothing happens if there is none."""
        try:
            key = _check_int(key)
        except (TypeError, ValueError, OverflowError):
            return
        aid = self._dkeys.pop(key, None)
        if aid is None:
            if self._k_sorted is None:  # removals are rare: sort the base keys lazily
                korder = np.argsort(self._key[: self._n0], kind="stable")
                self._k_sorted, self._k_ids = self._key[korder], korder
            i = int(np.searchsorted(self._k_sorted, key))
            if i >= len(self._k_sorted) or self._k_sorted[i] != key:
                return
            aid = int(self._k_ids[i])
            if self._dead_v[aid]:
                return
            self._churn += 1
        self._dead[aid] = True
        if aid < self._n0:
            self._dfl[np.unique(self._fwd[self._foff[aid] : self._foff[aid + 1]])] -= 1
        else:
            for w in set(self._dfwd[aid - self._n0]):
                self._dfl[w] -= 1
        self._live -= 1
        self._ndead += 1
        self._stale = True
        self._maybe_compact()

    def compact(self) -> None:
        """Fold the delta and the removals into fresh arrays: a full rebuild (~3 s at 1M
        aliases). add()/remove() call it when the changes outgrow the base."""
        alive = np.flatnonzero(~self._dead[: self._n]).tolist()
        rows = [(self._key_v[a], self._ent_v[a], self._text(a)) for a in alive]  # new ids
        fresh = AliasIndex.build(rows)
        self.__dict__.clear()
        self.__dict__.update(fresh.__dict__)

    def _maybe_compact(self) -> None:
        if self._churn > max(_DELTA_MIN, self._n0 // 4):
            self.compact()

    def _grow_aliases(self, size: int) -> None:
        cap = size + size // 8 + 1024
        for name in ("_key", "_ent", "_wa", "_dead", "_tn"):
            old = getattr(self, name)
            new = np.zeros(cap, dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)
        self._views()

    def _new_word(self, word: str) -> int:
        w = len(self._words)
        self._words.append(word)
        self._wid[word] = w
        if w >= len(self._wt):
            cap = w + w // 8 + 1024
            for name in ("_wt", "_dfl"):
                old = getattr(self, name)
                new = np.zeros(cap, dtype=old.dtype)
                new[: len(old)] = old
                setattr(self, name, new)
            self._views()
        if word in NOISE:
            self._noise_ids.append(w)
        for h in _index_keys(word):
            self._ddel.setdefault(h, []).append(w)
        return w

    def __len__(self) -> int:
        return self._live

    def _refresh(self) -> None:
        """Recompute the word weights and the aliases' weight sums from the live counts
        after edits, in the same order of operations as a build (so the same floats)."""
        nv = len(self._words)
        wt = _weights(self._dfl[:nv], self._live, self._noise_ids)
        self._wt[:nv] = wt
        if self._pw is None:
            self._pw = np.repeat(np.arange(self._v0, dtype=np.int32), np.diff(self._poff))
        n0 = self._n0
        self._wa[:n0] = np.bincount(self._post, weights=wt[self._pw], minlength=n0)
        if self._n > n0:
            da = np.array(self._dflat_a, dtype=np.int64)
            dw = np.array(self._dflat_w, dtype=np.int64)
            self._wa[n0 : self._n] = np.bincount(da, weights=wt[dw], minlength=self._n - n0)
        self._stale = False

    def _word(self, t: str) -> int | None:
        """The id of word `t` if some live alias has it (a word every alias of which was
        removed is no word, as after a rebuild)."""
        w = self._wid.get(t)
        return w if w is not None and self._dfl_v[w] else None

    def _canon(self, aid: int) -> tuple[int, int]:
        """The canonical order of aliases: fewest words, shortest, then key. Base ids
        follow it; a rebuild of the same aliases puts them in this order too."""
        return self._tn_v[aid], self._key_v[aid]

    def _canonical(self, ids: np.ndarray) -> np.ndarray:
        """Positions of `ids` (ascending) in canonical order."""
        if not len(ids) or ids[-1] < self._n0:
            return np.arange(len(ids))  # base ids only: id order is the canonical order
        return np.lexsort((self._key[ids], self._tn[ids]))

    def _head(self, w: int, k: int) -> np.ndarray:
        """Ascending ids of the first `k` aliases with word w in canonical order, live
        ones only if there are more than `k` (the caller drops removed ones otherwise):
        what a rebuilt index's truncated posting list holds."""
        lo, hi = (self._poff_v[w], self._poff_v[w + 1]) if w < self._v0 else (0, 0)
        base = self._post[lo:hi]
        if w not in self._dpost:
            if not self._ndead or hi - lo <= k:
                return base[:k]
            b = base[: k + self._ndead]
            return b[~self._dead[b]][:k]
        delta = self._delta_postings(w)
        if hi - lo + len(delta) <= k:
            return np.concatenate((base, delta)) if hi > lo else delta
        b = base[: k + self._ndead]
        both = np.concatenate((b[~self._dead[b]][:k], delta[~self._dead[delta]]))
        return np.sort(both[self._canonical(both)[:k]])

    def _ranked(
        self, ids: np.ndarray, scores: np.ndarray, first: int
    ) -> Iterator[tuple[int, float]]:
        """(id, score) by descending score, then canonical order (`ids` must be
        ascending); sorts only as far as the caller reads: the first k, those tied with
        the k-th score picked in canonical order too (never by where they lie)."""
        n = len(ids)
        k = min(n, first)
        done = 0
        canon = not n or ids[-1] < self._n0  # base ids only: id order is canonical
        while done < n:
            part = None
            if k < n:
                kth = np.partition(scores, n - k)[n - k]
                part = np.flatnonzero(scores >= kth)
                if len(part) > k:  # ties with the k-th score: the first ones, canonically
                    at = scores[part]
                    above, tied = part[at > kth], part[at == kth]
                    if not canon:
                        sub = ids[tied]
                        tied = tied[np.lexsort((self._key[sub], self._tn[sub]))]
                    part = np.concatenate((above, tied[: k - len(above)]))
                    if canon:
                        part.sort()
            if canon:
                if part is None:
                    order = np.argsort(-scores, kind="stable")
                else:
                    order = part[np.argsort(-scores[part], kind="stable")]
            else:
                sub, at = (ids, scores) if part is None else (ids[part], scores[part])
                order = np.lexsort((self._key[sub], self._tn[sub], -at))
                if part is not None:
                    order = part[order]
            rest = order[done:]
            yield from zip(ids[rest].tolist(), scores[rest].tolist(), strict=True)
            done, k = len(order), min(n, 4 * k)

    # ------------------------------------------------------------------ queries

    def search(
        self, query: str, *, limit: int = 5, allow: Callable[[int], bool] | None = None
    ) -> list[Hit]:
        """Best hit per entity, best first, at most `limit` entities; `allow(entity_id)`
        filters (guild scoping). No cutoff applied."""
        qn = normalize(query) if isinstance(query, str) else ""
        if not qn or limit <= 0 or not self._live:
            return []
        return self._search(qn, limit, allow, self._lookup_exact(qn))

    def _search(
        self,
        qn: str,
        limit: int,
        allow: Callable[[int], bool] | None,
        found: tuple[list[int], list[int]],
    ) -> list[Hit]:
        exact, spaced = found
        ids, scores = self._score(qn)
        hits: list[Hit] = []
        seen: set[int] = set()
        allowed: dict[int, bool] = {}
        for group, score in ((exact, EXACT), (spaced, NEAR)):
            for aid in sorted(group, key=self._canon):
                if self._take(aid, score, hits, seen, allowed, allow) and len(hits) >= limit:
                    return hits
        if not len(ids):
            return hits
        # Best first. Equal scores (word order is not scored) go by how alike the texts
        # are letter by letter, so "brothers and hunter" prefers "Brothers & Hunter" to
        # "Hunter & Brothers"; then shorter aliases first.
        tied: list[tuple[int, float]] = []
        tie = 0.0
        for aid, raw in chain(self._ranked(ids, scores, max(_SELECT, 4 * limit)), [(-1, -1.0)]):
            if tied and (round(raw, 6) != tie or len(tied) == _TIES):
                if len(tied) > 1 and tie >= CUTOFF:  # below, shorter-first will do
                    tied.sort(key=lambda t: -fuzz.ratio(qn, normalize(self._text(t[0]))))
                for t in tied:
                    if self._take(*t, hits, seen, allowed, allow) and len(hits) >= limit:
                        return hits
                tied = []
            if aid < 0:
                break
            if self._ent_v[aid] not in seen:
                tie = round(raw, 6)
                tied.append((aid, round(min(raw, NEAR), 2)))
        return hits

    def best(self, query: str, *, allow: Callable[[int], bool] | None = None) -> Hit | None:
        """The top hit if it clears CUTOFF, else None."""
        qn = normalize(query) if isinstance(query, str) else ""
        if not qn or not self._live:
            return None
        found = self._lookup_exact(qn)
        # An exact alias scores 100, which nothing beats: no need to score the rest.
        hits: list[Hit] = []
        for aid in sorted(found[0], key=self._canon):
            if self._take(aid, EXACT, hits, set(), {}, allow):
                return hits[0]
        hits = self._search(qn, 1, allow, found)
        return hits[0] if hits and hits[0].score >= CUTOFF else None

    def complete(
        self, prefix: str, *, limit: int = 25, allow: Callable[[int], bool] | None = None
    ) -> list[Hit]:
        """Autocomplete as a user types: aliases whose words start with the typed words
        (the last one a prefix), best first, one per entity.

        Aliases that begin with the first typed word lead, then shorter aliases. A
        trailing space marks the last word as finished. The score is the share of the
        alias typed so far (100 when complete). When no alias matches, this falls back
        to search() hits scoring at least 60, so typos still get suggestions."""
        if not isinstance(prefix, str) or limit <= 0 or not self._live:
            return []
        toks = normalize(prefix).split()[:_MAX_QUERY_WORDS]
        if not toks:
            return []
        whole, part = (toks, None) if prefix[-1].isspace() else (toks[:-1], toks[-1])
        cand, lead = self._complete_candidates(whole, part)
        hits: list[Hit] = []
        if len(cand):
            typed = len(" ".join(toks))
            seen: set[int] = set()
            allowed: dict[int, bool] = {}
            lead_first = np.where(lead, 1.0, 0.0)
            for aid, _ in self._ranked(cand, lead_first, max(_SELECT, 4 * limit)):
                if self._ent_v[aid] in seen:
                    continue
                share = 100.0 * typed / max(len(normalize(self._text(aid))), typed, 1)
                if self._take(aid, round(share, 2), hits, seen, allowed, allow) and (
                    len(hits) >= limit
                ):
                    break
        if not hits:
            found = self.search(prefix, limit=limit, allow=allow)
            hits = [h for h in found if h.score >= _COMPLETE_FUZZY_FLOOR]
        return hits

    # ------------------------------------------------------------------ internals

    def _take(
        self,
        aid: int,
        score: float,
        hits: list[Hit],
        seen: set[int],
        allowed: dict[int, bool],
        allow: Callable[[int], bool] | None,
    ) -> bool:
        """Append a hit for alias `aid` unless its entity is already in or not allowed."""
        eid = self._ent_v[aid]
        if eid in seen or self._dead_v[aid]:
            return False
        if allow is not None:
            ok = allowed.get(eid)
            if ok is None:
                ok = allowed[eid] = bool(allow(eid))
            if not ok:
                return False
        seen.add(eid)
        hits.append(Hit(self._key_v[aid], eid, self._text(aid), score))
        return True

    def _text(self, aid: int) -> str:
        if aid >= self._n0:
            return self._dtext[aid - self._n0]
        p = self._pos_v[aid]
        return self._buf[self._toff_v[p] : self._toff_v[p + 1]].decode("utf-8", "surrogatepass")

    def _postings(self, w: int) -> np.ndarray:
        """Alias ids containing word w, ascending (base ids, then delta ids)."""
        base = self._post[self._poff_v[w] : self._poff_v[w + 1]] if w < self._v0 else _EMPTY_I32
        if w not in self._dpost:
            return base
        extra = self._delta_postings(w)
        return np.concatenate((base, extra)) if len(base) else extra

    def _delta_postings(self, w: int) -> np.ndarray:
        arr = self._dpost_np.get(w)
        if arr is None:
            arr = self._dpost_np[w] = np.array(self._dpost[w], dtype=np.int32)
        return arr

    def _df(self, w: int) -> int:
        """How many live aliases have word w."""
        return self._dfl_v[w]

    def _lookup_exact(self, qn: str) -> tuple[list[int], list[int]]:
        """Live alias ids whose normalised text is qn, and those that differ from it only
        by one space more or less ("spiderman" / "Spider-Man", "jessica jones" /
        "Jessicajones"), tried where the other spelling is made of known words."""
        exact = [a for a in self._find(qn) if normalize(self._text(a)) == qn]
        words = qn.split()
        if len(words) > 4:
            return exact, []
        # A word is known if a live alias has it (no removals: every word in the vocabulary).
        known: Callable[[str], bool] = (
            self._wid.__contains__ if not self._ndead else lambda t: self._word(t) is not None
        )
        tries = [
            " ".join([*words[:i], words[i] + words[i + 1], *words[i + 2 :]])
            for i in range(len(words) - 1)
            if known(words[i] + words[i + 1])
        ]
        for i, w in enumerate(words):
            if not known(w) and 6 <= len(w) <= _MAXLEN:  # halves of 3+ letters
                tries.extend(
                    " ".join([*words[:i], w[:k], w[k:], *words[i + 1 :]])
                    for k in range(3, len(w) - 2)
                    if known(w[:k]) and known(w[k:])
                )
        spaced = []
        for alt in tries[:4]:
            spaced.extend(a for a in self._find(alt) if normalize(self._text(a)) == alt)
        return exact, [a for a in dict.fromkeys(spaced) if a not in exact]

    def _find(self, s: str) -> list[int]:
        """Live alias ids whose normalised text may be `s` (the same 32 hash bits, so
        callers check)."""
        table = self._ex_v
        h = hash(s) & 0xFFFFFFFF
        i = bisect.bisect_left(table, h << 32)
        found = []
        while i < len(table) and table[i] >> 32 == h:
            found.append(table[i] & 0xFFFFFFFF)
            i += 1
        found += self._dex.get(s, ())
        return [a for a in found if not self._dead_v[a]]

    def _probe(self, keys: list[int] | np.ndarray) -> set[int]:
        """Ids of the vocabulary words hashed under one of `keys`."""
        found: set[int] = set()
        wbits = self._wbits
        wmask = (1 << wbits) - 1
        if isinstance(keys, np.ndarray):  # many keys: numpy's fixed cost pays off
            b = (keys >> np.uint64(64 - self._dbits)).astype(np.int64)
            pos, which = _ranges(self._dboff[b], self._dboff[b + 1])
            e = self._dk[pos]
            ok = (e >> np.uint64(wbits)) == (keys >> np.uint64(wbits))[which]
            found.update((e[ok] & np.uint64(wmask)).tolist())
            if self._ddel:
                keys = keys.tolist()
        else:
            dk, boff, shift = self._dk_v, self._dboff_v, 64 - self._dbits
            for h in keys:
                b = h >> shift
                prefix = h >> wbits
                for k in range(boff[b], boff[b + 1]):
                    e = dk[k]
                    if e >> wbits == prefix:
                        found.add(e & wmask)
        if self._ddel:
            for h in keys:
                found.update(self._ddel.get(h, ()))
        return found

    def _match_words(
        self, toks: list[str], deferred: list[int] | None = None
    ) -> tuple[list[tuple[int, int, float]], list[int]]:
        """(query word index, word id, similarity) for every word each query word
        matches: itself, and the words a typo or two away. The neighbours of a query
        word that is itself a known word are looked for only when `deferred` (as
        returned by the first call) lists it: usually the word was meant as typed."""
        pairs = []
        later = []
        alone = sum(t not in NOISE for t in toks) == 1
        for i, t in enumerate(toks) if deferred is None else ((i, toks[i]) for i in deferred):
            exact = self._word(t)
            if exact is not None and deferred is None:
                pairs.append((i, exact, 1.0))
            if t in NOISE or not 3 <= len(t) <= _MAXLEN:
                continue
            if exact is not None and deferred is None:
                later.append(i)
                continue
            found = self._probe(_query_keys(t, 1))
            found.discard(exact)
            fuzzy = self._verify(t, found, exact)
            # Two-deletion variants only for long words that found nothing closer.
            if len(t) >= _DEL2_MIN and exact is None and not any(f[0] < 2 for f in fuzzy):
                fuzzy += self._verify(t, self._probe(_query_keys2(t)) - found, None)
            fuzzy.sort()
            for _, _, _, w, d in fuzzy[:_MAX_FUZZY]:
                pairs.append((i, w, _word_similarity(t, self._words[w], d, alone)))
        return pairs, later

    def _verify(
        self, t: str, found: set[int], exact: int | None
    ) -> list[tuple[int, int, str, int, int]]:
        """(edits, -frequency, word, word id, edits) of the found live words within reach
        of `t`, to be sorted: ties go by the word, never by its id (ids follow history).

        When `t` is itself a word, a much rarer neighbour is dropped: a typo that lands
        on a common word is far less likely than that word being meant (SymSpell's
        frequency prior), and common words have many neighbours to score."""
        if not found:
            return []
        ids = list(found)
        cands = [self._words[w] for w in ids]
        dists = process.cdist([t], cands, scorer=OSA.distance, score_cutoff=2, dtype=np.int32)
        floor = max(1, self._df(exact) // _RARER if exact is not None else 0)
        out = []
        for w, cand, d in zip(ids, cands, dists[0].tolist(), strict=True):
            if d <= 2 and d <= _max_edits(t, cand) and (df := self._df(w)) >= floor:
                out.append((d, -df, cand, w, d))
        return out

    def _score(self, qn: str) -> tuple[np.ndarray, np.ndarray]:
        """Candidate alias ids and their scores (0..100, before the NEAR cap)."""
        toks = list(dict.fromkeys(qn.split()))[:_MAX_QUERY_WORDS]
        pairs, deferred = self._match_words(toks)
        cand, score = self._rank(toks, pairs)
        if deferred and (not len(score) or score.max() < _SECOND_LOOK):
            # No convincing match as typed: maybe a typo made another known word.
            pairs += self._match_words(toks, deferred)[0]
            cand, score = self._rank(toks, pairs)
        return cand, score

    def _rank(
        self, toks: list[str], pairs: list[tuple[int, int, float]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Score the aliases that hold the matched words (see _score)."""
        nt = len(toks)
        noise = [t in NOISE for t in toks]
        if not pairs:
            return _EMPTY_I32, _EMPTY_F64
        if self._stale:
            self._refresh()
        # What a query word weighs when an alias lacks it: the weight of its exact word,
        # else of its most similar word, else (found nowhere) the most a word can weigh.
        wt = self._wt_v
        unknown = _idf(0, max(self._live, 1)) * _UNKNOWN_WEIGHT
        w0 = [unknown * _NOISE_WEIGHT if nz else unknown for nz in noise]
        best_sim = [0.0] * nt
        for i, w, sim in pairs:
            if sim > best_sim[i]:
                best_sim[i], w0[i] = sim, wt[w]
        wq0 = sum(w0)

        # Per (query word, word): what a match is worth. (Counts of live aliases only.)
        dfl = self._dfl_v
        tok_df = [0] * nt
        table = []
        for i, w, sim in sorted(pairs, key=lambda p: (p[0], -p[2]))[:_MAX_PAIRS]:
            tok_df[i] += dfl[w]
            table.append((i, w, sim * wt[w], wt[w] - w0[i], 0.0 if noise[i] else 1.0))

        # Gather the posting lists of the rarest query words, up to the budget; the
        # commoner words only add to the scores of those candidates (further below).
        gathered: set[int] = set()
        used = 0
        for i in sorted(range(nt), key=tok_df.__getitem__):
            if tok_df[i] and (not gathered or used + tok_df[i] <= _MERGE):
                gathered.add(i)
                used += tok_df[i]
        slices, lens, rows = [], [], []
        for r, (i, w, *_) in enumerate(table):
            if i in gathered and len(s := self._head(w, _BUDGET)):
                slices.append(s)
                lens.append(len(s))
                rows.append(r)
        if not slices:
            return _EMPTY_I32, _EMPTY_F64
        # m: matched weight, d: how the query's weight differs from the default for this
        # alias (its words matched instead of the weights assumed in wq0), nn: matched
        # query words that are not question leftovers. Scalars while all are equal.
        m: float | np.ndarray
        d: float | np.ndarray
        nn: float | np.ndarray
        if len(slices) == 1:
            cand = slices[0]
            m, d, nn = table[rows[0]][2:]
        else:
            vals = np.array([t[2:] for t in table]).T  # (3, table rows)
            # One sort of (alias id, query word, table row) packed in an integer: numpy
            # sorts plain integers several times faster than it argsorts.
            ids = np.concatenate(slices, dtype=np.int64)
            ids <<= 16
            ids |= np.repeat(np.array([table[r][0] << 8 | r for r in rows]), lens)
            ids.sort()
            if len(rows) > len(gathered):
                # A query word matched several words: count it once per alias, with its
                # most similar word (listed first in the table, so the smallest row).
                key = ids >> 8
                ids = ids[np.concatenate(([True], key[1:] != key[:-1]))]
            key = ids >> 16
            starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
            cand = key[starts]
            rows_of = ids & 0xFF
            m = np.add.reduceat(vals[0].take(rows_of), starts)
            # d is zero while only exact words matched; nn matters only if some matched
            # word is a question leftover.
            d = np.add.reduceat(vals[1].take(rows_of), starts) if vals[1].any() else 0.0
            nn = np.add.reduceat(vals[2].take(rows_of), starts) if not vals[2].all() else 1.0
        if self._ndead:  # removed aliases: before anything counts candidates
            alive = ~self._dead[cand]
            cand = cand[alive]
            m, d, nn = (x[alive] if isinstance(x, np.ndarray) else x for x in (m, d, nn))

        # The commoner query words: which candidates hold them (a binary search each).
        checked = sorted(
            (i for i in range(nt) if tok_df[i] and i not in gathered), key=tok_df.__getitem__
        )
        for n_checked, i in enumerate(checked):
            best_v: float | np.ndarray = 0.0
            best_d: float | np.ndarray = 0.0
            for row in table:
                if row[0] != i:
                    continue
                p = self._postings(row[1])
                at = np.searchsorted(p, cand)
                np.minimum(at, len(p) - 1, out=at)
                hit = p[at] == cand
                if isinstance(best_v, float):  # the query word's first (most similar) word
                    best_v = hit * row[2]
                    best_d = hit * row[3] if row[3] else np.zeros(len(cand))
                else:
                    upd = hit & (row[2] > best_v)
                    best_v[upd] = row[2]
                    best_d[upd] = row[3]
            if not n_checked and len(cand) > _PRUNE:
                # Many candidates, from a common word: those without the next rarest word
                # too can only matter if short (canonical order: shortest first); keeping
                # just the first _PRUNE of them keeps everything below small.
                keep = best_v > 0
                keep[self._canonical(cand)[:_PRUNE]] = True
                cand, best_v, best_d = cand[keep], best_v[keep], best_d[keep]
                m, d, nn = (x[keep] if isinstance(x, np.ndarray) else x for x in (m, d, nn))
            m = m + best_v
            d = d + best_d
            if not noise[i] and (isinstance(nn, np.ndarray) or nn == 0):
                nn = nn + (best_v > 0)  # (a positive scalar stays positive: no need)
        # Weighted Dice: the matched weight twice, over the query's plus the alias's.
        # (Rounding can make it 100.0000001; search() caps it at NEAR anyway.)
        score = m / (self._wa[cand] + (d + wq0))
        score *= 200.0
        if isinstance(nn, np.ndarray):
            score[nn == 0] *= 0.5  # only question leftovers matched: never confident
        elif nn == 0:
            score *= 0.5
        return cand, score

    def _complete_candidates(
        self, whole: list[str], part: str | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Live aliases with every word of `whole` and a word starting with `part`, and
        whether each starts with the first typed word."""
        # A finished word that is no word: its closest word, if one is close ("jesica j").
        whole_ids = [self._word(t) for t in whole]
        for i, w in enumerate(whole_ids):
            if w is None:
                near = self._match_words([whole[i]])[0]
                whole_ids[i] = max(near, key=itemgetter(2))[1] if near else None
        if any(w is None for w in whole_ids):
            return _EMPTY_I32, np.zeros(0, dtype=bool)
        lo = hi = 0
        extra: set[int] = set()
        if part is not None:
            lo = bisect.bisect_left(self._words, part, 0, self._v0)
            hi = bisect.bisect_left(self._words, part + "\U0010ffff", lo, self._v0)
            extra = {
                w
                for w in range(self._v0, len(self._words))
                if self._dfl_v[w] and self._words[w].startswith(part)
            }
        if whole_ids:
            rare = min(whole_ids, key=self._df)
            cand = self._head(rare, _COMPLETE_BUDGET)
            for w in whole_ids:
                if w != rare and len(cand):
                    p = self._postings(w)
                    at = np.minimum(np.searchsorted(p, cand), len(p) - 1)
                    cand = cand[p[at] == cand]
            if part is not None and len(cand):
                cand = cand[self._has_word_in(cand, lo, hi, extra, set(whole_ids))]
        else:
            edited = self._ndead or self._dpost
            nwords = hi - lo if not edited else int(np.count_nonzero(self._dfl[lo:hi]))
            nwords += len(extra)
            if not nwords:
                return _EMPTY_I32, np.zeros(0, dtype=bool)
            # Each (live) word brings its shortest aliases (canonical order), within the
            # budget.
            per = max(1, _COMPLETE_BUDGET // nwords)
            parts = []
            mixed = [w for w in self._dpost if lo <= w < hi] if self._dpost else []
            if hi > lo:
                starts = self._poff[lo:hi]
                ends = np.minimum(self._poff[lo + 1 : hi + 1], starts + per + self._ndead)
                pos, owner = _ranges(starts, ends)
                got = self._post[pos]
                if edited:
                    # The first `per` live aliases of each word; words with delta aliases
                    # too are merged below.
                    keep = ~self._dead[got]
                    if mixed:
                        keep &= ~np.isin(owner, np.array(mixed) - lo)
                    got, owner = got[keep], owner[keep]
                    got = got[np.arange(len(owner)) - np.searchsorted(owner, owner) < per]
                parts.append(got)
            parts.extend(self._head(w, per) for w in [*mixed, *sorted(extra)])
            cand = np.sort(np.concatenate(parts)) if parts else _EMPTY_I32
        if self._ndead and len(cand):
            cand = cand[~self._dead[cand]]
        lead = np.zeros(len(cand), dtype=bool)
        first = self._first_words(cand)
        if whole_ids:
            lead = first == whole_ids[0]
        else:
            lead = (first >= lo) & (first < hi)
            if extra:
                lead |= np.isin(first, list(extra))
        return cand, lead

    def _first_words(self, cand: np.ndarray) -> np.ndarray:
        """The first word id of each alias (every candidate has at least one word)."""
        out = np.empty(len(cand), dtype=np.int64)
        base = cand < self._n0
        out[base] = self._fwd[self._foff[cand[base]]]
        for i in np.flatnonzero(~base).tolist():
            out[i] = self._dfwd[int(cand[i]) - self._n0][0]
        return out

    def _has_word_in(
        self, cand: np.ndarray, lo: int, hi: int, extra: set[int], typed: set[int]
    ) -> np.ndarray:
        """Mask: has each alias a word with id in [lo, hi) or in `extra`, other than the
        `typed` (whole) words? ("jessica j" wants a second word starting with "j".)"""
        out = np.zeros(len(cand), dtype=bool)
        base = cand < self._n0
        if base.any():
            b = cand[base]
            pos, which = _ranges(self._foff[b], self._foff[b + 1])
            w = self._fwd[pos]
            ok = (w >= lo) & (w < hi)
            for t in typed:
                ok &= w != t
            out[base] = np.bincount(which, weights=ok, minlength=len(b)) > 0
        for i in np.flatnonzero(~base).tolist():
            ws = self._dfwd[int(cand[i]) - self._n0]
            out[i] = any((lo <= w < hi or w in extra) and w not in typed for w in ws)
        return out


def _release_memory() -> None:
    """Return freed heap memory to the system where the C library allows (glibc keeps
    it otherwise, and an index build frees a lot)."""
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None).malloc_trim(0)


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


def _hash_table(strings: list[str], ids: np.ndarray) -> np.ndarray:
    """(32 bits of Python's hash of strings[i]) << 32 | ids[i], sorted."""
    h = np.fromiter(map(hash, strings), dtype=np.int64, count=len(strings)).view(np.uint64)
    return np.sort((h << np.uint64(32)) | ids.astype(np.uint64))


def _int64s(values: list[int]) -> np.ndarray:
    try:
        return np.array(values, dtype=np.int64)
    except OverflowError as exc:
        raise ValueError("keys and entity ids must fit in 64 bits") from exc


def _check_int(value: int) -> int:
    value = int(value)
    if not _I64_MIN <= value <= _I64_MAX:
        raise ValueError(f"keys and entity ids must fit in 64 bits, not {value}")
    return value


def _check_text(text: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"alias text must be a str, not {type(text).__name__}")
    return text
