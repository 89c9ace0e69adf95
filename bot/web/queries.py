"""The web view's canned queries: the only SQL Datasette runs (arbitrary SQL is off).

The scope (global facts, or one server's as it sees them) is fixed when the server
starts and written into the SQL as a number, never taken from the URL: a visitor can't
ask for another server's facts. No query selects a user id (``created_by``,
``updated_by``, ``actor_id``) or, for questions, a server id: what they return can be
shown as it is, as HTML, JSON or CSV.
"""

from __future__ import annotations

from typing import Any

# The columns fact_of() (bot/web/pages.py) turns into a Fact: a fact's own and its
# source's with an s_ prefix, as Store's reads name them.
_FACT_COLUMNS = (
    "fact.id, fact.entity_id, fact.kind, fact.text, fact.status, fact.spoiler, fact.date,"
    " fact.quote, fact.overrides, fact.hides, fact.outcome, fact.outcome_note,"
    " fact.outcome_at, fact.unspoiled, source.id AS s_id, source.title AS s_title,"
    " source.publisher AS s_publisher, source.url AS s_url, source.date AS s_date,"
    " source.notes AS s_notes"
)


PAGE = 200  # subjects a page
SOURCES_PAGE = 20  # sources a page
CITED = 5  # facts shown under each source on the list (all on its own page)
KINDS = ("show", "character", "person", "organisation", "thing", "event")


def _guild(guild_id: int | None) -> int | None:
    return None if guild_id is None else int(guild_id)  # a number, never text


def source_scope(guild_id: int | None, t: str = "source") -> str:
    """Live rows the scope sees: global ones, and the server's own."""
    g = _guild(guild_id)
    mine = f" OR {t}.guild_id = {g}" if g is not None else ""
    return f"{t}.deleted_at IS NULL AND ({t}.guild_id IS NULL{mine})"


def entity_scope(guild_id: int | None, t: str = "entity") -> str:
    """Live subjects the scope sees (a merged-away one is not a subject any more)."""
    return f"{source_scope(guild_id, t)} AND {t}.merged_into IS NULL"


def fact_scope(guild_id: int | None, t: str = "fact") -> str:
    """Live facts as the scope sees them: the global ones, or for a server also its own,
    with a global fact it overrides replaced by its version and one it hides left out
    (the rule of bot.store.reads's ``_as_seen``, which a test holds these to)."""
    g = _guild(guild_id)
    if g is None:
        return f"{t}.deleted_at IS NULL AND {t}.guild_id IS NULL"
    return (
        f"{t}.deleted_at IS NULL AND {t}.hides = 0 AND ({t}.guild_id IS NULL OR {t}.guild_id = {g})"
        f" AND NOT EXISTS (SELECT 1 FROM fact AS o WHERE o.overrides = {t}.id"
        f" AND o.guild_id = {g} AND o.deleted_at IS NULL)"
    )


def question_scope(guild_id: int | None, t: str = "q") -> str:
    """A server's questions, or (the global view) only those asked outside any server (the
    CLI, DMs): like its facts, the global view shows no server's own words."""
    g = _guild(guild_id)
    return f"{t}.guild_id IS NULL" if g is None else f"{t}.guild_id = {g}"


# Recent questions and the daily tallies older ones are folded into (bot/store/questionlog.py).
_QUESTIONS = (
    "(SELECT guild_id, substr(at, 1, 10) AS day, answered, text, subject, 1 AS n, at"
    " FROM question UNION ALL SELECT guild_id, day, answered, NULL, subject, n, last"
    " FROM question_tally)"
)


