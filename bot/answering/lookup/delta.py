"""The mutable delta: aliases added since the build (Python lists and dicts), removals
as tombstones over the base arrays, word weights kept in step with the live aliases,
and compaction (a rebuild) once the changes outgrow the base."""

from __future__ import annotations

from itertools import repeat

import numpy as np

from bot.answering.lookup.keys import _index_keys
from bot.answering.lookup.params import _DELTA_MIN, _I64_MAX, _I64_MIN, NOISE
from bot.answering.lookup.scoring import _weights
from bot.answering.lookup.state import GENERATIONS, IndexState
from bot.language.text import normalize

_MAX_ALIASES = (1 << 31) - 1  # alias ids are int32 in the postings


class Delta(IndexState):
    """The mutation side of AliasIndex (a mixin: the arrays live on the index)."""

    def add(self, key: int, entity_id: int, text: str) -> None:
        """Add one alias, or replace the alias with this key; visible at once."""
        key, entity_id, text = _check_int(key), _check_int(entity_id), _check_text(text)
        self.remove(key)
        self.generation = next(GENERATIONS)
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
        self.generation = next(GENERATIONS)
        try:
            key = _check_int(key)
        except (TypeError, ValueError, OverflowError):
            return
        aid = self._dkeys.pop(key, None)
        if aid is None:
            if self._k_sorted is None or self._k_ids is None:  # removals are rare: sorted lazily
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
        fresh = type(self).build(rows)
        self.__dict__.clear()
        self.__dict__.update(fresh.__dict__)

    def _maybe_compact(self) -> None:
        if self._churn > max(_DELTA_MIN, self._n0 // 4):
            self.compact()

    def _grow_aliases(self, size: int) -> None:
        if size > _MAX_ALIASES:
            raise ValueError(f"an index holds at most {_MAX_ALIASES:,} aliases (int32 ids)")
        cap = size + size // 8 + 1024
        for name in ("_key", "_ent", "_wa", "_dead", "_tn"):
            old = getattr(self, name)
            new = np.zeros(cap, dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)
        self._views()

    def _new_word(self, word: str) -> int:
        w = self._words.append(word)
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


def _check_int(value: int) -> int:
    value = int(value)
    if not _I64_MIN <= value <= _I64_MAX:
        raise ValueError(f"keys and entity ids must fit in 64 bits, not {value}")
    return value


def _check_text(text: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"alias text must be a str, not {type(text).__name__}")
    return text
