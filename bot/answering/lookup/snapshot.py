"""The index on disk: its arrays in one file, mapped back by the processes that open it.

A snapshot file is a small header and the arrays' raw bytes, each 64-byte aligned:

    b"SHOWSNAP" | format (u32) | header length (u32) | header CRC-32 (u32) | 0 (u32)
    header: JSON {"meta": {...}, "arrays": {name: [dtype, shape, offset, nbytes, crc32]}}
    the arrays' bytes

read() maps the whole file copy-on-write: pages nobody writes stay the page cache's,
shared by every process on the same database; the few an edit writes (a tombstone, a
word count) become that process's own, and the file never changes. Every array's CRC-32
is checked on open (~3 GB/s), then the mapping's pages are dropped from the process
(MADV_DONTNEED) so that what it holds is only what its queries touch. Anything wrong
(short, garbled, another format, a checksum) raises SnapshotError: the caller rebuilds.

write() goes to a temporary file in the same directory, fsyncs it and renames it over
the old one: a reader sees the old file or the new one, whole, never a mix; a process
that mapped the old one keeps reading it (its inode lives until unmapped).
"""

from __future__ import annotations

import contextlib
import json
import mmap
import os
import secrets
import struct
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from bot.answering.lookup.index import AliasIndex
from bot.answering.lookup.vocab import Strings, Vocabulary

MAGIC = b"SHOWSNAP"
FORMAT = 1
_PREFIX = struct.Struct("<8sIIII")
_ALIGN = 64
_HEADER_MAX = 1 << 20


class SnapshotError(Exception):
    """The snapshot file cannot be used (missing, short, corrupt, other format)."""


