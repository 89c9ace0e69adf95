"""The lookup benchmark's questions with known answers: ``make_questions`` over a store of
``make_store``, by category (exact, typo1, typo2, reordered, noise, absent; see
benchmarks/lookup.py)."""

from __future__ import annotations

import random

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.language.text import normalize

NOISE_WORDS = [
    "character",
    "actor",
    "actress",
    "the show",
    "tv series",
    "the series",
    "cast",
    "played",
    "real name",
    "please",
    "episode",
    "powers",
    "netflix",
]
CATEGORIES = ["exact", "typo1", "typo2", "reordered", "noise", "absent"]
FIXED_ABSENT = ["xyzzy", "season finale", "zorgblatt wexley", "the quantum plumbers"]


def _edit(rng: random.Random, text: str) -> str:
    """One random edit inside a word of 4+ letters."""
    spans, i = [], 0
    for word in text.split(" "):
        if sum(c.isalpha() for c in word) >= 4:
            spans.append((i, i + len(word)))
        i += len(word) + 1
    if not spans:
        return text
    a, b = rng.choice(spans)
    pos = rng.randrange(a, b)
    op = rng.randrange(4)
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    if op == 0:
        return text[:pos] + letter + text[pos + 1 :]
    if op == 1:
        return text[:pos] + text[pos + 1 :]
    if op == 2:
        return text[:pos] + letter + text[pos:]
    if pos + 1 < b:
        return text[:pos] + text[pos + 1] + text[pos] + text[pos + 2 :]
    return text[: pos - 1] + text[pos] + text[pos - 1] + text[pos + 1 :]


def _shuffle_case(rng: random.Random, text: str) -> str:
    out = "".join(c.upper() if rng.random() < 0.3 else c.lower() for c in text)
    return out + rng.choice(["", "?", "!", " ", "..."])


def make_questions(
    rows: list[tuple[int, int, str]], held_out: list[str], n: int, seed: int
) -> list[tuple[str, str, int | None]]:
    """(category, question, expected entity id or None) for n questions in all."""
    rng = random.Random(seed + 1)
    per = max(1, n // len(CATEGORIES))
    # Keep the made-up words that are 3+ edits from every word in the store.
    vocab = sorted({w for _, _, t in rows for w in normalize(t).split()})
    held: list[str] = []
    for start in range(0, len(held_out), 100):
        chunk = [normalize(w) for w in held_out[start : start + 100]]
        near = process.cdist(
            chunk, vocab, scorer=Levenshtein.distance, score_cutoff=2, dtype=np.uint8, workers=-1
        )
        held += [w for w, row in zip(chunk, near, strict=True) if row.min() > 2]
    common = ["maria", "john", "the", "smith", "house", "dark", "jessica", "lee"]
    out: list[tuple[str, str, int | None]] = []
    by_len = [r for r in rows if len(normalize(r[2])) >= 6]
    long9 = [r for r in rows if len(normalize(r[2])) >= 9]
    multi = [r for r in rows if len(normalize(r[2]).split()) >= 2]
    for _ in range(per):
        _, e, t = rng.choice(rows)
        out.append(("exact", _shuffle_case(rng, t), e))
        _, e, t = rng.choice(by_len)
        out.append(("typo1", _edit(rng, normalize(t)), e))
        _, e, t = rng.choice(long9)
        out.append(("typo2", _edit(rng, _edit(rng, normalize(t))), e))
        _, e, t = rng.choice(multi)
        words = normalize(t).split()
        shuffled = words[:]
        while shuffled == words:
            rng.shuffle(shuffled)
        out.append(("reordered", " ".join(shuffled), e))
        _, e, t = rng.choice(rows)
        extra = rng.choice(NOISE_WORDS)
        q = f"{extra} {t}" if rng.random() < 0.5 else f"{t} {extra}"
        out.append(("noise", q, e))
        r = rng.random()
        if r < 0.4:
            q = rng.choice(held)
        elif r < 0.7:
            q = f"{rng.choice(held)} {rng.choice(held)}"
        else:
            q = f"{rng.choice(common)} {rng.choice(held)}"
        out.append(("absent", q, None))
    out.extend(("absent", q, None) for q in FIXED_ABSENT)
    return out
