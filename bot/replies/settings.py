"""A server's settings and what showbot keeps, in words: the replies to `modlog`,
`updates` and `privacy`. A companion of bot/replies/render.py (its escaping and limits,
never copied), under the same rules: no mention that notifies anyone, at most 2,000 characters."""

from __future__ import annotations

from bot.replies.render import ERROR_MARK, cut, escape

# A channel setting the bot can't act on yet (said by `modlog channel` and `updates channel`).
CANT_POST = f" {ERROR_MARK} I can't post there yet: give me View Channel and Send Messages in it."


def modlog_text(channel_id: int | None, prefix: str) -> str:
    """`modlog`: where this server's moderator changes are posted."""
    if channel_id is None:
        return (
            "This server's moderator changes are not posted anywhere. Set a channel with"
            f" `{prefix}modlog channel #channel`."
        )
    return (
        f"This server's moderator changes are posted in <#{channel_id}> (only this server's)."
        f" `{prefix}modlog off` stops it."
    )


def modlog_changed(channel_id: int | None, *, unusable: bool = False) -> str:
    """The reply to `modlog channel` / `modlog off` (also posted in the channels concerned).
    A channel mention notifies nobody."""
    if channel_id is None:
        return "This server's moderator changes are no longer posted anywhere."
    text = f"This server's moderator changes are now posted in <#{channel_id}>."
    if unusable:
        text += CANT_POST
    return text


def updates_text(channel_id: int | None, prefix: str) -> str:
    """`updates`: where this server's followed-subject updates are posted."""
    if channel_id is None:
        return (
            "Updates about followed subjects are not posted in a channel here (members who"
            f" asked for DMs still get them). Set one with `{prefix}updates channel #channel`."
        )
    return (
        f"Updates about followed subjects are posted in <#{channel_id}>."
        f" `{prefix}updates off` stops it."
    )


def updates_changed(channel_id: int | None, *, unusable: bool = False) -> str:
    """The reply to `updates channel` / `updates off`. A channel mention notifies nobody."""
    if channel_id is None:
        return "Updates about followed subjects are no longer posted in a channel here."
    text = f"Updates about followed subjects are now posted in <#{channel_id}>."
    if unusable:
        text += CANT_POST
    return text


def privacy_text(
    prefix: str, contact: str | None, question_days: int, forget_after_days: int
) -> str:
    """`privacy`: what showbot keeps, for how long, how to delete it, whom to ask. The
    README's "Privacy" section says the same at length."""
    reach = (
        f"**Questions about your data:** {escape(contact)}"
        if contact
        else "**Questions about your data:** ask this bot's operator (no contact is set)."
    )
    grace = "at once" if forget_after_days == 0 else f"after {forget_after_days} day(s)"
    lines = [
        "**What showbot keeps**",
        "• The facts moderators curate, with a history of each change: the moderator's name"
        " and id, when, before and after (for undo).",
        "• Each question asked: its text, the server, the time, the subject found and"
        " whether it was answered; never who asked or in which channel. The text is"
        f" deleted after {question_days} day(s); only daily counts stay (for gaps and stats).",
        "• Each server's settings, such as its moderation log and updates channels.",
        f"• What you follow (`{prefix}follow`): your id, the subjects, per server, and whether"
        " you asked for DMs; kept until you unfollow or forget.",
        "• The logs hold no message content and no tokens; a question's text only when the"
        " operator debugs, shortened.",
        "**Deleting it**",
        f"• `{prefix}forget me` (then `confirm`): anything kept under your account (your"
        " follows are deleted); as a moderator, your name and id in the history become a"
        " pseudonym.",
        "• The operator can delete a member's or a server's data at once"
        " (`python -m bot forget --user ID` / `--guild ID`).",
        f"• When showbot is removed from a server, that server's data is deleted {grace},"
        " unless it is added back.",
        reach,
    ]
    return cut("\n".join(lines))
