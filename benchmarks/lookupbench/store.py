"""The lookup benchmark's store: ``make_store``, seeded rows of aliases (multilingual people
with nicknames and spelling variants, show titles, organisations with articles, made-up
words), 1-4 aliases per entity, every normalised alias unique; and the made-up words kept
out of it, for absent-subject questions."""

from __future__ import annotations

import random
from itertools import accumulate

from bot.language.text import normalize

from .names import ADJ, FIRST, LAST, NICK, NOUN, ORG, _synthetic


def _typo_variant(rng: random.Random, word: str) -> str:
    """A plausible alternative spelling (Killgrave/Kilgrave) of a word."""
    if len(word) < 5:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    if rng.random() < 0.5:
        return word[:i] + word[i] + word[i:]  # doubled letter
    return word[:i] + word[i + 1 :]


def make_store(size: int, seed: int) -> tuple[list[tuple[int, int, str]], list[str]]:
    """Rows (key, entity_id, text) and the made-up words kept out of the store."""
    rng = random.Random(seed)
    n_syn = max(200, size // 8)
    syn: set[str] = set()
    while len(syn) < n_syn + 600:
        syn.add(_synthetic(rng))
    syn_list = sorted(syn)
    rng.shuffle(syn_list)
    held_out, syn_list = syn_list[:600], syn_list[600:]
    lasts = LAST + syn_list
    firsts = FIRST + syn_list[: len(syn_list) // 4]
    # Zipf-ish: a few names are very common, most are rare.
    last_cw = list(accumulate(1.0 / (i + 1) ** 0.8 for i in range(len(lasts))))
    first_cw = list(accumulate(1.0 / (i + 1) ** 0.6 for i in range(len(firsts))))

    def a_last() -> str:
        return rng.choices(lasts, cum_weights=last_cw)[0]

    def a_first() -> str:
        return rng.choices(firsts, cum_weights=first_cw)[0]

    rows: list[tuple[int, int, str]] = []
    seen: set[str] = set()
    entity = 0

    def emit(aliases: list[str]) -> None:
        nonlocal entity
        kept = []
        for a in aliases:
            n = normalize(a)
            if n and n not in seen:
                seen.add(n)
                kept.append(a)
        if kept:
            entity += 1
            for a in kept:
                rows.append((len(rows) + 1, entity, a))

    def person() -> list[str]:
        first = a_first()
        last = a_last()
        out = [f"{first} {last}"]
        r = rng.random()
        if r < 0.15:
            out[0] = f"{first} {a_first()} {last}"
        elif r < 0.25:
            out[0] = f"{first} {rng.choice('ABCDEFGHJKLMNPRSTW')}. {last}"
        if rng.random() < 0.35:
            out.append(rng.choice(NICK) if rng.random() < 0.3 else _synthetic(rng, 2, 3))
        if rng.random() < 0.15:
            out.append(f"{rng.choice(['Dr.', 'Captain', 'Detective', 'Agent'])} {last}")
        if rng.random() < 0.1:
            out.append(f"{first} {_typo_variant(rng, last)}")
        if rng.random() < 0.1:
            out.append(f"{a_first()} {last}")
        return out

    def show() -> list[str]:
        a, n1, n2 = rng.choice(ADJ), rng.choice(NOUN), rng.choice(NOUN)
        pattern = rng.randrange(7)
        title = [
            f"The {a} {n1}",
            f"{n1} of {n2}",
            f"{a} {n1}",
            f"The {n1}",
            f"{n1} & {n2}",
            f"{a_last()}'s {n1}",
            f"{_synthetic(rng)} {n1}",
        ][pattern]
        out = [title]
        if rng.random() < 0.3:
            out.append(f"{title}: {rng.choice(ADJ)} {rng.choice(NOUN)}")
        if rng.random() < 0.2:
            out.append("".join(w[0] for w in title.split() if w[0].isalpha()).upper())
        return out

    def org() -> list[str]:
        base = rng.choice([a_last(), _synthetic(rng), rng.choice(NOUN)])
        form = rng.randrange(5)
        name = [
            f"The {base} {rng.choice(ORG)}",
            f"{base} {rng.choice(ORG)}",
            f"Department of {rng.choice(NOUN)}",
            f"House of {base}",
            f"The {rng.choice(NOUN)}",
        ][form]
        out = [name]
        if rng.random() < 0.3 and form in (0, 1):
            out.append(base)
        return out

    while len(rows) < size:
        r = rng.random()
        if r < 0.65:
            emit(person())
        elif r < 0.85:
            emit(show())
        elif r < 0.95:
            emit(org())
        else:
            emit([rng.choice(NICK) + rng.choice(NOUN).lower(), _synthetic(rng, 3, 4)])
    return rows[:size], held_out
