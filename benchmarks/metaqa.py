"""MetaQA 1-hop dev: a public movie QA benchmark, asked of an engine never trained on it.

    python benchmarks/metaqa.py [--data DIR] [--db PATH] [--rebuild] [--limit N] [--json]
                                [--show-misses K] [--dump FILE]

What it measures (the data and its rules: ../shared/benchmarks/metaqa/README.md; it is read
from there, never copied into the project):

1. Imports the union of the knowledge-base triples the dev questions need as facts, through
   the public import path (the interchange format, bot.store.interchange.import_data, in
   one transaction) into a fresh unseeded store: a movie is a subject of kind ``show``, a
   director, writer or actor one of kind ``person``, each triple one confirmed fact about
   its movie, worded as the README's table says, citing one source. Triples the table has
   no wording for (IMDb ratings and votes) and values the validation limits refuse are
   skipped and counted. The store is cached under benchmarks/results/ (gitignored), keyed
   by a digest of the data and this script; ``--rebuild`` builds it again (do so after a
   change to how the store writes fact documents: the digest can't see that).
2. Asks every dev question, brackets removed, through ``Engine.ask`` then ``Engine.reply``
   (what ``python -m bot ask`` does with free text) on a copy of the store, one process,
   and times that phase (the model is loaded before the clock starts, as a bot has it).
3. Scores per question type: right (answered, and one of the first three facts names a
   gold answer: whole words, any case), unanswered, wrong (answered, no gold in the first
   three facts) and, of the wrong, off-topic (the answer's subject is not the bracketed
   topic and none of its first three facts names it).

It only imports and measures: nothing here changes how the engine answers.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from metaqa_rewording import reword  # noqa: E402

from bot import validation as v  # noqa: E402

DATA = ROOT / ".." / "shared" / "benchmarks" / "metaqa"
RESULTS = ROOT / "benchmarks" / "results"
FILES = ("1hop_dev.txt.gz", "1hop_dev.json.gz", "1hop_dev_qtype.txt.gz")
SOURCE = {
    "key": "metaqa-kb",
    "title": "WikiMovies knowledge base (MetaQA)",
    "publisher": "MetaQA (Zhang et al., AAAI 2018), CC BY 3.0",
    "url": "https://github.com/yuyuz/MetaQA",
}
# relation -> (fact kind, text); {m} the movie, {x} the other end (README's table).
WORDING = {
    "directed_by": ("who", "{m} was directed by {x}."),
    "written_by": ("who", "{m} was written by {x}."),
    "starred_actors": ("who", "{x} stars in {m}."),
    "release_year": ("when", "{m} was released in {x}."),
    "in_language": ("what", "{m} is in {x}."),
    "has_genre": ("what", "{m} is a {x} film."),
    "has_tags": ("what", '{m} is tagged "{x}".'),
}
PEOPLE = {"directed_by", "written_by", "starred_actors"}
SHOWN = 3  # a question is right when one of the reply's first three facts names a gold answer

Triple = tuple[str, str, str]  # (movie, relation, value)


@dataclass
class Item:
    text: str  # as a fan types it: brackets removed
    topic: str
    gold: list[str]
    qtype: str


COLUMNS = ("total", "right", "unanswered", "wrong", "off_topic", "shown")


@dataclass
class Tally:
    counts: Counter[str] = field(default_factory=Counter)  # of COLUMNS
    misses: list[dict[str, Any]] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        c = self.counts
        share = round(100 * c["right"] / c["total"], 1) if c["total"] else 0.0
        shown = round(100 * c["shown"] / c["total"], 1) if c["total"] else 0.0
        return {**{name: c[name] for name in COLUMNS}, "right_pct": share, "shown_pct": shown}


# ------------------------------------------------------------------ data


def _lines(folder: Path, name: str) -> list[str]:
    with gzip.open(folder / name, "rt", encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def load(folder: Path) -> tuple[list[Item], set[Triple]]:
    """The dev questions (with their types) and the union of their triples, movie first."""
    types = _lines(folder, FILES[2])
    items: list[Item] = []
    for line, qtype in zip(_lines(folder, FILES[0]), types, strict=True):
        question, _, answers = line.partition("\t")
        topic = re.search(r"\[([^\]]+)\]", question)
        text = " ".join(question.replace("[", "").replace("]", "").split())
        items.append(Item(text, topic[1] if topic else "", answers.split("|"), qtype))
    triples: set[Triple] = set()
    for line in _lines(folder, FILES[1]):
        for t in json.loads(line)["triples"]:
            rel, inverse = t["r"].removesuffix(" [inverse]"), t["r"].endswith(" [inverse]")
            triples.add((t["t"], rel, t["h"]) if inverse else (t["h"], rel, t["t"]))
    return items, triples


def interchange(triples: set[Triple]) -> tuple[dict[str, Any], Counter[str]]:
    """The triples as one interchange file, and what was skipped (by reason)."""
    skipped: Counter[str] = Counter()
    entities: dict[str, dict[str, Any]] = {}
    facts: list[dict[str, Any]] = []

    def subject(name: str, kind: str) -> str | None:
        key = f"{kind}:{name}"
        if key not in entities:
            try:
                clean = v.clean_text(name, "name", v.MAX_NAME)
            except v.InvalidInputError:
                return None
            entities[key] = {"key": key, "name": clean, "kind": kind}
        return key

    for movie, rel, value in sorted(triples):
        if rel not in WORDING:
            skipped[f"no wording for {rel}"] += 1
            continue
        about = subject(movie, "show")
        if about is None or (rel in PEOPLE and subject(value, "person") is None):
            skipped["name refused by validation"] += 1
            continue
        kind, template = WORDING[rel]
        fact: dict[str, Any] = {
            "key": f"metaqa-{len(facts) + 1}",
            "entity": about,
            "kind": kind,
            "text": template.format(m=movie, x=value),
            "status": "confirmed",
            "source": SOURCE["key"],
        }
        try:
            v.clean_text(fact["text"], "text", v.MAX_FACT_TEXT)
            if rel == "release_year":
                fact["date"] = v.parse_date_iso(value)
        except v.InvalidInputError as exc:
            skipped[f"refused by validation ({str(exc).split(':')[0]})"] += 1
            continue
        facts.append(fact)
    data = {
        "format": "showbot",
        "version": 1,
        "sources": [SOURCE],
        "entities": list(entities.values()),
        "facts": facts,
    }
    return data, skipped


def digest(folder: Path) -> str:
    h = hashlib.sha1(Path(__file__).read_bytes())
    for name in FILES:
        h.update((folder / name).read_bytes())
    return h.hexdigest()[:10]


# ------------------------------------------------------------------ the store


def build(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """Import ``data`` into a fresh unseeded store at ``path`` in one transaction, timed."""
    from bot.engine import Engine
    from bot.language.embedding import embedder
    from bot.models import SYSTEM
    from bot.store import interchange as ic

    for suffix in ("", "-wal", "-shm", ".index"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    engine = Engine.open(path, seed=False)
    store, emb = engine.store, embedder()  # the model loads before the clock starts
    spent = dict.fromkeys(("validate", "flush", "embed"), 0.0)
    originals = (ic.validate, store.docs.flush, emb.embed)

    def timed(name: str, fn: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - t

        return run

    ic.validate = timed("validate", ic.validate)
    store.docs.flush = timed("flush", store.docs.flush)  # type: ignore[method-assign]
    emb.embed = timed("embed", emb.embed)  # type: ignore[method-assign]
    started = time.perf_counter()
    try:
        with store.atomic():
            report = ic.import_data(store, data, SYSTEM)
        total = time.perf_counter() - started
    finally:
        ic.validate, store.docs.flush, emb.embed = originals  # type: ignore[method-assign]
    engine.close()
    return {
        "import_s": round(total, 2),
        "validate_s": round(spent["validate"], 2),
        "docs_flush_s": round(spent["flush"], 2),
        "of_which_embed_s": round(spent["embed"], 2),
        "rows_s": round(total - spent["validate"] - spent["flush"], 2),
        "summary": report.summary(),
        "entities": len(data["entities"]),
        "facts": len(data["facts"]),
        "bytes": path.stat().st_size,
    }


def cached_store(
    folder: Path, data: dict[str, Any], db: Path | None, rebuild: bool
) -> tuple[Path, dict[str, Any], bool]:
    """The built store (at ``db`` or under benchmarks/results/, keyed by the digest), built
    if missing, stale or ``rebuild``: its path, build figures, and whether built now."""
    key = digest(folder)
    if db is None:
        RESULTS.mkdir(parents=True, exist_ok=True)
        db = RESULTS / f"metaqa-{key}.db"
    meta_path = db.with_name(db.name + ".json")
    if not rebuild and db.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("digest") == key:
            return db, meta, False
    print(f"building {db} (one import transaction)...", file=sys.stderr)
    meta = {"digest": key, **build(db, data)}
    meta_path.write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return db, meta, True


# ------------------------------------------------------------------ asking


def names(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE) is not None


def ask_all(db: Path, items: list[Item], keep: int, dump: Path | None) -> tuple[dict, float]:
    """Every question through Engine.ask and Engine.reply on a copy of ``db``: the tallies
    per type and the asking phase's seconds (scoring is outside the clock)."""
    from bot.engine import Engine
    from bot.language.embedding import embedder

    tallies: dict[str, Tally] = defaultdict(Tally)
    asking = 0.0
    with tempfile.TemporaryDirectory(prefix="metaqa-") as tmp:
        copy = Path(tmp) / "metaqa.db"
        src, dst = sqlite3.connect(db), sqlite3.connect(copy)
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
        engine = Engine.open(copy, seed=False)
        embedder()  # as a running bot has it
        out = dump.open("w", encoding="utf-8") if dump else None
        try:
            for item in items:
                t = time.perf_counter()
                answer = engine.ask(item.text)
                reply = engine.reply(answer)
                asking += time.perf_counter() - t
                first = [f.text for f in answer.facts[:SHOWN]]
                gold_first = any(names(f, g) for f in first for g in item.gold)
                right = answer.answered and gold_first
                # A partial reply ("I don't know who wrote X; what I know: X was directed
                # by Y") that shows a gold answer among its first facts.
                shown = right or (answer.partial and gold_first)
                matched = answer.entity.name if answer.entity else None
                outcome = "right" if right else "wrong" if answer.answered else "unanswered"
                off = outcome == "wrong" and (matched or "").casefold() != item.topic.casefold()
                off = off and not any(names(f, item.topic) for f in first)
                tally = tallies[item.qtype]
                tally.counts.update(
                    [
                        "total",
                        outcome,
                        *(["off_topic"] if off else []),
                        *(["shown"] if shown else []),
                    ]
                )
                record = {
                    "question": item.text,
                    "type": item.qtype,
                    "topic": item.topic,
                    "gold": item.gold,
                    "outcome": outcome,
                    "off_topic": off,
                    "intent": answer.intent.value,
                    "matched": matched,
                    "via": answer.via,
                    "facts": first,
                    "reply": reply.content,
                }
                if not right and len(tally.misses) < keep:
                    tally.misses.append(record)
                if out is not None:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
        finally:
            if out is not None:
                out.close()
            engine.close()
    return dict(tallies), asking


