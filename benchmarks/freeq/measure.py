"""What the free-questions benchmark times, in a fresh (child) process on a copy of the
store: ``measure`` opens the engine cold, loads the model, times every question, then
``breakdown`` (where a free question's time goes, by instrumented engine methods),
``probes`` (the SQL of single questions, re-run alone with their query plans) and the
moderator adds."""

from __future__ import annotations

import json
import random
import re
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path

from bot.answering.retrieval import stem


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


def measure(db: Path, qfile: Path, seed: int) -> dict:
    """Everything timed on the big store, in this (fresh) process."""
    import gc

    import psutil

    proc = psutil.Process()

    def rss() -> float:
        gc.collect()
        return proc.memory_info().rss / 2**20

    out: dict = {"rss": {}}
    out["rss"]["python"] = rss()
    t = time.perf_counter()
    from bot.engine import Engine
    from bot.language.embedding import embedder
    from bot.models import SYSTEM
    from bot.moderation import Moderation

    out["import_s"] = time.perf_counter() - t
    out["rss"]["imported"] = rss()
    questions = json.loads(qfile.read_text(encoding="utf-8"))

    t = time.perf_counter()
    engine = Engine.open(db, seed=False)
    out["open_s"] = time.perf_counter() - t
    out["names_indexed"] = len(engine.index)
    out["rss"]["opened"] = rss()
    store = engine.store
    ids = dict(store.db.execute("SELECT key, id FROM entity").fetchall())
    fact_ids = dict(store.db.execute("SELECT key, id FROM fact").fetchall())

    rng = random.Random(seed)
    named = questions["named"]
    # The name-only engine: name questions, no model loaded yet.
    for item in named[:200]:
        engine.ask(item["q"])
    import bot.language.embedding as embedding_module

    out["model_loaded_by_names"] = embedding_module._shared.cache_info().currsize > 0
    out["rss"]["name questions"] = rss()

    t = time.perf_counter()
    emb = embedder()
    out["model_s"] = time.perf_counter() - t
    out["rss"]["model"] = rss()
    firsts = []
    for item in questions["free"][:3]:
        t = time.perf_counter()
        engine.ask(item["q"])
        firsts.append((time.perf_counter() - t) * 1000)
    out["first_free_ms"] = firsts

    items = (
        [("free", q) for q in questions["free"]]
        + [("absent", q) for q in questions["absent"]]
        + [("named", q) for q in named]
    )
    rng.shuffle(items)
    for _, item in items[:50]:  # warm-up
        engine.ask(item["q"])
    results = []
    for cls, item in items:
        t0 = time.perf_counter()
        answer = engine.ask(item["q"])
        ms = (time.perf_counter() - t0) * 1000
        first = answer.facts[0].id if answer.answered else None
        row = {
            "cls": cls,
            "ms": ms,
            "answered": answer.answered,
            "via": answer.via,
            "first": first,
            "shown": [f.id for f in answer.facts] if answer.answered else [],
            "entity": answer.entity.id if answer.entity else None,
        }
        if cls == "free":
            row["right_ids"] = [fact_ids[k] for k in item["right"]]
            row["source_id"] = fact_ids[item["source"]]
            row["subject_id"] = ids[item["subject"]]
            row["typo"] = item["typo"]
            row["q"] = item["q"]
        elif cls == "absent":
            row["category"] = item["category"]
            row["q"] = item["q"]
        else:
            row["subject_id"] = ids[item["subject"]]
        results.append(row)
    engine.flush_log()
    out["results"] = results
    out["rss"]["all questions"] = rss()

    out["breakdown"] = breakdown(engine, emb, [q["q"] for q in questions["free"][:300]])
    seasonal = [q["q"] for q in questions["free"] if " season " in q["q"]][:1]
    plain = [q["q"] for q in questions["free"] if " season " not in q["q"]][:1]
    out["probes"] = probes(engine, seasonal + plain)

    # Moderator adds: one batch each (fact row, change log, fact document, commit + fsync).
    mod = Moderation(engine)
    spent = {"flush": 0.0, "sync": 0.0}
    flush, sync = store.docs.flush, engine.sync

    def timed(f, key: str):
        def run(*a, **k):
            t = time.perf_counter()
            try:
                return f(*a, **k)
            finally:
                spent[key] += time.perf_counter() - t

        return run

    store.docs.flush, engine.sync = timed(flush, "flush"), timed(sync, "sync")
    adds = []
    for i, key in enumerate(questions["add_subjects"]):
        t = time.perf_counter()
        mod.add_fact(
            SYSTEM,
            subject=f"#{ids[key]}",
            kind="who",
            text=f"In a deleted scene number {i}, this character adopts a three-legged greyhound.",
        )
        adds.append((time.perf_counter() - t) * 1000)
    del store.docs.flush, engine.sync
    out["adds_ms"] = adds
    out["add_flush_ms"] = spent["flush"] * 1000 / max(len(adds), 1)
    out["add_sync_ms"] = spent["sync"] * 1000 / max(len(adds), 1)
    engine.close()
    return out


