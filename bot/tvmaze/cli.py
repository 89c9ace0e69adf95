"""``python -m bot tvmaze import "<show>"`` and ``python -m bot tvmaze refresh``: the
operator's way in, on the same code the bot's ``!show import`` and its refresh use.

Exit status: 0 done (one line), 1 the show was not found or TVmaze could not be read
(nothing written), 2 usage.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.config import Config
from bot.models import Actor
from bot.tvmaze.client import ShowData, TVmaze, TVmazeError
from bot.tvmaze.importer import Lookup, apply, lookup, plan
from bot.tvmaze.refresh import Imported, changed, imported, read, refresh_one

EXIT_OK, EXIT_NOT_FOUND, EXIT_USAGE = 0, 1, 2


def client(config: Config) -> TVmaze:
    return TVmaze(config.tvmaze_api_base, config.tvmaze_user_agent)


async def find_and_read(tv: TVmaze, query: str) -> tuple[Lookup, ShowData | None]:
    """The show a name means, and its data; no data when the name found none or several."""
    found = await lookup(tv, query)
    if found.show_id is None:
        return found, None
    return found, await tv.show_data(found.show_id)


def not_found_text(query: str, found: Lookup) -> str:
    """Why nothing was imported, with TVmaze's choices when the name matched weakly."""
    if not found.choices:
        return f"TVmaze knows no show called {query!r}; nothing was written."
    offers = "; ".join(c.label() for c in found.choices)
    return (
        f"TVmaze has no show called exactly {query!r}; nothing was written. Did you mean:"
        f" {offers}? Ask again with the exact name."
    )


def cmd_tvmaze(args: argparse.Namespace, config: Config) -> int:
    if args.action == "import":
        return _import(args, config)
    return _refresh(args, config)


def _import(args: argparse.Namespace, config: Config) -> int:
    from bot.engine import Engine
    from bot.moderation import Moderation

    query = " ".join(args.show.split())
    if not query or len(query) > 200:
        print("error: give a show's name (at most 200 characters)", file=sys.stderr)
        return EXIT_USAGE
    if args.guild is not None and args.guild < 1:
        print("error: --guild must be a server id (a positive number)", file=sys.stderr)
        return EXIT_USAGE

    async def fetch() -> tuple[Lookup, ShowData | None]:
        async with client(config) as tv:
            return await find_and_read(tv, query)

    try:
        found, data = asyncio.run(fetch())
    except TVmazeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NOT_FOUND
    if data is None:
        print(not_found_text(query, found), file=sys.stderr)
        return EXIT_NOT_FOUND
    engine = Engine.open(config.db_path, prefix=config.prefix)
    actor = Actor(id=None, name="cli (TVmaze)", guild_id=args.guild, owner=True)
    try:
        mod = Moderation(engine)
        planned = plan(mod, data, actor, query=query)
        if planned.changed and not args.dry_run:
            planned = apply(mod, planned, actor)
    finally:
        engine.close()
    print(planned.summary(done=not args.dry_run))
    return EXIT_OK


def _refresh(args: argparse.Namespace, config: Config) -> int:
    from bot.engine import Engine
    from bot.moderation import Moderation

    engine = Engine.open(config.db_path, prefix=config.prefix)
    try:
        shows = imported(engine.store)
        if not shows:
            print("No show was imported from TVmaze; nothing to refresh.")
            return EXIT_OK

        async def fetch() -> tuple[list[Imported], dict[int, ShowData | None]]:
            async with client(config) as tv:
                ids = await changed(tv, shows, everything=args.all)
                return [s for s in shows if s.show_id in ids], await read(tv, ids)

        try:
            due, datas = asyncio.run(fetch())
        except TVmazeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_NOT_FOUND
        mod = Moderation(engine)
        for show in due:
            print(refresh_one(mod, show, datas[show.show_id], dry_run=args.dry_run).line())
        print(f"{len(due)} of {len(shows)} imported show(s) changed on TVmaze since read.")
    finally:
        engine.close()
    return EXIT_OK
