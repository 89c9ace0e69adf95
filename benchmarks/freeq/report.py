"""The free-questions benchmark's printed report: ``report`` turns the build figures, the
questions and the child's measurements into the text it prints, against the issue's
targets."""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
from collections import Counter, defaultdict

from .measure import pct
from .world import World


def fmt_ms(x: float) -> str:
    return f"{x:7.2f}" if x < 100 else f"{x:7.0f}"


def verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "OVER"


def share(part: int, whole: int) -> str:
    return f"{100 * part / max(whole, 1):5.1f}%"


def report(args, world: World, built: dict, qs: dict, m: dict, extra: dict) -> str:
    lines: list[str] = []
    add = lines.append
    kinds = Counter(s.kind for s in world.subjects.values())
    counts = ", ".join(
        f"{kinds[k]:,} {k}s" for k in ("show", "season", "character", "person", "organisation")
    )
    mode = "--quick" if args.quick else f"--facts {args.facts}"
    add(f"showbot free questions: {len(world.facts):,} facts, seed {args.seed} ({mode})")
    add(f"machine: {extra['pinned']}")
    add(f"  load average {os.getloadavg()[0]:.2f} (the machine is shared: figures are noisy)")
    add(f"  Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")
    add(f"store: {counts}; {len(world.data['aliases']):,} aliases")
    add(f"database: {extra['db']} ({extra['built']})")
    add("")

    n = built["facts"]
    add("write cost (bot.store.interchange.import_data, one transaction, fresh unseeded store)")
    for label, key, note in (
        ("import", "import_s", f"({built['records']:,} records in {built['chunks']} file(s))"),
        (
            "  of which fact docs",
            "flush_s",
            f"(FactIndex.flush: {built['docs']:,} FTS5 rows + int8 vectors)",
        ),
        ("  of which embedding", "embed_s", ""),
    ):
        add(f"  {label:<21} {built[key]:6.1f} s  {built[key] * 1000 / n:5.2f} ms/fact  {note}")
    adds = m["adds_ms"]
    add(
        f"  Moderation.add_fact   median {statistics.median(adds):.1f} ms, p90 {pct(adds, 0.9):.1f}"
        f" ms (n={len(adds)}; of which fact doc {m['add_flush_ms']:.2f} ms,"
        f" Engine.sync {m['add_sync_ms']:.2f} ms)"
    )
    disk = built["disk"]
    docs = sum(disk["docs"].values())
    add(
        f"disk: {disk['total'] / 2**20:.1f} MB; without fact_doc and its FTS"
        f" {(disk['total'] - docs) / 2**20:.1f} MB (dbstat)"
    )
    ordered = sorted(disk["docs"].items(), key=lambda x: -x[1])
    add("  " + ", ".join(f"{name} {size / 2**20:.1f} MB" for name, size in ordered))
    add("")

    rows = m["results"]
    free = [r for r in rows if r["cls"] == "free"]
    absent = [r for r in rows if r["cls"] == "absent"]
    named = [r for r in rows if r["cls"] == "named"]
    asked = free + absent

    def lat(label: str, sel: list[dict], target: bool = False) -> None:
        ms = [r["ms"] for r in sel] or [float("nan")]
        p50, p99 = statistics.median(ms), pct(ms, 0.99)
        tail = f"  p50 {verdict(p50, 2)}, p99 {verdict(p99, 10)}" if target else ""
        add(f"  {label:<34} {len(sel):>5} {fmt_ms(p50)} {fmt_ms(p99)} {fmt_ms(max(ms))}{tail}")

    add(f"latency per question: engine.ask, {extra['pinned_short']}, warm (targets p50 2, p99 10)")
    add(f"  {'questions':<34} {'n':>5} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    lat("free (known + absent subjects)", asked, target=True)
    lat("  answered via facts", [r for r in asked if r["answered"] and r["via"] == "facts"])
    lat("  answered via subject", [r for r in asked if r["answered"] and r["via"] == "subject"])
    lat("  unanswered", [r for r in asked if not r["answered"]])
    lat("  absent subjects", absent)
    lat("name path: !who/!when/!what <name>", named)
    for r in sorted(asked, key=lambda r: -r["ms"])[:3]:
        add(f"  slow: {r['ms']:.0f} ms {r['q']!r}")
    add("")

    first = m["first_free_ms"]
    p50_free = statistics.median([r["ms"] for r in asked])
    added_cold = m["model_s"] + max(0.0, first[0] - p50_free) / 1000
    rss = m["rss"]
    added_rss = rss["all questions"] - rss["name questions"]
    add("cold start and memory: a fresh process on this store (warm OS page cache)")
    add(f"  import bot (engine, moderation) {m['import_s']:.2f} s")
    add(f"  Engine.open                     {m['open_s']:.2f} s ({m['names_indexed']:,} names)")
    add(
        f"  model load, embedder()          {m['model_s']:.3f} s (lazy; name questions alone"
        f" loaded it: {m['model_loaded_by_names']})"
    )
    add("  first 3 free questions after it " + ", ".join(f"{x:.1f}" for x in first) + " ms")
    add(
        f"  added cold start                {added_cold:.3f} s = model + first question's extra"
        f"  (target 0.5) {verdict(added_cold, 0.5)}"
    )
    add("  RSS MB: " + ", ".join(f"{k} {v:.0f}" for k, v in rss.items()))
    add(
        f"  added RSS                       {added_rss:+.0f} MB = all questions - name-only engine"
        f"  (target 100) {verdict(added_rss, 100)}"
    )
    add("")

    add("accuracy. Right: the first fact shown is the fact the question was made from, or another")
    add("fact of the same subject whose text + quote holds every content word the question took")
    add("from it (porter stems), as the question cannot tell those apart.")
    add(
        f"  {'known-subject free questions':<30} {'n':>5} {'right':>6} {'source':>6}"
        f" {'shown':>6} {'none':>6} {'wrong':>6} other-subject"
    )

    def acc(label: str, sel: list[dict]) -> None:
        k = len(sel)
        right = sum(1 for x in sel if x["first"] in x["right_ids"])
        exact = sum(1 for x in sel if x["first"] == x["source_id"])
        shown = sum(1 for x in sel if x["source_id"] in x["shown"])
        none = sum(1 for x in sel if not x["answered"])
        other = sum(
            1
            for x in sel
            if x["answered"] and x["first"] not in x["right_ids"] and x["entity"] != x["subject_id"]
        )
        add(
            f"  {label:<30} {k:>5} {share(right, k)} {share(exact, k)} {share(shown, k)}"
            f" {share(none, k)} {share(k - right - none, k)} {other}"
        )

    acc("all", free)
    acc("  name typed exactly", [x for x in free if not x["typo"]])
    acc("  name with a typo", [x for x in free if x["typo"]])
    acc("  answered via facts", [x for x in free if x["answered"] and x["via"] == "facts"])
    acc("  via subject / none", [x for x in free if not x["answered"] or x["via"] == "subject"])
    add("  (source: the source fact first; shown: among the 1-3 shown; none: unanswered)")
    by_cat: dict[str, list[dict]] = defaultdict(list)
    for x in absent:
        by_cat[x["category"]].append(x)
    cats = ", ".join(
        f"{cat} {sum(1 for x in sel if x['answered'])}/{len(sel)}"
        for cat, sel in sorted(by_cat.items())
    )
    wrong = sum(1 for x in absent if x["answered"])
    add(f"  absent subjects answered (all wrongly): {wrong}/{len(absent)}: {cats}")
    aw = qs["absent_words"]
    add(
        f"    (names from {aw['made_up']} made-up words, {aw['real_first']} + {aw['real_last']}"
        f" real-looking names, {aw['real_titles']} titles; all 3+ edits from every store word)"
    )
    resolved = sum(1 for x in named if x["entity"] == x["subject_id"])
    answered = sum(1 for x in named if x["answered"] and x["entity"] == x["subject_id"])
    add(
        f"  name path: right subject {share(resolved, len(named))} of {len(named)};"
        f" answered with facts for the intent {share(answered, len(named))}"
    )
    for x in [x for x in free if x["first"] not in x["right_ids"]][:4]:
        add(f"  missed: {x['q']!r} (via {x['via']}, {'answered' if x['answered'] else 'none'})")
    for x in [x for x in absent if x["answered"]][:4]:
        add(f"  absent but answered: {x['q']!r}")
    add("")

    bd = m["breakdown"]
    add(
        f"where a free question's time goes: mean over {bd['n']} known-subject free questions"
        f" ({bd['total_ms']:.2f} ms each, instrumented)"
    )
    accounted = 0.0
    for label, (ms, calls) in sorted(bd["parts"].items(), key=lambda kv: -kv[1][0]):
        accounted += ms
        add(f"  {label:<34} {ms:6.2f} ms  {calls:4.1f} calls")
    add(f"  {'the rest (parse, Python scoring)':<34} {bd['total_ms'] - accounted:6.2f} ms")
    season, plain = bd["search_season"], bd["search_plain"]
    add(
        f"  search(): its words' postings p50 {100 * bd['postings_p50']:.0f}%, p90"
        f" {100 * bd['postings_p90']:.0f}% of the {bd['docs']:,} documents; median"
        f" {season[1]:.1f} ms"
    )
    add(f"    with a 'season N' term ({season[0]} queries), {plain[1]:.1f} ms without ({plain[0]})")
    for w in bd["worst_search"]:
        words = ", ".join(f"{t} {df:,}" for t, df in w["words"][:12])
        add(f"  slow search() {w['ms']:.1f} ms: {w['terms']}")
        add(f"    FTS words (documents): {words}")
    add("SQL of single free questions (traced; each statement re-run alone, best of 5)")
    for text, p in m["probes"].items():
        inner = "; ".join(f"{k:,} x {q[3:]}" for q, k in p["nested"])
        add(f"  {text!r}: {p['ms']:.1f} ms in ask, {p['statements']} statements, within them")
        add(f"    by FTS5: {inner}")
        for ms, sql, plan in p["slowest"]:
            add(f"    {ms:6.2f} ms  {sql[:140]}")
            add(f"              plan: {plan}")
    add("")
    if extra.get("throughput"):
        add("`ask -` on the seeded store: benchmarks/ask_throughput.py (same core; target 2,000/s)")
        lines.extend("  " + line for line in extra["throughput"].strip().splitlines())
        add("")
    if extra.get("labelled"):
        add("labelled questions (tests/questions/labelled.json, fresh stores)")
        lines.extend("  " + line for line in extra["labelled"])
    return "\n".join(lines)
