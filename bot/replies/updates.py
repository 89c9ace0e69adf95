"""Followed subjects and their updates in words: the update post (and DM), and the replies to
``follow``, ``unfollow`` and ``following`` (``updates``' are bot/replies/settings.py's). A
companion of bot/replies/render.py, whose escaping, fact lines and citations it uses (never
copies), under the same rules: no mention, spoilers kept, at most 2,000 characters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.dates import when_text
from bot.models import Entity, Fact, FuzzyDate, Source
from bot.replies.render import MAX_CONTENT, citation, escape, fact_line
from bot.store.follows import Followed
from bot.store.outbox import Change

_WHAT = {"added": "New", "removed": "Removed", "restored": "Restored", "changed": "Changed"}


def _value(field: str, value: Any) -> str:
    if value is None:
        return "none" if field != "outcome" else "open"
    if field == "date":
        try:
            return when_text(FuzzyDate.parse(str(value)), "discord")
        except ValueError:
            return escape(str(value))
    return escape(str(value))


def folded(changes: Sequence[Change]) -> list[tuple[int, str, dict[str, list[Any]]]]:
    """Per fact, in the order first changed: what happened over the window (a fact added
    and then edited is new; removed and then restored, restored) and each field from its
    first old value to its last new one (fields back where they started drop out)."""
    out: dict[int, tuple[str, dict[str, list[Any]]]] = {}
    for change in changes:
        what, fields = out.get(change.fact_id, (change.what, {}))
        if change.fact_id in out:
            if what == "added" and change.what == "removed":
                what = "withdrawn"  # added and removed again: the post never shows it
            elif what == "withdrawn" and change.what == "restored":
                what = "added"
            elif what not in ("added", "withdrawn"):
                what = change.what if change.what != "changed" else what
        for name, (old, new) in change.fields.items():
            fields[name] = [fields[name][0] if name in fields else old, new]
        out[change.fact_id] = (what, fields)
    return [
        (fid, what, {k: v for k, v in fields.items() if v[0] != v[1]})
        for fid, (what, fields) in out.items()
    ]


def update_text(
    subject: Entity | None,
    changes: Sequence[Change],
    facts: Mapping[int, Fact],
    *,
    server: str | None = None,
    unfollow: str | None = None,
) -> str:
    """The post about a subject's changes (one window's, folded): per fact what changed
    (old -> new date, status or outcome; new, removed, restored), then the fact with its
    status, citation and spoiler tags. A DM names the ``server`` and how to ``unfollow``."""
    name = escape(subject.name) if subject else "a subject you follow"
    lead = f"From **{escape(server)}**: " if server else ""
    head = [f"{lead}📣 **{name}** has news"]
    entries: list[tuple[str, Fact | None]] = []  # (the label line, the fact shown under it)
    for fact_id, what, fields in folded(changes):
        fact = facts.get(fact_id)
        if fact is None or what == "withdrawn":
            continue  # forgotten meanwhile, or added and removed again within the window
        told = ", ".join(
            f"{name}: {_value(name, old)} → {_value(name, new)}"
            for name, (old, new) in fields.items()
        )
        if what == "changed" and not told:
            continue  # changed and changed back within the window
        if what == "removed":
            # A removed fact is not repeated: it may be wrong or a spoiler.
            entries.append((f"**{_WHAT[what]}**: fact `#{fact.id}`", None))
            continue
        entries.append((f"**{_WHAT[what]}**{' · ' + told if told else ''}", fact))
    tail = [_unfollow_line(unfollow)] if unfollow else []
    if not entries:
        return "\n".join([*head, "Nothing new after all: what changed was changed back.", *tail])
    return _fit(head, entries, tail)


def _unfollow_line(unfollow: str) -> str:
    # Prefix commands are read in servers only; the slash command works in this DM too
    # (and after the bot has left that server).
    if unfollow.startswith("/"):
        return f"-# `{unfollow}`, here or in that server, stops these messages."
    return f"-# `{unfollow}` in that server, or `/unfollow` here, stops these messages."


def _fit(head: list[str], entries: list[tuple[str, Fact | None]], tail: list[str]) -> str:
    """As many changes as fit, each with its fact; footnotes only for the facts shown,
    numbered as they appear, so a cut change takes its citation with it."""
    for keep in range(len(entries), 0, -1):
        sources: list[Source] = []
        body = []
        for label, fact in entries[:keep]:
            if fact is None:
                body.append(label)
                continue
            if fact.source and fact.source not in sources:
                sources.append(fact.source)
            note = sources.index(fact.source) + 1 if fact.source else None
            body.append(f"{label}\n{fact_line(fact, note, dates='discord')}")
        more = len(entries) - keep
        if more:
            body.append(f"… and {more} more change(s).")
        foot = [f"[{i}] {citation(s, 'discord')}" for i, s in enumerate(sources, 1)]
        for lines in ([*head, *body, *foot, *tail], [*head, *body, *tail]):
            text = "\n".join(lines)
            if len(text) <= MAX_CONTENT:  # the citations go before the change itself
                return text
    label = entries[0][0]
    return "\n".join([*head, label, f"… and {len(entries) - 1} more change(s).", *tail])[
        :MAX_CONTENT
    ]


# ------------------------------------------------------------------ replies


def followed_text(entity: Entity, *, dm: bool, new: bool, prefix: str) -> str:
    """The reply to `follow`."""
    name = f"**{escape(entity.name)}** ({entity.kind.value})"
    seasons = " and its seasons" if entity.kind.value == "show" else ""
    how = "in this server's updates channel (once its moderators set one)"
    how += ", and by DM" if dm else ""
    again = "" if new else " (you already did; your choice of DMs is updated)"
    return (
        f"You now follow {name}{seasons}{again}: when one of its facts is added, gets a"
        f" new date or status, or is removed or restored, you hear about it {how}."
        f" `{prefix}unfollow` stops it."
    )


def unfollowed_text(name: str, ended: Sequence[Followed], *, here: bool) -> str:
    """The reply to `unfollow`: in a server (``here``), or from a DM, where the follows
    that ended may be in several servers."""
    shown = f"**{escape(name)}**"
    if not ended:
        where = "in this server" if here else "in any server"
        return f"You don't follow {shown} {where}; nothing changed."
    if here:
        return f"You no longer follow {shown}."
    servers = sorted({_server(f) for f in ended})
    return f"You no longer follow {shown} in {', '.join(servers)}."[:MAX_CONTENT]


def _server(follow: Followed) -> str:
    return f"**{escape(follow.server)}**" if follow.server else f"server {follow.guild_id}"


def too_many_text(most: int, prefix: str) -> str:
    return (
        f"You already follow {most} subjects in this server, the most there can"
        f" be. `{prefix}unfollow` one first (`{prefix}following` lists them)."
    )


def following_text(rows: Sequence[Followed], most: int, prefix: str, *, here: bool = True) -> str:
    """`following`: in a server (``here``), or from a DM, every server's, by server. A
    subject removed or merged away since is said so: it holds a slot until unfollowed."""
    if not rows:
        if here:
            return f"You follow nothing in this server yet. `{prefix}follow <subject>` starts."
        return f"You follow nothing in any server. `{prefix}follow <subject>` in one starts."
    if here:
        lines = [f"You follow {len(rows)} of at most {most} subjects in this server:"]
    else:
        lines = [f"You follow {len(rows)} subject(s) (at most {most} per server):"]
    server: int | None = None
    for follow in rows:
        if not here and follow.guild_id != server:
            server = follow.guild_id
            lines.append(f"In {_server(follow)}:")
        lines.append(_following_line(follow))
    if any(f.gone for f in rows):
        lines.append(f"-# `{prefix}unfollow` a subject that is gone to free its slot.")
    return _cut(lines)


def _following_line(follow: Followed) -> str:
    entity = follow.entity
    name = f"**{escape(entity.name)}** ({entity.kind.value})" if entity else "a subject"
    note = ""
    if follow.gone:
        note = f" · no longer in the facts (`#{follow.entity_id}`)"
    if follow.dm:
        note += " · DMs closed, follow again to retry" if follow.dm_blocked else " · by DM too"
    return f"• {name}{note}"


def _cut(lines: list[str]) -> str:
    """Whole lines up to Discord's limit, and how many more there are."""
    for keep in range(len(lines), 0, -1):
        more = len(lines) - keep
        text = "\n".join(lines[:keep] + ([f"… and {more} more."] if more else []))
        if len(text) <= MAX_CONTENT:
            return text
    return lines[0][:MAX_CONTENT]
