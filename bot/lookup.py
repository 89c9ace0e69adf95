"""Fuzzy lookup of aliases (names of shows, characters, people...) for fans' questions.

Design, in short:

- Every alias is normalised (``bot.text.normalize``) and split into words. A word-level
  inverted index (numpy CSR: word id -> sorted alias ids) finds the aliases that share
  words with a query. Alias ids are assigned fewest-words-then-shortest first, so a
  truncated posting list keeps the aliases most likely to be meant, and equal scores
  prefer the shorter alias.
- Typos are caught per word, SymSpell style: every vocabulary word, its one-deletion
  variants and (for words of 8+ letters) its two-deletion variants are hashed into one
  sorted uint64 array, bucketed by the top bits. A query word's own variants are looked
  up there and the candidate words are checked with an OSA (Damerau) distance: one edit
  for words up to 7 letters, two for longer ones.
- Scoring is a weighted Dice over words: the matched weight (IDF x word similarity)
  twice, over the weight of the query's words plus the alias's words. Rare words decide,
  common ones ("the", "john") count little, and question leftovers ("actor", "show",
  "season", see NOISE) hardly at all, so "kilgrave actor" finds Kilgrave while "maria
  quorlan" does not become "Maria": a word found in no alias weighs as much as the
  rarest word. Word order is ignored. Only an exact normalised match scores 100; anything
  else is capped at NEAR (97), so an exact match always wins by a clear margin.
- Queries gather the posting lists of their rarest words (up to a budget) and only
  score the commoner words against those candidates, which bounds the cost of "the".
- Additions go to a small mutable delta (dicts of lists) and removals to tombstones,
  on top of the numpy arrays; compact() folds them in (a rebuild) and runs by itself
  once the delta and removals outnumber a quarter of the base (and at least 4096).

The index is in memory only (it uses Python's per-process string hashes) and is not
thread-safe: query and mutate it from one thread (the event loop), or hold a lock.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import compress, repeat
from operator import itemgetter

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from bot.text import normalize

__all__ = ["CUTOFF", "NEAR", "NOISE", "AliasIndex", "Hit"]

# Below this a query is "unknown". A score is roughly the share of the query's and the
# alias's information that matches, so 80 accepts one or two typos in a name (one edit
# in a word of 5+ letters scores >= 80 even alone; "kilgrav" vs "Killgrave" 87.5) and a
# name with question leftovers around it ("jessica jones actress" 96), while a name that
# only shares a common word with an alias ("maria quorlan" vs "Maria Quinn" ~35) or a
# word 3+ edits from every alias word stays far below. Words of 4 letters or fewer must
# match exactly when they are the whole name: one edit there is usually another name,
# so "nuk" scores 73 against "Nuke" (a suggestion from search(), None from best()).
CUTOFF: float = 80.0
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
    era et for from full go had has have he her him his how i if in info information is
    it its know la le les like los me more my name named names new nickname of old on
    or our play played player playing plays please plot real release released role roles
    said say says season seasons see series she show shows so some spoiler spoilers
    story storyline tell than that the their them then there they this those to tv
    u um uh up us was watch we were what whats when where which who whom whos why will
    with would ya you your
    """.split()
)
_NOISE_WEIGHT = 0.1
_SHORT = 4  # a typo in a word this short makes another word: similarity x 0.85
_SHORT_PENALTY = 0.85
_DEL2_MIN = 8  # words this long tolerate two edits...
_DEL2_MAX = 12  # ...but past this only the query's side has two-deletion variants (memory)
_MAXLEN = 24  # longer words only match exactly (and stay out of the deletion index)
_MAX_QUERY_WORDS = 12  # a subject is a handful of words; bounds the cost of a pasted novel
_MAX_FUZZY = 24  # similar words kept per query word, most similar first
_BUDGET = 16384  # alias ids gathered from posting lists per query; bounds p99
_COMPLETE_BUDGET = 4096  # the same for complete(), which needs fewer candidates
_SELECT = 64  # candidates ranked per round when picking the best hit per entity
_DELTA_MIN = 4096  # delta size (adds + removals) that never triggers a compaction
_COMPLETE_FUZZY_FLOOR = 60.0  # complete() falls back to search() hits at least this good

