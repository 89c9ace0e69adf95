"""Which subjects a fact names: ``fact_mention`` links a fact to every known subject its
text or quote names (by an exact name or alias, whole words), besides its own subject.

A question about a subject then reaches the facts that name it: an actor's films ("Diana
Rigg stars in ..." is a fact of the film), a network's shows, who paid a bill. Reverse
questions are the common case in an imported catalogue.

Kept in step like the search documents (``bot.store.factindex``): every curated write
notes what it touches (:meth:`Mentions.touch`) and :meth:`Mentions.flush` rewrites the
links in the same transaction, just before COMMIT. ``mention_name`` holds the normalised
names of live subjects (their names and aliases) so a fact's words are looked up by index,
and a name that changes finds the facts holding it through the full-text index.

Scope: a global fact is linked through global subjects and global aliases only; a
server's fact also through that server's own subjects and aliases. A name made only of
function words or shorter than three letters links nothing ("Will" would be every "will").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from bot.language.text import FUNCTION_WORDS, normalize

if TYPE_CHECKING:
    from sqlite_utils import Database

MAX_NAME_WORDS = 8  # longer names are not looked for inside a fact's words
MIN_NAME_CHARS = 3
_BATCH = 500


def create(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE mention_name (
            norm TEXT NOT NULL,
            entity_id INTEGER NOT NULL,
            guild_id INTEGER,
            origin TEXT NOT NULL  -- 'entity:<id>' or 'alias:<id>': the row it comes from
        );
        CREATE INDEX mention_name_norm ON mention_name (norm);
        CREATE UNIQUE INDEX mention_name_origin ON mention_name (origin);
        CREATE TABLE fact_mention (
            fact_id INTEGER NOT NULL,
            entity_id INTEGER NOT NULL,
            PRIMARY KEY (fact_id, entity_id)
        ) WITHOUT ROWID;
        CREATE INDEX fact_mention_entity ON fact_mention (entity_id, fact_id);
        """
    )


def usable(norm: str) -> bool:
    """Whether a normalised name can stand for its subject inside a fact's words."""
    words = norm.split()
    if not words or len(words) > MAX_NAME_WORDS or len(norm) < MIN_NAME_CHARS:
        return False
    return not all(w in FUNCTION_WORDS or w.isdigit() for w in words)


def grams(text: str) -> set[str]:
    """The names ``text`` may hold, normalised: every run of 2 to MAX_NAME_WORDS
    consecutive words, and each name-like span as a whole (:func:`spans`); each also
    without a possessive's "s" ("June Brown's death" names June Brown: normalising drops
    the apostrophe, leaving "browns").

    A one-word name must be a whole span: "Girl" is not named by "A Single Girl", nor
    "Up" by "turn it up", while "Nuke" is by "Nuke is a violent villain". So must a name
    of one word besides glue words: "The Girl" is not named by "Dr. Goldfoot and the
    Girl Bombs"."""
    words = normalize(text).split()
    content = [0 if w in FUNCTION_WORDS else 1 for w in words]
    found = set()
    for i in range(len(words)):
        # The gram's words that are not function words, counted as it grows by one.
        count, gram = content[i], words[i]
        for end in range(i + 1, min(i + MAX_NAME_WORDS, len(words))):
            count += content[end]
            gram += " " + words[end]
            if count > 1:
                found.add(gram)
    found |= spans(text)
    return found | {g[:-1] for g in found if g.endswith("s") and len(g.rsplit(" ", 1)[-1]) > 3}


def outermost(names: set[str], text: str) -> set[str]:
    """The normalised ``names`` found in ``text`` that it does not hold only inside a
    longer known name written as a title (capitals at both ends): "My Stepmother Is an
    Alien was directed by ..." names the film, not one called Alien (a dictionary
    tagger's longest match), while "directed by John Ford" names John Ford whatever film
    is called that, and "Jessica Jones season 2" the show as well as its season. A name
    whose words aren't found as written is kept."""
    if len(names) < 2:
        return names
    outers = [o for o in names if any(len(n) < len(o) and f" {n} " in f" {o} " for n in names)]
    if not outers:
        return names  # the common case: no name inside another, no text searched
    written = {name: list(_written(name).finditer(text)) for name in names}
    titles = [
        m.span()
        for outer in outers
        for m in written[outer]
        if m.group()[:1].isupper() and m.group().split()[-1][:1].isupper()
    ]
    if not titles:
        return names

    def inside(lo: int, hi: int) -> bool:
        return any(a <= lo and hi <= b and (a, b) != (lo, hi) for a, b in titles)

    return {
        name
        for name, found in written.items()
        if not found or not all(inside(*m.span()) for m in found)
    }