def write(path: Path, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
    """Write `arrays` (and the JSON-able `meta`) to `path` atomically."""
    flat = {name: np.ascontiguousarray(a) for name, a in arrays.items()}
    table: dict[str, list[Any]] = {}
    offset = 0
    for name, a in flat.items():
        raw = a.data.cast("B") if a.nbytes else b""
        table[name] = [a.dtype.str, list(a.shape), offset, a.nbytes, zlib.crc32(raw)]
        offset += -(-a.nbytes // _ALIGN) * _ALIGN
    header = json.dumps({"meta": dict(meta), "arrays": table}, sort_keys=True).encode()
    start = -(-(_PREFIX.size + len(header)) // _ALIGN) * _ALIGN
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(_PREFIX.pack(MAGIC, FORMAT, len(header), zlib.crc32(header), 0))
            f.write(header)
            f.write(b"\0" * (start - _PREFIX.size - len(header)))
            for a in flat.values():
                if a.nbytes:
                    f.write(a.data.cast("B"))
                f.write(b"\0" * (-a.nbytes % _ALIGN))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    with contextlib.suppress(OSError):  # the rename itself durable too, where it can be
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def read(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The meta and the arrays of a snapshot, mapped (see the module's docstring)."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size < _PREFIX.size:
                raise SnapshotError(f"{path.name} is too short ({size} bytes)")
            mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
    except OSError as exc:
        raise SnapshotError(f"cannot read {path.name}: {exc}") from exc
    magic, fmt, hlen, hcrc, _ = _PREFIX.unpack_from(mm, 0)
    if magic != MAGIC or fmt != FORMAT:
        raise SnapshotError(f"{path.name} is not a format {FORMAT} snapshot")
    if not 0 < hlen <= min(_HEADER_MAX, size - _PREFIX.size):
        raise SnapshotError(f"{path.name} has a bad header length")
    header = mm[_PREFIX.size : _PREFIX.size + hlen]
    if zlib.crc32(header) != hcrc:
        raise SnapshotError(f"{path.name}'s header is corrupt")
    try:
        parsed = json.loads(header)
        meta, table = parsed["meta"], parsed["arrays"]
        start = -(-(_PREFIX.size + hlen) // _ALIGN) * _ALIGN
        arrays = {}
        view = memoryview(mm)
        for name, (dtype, shape, offset, nbytes, crc) in table.items():
            dt = np.dtype(dtype)
            count = int(np.prod(shape, dtype=np.int64))
            at = start + int(offset)
            if count * dt.itemsize != nbytes or offset < 0 or at + nbytes > size:
                raise SnapshotError(f"{path.name} is truncated or garbled ({name})")
            if zlib.crc32(view[at : at + nbytes]) != crc:
                raise SnapshotError(f"{path.name} is corrupt ({name})")
            arrays[name] = np.frombuffer(mm, dtype=dt, count=count, offset=at).reshape(shape)
        del view
    except SnapshotError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise SnapshotError(f"{path.name}'s header is garbled: {exc}") from exc
    # The checksums read every page in; drop them from this process (they stay cached).
    with contextlib.suppress(AttributeError, OSError):
        mm.madvise(mmap.MADV_DONTNEED)
        mm.madvise(mmap.MADV_RANDOM)  # queries read a few scattered pages: no read-ahead
    return meta, arrays


# ------------------------------------------------------------ the index's arrays

# Arrays that edits write (copy-on-write pages once mapped), padded as the index grows
# them, so that the first additions write into the padding instead of copying them all.
_PER_ALIAS = ("_key", "_ent", "_wa", "_tn", "_dead")
_PER_WORD = ("_wt", "_dfl")
# Arrays only read once built.
_FIXED = (
    "_dk",
    "_dboff",
    "_toff",
    "_pos",
    "_ex",
    "_post",
    "_poff",
    "_fwd",
    "_foff",
    "_pw",
    "_k_sorted",
    "_k_ids",
)


def _padded(a: np.ndarray, n: int) -> np.ndarray:
    cap = n + n // 8 + 1024
    out = np.zeros(cap, dtype=a.dtype)
    out[:n] = a[:n]
    return out


def index_arrays(index: AliasIndex) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """What a snapshot holds of an index: every base array, nothing per Python object.
    An edited index is compacted first (its answers do not change: history-independent)."""
    if index._n != index._n0 or index._ndead or index._dpost or len(index._words) != index._v0:
        index.compact()
    if index._stale:
        index._refresh()
    if index._pw is None:
        index._pw = np.repeat(np.arange(index._v0, dtype=np.int32), np.diff(index._poff))
    if index._k_sorted is None:
        korder = np.argsort(index._key[: index._n0], kind="stable")
        index._k_sorted, index._k_ids = index._key[korder], korder
    n0, v0 = index._n0, index._v0
    arrays: dict[str, np.ndarray] = {name: getattr(index, name) for name in _FIXED}
    arrays.update((name, _padded(getattr(index, name), n0)) for name in _PER_ALIAS)
    arrays.update((name, _padded(getattr(index, name), v0)) for name in _PER_WORD)
    vocab = index._words
    arrays["texts"] = np.frombuffer(index._buf, dtype=np.uint8)
    arrays["words"] = np.frombuffer(vocab.base.buffer, dtype=np.uint8)
    arrays["word_off"] = vocab.base.offsets
    arrays["word_table"] = vocab.table
    arrays["noise_ids"] = np.array(index._noise_ids, dtype=np.int64)
    meta = {"n0": n0, "v0": v0, "wbits": index._wbits, "dbits": index._dbits}
    return meta, arrays


def index_from(meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> AliasIndex:
    """An index over a snapshot's arrays (as read()), as the build it was written from.
    Raises SnapshotError when the arrays do not fit together."""
    try:
        n0, v0, wbits, dbits = (int(meta[k]) for k in ("n0", "v0", "wbits", "dbits"))
        a = {name: arrays[name] for name in (*_FIXED, *_PER_ALIAS, *_PER_WORD)}
        texts, words, word_off = arrays["texts"], arrays["words"], arrays["word_off"]
        word_table, noise = arrays["word_table"], arrays["noise_ids"]
    except (KeyError, TypeError, ValueError) as exc:
        raise SnapshotError(f"the index's arrays are incomplete: {exc}") from exc
    expected = {
        "_toff": n0 + 1,
        "_pos": n0,
        "_ex": n0,
        "_poff": v0 + 1,
        "_foff": n0 + 1,
        "_dboff": (1 << dbits) + 1,
        "_pw": len(a["_post"]),
        "_k_sorted": n0,
        "_k_ids": n0,
    }
    ok = all(a[name].ndim == 1 and len(a[name]) == size for name, size in expected.items())
    ok = ok and all(len(a[name]) >= n0 for name in _PER_ALIAS)
    ok = ok and all(len(a[name]) >= v0 for name in _PER_WORD)
    ok = ok and len(word_off) == v0 + 1 and len(word_table) == v0
    ok = ok and int(a["_toff"][-1]) == len(texts) and int(word_off[-1]) == len(words)
    ok = ok and int(a["_poff"][-1]) == len(a["_post"]) and int(a["_foff"][-1]) == len(a["_fwd"])
    ok = ok and int(a["_dboff"][-1]) == len(a["_dk"]) and 0 < dbits < 40 and 0 < wbits < 64
    if not ok:
        raise SnapshotError("the index's arrays do not fit together")
    index = AliasIndex.__new__(AliasIndex)
    for name in _FIXED:
        arr = a[name]
        arr.flags.writeable = False  # only edits' arrays are ever written
        setattr(index, name, arr)
    for name in (*_PER_ALIAS, *_PER_WORD):
        setattr(index, name, a[name])
    index._n0, index._v0, index._wbits, index._dbits = n0, v0, wbits, dbits
    index._buf = texts.data
    index._words = Vocabulary(Strings(words.data, word_off), word_table)
    index._wid = index._words.ids()
    index._noise_ids = noise.tolist()
    index._init_delta()
    return index
