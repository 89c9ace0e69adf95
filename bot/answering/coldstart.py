"""Cold start: the engine's in-memory state read from a snapshot next to the database.

Built from SQLite, a million names take seconds and ~250 MB per process (entities,
aliases, the index). So after a build the engine writes its state, arrays only, to one
file beside the database (``showbot.db.index``: bot/answering/lookup/snapshot.py's format): the
alias index, the entity table (bot/answering/entities.py) and the server-scoped aliases. The next
process maps it in a fraction of a second, shares its pages with every other process on
the same database through the page cache, and catches up from the change log
(Engine.sync applies the changes made since the snapshot's position).

The snapshot is stamped with what it was made from: its format and a fingerprint of the
code that lays it out, the database's identity and schema (Store.identity), and the
change-log position (the last change applied, with its time, so that a rewritten or
restored log does not pass). It is not used, and is rebuilt and rewritten, when it is
missing, unreadable, corrupt (checksums), stamped for something else, or so far behind
the log that a build is quicker than catching up. It is only ever a cache: deleting it
is always safe.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.answering.entities import KINDS, EntityTable
from bot.answering.lookup import AliasIndex, snapshot
from bot.logs import get_logger
from bot.store.core import Store

log = get_logger("showbot.coldstart")

# Bump when what the snapshot holds changes meaning (the code fingerprint catches the
# rest: any change to the modules that lay it out).
FORMAT = 1
# Behind by more changes than this, a rebuild beats catching up (a reindex per entity).
CATCH_UP_MAX = 20_000
# Smaller indexes are built in a blink: no file for them.
MIN_NAMES = 1_000

_ROOT = Path(__file__).resolve().parents[1]  # bot/
_CODE_FILES = ["answering/coldstart.py", "answering/entities.py", "models.py", "language/text.py"]


def snapshot_path(db_path: str | Path) -> Path | None:
    """Where the snapshot of the database at `db_path` lives (None: in-memory database)."""
    if str(db_path) in ("", ":memory:") or str(db_path).startswith("file:"):
        return None
    return Path(f"{db_path}.index")


def discard(store: Store) -> None:
    """Delete the snapshot (it holds names the store no longer has: a forgotten server's);
    the next start builds a new one."""
    path = snapshot_path(store.path)
    if path is not None:
        path.unlink(missing_ok=True)


def _code() -> str:
    """A fingerprint of the code the snapshot's layout and meaning depend on."""
    crc = 0
    files = [*sorted((_ROOT / "answering" / "lookup").glob("*.py"))]
    for name in _CODE_FILES:
        p = _ROOT / name
        files += sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
    for f in files:
        crc = zlib.crc32(f.read_bytes(), zlib.crc32(f.name.encode(), crc))
    return f"{crc:08x}"


def _stamp(store: Store, seen: int) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "code": _code(),
        "kinds": [k.value for k in KINDS],
        "db": store.identity(),
        "seen": seen,
        "seen_at": store.change_at(seen) if seen else None,
        "rows": store.max_row_ids(),
    }


@dataclass
class State:
    """The engine's start-up state as a snapshot holds it."""

    seen: int  # the change-log position it reflects
    index: AliasIndex
    entities: EntityTable
    alias_guilds: dict[int, int]


def load(store: Store) -> State | None:
    """The state from the database's snapshot, or None when there is no usable one (the
    reason is logged); never raises for a bad file."""
    path = snapshot_path(store.path)
    if path is None or not path.exists():
        return None
    try:
        meta, arrays = snapshot.read(path)
        why = _stale(store, meta.get("stamp"))
        if why:
            log.info("index_snapshot_stale", path=str(path), reason=why)
            return None
        part: dict[str, dict[str, np.ndarray]] = {p: {} for p in ("index", "entity", "guild")}
        for name, a in arrays.items():
            group, _, key = name.partition(".")
            part.setdefault(group, {})[key] = a
        index = snapshot.index_from(meta["index"], part["index"])
        entities = EntityTable(part["entity"])
        guilds = part["guild"]
        if len(guilds["keys"]) != len(guilds["ids"]):
            raise snapshot.SnapshotError("the alias servers do not fit together")
        scoped = dict(zip(guilds["keys"].tolist(), guilds["ids"].tolist(), strict=True))
    except (snapshot.SnapshotError, KeyError, TypeError, ValueError) as exc:
        log.warning("index_snapshot_unusable", path=str(path), error=str(exc))
        return None
    return State(int(meta["stamp"]["seen"]), index, entities, scoped)


def _stale(store: Store, stamp: Any) -> str | None:
    """Why a snapshot stamped `stamp` does not fit this database now (None: it fits)."""
    if not isinstance(stamp, dict):
        return "no stamp"
    if stamp.get("format") != FORMAT or stamp.get("kinds") != [k.value for k in KINDS]:
        return "another format"
    if stamp.get("code") != _code():
        return "written by other code"
    if stamp.get("db") != store.identity():
        return "another database, or another schema"
    seen = stamp.get("seen")
    if not isinstance(seen, int) or seen < 0:
        return "no change-log position"
    last = store.max_change_id()
    if seen > last or (seen and store.change_at(seen) != stamp.get("seen_at")):
        return "the change log is not the one it was made from"
    if last - seen > CATCH_UP_MAX:
        return f"{last - seen} changes behind"
    if last == seen and stamp.get("rows") != store.max_row_ids():
        return "rows were written behind the change log's back"
    return None


def save(
    store: Store,
    seen: int,
    index: AliasIndex,
    entities: EntityTable,
    alias_guilds: dict[int, int],
) -> Path | None:
    """Write the snapshot of a freshly built state (stamped at change `seen`); returns its
    path, or None when there is none to write or it cannot be (logged: never fatal)."""
    path = snapshot_path(store.path)
    if path is None or len(index) < MIN_NAMES:
        return None
    try:
        imeta, iarrays = snapshot.index_arrays(index)
        arrays = {f"index.{k}": v for k, v in iarrays.items()}
        arrays.update((f"entity.{k}", v) for k, v in entities.arrays().items())
        keys = sorted(alias_guilds)
        arrays["guild.keys"] = np.array(keys, dtype=np.int64)
        arrays["guild.ids"] = np.array([alias_guilds[k] for k in keys], dtype=np.int64)
        meta = {"stamp": _stamp(store, seen), "index": imeta}
        snapshot.write(path, meta, arrays)
    except (OSError, ValueError) as exc:
        log.warning("index_snapshot_not_written", path=str(path), error=str(exc))
        return None
    return path
