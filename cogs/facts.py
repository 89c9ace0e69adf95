"""Moderators curate facts: `fact`, `alias`, `synonym`, `source`, `entity` and `facts` groups
(changes are told in the log channels by cogs/modlog.py).

Each command checks the caller, makes one Moderation call and replies with its outcome;
the engine does the validation, the transaction and the change log.
"""

from __future__ import annotations

import asyncio
import io
import json
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import ImportValidationError, InvalidInputError
from bot.logs import get_logger
from bot.replies.render import (
    cut,
    fact_card,
    history_text,
    import_problems,
    outcome_text,
    sources_text,
    synonym_text,
    synonyms_text,
)
from bot.runtime.sending import in_time, send_reply
from bot.store.synonyms import parse_group_id
from bot.validation import parse_id
from cogs.checks import moderator_only, moderator_slash
from cogs.converters import (
    AliasAddFlags,
    FactAddFlags,
    FactEditFlags,
    KindFlags,
    MergeFlags,
    RenameFlags,
    ResolveFlags,
    RevertFlags,
    SourceAddFlags,
)
from cogs.modlog import ModLog
from cogs.teaching import TeachButton
from cogs.views import ConfirmView, ExpiredConfirm

if TYPE_CHECKING:
    from bot.runtime.client import ShowBot

log = get_logger("showbot.facts")

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_LISTED = 15