@lru_cache(maxsize=1 << 14)  # a rebuild looks for the same names in many facts
def _written(norm: str) -> re.Pattern[str]:
    """A normalised name's words as written in a text, whatever the case and punctuation."""
    words = r"[\W_]+".join(re.escape(w) for w in norm.split())
    return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)


# Lowercase words that join the capitalised words of one title ("House of Horrors" does
# not name a film called House). Few: "Levi in the Japanese version" is two names.
_JOINERS = frozenset("of on de la le du da von van".split())
_ARTICLES = frozenset(("the", "a", "an"))
_QUOTED = re.compile(r"[\"“”]([^\"“”]{1,80})[\"“”]")
_BREAKS = re.compile(r"[,;:!?()\[\]\"“”/]|\.(?:\s|$)")


def spans(text: str) -> set[str]:
    """The name-like spans of a text, normalised: each quoted phrase, and each run of
    capitalised words (or digits after one), lowercase joiners allowed inside, with and
    without a leading article ("The Final Season", "final season"), and with the article
    before it ("the Squad")."""
    out = {normalize(q) for q in _QUOTED.findall(text)}
    for clause in _BREAKS.split(text):
        words = clause.split()
        run: list[str] = []
        start = 0  # where the run began
        for i, word in enumerate([*words, ""]):
            # "of the" inside a title joins it too: "The Phantom of the Opera" is one span.
            joins = run and (
                word[:1].isdigit()
                or word in _JOINERS
                or (word in _ARTICLES and run[-1] in _JOINERS)
            )
            if word[:1].isupper() or joins:
                start = i if not run else start
                run.append(word)
                continue
            while run and (run[-1] in _JOINERS or run[-1] in _ARTICLES):
                run.pop()
            if run:
                out.add(normalize(" ".join(run)))
                before = words[start - 1] if start > 0 else ""
                if before.lower() in _ARTICLES:  # "with the Squad" names The Squad
                    out.add(normalize(f"{before} {' '.join(run)}"))
                # A run that began the clause: its first capital may be the sentence's.
                if run[0].lower() in _ARTICLES or start == 0:
                    rest = run[1:]
                    while rest and (rest[0] in _JOINERS or rest[0] in _ARTICLES):
                        rest = rest[1:]
                    out.add(normalize(" ".join(rest)))
            run = []
    return {s for s in out if s}


