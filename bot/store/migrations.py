"""Schema migrations, applied in order on every open (sqlite-utils' Migrations).

Add new migrations at the end; never edit one that has shipped.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from bot.errors import SchemaTooNewError, ShowbotError

migrations = Migrations("showbot")

# Columns every curated table shares: a stable key for import/seeding, the server it
# belongs to (NULL = global), soft deletion and an optimistic-locking version.
_COMMON = """
    key TEXT,
    guild_id INTEGER,
    deleted_at TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    created_by INTEGER,
    updated_at TEXT NOT NULL,
    updated_by INTEGER
"""


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        f"""
        CREATE TABLE entity (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN
                ('show','season','character','person','organisation','thing','event')),
            show_id INTEGER REFERENCES entity(id),
            season INTEGER,
            merged_into INTEGER REFERENCES entity(id),
            {_COMMON}
        );
        CREATE TABLE alias (
            id INTEGER PRIMARY KEY,
            entity_id INTEGER NOT NULL REFERENCES entity(id),
            name TEXT NOT NULL,
            {_COMMON}
        );
        CREATE TABLE source (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            publisher TEXT,
            url TEXT,
            date TEXT,
            notes TEXT,
            {_COMMON}
        );
        CREATE TABLE fact (
            id INTEGER PRIMARY KEY,
            entity_id INTEGER NOT NULL REFERENCES entity(id),
            kind TEXT NOT NULL CHECK (kind IN ('when','who','what')),
            text TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('confirmed','reported','rumor','prediction')),
            spoiler INTEGER NOT NULL DEFAULT 0,
            date TEXT,
            source_id INTEGER REFERENCES source(id),
            quote TEXT,
            overrides INTEGER REFERENCES fact(id),
            hides INTEGER NOT NULL DEFAULT 0,
            {_COMMON}
        );
        -- Append-only audit log: history, undo and other processes' catch-up read it.
        CREATE TABLE change (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor_id INTEGER,
            actor_name TEXT,
            guild_id INTEGER,
            action TEXT NOT NULL,
            table_name TEXT NOT NULL,
            row_id INTEGER NOT NULL,
            version INTEGER,
            before TEXT,
            after TEXT,
            batch INTEGER,
            undone_by INTEGER
        );
        CREATE TABLE question (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            guild_id INTEGER,
            channel_id INTEGER,
            user_id INTEGER,
            text TEXT NOT NULL,
            intent TEXT,
            subject TEXT,
            entity_id INTEGER,
            score REAL,
            answered INTEGER NOT NULL,
            latency_ms REAL
        );
        CREATE TABLE seed_file (
            name TEXT PRIMARY KEY,
            version INTEGER NOT NULL,
            applied_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX entity_key ON entity (coalesce(guild_id, 0), key);
        CREATE UNIQUE INDEX alias_key ON alias (coalesce(guild_id, 0), key);
        CREATE UNIQUE INDEX source_key ON source (coalesce(guild_id, 0), key);
        CREATE UNIQUE INDEX fact_key ON fact (coalesce(guild_id, 0), key);
        CREATE INDEX fact_entity ON fact (entity_id);
        CREATE INDEX alias_entity ON alias (entity_id);
        CREATE INDEX entity_show ON entity (show_id, season);
        CREATE INDEX change_row ON change (table_name, row_id);
        CREATE INDEX change_actor ON change (actor_id, guild_id);
        CREATE INDEX change_batch ON change (batch);
        CREATE INDEX question_gaps ON question (answered, subject);
        CREATE INDEX question_at ON question (at);
        """
    )


@migrations()
def m002_command_sync(db: Database) -> None:
    # The slash-command set last accepted by Discord per scope ("global" or a guild id):
    # a start only publishes a scope whose payload hash differs.
    db.execute(
        "CREATE TABLE command_sync ("
        " scope TEXT PRIMARY KEY, hash TEXT NOT NULL, synced_at TEXT NOT NULL)"
    )


@migrations()
def m003_fact_search(db: Database) -> None:
    # Free questions search facts by their words (FTS5) and meaning (stored vectors);
    # an existing database gets every live fact's document here, once.
    from bot.store import factindex

    factindex.create(db)
    factindex.FactIndex(db).rebuild()
    # Which path answered a question (subject or facts), for !gaps and !stats.
    db.execute("ALTER TABLE question ADD COLUMN via TEXT")


@migrations()
def m004_synonyms(db: Database) -> None:
    # Synonym groups a server's moderators add (the shipped list is bot/data/synonyms.txt).
    db.executescript(
        f"""
        CREATE TABLE synonym (
            id INTEGER PRIMARY KEY,
            words TEXT NOT NULL,
            {_COMMON}
        );
        CREATE INDEX synonym_guild ON synonym (guild_id);
        """
    )


@migrations()
def m005_search_indexes(db: Database) -> None:
    # Measured at 100k facts: without them a free question scanned fact_doc and fact.
    from bot.store import factindex

    factindex.create_indexes(db)


@migrations()
def m006_fts_rank(db: Database) -> None:
    # FTS5 ranks by this itself with ORDER BY rank, ~40% faster than ORDER BY bm25(...):
    # names weigh double the text.
    db.execute("INSERT INTO fact_doc_fts(fact_doc_fts, rank) VALUES ('rank', 'bm25(1.0, 2.0)')")


@migrations()
def m007_privacy(db: Database) -> None:
    # Keep less (issue 14): the question log forgets who asked and where; nothing read them.
    db.table("question").transform(drop={"user_id", "channel_id"})
    db.executescript(
        """
        -- Questions older than [privacy] question_days, folded into counts when pruned:
        -- what !stats and !gaps read besides the recent rows. The subject is kept only
        -- for unanswered questions (a gap), never the question's text.
        CREATE TABLE question_tally (
            guild_id INTEGER,
            day TEXT NOT NULL,
            answered INTEGER NOT NULL,
            via TEXT,
            entity_id INTEGER,
            subject TEXT,
            n INTEGER NOT NULL,
            last TEXT NOT NULL
        );
        CREATE UNIQUE INDEX question_tally_key ON question_tally (coalesce(guild_id, 0), day,
            answered, coalesce(via, ''), coalesce(entity_id, 0), coalesce(subject, ''));
        -- Servers the bot was removed from: their data is forgotten after a grace period
        -- ([privacy] forget_after_days) unless the bot is added back meanwhile.
        CREATE TABLE guild_departure (guild_id INTEGER PRIMARY KEY, left_at TEXT NOT NULL);
        -- Per-database secrets, e.g. the key of forgotten moderators' pseudonyms.
        CREATE TABLE secret (name TEXT PRIMARY KEY, value TEXT NOT NULL);
        """
    )
    import secrets

    db.execute("INSERT INTO secret (name, value) VALUES ('pseudonym', ?)", [secrets.token_hex(32)])


@migrations()
def m008_modlog(db: Database) -> None:
    # A server's own settings (not curated facts: no change log), e.g. the channel its
    # moderators' changes are posted to (`!modlog channel`). No user id is kept here.
    db.execute(
        "CREATE TABLE guild_setting ("
        " guild_id INTEGER PRIMARY KEY, modlog_channel_id INTEGER, updated_at TEXT NOT NULL)"
    )


@migrations()
def m009_outcomes(db: Database) -> None:
    # What became of a rumor or prediction (`!fact resolve`): its outcome, the moderator's
    # note and when it was resolved; ``unspoiled`` is the moderator's say-so that one which
    # came true need not stay behind a spoiler tag (speculation is tagged otherwise).
    for column in (
        "outcome TEXT CHECK (outcome IN ('came true', 'busted'))",
        "outcome_note TEXT",
        "outcome_at TEXT",
        "unspoiled INTEGER NOT NULL DEFAULT 0",
    ):
        db.execute(f"ALTER TABLE fact ADD COLUMN {column}")


@migrations()
def m010_follows(db: Database) -> None:
    # Fans follow subjects (`!follow`); a change to a followed subject's facts is written
    # to the outbox in the change's own transaction, then posted by one drainer
    # (bot/updates/drainer.py). Data about a member: `!forget me` deletes their follows.
    db.executescript(
        """
        CREATE TABLE follow (
            id INTEGER PRIMARY KEY,
            guild_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            entity_id INTEGER NOT NULL,
            dm INTEGER NOT NULL DEFAULT 0,
            dm_blocked INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX follow_member ON follow (guild_id, user_id, entity_id);
        CREATE INDEX follow_entity ON follow (entity_id, guild_id);
        -- One row per change a server's followers hear about (no user id); bundle_id is
        -- set once the drainer has put it into a post.
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            guild_id INTEGER NOT NULL,
            entity_id INTEGER NOT NULL,
            fact_id INTEGER NOT NULL,
            what TEXT NOT NULL CHECK (what IN ('added', 'changed', 'removed', 'restored')),
            fields TEXT NOT NULL,
            bundle_id INTEGER
        );
        CREATE INDEX outbox_bundle ON outbox (bundle_id);
        -- The changes about one subject in one server within [updates] window_seconds:
        -- one post (edited as changes are folded in), version counting the changes.
        CREATE TABLE update_bundle (
            id INTEGER PRIMARY KEY,
            guild_id INTEGER NOT NULL,
            entity_id INTEGER NOT NULL,
            opened_at TEXT NOT NULL,
            closes_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX update_bundle_open ON update_bundle (guild_id, entity_id, closes_at);
        -- Where a bundle goes: the updates channel, or one opted-in follower's DMs. Claimed
        -- with a lease (claimed_by/claimed_until) so two processes never both send it; the
        -- nonce makes Discord drop a repeated create (a crash after the post).
        CREATE TABLE update_delivery (
            id INTEGER PRIMARY KEY,
            bundle_id INTEGER NOT NULL REFERENCES update_bundle(id),
            channel_id INTEGER,
            user_id INTEGER,
            message_id INTEGER,
            nonce TEXT NOT NULL,
            sent_version INTEGER NOT NULL DEFAULT 0,
            claimed_by TEXT,
            claimed_until TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_try TEXT NOT NULL,
            ended TEXT,
            -- 1 while the message lacks the bundle's latest version: what the drainer
            -- looks for (a partial index, so sent ones kept for a week cost nothing).
            pending INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX update_delivery_due ON update_delivery (next_try)
            WHERE pending = 1 AND ended IS NULL;
        CREATE INDEX update_delivery_bundle ON update_delivery (bundle_id);
        ALTER TABLE guild_setting ADD COLUMN updates_channel_id INTEGER;
        """
    )


# Tables whose rows another process or table refers to by id: forgetting a server
# deletes some of their newest rows, and SQLite would hand those ids out again
# (max(id) + 1): a running process's change-log position, its cached subjects, a follow
# or a delivery's nonce would then name a different row.
NEVER_REUSED = (
    "entity",
    "alias",
    "source",
    "fact",
    "change",
    "synonym",
    "follow",
    "outbox",
    "update_bundle",
    "update_delivery",
)


@migrations()
def m011_ids_never_reused(db: Database) -> None:
    # AUTOINCREMENT cannot be added in place: each table is rebuilt (SQLite's documented
    # procedure, with foreign keys off: see apply), its ids and indexes kept.
    for table in NEVER_REUSED:
        _rebuild_autoincrement(db, table)


def _rebuild_autoincrement(db: Database, table: str) -> None:
    (sql,) = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
    ).fetchone()
    if "AUTOINCREMENT" in sql.upper():
        return
    head, body = sql.split("(", 1)
    assert head.strip().strip('"').endswith(table), sql
    primary = "id INTEGER PRIMARY KEY"
    assert primary in body, sql
    body = body.replace(primary, f"{primary} AUTOINCREMENT", 1)
    indexes = [
        r[0]
        for r in db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
            " AND sql IS NOT NULL",
            [table],
        )
    ]
    db.execute(f'CREATE TABLE "{table}__new" ({body}')
    db.execute(f'INSERT INTO "{table}__new" SELECT * FROM "{table}"')
    db.execute(f'DROP TABLE "{table}"')
    db.execute(f'ALTER TABLE "{table}__new" RENAME TO "{table}"')
    for index in indexes:
        db.execute(index)


@migrations()
def m012_fact_mentions(db: Database) -> None:
    # Which subjects each fact names (bot/store/mentions.py): reverse questions ("what
    # films did X act in") reach the facts that name X. Built once for what exists.
    from bot.store import mentions

    mentions.create(db)
    mentions.Mentions(db).rebuild()


@migrations()
def m013_mention_spans(db: Database) -> None:
    # The links are rebuilt with the rules of bot/store/mentions.grams: a possessive names
    # its subject ("June Brown's death"); a one-word name only as a whole name-like span
    # ("A Single Girl" does not name a film called Girl).
    from bot.store import mentions

    mentions.Mentions(db).rebuild()


@migrations()
def m014_phrasings(db: Database) -> None:
    # Questions moderators taught as phrasings of a fact (`!fact teach`), per server (NULL:
    # global), with their own search documents (bot/store/phrasings.py). AUTOINCREMENT
    # from the start: ids never reused (see m011).
    from bot.store import phrasings

    db.executescript(
        f"""
        CREATE TABLE phrasing (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            fact_id INTEGER NOT NULL REFERENCES fact(id),
            text TEXT NOT NULL,
            {_COMMON}
        );
        CREATE UNIQUE INDEX phrasing_key ON phrasing (coalesce(guild_id, 0), key);
        CREATE INDEX phrasing_fact ON phrasing (fact_id);
        CREATE INDEX phrasing_guild ON phrasing (guild_id);
        """
    )
    phrasings.create(db)


@migrations()
def m015_follow_server_names(db: Database) -> None:
    # The server's name kept with its follows: a DM sent by a process that doesn't see the
    # server (another shard's, or after the bot left) names it all the same. Follows of
    # subjects merged away before merges moved them now follow the surviving subject.
    db.execute("ALTER TABLE follow ADD COLUMN guild_name TEXT")
    same = (  # the member's follow of the other subject, in the same server
        "SELECT {col} FROM follow o WHERE o.entity_id = ? AND o.guild_id = follow.guild_id"
        " AND o.user_id = follow.user_id"
    )
    while True:  # a chain of merges (a into b, b into c) takes one pass per link
        stale = db.execute(
            "SELECT DISTINCT f.entity_id, e.merged_into FROM follow f"
            " JOIN entity e ON e.id = f.entity_id WHERE e.merged_into IS NOT NULL"
        ).fetchall()
        if not stale:
            break
        for old, new in stale:  # as Follows.merged does (not imported: no import cycle)
            db.execute(
                f"UPDATE follow SET dm = max(dm, ({same.format(col='o.dm')}))"
                f" WHERE entity_id = ? AND EXISTS ({same.format(col='1')})",
                [old, new, old],
            )
            db.execute(
                f"DELETE FROM follow WHERE entity_id = ? AND EXISTS ({same.format(col='1')})",
                [old, new],
            )
            db.execute("UPDATE follow SET entity_id = ? WHERE entity_id = ?", [new, old])


@migrations()
def m016_mention_glue(db: Database) -> None:
    # The links are rebuilt with bot/store/mentions.grams' rule for names of one word
    # besides glue words: only as a whole name-like span ("The Girl" is not named by
    # "Dr. Goldfoot and the Girl Bombs").
    from bot.store import mentions

    mentions.Mentions(db).rebuild()


@migrations()
def m017_mention_outermost(db: Database) -> None:
    # The links are rebuilt with bot/store/mentions.outermost: a name held only inside a
    # longer known name written as a title is not named ("My Stepmother Is an Alien"
    # does not name Alien). This session's new glue words ("type", "recommend") change
    # which word runs may be names too: rebuilt here as well.
    from bot.store import mentions

    mentions.Mentions(db).rebuild()


@migrations()
def m018_fact_doc_servers(db: Database) -> None:
    # The free path reads each searched word's documents from FTS5 alone and their
    # servers from here, once per change (bot/store/factindex.FactIndex._servers).
    from bot.store import factindex

    factindex.create_server_index(db)


def require_current(db: Database) -> None:
    """Refuse a database that needs migrating, for readers that may not write."""
    _refuse_newer(db)
    if not db.table("_sqlite_migrations").exists() or migrations.pending(db):
        raise ShowbotError(
            "this database is older than this showbot: start the bot or run"
            " `python -m bot ask` on it once to upgrade it"
        )


def _refuse_newer(db: Database) -> None:
    known = {m.name for m in migrations._migrations}
    unknown = [m.name for m in migrations.applied(db) if m.name not in known]
    if unknown:
        raise SchemaTooNewError(
            f"this database has schema changes this showbot does not know ({', '.join(unknown)}); "
            "upgrade showbot or use another database"
        )


def apply(db: Database) -> None:
    """Bring ``db`` up to date; refuse a database written by a newer showbot."""
    _refuse_newer(db)
    if db.table("_sqlite_migrations").exists() and not migrations.pending(db):
        return  # the usual case: no write lock needed (a read-only database opens too)
    # Shards may open a fresh database at the same moment: look again and migrate under
    # one write lock (BEGIN IMMEDIATE waits out the busy timeout), so only one migrates
    # and the others find nothing pending. sqlite-utils nests its own transactions.
    conn = db.conn
    # Rebuilding a table that others reference (m011) needs foreign keys off, which
    # SQLite allows only outside a transaction; they are checked whole before COMMIT.
    enforced = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("BEGIN IMMEDIATE")
    try:
        migrations.apply(db)
        if enforced and conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
            raise ShowbotError("a migration left rows pointing at missing rows; nothing changed")
        conn.commit()
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise
    finally:
        conn.execute(f"PRAGMA foreign_keys = {'ON' if enforced else 'OFF'}")
