"""The Discord client: the only engine-side module that imports discord.py.

It owns start-up (config, extensions, slash-command sync), the one error handler, and
shutdown. Commands live in the ``cogs`` package as thin adapters over :class:`Engine`.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sqlite3
import time
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import aiohttp
import discord
import yarl
from discord.ext import commands

from bot.config import Config
from bot.engine import Engine
from bot.errors import DATABASE_REPLIES, ShowbotError, database_problem
from bot.language.embedding import embedder
from bot.logs import configure_logging, get_logger
from bot.models import Actor
from bot.privacy import Privacy
from bot.replies.render import render_error
from bot.runtime.commandsync import Outcome, Payload, SyncRefused, plan, publish
from bot.runtime.sending import (
    RepeatCooldown,
    can_send,
    cooldown_notice,
    input_problem,
    send_reply,
    usage_of,
)
from bot.runtime.shedding import Backlog, sheds
from bot.runtime.writer import Writer

log = get_logger("showbot")

P = ParamSpec("P")
T = TypeVar("T")

EXTENSIONS = (
    "cogs.questions",
    "cogs.modlog",
    "cogs.facts",
    "cogs.meta",
    "cogs.forget",
    "cogs.timeline",
    "cogs.follows",
    "cogs.updates",
    "cogs.shows",
)
HOUSEKEEPING_SECONDS = 0.5  # change-log catch-up and question-log flush
# Questions past [privacy] question_days pruned, departed servers past their grace period
# forgotten: once at start-up (once ready), then this often.
PRIVACY_SECONDS = 3600.0
# Keep-alive connections to Discord's REST API at most. discord.py's default has no limit,
# so every burst of replies opened connections that then stayed pooled (their buffers
# and sockets): RSS grew with the load's peak concurrency. Discord allows 50 requests/s
# per bot, which this many connections carry with room to spare.
HTTP_CONNECTIONS = 16
# A command sync waiting out a rate limit longer than this gives up (and retries at the
# next start or `!sync`): Discord's daily command-update limit can mean hours.
SYNC_WAIT_SECONDS = 60.0


def intents(message_content: bool = True) -> discord.Intents:
    """Only what the commands need: guild messages, with their content unless slash-only
    (``[discord] message_content = false``). No members intent."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    # Privileged: prefix commands need it, except in messages that mention the bot (Discord
    # sends those with their content anyway), which is all slash-only mode reads.
    wanted.message_content = message_content
    return wanted


def command_prefix(config: Config) -> Any:
    """``!who nuke`` and ``@showbot who nuke`` alike; slash-only, the mention alone (a
    message without it arrives with no content)."""
    if not config.message_content:
        return commands.when_mentioned
    return commands.when_mentioned_or(config.prefix)


