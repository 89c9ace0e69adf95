"""What a name means: the one subject resolver for questions and moderation alike.

A fan's ``!when the crown s2`` and a moderator's ``subject: The Crown season 2`` reach
the same subject because both come here. Rules, in order:

- ``#12`` is subject 12; a bare number is a name (shows are called 24, 1883, 9-1-1);
- a trailing ``(kind)`` ("Jessica Jones (character)", as lists show it) narrows the kind;
- a season ("s2", "season two", "2nd season", or a bare trailing number the show has as
  a season: "jessica jones 2") is found structurally under its show; a number that is
  part of a title the store holds ("Blake's 7") keeps meaning the title;
- among the index's hits, those within TIE of the best are "as good": the intent's
  preferred kinds settle them (who -> the character, what/when -> the show), otherwise
  the answer is ambiguous and lists them all, told apart by kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

import numpy as np

from bot.answering.entities import EntityTable, ids_of_kind
from bot.answering.lookup import CUTOFF, EXACT, NEAR, NOISE, AliasIndex, Hit
from bot.answering.questions import (
    GLUE,
    extract_season,
    season_number,
    split_kind,
)
from bot.answering.typed import in_order, same_word, typed_whole
from bot.language.text import FUNCTION_WORDS, normalize
from bot.models import PREFERRED_KINDS, Entity, EntityKind, Intent, Suggestion, seen_in

TIE = 2.0  # hits this close to the best are "as good"; the intent decides between them
SUGGEST_FLOOR = 50.0  # weaker hits are not worth suggesting
MAX_SUGGESTIONS = 3
_FEW = MAX_SUGGESTIONS  # hits a pick looks at first (see Subjects._hits_for_pick)
_ROUNDING = 0.02
_MAX_PROBES = 8  # words of a question looked up one by one for mentions
_PARTIAL = 2  # a lone first or last name mentions a subject when it fits this few
IGNORED = GLUE | FUNCTION_WORDS  # words around a name that don't make it another name
_ID = re.compile(r"^#\s*(\d{1,18})$")
# Subjects of a kind looked through for a server's one ("the show"): past this many in
# every server together, none is taken as the one (counted before any is read).
_SOLE_SCAN = 64
_CACHED = 8192  # searches remembered (see Subjects._search): a question makes 3-4
if EXACT - TIE <= NEAR:  # Subjects._pick skips scoring when an alias is spelt as typed
    raise AssertionError("an exact hit must be more than TIE above any other")
_ALLOWED = 100_000  # subjects a search may offer, remembered per server and kinds


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a name means in one server: a subject, several equally good ones, or none."""

    entity: Entity | None
    score: float
    candidates: tuple[Suggestion, ...] = ()  # the tied subjects, or suggestions when unknown
    ambiguous: bool = False
    show: Entity | None = None  # a known show whose asked-for season is not known
    text: str = ""  # the name or alias that matched


@dataclass(frozen=True, slots=True)
class Mention:
    """A known subject named inside a longer question."""

    entity: Entity
    start: int  # word positions in the question
    end: int
    score: float
    partial: bool = False  # only a first or last name of it
    typo: bool = False  # a word of the name is typed another way ("stoner" for Stoker)


def parse_id(text: str) -> int | None:
    """``#12`` -> 12; anything else (a bare ``12`` included) is not an id."""
    m = _ID.match(text.strip())
    return int(m.group(1)) if m else None