def breakdown(engine, emb, texts: list[str]) -> dict:
    """Mean ms per free question in each part of the engine (wrapped instance methods)."""
    store, subjects = engine.store, engine.subjects
    spent: dict[str, float] = defaultdict(float)
    calls: Counter[str] = Counter()
    slow_search: list[tuple[float, list[str]]] = []
    targets = [
        (subjects, "resolve", "name lookup (Subjects.resolve)"),
        (subjects, "mentions", "mentions (Subjects.mentions)"),
        (store.docs, "doc_freqs", "doc_freqs (fts5vocab)"),
        (store.docs, "size", "size (count(*) fact_doc)"),
        (store.docs, "search", "search (FTS5 MATCH, bm25)"),
        (store.docs, "search_in", "search_in (mentioned subjects)"),
        (store.docs, "docs", "docs (bodies + vectors)"),
        (store, "facts_by_ids", "facts_by_ids"),
        (store, "facts_for", "facts_for (name path)"),
        (emb, "embed_one", "embed question"),
        (engine, "flush_log", "question log flush"),
    ]
    saved = []
    for obj, attr, label in targets:
        original = getattr(obj, attr, None)
        if original is None:  # renamed meanwhile: the engine is being worked on
            continue
        saved.append((obj, attr))

        def wrapped(*a, _f=original, _label=label, **k):
            t = time.perf_counter()
            try:
                return _f(*a, **k)
            finally:
                dt = time.perf_counter() - t
                spent[_label] += dt
                calls[_label] += 1
                if _label.startswith("search ("):
                    slow_search.append((dt * 1000, list(a[0])))

        setattr(obj, attr, wrapped)
    total = 0.0
    try:
        for text in texts:
            t = time.perf_counter()
            engine.ask(text)
            total += time.perf_counter() - t
    finally:
        for obj, attr in saved:
            delattr(obj, attr)
    n = max(len(texts), 1)
    slow_search.sort(key=lambda x: -x[0])
    n_docs = max(store.docs.size(), 1)

    def fts_words(terms: list[str]) -> list[tuple[str, int]]:
        """The words FTS5 sees in the terms (as match_any splits them), with doc freqs."""
        words = list(dict.fromkeys(w for t in terms for w in _FTS_WORD.findall(t.lower())))
        freqs = store.docs.doc_freqs([stem(w) for w in words])
        return [(w, freqs.get(stem(w), 0)) for w in words]

    shares = [sum(df for _, df in fts_words(terms)) / n_docs for _, terms in slow_search]
    with_season = [ms for ms, terms in slow_search if any(_SEASON_TERM.match(t) for t in terms)]
    without = [ms for ms, terms in slow_search if not any(_SEASON_TERM.match(t) for t in terms)]
    return {
        "n": len(texts),
        "total_ms": total * 1000 / n,
        "parts": {k: (v * 1000 / n, calls[k] / n) for k, v in spent.items()},
        "worst_search": [
            {"ms": ms, "terms": terms, "words": fts_words(terms)} for ms, terms in slow_search[:3]
        ],
        "postings_p50": pct(shares, 0.5),
        "postings_p90": pct(shares, 0.9),
        "search_season": [len(with_season), statistics.median(with_season or [0.0])],
        "search_plain": [len(without), statistics.median(without or [0.0])],
        "docs": n_docs,
    }


_FTS_WORD = re.compile(r"[^\W_]+")
_SEASON_TERM = re.compile(r"^season \d+$")
_ID_LIST = re.compile(r"(?:-?\d+, ){3,}-?\d+")


def probes(engine, questions: list[str]) -> dict:
    """The SQL one free question runs (traced), each statement run again alone: its time
    on the big store (best of 5) and its query plan; the slowest few, per question."""
    db = engine.store.db
    out = {}
    for text in questions:
        traced: list[str] = []
        db.conn.set_trace_callback(traced.append)
        try:
            t = time.perf_counter()
            engine.ask(text)
            total = (time.perf_counter() - t) * 1000
        finally:
            db.conn.set_trace_callback(None)
        rows = []
        top = [q for q in traced if not q.startswith("--")]
        nested = Counter(" ".join(q.split()[:6]) for q in traced if q.startswith("--"))
        for sql in top:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            best = float("inf")
            for _ in range(5):
                t = time.perf_counter()
                db.execute(sql).fetchall()
                best = min(best, time.perf_counter() - t)
            plan = "; ".join(r[3] for r in db.execute("EXPLAIN QUERY PLAN " + sql).fetchall())
            rows.append((best * 1000, _ID_LIST.sub("<ids>", " ".join(sql.split())), plan))
        rows.sort(key=lambda r: -r[0])
        out[text] = {
            "ms": total,
            "statements": len(top),
            "nested": nested.most_common(2),
            "slowest": rows[:4],
        }
    return out
