"""showbot's Datasette plugin: read-only permissions, template helpers and the pages
that need showbot's own code. Its hooks act only on a Datasette built by bot.web.app
(one with a ``showbot`` context); any other Datasette in the process is left alone."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from typing import Any

from datasette import Forbidden, hookimpl
from datasette.database import QueryInterrupted
from datasette.utils.asgi import NotFound, Response

from bot.replies.render import outcome_words
from bot.web.queries import CITED, KINDS, PAGE, SOURCES_PAGE
from bot.web.reader import fact_of, fuzzy_words

# Everything that could run SQL of the visitor's own, show a raw table (whose columns
# hold user ids), hand out the database file, or write: refused, whoever asks.
REFUSED = frozenset(
    {
        "execute-sql",
        "view-table",
        "view-database-download",
        "insert-row",
        "delete-row",
        "update-row",
        "create-table",
        "alter-table",
        "drop-table",
        "upsert-row",
    }
)
_WORD = re.compile(r"\w+")
MAX_QUERY = 200  # characters of a search
# The only requests that may POST: logging in and out (datasette-auth-passwords).
POST_PATHS = frozenset({"/-/login", "/-/logout"})


def _context(datasette: Any) -> Any:
    return getattr(datasette, "showbot", None)


@hookimpl(trylast=True)  # called last, so its answer is the one Datasette keeps
def permission_allowed(datasette: Any, actor: Any, action: str, resource: Any) -> bool | None:
    ctx = _context(datasette)
    if ctx is None:
        return None
    if action in REFUSED:
        return False
    if ctx.login and not actor and action.startswith("view-"):
        return False  # behind the password: nothing for a visitor who has not logged in
    if action == "view-query":
        return resource[1] in ctx.queries
    return None


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    """Refuse every request but GET and HEAD (log in and out aside) before Datasette
    sees it: a read-only view has nothing to post to, and Datasette 0.65 answers a
    POST to a read-only canned query with an error 500."""

    def wrap(app: Any) -> Any:
        async def read_only(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if (
                _context(datasette) is not None
                and scope["type"] == "http"
                and scope["method"] not in ("GET", "HEAD")
                and scope["path"] not in POST_PATHS
            ):
                await Response.text(
                    "This is a read-only view: nothing here can be changed.",
                    status=405,
                    headers={"Allow": "GET, HEAD"},
                ).asgi_send(send)
                return
            await app(scope, receive, send)

        return read_only

    return wrap


@hookimpl
def forbidden(datasette: Any, request: Any, message: str) -> Any:
    ctx = _context(datasette)
    if ctx is not None and ctx.login and not request.actor:
        return Response.redirect(datasette.urls.path("/-/login"))  # log in, then look
    return None


@hookimpl
def prepare_jinja2_environment(env: Any, datasette: Any) -> None:
    env.filters["fuzzy_date"] = fuzzy_words
    env.globals["fact_of"] = fact_of
    env.globals["outcome_words"] = outcome_words


@hookimpl
def extra_template_vars(datasette: Any) -> dict[str, Any]:
    ctx = _context(datasette)
    if ctx is None:
        return {}
    return {
        "showbot_scope": ctx.guild_id,
        "showbot_kinds": KINDS,
        "showbot_page": PAGE,
        "showbot_sources_page": SOURCES_PAGE,
        "showbot_cited": CITED,
    }


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    if _context(datasette) is None:
        return []
    return [
        (r"^/subject/(?P<id>\d{1,18})$", subject_page),
        (r"^/fact/(?P<id>\d{1,18})$", fact_page),
        (r"^/search$", search_page),
    ]


async def _allowed(datasette: Any, request: Any) -> Any:
    if not await datasette.permission_allowed(request.actor, "view-instance", default=True):
        raise Forbidden("view-instance")
    return _context(datasette)


async def _page(datasette: Any, request: Any, template: str, **context: Any) -> Response:
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html)


async def subject_page(request: Any, datasette: Any) -> Response:
    ctx = await _allowed(datasette, request)
    found = await asyncio.to_thread(ctx.reader.subject, int(request.url_vars["id"]))
    if found is None:
        raise NotFound("There is no such subject here.")
    if isinstance(found, int):  # merged into another subject
        return Response.redirect(datasette.urls.path(f"/subject/{found}"))
    return await _page(datasette, request, "showbot_subject.html", page=found)


async def fact_page(request: Any, datasette: Any) -> Response:
    ctx = await _allowed(datasette, request)
    found = await asyncio.to_thread(ctx.reader.fact, int(request.url_vars["id"]))
    if found is None:
        raise NotFound("There is no such fact here.")
    return await _page(datasette, request, "showbot_fact.html", page=found)


async def search_page(request: Any, datasette: Any) -> Response:
    ctx = await _allowed(datasette, request)
    q = " ".join(request.args.get("q", "").split())[:MAX_QUERY]
    best, others, facts, error = None, [], [], None
    if q:
        best, others = await asyncio.to_thread(ctx.reader.search, q)
    words = " ".join(_WORD.findall(q))  # the fact search reads words; no FTS5 syntax
    if words:
        sql = datasette.get_database("showbot")
        query = datasette.metadata("queries", database="showbot")["search_facts"]["sql"]
        try:
            facts = list((await sql.execute(query, {"q": words})).rows)
        except (sqlite3.Error, QueryInterrupted):  # too slow, or what FTS5 can't read
            error = "The fact search could not read that; try plain words."
    return await _page(
        datasette,
        request,
        "showbot_search.html",
        q=q,
        best=best,
        others=others,
        facts=facts,
        error=error,
    )
