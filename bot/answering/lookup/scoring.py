"""Scoring: which words a query's words match (exactly, or a typo or two away), and the
weighted Dice score of the aliases holding them (see the package's docstring)."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.answering.lookup.keys import _query_keys, _query_keys2, table_find, text_hash
from bot.answering.lookup.params import (
    _BUDGET,
    _DEL2_MIN,
    _EMPTY_F64,
    _EMPTY_I32,
    _MAX_FUZZY,
    _MAX_PAIRS,
    _MAX_QUERY_WORDS,
    _MAXLEN,
    _MERGE,
    _NOISE_WEIGHT,
    _PRUNE,
    _RARER,
    _SECOND_LOOK,
    _SHORT,
    _SHORT_PENALTY,
    _UNKNOWN_WEIGHT,
    NOISE,
)
from bot.answering.lookup.state import IndexState
from bot.language.text import normalize

_FEW_CANDIDATES = 24  # words _verify measures one call each (cdist for more)
_NEAR_CACHED = 1 << 14  # query words whose neighbours are remembered (see _neighbours)
osa = OSA.distance

# _rank sorts (alias id << 16 | query word << 8 | table row) as one int64: the query
# word and the row must fit in their bytes, the alias id in the 47 bits left (ids are
# int32 in the postings anyway).
_ROW_BITS = 8
_Q_BITS = 8
if _MAX_PAIRS > 1 << _ROW_BITS or _MAX_QUERY_WORDS > 1 << _Q_BITS:
    raise AssertionError("_rank's packing holds 256 table rows and 256 query words at most")


@dataclass(frozen=True, slots=True)
class Hit:
    key: int  # the alias key given at add time
    entity_id: int
    text: str  # the alias text as given (original case)
    score: float  # 0..100, higher is better; 100 for an exact normalised match


class Pair(NamedTuple):
    """A query word matched to a vocabulary word."""

    q: int  # the query word's position
    word: int  # the matched word's id
    sim: float  # 0..1


class Row(NamedTuple):
    """What a (query word, word) match is worth to an alias holding the word."""

    q: int
    word: int
    value: float  # similarity x the word's weight: added to the matched weight
    delta: float  # the word's weight minus the query word's default weight (wq0)
    content: float  # 1.0 unless the query word is a question leftover


class Near(NamedTuple):
    """A vocabulary word near a query word; sorts fewest edits, most frequent, by text."""

    edits: int
    neg_df: int
    text: str
    word: int


def _idf(df: int, n: int) -> float:
    return math.log1p((n - df + 0.5) / (df + 0.5))


def _weights(df: np.ndarray, n: int, noise_ids: list[int]) -> np.ndarray:
    """Each word's weight (IDF) from its count of live aliases `df` among `n`; question
    leftovers a tenth. Computed through a table by count, so that the same counts give
    the same floats however the words are numbered (a build, or edits since one)."""
    n = max(n, 1)
    k = np.arange(int(df.max()) + 1 if len(df) else 1, dtype=np.float64)
    weight: np.ndarray = np.log1p((n - k + 0.5) / (k + 0.5))[df]
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


def _firsts(key: np.ndarray) -> np.ndarray:
    """Where each run of equal values in `key` (sorted, not empty) starts."""
    first = np.empty(len(key), dtype=bool)
    first[0] = True
    np.not_equal(key[1:], key[:-1], out=first[1:])
    return first


class Scoring(IndexState):
    """The query side of AliasIndex (a mixin: the arrays live on the index)."""

    def _lookup_exact(self, qn: str) -> tuple[list[int], list[int]]:
        """Live alias ids whose normalised text is qn, and those that differ from it only
        by one space more or less ("spiderman" / "Spider-Man", "jessica jones" /
        "Jessicajones"), tried where the other spelling is made of known words."""
        exact = self._exact_ids(qn)
        words = qn.split()
        if len(words) > 4:
            return exact, []
        # A word is known if a live alias has it (no removals: every word in the vocabulary).
        get = self._words.get if not self._ndead else self._word

        def known(t: str) -> bool:
            return get(t) is not None

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
        spaced: list[int] = []
        for alt in tries[:4]:
            spaced.extend(a for a in self._find(alt) if normalize(self._text(a)) == alt)
        return exact, [a for a in dict.fromkeys(spaced) if a not in exact]

    def _exact_ids(self, qn: str) -> list[int]:
        """Live alias ids whose normalised text is qn."""
        return [a for a in self._find(qn) if normalize(self._text(a)) == qn]

    def _find(self, s: str) -> list[int]:
        """Live alias ids whose normalised text may be `s` (the same 32 hash bits, so
        callers check)."""
        found = table_find(self._ex_v, text_hash(s), self._ex_buckets) if self._n0 else []
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
            # The entries under a key are those between its prefix's lowest and highest
            # values: a binary search inside its bucket, most of them holding none.
            dk, boff, shift = self._dk_v, self._dboff_v, 64 - self._dbits
            for h in keys:
                bucket = h >> shift
                low = h >> wbits << wbits
                end = boff[bucket + 1]
                k = bisect.bisect_left(dk, low, boff[bucket], end)
                high = low | wmask
                while k < end and (e := dk[k]) <= high:
                    found.add(e & wmask)
                    k += 1
        if self._ddel:
            for h in keys:
                found.update(self._ddel.get(h, ()))
        return found

    def _match_words(
        self, toks: list[str], deferred: list[int] | None = None
    ) -> tuple[list[Pair], list[int]]:
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
                pairs.append(Pair(i, exact, 1.0))
            if t in NOISE or not 3 <= len(t) <= _MAXLEN:
                continue
            if exact is not None and deferred is None:
                later.append(i)
                continue
            pairs.extend(Pair(i, word, sim) for word, sim in self._neighbours(t, exact, alone))
        return pairs, later

    def _neighbours(self, t: str, exact: int | None, alone: bool) -> tuple[tuple[int, float], ...]:
        """(word id, similarity) of the words a typo or two from `t` (`exact`: its own
        id, if it is a word), most similar first. Remembered until the index changes:
        questions repeat their words ("movies", "directed"), and finding a word's
        neighbours was a third of scoring one."""
        generation, memo = self._near_memo
        if generation != self.generation:
            memo = {}
            self._near_memo = (self.generation, memo)
        found = memo.get((t, alone))
        if found is None:
            found = memo[(t, alone)] = self._find_neighbours(t, exact, alone)
            if len(memo) > _NEAR_CACHED:
                memo.clear()
        return found

    def _find_neighbours(
        self, t: str, exact: int | None, alone: bool
    ) -> tuple[tuple[int, float], ...]:
        found = self._probe(_query_keys(t, 1))
        found.discard(exact)
        fuzzy = self._verify(t, found, exact)
        # Two-deletion variants only for long words that found nothing closer.
        if len(t) >= _DEL2_MIN and exact is None and not any(f.edits < 2 for f in fuzzy):
            fuzzy += self._verify(t, self._probe(_query_keys2(t)) - found, None)
        fuzzy.sort()
        return tuple(
            (near.word, _word_similarity(t, near.text, near.edits, alone))
            for near in fuzzy[:_MAX_FUZZY]
        )

    def _verify(self, t: str, found: set[int], exact: int | None) -> list[Near]:
        """The found live words within reach of `t`, to be sorted (Near's field order):
        ties go by the word, never by its id (ids follow history).

        When `t` is itself a word, a much rarer neighbour is dropped: a typo that lands
        on a common word is far less likely than that word being meant (SymSpell's
        frequency prior), and common words have many neighbours to score."""
        if not found:
            return []
        ids = list(found)
        cands = [self._words[w] for w in ids]
        if len(cands) <= _FEW_CANDIDATES:  # cdist's fixed cost is more than a few calls'
            dists = [osa(t, c, score_cutoff=2) for c in cands]
        else:
            dists = process.cdist([t], cands, scorer=OSA.distance, score_cutoff=2, dtype=np.int32)[
                0
            ].tolist()
        floor = max(1, self._df(exact) // _RARER if exact is not None else 0)
        out = []
        for w, cand, d in zip(ids, cands, dists, strict=True):
            if d <= 2 and d <= _max_edits(t, cand) and (df := self._df(w)) >= floor:
                out.append(Near(d, -df, cand, w))
        return out

    def _score(self, qn: str) -> tuple[np.ndarray, np.ndarray]:
        """Candidate alias ids and their scores (0..100, before the NEAR cap)."""
        toks = list(dict.fromkeys(qn.split()))[:_MAX_QUERY_WORDS]
        pairs, deferred = self._match_words(toks)
        cand, score = self._rank(toks, pairs)
        if deferred and (not len(score) or np.maximum.reduce(score) < _SECOND_LOOK):
            # No convincing match as typed: maybe a typo made another known word.
            pairs += self._match_words(toks, deferred)[0]
            cand, score = self._rank(toks, pairs)
        return cand, score

    def _rank(self, toks: list[str], pairs: list[Pair]) -> tuple[np.ndarray, np.ndarray]:
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
        table: list[Row] = []
        for i, w, sim in sorted(pairs, key=lambda p: (p.q, -p.sim))[:_MAX_PAIRS]:
            tok_df[i] += dfl[w]
            table.append(Row(i, w, sim * wt[w], wt[w] - w0[i], 0.0 if noise[i] else 1.0))

        # Gather the posting lists of the rarest query words, up to the budget; the
        # commoner words only add to the scores of those candidates (further below).
        gathered: set[int] = set()
        used = 0
        for i in sorted(range(nt), key=tok_df.__getitem__):
            if tok_df[i] and (not gathered or used + tok_df[i] <= _MERGE):
                gathered.add(i)
                used += tok_df[i]
        slices, lens, rows = [], [], []
        for r, row in enumerate(table):
            if row.q in gathered and len(s := self._head(row.word, _BUDGET)):
                slices.append(s)
                lens.append(len(s))
                rows.append(r)
        if not slices:
            return _EMPTY_I32, _EMPTY_F64
        # m: matched weight, d: how the query's weight differs from the default for this
        # alias (its words matched instead of the weights assumed in wq0), nn: matched
        # query words that are not question leftovers. Scalars while all are equal.
        m: float | np.ndarray
        d: float | np.ndarray = 0.0
        nn: float | np.ndarray = 1.0
        if len(slices) == 1:
            cand = slices[0]
            m, d, nn = table[rows[0]].value, table[rows[0]].delta, table[rows[0]].content
        else:
            # (Array methods, not np.* functions: those add a Python wrapper, ~1 µs a call.)
            # One sort of (alias id, query word, table row) packed in an integer: numpy
            # sorts plain integers several times faster than it argsorts. (The bounds of
            # the packing are checked at import, and alias ids at build: below 2**31.)
            ids = np.concatenate(slices, dtype=np.int64)
            ids <<= _Q_BITS + _ROW_BITS
            ids |= np.array([table[r].q << _ROW_BITS | r for r in rows]).repeat(lens)
            ids.sort()
            if len(rows) > len(gathered):
                # A query word matched several words: count it once per alias, with its
                # most similar word (listed first in the table, so the smallest row).
                ids = ids[_firsts(ids >> _ROW_BITS)]
            key = ids >> (_Q_BITS + _ROW_BITS)
            starts = _firsts(key).nonzero()[0]
            cand = key[starts]
            rows_of = ids & ((1 << _ROW_BITS) - 1)
            m = np.add.reduceat(np.array([t.value for t in table]).take(rows_of), starts)
            # d is zero while only exact words matched; nn matters only if some matched
            # word is a question leftover. (Arrays made only when needed: small arrays
            # cost numpy's fixed price per call, which is most of a query's time.)
            deltas = [t.delta for t in table]
            if any(deltas):
                d = np.add.reduceat(np.array(deltas).take(rows_of), starts)
            content = [t.content for t in table]
            if not all(content):
                nn = np.add.reduceat(np.array(content).take(rows_of), starts)
        if self._ndead:  # removed aliases: before anything counts candidates
            alive = ~self._dead[cand]
            cand = cand[alive]
            m, d, nn = (x[alive] if isinstance(x, np.ndarray) else x for x in (m, d, nn))

        # The commoner query words: which candidates hold them (a binary search each).
        checked = sorted(
            (i for i in range(nt) if tok_df[i] and i not in gathered), key=tok_df.__getitem__
        )
        for n_checked, i in enumerate(checked):
            best_v: np.ndarray | None = None
            best_d: np.ndarray | None = None
            for row in table:
                if row.q != i:
                    continue
                p = self._postings(row.word)
                hit = p.take(p.searchsorted(cand), mode="clip") == cand  # (clip: past the end)
                if best_v is None or best_d is None:  # its first (most similar) word
                    best_v = hit * row.value
                    best_d = hit * row.delta if row.delta else np.zeros(len(cand))
                else:
                    upd = hit & (row.value > best_v)
                    best_v[upd] = row.value
                    best_d[upd] = row.delta
            # (tok_df[i] > 0: the table has a row for query word i, so both are set.)
            assert best_v is not None and best_d is not None
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
        score = self._wa.take(cand)
        score += d + wq0
        np.divide(m, score, out=score)
        score *= 200.0
        if isinstance(nn, np.ndarray):
            score[nn == 0] *= 0.5  # only question leftovers matched: never confident
        elif nn == 0:
            score *= 0.5
        return cand, score
