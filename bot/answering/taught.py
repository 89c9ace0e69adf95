"""A question moderators taught, asked again: answered by the fact it was taught for.

`fact teach` stores a question as a phrasing of a fact (bot/store/phrasings.py). Its words
and meaning then count for that fact in the free path and in grounding, which reach it
from a similar question. A question saying just what a taught one says (the same content
words, whatever the function words, the order or the punctuation) is the moderator's
own answer: it needs no other evidence, even where a subject it names would otherwise
decide (“who is the female titan” taught as Annie's fact, not the show's).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.answering.retrieval import Found
from bot.language.text import FUNCTION_WORDS
from bot.models import Entity, Question
from bot.store.core import Store


def taught_exactly(
    store: Store, entities: Mapping[int, Entity], q: Question, guild_id: int | None
) -> Found | None:
    """The facts taught (in this server, or globally) a phrasing with the question's
    content words, as this server sees them; None when there is none (or it is hidden)."""
    if q.name_command:
        return None  # `!who X` gives a name, not a question
    taught = store.phrasings.matching((w for w in q.words if w not in FUNCTION_WORDS), guild_id)
    if not taught.exact:
        return None
    facts = [
        f
        for f in store.facts_by_ids(list(taught.exact), guild_id)
        if (e := entities.get(f.entity_id)) is not None and e.visible_in(guild_id)
    ][:3]
    if not facts:
        return None
    subject = entities[facts[0].entity_id]
    return Found(facts=tuple(facts), scores=tuple(1.0 for _ in facts), subject=subject)
