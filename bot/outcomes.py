"""What a moderator action did, as plain data: moderation returns it, ``bot.replies``
puts it into words (``outcome_text``), the cogs and the CLI send those words. Here, below
both, so neither imports the other."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Made:
    """A subject or source an action created along the way."""

    id: int
    name: str
    kind: str  # an entity kind, or "source"


@dataclass(frozen=True, slots=True)
class Kept:
    """A row an undo left in place because others' live rows use it."""

    table: str  # "entity", "source" or "fact"
    name: str
    users: tuple[tuple[str, int, str | None], ...]  # (table, id, creator's name)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a moderator action did: the action (a change-log action, or a variant such as
    ``fact.unchanged``) and the ids, names and counts ``bot.replies.render.outcome_text``
    needs."""

    action: str
    fact_id: int | None = None
    entity_id: int | None = None
    version: int | None = None  # the row's version after the action
    subject: str | None = None  # the subject's name (or an alias, a source title)
    name: str | None = None  # a second name: the new name, the merge target, the alias
    fields: tuple[str, ...] = ()  # columns an edit changed
    made: tuple[Made, ...] = ()
    overrides: int | None = None  # the global fact a server's version stands in for
    counts: dict[str, int] = field(default_factory=dict)  # rows moved, actions undone
    kept: tuple[Kept, ...] = ()  # what an undo left alone because others rely on it
    alias_id: int | None = None
    source_id: int | None = None
    was: str | None = None  # what a changed value was (a subject's kind before `entity kind`)