class Facts(commands.Cog):
    """Moderator commands: add, edit, remove, restore, history, undo, import, export."""

    def __init__(self, bot: ShowBot) -> None:
        self.bot = bot
        self.mod = bot.moderation
        # What the change a command just made touched (its rows' servers, None: global),
        # from write() to done(): where the change may be told.
        self.touched: dict[commands.Context[Any], set[int | None]] = {}

    async def cog_load(self) -> None:
        # Clicks on import confirmations this process is not waiting for (sent before a
        # restart, or timed out) are answered instead of failing.
        self.bot.add_dynamic_items(ExpiredConfirm)
        self.bot.add_dynamic_items(TeachButton)  # `gaps`' buttons, whenever they were sent

    async def cog_check(self, ctx: commands.Context[Any]) -> bool:
        if ctx.guild is None:
            raise commands.NoPrivateMessage("Moderator commands work in a server only.")
        return True

    async def write(
        self, ctx: commands.Context[Any], fn: Any, /, *args: Any, private: bool = False, **kw: Any
    ) -> Any:
        """``fn(*args, **kw)`` (a Moderation call: its reads too) in the bot's writer thread,
        in turn (bot/runtime/writer.py); a slash command kept waiting is deferred (``private``: as
        an ephemeral answer) and answered by the followup."""
        return await in_time(ctx, self.scoped(ctx, fn, *args, **kw), ephemeral=private)

    async def scoped(self, ctx: commands.Context[Any], fn: Any, /, *args: Any, **kw: Any) -> Any:
        """``fn`` in the writer thread, noting whose data its changes touched (the rows'
        servers, None for global rows) for ``done``'s log channels."""
        store = self.bot.writer.store

        def job() -> Any:
            start = store.max_change_id()
            result = fn(*args, **kw)
            guild_id = ctx.guild.id if ctx.guild else None
            scopes = store.changes.scopes_since(start, ctx.author.id, guild_id)
            if scopes:  # a read, or a change that changed nothing, leaves nothing behind
                self.touched[ctx] = scopes
            return result

        return await self.bot.write(job)

    async def done(self, ctx: commands.Context[Any], message: str, *, change: bool = True) -> None:
        """Reply with the outcome; a change (not a read-only look) also goes to the log
        channel. Reads over slash are private (ephemeral): only the moderator sees them."""
        scopes = self.touched.pop(ctx, set())
        await send_reply(ctx, cut(message), ephemeral=not change)
        if change:
            modlog = self.bot.get_cog("ModLog")
            if isinstance(modlog, ModLog):
                await modlog.post_to_log(ctx, message, scopes)

    # ------------------------------------------------------------------ fact

    @commands.hybrid_group(name="fact", invoke_without_command=True)
    @moderator_slash()
    @moderator_only()
    async def fact(self, ctx: commands.Context[Any]) -> None:
        """Moderators: add, edit, remove, restore and inspect facts."""
        await send_reply(
            ctx,
            f"Subcommands: add, edit, remove, restore, resolve, show, history, revert,"
            f" undo, teach. See `{ctx.clean_prefix}help fact`.",
        )

    @fact.command(name="add")
    @moderator_only()
    async def fact_add(self, ctx: commands.Context[Any], *, flags: FactAddFlags) -> None:
        """Add a fact about a subject (a new subject is created)."""
        outcome = await self.write(
            ctx,
            self.mod.add_fact,
            await self.bot.actor(ctx),
            subject=flags.subject,
            kind=flags.kind,
            text=flags.text,
            status=flags.status,
            spoiler=flags.spoiler,
            source=flags.source,
            date=flags.date,
            quote=flags.quote,
            entity_kind=flags.type,
        )
        await self.done(ctx, outcome_text(outcome))

    @fact.command(name="edit")
    @app_commands.rename(fact_id="id")
    @moderator_only()
    async def fact_edit(
        self, ctx: commands.Context[Any], fact_id: str, *, flags: FactEditFlags
    ) -> None:
        """Change a fact's text, status, spoiler, source, date or quote.

        Args:
            fact_id: The fact's id, e.g. 12 or #12
        """
        fields = {
            name: getattr(flags, name)
            for name in ("text", "status", "spoiler", "source", "date", "quote")
        }
        outcome = await self.write(
            ctx,
            self.mod.edit_fact,
            await self.bot.actor(ctx),
            parse_id(fact_id),
            expected_version=flags.version,
            **fields,
        )
        await self.done(ctx, outcome_text(outcome))

    @fact.command(name="remove")
    @app_commands.rename(fact_id="id")
    @moderator_only()
    async def fact_remove(self, ctx: commands.Context[Any], fact_id: str) -> None:
        """Remove a fact (it can be restored).

        Args:
            fact_id: The fact's id, e.g. 12 or #12
        """
        outcome = await self.write(
            ctx, self.mod.remove_fact, await self.bot.actor(ctx), parse_id(fact_id)
        )
        await self.done(ctx, outcome_text(outcome))

    @fact.command(name="restore")
    @app_commands.rename(fact_id="id")
    @moderator_only()
    async def fact_restore(self, ctx: commands.Context[Any], fact_id: str) -> None:
        """Bring back a removed fact.

        Args:
            fact_id: The fact's id, e.g. 12 or #12
        """
        outcome = await self.write(
            ctx, self.mod.restore_fact, await self.bot.actor(ctx), parse_id(fact_id)
        )
        await self.done(ctx, outcome_text(outcome))

    @fact.command(name="resolve")
    @app_commands.rename(fact_id="id")
    @moderator_only()
    async def fact_resolve(
        self, ctx: commands.Context[Any], fact_id: str, *, flags: ResolveFlags
    ) -> None:
        """Record what became of a rumor or prediction: came true or busted.

        Args:
            fact_id: The fact's id, e.g. 12 or #12
        """
        outcome = await self.write(
            ctx,
            self.mod.resolve_fact,
            await self.bot.actor(ctx),
            parse_id(fact_id),
            flags.outcome,
            note=flags.note,
            unspoil=flags.unspoil,
            expected_version=flags.version,
        )
        await self.done(ctx, outcome_text(outcome))

    @fact.command(name="show")
    @app_commands.rename(fact_id="id")
    @moderator_only()
    async def fact_show(self, ctx: commands.Context[Any], fact_id: str) -> None:
        """Show a fact with its full citation and quote.

        Args:
            fact_id: The fact's id, e.g. 12 or #12
        """
        fact, entity = await self.write(
            ctx, self.mod.show_fact, await self.bot.actor(ctx), parse_id(fact_id), private=True
        )
        await self.done(ctx, fact_card(fact, entity, "discord"), change=False)

    @fact.command(name="history")
    @app_commands.rename(fact_id="id")
    @moderator_only()
    async def fact_history(self, ctx: commands.Context[Any], fact_id: str) -> None:
        """Every version of a fact: who changed what, and when.

        Args:
            fact_id: The fact's id, e.g. 12 or #12
        """
        fid = parse_id(fact_id)
        versions = await self.write(
            ctx, self.mod.history, await self.bot.actor(ctx), fid, private=True
        )
        await self.done(ctx, history_text(fid, versions, MAX_LISTED), change=False)

    @fact.command(name="revert")
    @app_commands.rename(fact_id="id")
    @moderator_only()
    async def fact_revert(
        self, ctx: commands.Context[Any], fact_id: str, *, flags: RevertFlags
    ) -> None:
        """Put a fact back as it was at an earlier version.

        Args:
            fact_id: The fact's id, e.g. 12 or #12
        """
        actor = await self.bot.actor(ctx)
        outcome = await self.write(ctx, self.mod.revert, actor, parse_id(fact_id), flags.version)
        await self.done(ctx, outcome_text(outcome))

    @fact.command(name="teach")
    @app_commands.rename(fact_id="id")
    @moderator_only()
    async def fact_teach(self, ctx: commands.Context[Any], fact_id: str, *, question: str) -> None:
        """Teach showbot a question fans ask as another way of asking for a fact.

        Args:
            fact_id: The fact that answers it, e.g. 12 or #12
            question: The question, as fans ask it
        """
        actor = await self.bot.actor(ctx)
        outcome = await self.write(ctx, self.mod.teach, actor, parse_id(fact_id), question)
        await self.done(ctx, outcome_text(outcome), change=outcome.action == "fact.teach")

    @fact.command(name="undo")
    @moderator_only()
    async def fact_undo(self, ctx: commands.Context[Any]) -> None:
        """Undo your last change in this server, of any kind."""
        outcome = await self.write(ctx, self.mod.undo, await self.bot.actor(ctx))
        await self.done(ctx, outcome_text(outcome))

    # ------------------------------------------------------------------ alias

    @commands.hybrid_group(name="alias", invoke_without_command=True)
    @moderator_slash()
    @moderator_only()
    async def alias(self, ctx: commands.Context[Any]) -> None:
        """Moderators: other names for a subject."""
        await send_reply(
            ctx,
            f"Use `{ctx.clean_prefix}alias add <alias> to: <subject>` or"
            f" `{ctx.clean_prefix}alias remove <alias>`.",
        )

    @alias.command(name="add")
    @moderator_only()
    async def alias_add(self, ctx: commands.Context[Any], *, flags: AliasAddFlags) -> None:
        """Teach showbot another name for a subject."""
        outcome = await self.write(
            ctx, self.mod.add_alias, await self.bot.actor(ctx), flags.alias, flags.to
        )
        await self.done(ctx, outcome_text(outcome))

    @alias.command(name="remove")
    @moderator_only()
    async def alias_remove(self, ctx: commands.Context[Any], *, alias: str) -> None:
        """Forget another name of a subject.

        Args:
            alias: The name to forget
        """
        outcome = await self.write(ctx, self.mod.remove_alias, await self.bot.actor(ctx), alias)
        await self.done(ctx, outcome_text(outcome))

    # ------------------------------------------------------------------ synonym

    @commands.hybrid_group(name="synonym", invoke_without_command=True)
    @moderator_slash()
    @moderator_only()
    async def synonym(self, ctx: commands.Context[Any]) -> None:
        """Moderators: words fans use for what facts say differently."""
        await send_reply(
            ctx,
            f"Use `{ctx.clean_prefix}synonym add <word>, <word>...`,"
            f" `{ctx.clean_prefix}synonym remove <id>` or `{ctx.clean_prefix}synonym list`.",
        )

    @synonym.command(name="add")
    @moderator_only()
    async def synonym_add(self, ctx: commands.Context[Any], *, words: str) -> None:
        """Make words match each other in questions, e.g. villain, antagonist, baddie.

        Args:
            words: Two or more single words, separated by commas
        """
        synonyms = self.bot.writer.synonyms  # the writer's; the engine's catches up
        gid, group = await self.write(ctx, synonyms.add, await self.bot.actor(ctx), words)
        await self.done(ctx, synonym_text(gid, group))

    @synonym.command(name="remove")
    @moderator_only()
    async def synonym_remove(self, ctx: commands.Context[Any], group_id: str) -> None:
        """Remove one of this server's synonym groups.

        Args:
            group_id: The group's id, from synonym list
        """
        gid = parse_group_id(group_id)
        synonyms = self.bot.writer.synonyms
        group = await self.write(ctx, synonyms.remove, await self.bot.actor(ctx), gid)
        await self.done(ctx, synonym_text(gid, group, removed=True))

    @synonym.command(name="list")
    @moderator_only()
    async def synonym_list(self, ctx: commands.Context[Any]) -> None:
        """The synonym groups questions here use: built in, global and this server's."""
        rows = self.bot.engine.synonyms.listing(ctx.guild.id if ctx.guild else None)
        await self.done(ctx, synonyms_text(rows), change=False)

    # ------------------------------------------------------------------ source

    @commands.hybrid_group(name="source", invoke_without_command=True)
    @moderator_slash()
    @moderator_only()
    async def source(self, ctx: commands.Context[Any]) -> None:
        """Moderators: where facts come from."""
        await self.source_list(ctx)

    @source.command(name="add")
    @moderator_only()
    async def source_add(self, ctx: commands.Context[Any], *, flags: SourceAddFlags) -> None:
        """Add a source that facts can cite."""
        outcome = await self.write(
            ctx,
            self.mod.add_source,
            await self.bot.actor(ctx),
            title=flags.title,
            publisher=flags.publisher,
            url=flags.url,
            date=flags.date,
        )
        await self.done(ctx, outcome_text(outcome))

    @source.command(name="list")
    @moderator_only()
    async def source_list(self, ctx: commands.Context[Any]) -> None:
        """List the sources this server's facts can cite."""
        guild_id = ctx.guild.id if ctx.guild else None
        sources = await self.write(ctx, self.mod.store.sources, guild_id, private=True)
        await self.done(ctx, sources_text(sources, MAX_LISTED), change=False)

    # ------------------------------------------------------------------ entity

    @commands.hybrid_group(name="entity", invoke_without_command=True)
    @moderator_slash()
    @moderator_only()
    async def entity(self, ctx: commands.Context[Any]) -> None:
        """Moderators: rename or merge subjects, or change one's kind."""
        p = ctx.clean_prefix
        await send_reply(
            ctx,
            f"Use `{p}entity rename <subject> to: <name>`, `{p}entity kind <subject> to: <kind>`"
            f" or `{p}entity merge <subject> into: <subject>`.",
        )

    @entity.command(name="rename")
    @moderator_only()
    async def entity_rename(self, ctx: commands.Context[Any], *, flags: RenameFlags) -> None:
        """Rename a subject; the old name keeps working."""
        outcome = await self.write(
            ctx, self.mod.rename_entity, await self.bot.actor(ctx), flags.subject, flags.to
        )
        await self.done(ctx, outcome_text(outcome))

    @entity.command(name="kind")
    @moderator_only()
    async def entity_kind(self, ctx: commands.Context[Any], *, flags: KindFlags) -> None:
        """Change a subject's kind (a show filed as a thing); `fact undo` reverts it."""
        outcome = await self.write(
            ctx, self.mod.set_entity_kind, await self.bot.actor(ctx), flags.subject, flags.to
        )
        await self.done(ctx, outcome_text(outcome))

    @entity.command(name="merge")
    @moderator_only()
    async def entity_merge(self, ctx: commands.Context[Any], *, flags: MergeFlags) -> None:
        """Merge a duplicate subject into another: its facts and names move over."""
        outcome = await self.write(
            ctx, self.mod.merge_entities, await self.bot.actor(ctx), flags.subject, flags.into
        )
        await self.done(ctx, outcome_text(outcome))

    # ------------------------------------------------------------------ facts (bulk)

    @commands.hybrid_group(name="facts", invoke_without_command=True)
    @moderator_slash()
    @moderator_only()
    async def facts(self, ctx: commands.Context[Any]) -> None:
        """Moderators: export or import this server's facts as a JSON file."""
        p = ctx.clean_prefix
        await send_reply(ctx, f"Use `{p}facts export` or `{p}facts import` with a file attached.")

    @facts.command(name="export")
    @moderator_only()
    async def facts_export(self, ctx: commands.Context[Any]) -> None:
        """Download this server's own facts as a JSON file (the import format)."""
        guild_id = ctx.guild.id if ctx.guild else None
        count, payload = await self.write(ctx, self._export, guild_id, private=True)
        file = discord.File(io.BytesIO(payload), filename=f"showbot-facts-{guild_id}.json")
        await send_reply(ctx, f"{count} fact(s) from this server.", file=file, ephemeral=True)

    @facts.command(name="import")
    @moderator_only()
    async def facts_import(self, ctx: commands.Context[Any], file: discord.Attachment) -> None:
        """Import facts from a JSON file: checked, previewed, applied on confirmation.

        Args:
            file: A showbot JSON file (as made by facts export)
        """
        if file.size > MAX_IMPORT_BYTES:
            raise InvalidInputError(f"That file is {file.size:,} bytes; the limit is 5 MB.")
        # The download, parse and dry run take seconds for a big file: answer Discord first
        # (the preview is private). The parse and both runs are off the event loop.
        await ctx.defer(ephemeral=True)
        try:
            data = await asyncio.to_thread(json.loads, await file.read())
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidInputError(f"That file is not JSON ({exc.__class__.__name__}).") from None
        actor = await self.bot.actor(ctx)
        try:
            preview = await self.bot.write(self.mod.import_file, actor, data, dry_run=True)
        except ImportValidationError as exc:
            raise InvalidInputError(import_problems(exc.problems)) from None
        if preview.changed == 0:
            await send_reply(
                ctx, "Nothing to import: every record is already here.", ephemeral=True
            )
            return
        view = ConfirmView(ctx.author.id, timeout=self.bot.config.confirm_seconds)
        view.message = await send_reply(
            ctx, preview.summary() + " Apply?", view=view, ephemeral=True
        )
        await view.wait()
        if not view.confirmed:
            await send_reply(ctx, "Import cancelled; nothing changed.", ephemeral=True)
            return
        report = await self.scoped(ctx, self.mod.import_file, actor, data)
        await self.done(ctx, report.summary())

    def _export(self, guild_id: int | None) -> tuple[int, bytes]:
        """In the writer thread: the server's facts, and the file's bytes."""
        data = self.mod.export(guild_id)
        return len(data["facts"]), json.dumps(data, ensure_ascii=False, indent=1).encode()


async def setup(bot: ShowBot) -> None:
    await bot.add_cog(Facts(bot))
