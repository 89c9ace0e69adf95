"""showbot's Datasette plugin: read-only permissions, template helpers and the pages
that need showbot's own code. Its hooks act only on a Datasette built by bot.web.app
(one with a ``showbot`` context); any other Datasette in the process is left alone."""

from __future__ import annotations

import asyncio
import inspect
import re
import sqlite3
from collections.abc import Generator
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import Forbidden, hookimpl
from datasette.database import QueryInterrupted
from datasette.utils.asgi import Base400, NotFound, Response

from bot.logs import get_logger
from bot.replies.render import outcome_words
from bot.web.queries import CITED, KINDS, PAGE, SOURCES_PAGE, canned_queries
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
# A search reads at most this much: each word is one more FTS5 term every fact must hold,
# and 12,000 of them kept SQLite busy for 20 s (issue 20). Longer ones are cut, and told.
MAX_QUERY = 200  # characters of a search
MAX_WORDS = 20
SEARCHES = re.compile(r"^/(?:search|showbot/search_facts(?:\.json|\.csv)?)$")
CUT = "_cut"  # set on a search whose words were cut to the bounds above
log = get_logger("showbot.web")


class Missing(NotFound):
    """A 404 whose message is meant for the visitor ("There is no such subject here.")."""


def bounded(q: str) -> str:
    """A search's first MAX_WORDS words, within MAX_QUERY characters (whole words)."""
    words = q.split()[:MAX_WORDS]
    text = " ".join(words)
    if len(text) > MAX_QUERY:
        text = text[:MAX_QUERY].rsplit(" ", 1)[0] if " " in text[:MAX_QUERY] else text[:MAX_QUERY]
    return text


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
            if _context(datasette) is not None and scope["type"] == "http":
                scope = _bound_search(scope)
            await app(scope, receive, send)

        return read_only

    return wrap


def _bound_search(scope: dict[str, Any]) -> dict[str, Any]:
    """A search's ``q`` cut to its bounds before Datasette or a page sees it (and ``_cut``
    set so the page says so): the query stays fast, and no header echoes a huge URL."""
    if not SEARCHES.match(scope["path"]):
        return scope
    args = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    changed = False
    for i, (key, value) in enumerate(args):
        if key == "q" and bounded(value) != " ".join(value.split()):
            args[i], changed = (key, bounded(value)), True
    if not changed:
        return scope
    query = urlencode([*[(k, v) for k, v in args if k != CUT], (CUT, "1")]).encode("latin-1")
    return {**scope, "query_string": query}


@hookimpl(hookwrapper=True)
def handle_exception(
    datasette: Any, request: Any, exception: Exception
) -> Generator[None, Any, None]:
    """A 404 or a query that could not run, answered by showbot's own page: at once,
    without the traceback (with every local) Datasette prints for each, and never with
    the SQL. Anything else (a bug) is left to Datasette, which logs it."""
    outcome = yield
    if _context(datasette) is None:
        return
    if isinstance(exception, Base400):
        status, message = exception.status, "There is no such page here."
        if isinstance(exception, Missing) or status != 404:
            message = str(exception.args[0]) if exception.args else message
    elif exception.__class__.__name__ == "DatasetteError":  # a canned query that failed
        status = getattr(exception, "status", 400) or 400
        title = getattr(exception, "title", None)
        log.warning("web_query_failed", path=request.path, problem=title)
        message = (
            "That search took too long and was stopped: try fewer or rarer words."
            if title == "SQL Interrupted"
            else "That could not be read: try plain words."
        )
    else:
        return
    for result in outcome.get_result():  # Datasette's own answers, never awaited
        if inspect.iscoroutine(result):
            result.close()
    outcome.force_result([_error_page(datasette, request, status, message)])


async def _error_page(datasette: Any, request: Any, status: int, message: str) -> Response:
    if request.path.endswith(".json"):
        return Response.json({"ok": False, "error": message, "status": status}, status=status)
    context = {"status": status, "message": message}
    html = await datasette.render_template("showbot_error.html", context, request=request)
    return Response.html(html, status=status)


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
def extra_template_vars(datasette: Any, view_name: str, request: Any) -> Any:
    ctx = _context(datasette)
    if ctx is None:
        return {}
    found = {
        "showbot_scope": ctx.guild_id,
        "showbot_kinds": KINDS,
        "showbot_page": PAGE,
        "showbot_sources_page": SOURCES_PAGE,
        "showbot_cited": CITED,
        "showbot_cut": bool(request is not None and request.args.get(CUT)),
        "showbot_max_words": MAX_WORDS,
    }
    if view_name != "index":
        return found

    async def with_shows() -> dict[str, Any]:
        # The home page lists the shows, with their facts (seasons' included), as the
        # Subjects page does: the same canned query.
        sql = canned_queries(ctx.guild_id)["subjects"]["sql"]
        db = datasette.get_database("showbot")
        rows = (await db.execute(sql, {"kind": "show", "after": ""})).rows
        return {**found, "showbot_shows": [dict(r) for r in rows]}

    return with_shows


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    if _context(datasette) is None:
        return []
    return [
        # Any id, so that /subject/abc is "no such subject", not Datasette's "Database
        # not found" (it would read "subject" as a database's name).
        (r"^/subject/(?P<id>[^/]*)$", subject_page),
        (r"^/fact/(?P<id>[^/]*)$", fact_page),
        (r"^/search$", search_page),
    ]


async def _allowed(datasette: Any, request: Any) -> Any:
    if not await datasette.permission_allowed(request.actor, "view-instance", default=True):
        raise Forbidden("view-instance")
    return _context(datasette)


async def _page(datasette: Any, request: Any, template: str, **context: Any) -> Response:
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html)


def _id(request: Any, what: str) -> int:
    text = request.url_vars["id"]
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise Missing(f"There is no such {what} here: a {what}'s address is /{what}/ and its id.")
    return int(text)


async def subject_page(request: Any, datasette: Any) -> Response:
    ctx = await _allowed(datasette, request)
    found = await asyncio.to_thread(ctx.reader.subject, _id(request, "subject"))
    if found is None:
        raise Missing("There is no such subject here.")
    if isinstance(found, int):  # merged into another subject
        return Response.redirect(datasette.urls.path(f"/subject/{found}"))
    return await _page(datasette, request, "showbot_subject.html", page=found)


async def fact_page(request: Any, datasette: Any) -> Response:
    ctx = await _allowed(datasette, request)
    found = await asyncio.to_thread(ctx.reader.fact, _id(request, "fact"))
    if found is None:
        raise Missing("There is no such fact here.")
    return await _page(datasette, request, "showbot_fact.html", page=found)


async def search_page(request: Any, datasette: Any) -> Response:
    ctx = await _allowed(datasette, request)
    q = bounded(request.args.get("q", ""))  # as _bound_search left it, whatever calls this
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