class Mentions:
    """Keeps ``mention_name`` and ``fact_mention`` in step with the curated tables."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._facts: set[int] = set()
        self._names: set[tuple[str, int]] = set()  # ("entity" | "alias", id)
        self._words: set[str] = set()  # names (old and new) whose facts are looked again

    # ------------------------------------------------------------ keeping in step

    def touch(self, table: str, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        if table == "fact":
            self._facts.add(int(after["id"]))
        elif table in ("entity", "alias"):
            self._names.add((table, int(after["id"])))
            for row in (before, after):
                if row is not None:
                    self._words.add(normalize(str(row["name"])))
            if table == "entity" and before is not None:
                # A subject removed, merged or moved: the facts that named it look again.
                self._facts.update(self.facts_naming_ids([int(after["id"])]))

    def discard(self) -> None:
        self._facts.clear()
        self._names.clear()
        self._words.clear()

    def flush(self) -> int:
        """Apply what was touched: names first, then every fact they may concern."""
        names, self._names = sorted(self._names), set()
        words, self._words = self._words, set()
        facts, self._facts = self._facts, set()
        for table, row_id in names:
            self._refresh_name(table, row_id)
        facts |= self._facts_holding(w for w in words if usable(w))
        ordered = sorted(facts)
        for start in range(0, len(ordered), _BATCH):
            self._link(ordered[start : start + _BATCH])
        return len(ordered)

    def rebuild(self) -> int:
        """Every name and every link from scratch (a migration; the property test's truth)."""
        self.db.execute("DELETE FROM mention_name")
        self.db.execute("DELETE FROM fact_mention")
        for table in ("entity", "alias"):
            for (row_id,) in self.db.execute(f"SELECT id FROM {table}").fetchall():
                self._refresh_name(table, int(row_id))
        ids = [int(r[0]) for r in self.db.execute("SELECT id FROM fact").fetchall()]
        for start in range(0, len(ids), _BATCH):
            self._link(ids[start : start + _BATCH])
        return len(ids)

    def purge(self, guild_id: int) -> None:
        """A server's rows are being deleted: their names and links go with them."""
        self.db.execute(
            "DELETE FROM fact_mention WHERE fact_id IN (SELECT id FROM fact WHERE guild_id = ?)"
            " OR entity_id IN (SELECT id FROM entity WHERE guild_id = ?)",
            [guild_id, guild_id],
        )
        self.db.execute("DELETE FROM mention_name WHERE guild_id = ?", [guild_id])
        self.db.execute(
            "DELETE FROM mention_name WHERE entity_id IN (SELECT id FROM entity"
            " WHERE guild_id = ?)",
            [guild_id],
        )

    def _refresh_name(self, table: str, row_id: int) -> None:
        origin = f"{table}:{row_id}"
        self.db.execute("DELETE FROM mention_name WHERE origin = ?", [origin])
        if table == "entity":
            row = self.db.execute(
                "SELECT name, id, guild_id FROM entity WHERE id = ? AND deleted_at IS NULL"
                " AND merged_into IS NULL",
                [row_id],
            ).fetchone()
        else:
            row = self.db.execute(
                "SELECT alias.name, alias.entity_id, alias.guild_id FROM alias"
                " JOIN entity ON entity.id = alias.entity_id WHERE alias.id = ?"
                " AND alias.deleted_at IS NULL AND entity.deleted_at IS NULL"
                " AND entity.merged_into IS NULL",
                [row_id],
            ).fetchone()
        if row is None:
            return
        norm = normalize(str(row[0]))
        if usable(norm):
            self.db.execute(
                "INSERT INTO mention_name (norm, entity_id, guild_id, origin) VALUES (?, ?, ?, ?)",
                [norm, row[1], row[2], origin],
            )

    def _facts_holding(self, names: Iterable[str]) -> set[int]:
        """Facts whose words may hold one of ``names`` (a superset, from the full-text
        index's phrase match; :meth:`_link` checks the words exactly)."""
        found: set[int] = set()
        for name in names:
            phrase = '"' + name.replace('"', "") + '"'
            found.update(
                int(r[0])
                for r in self.db.execute(
                    "SELECT fact_doc.fact_id FROM fact_doc_fts JOIN fact_doc"
                    " ON fact_doc.rowid = fact_doc_fts.rowid WHERE fact_doc_fts MATCH ?",
                    [f"body : {phrase}"],
                )
            )
        return found

    def _link(self, fact_ids: list[int]) -> None:
        marks = ",".join("?" for _ in fact_ids)
        self.db.execute(f"DELETE FROM fact_mention WHERE fact_id IN ({marks})", fact_ids)
        rows = self.db.execute(
            "SELECT id, entity_id, guild_id, text, quote FROM fact WHERE deleted_at IS NULL"
            f" AND hides = 0 AND id IN ({marks})",
            fact_ids,
        ).fetchall()
        links: list[tuple[int, int]] = []
        for fid, own, guild, text, quote in rows:
            body = "\n".join(filter(None, (text, quote)))
            words = grams(body)
            if not words:
                continue
            names = [(n, e) for n, e, g in self._lookup(words) if g in (None, guild)]
            kept = outermost({n for n, _ in names}, body)
            found = {eid for norm, eid in names if eid != own and norm in kept}
            links += [(fid, eid) for eid in sorted(found) if self._visible(eid, guild)]
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO fact_mention (fact_id, entity_id) VALUES (?, ?)", links
        )

    def _lookup(self, words: set[str]) -> list[tuple[str, int, int | None]]:
        """(name, subject, its server) for each known name among ``words``."""
        ordered = sorted(words)
        found: list[tuple[str, int, int | None]] = []
        for start in range(0, len(ordered), _BATCH):
            part = ordered[start : start + _BATCH]
            marks = ",".join("?" for _ in part)
            found += self.db.execute(
                f"SELECT norm, entity_id, guild_id FROM mention_name WHERE norm IN ({marks})",
                part,
            ).fetchall()
        return found

    def _visible(self, entity_id: int, guild: int | None) -> bool:
        row = self.db.execute("SELECT guild_id FROM entity WHERE id = ?", [entity_id]).fetchone()
        return row is not None and row[0] in (None, guild)

    # ------------------------------------------------------------ reading

    def facts_naming_ids(self, entity_ids: list[int]) -> list[int]:
        marks = ",".join("?" for _ in entity_ids)
        return [
            int(r[0])
            for r in self.db.execute(
                f"SELECT fact_id FROM fact_mention WHERE entity_id IN ({marks})", entity_ids
            )
        ]

    def named_in(self, fact_ids: list[int]) -> dict[int, list[int]]:
        """Fact id -> the subjects it names (besides its own)."""
        out: dict[int, list[int]] = {}
        for start in range(0, len(fact_ids), _BATCH):
            part = fact_ids[start : start + _BATCH]
            marks = ",".join("?" for _ in part)
            for fid, eid in self.db.execute(
                f"SELECT fact_id, entity_id FROM fact_mention WHERE fact_id IN ({marks})", part
            ):
                out.setdefault(int(fid), []).append(int(eid))
        return out

    def links(self) -> set[tuple[int, int]]:
        """Every (fact, subject) link: what the property test compares with a rebuild."""
        return {(int(f), int(e)) for f, e in self.db.execute("SELECT * FROM fact_mention")}
