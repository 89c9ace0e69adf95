"""Completion: the aliases whose words start with what a user has typed so far."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from operator import itemgetter
from typing import TYPE_CHECKING

import numpy as np

from bot.answering.lookup.params import (
    _COMPLETE_BUDGET,
    _COMPLETE_FUZZY_FLOOR,
    _EMPTY_I32,
    _MAX_QUERY_WORDS,
    _SELECT,
)
from bot.answering.lookup.scoring import Hit, Pair, _ranges
from bot.answering.lookup.state import IndexState
from bot.language.text import normalize


class Completion(IndexState):
    """complete() of AliasIndex (a mixin: the arrays live on the index)."""

    if TYPE_CHECKING:  # defined by AliasIndex and Scoring

        def search(
            self, query: str, *, limit: int = 5, allow: Callable[[int], bool] | None = None
        ) -> list[Hit]: ...

        def _take(
            self,
            aid: int,
            score: float,
            hits: list[Hit],
            seen: set[int],
            allowed: dict[int, bool],
            allow: Callable[[int], bool] | None,
        ) -> bool: ...

        def _match_words(
            self, toks: list[str], deferred: list[int] | None = None
        ) -> tuple[list[Pair], list[int]]: ...

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

    def _complete_candidates(
        self, whole: list[str], part: str | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Live aliases with every word of `whole` and a word starting with `part`, and
        whether each starts with the first typed word."""
        # A finished word that is no word: its closest word, if one is close ("jesica j").
        found = [self._word(t) for t in whole]
        for i, w in enumerate(found):
            if w is None:
                near = self._match_words([whole[i]])[0]
                found[i] = max(near, key=itemgetter(2))[1] if near else None
        whole_ids = [w for w in found if w is not None]
        if len(whole_ids) < len(found):
            return _EMPTY_I32, np.zeros(0, dtype=bool)
        lo = hi = 0
        extra: set[int] = set()
        if part is not None:
            base = self._words.base  # sorted: the words with a prefix are an id range
            lo = bisect.bisect_left(base, part, 0, self._v0)
            hi = bisect.bisect_left(base, part + "\U0010ffff", lo, self._v0)
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
