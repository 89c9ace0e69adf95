"""The free-questions benchmark's synthetic store as a SQLite database: ``cached_store``
finds it under benchmarks/results/ (keyed by the parameters and the data's digest, so a
changed generator never reuses a stale store) or builds it, timing the import
(``build``) and measuring its size on disk (``disk_usage``). The other benchmarks
(web.py, updates.py) measure on copies of it."""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from pathlib import Path

from . import ROOT
from .world import World, data_digest

RESULTS = ROOT / "benchmarks" / "results"


def build(path: Path, data: dict) -> dict:
    """Import ``data`` into a fresh unseeded store at ``path``, in one transaction, timed."""
    from bot.engine import Engine
    from bot.language.embedding import embedder
    from bot.models import SYSTEM
    from bot.store.importcheck import MAX_RECORDS, SECTIONS
    from bot.store.interchange import import_data

    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    engine = Engine.open(path, seed=False)
    store = engine.store
    emb = embedder()  # loaded before the clock starts: a bot process has it already
    spent = {"flush": 0.0, "embed": 0.0}
    flush, embed = store.docs.flush, emb.embed

    def timed_flush() -> int:
        t = time.perf_counter()
        try:
            return flush()
        finally:
            spent["flush"] += time.perf_counter() - t

    def timed_embed(texts: list[str]):
        t = time.perf_counter()
        try:
            return embed(texts)
        finally:
            spent["embed"] += time.perf_counter() - t

    store.docs.flush, emb.embed = timed_flush, timed_embed
    # The interchange format caps a file at MAX_RECORDS; a bigger store goes in as
    # several files, still inside one outer transaction (import_data nests as savepoints).
    chunks: list[dict] = []
    current: dict = {"format": "showbot", "version": 1}
    size = 0
    for section in SECTIONS:
        for record in data.get(section, ()):
            if size >= MAX_RECORDS - 1:
                chunks.append(current)
                current, size = {"format": "showbot", "version": 1}, 0
            current.setdefault(section, []).append(record)
            size += 1
    chunks.append(current)
    records = sum(len(data.get(s, ())) for s in SECTIONS)
    started = time.perf_counter()
    with store.atomic():
        for chunk in chunks:
            import_data(store, chunk, SYSTEM)
    seconds = time.perf_counter() - started
    store.docs.flush, emb.embed = flush, embed
    docs = store.docs.size()
    engine.close()
    return {
        "import_s": seconds,
        "flush_s": spent["flush"],
        "embed_s": spent["embed"],
        "records": records,
        "facts": len(data["facts"]),
        "docs": docs,
        "chunks": len(chunks),
        "built_at": time.strftime("%Y-%m-%d %H:%M"),
    }


def cached_store(
    world: World, n_facts: int, seed: int, *, rebuild: bool = False
) -> tuple[Path, dict, bool]:
    """The store of ``world`` under benchmarks/results/ (keyed by the parameters and the
    data's digest), built if missing or ``rebuild``: its path, build figures, and whether
    it was built now. The other benchmarks measure on copies of it."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"free_questions-{n_facts}f-s{seed}-{data_digest(world.data)}.db"
    meta_path = path.with_suffix(".json")
    if not rebuild and path.exists() and meta_path.exists():
        return path, json.loads(meta_path.read_text(encoding="utf-8")), False
    print(f"building {path.name} (one import transaction)...", file=sys.stderr)
    part = path.with_name(path.name + ".part")
    build_info = build(part, world.data)
    build_info["disk"] = disk_usage(part)
    part.replace(path)
    meta_path.write_text(json.dumps(build_info, indent=1), encoding="utf-8")
    return path, build_info, True


def disk_usage(path: Path) -> dict:
    """Bytes per table/index (dbstat), the fact documents' tables apart."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    finally:
        conn.close()
    tables = {name: int(size) for name, size in rows}
    docs = {n: s for n, s in tables.items() if n.startswith("fact_doc")}
    return {"total": page_size * pages, "file": path.stat().st_size, "docs": docs}
