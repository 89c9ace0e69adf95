"""What moderators do to facts, aliases, sources and entities, with history and undo.

Every action is one :meth:`Store.batch`: the rows and their change records commit
together or not at all, and ``undo`` reverses a whole batch. Nothing is deleted: removal
sets ``deleted_at``. A server's moderators edit their own server's rows; a global row
(seeded, or the owner's) is changed for their server only, through an override fact
that replaces or hides it there.

One mixin per concern, one module each: ``facts`` (add, edit, overrides, remove,
restore), ``outcomes`` (resolving rumors and predictions), ``history`` (versions,
revert, undo), ``subjects`` (new subjects, aliases, sources, rename, merge), ``teaching``
(a question taught as a phrasing of a fact) and ``bulk`` (import, export, the question
log's reports).
Actions return an :class:`Outcome` that ``bot.replies.render`` puts into words.
"""

from __future__ import annotations

from bot.moderation.base import Clock
from bot.moderation.bulk import BulkDesk
from bot.moderation.facts import RECENT_EDIT_SECONDS, FactDesk
from bot.moderation.history import HistoryDesk
from bot.moderation.outcomes import OutcomeDesk
from bot.moderation.teaching import TeachDesk
from bot.outcomes import Kept, Made, Outcome
from bot.store.changelog import Version

__all__ = ["RECENT_EDIT_SECONDS", "Clock", "Kept", "Made", "Moderation", "Outcome", "Version"]


class Moderation(OutcomeDesk, FactDesk, HistoryDesk, TeachDesk, BulkDesk):
    """Moderator actions over one engine's store; keeps the engine's index in step."""