# H(s) = sum c_k P^(k+1) mod 2^64 over code points c_k, so every deletion variant's hash
# follows from prefix sums (see _variants). The exponent starts at 1 so that even a
# 2-letter variant's top bits, which pick its bucket, depend on every letter.
_MASK = (1 << 64) - 1
_P = 0x9E3779B97F4A7C15
_PINV = pow(_P, -1, 1 << 64)
_PINV2 = (_PINV * _PINV) & _MASK
_PPOW = [pow(_P, k + 1, 1 << 64) for k in range(_MAXLEN)]
_PPOW_NP = np.array(_PPOW, dtype=np.uint64)
_PINV_NP, _PINV2_NP = np.uint64(_PINV), np.uint64(_PINV2)
_TRIU: dict[int, tuple[np.ndarray, np.ndarray]] = {}
_EMPTY_I32 = np.zeros(0, dtype=np.int32)
_EMPTY_F64 = np.zeros(0, dtype=np.float64)
_I64_MIN, _I64_MAX = -(1 << 63), (1 << 63) - 1


def _variants(words: list[str], d1_min: int, d2_min: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of each word, its one-deletion variants (words of d1_min+ letters) and its
    two-deletion variants (d2_min+ letters), and the index of the word each came from.

    With prefix sums C_m = sum_{k<m} c_k P^(k+1): deleting position i gives
    C_i + P^-1 (C_n - C_{i+1}); deleting i < j gives C_i + P^-1 (C_j - C_{i+1}) +
    P^-2 (C_n - C_{j+1}). Words are padded with NULs, which add nothing, so one batch of
    matrix operations covers words of any lengths.
    """
    n = len(words)
    lens = np.fromiter(map(len, words), dtype=np.int64, count=n)
    width = int(lens.max())
    text = "".join(words) if lens.min() == width else "".join(w.ljust(width, "\0") for w in words)
    cp = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").reshape(n, width)
    c = np.zeros((n, width + 1), dtype=np.uint64)
    np.cumsum(cp.astype(np.uint64) * _PPOW_NP[:width], axis=1, out=c[:, 1:])
    tot = c[:, width:]
    hashes = [tot.ravel()]
    owners = [np.arange(n)]
    col = lens[:, None]
    if (lens >= d1_min).any():
        d1 = c[:, :width] + _PINV_NP * (tot - c[:, 1:])
        ok = (np.arange(width) < col) & (col >= d1_min)
        hashes.append(d1[ok])
        owners.append(np.nonzero(ok)[0])
    if (lens >= d2_min).any():
        if width not in _TRIU:
            _TRIU[width] = np.triu_indices(width, 1)
        i, j = _TRIU[width]
        d2 = c[:, i] + _PINV_NP * (c[:, j] - c[:, i + 1]) + _PINV2_NP * (tot - c[:, j + 1])
        ok = (j < col) & (col >= d2_min)
        hashes.append(d2[ok])
        owners.append(np.nonzero(ok)[0])
    return np.concatenate(hashes), np.concatenate(owners)


def _query_keys(word: str, level: int) -> list[int]:
    """The same hashes as _variants, in Python (cheaper for one short word): level 1 is
    the word and its one-deletion variants (4+ letters), level 2 its two-deletion ones."""
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


def _build_deletions(words: list[str]) -> tuple[np.ndarray, int]:
    """The hashes of every word of 3.._MAXLEN letters, of its one-deletion variants and,
    from _DEL2_MIN letters, of its two-deletion variants, each with its low `wbits` bits
    replaced by the word's id; sorted. Returns them and `wbits`."""
    wbits = max(22, len(words).bit_length())
    lens = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    parts = []
    for n in range(3, _MAXLEN + 1):
        ids = np.flatnonzero(lens == n)
        if len(ids):
            group = list(itemgetter(*ids)(words)) if len(ids) > 1 else [words[ids[0]]]
            h, o = _variants(group, 3, _DEL2_MIN if n <= _DEL2_MAX else n + 1)
            parts.append((h >> np.uint64(wbits) << np.uint64(wbits)) | ids[o].astype(np.uint64))
    if not parts:
        return np.zeros(0, dtype=np.uint64), wbits
    return np.sort(np.concatenate(parts)), wbits


def _bucket_offsets(sorted_keys: np.ndarray, bits: int) -> np.ndarray:
    """Start of each bucket (the top `bits` bits) in the sorted keys, plus the end."""
    offsets = np.zeros((1 << bits) + 1, dtype=np.int64)
    buckets = (sorted_keys >> np.uint64(64 - bits)).astype(np.int64)
    np.cumsum(np.bincount(buckets, minlength=1 << bits), out=offsets[1:])
    return offsets


def _idf(df: int, n: int) -> float:
    return math.log1p((n - df + 0.5) / (df + 0.5))


def _word_similarity(a: str, b: str, dist: int) -> float:
    """0..1. OSA counts a swap of neighbours as one edit; Indel (fuzz.ratio) is kinder
    to an inserted or dropped letter. Take the kinder of the two."""
    sim = max(fuzz.ratio(a, b) / 100.0, 1.0 - dist / max(len(a), len(b)))
    if min(len(a), len(b)) <= _SHORT:
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


def _ranked(key: np.ndarray, first: int) -> Iterator[int]:
    """Positions of `key` in ascending order, sorting only as far as the caller reads."""
    k = min(len(key), first)
    done = 0
    while done < len(key):
        if k < len(key):
            part = np.argpartition(key, k - 1)[:k]
            part = part[np.argsort(key[part], kind="stable")]
        else:
            part = np.argsort(key, kind="stable")
        yield from part[done:].tolist()
        done, k = k, min(len(key), 4 * k)


@dataclass(frozen=True, slots=True)
class Hit:
    key: int  # the alias key given at add time
    entity_id: int
    text: str  # the alias text as given (original case)
    score: float  # 0..100, higher is better; 100 for an exact normalised match


class AliasIndex:
    """Aliases -> entities, found by fuzzy, word-order-insensitive questions."""

    def __init__(self) -> None:
        self._init_base([], [], [])

    # ------------------------------------------------------------------ building

    @classmethod
    def build(cls, rows: Iterable[tuple[int, int, str]]) -> AliasIndex:
        """A new index of (key, entity_id, text) rows; a repeated key keeps its last row."""
        rows = list(rows)
        keys = [r[0] for r in rows]
        if len(set(keys)) != len(keys):
            rows = list({r[0]: r for r in rows}.values())
            keys = [r[0] for r in rows]
        texts = [r[2] for r in rows]
        for t in texts:
            _check_text(t)
        index = cls.__new__(cls)
        index._init_base(keys, [r[1] for r in rows], texts)
        return index

    def _init_base(self, keys: list[int], ents: list[int], texts: list[str]) -> None:
        n = len(texts)
        norms = list(map(normalize, texts))
        nlen = np.fromiter(map(len, norms), dtype=np.int64, count=n)
        ntok = np.fromiter(map(str.count, norms, repeat(" ")), dtype=np.int64, count=n)
        ntok += nlen > 0
        # Fewest words, then shortest first: truncated posting lists and equal scores
        # favour the aliases closest to a short query.
        order = np.lexsort((nlen, ntok))
        key_arr, ent_arr, ntok = _int64s(keys)[order], _int64s(ents)[order], ntok[order]
        if n > 1:
            pick = itemgetter(*order.tolist())
            norms, texts = list(pick(norms)), list(pick(texts))

        flat = " ".join(norms).split()
        words = sorted(set(flat))
        wid = {w: i for i, w in enumerate(words)}  # ids in sorted order: a prefix is a range
        nv = len(words)
        fwd = np.fromiter(map(wid.__getitem__, flat), dtype=np.int32, count=len(flat))
        del flat
        foff = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(ntok, out=foff[1:])
        pairs = np.sort((fwd.astype(np.int64) << 32) | np.repeat(np.arange(n), ntok))
        if len(pairs):  # a word twice in one alias counts once
            pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
        pw = pairs >> 32
        post = (pairs & 0xFFFFFFFF).astype(np.int32)
        del pairs
        df = np.bincount(pw, minlength=nv)
        poff = np.zeros(nv + 1, dtype=np.int64)
        np.cumsum(df, out=poff[1:])

        weight = np.log1p((max(n, 1) - df + 0.5) / (df + 0.5))
        for w in NOISE & wid.keys():
            weight[wid[w]] *= _NOISE_WEIGHT
        wa = np.bincount(post, weights=weight[pw], minlength=n)
        del pw

        self._dk, self._wbits = _build_deletions(words)
        self._dbits = max(1, len(self._dk).bit_length() - 1)  # ~1-2 entries per bucket
        self._dboff = _bucket_offsets(self._dk, self._dbits)

        blen = np.fromiter(map(len, texts), dtype=np.int64, count=n)
        for i in compress(range(n), [not a for a in map(str.isascii, texts)]):
            blen[i] = len(texts[i].encode("utf-8", "surrogatepass"))
        toff = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(blen, out=toff[1:])

        self._n0, self._v0 = n, nv
        self._words, self._wid = words, wid
        self._post, self._poff, self._fwd, self._foff = post, poff, fwd, foff
        self._ex = _hash_table(norms)
        self._cx = _hash_table([s.replace(" ", "") for s in norms])
        korder = np.argsort(key_arr, kind="stable")
        self._k_sorted, self._k_ids = key_arr[korder], korder.astype(np.int32)
        self._buf, self._toff = "".join(texts).encode("utf-8", "surrogatepass"), toff
        # Per alias (base ids, then delta ids) and per word (base words, then new ones);
        # these grow when the delta does.
        self._n = n
        self._key = key_arr
        self._ent = ent_arr
        self._wa = wa.astype(np.float64)
        self._dead = np.zeros(n, dtype=bool)
        self._wt = weight.astype(np.float64)
        self._live = n
        self._ndead = 0
        self._churn = 0  # delta aliases + removed base aliases since the build
        # The delta: aliases added since the build, and the words they brought.
        self._dtext: list[str] = []
        self._dfwd: list[list[int]] = []
        self._dpost: dict[int, list[int]] = {}
        self._dpost_np: dict[int, np.ndarray] = {}
        self._ddel: dict[int, list[int]] = {}
        self._dex: dict[str, list[int]] = {}
        self._dcx: dict[str, list[int]] = {}
        self._dkeys: dict[int, int] = {}
        self._views()

    def _views(self) -> None:
        # memoryviews read single elements as Python numbers ~5x faster than numpy does.
        self._ent_v, self._key_v, self._dead_v = (
            memoryview(self._ent),
            memoryview(self._key),
            memoryview(self._dead),
        )
        self._wt_v, self._poff_v, self._toff_v = (
            memoryview(self._wt),
            memoryview(self._poff),
            memoryview(self._toff),
        )
        self._dk_v, self._dboff_v = memoryview(self._dk), memoryview(self._dboff)
        self._ex_v, self._cx_v = memoryview(self._ex), memoryview(self._cx)

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
        uniq = list(dict.fromkeys(ws))
        for w in uniq:
            self._dpost.setdefault(w, []).append(aid)
            self._dpost_np.pop(w, None)
        self._key[aid], self._ent[aid] = key, entity_id
        self._wa[aid] = sum(self._wt_v[w] for w in uniq)
        self._dead[aid] = False
        self._n = aid + 1
        self._dtext.append(text)
        self._dfwd.append(ws)
        self._dex.setdefault(norm, []).append(aid)
        self._dcx.setdefault(norm.replace(" ", ""), []).append(aid)
        self._dkeys[key] = aid
        self._live += 1
        self._churn += 1
        self._maybe_compact()

    def remove(self, key: int) -> None:
        """Remove the alias with this key; nothing happens if there is none."""
        try:
            key = _check_int(key)
        except (TypeError, ValueError, OverflowError):
            return
        aid = self._dkeys.pop(key, None)
        if aid is None:
            i = int(np.searchsorted(self._k_sorted, key))
            if i >= len(self._k_sorted) or self._k_sorted[i] != key:
                return
            aid = int(self._k_ids[i])
            if self._dead_v[aid]:
                return
            self._churn += 1
        self._dead[aid] = True
        self._live -= 1
        self._ndead += 1
        self._maybe_compact()

    def compact(self) -> None:
        """Fold the delta and the removals into fresh arrays: a full rebuild (~3 s at 1M
        aliases). add()/remove() call it when the changes outgrow the base."""
        alive = np.flatnonzero(~self._dead[: self._n]).tolist()
        rows = [(self._key_v[a], self._ent_v[a], self._text(a)) for a in alive]
        fresh = AliasIndex.build(rows)
        self.__dict__.clear()
        self.__dict__.update(fresh.__dict__)

    def _maybe_compact(self) -> None:
        if self._churn > max(_DELTA_MIN, self._n0 // 4):
            self.compact()

    def _grow_aliases(self, size: int) -> None:
        cap = size + size // 8 + 1024
        for name in ("_key", "_ent", "_wa", "_dead"):
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
            grown = np.zeros(w + w // 8 + 1024)
            grown[: len(self._wt)] = self._wt
            self._wt = grown
            self._views()
        # Weighed as seen once, and frozen, so that stored alias weights stay consistent.
        self._wt[w] = _idf(1, max(self._live, 1)) * (_NOISE_WEIGHT if word in NOISE else 1.0)
        if 3 <= len(word) <= _MAXLEN:
            for h in _variants([word], 3, _DEL2_MIN)[0].tolist():
                self._ddel.setdefault(h, []).append(w)
        return w

    def __len__(self) -> int:
        return self._live

    # ------------------------------------------------------------------ queries

    def search(
        self, query: str, *, limit: int = 5, allow: Callable[[int], bool] | None = None
    ) -> list[Hit]:
        """Best hit per entity, best first, at most `limit` entities; `allow(entity_id)`
        filters (guild scoping). No cutoff applied."""
        qn = normalize(query) if isinstance(query, str) else ""
        if not qn or limit <= 0 or not self._live:
            return []
        exact, spaced = self._lookup_exact(qn)
        ids, scores = self._score(qn)
        hits: list[Hit] = []
        seen: set[int] = set()
        allowed: dict[int, bool] = {}
        for group, score in ((exact, EXACT), (spaced, NEAR)):
            for aid in sorted(group):
                if self._take(aid, score, hits, seen, allowed, allow) and len(hits) >= limit:
                    return hits
        if len(ids):
            # Best first; equal scores keep the shorter alias (the smaller id) first.
            key = ids * 1e-13 - scores
            for i in _ranked(key, max(_SELECT, 4 * limit)):
                score = round(min(float(scores[i]), NEAR), 2)
                if self._take(int(ids[i]), score, hits, seen, allowed, allow) and (
                    len(hits) >= limit
                ):
                    break
        return hits

    def best(self, query: str, *, allow: Callable[[int], bool] | None = None) -> Hit | None:
        """The top hit if it clears CUTOFF, else None."""
        hits = self.search(query, limit=1, allow=allow)
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
            key = np.where(lead, 0, 1 << 40) + cand.astype(np.int64)
            for i in _ranked(key, max(_SELECT, 4 * limit)):
                aid = int(cand[i])
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
        return self._buf[self._toff_v[aid] : self._toff_v[aid + 1]].decode("utf-8", "surrogatepass")

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
        base = self._poff_v[w + 1] - self._poff_v[w] if w < self._v0 else 0
        return base + len(self._dpost.get(w, ()))

    def _lookup_exact(self, qn: str) -> tuple[list[int], list[int]]:
        """Live alias ids whose normalised text is qn, and those equal to it but for
        spaces ("spiderman" / "Spider-Man")."""
        exact = self._find(self._ex_v, qn, self._dex)
        exact = [a for a in exact if normalize(self._text(a)) == qn]
        qc = qn.replace(" ", "")
        spaced = [
            a
            for a in self._find(self._cx_v, qc, self._dcx)
            if a not in exact and normalize(self._text(a)).replace(" ", "") == qc
        ]
        return exact, spaced

    def _find(self, table: memoryview, s: str, delta: dict[str, list[int]]) -> list[int]:
        """Live alias ids whose string may be `s` (same 32 hash bits; callers verify)."""
        h = hash(s) & 0xFFFFFFFF
        i = bisect.bisect_left(table, h << 32)
        found = []
        while i < len(table) and table[i] >> 32 == h:
            found.append(table[i] & 0xFFFFFFFF)
            i += 1
        found += delta.get(s, ())
        return [a for a in found if not self._dead_v[a]]

    def _probe(self, keys: list[int], owner: int, found: set[tuple[int, int]]) -> None:
        """Add (owner, word id) for every vocabulary word hashed under one of `keys`."""
        dk, boff, wbits = self._dk_v, self._dboff_v, self._wbits
        shift = 64 - self._dbits
        wmask = (1 << wbits) - 1
        for h in keys:
            b = h >> shift
            prefix = h >> wbits
            for k in range(boff[b], boff[b + 1]):
                e = dk[k]
                if e >> wbits == prefix:
                    found.add((owner, e & wmask))
        if self._ddel:
            for h in keys:
                for w in self._ddel.get(h, ()):
                    found.add((owner, w))

    def _match_words(self, toks: list[str]) -> list[tuple[int, int, float]]:
        """(query word index, word id, similarity) for every word each query word
        matches: itself, and the words a typo or two away."""
        pairs = []
        exact = [self._wid.get(t) for t in toks]
        for i, w in enumerate(exact):
            if w is not None:
                pairs.append((i, w, 1.0))
        for i, t in enumerate(toks):
            if t in NOISE or not 3 <= len(t) <= _MAXLEN:
                continue
            found: set[tuple[int, int]] = set()
            self._probe(_query_keys(t, 1), i, found)
            fuzzy = self._verify(t, found, exact[i])
            # Two-deletion variants only for long words that found nothing closer.
            if len(t) >= _DEL2_MIN and exact[i] is None and not any(d < 2 for d, _, _ in fuzzy):
                found2: set[tuple[int, int]] = set()
                self._probe(_query_keys(t, 2), i, found2)
                fuzzy += self._verify(t, found2 - found, None)
            if fuzzy:
                fuzzy.sort(key=lambda f: -f[1])
                pairs.extend((i, w, sim) for _, sim, w in fuzzy[:_MAX_FUZZY])
        return pairs

    def _verify(
        self, t: str, found: set[tuple[int, int]], exact: int | None
    ) -> list[tuple[int, float, int]]:
        """(edits, similarity, word id) of the found words within reach of `t`."""
        out = []
        for _, w in found:
            if w == exact:
                continue
            cand = self._words[w]
            limit = _max_edits(t, cand)
            if limit and (d := OSA.distance(t, cand, score_cutoff=limit)) <= limit:
                out.append((d, _word_similarity(t, cand, d), w))
        return out

    def _score(self, qn: str) -> tuple[np.ndarray, np.ndarray]:
        """Candidate alias ids and their scores (0..100, before the NEAR cap)."""
        toks = list(dict.fromkeys(qn.split()))[:_MAX_QUERY_WORDS]
        nt = len(toks)
        noise = [t in NOISE for t in toks]
        pairs = self._match_words(toks)
        if not pairs:
            return _EMPTY_I32, _EMPTY_F64
        # What a query word weighs when an alias lacks it: the weight of its exact word,
        # else of its most similar word, else (found nowhere) the most a word can weigh.
        wt = self._wt_v
        unknown = _idf(0, max(self._live, 1))
        w0 = [unknown * _NOISE_WEIGHT if nz else unknown for nz in noise]
        best_sim = [0.0] * nt
        for i, w, sim in pairs:
            if sim > best_sim[i]:
                best_sim[i], w0[i] = sim, wt[w]
        wq0 = sum(w0)

        # Per (query word, word): where its postings are, and what a match is worth.
        poff, v0, dpost = self._poff_v, self._v0, self._dpost
        tok_df = [0] * nt
        table = []
        for i, w, sim in sorted(pairs, key=lambda p: (p[0], -p[2])):
            lo, hi = (poff[w], poff[w + 1]) if w < v0 else (0, 0)
            extra = w in dpost
            tok_df[i] += hi - lo + (len(dpost[w]) if extra else 0)
            table.append(
                (i, w, lo, hi, extra, sim * wt[w], wt[w] - w0[i], 0.0 if noise[i] else 1.0)
            )

        # Gather the posting lists of the rarest query words, up to the budget; the
        # commoner words only add to the scores of those candidates (further below).
        gathered: set[int] = set()
        used = 0
        for i in sorted(range(nt), key=tok_df.__getitem__):
            if tok_df[i] and (not gathered or used + tok_df[i] <= _BUDGET):
                gathered.add(i)
                used += tok_df[i]
        slices, lens, rows = [], [], []
        for r, (i, w, lo, hi, extra, *_) in enumerate(table):
            if i not in gathered:
                continue
            for s in (
                self._post[lo : min(hi, lo + _BUDGET)] if hi > lo else None,
                self._delta_postings(w) if extra else None,
            ):
                if s is not None:
                    slices.append(s)
                    lens.append(len(s))
                    rows.append(r)
        if not slices:
            return _EMPTY_I32, _EMPTY_F64
        vals = np.array([t[5:] for t in table]).T  # (3, pairs): value, weight delta, name?
        if len(slices) == 1:
            cand = slices[0]
            m, d, nn = (np.full(len(cand), v) for v in vals[:, rows[0]].tolist())
        else:
            ids = np.concatenate(slices)
            pidx = np.repeat(np.array(rows), lens)
            if len(rows) > len(gathered):
                # A query word matched several words: count it once per alias, with its
                # most similar word (the table lists those first; the sort is stable).
                key = ids.astype(np.int64) * nt + np.array([t[0] for t in table])[pidx]
                order = np.argsort(key, kind="stable")
                ks = key[order]
                keep = np.ones(len(ks), dtype=bool)
                keep[1:] = ks[1:] != ks[:-1]
                order = order[keep]
            else:
                order = np.argsort(ids, kind="stable")
            ids, pidx = ids[order], pidx[order]
            starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
            cand = ids[starts]
            m, d, nn = np.add.reduceat(vals[:, pidx], starts, axis=1)

        for i in range(nt):
            if not tok_df[i] or i in gathered:
                continue
            best_v = np.zeros(len(cand))
            best_d = np.zeros(len(cand))
            for r, row in enumerate(table):
                if row[0] != i:
                    continue
                p = self._postings(row[1])
                at = np.minimum(np.searchsorted(p, cand), len(p) - 1)
                upd = (p[at] == cand) & (vals[0, r] > best_v)
                best_v[upd] = vals[0, r]
                best_d[upd] = vals[1, r]
            m = m + best_v
            d = d + best_d
            if not noise[i]:
                nn = nn + (best_v > 0)
        if self._ndead:
            alive = ~self._dead[cand]
            cand, m, d, nn = cand[alive], m[alive], d[alive], nn[alive]
        # Weighted Dice: the matched weight twice, over the query's plus the alias's.
        score = (200.0 * m) / (d + self._wa[cand] + wq0)
        np.minimum(score, EXACT, out=score)
        if any(noise):
            score[nn == 0] *= 0.5  # only question leftovers matched: never a confident hit
        return cand, score

    def _complete_candidates(
        self, whole: list[str], part: str | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Live aliases with every word of `whole` and a word starting with `part`, and
        whether each starts with the first typed word."""
        whole_ids = [self._wid.get(t) for t in whole]
        if any(w is None for w in whole_ids):
            return _EMPTY_I32, np.zeros(0, dtype=bool)
        lo = hi = 0
        extra: set[int] = set()
        if part is not None:
            lo = bisect.bisect_left(self._words, part, 0, self._v0)
            hi = bisect.bisect_left(self._words, part + "\U0010ffff", lo, self._v0)
            extra = {
                w for w in range(self._v0, len(self._words)) if self._words[w].startswith(part)
            }
        if whole_ids:
            rare = min(whole_ids, key=self._df)
            cand = self._postings(rare)[:_COMPLETE_BUDGET]
            for w in whole_ids:
                if w != rare and len(cand):
                    p = self._postings(w)
                    at = np.minimum(np.searchsorted(p, cand), len(p) - 1)
                    cand = cand[p[at] == cand]
            if part is not None and len(cand):
                cand = cand[self._has_word_in(cand, lo, hi, extra)]
        else:
            nwords = hi - lo + len(extra)
            if not nwords:
                return _EMPTY_I32, np.zeros(0, dtype=bool)
            # Each word brings its shortest aliases, within the budget.
            per = max(1, _COMPLETE_BUDGET // nwords)
            parts = []
            if hi > lo:
                starts = self._poff[lo:hi]
                pos, _ = _ranges(starts, np.minimum(self._poff[lo + 1 : hi + 1], starts + per))
                parts.append(self._post[pos])
            if self._dpost:
                base_words = (
                    range(lo, hi)
                    if hi - lo < len(self._dpost)
                    else [w for w in self._dpost if lo <= w < hi]
                )
                for w in [*extra, *base_words]:
                    if w in self._dpost:
                        parts.append(np.array(self._dpost[w][:per], dtype=np.int32))
            cand = np.concatenate(parts) if len(parts) > 1 else parts[0] if parts else _EMPTY_I32
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

    def _has_word_in(self, cand: np.ndarray, lo: int, hi: int, extra: set[int]) -> np.ndarray:
        """Mask: has each alias a word with id in [lo, hi) or in `extra`?"""
        out = np.zeros(len(cand), dtype=bool)
        base = cand < self._n0
        if base.any():
            b = cand[base]
            pos, which = _ranges(self._foff[b], self._foff[b + 1])
            w = self._fwd[pos]
            ok = (w >= lo) & (w < hi)
            out[base] = np.bincount(which, weights=ok, minlength=len(b)) > 0
        for i in np.flatnonzero(~base).tolist():
            ws = self._dfwd[int(cand[i]) - self._n0]
            out[i] = any(lo <= w < hi or w in extra for w in ws)
        return out


def _hash_table(strings: list[str]) -> np.ndarray:
    """(32 bits of Python's hash << 32 | position) of each string, sorted."""
    h = np.fromiter(map(hash, strings), dtype=np.int64, count=len(strings)).view(np.uint64)
    return np.sort((h << np.uint64(32)) | np.arange(len(strings), dtype=np.uint64))


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
