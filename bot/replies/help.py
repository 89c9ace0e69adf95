"""`!help` in words: what fans ask, and with a topic what moderators do. The bot and the
command line (`python -m bot ask '!help'`) send the same text."""

from __future__ import annotations

from bot.replies.render import MAX_CONTENT, cut

HELP = """\
**showbot** answers questions about TV shows from sourced facts.
`{p}when <subject>` — when a show or season films or airs · `{p}when jessica jones s2`
`{p}who <subject>` — who a character or person is · `{p}who nuke`
`{p}what <subject>` — what an organisation or show is · `{p}what igh`
`{p}ask <question>` — in your own words · `{p}ask when does luke cage premiere`
`{p}upcoming [days] [mine: yes]` — what premieres, releases or films soon · `{p}upcoming 90`
`{p}predictions [subject]` — rumors and predictions, open and resolved
Every answer cites its source and its status (confirmed, reported, rumor, prediction); \
rumors and predictions stay behind spoiler tags. The same commands work as slash commands.
`{p}follow <subject> [dm: yes]` — hear when its facts change · `{p}unfollow` · `{p}following`
`{p}privacy` — what showbot keeps about you, and how to delete it (`{p}forget me`).
"""

MOD_HELP = """\
**Moderators** (Manage Server, Manage Messages in the channel, or a moderator role). A \
flag's value runs up to the next `name:`; ids are written `12` or `#12`.
`{p}fact add subject: <name> kind: <when|who|what> text: <text> [status:] [spoiler:] \
[source:] [date:] [quote:]`
`{p}fact edit <id> [text:] [status:] [spoiler:] [source:] [date:] [quote:]` · \
`{p}fact remove <id>` · `{p}fact restore <id>` · `{p}fact show <id>`
`{p}fact history <id>` · `{p}fact revert <id> version: <n>` · `{p}fact undo`
`{p}fact resolve <id> outcome: <came true|busted|open> [note:] [unspoil: yes]`
`{p}fact teach <id> <question>` — teach a way fans ask for that fact
`{p}alias add <alias> to: <subject>` · `{p}alias remove <alias>`
`{p}source add title: <title> [publisher:] [url:] [date:]` · `{p}source list`
`{p}entity rename <subject> to: <name>` · `{p}entity kind <subject> to: <kind>` · \
`{p}entity merge <subject> into: <subject>`
`{p}facts export` · `{p}facts import` (attach it) · `{p}gaps` · `{p}stats`
`{p}modlog` · `{p}modlog channel #channel` · `{p}modlog off` — where this server's changes go
`{p}updates channel #channel` · `{p}updates off` — where updates about followed subjects go
"""


def help_text(prefix: str, topic: str | None = None) -> str:
    """`!help`; with any topic, the moderators' commands too."""
    text = HELP.format(p=prefix)
    if topic is not None:
        text += "\n" + MOD_HELP.format(p=prefix)
    else:
        text += f"Moderators: `{prefix}help moderation`."
    # Within Discord's limit whatever the prefix (a long one is repeated on every line).
    return text if len(text) <= MAX_CONTENT else cut(text)
