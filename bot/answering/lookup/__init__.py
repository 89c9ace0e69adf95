"""Fuzzy lookup of aliases (names of shows, characters, people...) for fans' questions.

Design, in short:

- Every alias is normalised (``bot.language.text.normalize``) and split into words. A word-level
  inverted index (numpy CSR: word id -> sorted alias ids) finds the aliases that share
  words with a query. Alias ids go fewest words, then shortest, then by key first (the
  canonical order), so a truncated posting list keeps the aliases most likely to be
  meant, and equal scores prefer the shorter alias. Word ids go in sorted order, so the
  words with a prefix are an id range (complete()).
- Typos are caught per word, SymSpell style: every vocabulary word, its one-deletion
  variants and (8-10 letters) its two-deletion variants are hashed into one sorted
  uint64 array (hash bits | word id), bucketed by the top bits. A query word's own
  variants are looked up there and the candidates checked with an OSA (Damerau)
  distance: one edit for words up to 7 letters, two for longer ones. A query word that
  is a known word itself keeps it, and looks for neighbours only if nothing convincing
  comes out (a typo that lands on another name is rarer than that name being meant).
- Scoring is a weighted Dice over words: the matched weight (IDF x word similarity)
  twice, over the weight of the query's words plus the alias's words. Rare words decide,
  common ones ("the", "john") count little, question leftovers ("actor", "show",
  "season": NOISE) a tenth, and a word found in no alias half the rarest word's weight,
  so "kilgrave actor" finds Kilgrave while "maria quorlan" does not become "Maria".
  Word order is not scored (letter-by-letter likeness breaks ties). Only an exact
  normalised match scores 100; anything else is capped at NEAR (97), so an exact match
  always wins by a clear margin.
- A query gathers the posting lists of its rarest words (a budget bounds them) and
  only checks the commoner words against those candidates (binary searches), which
  bounds the cost of "the" or "john".
- Additions go to a small mutable delta (dicts of lists) and removals to tombstones,
  on top of the numpy arrays; compact() folds them in (a rebuild) and runs by itself
  once the delta and removals outnumber a quarter of the base (and at least 4096).
- Answers depend on the live aliases only, never on the history of edits or the order
  rows came in: two processes on the same data, or one before and after a restart,
  answer alike (tests/unit/test_index_history.py). Word weights come from live counts
  (an edit marks them stale; the next query recomputes them and the aliases' sums, in
  a build's order of operations, so the very same floats); a word all of whose aliases
  are gone is no word; ties (equal scores, truncated posting lists, similar words) go
  by the canonical order or the word's text, never by an id, since delta aliases and
  words get theirs in order of arrival.

- The base is arrays only, Python objects nowhere per word or per alias: texts and words
  are UTF-8 buffers with offsets (vocab.Strings), word -> id and normalised text -> ids
  are sorted tables of stable 32-bit hashes (CRC-32, never Python's per-process hash()).
  So the whole base can be written to a file and mapped back (snapshot.py): processes on
  one database share it through the page cache, and open it in a fraction of a build.

The package, by concern: params (thresholds, bounds), keys (typo keys: deletion hashing;
string hash tables), vocab (the vocabulary, string buffers), state (the attributes the
mixins share, declared once), scoring (word matching and the weighted Dice; the named rows
it works with), completion, delta (the mutable delta, tombstones, compaction), index (the
base arrays and AliasIndex itself), snapshot (the on-disk form).

The index is not thread-safe: query and mutate it from one thread (the event loop), or
hold a lock (the first query after edits writes too: it recomputes the weights).
"""

from bot.answering.lookup.index import AliasIndex
from bot.answering.lookup.params import _BUDGET, _DELTA_MIN, CUTOFF, EXACT, NEAR, NOISE
from bot.answering.lookup.scoring import Hit

__all__ = ["CUTOFF", "EXACT", "NEAR", "NOISE", "_BUDGET", "_DELTA_MIN", "AliasIndex", "Hit"]
