"""Flag converters: prefix (`!fact add subject: x kind: who text: ...`) and slash options
share one declaration. A flag's value runs up to the next `name:`. And the autocomplete of
a ``subject`` option, which every command naming a subject shares."""

from __future__ import annotations

from typing import Any

from discord import Interaction, app_commands
from discord.ext import commands


async def subject_autocomplete(
    interaction: Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Subject names for a ``subject`` option as it is typed, best first: the names the
    resolver reads back (namesakes told apart), what this server may see."""
    engine = interaction.client.engine
    names = engine.complete(current, guild_id=interaction.guild_id, limit=25)
    return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names]


class FactAddFlags(commands.FlagConverter, prefix="", delimiter=":"):
    subject: str = commands.flag(description="The show, season, character... (a name or #id)")
    kind: str = commands.flag(description="when, who or what")
    text: str = commands.flag(description="The fact, in one or two sentences")
    status: str = commands.flag(
        default="confirmed", description="confirmed, reported, rumor or prediction"
    )
    spoiler: str = commands.flag(default="no", description="yes to hide it behind a spoiler tag")
    source: str | None = commands.flag(default=None, description="A source #id or title")
    date: str | None = commands.flag(default=None, description="2017, 2016-09 or 2016-09-30")
    quote: str | None = commands.flag(default=None, description="The source's supporting words")
    type: str | None = commands.flag(
        default=None, description="For a new subject: show, character, person, organisation..."
    )


class FactEditFlags(commands.FlagConverter, prefix="", delimiter=":"):
    text: str | None = commands.flag(default=None, description="New text")
    status: str | None = commands.flag(
        default=None, description="confirmed, reported, rumor or prediction"
    )
    spoiler: str | None = commands.flag(default=None, description="yes or no")
    source: str | None = commands.flag(default=None, description="A source #id or title")
    date: str | None = commands.flag(default=None, description="2017, 2016-09 or 2016-09-30")
    quote: str | None = commands.flag(default=None, description="The source's supporting words")
    version: int | None = commands.flag(
        default=None, description="Only if the fact is still at this version (from fact show)"
    )


class RevertFlags(commands.FlagConverter, prefix="", delimiter=":"):
    version: int = commands.flag(description="The version number from fact history")


class AliasAddFlags(commands.FlagConverter, prefix="", delimiter=":"):
    alias: str = commands.flag(positional=True, description="The new name")
    to: str = commands.flag(description="The subject it names (a name or #id)")


class SourceAddFlags(commands.FlagConverter, prefix="", delimiter=":"):
    title: str = commands.flag(description="The article's or video's title")
    publisher: str | None = commands.flag(default=None, description="Who published it")
    url: str | None = commands.flag(default=None, description="Where to read it (http or https)")
    date: str | None = commands.flag(default=None, description="2017, 2016-09 or 2016-09-30")


class RenameFlags(commands.FlagConverter, prefix="", delimiter=":"):
    subject: str = commands.flag(positional=True, description="The subject (a name or #id)")
    to: str = commands.flag(description="Its new name")


class KindFlags(commands.FlagConverter, prefix="", delimiter=":"):
    subject: str = commands.flag(positional=True, description="The subject (a name or #id)")
    to: str = commands.flag(description="show, character, person, organisation, thing or event")


class MergeFlags(commands.FlagConverter, prefix="", delimiter=":"):
    subject: str = commands.flag(positional=True, description="The subject to merge away")
    into: str = commands.flag(description="The subject that keeps everything")


class ResolveFlags(commands.FlagConverter, prefix="", delimiter=":"):
    outcome: str = commands.flag(description="came true, busted, or open (undecided again)")
    note: str | None = commands.flag(default=None, description="What happened, in a line")
    unspoil: str | None = commands.flag(
        default=None, description="yes to lift the spoiler tag off one that came true"
    )
    version: int | None = commands.flag(
        default=None, description="Only if the fact is still at this version (from fact show)"
    )


class UpcomingFlags(commands.FlagConverter, prefix="", delimiter=":"):
    days: str = commands.flag(
        positional=True, default="30", description="How many days ahead, 1 to 365 (30 if empty)"
    )
    mine: str = commands.flag(default="no", description="yes for the subjects you follow only")