class ShowBot(commands.Bot):
    """showbot on Discord: gets its engine and config from the caller."""

    def __init__(
        self, config: Config, engine: Engine, *, serve: bool = True, **options: Any
    ) -> None:
        super().__init__(
            command_prefix=command_prefix(config),
            intents=intents(config.message_content),
            # Nobody is ever pinged: not by fact text, not by the reply to a question.
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            # No owner_ids here: discord.py would then ignore the application's owner.
            # is_owner below adds [discord] owner_ids to it instead.
            case_insensitive=True,
            strip_after_prefix=True,
            **options,  # ShardedShowBot's shard_count and shard_ids
        )
        self.config = config
        self.engine = engine
        # Every write runs in the writer's thread, in order (see bot/runtime/writer.py).
        self.writer = Writer(engine)
        self.moderation = self.writer.moderation
        self.privacy = Privacy(self.writer.store)  # run through self.write, like moderation
        self.serve = serve  # False: REST only (`python -m bot sync`), no background tasks
        # What waits per channel, bounded in number and age (bot/runtime/shedding.py).
        self.backlog = Backlog(
            in_flight=config.channel_in_flight,
            waiting=config.channel_backlog,
            max_age=config.question_max_age,
        )
        self._housekeeping: asyncio.Task[None] | None = None
        self._privacy_task: asyncio.Task[None] | None = None
        self._start_sync: asyncio.Task[None] | None = None
        self._sync_lock = asyncio.Lock()
        self.started = time.monotonic()

    async def is_owner(self, user: discord.abc.User, /) -> bool:
        """``[discord] owner_ids``, and besides them the application's owner (or its
        team's admins and developers), as discord.py reads them from Discord."""
        if user.id in self.config.owner_ids:
            return True
        return await super().is_owner(user)

    async def login(self, token: str) -> None:
        if self.http.connector is discord.utils.MISSING:  # made here: it needs the loop
            self.http.connector = aiohttp.TCPConnector(limit=HTTP_CONNECTIONS)
        await super().login(token)

    async def setup_hook(self) -> None:
        names = self.config.moderator_role_names
        if names:
            log.warning(
                "moderator_roles_by_name",
                roles=sorted(names),
                hint="a role name matches a role of that name in every server the bot is"
                " in; list role ids in [moderation] roles instead",
            )
        for name in EXTENSIONS:
            await self.load_extension(name)
        if self.serve:
            # The free path's model (~0.15 s) loads now, not in the first fan's question.
            embedder()
            # In the background: the gateway connects and prefix commands answer meanwhile,
            # whatever Discord makes the sync wait for.
            self._start_sync = asyncio.create_task(self._sync_at_start())
            self._housekeeping = asyncio.create_task(self._keep_in_step())
            self._privacy_task = asyncio.create_task(self._privacy_rounds())

    async def _sync_at_start(self) -> None:
        if not self.config.holds_shard_zero:
            # One token, several processes: only shard 0's publishes, or every start of
            # every process would spend Discord's command-update limit (and race).
            log.info("commands_sync_skipped", reason="shard 0's process publishes them")
            return
        try:
            await self.sync_commands()
        except Exception:  # e.g. the database: the bot runs on, the next start retries
            log.exception("commands_sync_crashed")

    async def command_payload(self) -> Payload:
        """The global commands exactly as ``CommandTree.sync`` would send them."""
        tree = self.tree
        commands = tree.get_commands()
        if tree.translator is not None:
            return [await c.get_translated_payload(tree, tree.translator) for c in commands]
        return [c.to_dict(tree) for c in commands]

    async def sync_commands(self, *, force: bool = False) -> list[Outcome]:
        """Publish the slash commands where Discord doesn't have them yet (everywhere when
        ``force``): globally, or, with ``[discord] guild_ids``, to those development servers
        only (see bot/runtime/commandsync.py)."""
        async with self._sync_lock:
            store = self.engine.store
            targets = plan(
                await self.command_payload(), self.config.guild_ids, store.synced_hashes()
            )
            return await publish(
                targets, store, self._put_commands, force=force, save=self._save_sync
            )

    async def _save_sync(self, method: Callable[..., None], *args: Any) -> None:
        """A command-sync record (Store.record_sync/forget_sync), written by the writer."""
        await self.writer.run(method, self.writer.store, *args)

    async def _put_commands(self, guild_id: int | None, payload: Payload) -> None:
        """One bulk overwrite of a scope's commands; Discord's refusal as SyncRefused."""
        app_id = self.application_id
        if app_id is None:
            raise SyncRefused("the application id is not known yet (not logged in)")
        try:
            async with asyncio.timeout(SYNC_WAIT_SECONDS):
                if guild_id is None:
                    await self.http.bulk_upsert_global_commands(app_id, payload=payload)
                else:
                    await self.http.bulk_upsert_guild_commands(app_id, guild_id, payload=payload)
        except TimeoutError:
            raise SyncRefused(
                f"no answer within {SYNC_WAIT_SECONDS:g} s (rate limited for longer?)"
            ) from None
        except discord.HTTPException as exc:
            # e.g. "403 Forbidden (error code: 50001): Missing Access"
            raise SyncRefused(str(exc), status=exc.status, code=exc.code) from None
        except (OSError, aiohttp.ClientError) as exc:
            raise SyncRefused(f"Discord unreachable ({type(exc).__name__}: {exc})") from None

    async def _keep_in_step(self) -> None:
        # Other shards' moderator edits reach this process's index within a second,
        # and the question log reaches the disk even when nobody is asking.
        while True:
            await asyncio.sleep(HOUSEKEEPING_SECONDS)
            try:
                self.engine.sync()
                await self.writer.flush_log()  # skipped while the writer is busy
            except Exception:
                log.exception("housekeeping_failed")

    async def _privacy_rounds(self) -> None:
        await self.wait_until_ready()  # which servers the bot is in is known
        while True:
            try:
                await self.privacy_round()
            except Exception:
                log.exception("privacy_round_failed")
            await asyncio.sleep(PRIVACY_SECONDS)

    async def privacy_round(self) -> None:
        """Prune the question log; forget the servers the bot left ``forget_after_days``
        ago, unless it is in them again (then their departure is cancelled: added back
        while the bot was offline, which no on_guild_join reports)."""
        config = self.config
        await self.write(self.privacy.prune_questions, config.question_days)
        for guild_id, due in await self.write(self.privacy.departures, config.forget_after_days):
            if not self.holds_guild(guild_id):
                continue  # another process's shard: that process decides
            if self.get_guild(guild_id) is not None:
                await self.write(self.privacy.guild_joined, guild_id)
            elif due:
                await self.forget_guild(guild_id)

    def holds_guild(self, guild_id: int) -> bool:
        """Whether this process's shards receive the server's events."""
        shards = self.config.shards
        if shards is None:
            return True
        return (guild_id >> 22) % (self.config.shard_count or 1) in shards

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Removed from a server (kicked, banned, or the server deleted; not an outage,
        which discord.py reports as on_guild_unavailable): its data is forgotten after
        ``[privacy] forget_after_days``, at once with 0."""
        await self.write(self.privacy.guild_left, guild.id)
        if self.config.forget_after_days == 0:
            await self.forget_guild(guild.id)

    async def forget_guild(self, guild_id: int) -> None:
        """Forget a server the bot left: its questions still buffered in memory first, so
        none is written after its data is gone."""
        self.engine.forget_questions(guild_id)
        await self.write(self.privacy.forget_guild, guild_id, reason="removed")

    async def on_guild_join(self, guild: discord.Guild) -> None:
        self.engine.remember_questions(guild.id)
        await self.write(self.privacy.guild_joined, guild.id)

    async def write(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` in the writer thread, in turn (bot/runtime/writer.py)."""
        return await self.writer.run(fn, *args, **kwargs)

    async def on_ready(self) -> None:
        shards = self.config.shards
        log.info(
            "ready",
            user=str(self.user),
            guilds=len(self.guilds),
            **({"shard_ids": list(shards), "shard_count": self.shard_count} if shards else {}),
        )

    async def on_shard_ready(self, shard_id: int) -> None:  # sharded processes only
        guilds = sum(1 for g in self.guilds if g.shard_id == shard_id)
        log.info("shard_ready", shard_id=shard_id, shard_count=self.shard_count, guilds=guilds)

    async def process_commands(self, message: discord.Message) -> None:
        """A channel the bot can read but not post in is left alone before any work: no
        question answered into a 403, no apology for it into another."""
        if not message.author.bot and not can_send(message.channel):
            log.debug("message_skipped", reason="no permission to post", channel=message.channel.id)
            return
        await super().process_commands(message)

    async def invoke(self, ctx: commands.Context[Any], /) -> None:
        """A prefix command waits its turn in its channel's backlog, or is shed (no work,
        no reply: a reply would spend the very posts the channel lacks), as questions
        always did: ``!upcoming``, ``!follow``... too (bot/runtime/shedding.py). Slash
        commands are answered through their interaction, never shed."""
        command = ctx.command
        if ctx.interaction is not None or command is None or not sheds(command.checks):
            await super().invoke(ctx)
            return
        guild_id = ctx.guild.id if ctx.guild else None
        async with self.backlog.turn(ctx.channel.id, guild_id) as admitted:
            if admitted:
                await super().invoke(ctx)

    async def actor(self, ctx: commands.Context[Any]) -> Actor:
        """Who is acting, where, and whether they own the bot."""
        return Actor(
            id=ctx.author.id,
            name=str(ctx.author),
            guild_id=ctx.guild.id if ctx.guild else None,
            owner=await self.is_owner(ctx.author),
        )

    async def on_command_error(  # the one error handler, for prefix and slash alike
        self, ctx: commands.Context[Any], error: commands.CommandError
    ) -> None:
        original = getattr(error, "original", error)
        if isinstance(original, commands.HybridCommandError):
            original = getattr(original, "original", original)
        while isinstance(
            original, commands.CommandInvokeError | discord.app_commands.CommandInvokeError
        ):
            original = original.original
        if isinstance(error, commands.CommandNotFound | RepeatCooldown):
            return  # another bot's command, a typo, or a flood already told to slow down
        usage = ""  # bot-made, so appended after defusing (escapes show inside a code span)
        if isinstance(original, ShowbotError):
            message = str(original)
        elif isinstance(original, sqlite3.Error) and database_problem(original) != "bug":
            # Busy or unwritable is the machine's state, not showbot's bug: no traceback.
            problem = database_problem(original)
            log.error(f"database_{problem}", error=str(original), guild=ctx.guild and ctx.guild.id)
            message = DATABASE_REPLIES[problem]
        elif isinstance(error, commands.CommandOnCooldown):
            message = cooldown_notice(error.retry_after)
        elif isinstance(error, commands.CheckFailure):
            message = str(error) if str(error) else "You can't use that command here."
        elif isinstance(error, commands.UserInputError):
            message = input_problem(error)
            usage = f" Usage: `{usage_of(ctx)}`"
        else:
            log.error(
                "command_failed",
                command=ctx.command and ctx.command.qualified_name,
                guild=ctx.guild and ctx.guild.id,
                channel=ctx.channel.id,
                user=ctx.author.id,
                exc_info=original,
            )
            message = "Sorry, something went wrong on my side. It has been logged."
        with contextlib.suppress(discord.HTTPException):
            await send_reply(ctx, render_error(message).content + usage, ephemeral=True)

    async def close(self) -> None:
        for task in (self._housekeeping, self._start_sync, self._privacy_task):
            if task:
                task.cancel()
        self.backlog.flush_all()  # the shed counts not logged yet
        try:
            await super().close()
        finally:
            try:
                await self.writer.flush_log(queue=True, patient=True)
            finally:
                self.writer.close()


