"""The lookup benchmark's printed figures: ``report``, one table per store size (the index
against the full scan: build, RSS, latencies, throughput, top-1 accuracy by category)."""

from __future__ import annotations

import statistics

from rich.console import Console
from rich.table import Table

from .questions import CATEGORIES


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def _acc(oks: list[bool]) -> str:
    if not oks:
        return "-"
    return f"{100 * sum(oks) / len(oks):5.1f}% ({len(oks)})"


def report(r: dict, console: Console) -> None:
    size = r["size"]
    table = Table(
        title=f"{size:,} aliases ({r['entities']:,} entities), {r['questions']} questions",
        title_justify="left",
    )
    table.add_column("metric")
    table.add_column("AliasIndex", justify="right")
    table.add_column(f"WRatio scan (n={len(r['scan_ms'])})", justify="right")
    table.add_column("AliasIndex on scan's sample", justify="right")
    table.add_row("build / cold start", f"{r['build_s']:.2f} s", "-", "")
    table.add_row("RSS (index's share)", f"{r['rss_mb']:.0f} MB (+{r['index_mb']:.0f} MB)", "", "")
    s, b, c, sc = r["search_ms"], r["best_ms"], r["complete_ms"], r["scan_ms"]
    table.add_row(
        "search() p50 / p99",
        f"{_pct(s, 50):.3f} / {_pct(s, 99):.3f} ms",
        f"{_pct(sc, 50):.1f} / {_pct(sc, 99):.1f} ms",
        "",
    )
    table.add_row("best() p50 / p99", f"{_pct(b, 50):.3f} / {_pct(b, 99):.3f} ms", "", "")
    table.add_row(
        "questions / s (1 core)",
        f"{1000 / statistics.fmean(b):,.0f}",
        f"{1000 / statistics.fmean(sc):,.1f}",
        "",
    )
    table.add_row("complete() p50 / p99", f"{_pct(c, 50):.3f} / {_pct(c, 99):.3f} ms", "", "")
    table.add_row("add() / remove()", f"{r['add_us']:.0f} / {r['remove_us']:.0f} µs", "", "")
    table.add_row("compact() (a rebuild)", f"{r['compact_s']:.2f} s", "", "")
    everything: list[bool] = []
    scan_all: list[bool] = []
    mine_all: list[bool] = []
    for cat in CATEGORIES:
        everything += r["correct"][cat]
        scan_all += r["scan_ok"][cat]
        mine_all += r["mine_on_sample"][cat]
        table.add_row(
            f"top-1 {cat}",
            _acc(r["correct"][cat]),
            _acc(r["scan_ok"][cat]),
            _acc(r["mine_on_sample"][cat]),
        )
    table.add_row("top-1 overall", _acc(everything), _acc(scan_all), _acc(mine_all))
    console.print(table)
