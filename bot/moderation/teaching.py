"""Teaching showbot a question (`fact teach`): a question fans asked, stored as a phrasing
of the fact that answers it (bot/store/phrasings.py), so a similar question later reaches
that fact. A phrasing belongs to the moderator's server (global from the command line or
without a server), as a new fact or alias does, and helps that server only. It is an
ordinary curated write: in the fact's history, undone by `undo` (a soft delete), exported
and imported with the server's facts, forgotten with the server."""

from __future__ import annotations

import re

from bot import validation as v
from bot.errors import InvalidInputError
from bot.language.text import normalize
from bot.models import Actor
from bot.moderation.base import Desk
from bot.outcomes import Outcome

# A question copied from the log may start with the bot's mention.
_MENTION = re.compile(r"^\s*<@!?\d{1,20}>\s*")


class TeachDesk(Desk):
    def teach(self, actor: Actor, fact_id: int, question: str) -> Outcome:
        """Store ``question`` as a phrasing of fact ``fact_id`` in the actor's server;
        the same question taught twice changes nothing (``fact.teach.unchanged``)."""
        text = self.question_text(question)
        with self.store.batch():
            row = self.fact_row(fact_id, actor)
            seen = self.store.facts_by_ids([fact_id], actor.guild_id)
            if row["deleted_at"] or not seen:
                raise InvalidInputError(f"Fact #{fact_id} is removed here; restore it first.")
            # The fact as this server answers with it and the one it stands in for: a
            # phrasing of either is a phrasing of both.
            family = {fact_id, *(f.id for f in seen), *(f.overrides or 0 for f in seen)}
            key = normalize(text)
            for taught in self.store.phrasings.of_fact(family - {0}, actor.guild_id):
                if normalize(taught["text"]) == key:
                    return Outcome("fact.teach.unchanged", fact_id=fact_id, name=taught["text"])
            phrasing_id = self.store.insert(
                "phrasing",
                {"fact_id": fact_id, "text": text, "guild_id": actor.guild_id},
                actor,
                "fact.teach",
            )
        self._done()
        return Outcome("fact.teach", fact_id=fact_id, name=text, counts={"phrasing": phrasing_id})

    def question_text(self, question: str) -> str:
        """The question as fans ask it: without the bot's mention or command prefix (a
        line of `gaps` is the message as typed), checked like any question."""
        text = v.clean_text(question, "question", v.MAX_QUESTION)
        assert text is not None
        text = _MENTION.sub("", text)
        prefix = self.engine.prefix
        if prefix and text.startswith(prefix):
            text = text[len(prefix) :].lstrip()
            first, _, rest = text.partition(" ")
            if first.lower() == "ask":
                text = rest.strip()
        cleaned = v.clean_text(text, "question", v.MAX_QUESTION)
        assert cleaned is not None
        if not normalize(cleaned).split():
            raise InvalidInputError("question: has no words to teach")
        return cleaned
