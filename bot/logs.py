"""Structured logging: one line per event (JSON for services, readable for people).

discord.py's own stdlib logging goes through the same formatter. What people wrote never
reaches the logs, at any level (issue 14): discord.py's loggers stay at INFO or above even
when showbot runs at DEBUG (its debug lines dump gateway payloads, with message content and
interaction tokens, and REST requests with their bodies), a filter drops any of those debug
records all the same, and every line passes a redaction that blanks the bot token, the
token in interaction and webhook URLs (``interactions/<id>/<token>``,
``webhooks/<app id>/<token>``) and anything shaped like an interaction token. showbot's own
events carry a question's text only at DEBUG, shortened (``preview``).
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import structlog

_secrets: list[str] = []

PREVIEW_CHARS = 80  # a question's text in a DEBUG record, at most
# The token segment of interaction callbacks/followups and webhook executions (discord.py
# puts these URLs in its rate-limit warnings and debug lines).
_TOKEN_IN_URL = re.compile(r"((?:interactions|webhooks)/\d+/)[^/?#\s\"'\\]+")
# An interaction token itself: base64 of "interaction:" and what follows.
_INTERACTION_TOKEN = re.compile(r"aW50ZXJhY3Rpb246[\w\-.:%=+]*")
# discord.py's loggers never go below this: its DEBUG records are gateway payloads, REST
# bodies and webhook requests.
DISCORD_FLOOR = logging.INFO


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    """A user's text as a DEBUG record may carry it: one line, at most ``limit`` chars."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def redact(text: str) -> str:
    """``text`` without the bot token or any interaction/webhook token."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, "[token]")
    if "/" in text:
        text = _TOKEN_IN_URL.sub(r"\1[token]", text)
    return _INTERACTION_TOKEN.sub("[token]", text)


def _redact(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = redact(value)
    return event


def _redact_line(_: Any, __: str, line: Any) -> Any:
    """The rendered line, once more: values nested in lists or dicts included."""
    return redact(line) if isinstance(line, str) else line


class NoDiscordDebug(logging.Filter):
    """Drops discord.py's records below INFO, even if its loggers were set lower: they
    dump gateway events (message content, interaction tokens) and request bodies."""

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        return not (
            (name == "discord" or name.startswith("discord.")) and record.levelno < DISCORD_FLOOR
        )


def configure_logging(
    level: str = "INFO", fmt: str = "json", secrets: list[str] | None = None
) -> None:
    """Send structlog and stdlib logging to stderr in one format."""
    _secrets[:] = [s for s in (secrets or []) if s]
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        _redact,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                renderer,
                _redact_line,
            ],
        )
    )
    handler.addFilter(NoDiscordDebug())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # discord.py at DEBUG logs every gateway event (message content, interaction tokens)
    # and every request with its body: never below INFO, whatever showbot's own level.
    logging.getLogger("discord").setLevel(max(DISCORD_FLOOR, root.level))
    logging.getLogger("discord.http").setLevel(logging.NOTSET)  # as "discord" above


def get_logger(name: str) -> Any:
    return structlog.stdlib.get_logger(name)
