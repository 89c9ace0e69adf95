"""`!predictions` and `!upcoming` in words: fact lines as answers show them (statuses,
citations, spoiler tags, outcomes; bot/replies/render.py), each naming its subject where a list
mixes subjects, within Discord's limit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from bot.dates import DateStyle, on_text
from bot.models import Entity, Fact, FuzzyDate, Reply
from bot.replies.render import escape, facts_text, render_answer
from bot.store.timeline import Predictions, Upcoming


def predictions_text(
    found: Predictions,
    subjects: Mapping[int, Entity],
    prefix: str = "!",
    dates: DateStyle = "words",
) -> Reply:
    """Open rumors and predictions first (soonest first), then resolved ones (latest first)."""
    if found.unknown is not None:
        return render_answer(found.unknown, prefix, subjects, dates)
    about = f" about **{escape(found.about.name)}**" if found.about else ""
    facts = (*found.open, *found.resolved)
    if not facts:
        return Reply(f"No rumors or predictions{about} here yet.")
    head = [
        f"**Rumors and predictions**{about}: {len(found.open)} open,"
        f" {len(found.resolved)} resolved (open first)"
    ]
    pointer = f"… and {{n}} more: name a subject (`{prefix}predictions <subject>`)."
    if found.about is not None:
        pointer = f"… and {{n}} more: see `{prefix}fact show <id>`."
    named = _named(facts, subjects, found.about)
    text = facts_text(head, facts, pointer, subjects=named, dates=dates)
    return Reply(text)


def upcoming_text(
    found: Upcoming,
    subjects: Mapping[int, Entity],
    prefix: str = "!",
    dates: DateStyle = "words",
) -> Reply:
    """What is coming in the window, soonest first, each line naming its subject."""
    last = found.today + timedelta(days=found.days)
    until = on_text(FuzzyDate(last.year, last.month, last.day), dates)
    window = f"in the next {found.days} day(s) (until {until})"
    if found.followed is not None and not found.followed:
        return Reply(
            f"You follow nothing in this server yet: `{prefix}follow <subject>`, then"
            f" `{prefix}upcoming mine: yes`."
        )
    mine = " about what you follow" if found.followed is not None else ""
    if not found.facts:
        return Reply(f"Nothing dated{mine} {window}.")
    head = [f"**Coming up**{mine} {window}:"]
    pointer = f"… and {{n}} more: ask for fewer days (`{prefix}upcoming 7`)."
    named = {f.entity_id: subjects[f.entity_id] for f in found.facts if f.entity_id in subjects}
    return Reply(facts_text(head, found.facts, pointer, subjects=named, dates=dates))


def _named(
    facts: Sequence[Fact], subjects: Mapping[int, Entity], about: Entity | None
) -> dict[int, Entity] | None:
    """Each line's subject, unless every line is about the one subject asked about (or,
    with none asked about, about one subject)."""
    ids = {f.entity_id for f in facts}
    if len(ids) < 2 and (about is None or ids == {about.id}):
        return None
    return {i: subjects[i] for i in ids if i in subjects}
