"""The command line: ``python -m bot ask|import|export|backup|run|sync|forget|web|tvmaze``.

Exit status: 0 success (every question answered), 1 a question got no answer or a file
was rejected, 2 usage or configuration errors.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sqlite3
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from bot.config import Config, ConfigError, load_config, with_shard_ids
from bot.errors import ImportValidationError, ShowbotError, database_problem

EXIT_OK, EXIT_UNANSWERED, EXIT_USAGE = 0, 1, 2


def shard_ids(text: str) -> list[int]:
    """``--shard-ids``: shard numbers and inclusive ranges, comma-separated (``0,1``,
    ``4-7``, ``0,2-3``), in the order given. Checked against shard_count by the config."""
    ids: list[int] = []
    for part in text.split(","):
        low, dash, high = part.strip().partition("-")
        numbers = (low, high) if dash else (low,)
        if not all(n.isascii() and n.isdigit() for n in numbers):
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a list of shard numbers (e.g. 0,1 or 0-3)"
            )
        first, last = int(low), int(high) if dash else int(low)
        if last < first:
            raise argparse.ArgumentTypeError(f"{part.strip()!r} is an empty range")
        ids += range(first, last + 1)
    return ids


def server_id(text: str) -> int:
    """``--guild``: a Discord server id, a positive whole number (a snowflake fits 63 bits)."""
    value = text.strip()
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) < 2**63:
        raise argparse.ArgumentTypeError(
            f"must be a server id (a positive whole number), not {text[:30]!r}"
        )
    return int(value)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="showbot: answers fans' questions about TV shows from sourced facts.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", metavar="PATH", help="database file (default: showbot.db)")
        p.add_argument("--config", metavar="PATH", help="config file (default: config.toml)")

    ask = sub.add_parser("ask", help="answer questions as the bot would")
    ask.add_argument(
        "question",
        nargs="+",
        metavar="QUESTION",
        help="a message as typed in Discord (e.g. '!when jessica jones s2'); '-' reads one"
        " question per line from standard input",
    )
    ask.add_argument("--json", action="store_true", help="one JSON object per question per line")
    ask.add_argument(
        "--guild",
        type=server_id,
        metavar="ID",
        help="answer as that server sees it (its own facts and overrides, and the global ones)",
    )
    common(ask)

    imp = sub.add_parser("import", help="import facts from an interchange JSON file")
    imp.add_argument("file", metavar="FILE", help="interchange file ('-' for standard input)")
    imp.add_argument("--dry-run", action="store_true", help="validate and report, change nothing")
    imp.add_argument("--guild", type=int, metavar="ID", help="import into one server's scope")
    common(imp)

    exp = sub.add_parser("export", help="export facts as interchange JSON")
    exp.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    exp.add_argument("--guild", type=int, metavar="ID", help="export one server's own facts")
    common(exp)

    backup = sub.add_parser("backup", help="copy the database safely, even while the bot runs")
    backup.add_argument("path", metavar="PATH", help="where to write the copy (must not exist)")
    common(backup)

    run = sub.add_parser("run", help="run the Discord bot")
    run.add_argument(
        "--shard-ids",
        type=shard_ids,
        metavar="IDS",
        help="the Discord shards this process holds, e.g. 0,1 or 0-3 (overrides [discord]"
        " shard_ids; needs [discord] shard_count)",
    )
    common(run)

    sync = sub.add_parser(
        "sync", help="publish the slash commands to Discord now (REST only, no gateway)"
    )
    common(sync)

    forget = sub.add_parser(
        "forget", help="delete a server's or a member's data now (privacy; see the README)"
    )
    what = forget.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--guild", type=int, metavar="ID", help="delete one server's own facts, history, questions"
    )
    what.add_argument(
        "--user", type=int, metavar="ID", help="forget a member, as their `!forget me` does"
    )
    what.add_argument(
        "--older-than-days",
        type=int,
        metavar="N",
        help="fold questions older than N days into counts now (the bot does it hourly)",
    )
    common(forget)

    tvmaze = sub.add_parser("tvmaze", help="import a show's facts from TVmaze, or refresh them")
    tv = tvmaze.add_subparsers(dest="action", required=True, metavar="ACTION")
    tv_import = tv.add_parser("import", help="import one show (its dates, seasons, cast)")
    tv_import.add_argument("show", metavar="SHOW", help="the show's name, as TVmaze knows it")
    tv_import.add_argument("--guild", type=int, metavar="ID", help="import into one server")
    tv_import.add_argument("--dry-run", action="store_true", help="report, change nothing")
    common(tv_import)
    tv_refresh = tv.add_parser("refresh", help="apply what TVmaze changed in imported shows")
    tv_refresh.add_argument("--all", action="store_true", help="re-read every imported show")
    tv_refresh.add_argument("--dry-run", action="store_true", help="report, change nothing")
    common(tv_refresh)

    web = sub.add_parser(
        "web", help="serve a read-only web view of the facts, sources and history (Datasette)"
    )
    web.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; see the README"
        " before exposing it)",
    )
    web.add_argument("--port", type=int, default=8001, help="port (default 8001)")
    web.add_argument(
        "--guild", type=int, metavar="ID", help="show one server's facts as it sees them"
    )
    common(web)
    return parser


def split_questions(args: Sequence[str], prefix: str) -> list[str]:
    """Arguments with a space or the prefix start a question; single words continue one,
    so ``ask who is nuke`` is one question and ``ask '!who nuke' '!what igh'`` two."""
    questions: list[str] = []
    for arg in args:
        if questions and " " not in arg.strip() and not arg.startswith(prefix):
            questions[-1] += " " + arg
        else:
            questions.append(arg)
    return questions


def _stdin_lines() -> Iterator[str]:
    # Bytes, decoded leniently: one line with an invalid UTF-8 byte is a question with a
    # replacement character in it, not the end of the batch (and of its question log).
    for raw in sys.stdin.buffer:
        yield raw.decode("utf-8", errors="replace").rstrip("\r\n")


def cmd_ask(args: argparse.Namespace, config: Config) -> int:
    from bot.engine import Engine
    from bot.runtime.asking import ask_one  # no discord.py: the commands `ask` runs

    if args.question == ["-"]:
        questions: Iterable[str] = _stdin_lines()
    elif "-" in args.question:
        print("error: '-' must be the only QUESTION", file=sys.stderr)
        return EXIT_USAGE
    else:
        questions = split_questions(args.question, config.prefix)
    engine = Engine.open(config.db_path, prefix=config.prefix)
    out = sys.stdout
    all_answered = True
    first = True
    try:
        for text in questions:
            printed = ask_one(engine, config, text, args.guild)
            all_answered &= printed.answered
            if args.json:
                out.write(json.dumps(printed.record, ensure_ascii=False) + "\n")
            else:
                out.write(("" if first else "\n") + printed.text + "\n")
            first = False
    finally:
        engine.close()
    out.flush()
    return EXIT_OK if all_answered else EXIT_UNANSWERED


def cmd_import(args: argparse.Namespace, config: Config) -> int:
    from bot.engine import Engine
    from bot.models import Actor
    from bot.moderation import Moderation

    try:
        raw = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {args.file}: {exc.__class__.__name__}", file=sys.stderr)
        return EXIT_USAGE
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        print(
            f"error: {args.file} is not JSON (line {exc.lineno}, column {exc.colno})",
            file=sys.stderr,
        )
        return EXIT_UNANSWERED
    engine = Engine.open(config.db_path, prefix=config.prefix)
    actor = Actor(id=None, name="cli", guild_id=args.guild, owner=True)
    try:
        with _progress_bar("Importing") as progress:
            report = Moderation(engine).import_file(
                actor, data, dry_run=args.dry_run, progress=progress
            )
    except ImportValidationError as exc:
        print(f"error: {args.file} was not imported; nothing changed.", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_UNANSWERED
    finally:
        engine.close()
    print(report.summary())
    return EXIT_OK


@contextlib.contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on an interactive terminal; nothing when piped or in tests."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def cmd_export(args: argparse.Namespace, config: Config) -> int:
    from bot.engine import Engine
    from bot.moderation import Moderation

    engine = Engine.open(config.db_path, prefix=config.prefix)
    try:
        data = Moderation(engine).export(args.guild)
        text = json.dumps(data, ensure_ascii=False, indent=1)
    finally:
        engine.close()
    if args.out:
        try:
            Path(args.out).write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            print(f"error: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
            return EXIT_USAGE
    else:
        sys.stdout.write(text + "\n")
    return EXIT_OK


# Commands that make the database on first use: a mistyped --db must not make a new one
# (and its folders) somewhere unexpected, as `web` already refuses.
CREATES_DATABASE = frozenset(("ask", "import", "export", "tvmaze"))


def _no_folder(config: Config) -> bool:
    folder = Path(config.db_path).parent
    if config.db_path == ":memory:" or folder.is_dir():
        return False
    print(
        f"error: no folder {folder} for the database {config.db_path} (check --db)",
        file=sys.stderr,
    )
    return True


def _no_database(config: Config) -> bool:
    """Commands that only read or tidy a database must not create an empty one."""
    if Path(config.db_path).exists():
        return False
    print(f"error: no database at {config.db_path}", file=sys.stderr)
    return True


def cmd_backup(args: argparse.Namespace, config: Config) -> int:
    from bot.store.core import Store

    target = Path(args.path)
    if target.exists():
        print(f"error: {target} already exists; choose a new path", file=sys.stderr)
        return EXIT_USAGE
    if _no_database(config):
        return EXIT_USAGE
    store = Store.open(config.db_path)
    try:
        store.backup(target)
    finally:
        store.close()
    copy = Store.open(target)
    try:
        verdict = copy.integrity()
    finally:
        copy.close()
    if verdict != "ok":
        print(f"error: the copy failed its integrity check: {verdict}", file=sys.stderr)
        return EXIT_UNANSWERED
    print(f"Backed up {config.db_path} to {target} (integrity ok).")
    return EXIT_OK


def cmd_forget(args: argparse.Namespace, config: Config) -> int:
    from bot.logs import configure_logging
    from bot.privacy import Privacy
    from bot.store.core import Store

    configure_logging(config.log_level, config.log_format)  # guild_forgotten etc. to stderr

    for flag, value in (
        ("--guild", args.guild),
        ("--user", args.user),
        ("--older-than-days", args.older_than_days),
    ):
        if value is not None and value < 1:
            print(f"error: {flag} must be a positive number", file=sys.stderr)
            return EXIT_USAGE
    if _no_database(config):
        return EXIT_USAGE
    store = Store.open(config.db_path)
    try:
        privacy = Privacy(store)
        if args.guild is not None:
            print(privacy.forget_guild(args.guild).summary())
        elif args.user is not None:
            done = privacy.forget_user(args.user)
            print(f"User {args.user} forgotten. {done.summary(you=False)}")
        else:
            pruned = privacy.prune_questions(args.older_than_days)
            print(f"{pruned} question(s) older than {args.older_than_days} day(s) pruned.")
    finally:
        store.close()
    return EXIT_OK


def cmd_web(args: argparse.Namespace, config: Config) -> int:
    if args.guild is not None and args.guild < 1:
        print("error: --guild must be a server id (a positive number)", file=sys.stderr)
        return EXIT_USAGE
    if not 0 < args.port < 65536:
        print("error: --port must be between 1 and 65535", file=sys.stderr)
        return EXIT_USAGE
    if _no_database(config):
        return EXIT_USAGE
    try:
        from bot.web import serve  # Datasette: only this command needs it
    except ImportError as exc:
        print(f"error: the web view needs Datasette: pip install '.[web]' ({exc})", file=sys.stderr)
        return EXIT_USAGE
    where = f"http://{args.host}:{args.port}/"
    scope = f"server {args.guild}'s facts" if args.guild else "the global facts"
    print(f"Serving {config.db_path} ({scope}), read-only, at {where}", flush=True)
    serve(config.db_path, args.host, args.port, args.guild)
    return EXIT_OK


def cmd_tvmaze(args: argparse.Namespace, config: Config) -> int:
    from bot.tvmaze.cli import cmd_tvmaze as run  # aiohttp: only this command needs it

    return run(args, config)


def cmd_run(args: argparse.Namespace, config: Config) -> int:
    from bot.runtime.client import run_bot  # imports discord.py: only this command needs it
    from bot.runtime.memdebug import install_from_env

    install_from_env()  # SHOWBOT_TRACEMALLOC=<folder>: memory snapshots (bot/runtime/memdebug.py)
    return run_bot(config)


def cmd_sync(args: argparse.Namespace, config: Config) -> int:
    from bot.runtime.client import sync_commands_now  # imports discord.py, as `run` does

    return sync_commands_now(config)


COMMANDS = {
    "ask": cmd_ask,
    "import": cmd_import,
    "export": cmd_export,
    "backup": cmd_backup,
    "run": cmd_run,
    "sync": cmd_sync,
    "forget": cmd_forget,
    "web": cmd_web,
    "tvmaze": cmd_tvmaze,
}


NEEDS_DISCORD = ("run", "sync")  # these need the token (and an explicit --config must exist)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = load_config(
            args.config,
            db_override=args.db,
            require_file=args.command in NEEDS_DISCORD and bool(args.config),
        )
        if getattr(args, "shard_ids", None) is not None:
            config = with_shard_ids(config, args.shard_ids)
        if args.command in NEEDS_DISCORD and not config.token:
            raise ConfigError(
                f"{config.source or 'config.toml'}: [discord] token is missing"
                " (set DISCORD_TOKEN or [discord] token)"
            )
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.command in CREATES_DATABASE and _no_folder(config):
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args, config)
    except ShowbotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except sqlite3.Error as exc:
        if database_problem(exc) == "bug":  # not the disk's fault: show where it broke
            traceback.print_exc()
        print(f"error: database {config.db_path}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `python -m bot ask - | head` is fine
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
