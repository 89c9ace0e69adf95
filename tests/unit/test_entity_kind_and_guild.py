"""EntityTable.kind_and_guild: what Subjects' allow() reads instead of making an Entity
for every subject a search checks. It must say what get() says, through edits (the
overlay), removals and ids it never had; and allow() must decide alike on a table and on
a plain dict of the same entities."""

from __future__ import annotations

from bot.answering.entities import EntityTable
from bot.answering.lookup import AliasIndex
from bot.answering.subjects import Subjects
from bot.models import Entity, EntityKind

ROWS = [
    (1, "A", "show", None, None, None),
    (2, "A s1", "season", 1, 1, None),
    (3, "Amy", "character", 1, None, 77),
    (4, "B", "person", None, None, None),
    (5, "Bee", "organisation", None, None, 78),
]


def said(table: EntityTable, eid: object) -> tuple[EntityKind, int | None] | None:
    e = table.get(eid)  # type: ignore[arg-type]
    return None if e is None else (e.kind, e.guild_id)


def test_kind_and_guild_says_what_get_says_through_edits() -> None:
    table = EntityTable.of(ROWS)
    probes: list[object] = [0, 1, 2, 3, 4, 5, 6, 99, -1, "1", None]
    for eid in probes:
        assert table.kind_and_guild(eid) == said(table, eid)  # type: ignore[arg-type]
    table.get(3)  # read once: from the cache now
    del table[2]
    table[4] = Entity(4, "B", EntityKind.CHARACTER, guild_id=78)
    table[6] = Entity(6, "New", EntityKind.SEASON, 1, 2)
    del table[6]
    table[7] = Entity(7, "Newer", EntityKind.SHOW, guild_id=77)
    for eid in [*probes, 7]:
        assert table.kind_and_guild(eid) == said(table, eid)  # type: ignore[arg-type]
    assert table.kind_and_guild(2) is None
    assert table.kind_and_guild(4) == (EntityKind.CHARACTER, 78)
    assert table.kind_and_guild(7) == (EntityKind.SHOW, 77)


def test_allow_decides_alike_on_a_table_and_on_entities() -> None:
    table = EntityTable.of(ROWS)
    table[4] = Entity(4, "B", EntityKind.CHARACTER, guild_id=78)
    del table[5]
    plain = {eid: table[eid] for eid in table}
    index = AliasIndex.build([(e.id, e.id, e.name) for e in plain.values()])
    kinds_tried = [None, frozenset([EntityKind.SEASON]), frozenset(EntityKind)]
    for guild in (None, 77, 78, 79):
        for kinds in kinds_tried:
            decide = [
                Subjects(index, held, lambda _: [], lambda _: [])._allow(guild, kinds)
                for held in (table, plain)
            ]
            for eid in range(0, 9):
                assert decide[0](eid) == decide[1](eid), (guild, kinds, eid)