class ShardedShowBot(ShowBot, commands.AutoShardedBot):
    """showbot holding some of Discord's shards (``[discord] shard_count``/``shard_ids``):
    one gateway connection per shard, each receiving only its servers' events
    (``(guild_id >> 22) % shard_count``). The same bot otherwise; only the process holding
    shard 0 publishes the slash commands."""

    def __init__(self, config: Config, engine: Engine, *, serve: bool = True) -> None:
        assert config.shard_count is not None
        super().__init__(
            config,
            engine,
            serve=serve,
            shard_count=config.shard_count,
            shard_ids=list(config.shards or ()),
        )


def create_bot(config: Config, engine: Engine, *, serve: bool = True) -> ShowBot:
    """The bot the config asks for: one plain connection (unsharded, as before sharding
    existed: no ``shard`` in IDENTIFY, no ``/gateway/bot``), or its shards."""
    if config.shard_count is None:
        return ShowBot(config, engine, serve=serve)
    return ShardedShowBot(config, engine, serve=serve)


def _point_at(config: Config) -> None:
    """Send REST and gateway traffic to a Discord-compatible API (tests, proxies)."""
    if config.api_base:
        discord.http.Route.BASE = config.api_base.rstrip("/")
    if config.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.gateway_url)


async def _serve(config: Config) -> int:
    # Replies point at commands ("try `!help`"): slash-only, at the slash ones.
    engine = Engine.open(config.db_path, prefix=config.prefix if config.message_content else "/")
    bot = create_bot(config, engine)
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stopping.set)
    runner = asyncio.create_task(bot.start(config.token or "", reconnect=True))
    stopper = asyncio.create_task(stopping.wait())
    try:
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if runner in done:
            runner.result()  # re-raise a login failure
        log.info("shutting_down")
    except discord.LoginFailure:
        log.error("login_failed", reason="Discord refused the token")
        return 2
    except discord.PrivilegedIntentsRequired:
        log.error(
            "intents_refused",
            reason="enable the Message Content intent for this bot in Discord's developer portal"
            ", or run slash-only: [discord] message_content = false",
        )
        return 2
    except (
        OSError,
        aiohttp.ClientError,
        discord.GatewayNotFound,
        discord.DiscordServerError,
    ) as exc:
        # Discord (or api_base) cannot be reached at start-up: one clear line, no traceback.
        log.error(
            "discord_unreachable", api_base=config.api_base, error=f"{type(exc).__name__}: {exc}"
        )
        return 1
    finally:
        stopper.cancel()
        if not bot.is_closed():
            await bot.close()
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await runner
        engine.close()
    return 0


