"""The logs never hold what people wrote, an interaction token or the bot token, at any
level (bot/logs.py; the real bot at DEBUG: tests/e2e/test_bot_log_privacy.py)."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest
import structlog

from bot.logs import PREVIEW_CHARS, configure_logging, get_logger, preview, redact

BOT_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"
INTERACTION_TOKEN = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OkZha2VUb2tlbg_-x.y"
CALLBACK = (
    f"https://discord.com/api/v10/interactions/123456789012345678/{INTERACTION_TOKEN}/callback"
)
WEBHOOK = f"https://discord.com/api/v10/webhooks/987654321098765432/{INTERACTION_TOKEN}?wait=1"


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """showbot's logging at DEBUG, its lines written to the yielded buffer."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    saved_discord = {n: logging.getLogger(n).level for n in ("discord", "discord.http")}
    out = io.StringIO()
    monkeypatch.setattr(sys, "stderr", out)
    configure_logging("DEBUG", "json", secrets=[BOT_TOKEN])
    try:
        yield out
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        for name, old in saved_discord.items():
            logging.getLogger(name).setLevel(old)
        structlog.reset_defaults()


def lines(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def test_token_segments_of_interaction_and_webhook_urls_are_blanked() -> None:
    assert redact(CALLBACK) == (
        "https://discord.com/api/v10/interactions/123456789012345678/[token]/callback"
    )
    assert (
        redact(WEBHOOK) == "https://discord.com/api/v10/webhooks/987654321098765432/[token]?wait=1"
    )
    # An interaction token anywhere else (say, in an error's text) goes too.
    assert INTERACTION_TOKEN not in redact(f"token={INTERACTION_TOKEN} failed")
    # Other URLs and ids stay readable.
    plain = "POST https://discord.com/api/v10/channels/123/messages"
    assert redact(plain) == plain


def test_a_question_is_previewed_short_and_on_one_line() -> None:
    long = "when does " + "very " * 40 + "long\nquestion end"
    short = preview(long)
    assert len(short) == PREVIEW_CHARS and short.endswith("…") and "\n" not in short
    assert preview("who is nuke") == "who is nuke"


def test_discord_debug_records_never_reach_the_log(
    configured: io.StringIO,
) -> None:
    """discord.py at DEBUG dumps gateway events (message content, interaction tokens) and
    requests with their bodies: dropped even when showbot itself runs at DEBUG, and even
    if something lowers discord.py's loggers again."""
    gateway = logging.getLogger("discord.gateway")
    gateway.debug("For Shard ID None: WebSocket Event: %s", {"content": "secret words"})
    logging.getLogger("discord").setLevel(logging.DEBUG)
    logging.getLogger("discord.webhook.async_").debug(
        "Webhook ID %s with %s %s has returned status code %s", 1, "POST", WEBHOOK, 200
    )
    logging.getLogger("discord.http").warning(
        "We are being rate limited. %s %s responded with 429. Retrying in %.2f seconds.",
        "POST",
        CALLBACK,
        0.5,
    )
    records = lines(configured)
    assert [r["logger"] for r in records] == ["discord.http"]  # INFO and up stay
    text = json.dumps(records)
    assert "secret words" not in text and INTERACTION_TOKEN not in text
    assert "interactions/123456789012345678/[token]/callback" in text


def test_showbot_debug_records_are_redacted_too(configured: io.StringIO) -> None:
    log = get_logger("showbot.test_logs")
    log.debug("probe", url=CALLBACK, nested={"url": WEBHOOK, "token": BOT_TOKEN})
    log.info(f"login with {BOT_TOKEN}")
    logging.getLogger("aiohttp.client").error("failed %s", WEBHOOK)
    text = configured.getvalue()
    assert text.count("\n") == 3
    assert BOT_TOKEN not in text and INTERACTION_TOKEN not in text
    assert text.count("[token]") == 5
