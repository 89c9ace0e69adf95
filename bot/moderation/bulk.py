"""Whole files in and out (the interchange format), and the question log's reports:
the paths moderators and the CLI share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.models import Actor
from bot.moderation.base import Desk
from bot.store.interchange import ImportReport, export_data, import_data
from bot.store.questionlog import Gap, Stats, Unanswered


class BulkDesk(Desk):
    def import_file(
        self,
        actor: Actor,
        data: object,
        *,
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
        action: str = "import",
    ) -> ImportReport:
        """Validate and apply an interchange file in one transaction (a dry run rolls it
        back): the same path for `facts import`, `python -m bot import` and TVmaze's
        imports (``action`` names theirs in the history)."""
        report = import_data(
            self.store, data, actor, dry_run=dry_run, progress=progress, action=action
        )
        if not dry_run:
            self._done()
        return report

    def export(self, guild_id: int | None) -> dict[str, Any]:
        """Every record of one scope (global, or one server's own), removed ones flagged."""
        return export_data(self.store, guild_id)

    def gaps(self, guild_id: int | None, limit: int = 10) -> list[Gap]:
        """The most asked unanswered subjects."""
        if self.attached:  # else the caller flushed (bot/runtime/writer.py Writer.flush_log)
            self.engine.flush_log()
        return self.questions.gaps(guild_id, limit)

    def unanswered(self, guild_id: int | None, limit: int = 5) -> list[Unanswered]:
        """The most asked recent questions without an answer, to teach (`fact teach`)."""
        if self.attached:
            self.engine.flush_log()
        return self.questions.unanswered(guild_id, limit)

    def unanswered_text(self, guild_id: int | None, question_id: int) -> str | None:
        """One of them by its id (a button of `gaps`), if still kept and of this server."""
        return self.questions.unanswered_text(question_id, guild_id)

    def stats(self, guild_id: int | None, days: int = 7) -> Stats:
        """Questions per day, answer rate and top subjects over the last ``days`` days."""
        if self.attached:
            self.engine.flush_log()
        return self.questions.stats(guild_id, days)
