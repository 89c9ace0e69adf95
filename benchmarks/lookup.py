"""Benchmark the alias index (bot.answering.lookup) against a full rapidfuzz WRatio scan.

    python benchmarks/lookup.py [--sizes 10000 100000 1000000] [--queries N] [--seed S]
                                [--scan-sample N]

Per size, in a fresh process (so RSS is the index's own): build a seeded store of
realistic aliases (multilingual people with nicknames and spelling variants, show titles,
organisations with articles, made-up words so the vocabulary grows with the store;
1-4 aliases per entity, every normalised alias unique), then ask questions with known
answers:

- exact: an alias with its case and punctuation shuffled;
- typo1 / typo2: 1 or 2 random edits (substitute, delete, insert, swap neighbours) inside
  words of 4+ letters, of aliases of 6+ (typo1) or 9+ (typo2) letters;
- reordered: the words of a 2+ word alias shuffled;
- noise: an alias with leftover question words around it ("actor", "the show",
  "netflix"...; some of them are not in the index's list of question words);
- absent: names that are not in the store, built from made-up words 3+ edits away from
  every store word, alone or next to a common store word ("Maria Quorvan"); best() must
  return None.

The scan is rapidfuzz.process.extractOne(normalized query, normalized aliases,
scorer=WRatio) with the same CUTOFF, on a sample of the questions at big sizes.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from itertools import accumulate
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import psutil
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
from rich.console import Console
from rich.table import Table

from bot.answering.lookup import CUTOFF, AliasIndex
from bot.language.text import normalize

FIRST = """
James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara
Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony
Betty Mark Margaret Donald Sandra Steven Ashley Paul Kimberly Andrew Emily Joshua Donna
Kenneth Michelle Kevin Carol Brian Amanda George Melissa Timothy Deborah Ronald Stephanie
Jason Rebecca Edward Laura Jeffrey Helen Ryan Sharon Jacob Cynthia Gary Kathleen Nicholas
Amy Eric Shirley Jonathan Angela Stephen Anna Larry Ruth Justin Brenda Scott Pamela
Brandon Nicole Benjamin Katherine Samuel Virginia Frank Catherine Gregory Christine
Raymond Samantha Patrick Debra Jack Janet Dennis Rachel Jerry Carolyn Tyler Emma Aaron
Maria Heather José Diane Adam Julie Henry Joyce Nathan Victoria Douglas Kelly Zachary
Christina Peter Joan Kyle Evelyn Walter Lauren Ethan Judith Jeremy Olivia Harold Megan
Keith Cheryl Christian Martha Roger Andrea Noah Frances Gerald Hannah Carl Jacqueline
Terry Ann Sean Gloria Austin Jean Arthur Kathryn Lawrence Alice Jesse Teresa Dylan Sara
Bryan Janice Joe Doris Jordan Madison Billy Julia Bruce Grace Albert Judy Willie Abigail
Gabe Zoë Chloé Léa Hélène François Jérôme Amélie Noémie Benoît Søren Bjørn Åsa Björn
Jürgen Günter Jörg Müller Łukasz Małgorzata Wojciech Agnieszka Krzysztof Paweł Zofia
Dmitri Olga Sergei Natalia Ivan Anastasia Yuri Svetlana Mikhail Ekaterina Alexei Irina
Hiroshi Yuki Takeshi Sakura Kenji Aiko Haruto Yui Sora Ren Wei Mei Jun Xiu Li Ming
Hyun Ji-woo Min-jun Seo-yeon Ahmed Fatima Omar Layla Youssef Amira Khalid Nour Hassan
Priya Arjun Ananya Rohan Aditya Kavya Vikram Deepika Raj Sanjay Giulia Matteo Sofia
Alessandro Francesca Lorenzo Chiara João Inês Tiago Beatriz Rafael Lucía Alejandro
Valentina Mateo Camila Santiago Ximena Diego Ayşe Mehmet Elif Emre Zeynep Nikos Eleni
Yiannis Sven Ingrid Lars Astrid Nils Freya Oskar Sigrid Aoife Siobhan Niamh Ciarán Seán
Kwame Amara Chidi Ngozi Tendai Thabo Zanele Kofi Akosua Trish Patsy Jeri Luke Danny
Matt Foggy Karen Malcolm Claire Misty Colleen Ward Joy Harold Dorothy Oscar Vido
""".split()

LAST = """
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White
Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres
Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts
Gómez Phillips Evans Turner Díaz Parker Cruz Edwards Collins Reyes Stewart Morris
Morales Murphy Cook Rogers Gutiérrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly
Howard Ramos Kim Cox Ward Richardson Watson Brooks Chávez Wood James Bennett Gray
Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jiménez
Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch
Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann
Dubois Lefèvre Moreau Laurent Simon Michel Lefebvre Leroy Roux David Bertrand Morel
Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Blanc Guérin Muller
Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański
Woźniak Dąbrowski Kozłowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski
Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov Novikov Fedorov
Morozov Volkov Alekseev Lebedev Semenov Egorov Pavlov Kozlov Stepanov Nikolaev
Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida
Yamada Sasaki Yamaguchi Matsumoto Inoue Kimura Hayashi Shimizu Yamazaki Mori Abe
Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo
Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Ahn Song
Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo
Conti Costa Giordano Mancini Rizzo Lombardi Moretti Silva Santos Oliveira Souza Pereira
Ferreira Alves Lima Carvalho Ribeiro Almeida Yılmaz Kaya Demir Şahin Çelik Yıldız
Öztürk Aydın Papadopoulos Georgiou Nikolaidis Andersson Johansson Karlsson Nilsson
Eriksson Larsson Olsen Hansen Jensen Nielsen Pedersen Kristensen Virtanen Korhonen
O'Brien O'Connor O'Neill McCarthy MacDonald Fitzgerald Ó'Súilleabháin Okafor Mensah
Adeyemi Okonkwo Mbeki Dlamini Nkosi Khumalo Haddad Khoury Mansour Saleh Hakimi Sharma
Gupta Singh Kumar Reddy Iyer Banerjee Chatterjee Desai Mehta Joshi Rosenberg Hogarth
Cage Rand Murdock Nelson Page Castle Ducasse Knight Wing Meachum Trish Gao Bakuto
""".split()

NICK = """
Hellcat Nuke Daredevil Punisher Kingpin Elektra Bullseye Stick Diamondback Cottonmouth
Mariah Shades Tombstone Bushmaster Typhoid Gunslinger Nightshade Silhouette Blacksmith
Ironfist Nightwing Redhood Shadowcat Firestar Iceman Starling Ravager Wraith Specter
Nomad Raven Sparrow Falcon Hawkeye Mockingbird Viper Cobra Scorpion Mantis Hornet
Phantom Reaper Banshee Siren Oracle Prophet Wanderer Drifter Ranger Warden Sentinel
Jigsaw Rampage Whiplash Crossbones Taskmaster Madame Doctor Professor Captain Major
""".split()

ADJ = """
Dark Lost Silent Broken Hidden Last Golden Crimson Wild Frozen Burning Fallen Secret
Endless Bright Hollow Savage Quiet Distant Wicked Lonely Sacred Twisted Electric Iron
Silver Scarlet Midnight Northern Southern Eastern Western Little Big Young Old Strange
Perfect Sweet Bitter Cold Hot Royal Blind Hungry Gentle Brave Happy Sad Crazy Lucky
Dead Living Final Forgotten Infinite Ancient Modern Sleeping Rising Falling Running
""".split()

NOUN = """
Kingdom Empire Throne Crown Sword Shadow Night Day River Mountain Ocean Forest City
Street House Family Brothers Sisters Daughters Sons Hearts Minds Bones Blood Fire Ice
Storm Wind Rain Sun Moon Star Stars Sky Road Bridge Tower Castle Garden Island Valley
Desert Harbor Station Hospital School College Office Precinct Squad Unit Agency Bureau
Detective Doctor Lawyer Nurse Teacher Witness Stranger Neighbor Killer Hunter Runner
Wolf Wolves Lion Dragon Crow Raven Snake Tiger Bear Fox Hound Horse Shark Spider Ghost
Witch Wizard Vampire Angel Demon Saint Sinner King Queen Prince Princess Knight Soldier
Spy Thief Pirate Outlaw Sheriff Ranger Marshal Judge Jury Code Game Games Dream Dreams
Secret Secrets Lies Truth Promise Mirror Window Door Key Clock Hour Minute Season Chapter
Affair Mystery Legacy Dynasty Academy Chronicles Files Diaries Tales Stories Legends
""".split()

ORG = """
Corporation Industries Enterprises Group Holdings Institute Foundation Society Council
Agency Bureau Company Partners Associates Labs Syndicate Brotherhood Order Guild League
Alliance Union Academy Clinic Firm Collective Network Studios Records Bank Trust
""".split()

SYLL = """
ka ro vel dran mi sha to ren lo vi an es tor bel cor dan fa gri hal im jo kel lum mar
nor ol pra quin ras sil tam ul var wen xan yor zel bri cla dro fen gal hin ist jar kor
len mor nal ost pel rin sor tul urs vor wyn zar ab ec id ob ut ai ei ou ia eo
""".split()

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


# ---------------------------------------------------------------- the store


def _synthetic(rng: random.Random, lo: int = 2, hi: int = 4) -> str:
    """A made-up name of lo..hi syllables, mostly two: ~7 letters, like real surnames."""
    n = min(hi, max(lo, rng.choices((2, 3, 4), (60, 33, 7))[0]))
    return "".join(rng.choice(SYLL) for _ in range(n)).capitalize()


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


# ---------------------------------------------------------------- questions


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


# ---------------------------------------------------------------- measuring


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=1200, help="questions per size")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--scan-sample",
        type=int,
        default=200,
        help="questions given to the slow full scan above 10k aliases",
    )
    args = parser.parse_args()
    console = Console(width=120)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    console.print(f"CUTOFF = {CUTOFF}; one size per fresh process; load average {load}")
    for size in args.sizes:
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
            r = pool.submit(run_size, size, args.queries, args.seed, args.scan_sample).result()
        report(r, console)


if __name__ == "__main__":
    main()
