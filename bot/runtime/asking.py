"""What `python -m bot ask` prints for one message: a question's answer, or a command's
reply. The commands that make sense without Discord (``OFFLINE``) run through the engine
and the replies code the bot uses; the others are said to be Discord-only, never read as a
question about a subject called "follow jj". No discord.py here: the CLI imports it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.config import Config
from bot.engine import Engine
from bot.errors import InvalidInputError
from bot.models import Answer, Entity, Fact, Reply
from bot.replies.help import help_text
from bot.replies.listings import predictions_text, upcoming_text
from bot.replies.render import render_error
from bot.replies.settings import privacy_text
from bot.store.timeline import DEFAULT_DAYS
from bot.validation import parse_bool

# The bot's commands other than the questions (when, who, what, ask), by what `ask` does
# with them; a unit test holds these to the commands the cogs register.
OFFLINE = frozenset({"help", "upcoming", "predictions", "privacy"})
DISCORD_ONLY: dict[str, str] = {  # command -> where the command line does it, if it does
    "follow": "",
    "unfollow": "",
    "following": "",
    "forget": " (here: `python -m bot forget --user ID` or `--guild ID`)",
    "fact": "",
    "alias": "",
    "synonym": "",
    "source": "",
    "entity": "",
    "facts": " (here: `python -m bot export` and `python -m bot import`)",
    "gaps": " (here: the web view's unanswered questions, `python -m bot web`)",
    "stats": " (here: the web view's questions per day, `python -m bot web`)",
    "modlog": "",
    "updates": "",
    "sync": " (here: `python -m bot sync`)",
    "show": ' (here: `python -m bot tvmaze import "<show name>"`)',
}
_MINE = re.compile(r"\bmine\s*:\s*(.*)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True, slots=True)
class Printed:
    """One message's reply as `ask` prints it, and its ``--json`` record."""

    text: str
    answered: bool
    record: dict[str, Any] = field(default_factory=dict)


def command_of(message: str, prefix: str) -> str | None:
    """The bot command a message invokes, other than a question: ``!Follow jj`` ->
    "follow" (commands are case-insensitive, as in the bot); None for a question."""
    text = message.strip()
    if not prefix or not text.startswith(prefix):
        return None
    head = text[len(prefix) :].split(maxsplit=1)
    name = head[0].lower() if head and not text[len(prefix)].isspace() else ""
    return name if name in OFFLINE or name in DISCORD_ONLY else None


def ask_one(engine: Engine, config: Config, message: str, guild_id: int | None) -> Printed:
    """A message as the bot would take it in server ``guild_id`` (None: outside any)."""
    command = command_of(message, engine.prefix)
    if command is None:
        return _question(engine, message, guild_id)
    rest = message.strip()[len(engine.prefix) + len(command) :].strip()
    if command in DISCORD_ONLY:
        text = f"`{engine.prefix}{command}` works in Discord only{DISCORD_ONLY[command]}."
        return _command(message, command, Reply(text), None, False, discord_only=True)
    try:
        return _run(engine, config, message, command, rest, guild_id)
    except InvalidInputError as exc:
        return _command(message, command, render_error(str(exc)), None, False)


def _run(
    engine: Engine, config: Config, message: str, command: str, rest: str, guild_id: int | None
) -> Printed:
    p, subjects = engine.prefix, engine.entities
    if command == "help":
        return _command(message, command, Reply(help_text(p, rest or None)), None, True)
    if command == "privacy":
        text = privacy_text(
            p, config.privacy_contact, config.question_days, config.forget_after_days
        )
        return _command(message, command, Reply(text), None, True)
    if command == "predictions":
        found = engine.predictions(rest or None, guild_id)
        words, discord = (predictions_text(found, subjects, p, d) for d in ("words", "discord"))
        if found.unknown is not None:
            return _command(message, command, words, found.unknown, False, discord)
        facts = (*found.open, *found.resolved)
        return _command(message, command, words, None, True, discord, found.about, facts)
    days, mine = rest, _MINE.search(rest)  # upcoming [days] [mine: yes]
    if mine is not None:
        days = rest[: mine.start()].strip()
        if parse_bool(mine.group(1).strip() or "no", "mine"):
            raise InvalidInputError("mine: you follow subjects in Discord; ask there.")
    today = datetime.now(UTC).date()  # as the bot's `upcoming` reads today
    upcoming = engine.upcoming(guild_id, today=today, days=days or DEFAULT_DAYS)
    words, discord = (upcoming_text(upcoming, subjects, p, d) for d in ("words", "discord"))
    return _command(message, command, words, None, True, discord, facts=upcoming.facts)


def _command(
    message: str,
    command: str,
    reply: Reply,
    answer: Answer | None,
    answered: bool,
    discord: Reply | None = None,
    about: Entity | None = None,
    facts: Sequence[Fact] = (),
    *,
    discord_only: bool = False,
) -> Printed:
    entity = answer.entity if answer is not None else about
    record = {
        "question": message,
        "answered": answered,
        "text": reply.content,
        "intent": None,  # a command, not a question: `command` names it
        "matched": entity.name if entity else None,
        "entity_id": entity.id if entity else None,
        "score": round(answer.score, 2) if answer else 0.0,
        "facts": [f.id for f in facts],
        "suggestions": [name for name, _ in reply.suggestions],
        "error": reply.error,
        "via": None,
        "fact_scores": [],
        "discord_text": (discord or reply).content,
        "partial": False,
        "typo_of": None,
        "command": command,
        "discord_only": discord_only,
    }
    return Printed(reply.content, answered, record)


def _question(engine: Engine, message: str, guild_id: int | None) -> Printed:
    # Logged as asked outside any server: nobody in that server asked it.
    answer = engine.ask(message, guild_id=guild_id, log_guild=False)
    reply = engine.reply(answer)
    record = {
        "question": message,
        "answered": answer.answered,
        "text": reply.content,
        "intent": answer.intent.value,
        "matched": answer.entity.name if answer.entity else None,
        "entity_id": answer.entity.id if answer.entity else None,
        "score": round(answer.score, 2),
        "facts": [f.id for f in answer.facts],
        "suggestions": [name for name, _ in reply.suggestions],
        "error": reply.error,
        "via": answer.via if answer.answered else None,
        "fact_scores": list(answer.fact_scores)
        or [round(answer.score / 100, 3)] * len(answer.facts),
        # Added with Discord timestamps: `text` keeps its words (fields only grow).
        "discord_text": engine.reply(answer, dates="discord").content,
        # Added with partial answers: a known subject whose facts are shown although none
        # says what was asked; the name typed when a typo of it was answered.
        "partial": answer.partial,
        "typo_of": answer.typo_of,
        # Added with commands in `ask` (issue 20): the command run, or null for a question.
        "command": None,
        "discord_only": False,
    }
    return Printed(reply.content, answer.answered, record)
