"""Words fans use for what facts say differently: groups of synonyms, as data.

Two sources, merged per server: the list shipped in ``bot/data/synonyms.txt`` (one group
per line, comma-separated) and groups a server's moderators add with ``!synonym add``
(rows of the ``synonym`` table, with history and undo like every curated row; the owner's
are global). A question word in a group also matches a fact holding another word of it,
after stemming, so "antagonist" finds a fact that says "villain".
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

from bot import validation as v
from bot.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from bot.language.text import normalize, stem
from bot.models import Actor
from bot.store.core import Store, now

MAX_WORDS = 10  # words in one group
MAX_WORD = 30  # characters in one word or phrase
MAX_PHRASE = 3  # words in one phrase ("bad guy")
MAX_GROUPS = 500  # groups one server may add

Groups = Mapping[str, frozenset[str]]  # stem -> the other stems of its groups
Phrases = tuple[tuple[tuple[str, ...], str], ...]  # (phrase's words, the word it stands for)


def parse_group(text: str) -> list[str]:
    """ "Villain, antagonist,  baddie" -> ["villain", "antagonist", "baddie"], or raise."""
    words = [normalize(part) for part in str(text).split(",")]
    words = list(dict.fromkeys(w for w in words if w))
    if len(words) < 2:
        raise InvalidInputError("words: give two or more words, separated by commas")
    if len(words) > MAX_WORDS:
        raise InvalidInputError(f"words: at most {MAX_WORDS} words in one group")
    for word in words:
        if len(word.split()) > MAX_PHRASE or len(word) > MAX_WORD:
            raise InvalidInputError(
                f"words: {word[:40]!r} is not a word or phrase of up to {MAX_PHRASE} words"
                f" and {MAX_WORD} letters"
            )
    if all(" " in w for w in words):
        raise InvalidInputError("words: give at least one single word (phrases match it)")
    return words


def _merge(groups: list[list[str]]) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for group in groups:
        stems = {stem(w) for w in group if " " not in w}
        for s in stems:
            out.setdefault(s, set()).update(stems - {s})
    return {k: frozenset(v) for k, v in out.items()}


def _phrases(groups: list[list[str]]) -> dict[tuple[str, ...], str]:
    """(words of a phrase) -> the group's first single word it stands for."""
    out: dict[tuple[str, ...], str] = {}
    for group in groups:
        single = next((w for w in group if " " not in w), None)
        for w in group:
            if " " in w and single:
                out.setdefault(tuple(w.split()), single)
    return out


def packaged() -> list[list[str]]:
    """The groups shipped with showbot."""
    text = resources.files("bot").joinpath("data/synonyms.txt").read_text(encoding="utf-8")
    return [
        [normalize(w) for w in line.split(",") if normalize(w)]
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


class Synonyms:
    """The synonym groups of one store, per server; kept in step by :meth:`refresh`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._shipped = packaged()
        self._rows: dict[int, tuple[int | None, list[str]]] = {}
        self._cache: dict[int | None, Groups] = {}
        self._phrase_cache: dict[int | None, dict[tuple[str, ...], str]] = {}
        self._table_cache: dict[int | None, Phrases] = {}
        for row in store.rows("SELECT id, guild_id, words FROM synonym WHERE deleted_at IS NULL"):
            self._rows[row["id"]] = (row["guild_id"], row["words"].split(","))

    def refresh(self, row_id: int) -> None:
        """Reload one group after a change (by this process or another)."""
        row = self.store.row("synonym", row_id)
        self._rows.pop(row_id, None)
        if row is not None and row["deleted_at"] is None:
            self._rows[row_id] = (row["guild_id"], row["words"].split(","))
        self._cache.clear()
        self._phrase_cache.clear()
        self._table_cache.clear()

    def groups(self, guild_id: int | None) -> Groups:
        """stem -> synonyms' stems, as one server sees them (shipped, global, its own)."""
        found = self._cache.get(guild_id)
        if found is None:
            own = [w for g, w in self._rows.values() if g is None or g == guild_id]
            found = self._cache[guild_id] = _merge(self._shipped + own)
        return found

    def phrase_table(self, guild_id: int | None) -> Phrases:
        """Each phrase of a group (its words) with the single word it stands for, sorted:
        how a fact saying "came up with" says "create" (hashable, for caches)."""
        found = self._table_cache.get(guild_id)
        if found is None:
            found = self._table_cache[guild_id] = tuple(sorted(self._phrases(guild_id).items()))
        return found

    def _phrases(self, guild_id: int | None) -> dict[tuple[str, ...], str]:
        phrases = self._phrase_cache.get(guild_id)
        if phrases is None:
            own = [w for g, w in self._rows.values() if g is None or g == guild_id]
            phrases = self._phrase_cache[guild_id] = _phrases(self._shipped + own)
        return phrases

    def rewrite(self, words: list[str], guild_id: int | None) -> list[str]:
        """A question's words with each phrase of a group ("bad guy") replaced by the
        group's single word ("villain"), so the phrase counts as one word."""
        phrases = self._phrases(guild_id)
        if not phrases:
            return words
        out: list[str] = []
        i = 0
        while i < len(words):
            for size in range(MAX_PHRASE, 1, -1):
                key = tuple(words[i : i + size])
                if len(key) == size and key in phrases:
                    out.append(phrases[key])
                    i += size
                    break
            else:
                out.append(words[i])
                i += 1
        return out

    # ------------------------------------------------------------ moderators

    def add(self, actor: Actor, words: str) -> tuple[int, str]:
        """Add a group for the actor's server (global for the owner outside a server)."""
        group = parse_group(words)
        # Counted in the store, not in memory: the bot's writer thread has its own
        # Synonyms, which only sees its own changes.
        mine = self.store.rows(
            "SELECT id FROM synonym WHERE guild_id IS ? AND deleted_at IS NULL", [actor.guild_id]
        )
        if len(mine) >= MAX_GROUPS:
            raise InvalidInputError(f"This server already has {MAX_GROUPS} synonym groups.")
        with self.store.batch():
            sid = self.store.insert(
                "synonym", {"words": ",".join(group), "guild_id": actor.guild_id}, actor,
                "synonym.add",
            )  # fmt: skip
        self.refresh(sid)
        return sid, ", ".join(group)

    def remove(self, actor: Actor, group_id: int) -> str:
        row = self.store.row("synonym", group_id)
        if row is None or row["guild_id"] not in (None, actor.guild_id) or row["deleted_at"]:
            raise NotFoundError(f"There is no synonym group #{group_id} here.")
        if row["guild_id"] != actor.guild_id and not actor.owner:
            raise PermissionDeniedError("That group is global; only the bot's owner can remove it.")
        with self.store.batch():
            self.store.update("synonym", group_id, {"deleted_at": now()}, actor, "synonym.remove")
        self.refresh(group_id)
        words: str = row["words"]
        return words.replace(",", ", ")

    def listing(self, guild_id: int | None) -> list[tuple[int | None, str, str]]:
        """(id or None for shipped, words, scope) for every group a server sees."""
        out: list[tuple[int | None, str, str]] = [
            (None, ", ".join(g), "built in") for g in self._shipped
        ]
        for gid, (guild, words) in sorted(self._rows.items()):
            if guild is None or guild == guild_id:
                out.append((gid, ", ".join(words), "global" if guild is None else "this server"))
        return out


def parse_group_id(text: str) -> int:
    return v.parse_id(text, "group")
