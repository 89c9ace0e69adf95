"""Keep less, delete on request (issue 14): the question log's retention, forgetting a
member (``!forget me``, ``python -m bot forget --user``) and a server (``forget --guild``,
and when the bot is removed from one, after a grace period).

No SQL here: the store, the change log and the question log own it. The bot runs these
in its writer thread (bot/runtime/writer.py); the CLI on its own connection.

* A **member**: no question is kept with its asker (the log has no user or channel id),
  so nothing of theirs is deleted there; a moderator's id and name in the change log
  (``actor_id``/``actor_name``, the ``created_by``/``updated_by`` inside before/after) and
  in the curated rows become a stable pseudonym, ``moderator-`` and 8 hex digits of an
  HMAC of their id under a per-database secret, with a negative id from the same HMAC
  (never a Discord id). History rows are never deleted: they read on under the pseudonym.
  Their follows (``!follow``, with their id) and pending DMs of updates are deleted.
* A **server**: its own facts, overrides, sources, aliases, subjects, synonyms and the
  questions it taught (phrasings, of global facts too) are deleted with their search
  documents and their change history (the content was the server's); changes it made
  to global rows stay. Its questions and tallies, its command-sync record, settings,
  departure, follows and pending updates go too. Global data and other servers' rows are
  untouched.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.answering import coldstart
from bot.logs import get_logger
from bot.models import Actor
from bot.store.core import Store
from bot.store.follows import Follows
from bot.store.questionlog import QuestionLog

log = get_logger("showbot.privacy")

PSEUDONYM_PREFIX = "moderator-"


@dataclass(frozen=True, slots=True)
class UserForgotten:
    pseudonym: str
    changes: int  # change-log records whose actor or row ids now read as the pseudonym
    rows: int  # curated rows whose created_by/updated_by now hold the pseudonym's id
    follows: int = 0  # subjects they followed (`!follow`), in every server: deleted

    @property
    def moderated(self) -> bool:
        return bool(self.changes or self.rows)

    def summary(self, *, you: bool = True, named: bool = True) -> str:
        """What was done, said to the member (``you``) or about them (the CLI); the
        pseudonym ``named`` only where nobody else reads it (it would tie it to them)."""
        your, yours = ("your", "yours") if you else ("their", "theirs")
        pseudonym = self.pseudonym if named else "a pseudonym"
        said = f"No question is stored with who asked it, so none was {yours} to delete."
        if self.follows:
            said += f" {your.capitalize()} {self.follows} follow(s) were deleted."
        if not self.moderated:
            return f"{said} Nothing else was stored under {your} account."
        return (
            f"{said} {your.capitalize()} name and id in {self.changes} change(s) of the"
            f" moderation history and on {self.rows} curated row(s) are now"
            f" {pseudonym}: the history stays, without {'you' if you else 'them'}."
        )


@dataclass(frozen=True, slots=True)
class GuildForgotten:
    guild_id: int
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        c = self.counts
        return (
            f"Server {self.guild_id} forgotten: {c.get('fact', 0)} fact(s),"
            f" {c.get('alias', 0)} alias(es), {c.get('source', 0)} source(s),"
            f" {c.get('entity', 0)} subject(s), {c.get('synonym', 0)} synonym group(s),"
            f" {c.get('phrasing', 0)} taught question(s),"
            f" {c.get('change', 0)} history record(s), {c.get('question', 0)} question(s),"
            f" {c.get('follow', 0)} follow(s)"
            f" and {c.get('setting', 0) + c.get('command_sync', 0)} setting(s) deleted."
        )


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Privacy:
    """Retention and deletion over one store (``clock``: injectable for tests)."""

    def __init__(self, store: Store, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self.store = store
        self.questions = QuestionLog(store)
        self.clock = clock

    def pseudonym(self, user_id: int) -> tuple[int, str]:
        """(id, name) a forgotten moderator goes by: the same for the same person in this
        database, not reversible without its secret; the id is negative (no Discord id)."""
        key = bytes.fromhex(self.store.secret("pseudonym"))
        digest = hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()
        return -int(digest[:15], 16), PSEUDONYM_PREFIX + digest[:8]

    # ------------------------------------------------------------ on request

    def forget_user(self, user_id: int) -> UserForgotten:
        """Everything stored under a member's id: ``!forget me``, ``forget --user``."""
        pseudonym_id, name = self.pseudonym(user_id)
        with self.store.atomic():
            changes = self.store.changes.pseudonymise(user_id, pseudonym_id, name)
            rows = self.store.pseudonymise_actor(user_id, pseudonym_id, name)
            follows = Follows(self.store.db).forget_user(user_id)
            self.store.outbox.forget_user(user_id)
        self.store.checkpoint()
        done = UserForgotten(name, changes, rows, follows)
        log.info("user_forgotten", pseudonym=name, changes=changes, rows=rows, follows=follows)
        return done

    def forget_guild(self, guild_id: int, *, reason: str = "request") -> GuildForgotten:
        """A server's own data (see the module's docstring): ``forget --guild``, and a
        server the bot left ``forget_after_days`` ago (``reason="removed"``)."""
        actor = Actor(id=None, name="showbot", guild_id=guild_id, owner=True)
        with self.store.atomic():
            counts = self.store.forget_guild_rows(guild_id, actor)
            counts["question"] = self.questions.forget_guild(guild_id)
            counts["setting"] = self.store.forget_guild_settings(guild_id)
            counts["follow"] = Follows(self.store.db).forget_guild(guild_id)
            counts["update"] = self.store.outbox.forget_guild(guild_id)
        # The index snapshot next to the database holds the server's names: the next
        # start builds a new one (a running process's copy in memory has caught up).
        coldstart.discard(self.store)
        self.store.checkpoint()
        log.info("guild_forgotten", guild=guild_id, reason=reason, **counts)
        return GuildForgotten(guild_id, counts)

    # ------------------------------------------------------------ retention

    def prune_questions(self, days: int) -> int:
        """Fold questions older than ``days`` into the tallies and delete them."""
        before = (self.clock() - timedelta(days=days)).isoformat(timespec="milliseconds")
        pruned = self.questions.prune(before)
        if pruned:
            self.store.checkpoint()  # their text out of the -wal file too
            log.info("questions_pruned", rows=pruned, older_than_days=days)
        return pruned

    # ------------------------------------------------------------ removed from a server

    def guild_left(self, guild_id: int) -> None:
        """The bot was removed from a server: its data is forgotten after the grace period,
        and its followers hear nothing more about it meanwhile."""
        with self.store.atomic():
            self.store.record_departure(guild_id, self.clock().isoformat(timespec="milliseconds"))
            self.store.outbox.departed(guild_id)
        log.info("guild_left", guild=guild_id)

    def guild_joined(self, guild_id: int) -> bool:
        """The bot is in a server (again): a pending departure is cancelled. Whether one was."""
        cancelled = self.store.clear_departure(guild_id)
        if cancelled:
            log.info("guild_rejoined", guild=guild_id, departure="cancelled")
        return cancelled

    def departures(self, after_days: float) -> list[tuple[int, bool]]:
        """(server, whether its grace period is over) for each server the bot left and
        has not forgotten yet."""
        limit = self.clock() - timedelta(days=after_days)
        return [(g, datetime.fromisoformat(left) <= limit) for g, left in self.store.departures()]
