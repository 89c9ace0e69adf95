"""Structured logging: one line per event (JSON for services, readable for people).

discord.py's own stdlib logging goes through the same formatter, and every line passes
a processor that blanks the bot token wherever it might appear.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

_secrets: list[str] = []


def _redact(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    if not _secrets:
        return event
    for key, value in event.items():
        if isinstance(value, str):
            for secret in _secrets:
                if secret in value:
                    value = value.replace(secret, "[token]")
            event[key] = value
    return event


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
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # discord.py's HTTP debug lines are noise at INFO.
    logging.getLogger("discord.http").setLevel(max(logging.INFO, root.level))


def get_logger(name: str) -> Any:
    return structlog.stdlib.get_logger(name)
