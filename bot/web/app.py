"""Build and serve the web view: one Datasette over the live database, read-only.

Datasette gives the pages, JSON and CSV of the canned queries (bot/web/queries.py); the
plugin (bot/web/plugin.py) adds the pages that need showbot's own code (a subject, a
fact's history, the fuzzy subject search) and the permissions that make it read-only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datasette.app import Datasette
from datasette.database import Database
from datasette.plugins import pm

from bot.web import plugin
from bot.web.queries import canned_queries
from bot.web.reader import Reader

DB_NAME = "showbot"
TEMPLATES = Path(__file__).with_name("templates")
PASSWORD_ENV = "SHOWBOT_WEB_PASSWORD_HASH"  # set: a login is needed (datasette-auth-passwords)


class ReadOnlyDatabase(Database):
    """Datasette's database, with every connection read-only: even a write Datasette or
    a plugin asks for is refused by SQLite itself."""

    def connect(self, write: bool = False) -> Any:
        return super().connect(write=False)


@dataclass
class WebContext:
    """What the plugin's hooks need, kept on the Datasette instance they serve."""

    reader: Reader
    guild_id: int | None
    login: bool
    queries: frozenset[str]


def metadata(guild_id: int | None, *, login: bool) -> dict[str, Any]:
    scope = "the facts every server sees" if guild_id is None else f"server {guild_id}'s facts"
    meta: dict[str, Any] = {
        "title": "showbot",
        "description": f"What showbot knows: {scope}, where each comes from and how it changed."
        " Read-only.",
        "allow_sql": False,
        "databases": {
            DB_NAME: {
                "allow_sql": False,
                "queries": canned_queries(guild_id),
            }
        },
    }
    if login:
        meta["plugins"] = {
            "datasette-auth-passwords": {
                "moderator_password_hash": {"$env": PASSWORD_ENV},
            }
        }
    return meta


def build(db_path: str | Path, guild_id: int | None = None) -> Datasette:
    """The web view of ``db_path`` (which must exist): read-only, one scope."""
    login = bool(os.environ.get(PASSWORD_ENV))
    reader = Reader.open(db_path, guild_id)  # refuses a missing or outdated database
    if not pm.is_registered(plugin):
        pm.register(plugin, name="showbot-web")
    meta = metadata(guild_id, login=login)
    ds = Datasette(
        metadata=meta,
        # Logins outlive a restart only with a fixed secret (else a new one each start).
        secret=os.environ.get("DATASETTE_SECRET") or None,
        template_dir=str(TEMPLATES),
        settings={
            "allow_download": False,  # the file holds the question log and user ids
            "allow_facet": False,
            "suggest_facets": False,
            "default_allow_sql": False,
            "sql_time_limit_ms": 2000,
            "max_returned_rows": 1000,
        },
    )
    ds.add_database(ReadOnlyDatabase(ds, path=str(db_path), is_mutable=True), name=DB_NAME)
    queries = frozenset(meta["databases"][DB_NAME]["queries"])  # the only ones it may run
    ds.showbot = WebContext(reader, guild_id, login, queries)
    return ds


def serve(db_path: str | Path, host: str, port: int, guild_id: int | None) -> None:
    import uvicorn

    ds = build(db_path, guild_id)
    try:
        uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on")
    finally:
        ds.showbot.reader.close()