class Subjects:
    """Resolves names against the alias index, within what one server may see."""

    def __init__(
        self,
        index: AliasIndex,
        entities: Mapping[int, Entity],
        seasons: Callable[[int], list[Entity]],
        numbered: Callable[[int], list[Entity]],
        alias_guilds: Mapping[int, int] | None = None,
    ) -> None:
        self.index = index
        self.entities = entities
        self.seasons = seasons  # show id -> its season entities, in order
        self._numbered = numbered  # season number -> every show's season with it
        self.alias_guilds = alias_guilds if alias_guilds is not None else {}
        # (text, server, kinds) -> (the limit searched with, its hits): see _search.
        self._hits: dict[
            tuple[str, int | None, frozenset[EntityKind] | None, int], tuple[int, tuple[Hit, ...]]
        ] = {}
        self._mentioned: dict[tuple[tuple[str, ...], int | None, int], tuple[Mention, ...]] = {}
        self._allowed: dict[tuple[int | None, frozenset[EntityKind] | None], dict[int, bool]] = {}
        self._few: dict[tuple[tuple[EntityKind, ...], int | None], tuple[Entity, ...]] = {}
        self._season_ids: np.ndarray | None = None  # see _skipped
        self._generation = index.generation

    def numbered(self, number: int, guild_id: int | None) -> list[Entity]:
        """The seasons with that number, of any show this server sees."""
        return [e for e in self._numbered(number) if e.visible_in(guild_id)]

    def visible(self, hits: list[Hit], guild_id: int | None) -> list[Hit]:
        """Drop hits through another server's own alias (its subject may still be seen)."""
        scoped = self.alias_guilds
        if not scoped:
            return hits
        return [h for h in hits if scoped.get(h.key, guild_id) == guild_id]

    def _search(
        self, text: str, limit: int, guild_id: int | None, kinds: frozenset[EntityKind] | None
    ) -> list[Hit]:
        # Fans ask about the same names over and over, and one question searches the
        # same words more than once (the name, then its words for mentions): the hits
        # are remembered until the index changes. Entities and server aliases change
        # only along with the index (the engine reindexes a subject on every change).
        # A search's hits come best first in one order whatever the limit (the index
        # ranks them so): a narrower search is a wider one's beginning, and is served
        # from it (a pick asks 3 hits then 8 of the same name). Not the other way round:
        # a wider search costs more (measured: 16 hits ~20% more than 3).
        # With servers' own aliases, a search drops hits after taking `limit` + 4: a wide
        # one could keep hits a narrow one never reached, so each limit is its own.
        self._check_generation()
        scoped = bool(self.alias_guilds)
        key = (text, guild_id, kinds, limit if scoped else 0)
        held = self._hits.get(key)
        if held is not None and (limit <= held[0] or len(held[1]) < held[0]):
            return list(held[1][:limit])  # as wide as asked, or all there is
        search = partial(self.index.search, skip=self._skipped(kinds))
        found = tuple(self._scoped(search, text, limit, guild_id, kinds))
        if len(self._hits) >= _CACHED:
            self._hits.clear()
        self._hits[key] = (limit, found)
        return list(found)

    def _exact(
        self, text: str, limit: int, guild_id: int | None, kinds: frozenset[EntityKind] | None
    ) -> list[Hit]:
        """What _search would list first when some alias is spelt `text`: its exact hits
        (the same ones, in the same order), or none."""
        return self._scoped(self.index.exact, text, limit, guild_id, kinds)

    def _scoped(
        self,
        find: Callable[..., list[Hit]],
        text: str,
        limit: int,
        guild_id: int | None,
        kinds: frozenset[EntityKind] | None,
    ) -> list[Hit]:
        """`find`'s hits (index.search or index.exact) that this server may see: a few
        more asked for when servers have their own aliases, as visible() may drop some."""
        wanted = limit + 4 if self.alias_guilds else limit
        hits = find(text, limit=wanted, allow=self._allow(guild_id, kinds))
        return self.visible(hits, guild_id)[:limit]

    def _check_generation(self) -> None:
        if self._generation != self.index.generation:
            self._hits.clear()
            self._mentioned.clear()
            self._allowed.clear()
            self._few.clear()
            self._season_ids = None
            self._generation = self.index.generation

    def _skipped(self, kinds: frozenset[EntityKind] | None) -> np.ndarray | None:
        """Entities a search refuses in bulk (AliasIndex.search): the seasons unless asked
        for, as "season 2" in a question draws thousands, each refused by _allow."""
        if kinds is not None and EntityKind.SEASON in kinds:
            return None
        if self._season_ids is None:
            self._season_ids = ids_of_kind(self.entities, EntityKind.SEASON)
        return self._season_ids

    def sole_of(self, kinds: tuple[EntityKind, ...], guild_id: int | None) -> Entity | None:
        """The one subject of ``kinds`` a server sees, if it sees exactly one ("the show"
        in a store holding one show); remembered until the subjects change."""
        seen = self.few_of(kinds, guild_id)
        return seen[0] if len(seen) == 1 else None

    def few_of(self, kinds: tuple[EntityKind, ...], guild_id: int | None) -> tuple[Entity, ...]:
        """The subjects of ``kinds`` a server sees, if there are few (a fan server's
        shows); none in a catalogue. Remembered until the subjects change."""
        self._check_generation()
        key = (kinds, guild_id)
        if key not in self._few:
            seen: list[Entity] = []
            for kind in kinds:
                if isinstance(self.entities, EntityTable):
                    few = self.entities.few_of_kind(kind, _SOLE_SCAN)
                else:
                    few = [e for e in self.entities.values() if e.kind is kind]
                if few is None:  # too many to look through
                    seen = []
                    break
                seen += [e for e in few if e.visible_in(guild_id)]
            self._few[key] = tuple(seen)
        return self._few[key]

    def _allow(
        self, guild_id: int | None, kinds: frozenset[EntityKind] | None
    ) -> Callable[[int], bool]:
        entities = self.entities
        # Remembered like the searches: a word every season's name has ("season") makes
        # the index offer thousands of seasons to a search that wants none.
        self._check_generation()
        known = self._allowed.setdefault((guild_id, kinds), {})
        if len(known) > _ALLOWED:
            known.clear()

        # An EntityTable tells a kind and server without making the Entity: most of
        # the subjects a search checks are never shown.
        table = entities if isinstance(entities, EntityTable) else None

        def allow(eid: int) -> bool:
            ok = known.get(eid)
            if ok is None:
                if table is not None:
                    seen = table.kind_and_guild(eid)
                else:
                    e = entities.get(eid)
                    seen = None if e is None else (e.kind, e.guild_id)
                if seen is None or not seen_in(seen[1], guild_id):
                    ok = False
                else:
                    ok = seen[0] in kinds if kinds else seen[0] is not EntityKind.SEASON
                known[eid] = ok
            return ok

        return allow

    def season_of(self, show: Entity, number: int, guild_id: int | None) -> Entity | None:
        for s in self.seasons(show.id):
            if s.season == number and s.visible_in(guild_id):
                return s
        return None

    def resolve(
        self,
        text: str,
        *,
        intent: Intent = Intent.ASK,
        guild_id: int | None = None,
        season: int | None = None,
        kind: EntityKind | None = None,
        limit: int = 8,
    ) -> Resolution:
        """The subject ``text`` (a name, ``#id``, maybe with a season) means."""
        eid = parse_id(text)
        if eid is not None and season is None:
            e = self.entities.get(eid)
            if e is None or not e.visible_in(guild_id):
                return Resolution(None, 0.0)
            return Resolution(e, 100.0, text=e.name)
        text, suffix, picked = split_kind(text)
        if picked is not None:
            return self.resolve(f"#{picked}", intent=intent, guild_id=guild_id)
        kind = kind or suffix
        subject = normalize(text)
        if season is None:  # a season named is a season, whatever kind is typed after it
            subject, season = extract_season(subject)
        if season is not None:
            return self._season(subject, season, intent, guild_id)
        kinds = frozenset([kind]) if kind else None
        found = self._pick(subject, intent, guild_id, kinds, limit)
        if kind is None:
            bare = self._bare_season(subject, found, intent, guild_id)
            if bare is not None:
                return bare
        numbers = {w for w in subject.split() if w.isdigit()}
        if found.entity is not None and numbers - set(normalize(found.text).split()):
            # A number typed otherwise names another subject ("2 kings 24" is not 24 Kings
            # 24, as "apollo 11" is not Apollo 13): offered, never taken.
            return Resolution(None, found.score, (Suggestion(found.entity, found.score),))
        return found

    def complete(self, text: str, guild_id: int | None, limit: int) -> list[Entity]:
        """Subjects whose names start with what is typed (seasons included), best first."""
        allow = self._allow(guild_id, frozenset(EntityKind))
        hits = self.visible(self.index.complete(text, limit=limit, allow=allow), guild_id)
        return [self.entities[h.entity_id] for h in hits]

    def search(self, text: str, guild_id: int | None, limit: int = 10) -> list[Hit]:
        """The subjects whose names best match ``text`` (typos allowed), one hit each,
        best first: the web view's subject search."""
        best: dict[int, Hit] = {}
        for hit in self._search(normalize(text), limit * 2, guild_id, frozenset(EntityKind)):
            best.setdefault(hit.entity_id, hit)
        return list(best.values())[:limit]

    def named_exactly(self, name: str, guild_id: int | None) -> list[Entity]:
        """The subjects this server sees that are already called ``name`` (normalised)."""
        key = normalize(name)
        # Only the aliases spelt so: what a search lists first (its exact hits, in the same
        # order), without the fuzzy scoring of the rest (~0.3 ms a name at MetaQA's size).
        hits = self._exact(key, 25, guild_id, frozenset(EntityKind))
        return [self.entities[h.entity_id] for h in hits if normalize(h.text) == key]

    def _season(
        self, subject: str, number: int, intent: Intent, guild_id: int | None
    ) -> Resolution:
        if not subject:
            return Resolution(None, 0.0)
        shows = frozenset([EntityKind.SHOW])
        found = self._pick(subject, intent, guild_id, shows, 5)
        show = found.entity
        if show is None:
            return found
        hit = self.season_of(show, number, guild_id)
        if hit is not None:
            return Resolution(hit, found.score, text=found.text)
        # The show is known but not this season: say so, and offer what is known.
        known = [s for s in self.seasons(show.id) if s.visible_in(guild_id)]
        offers = [Suggestion(s, found.score) for s in known[:MAX_SUGGESTIONS]]
        offers = [*offers, Suggestion(show, found.score)][:MAX_SUGGESTIONS]
        return Resolution(None, 0.0, tuple(offers), show=show)

    def _bare_season(
        self, subject: str, found: Resolution, intent: Intent, guild_id: int | None
    ) -> Resolution | None:
        """ "<show> 2" is season 2 when the show has it and no title holds the number."""
        words = subject.split()
        number = season_number(words[-1]) if len(words) > 1 else None
        if number is None:
            return None
        if found.entity is not None and words[-1] in normalize(found.entity.name).split():
            return None  # the number is part of the name found ("blakes 7")
        show = self._pick(" ".join(words[:-1]), intent, guild_id, frozenset([EntityKind.SHOW]), 5)
        if show.entity is None:
            return None
        season = self.season_of(show.entity, number, guild_id)
        if season is not None:
            return Resolution(season, show.score, text=show.text)
        # "<show> 2" of a show without that season: the season is what is unknown.
        return self._season(" ".join(words[:-1]), number, intent, guild_id)

    def _pick(
        self,
        subject: str,
        intent: Intent,
        guild_id: int | None,
        kinds: frozenset[EntityKind] | None,
        limit: int,
    ) -> Resolution:
        # A name typed as some alias is spelt: those aliases are all that can come within
        # TIE of it (anything else scores NEAR at most), so nothing else is scored.
        hits = self._exact(subject, limit, guild_id, kinds) or self._hits_for_pick(
            subject, limit, guild_id, kinds
        )
        if not hits or hits[0].score < CUTOFF:
            top = hits[0].score if hits else 0.0
            offers = [
                Suggestion(self.entities[h.entity_id], h.score)
                for h in hits
                if h.score >= SUGGEST_FLOOR
            ]
            return Resolution(None, top, tuple(offers[:MAX_SUGGESTIONS]))
        best = hits[0].score
        near = [self.entities[h.entity_id] for h in hits if h.score >= best - TIE]
        if len(near) > 1:
            preferred = PREFERRED_KINDS[intent]
            ranked = [e for e in near if e.kind in preferred]
            if ranked:
                top_rank = min(preferred.index(e.kind) for e in ranked)
                near = [e for e in ranked if preferred.index(e.kind) == top_rank]
        if len(near) > 1:
            return Resolution(None, best, tuple(Suggestion(e, best) for e in near), ambiguous=True)
        chosen = near[0]
        hit = next(h for h in hits if h.entity_id == chosen.id)
        return Resolution(chosen, hit.score, text=hit.text)

    def _hits_for_pick(
        self,
        subject: str,
        limit: int,
        guild_id: int | None,
        kinds: frozenset[EntityKind] | None,
    ) -> list[Hit]:
        """The hits _pick decides on: the first _FEW when they settle it (as they mostly
        do: one name clearly best, or suggestions), else the first `limit`. A shorter
        search is the longer one's beginning (hits come best first), so _pick decides
        alike; only taking and checking fewer hits is saved."""
        few = self._search(subject, _FEW, guild_id, kinds)
        if limit <= _FEW:
            return few
        if len(few) < _FEW:
            # No more hits at all, unless another server's aliases were dropped from them.
            return few if not self.alias_guilds else self._search(subject, limit, guild_id, kinds)
        # Scores rounded to hundredths may step up by one within equal raw scores: a
        # margin keeps any hit after these from counting.
        last = few[-1].score + _ROUNDING
        if few[0].score < CUTOFF:
            settled = last < SUGGEST_FLOOR or all(h.score >= SUGGEST_FLOOR for h in few)
        else:
            settled = last < few[0].score - TIE
        return few if settled else self._search(subject, limit, guild_id, kinds)

    # ------------------------------------------------------------ mentions

    def mentions(self, words: list[str], guild_id: int | None, limit: int = 16) -> list[Mention]:
        """The known subjects a question names (typos allowed), longest names first;
        remembered like the searches (one question looks for them twice: the free path
        and the subject asked about)."""
        self._check_generation()
        key = (tuple(words), guild_id, limit)
        found = self._mentioned.get(key)
        if found is None:
            found = tuple(self._mentions(words, guild_id, limit))
            if len(self._mentioned) >= _CACHED:
                self._mentioned.clear()
            self._mentioned[key] = found
        return list(found)

    def _mentions(self, words: list[str], guild_id: int | None, limit: int) -> list[Mention]:
        """The known subjects a question names (typos allowed), longest names first.

        One index search over the whole question finds subjects sharing its words; a hit
        counts only when every word of its name that carries meaning is in the question,
        one edit away at most (two for long words), within a span no longer than the name
        plus one word."""
        content = [w for w in words if w not in NOISE]
        if not content:
            return []
        # The whole question finds names of several words; each word alone finds a short
        # alias ("matt") that a longer name sharing the word would outscore.
        hits = self._search(" ".join(content), limit, guild_id, None)
        partial: list[Mention] = []
        # Words inside a name the whole search already found need no probe of their own.
        named = {w for h in hits if h.score >= CUTOFF for w in normalize(h.text).split()}
        probes = [w for w in dict.fromkeys(content) if len(w) > 2 and w not in named]
        for word in probes[:_MAX_PROBES]:
            probe = self._search(word, _PARTIAL + 1, guild_id, None)
            hits += probe
            partial += self._partial(word, words, probe)
        found: list[tuple[Mention, int, int]] = []  # with its words, and how many typed whole
        seen: set[int] = set()
        places: dict[str, list[int]] = {}  # a name word -> where the question holds it
        for hit in hits:
            if hit.key in seen:
                continue
            seen.add(hit.key)
            every = normalize(hit.text).split()
            name = [w for w in every if w not in NOISE]
            if not name:
                continue
            at = in_order(name, words, places)
            if at is None:
                # Missing, or out of order inside a question: "words describe deep" is no
                # Deep in the Woods.
                continue
            # Glue words of a name may be missing ("the hand" as "hand"), not most of it:
            # "The Old Stranger" is not mentioned by "stranger" alone.
            if 2 * (len(name) + sum(1 for w in every if w in NOISE and w in words)) < len(every):
                continue
            first, last = min(at), max(at)
            if last - first + 1 > len(every) + 1:
                continue
            typo = any(words[i] not in (w, w + "s") for w, i in zip(name, at, strict=True))
            mention = Mention(self.entities[hit.entity_id], first, last + 1, hit.score, typo=typo)
            found.append((mention, len(name), typed_whole(every, words)))
        # Names of more words first, and of as many, one spelt as typed before a typo of
        # one spanning a word more ("ryan fleck write" names Ryan Fleck, not Ryan White);
        # then the one typed whole, glue words included: "the girl" names The Girl, not
        # Girl; "this is the end", not The End.
        found.sort(key=lambda f: (-f[1], f[0].typo, -f[2], -(f[0].end - f[0].start), -f[0].score))
        unique: dict[int, Mention] = {}
        for m in [f[0] for f in found] + partial:
            unique.setdefault(m.entity.id, m)
        return list(unique.values())

    def _partial(self, word: str, words: list[str], probe: list[Hit]) -> list[Mention]:
        """A first or last name alone ("jessica's family") names a subject when the store
        has few subjects it could be: at most _PARTIAL of them."""
        owners = []
        for h in probe:
            parts = normalize(h.text).split()
            if len(parts) < 2:
                continue
            # A lone name is checked more strictly than a whole one: one edit at most.
            part = next((p for p in (parts[0], parts[-1]) if same_word(p, word, most=1)), None)
            if part is not None and len(part) >= 4:
                owners.append(h)
        if not owners or len(owners) > _PARTIAL or len(probe) > _PARTIAL:
            return []
        at = words.index(word)
        return [
            Mention(self.entities[h.entity_id], at, at + 1, h.score, partial=True) for h in owners
        ]
