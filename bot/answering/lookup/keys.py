"""Keys: the hashes typos are found by (SymSpell-style deletion variants), and the
stable string hashes of the exact-text and word tables.

Nothing here uses Python's ``hash()``: it differs between processes (PYTHONHASHSEED),
and these arrays are shared by processes through the on-disk snapshot.
"""

from __future__ import annotations

import bisect
import zlib
from collections.abc import Iterable
from operator import itemgetter

import numpy as np

from bot.answering.lookup.params import _DEL2_MAX, _DEL2_MIN, _MAXLEN, _SHORT

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
    keys: np.ndarray = c[i] + _PINV_NP * (c[j] - c[i1]) + _PINV2_NP * (c[n] - c[j1])
    return keys


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


# ------------------------------------------------------------ exact-string tables

_ID_BITS = 32  # a string table packs (32-bit hash << 32 | id): ids must fit in 32 bits


def text_hash(s: str) -> int:
    """A string's 32-bit hash, the same in every process (CRC-32 of its UTF-8)."""
    return zlib.crc32(s.encode("utf-8", "surrogatepass"))


def hash_table(strings: Iterable[str], ids: np.ndarray) -> np.ndarray:
    """text_hash(strings[i]) << 32 | ids[i], sorted: found by bisect (see table_find)."""
    if len(ids) and int(ids.max()) >= 1 << _ID_BITS:
        raise ValueError(f"a string table holds ids below 2**{_ID_BITS}, not {int(ids.max())}")
    crc = zlib.crc32
    h = np.fromiter(
        (crc(s.encode("utf-8", "surrogatepass")) for s in strings), dtype=np.uint64, count=len(ids)
    )
    return np.sort((h << np.uint64(_ID_BITS)) | ids.astype(np.uint64))


Buckets = tuple[memoryview, int]  # where each bucket starts (and the end), the shift
_PER_BUCKET = 4  # entries a bucket holds on average


def table_find(table: memoryview, h: int, buckets: Buckets | None = None) -> list[int]:
    """The ids stored under hash `h` in a hash_table (callers check the strings);
    ``buckets``: the table's (see table_buckets), so that only a bucket is searched."""
    x = h << _ID_BITS
    if buckets is None:
        i = bisect.bisect_left(table, x)
    else:
        starts, shift = buckets
        b = x >> shift
        i = bisect.bisect_left(table, x, starts[b], starts[b + 1])
    found = []
    while i < len(table) and table[i] >> _ID_BITS == h:
        found.append(table[i] & 0xFFFFFFFF)
        i += 1
    return found


def table_buckets(table: np.ndarray) -> Buckets | None:
    """Where each run of a hash_table's entries sharing their top bits starts: a look-up
    then bisects ~4 entries, not the whole table (~20 reads at a million, each likely a
    cache miss). None for a small table, bisected whole."""
    n = len(table)
    if n < 1024:
        return None
    bits = (n // _PER_BUCKET).bit_length()
    shift = 64 - bits
    tops = np.arange(1 << bits, dtype=np.uint64) << np.uint64(shift)
    starts = np.append(np.searchsorted(table, tops), n).astype(np.int32)  # (n < 2**31)
    return starts.data, shift
