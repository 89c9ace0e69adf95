"""What the lookup benchmark measures at one store size, in a fresh process (so that RSS is
the index's own): ``run_size`` builds the store, the index and the questions, then times
search(), best(), complete(), add()/remove() and compact(), and the full WRatio scan on a
sample; accuracy per category for both."""

from __future__ import annotations

import gc
import random
import time

import psutil
from rapidfuzz import fuzz, process

from bot.answering.lookup import CUTOFF, AliasIndex
from bot.language.text import normalize

from .questions import CATEGORIES, make_questions
from .store import make_store


def _rss() -> float:
    return psutil.Process().memory_info().rss / 2**20


def run_size(size: int, n_queries: int, seed: int, scan_sample: int) -> dict:
    """Everything measured at one store size (runs in a fresh process)."""
    rows, held_out = make_store(size, seed)
    questions = make_questions(rows, held_out, n_queries, seed)
    entities = len({e for _, e, _ in rows})
    gc.collect()
    rss0 = _rss()
    t0 = time.perf_counter()
    index = AliasIndex.build(rows)
    build_s = time.perf_counter() - t0
    gc.collect()
    rss1 = _rss()

    search_ms, best_ms = [], []
    correct: dict[str, list[bool]] = {c: [] for c in CATEGORIES}
    results = []
    warm = random.Random(seed + 4)  # warm-up on other questions: first-touch page faults
    for _ in range(300):
        text = normalize(warm.choice(rows)[2])
        index.search(text[: max(3, len(text) - 2)])
    for cat, q, expected in questions:
        t = time.perf_counter_ns()
        index.search(q)
        search_ms.append((time.perf_counter_ns() - t) / 1e6)
        t = time.perf_counter_ns()
        hit = index.best(q)
        best_ms.append((time.perf_counter_ns() - t) / 1e6)
        ok = (hit is None) if expected is None else (hit is not None and hit.entity_id == expected)
        correct[cat].append(ok)
        results.append(ok)

    # complete(): prefixes of aliases, as typed.
    rng = random.Random(seed + 2)
    prefixes = []
    for _ in range(300):
        norm = normalize(rng.choice(rows)[2])
        prefixes.append(norm[: rng.randint(1, max(1, min(len(norm), 8)))])
    complete_ms = []
    for p in prefixes:
        t = time.perf_counter_ns()
        index.complete(p)
        complete_ms.append((time.perf_counter_ns() - t) / 1e6)

    # add()/remove(): moderator edits on the live index.
    n_edit = 1000
    t = time.perf_counter()
    for i in range(n_edit):
        index.add(10**9 + i, 10**9 + i, f"Edited Alias {i} {rows[i % len(rows)][2]}")
    add_us = (time.perf_counter() - t) / n_edit * 1e6
    t = time.perf_counter()
    for i in range(n_edit):
        index.remove(10**9 + i)
    remove_us = (time.perf_counter() - t) / n_edit * 1e6
    t = time.perf_counter()
    index.compact()  # what add()/remove() trigger once the changes outgrow the base
    compact_s = time.perf_counter() - t
    del index
    gc.collect()

    # The full scan, on a sample at big sizes.
    names = [normalize(t) for _, _, t in rows]
    ents = [e for _, e, _ in rows]
    sample = list(range(len(questions)))
    if size > 10_000 and len(sample) > scan_sample:
        sample = sorted(random.Random(seed + 3).sample(sample, scan_sample))
    scan_ms = []
    scan_ok: dict[str, list[bool]] = {c: [] for c in CATEGORIES}
    mine_on_sample: dict[str, list[bool]] = {c: [] for c in CATEGORIES}
    for i in sample:
        cat, q, expected = questions[i]
        t = time.perf_counter_ns()
        found = process.extractOne(
            normalize(q), names, scorer=fuzz.WRatio, processor=None, score_cutoff=CUTOFF
        )
        scan_ms.append((time.perf_counter_ns() - t) / 1e6)
        got = ents[found[2]] if found else None
        scan_ok[cat].append(got == expected)
        mine_on_sample[cat].append(results[i])

    return {
        "size": size,
        "entities": entities,
        "questions": len(questions),
        "build_s": build_s,
        "rss_mb": rss1,
        "index_mb": rss1 - rss0,
        "search_ms": search_ms,
        "best_ms": best_ms,
        "complete_ms": complete_ms,
        "add_us": add_us,
        "remove_us": remove_us,
        "compact_s": compact_s,
        "correct": correct,
        "scan_ms": scan_ms,
        "scan_ok": scan_ok,
        "mine_on_sample": mine_on_sample,
    }
