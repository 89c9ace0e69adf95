"""The index's tuning: score thresholds, word weights and the bounds on a query's work.

Every module of the package reads them from here, so a threshold has one home.
"""

from __future__ import annotations

import numpy as np

# Below this a query is "unknown". A score is roughly the share of the query's and the
# alias's information that matches (IDF-weighted words, typos counted by similarity).
# At 75: one typo in a name scores 80-95 ("jessika jones" 93, "defnders" 91), two typos
# usually 75-90 ("kilgrav" vs "Killgrave" 87.5, "melisa rosenburg" 91), a name with
# leftovers 85+ ("jessica jones actress" 97, "melissa rosenberg showrunner" 85, an
# unknown leftover weighing more than a known one), while in the benchmark no absent
# name scores above ~72: a name sharing one word with an alias ("maria quorlan" vs
# "Maria" ~70, vs "Maria Quinn" ~40) or words 3+ edits from every alias word (no
# candidate at all). A name of 4 letters or fewer with a typo is most likely another
# name: "nuk" scores 72.9 against "Nuke" (suggested by search(), None from best()).
CUTOFF: float = 75.0
EXACT: float = 100.0
NEAR: float = 97.0  # the most anything but an exact normalised match scores

# Question leftovers and glue words. In a query they weigh a tenth of a name word and
# match only exactly; a query made of nothing else ("season finale") can only match an
# alias exactly. Aliases keep them ("The Defenders"), also at a tenth of the weight.
NOISE: frozenset[str] = frozenset(
    """
    a about actor actors actress actresses age air aired airs airing all alias also am an
    and any anything are arc as at aka backstory be been being born by called can cast
    character characters could de der did die do does done du el en episode episodes
    ending era et finale for from full go had has have he her him his how i if in info
    information is
    it its know la le les like los me more my name named names new nickname of old on
    or our pilot play played player playing plays please plot premiere real recap release
    released review role roles
    said say says season seasons see series she show shows so some spoiler spoilers
    story storyline tell than that the their them then there they this those to trailer tv
    u um uh up us was watch we were what whats when where which who whom whos why will
    with would ya you your
    """.split()
)
_NOISE_WEIGHT = 0.1
_UNKNOWN_WEIGHT = 0.5  # a word found in no alias, relative to the rarest word (see CUTOFF)
_SHORT = 4  # a typo in a word this short makes another word: similarity x 0.85
_SHORT_PENALTY = 0.85
_DEL2_MIN = 8  # words this long tolerate two edits...
_DEL2_MAX = 10  # ...but past this only the query's side has two-deletion variants (memory)
_MAXLEN = 24  # longer words only match exactly (and stay out of the deletion index)
_MAX_QUERY_WORDS = 12  # a subject is a handful of words; bounds the cost of a pasted novel
_MAX_PAIRS = 255  # (query word, matched word) pairs scored at most: a byte in _rank's sort
_MAX_FUZZY = 12  # similar words kept per query word: fewest edits, then most frequent
_RARER = 20  # a query word that is a word itself ignores neighbours this much rarer
_BUDGET = 4096  # alias ids gathered from one posting list at most; bounds p99
_MERGE = 512  # more words' lists are merged (a sort) only while they add up to this
_PRUNE = 512  # beyond this many candidates, drop those lacking the next word but shortest
_SECOND_LOOK = CUTOFF  # below this best score, known query words also look for neighbours
_COMPLETE_BUDGET = 4096  # the same for complete(), which needs fewer candidates
_TIES = 8  # equally scored hits put in order by their text, at most this many at a time
_SELECT = 64  # candidates ranked per round when picking the best hit per entity
_DELTA_MIN = 4096  # delta size (adds + removals) that never triggers a compaction
_COMPLETE_FUZZY_FLOOR = 60.0  # complete() falls back to search() hits at least this good

_EMPTY_I32 = np.zeros(0, dtype=np.int32)
_EMPTY_F64 = np.zeros(0, dtype=np.float64)
_I64_MIN, _I64_MAX = -(1 << 63), (1 << 63) - 1
