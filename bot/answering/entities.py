"""Every live entity, held as arrays: a million of them cost ~30 MB and no start-up time
when mapped from the snapshot (bot/answering/coldstart.py), where a dict of Entity objects cost
~250 MB and seconds to fill.

An EntityTable is a mutable mapping id -> Entity. The base (sorted ids, kinds, show,
season and server columns, names as one UTF-8 buffer) is read-only; edits since (the
engine's reindexing) go to a small overlay dict. An Entity is made when one is read.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any, Self, TypeVar, overload

import numpy as np

from bot.answering.lookup.vocab import Strings
from bot.models import Entity, EntityKind

KINDS: tuple[EntityKind, ...] = tuple(EntityKind)
_CODE = {k: i for i, k in enumerate(KINDS)}
_NONE = np.iinfo(np.int64).min  # a NULL show, season or server in the int64 columns
_GONE = object()
_CACHE = 1 << 14  # entities remembered once read (a question reads a dozen)
_T = TypeVar("_T")


def _column(values: Iterable[int | None], n: int) -> np.ndarray:
    return np.fromiter((_NONE if v is None else v for v in values), dtype=np.int64, count=n)


def ids_of_kind(entities: Mapping[int, Entity], kind: EntityKind) -> np.ndarray:
    """The ids of the entities of one kind, ascending (int64): from an EntityTable's
    arrays, without making an Entity each."""
    if isinstance(entities, EntityTable):
        return entities.ids_of_kind(kind)
    return np.array(sorted(e.id for e in entities.values() if e.kind is kind), dtype=np.int64)


class EntityTable(MutableMapping[int, Entity]):
    """id -> Entity over arrays, with an overlay of the edits since they were made."""

    def __init__(self, arrays: Mapping[str, np.ndarray]) -> None:
        ids = arrays["ids"]
        n = len(ids)
        cols = ("kind", "show", "season", "guild")
        if any(len(arrays[c]) != n for c in cols) or len(arrays["name_off"]) != n + 1:
            raise ValueError("the entity columns differ in length")
        if int(arrays["name_off"][-1]) != len(arrays["names"]):
            raise ValueError("the entity names do not fit their offsets")
        if n and (int(arrays["kind"].max()) >= len(KINDS) or (np.diff(ids) <= 0).any()):
            raise ValueError("the entity columns are garbled")
        self._arrays = dict(arrays)
        self._ids = ids.data
        self._kind = arrays["kind"].data
        self._show = arrays["show"].data
        self._season = arrays["season"].data
        self._guild = arrays["guild"].data
        self._names = Strings(arrays["names"].data, arrays["name_off"])
        self._n0 = n
        self._first = int(ids[0]) if n else 0
        self._over: dict[int, Entity | None] = {}  # None: removed since
        self._cache: dict[int, Entity] = {}  # base rows read lately (the base never changes)
        self._len = n

    @classmethod
    def of(cls, rows: Iterable[tuple[int, str, str, int | None, int | None, int | None]]) -> Self:
        """A table of (id, name, kind, show_id, season, guild_id) rows, in any order."""
        rows = sorted(rows)
        n = len(rows)
        ids, names, kinds, shows, seasons, guilds = zip(*rows, strict=True) if n else [()] * 6
        if len(set(ids)) != n:
            raise ValueError("entity ids repeat")
        kind_of = {k.value: i for i, k in enumerate(KINDS)}
        names_ = Strings.of(list(names))
        return cls(
            {
                "ids": np.array(ids, dtype=np.int64),
                "kind": np.fromiter((kind_of[k] for k in kinds), dtype=np.uint8, count=n),
                "show": _column(shows, n),
                "season": _column(seasons, n),
                "guild": _column(guilds, n),
                "names": np.frombuffer(names_.buffer, dtype=np.uint8),
                "name_off": names_.offsets,
            }
        )

    def arrays(self) -> dict[str, np.ndarray]:
        """The columns of the live entities, for a snapshot (the overlay folded in)."""
        if not self._over:
            return dict(self._arrays)
        return EntityTable.of(
            (e.id, e.name, e.kind.value, e.show_id, e.season, e.guild_id) for e in self.values()
        )._arrays

    # ------------------------------------------------------------ the mapping

    def _base(self, entity_id: int) -> int:
        """The row of an id in the base, or -1."""
        # Ids are mostly dense: row = id - the first id, unless some before it are gone
        # (then a bisection of the whole column, ~20 reads that mostly miss the cache).
        i = entity_id - self._first
        if 0 <= i < self._n0 and self._ids[i] == entity_id:
            return i
        i = bisect.bisect_left(self._ids, entity_id)
        return i if i < self._n0 and self._ids[i] == entity_id else -1

    def _make(self, i: int) -> Entity:
        show, season, guild = self._show[i], self._season[i], self._guild[i]
        return Entity(
            self._ids[i],
            self._names[i],
            KINDS[self._kind[i]],
            None if show == _NONE else show,
            None if season == _NONE else season,
            None if guild == _NONE else guild,
        )

    @overload
    def get(self, entity_id: int, default: None = None) -> Entity | None: ...
    @overload
    def get(self, entity_id: int, default: Entity) -> Entity: ...
    @overload
    def get(self, entity_id: int, default: _T) -> Entity | _T: ...

    def get(self, entity_id: int, default: Any = None) -> Any:
        e = self._over.get(entity_id, _GONE)
        if e is not _GONE:
            return default if e is None else e
        e = self._cache.get(entity_id)
        if e is not None:
            return e
        if not isinstance(entity_id, int):
            return default
        i = self._base(entity_id)
        if i < 0:
            return default
        if len(self._cache) >= _CACHE:
            self._cache.clear()
        e = self._cache[entity_id] = self._make(i)
        return e

    def kind_and_guild(self, entity_id: int) -> tuple[EntityKind, int | None] | None:
        """An entity's kind and server as get() would give them, or None when it has no
        entity; without making one (a search checks many and keeps few)."""
        over = self._over.get(entity_id, _GONE)
        if over is None:
            return None
        e = over if isinstance(over, Entity) else self._cache.get(entity_id)
        if e is not None:
            return e.kind, e.guild_id
        if not isinstance(entity_id, int):
            return None
        i = self._base(entity_id)
        if i < 0:
            return None
        guild = self._guild[i]
        return KINDS[self._kind[i]], None if guild == _NONE else guild

    def __getitem__(self, entity_id: int) -> Entity:
        e = self.get(entity_id)
        if e is None:
            raise KeyError(entity_id)
        return e

    def __contains__(self, entity_id: object) -> bool:
        return isinstance(entity_id, int) and self.get(entity_id) is not None

    def __setitem__(self, entity_id: int, entity: Entity) -> None:
        present = entity_id in self
        i = self._base(entity_id)
        if i >= 0 and self._make(i) == entity:
            self._over.pop(entity_id, None)  # as the base has it: nothing to remember
        else:
            self._over[entity_id] = entity
        self._len += not present

    def __delitem__(self, entity_id: int) -> None:
        if entity_id not in self:
            raise KeyError(entity_id)
        if self._base(entity_id) >= 0:
            self._over[entity_id] = None
        else:
            del self._over[entity_id]
        self._len -= 1

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[int]:
        over = self._over
        for i in range(self._n0):
            eid = self._ids[i]
            if over.get(eid, _GONE) is not None:
                yield eid
        for eid, e in list(over.items()):
            if e is not None and self._base(eid) < 0:
                yield eid

    def few_of_kind(self, kind: EntityKind, most: int) -> list[Entity] | None:
        """The live entities of one kind if there are at most ``most`` (else None),
        counted over the arrays before any entity is made."""
        base = int(np.count_nonzero(np.asarray(self._arrays["kind"]) == _CODE[kind]))
        if base - len(self._over) > most:
            return None  # even if every edit since removed one of them
        found = self.of_kind(kind)
        return found if len(found) <= most else None

    def ids_of_kind(self, kind: EntityKind) -> np.ndarray:
        """The ids of the live entities of one kind, ascending (int64), without making
        any Entity."""
        base: np.ndarray = self._arrays["ids"][self._arrays["kind"] == _CODE[kind]]
        if not self._over:
            return base
        edited = np.fromiter(self._over, dtype=np.int64, count=len(self._over))
        now = [eid for eid, e in self._over.items() if e is not None and e.kind is kind]
        return np.union1d(base[~np.isin(base, edited)], np.array(now, dtype=np.int64))

    def of_kind(self, kind: EntityKind) -> list[Entity]:
        """The live entities of one kind (seasons, at start-up), by id."""
        code = _CODE[kind]
        rows = np.flatnonzero(np.asarray(self._arrays["kind"]) == code).tolist()
        found = {e.id: e for e in map(self._make, rows)}
        for eid, e in self._over.items():
            if e is None or e.kind is not kind:
                found.pop(eid, None)
            else:
                found[eid] = e
        return [found[k] for k in sorted(found)]