# ------------------------------------------------------------------ report


def table(tallies: dict[str, Tally]) -> tuple[list[str], Tally]:
    overall = Tally()
    for part in tallies.values():
        overall.counts.update(part.counts)
    head = (
        f"{'question type':<22}{'n':>6}{'right':>7}{'%':>7}{'unans.':>8}{'wrong':>7}{'off':>6}"
        f"{'shown %':>9}"
    )
    rule, lines = "-" * len(head), [head]
    for name, t in [("-", None), *sorted(tallies.items()), ("-", None), ("overall", overall)]:
        if t is None:
            lines.append(rule)
            continue
        r = t.row()
        lines.append(
            f"{name:<22}{r['total']:>6}{r['right']:>7}{r['right_pct']:>7.1f}"
            f"{r['unanswered']:>8}{r['wrong']:>7}{r['off_topic']:>6}{r['shown_pct']:>9.1f}"
        )
    return lines, overall


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument(
        "--data", type=Path, default=DATA, help="the MetaQA folder (default: %(default)s)"
    )
    p.add_argument("--db", type=Path, help="build (or reuse) the store here")
    p.add_argument("--rebuild", action="store_true", help="build the store even if cached")
    p.add_argument("--limit", type=int, metavar="N", help="ask only the first N questions")
    p.add_argument("--json", action="store_true", help="print a machine-readable summary")
    p.add_argument("--show-misses", type=int, default=0, metavar="K", help="K misses per type")
    p.add_argument("--dump", type=Path, metavar="FILE", help="every question's outcome (JSONL)")
    p.add_argument(
        "--reworded",
        choices=("dev", "holdout"),
        help="ask each question in one of our own wordings (benchmarks/metaqa_rewording.py)",
    )
    args = p.parse_args(argv)
    folder = args.data.resolve()
    started = time.perf_counter()
    items, triples = load(folder)
    data, skipped = interchange(triples)
    loaded = time.perf_counter() - started
    db, meta, built = cached_store(folder, data, args.db, args.rebuild)
    if args.reworded:
        items = reword(items, args.reworded)
    if args.limit is not None:
        items = items[: args.limit]
    tallies, asking = ask_all(db, items, args.show_misses, args.dump)
    lines, overall = table(tallies)
    qps = len(items) / asking if asking else 0.0
    summary = {
        "questions": len(items),
        "triples": len(triples),
        "skipped": dict(skipped),
        "store": {"path": str(db), "built_now": built, **meta},
        "load_s": round(loaded, 2),
        "ask_s": round(asking, 2),
        "questions_per_s": round(qps, 1),
        "overall": overall.row(),
        "types": {q: t.row() for q, t in sorted(tallies.items())},
    }
    if args.json:
        print(json.dumps(summary, indent=1))
        return 0
    how = f", reworded ({args.reworded} wordings)" if args.reworded else ""
    print(f"MetaQA 1-hop dev{how}: {len(items)} questions; {len(triples)} triples from {folder}")
    print(
        f"store: {db.name} ({'built now' if built else 'cached'}): {meta['entities']} subjects,"
        f" {meta['facts']} facts; skipped {sum(skipped.values())}"
        + "".join(f"; {n} {why}" for why, n in sorted(skipped.items()))
    )
    print(
        f"import: {meta['import_s']:.1f} s (validate {meta['validate_s']:.1f}, rows"
        f" {meta['rows_s']:.1f}, fact documents {meta['docs_flush_s']:.1f} of which embedding"
        f" {meta['of_which_embed_s']:.1f}); {meta['summary']}"
    )
    print(f"asking: {asking:.1f} s, {qps:.0f} questions/s (one process, reply rendered)")
    print(f"right = answered and one of the first {SHOWN} facts names a gold answer;")
    print("off = wrong and about a subject the question does not name;")
    print(f"shown = right, or a partial reply showing a gold answer in its first {SHOWN} facts\n")
    print("\n".join(lines))
    for qtype in sorted(tallies):
        for miss in tallies[qtype].misses:
            print(f"\n[{qtype}] {miss['question']}  (gold: {' | '.join(miss['gold'][:3])})")
            print(f"  {miss['outcome']}, via {miss['via']}, matched {miss['matched']!r}")
            for line in miss["reply"].splitlines()[:4]:
                print(f"  > {line[:150]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