def canned_queries(guild_id: int | None) -> dict[str, dict[str, Any]]:
    """Datasette's ``queries`` metadata for the showbot database, for one scope."""
    facts, subjects = fact_scope(guild_id), entity_scope(guild_id)
    seasons = entity_scope(guild_id, "season")
    shows = entity_scope(guild_id, "show")
    questions = question_scope(guild_id)
    return {
        "subjects": {
            "title": "Subjects",
            "description": "Shows with their seasons, characters, people, organisations and the"
            " rest, each with how many facts it has (a show: with its seasons').",
            # One kind a page (shows first), by name, PAGE at a time: ?kind=&after=<name>.
            "sql": (
                "SELECT entity.id, entity.name, entity.kind, entity.season,"
                " show.id AS show_id, show.name AS show_name,"
                # A show's facts are its own and its seasons'.
                " (SELECT count(*) FROM fact WHERE (fact.entity_id = entity.id OR"
                " fact.entity_id IN (SELECT season.id FROM entity AS season WHERE"
                f" season.show_id = entity.id AND season.kind = 'season' AND {seasons}))"
                f" AND {facts}) AS facts,"
                f" (SELECT group_concat(season.id || ':' || season.season, ',') FROM"
                f" (SELECT * FROM entity AS season WHERE season.show_id = entity.id AND"
                f" season.kind = 'season' AND {seasons} ORDER BY season.season) AS season)"
                " AS seasons"
                f" FROM entity LEFT JOIN entity AS show ON show.id = entity.show_id AND {shows}"
                f" WHERE {subjects} AND entity.kind = coalesce(nullif(:kind, ''), 'show')"
                " AND entity.kind != 'season' AND entity.name > :after"
                f" ORDER BY entity.name LIMIT {PAGE}"
            ),
        },
        "sources": {
            "title": "Sources",
            "description": "Where the facts come from, each with the facts citing it.",
            # SOURCES_PAGE sources a page, newest first (?after=<source id>), each with its
            # first CITED facts and how many cite it; ?source=<id>: one source, every fact.
            "sql": (
                "WITH page AS (SELECT source.id FROM source WHERE"
                f" {source_scope(guild_id)} AND CASE WHEN :source != ''"
                " THEN source.id = CAST(:source AS INTEGER)"
                " ELSE source.id < coalesce(CAST(nullif(:after, '') AS INTEGER), 9e18) END"
                f" ORDER BY source.id DESC LIMIT {SOURCES_PAGE}),"
                " cited AS (SELECT fact.*, row_number() OVER (PARTITION BY fact.source_id"
                " ORDER BY fact.id) AS nth, count(*) OVER (PARTITION BY fact.source_id)"
                f" AS citing FROM fact WHERE fact.source_id IN (SELECT id FROM page) AND {facts})"
                " SELECT source.id AS source_id, source.title, source.publisher, source.url,"
                " source.date AS source_date, coalesce(fact.citing, 0) AS citing,"
                f" entity.id AS subject_id, entity.name AS subject, {_FACT_COLUMNS}"
                " FROM source JOIN page ON page.id = source.id"
                " LEFT JOIN cited AS fact ON fact.source_id = source.id"
                f" AND (fact.nth <= {CITED} OR :source != '')"
                f" LEFT JOIN entity ON entity.id = fact.entity_id AND {subjects}"
                " ORDER BY source.id DESC, fact.id"
            ),
        },
        "search_facts": {
            "title": "Search the facts",
            "description": "Facts whose words match, best first (SQLite full-text search).",
            "sql": (
                "SELECT entity.id AS subject_id, entity.name AS subject, "
                f"{_FACT_COLUMNS} FROM fact_doc_fts"
                " JOIN fact ON fact.id = fact_doc_fts.rowid"  # fact_doc's rowid is the fact id
                " JOIN entity ON entity.id = fact.entity_id"
                " LEFT JOIN source ON source.id = fact.source_id"
                f" WHERE fact_doc_fts MATCH escape_fts(:q) AND {facts} AND {subjects}"
                " ORDER BY fact_doc_fts.rank LIMIT 50"
            ),
        },
        "gaps": {
            "title": "Unanswered questions",
            "description": "What fans asked most that showbot could not answer (the words"
            " only: who asked, and where, is not kept).",
            "sql": (
                "SELECT lower(trim(text)) AS question, count(*) AS times, max(at) AS last"
                f" FROM question AS q WHERE answered = 0 AND {questions}"
                " GROUP BY lower(trim(text)) ORDER BY times DESC, last DESC LIMIT 50"
            ),
        },
        "questions_per_day": {
            "title": "Questions per day",
            "description": "How many questions a day, and how many got an answer.",
            "sql": (
                # Every one of the last 30 days, a quiet one too (0), so the chart is a calendar.
                "WITH RECURSIVE days(day) AS (SELECT date('now', '-29 days')"
                " UNION ALL SELECT date(day, '+1 day') FROM days WHERE day < date('now'))"
                " SELECT days.day, coalesce(sum(q.n), 0) AS questions,"
                " coalesce(sum(q.answered * q.n), 0) AS answered,"
                " round(100.0 * sum(q.answered * q.n) / sum(q.n), 1) AS answer_rate"
                f" FROM days LEFT JOIN {_QUESTIONS} AS q ON q.day = days.day AND {questions}"
                " GROUP BY days.day ORDER BY days.day"
            ),
        },
    }