def run_bot(config: Config) -> int:
    """``python -m bot run``: serve until SIGTERM or Ctrl-C."""
    configure_logging(config.log_level, config.log_format, secrets=[config.token or ""])
    _point_at(config)
    shards = config.shards
    log.info(
        "starting",
        db=config.db_path,
        prefix=config.prefix,
        api_base=config.api_base,
        # Which of Discord's shards this process holds (none: unsharded).
        shard_ids=list(shards) if shards is not None else None,
        shard_count=config.shard_count,
        syncs_commands=config.holds_shard_zero,
    )
    return asyncio.run(_serve(config))


async def _sync_once(config: Config) -> int:
    engine = Engine.open(config.db_path, prefix=config.prefix)
    bot = ShowBot(config, engine, serve=False)
    try:
        await bot.login(config.token or "")  # REST only: loads the cogs, no gateway
        outcomes = await bot.sync_commands(force=True)
    except discord.LoginFailure:
        log.error("login_failed", reason="Discord refused the token")
        return 2
    except (OSError, aiohttp.ClientError, discord.DiscordServerError) as exc:
        log.error(
            "discord_unreachable", api_base=config.api_base, error=f"{type(exc).__name__}: {exc}"
        )
        return 1
    finally:
        await bot.close()
        engine.close()
    for outcome in outcomes:
        print(outcome.describe())
    return 1 if any(o.result == "failed" for o in outcomes) else 0


def sync_commands_now(config: Config) -> int:
    """``python -m bot sync``: publish the slash commands now, whatever the stored hashes say."""
    configure_logging(config.log_level, config.log_format, secrets=[config.token or ""])
    _point_at(config)
    return asyncio.run(_sync_once(config))
