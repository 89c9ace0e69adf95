"""AliasIndex: the base arrays (a numpy CSR of words -> aliases, built once), the
queries on them, and the mixins for scoring, completion and the mutable delta."""

from __future__ import annotations

import bisect
import contextlib
import ctypes
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, compress, islice, repeat

import numpy as np
from rapidfuzz import fuzz

from bot.answering.lookup.completion import Completion
from bot.answering.lookup.delta import _MAX_ALIASES, Delta
from bot.answering.lookup.keys import (
    _bucket_offsets,
    _build_deletions,
    hash_table,
    table_buckets,
)
from bot.answering.lookup.params import _EMPTY_I32, _SELECT, _TIES, CUTOFF, EXACT, NEAR, NOISE
from bot.answering.lookup.scoring import Hit, Scoring, _weights
from bot.answering.lookup.state import GENERATIONS
from bot.answering.lookup.vocab import Strings, Vocabulary, _word_ids
from bot.language.text import normalize, normalize_many

_END = -1  # no alias: the end of the ranked aliases, or of a group of them
# Fewer candidates than this are refused one by one by allow(), for less than the fixed
# cost of dropping them in bulk (_without): the same hits either way.
_BULK_SKIP = 64


class AliasIndex(Scoring, Completion, Delta):
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
        if n > _MAX_ALIASES:
            raise ValueError(f"an index holds at most {_MAX_ALIASES:,} aliases (int32 ids)")
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
        # tn: words (8 bits) << 24 | normalised length (24 bits), both clamped (add() packs
        # the same); below it the rank by key, 32 bits (n < 2**31, checked above).
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
        if len(tok_alias) >= 1 << 32:  # packed with its position below
            raise ValueError("an index holds fewer than 2**32 words of aliases in all")
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
        self._ex = hash_table(norms, new)
        # The words as one buffer (the strings split from the aliases are freed with
        # them, so the allocator can hand the build's transient memory back).
        vocab = Vocabulary(Strings.of(words))
        del norms, words

        self._n0, self._v0 = n, nv
        self._words, self._wid = vocab, vocab.ids()
        self._post, self._poff, self._fwd, self._foff = post, poff, fwd, foff
        # Per alias (base ids, then delta ids) and per word (base words, then new ones);
        # these grow when the delta does.
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
        self._pw: np.ndarray | None = None  # each posting's word, made by a _refresh()
        self._k_sorted: np.ndarray | None = None  # base keys sorted, made by a remove()
        self._k_ids: np.ndarray | None = None
        self._init_delta()

    def _init_delta(self) -> None:
        """No edits yet: the state of a fresh build (or of an index read from a snapshot)."""
        n = self._n0
        self._n = n
        self._stale = False
        self._ex_buckets = table_buckets(self._ex)  # the base's, built or mapped (no delta)
        self.generation = next(GENERATIONS)
        self._near_memo = (self.generation, {})
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
        # (`a.data` is memoryview(a); numpy types arrays as buffers from Python 3.12 only.)
        self._ent_v, self._key_v, self._dead_v = (
            self._ent.data,
            self._key.data,
            self._dead.data,
        )
        self._wt_v, self._poff_v, self._toff_v, self._pos_v = (
            self._wt.data,
            self._poff.data,
            self._toff.data,
            self._pos.data,
        )
        self._dk_v, self._dboff_v = self._dk.data, self._dboff.data
        self._ex_v = self._ex.data
        self._tn_v, self._dfl_v = self._tn.data, self._dfl.data

    def __len__(self) -> int:
        return self._live

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
            live: np.ndarray = b[~self._dead[b]]
            return live[:k]
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
                # (Array methods, not np.* functions: those add a Python wrapper each.)
                ranks = scores.copy()
                ranks.partition(n - k)
                kth = ranks[n - k]
                part = (scores >= kth).nonzero()[0]
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
                    order = (-scores).argsort(kind="stable")
                else:
                    order = part[(-scores[part]).argsort(kind="stable")]
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
        self,
        query: str,
        *,
        limit: int = 5,
        allow: Callable[[int], bool] | None = None,
        skip: np.ndarray | None = None,
    ) -> list[Hit]:
        """Best hit per entity, best first, at most `limit` entities; `allow(entity_id)`
        filters (guild scoping). No cutoff applied. `skip`: ascending entity ids that
        `allow` refuses anyway, dropped in bulk (the same hits, fewer calls)."""
        qn = normalize(query) if isinstance(query, str) else ""
        if not qn or limit <= 0 or not self._live:
            return []
        return self._search(qn, limit, allow, self._lookup_exact(qn), skip)

    def _search(
        self,
        qn: str,
        limit: int,
        allow: Callable[[int], bool] | None,
        found: tuple[list[int], list[int]],
        skip: np.ndarray | None = None,
    ) -> list[Hit]:
        exact, spaced = found
        hits: list[Hit] = []
        seen: set[int] = set()
        allowed: dict[int, bool] = {}
        # Aliases spelt as asked (or with a space more or less) come first; nothing else
        # is scored when they are all that was asked for.
        for group, score in ((exact, EXACT), (spaced, NEAR)):
            for aid in sorted(group, key=self._canon):
                if self._take(aid, score, hits, seen, allowed, allow) and len(hits) >= limit:
                    return hits
        ids, scores = self._score(qn)
        if skip is not None and len(skip) and len(ids) > _BULK_SKIP:
            ids, scores = self._without(ids, scores, skip)
        if not len(ids):
            return hits
        ranked: Iterable[tuple[int, float]] = self._ranked(ids, scores, max(_SELECT, 4 * limit))
        if limit == 1:  # (so nothing is taken yet) the first group alone, unless none is allowed
            top = self._top(ids, scores)
            ranked = chain(top, [(_END, 0.0)], islice(ranked, len(top), None))
        # Best first. Equal scores (word order is not scored) go by how alike the texts
        # are letter by letter, so "brothers and hunter" prefers "Brothers & Hunter" to
        # "Hunter & Brothers"; then shorter aliases first.
        tied: list[tuple[int, float]] = []
        tie = 0.0
        ent = self._ent_v
        for aid, raw in chain(ranked, [(_END, 0.0)]):
            rounded = round(raw, 6)
            if tied and (aid == _END or rounded != tie or len(tied) == _TIES):
                if len(tied) > 1 and tie >= CUTOFF:  # below, shorter-first will do
                    tied.sort(key=lambda t: -fuzz.ratio(qn, normalize(self._text(t[0]))))
                for t in tied:
                    if self._take(*t, hits, seen, allowed, allow) and len(hits) >= limit:
                        return hits
                tied = []
            if aid == _END:
                continue
            if ent[aid] not in seen:
                tie = rounded
                tied.append((aid, round(min(raw, NEAR), 2)))
        return hits

    def _without(
        self, ids: np.ndarray, scores: np.ndarray, skip: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """`ids` and their scores but the aliases of `skip`'s entities scoring below
        CUTOFF. _search takes equal scores below CUTOFF in ranked order, which dropping
        refused ones keeps; from CUTOFF up it orders them by text in groups of _TIES,
        where a refused one holds a place: those few stay, for allow() to refuse."""
        ents = self._ent.take(ids)
        at = skip.searchsorted(ents)
        np.minimum(at, len(skip) - 1, out=at)
        drop = skip.take(at) == ents
        drop &= scores < CUTOFF - 1e-6  # so that round(score, 6) < CUTOFF too
        if not drop.any():
            return ids, scores
        keep = ~drop
        return ids[keep], scores[keep]

    def _top(self, ids: np.ndarray, scores: np.ndarray) -> list[tuple[int, float]]:
        """The beginning of _ranked(ids, scores)'s order that is its first group of equal
        scores (rounded to 6 places), up to _TIES of them: found without sorting the rest."""
        top = float(scores.max())
        tie = round(top, 6)
        # Scores rounding to the top's are within 1e-6 of it (a superset; rounded below).
        near = (scores >= top - 1e-6).nonzero()[0]
        group = sorted(
            (-raw, self._canon(aid), aid, raw)
            for aid, raw in zip(ids[near].tolist(), scores[near].tolist(), strict=True)
            if round(raw, 6) == tie
        )
        return [(aid, raw) for _, _, aid, raw in group[:_TIES]]

    def exact(
        self, query: str, *, limit: int = 5, allow: Callable[[int], bool] | None = None
    ) -> list[Hit]:
        """The hits search() lists first: aliases whose normalised text is the query's,
        best hit per entity in canonical order, at most `limit`, all scoring EXACT. Cheap
        (no scoring): when there is one, nothing else comes within NEAR of it."""
        qn = normalize(query) if isinstance(query, str) else ""
        if not qn or limit <= 0 or not self._live:
            return []
        hits: list[Hit] = []
        seen: set[int] = set()
        allowed: dict[int, bool] = {}
        for aid in sorted(self._exact_ids(qn), key=self._canon):
            if self._take(aid, EXACT, hits, seen, allowed, allow) and len(hits) >= limit:
                break
        return hits

    def best(self, query: str, *, allow: Callable[[int], bool] | None = None) -> Hit | None:
        """The top hit if it clears CUTOFF, else None: search()'s first hit."""
        qn = normalize(query) if isinstance(query, str) else ""
        if not qn or not self._live:
            return None
        hits = self._search(qn, 1, allow, self._lookup_exact(qn))
        return hits[0] if hits and hits[0].score >= CUTOFF else None

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
        return str(self._buf[self._toff_v[p] : self._toff_v[p + 1]], "utf-8", "surrogatepass")

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


def _release_memory() -> None:
    """Return freed heap memory to the system where the C library allows (glibc keeps
    it otherwise, and an index build frees a lot)."""
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None).malloc_trim(0)


def _int64s(values: list[int]) -> np.ndarray:
    try:
        return np.array(values, dtype=np.int64)
    except OverflowError as exc:
        raise ValueError("keys and entity ids must fit in 64 bits") from exc
