"""Free questions at scale: a synthetic store of 100k facts, asked in the fans' own words.

    python benchmarks/free_questions.py [--facts 100000] [--questions 2000] [--quick]
                                        [--rebuild] [--seed 11] [--no-throughput]
                                        [--throughput-questions 20000] [--no-labelled]

What it does (issue 10's "Measure" section):

1. Generates, deterministically, ~facts/20 shows with their seasons, characters, people
   and organisations, and ``--facts`` templated-but-varied facts about them ("X joined
   the cast of Y season 3 as Z", "Y season 2 premieres on 4 March 2019", "Z betrays W
   after the bank heist", "The A Foundation funds Z's clinic"), aliases for some subjects,
   sources and quotes for some facts. Names come from benchmarks/lookup.py's word lists.
2. Imports it with bot.store.interchange.import_data into a fresh unseeded store in one
   transaction, timed: the write cost per fact, fact documents (FTS5 rows and int8
   vectors, written by FactIndex.flush before the commit) included and shown apart.
   The database is cached under benchmarks/results/ (gitignored), keyed by the
   parameters and a hash of the generated data; ``--rebuild`` builds it again (do so
   after a change to how bot/store/factindex.py writes documents: the cache can't see it).
3. Makes ``--questions`` known-answer questions from a sample of facts, in the fans'
   style: a question word, the subject's name (or an alias; a typo in a quarter of them)
   and 1-2 content words of the fact. "Right" is defined in the report. A quarter as
   many absent-subject questions use the same shapes and words around names the store
   does not hold (made-up words, real-looking names, unknown seasons of known shows);
   half as many name questions (``!who <exact name>``) time the name path.
4. In a fresh child process (pinned to one core, like everything here): Engine.open
   cold, the model load, the first free questions, RSS at each step, then every question
   timed with time.perf_counter around engine.ask, then an instrumented pass (where the
   time goes), the SQL of two questions traced and re-run alone with their query plans,
   and 50 moderator adds (Moderation.add_fact), all on a copy of the cached database.
5. Runs benchmarks/ask_throughput.py (``ask -`` on the seeded store) as a subprocess, and
   scores the labelled questions of tests/questions (dev and holdout) for reference.

``--quick`` is a 10k-fact smoke run (500 questions). It prints figures against the
issue's targets; it asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from lookup import ADJ, FIRST, LAST, NICK, NOUN, ORG, _edit, _synthetic  # noqa: E402

from bot.answering.retrieval import STOP, stem  # noqa: E402
from bot.language.text import normalize  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
GENERATOR_VERSION = 1  # bump when the generator changes (the data hash catches it anyway)

# ------------------------------------------------------------------ vocabulary

GENRES = """crime drama|legal drama|medical drama|period drama|fantasy epic|science fiction
series|horror anthology|psychological thriller|western|superhero series|workplace comedy|
political drama|spy thriller|murder mystery|teen drama|family saga""".replace("\n", "").split("|")
NETWORKS = """Netflix|HBO|Hulu|AMC|the BBC|Channel 4|FX|Showtime|Starz|Prime Video|Apple TV+|
Peacock|ITV|Sky Atlantic|Paramount+|Disney+|CBS|NBC|Canal+|ZDF""".replace("\n", "").split("|")
CITIES = """Boston|Chicago|Vancouver|Belfast|Glasgow|Prague|Budapest|Atlanta|Toronto|Cape Town|
Seville|Reykjavik|New Orleans|Baltimore|Dublin|Manchester|Berlin|Marseille|Lisbon|Montreal|
Albuquerque|Detroit|Naples|Oslo|Sydney|Wellington|Mumbai|Seoul|Tokyo|Mexico City|Cardiff|
Pittsburgh|Savannah|Calgary|Gdansk|Tbilisi|Malta|Belgrade|Bristol|Hamburg""".replace(
    "\n", ""
).split("|")
OCCUPATIONS = """detective|surgeon|journalist|smuggler|hacker|defence lawyer|priest|nurse|mayor|
bartender|forensic scientist|police captain|con artist|getaway driver|school teacher|hitman|
senator|paramedic|pilot|art thief|private investigator|chef|union boss|archaeologist|
bounty hunter|prison guard|sommelier|locksmith|nun|weather girl|midwife|stuntman""".replace(
    "\n", ""
).split("|")
EVENTS = """harbor fire|bank heist|election|murder trial|warehouse explosion|wedding|blackout|
prison riot|car crash|kidnapping|hurricane|funeral|train derailment|market crash|
hostage crisis|mine collapse|masquerade ball|plane crash|border shootout|flood|
charity gala|jailbreak|poisoning|chemical spill|earthquake|custody hearing""".replace(
    "\n", ""
).split("|")
ROLES = "villain|love interest|antagonist|mentor|lead|big bad|narrator|rival|sidekick".split("|")
RELATIONS = """sister|estranged father|mentor|former partner|half-brother|bodyguard|ex-wife|twin|
godmother|childhood friend|handler|landlord|stepmother|cousin|fiancee""".replace("\n", "").split(
    "|"
)
OBJECTS = """ledger|formula|diamond|map|hard drive|letters|painting|vaccine|manuscript|key card|
necklace|codebook|serum|relic|passport|recording""".replace("\n", "").split("|")
PLACES = """the museum|the embassy|the vault|the lab|the cathedral|the casino|the lighthouse|
the archive|the precinct|the hospital|the observatory|the refinery""".replace("\n", "").split("|")
PROJECTS = """research|mayoral campaign|clinic|private militia|newspaper|orphanage|expedition|
gang war|rehab centre|startup|vigilante crusade|racing team|homeless shelter|dig site""".replace(
    "\n", ""
).split("|")
ORG_KINDS = """cartel|intelligence agency|biotech company|cult|law firm|shipping company|
mercenary outfit|tech giant|crime family|secret society|hedge fund|militia|mining company|
tabloid""".replace("\n", "").split("|")
ORG_ADJ = "secretive|corrupt|powerful|underground|ruthless|shadowy|respected|failing".split("|")
ACTIVITIES = """smuggles weapons through the docks|runs illegal experiments on prisoners|
controls the city council|launders money for the mob|hunts people with powers|
buys up the waterfront|trains child soldiers|bribes the police|hides a deadly virus|
covers up a factory disaster|spies on journalists|rigs the lottery""".replace("\n", "").split("|")
AWARDS = """an Emmy|a BAFTA|a Golden Globe|a Peabody award|a Critics' Choice award|
a SAG award""".replace("\n", "").split("|")
AWARD_FOR = (
    "best drama series|best limited series|best writing|best ensemble|best new series".split("|")
)
REASONS = """the writers' strike|reshoots|budget cuts|an injury to its lead|a change of showrunner|
the pandemic|a rewrite of the scripts|a lawsuit over the rights""".replace("\n", "").split("|")
CAREER = "a film career|a stage play|family|a new series|directing|a music career".split("|")
PUBLISHERS = """Variety|Deadline|The Hollywood Reporter|TVLine|Vulture|Collider|
Entertainment Weekly|IndieWire|Screen Rant|The Guardian|Radio Times|Empire""".replace(
    "\n", ""
).split("|")
MONTHS = """January February March April May June July August September October November
December""".split()
ORDINALS = ["second", "third", "fourth", "fifth", "sixth"]

# Names for absent-subject questions: real-looking words the generator never uses
# (anything within 2 edits of a store word is dropped at run time).
ABSENT_FIRST = """Thaddeus Ignatius Percival Bartholomew Ezekiel Cornelius Barnaby Leopold Mortimer
Octavia Philippa Wilhelmina Gwendolyn Clementine Ophelia Persephone Horatio Archibald Ebenezer
Lysander Cassius Evander Florian Quentin Rupert Humphrey Reginald Winifred Mildred Gertrude
Beatrix Imogen Lavinia Rosalind Seraphina Theodora Ulysses Wolfgang Yolanda Zebedee Algernon
Bertrand Cuthbert Desmond Eustace Ferdinand Gideon Hortense Isadora Jemima Lucinda Marmaduke
Norbert Orson Prudence Rowena Sylvester Tabitha Ursula Vernon Wilfred""".split()
ABSENT_LAST = """Blackwood Thornbury Ravensworth Featherstone Whitlock Pemberton Ashcombe
Fairweather Gainsborough Hollingsworth Kensington Lockwood Montgomery Nightingale Pennington
Quartermaine Sherwood Templeton Underhill Vanderbilt Wetherby Yardley Abernathy Bickerstaff
Cholmondeley Dunwoody Entwistle Fotheringham Grimshaw Hargreaves Inglethorpe Jellicoe Knatchbull
Loxley Merriweather Nethercott Ormsby Postlethwaite Quickfall Rutherford Snodgrass Tolliver
Umfreville Vavasour Winterbottom""".split()
ABSENT_TITLES = """Severance|Succession|Yellowstone|Ozark|Fleabag|Mindhunter|Westworld|Chernobyl|
Euphoria|Shogun|Peaky Blinders|Downton Abbey|Boardwalk Empire|Breaking Bad|The Sopranos|
Battlestar Galactica|Twin Peaks|Mad Men|Schitt's Creek|Better Call Saul|The Expanse|Outlander|
Broadchurch|Luther|Sherlock|Doctor Who|Killing Eve|Bridgerton|Wednesday|Andor|Arcane|
The Wire|Dexter|Fargo|Hannibal|Barry|Veep|Atlanta Noir|Ted Lasso""".replace("\n", "").split("|")


# ------------------------------------------------------------------ the world


# Fact templates per subject: (kind, text). {X} is the subject itself, {T} its show, {C}
# and {C2} characters, {P} a person, {O} an organisation; {day}, {month} and {year} also
# set the fact's date; {a_...} takes an article; other slots draw from VOCAB. A kind
# ending in "!" is a spoiler, in "?" a prediction.
SHOW_T = [
    ("what", "{X} is {a_genre} from {network}, set in {city}."),
    ("what", "{X} is based on the novel {adj} {noun} by {P}."),
    ("when", "{X} was renewed for {a_ordinal} season in {month}."),
    ("when", "{network} cancelled {X} after {n_seasons} seasons in {year}."),
    ("what", "{X} won {award} for {award_for} in {yr}."),
    ("what", "{X} follows {C}, {a_job} who uncovers {a_org_kind} that {activity}."),
]
SEASON_T = [
    ("when", "{X} premieres on {day}."),
    ("when", "{X} premiered in {month} on {network}."),
    ("when", "Filming of {X} began in {city} in {month}."),
    ("what", "{X} has {episodes} episodes of about an hour."),
    ("who", "{X} introduces {C} as the new {role}."),
    ("what!", "The {X} finale ends with the {event}."),
    ("when", "{X} was delayed to {yr} because of {reason}."),
    ("who?", "Prediction: {C} will be the {role} of {X}."),
]
CHARACTER_T = [
    ("who", "{X} is {a_job} in {T}."),
    ("who", "{X} betrays {C2} after the {event}."),
    ("who", "{X} falls for {C2} in season {n}."),
    ("who", "{X} is {C2}'s {relation}."),
    ("who!", "{X} dies in the season {n} finale of {T}."),
    ("who", "{X} returns in season {n} after being presumed dead."),
    ("what", "{X} is searching for the {object} stolen from {place}."),
    ("who", "{X} is played by {P}."),
    ("who", "{X} works for {O} as {a_job}."),
]
SHOWRUNNER_T = [
    ("who", "{X} is the showrunner of {T}."),
    ("who", "{X} directed the {T} season {n} finale."),
    ("who", "{X} left {T} after season {n} to focus on {career}."),
]
ACTOR_T = [
    ("who", "{X} joined the cast of {T} season {n} as {C}."),
    ("when", "{X} was cast as {C} in {month}."),
    ("who", "{X} won {award} for playing {C}."),
]
ORGANISATION_T = [
    ("what", "{X} funds {C}'s {project}."),
    ("what", "{X} is {a_org_adj} {org_kind} that {activity} in {T}."),
    ("what", "{X} was founded by {C} after the {event}."),
]
VOCAB = {
    "genre": GENRES,
    "city": CITIES,
    "job": OCCUPATIONS,
    "event": EVENTS,
    "role": ROLES,
    "relation": RELATIONS,
    "object": OBJECTS,
    "place": PLACES,
    "project": PROJECTS,
    "org_kind": ORG_KINDS,
    "org_adj": ORG_ADJ,
    "activity": ACTIVITIES,
    "award": AWARDS,
    "award_for": AWARD_FOR,
    "reason": REASONS,
    "career": CAREER,
    "ordinal": ORDINALS,
    "adj": ADJ,
    "noun": NOUN,
}
_SLOT = re.compile(r"{(\w+)}")
TITLE_FORMS = "The {a} {n}|{n} of {m}|{a} {n}|{n} & {m}|{l}'s {n}|{s} {n}|The {n} {m}|{a} {n} {m}"
TITLE_FORMS = TITLE_FORMS.split("|")


@dataclass
class Subject:
    key: str
    name: str
    kind: str  # show, season, character, person, organisation
    aliases: list[str] = field(default_factory=list)
    show: str | None = None  # a season's show key
    season: int | None = None
    facts: list[str] = field(default_factory=list)  # fact keys


@dataclass
class FactInfo:
    key: str
    subject: str
    kind: str
    text: str
    quote: str | None
    content: list[str]  # words a question may take from it (not names, not glue)


@dataclass
class World:
    data: dict
    subjects: dict[str, Subject]
    facts: dict[str, FactInfo]
    vocab: set[str]  # every normalised word the store holds


def make_world(n_facts: int, seed: int) -> World:
    """A deterministic store of ``n_facts`` facts, about n_facts/23 shows and their people."""
    rng = random.Random(seed)
    names: set[str] = set()  # normalised names and aliases: all unique
    subjects: dict[str, Subject] = {}
    facts: dict[str, FactInfo] = {}
    data: dict = {"format": "showbot", "version": 1, "entities": [], "aliases": [], "facts": []}
    first_cw = list(accumulate(1.0 / (i + 1) ** 0.6 for i in range(len(FIRST))))
    last_cw = list(accumulate(1.0 / (i + 1) ** 0.5 for i in range(len(LAST))))
    data["sources"] = [
        {
            "key": f"src-{i}",
            "title": f"{rng.choice(['Everything we know', 'First look', 'Exclusive'])} #{i}",
            "publisher": rng.choice(PUBLISHERS),
            "url": f"https://news.example.com/{i}",
            "date": f"{rng.randint(2008, 2025)}-{rng.randint(1, 12):02d}",
            "notes": None,
        }
        for i in range(max(20, n_facts // 300))
    ]

    def claim(name: str) -> bool:
        n = normalize(name)
        if not n or n in names:
            return False
        names.add(n)
        return True

    def a_last() -> str:
        return rng.choices(LAST, cum_weights=last_cw)[0]

    def person_name() -> str:
        while True:
            first, last = rng.choices(FIRST, cum_weights=first_cw)[0], a_last()
            r = rng.random()
            if r < 0.08:
                last = _synthetic(rng, 2, 3)
            elif r < 0.15:
                first = f"{first} {rng.choice('ABCDEFGHJKLMNPRSTW')}."
            if claim(f"{first} {last}"):
                return f"{first} {last}"

    def title() -> str:
        while True:
            a, n1, n2 = rng.choice(ADJ), rng.choice(NOUN), rng.choice(NOUN)
            form = rng.choice(TITLE_FORMS)
            name = form.format(a=a, n=n1, m=n2, l=a_last(), s=_synthetic(rng))
            if n1 != n2 and claim(name):
                return name

    def add_subject(key: str, name: str, kind: str, **extra) -> Subject:
        s = subjects[key] = Subject(key, name, kind, **extra)
        record = {"key": key, "name": name, "kind": kind}
        data["entities"].append(record | {"show": s.show, "season": s.season})
        return s

    def alias(s: Subject, name: str) -> None:
        if claim(name):
            s.aliases.append(name)
            data["aliases"].append({"key": f"alias-{len(data['aliases'])}", "entity": s.key})
            data["aliases"][-1]["name"] = name

    def a_date(slot: str) -> tuple[str, str]:
        y, m, d = rng.randint(2006, 2026), rng.randint(1, 12), rng.randint(1, 28)
        if slot == "day":
            return f"{d} {MONTHS[m - 1]} {y}", f"{y}-{m:02d}-{d:02d}"
        if slot == "month":
            return f"{MONTHS[m - 1]} {y}", f"{y}-{m:02d}"
        return str(y), str(y)

    def fact(s: Subject, template: tuple[str, str], ctx: dict) -> None:
        kind, text = template
        values: dict[str, str] = {}
        others: list[Subject] = []
        date = None
        for slot in _SLOT.findall(text):
            value = ctx.get(slot)
            if callable(value):
                value = value()
            if isinstance(value, Subject):
                others.append(value)
                values[slot] = value.name
            elif value is not None:
                values[slot] = str(value)
            elif slot in ("day", "month", "year"):
                values[slot], date = a_date(slot)
            elif slot == "yr":
                values[slot] = str(rng.randint(2008, 2027))
            elif slot == "episodes":
                values[slot] = str(rng.randint(6, 22))
            elif slot.startswith("a_"):
                values[slot] = an(rng.choice(VOCAB[slot[2:]]))
            else:
                values[slot] = rng.choice(VOCAB[slot])
        text = text.format(**values)
        status = "prediction" if kind.endswith("?") else "confirmed"
        if status == "confirmed":
            r = rng.random()
            status = "reported" if r < 0.12 else "rumor" if r < 0.16 else "confirmed"
            if status == "rumor":
                text = "Rumour: " + text
        quote = None
        if rng.random() < 0.15:
            opener = rng.choice(["Sources say", "As one insider put it,", "Word is"])
            quote = f"{opener} {text[0].lower()}{text[1:]}"
        key = f"fact-{len(facts)}"
        data["facts"].append(
            {
                "key": key,
                "entity": s.key,
                "kind": kind.rstrip("!?"),
                "text": text,
                "status": status,
                "spoiler": kind.endswith("!"),
                "date": date,
                "source": rng.choice(data["sources"])["key"] if rng.random() < 0.6 else None,
                "quote": quote,
            }
        )
        s.facts.append(key)
        taken: set[str] = set()  # the names in the fact: a question's name, not its words
        for o in [s, *others]:
            for n in [o.name, *o.aliases, subjects[o.show].name if o.show else ""]:
                taken.update(normalize(n).split())
        content: list[str] = []
        for w in normalize(text).split():
            if not (
                w in STOP
                or w in taken
                or (w.endswith("s") and w[:-1] in taken)  # a possessive: "Mara's"
                or w in ("season", "rumour", "prediction", *content)
                or len(w) < 3
                or w.isdigit()
            ):
                content.append(w)
        facts[key] = FactInfo(key, s.key, kind.rstrip("!?"), text, quote, content)

    def some(s: Subject, templates: list[tuple[str, str]], ctx: dict, lo: int, hi: int) -> None:
        """lo..hi facts about ``s`` from the templates whose subjects ``ctx`` has."""
        ctx = {"X": s} | ctx
        usable = [
            t for t in templates if all(x not in "CPO" or ctx.get(x) for x in _SLOT.findall(t[1]))
        ]
        usable = [t for t in usable if "{C2}" not in t[1] or ctx.get("C2")]
        for template in rng.sample(usable, min(len(usable), rng.randint(lo, hi))):
            if len(facts) < n_facts:
                fact(s, template, ctx)

    people: list[Subject] = []
    n_show = 0
    while len(facts) < n_facts:
        n_show += 1
        t = title()
        show = add_subject(f"show-{n_show}", t, "show")
        words = t.split()
        if len(words) >= 2 and rng.random() < 0.25:
            alias(show, "".join(w[0] for w in words if w[0].isalpha()).upper())
        if words[0] == "The" and rng.random() < 0.4:
            alias(show, " ".join(words[1:]))
        n_seasons = rng.choices([1, 2, 3, 4, 5, 6], [15, 25, 25, 15, 12, 8])[0]
        seasons = [
            add_subject(
                f"season-{n_show}-{n}", f"{t} season {n}", "season", show=show.key, season=n
            )
            for n in range(1, n_seasons + 1)
        ]
        chars = []
        for j in range(rng.randint(3, 5)):
            c = add_subject(f"character-{n_show}-{j}", person_name(), "character")
            r = rng.random()
            if r < 0.2:
                alias(c, c.name.split()[0])
            elif r < 0.3:
                alias(c, rng.choice(NICK) + rng.choice(NOUN).lower())
            elif r < 0.35:
                rank = rng.choice(["Detective", "Captain", "Doctor", "Agent"])
                alias(c, f"{rank} {c.name.split()[-1]}")
            chars.append(c)
        orgs = []
        for j in range(rng.choices([0, 1, 2], [45, 40, 15])[0]):
            while True:
                base = rng.choice([a_last(), _synthetic(rng)])
                name = rng.choice(["The {b} {o}", "{b} {o}"]).format(b=base, o=rng.choice(ORG))
                if claim(name):
                    break
            o = add_subject(f"organisation-{n_show}-{j}", name, "organisation")
            if rng.random() < 0.3:
                alias(o, base)
            orgs.append(o)

        def person() -> Subject:
            if people and rng.random() < 0.3:
                return rng.choice(people)  # careers span shows
            p = add_subject(f"person-{len(people)}", person_name(), "person")
            if rng.random() < 0.1:
                alias(p, p.name.split()[-1])
            people.append(p)
            return p

        showrunner = person()
        cast = {c.key: person() for c in chars if rng.random() < 0.5}
        ctx = {
            "T": show,
            "network": rng.choice(NETWORKS),
            "n_seasons": n_seasons,
            "n": lambda n_seasons=n_seasons: rng.randint(1, n_seasons),
            "C": lambda chars=chars: rng.choice(chars),
            "O": (lambda orgs=orgs: rng.choice(orgs)) if orgs else None,
        }
        some(show, SHOW_T, ctx | {"P": showrunner, "C": chars[0]}, 1, 3)
        for s in seasons:
            some(s, SEASON_T, ctx, 1, 2)
        for c in chars:
            pair = {"C2": rng.choice([x for x in chars if x is not c]), "P": cast.get(c.key)}
            some(c, CHARACTER_T, ctx | pair, 1, 3)
        some(showrunner, SHOWRUNNER_T, ctx, 1, 2)
        for key, p in cast.items():
            some(p, ACTOR_T, ctx | {"C": subjects[key]}, 1, 2)
        for o in orgs:
            some(o, ORGANISATION_T, ctx, 1, 3)

    vocab: set[str] = set()
    for record in data["entities"] + data["aliases"]:
        vocab.update(normalize(record["name"]).split())
    for record in data["facts"]:
        vocab.update(normalize(record["text"] + " " + (record["quote"] or "")).split())
    for record in data["sources"]:
        vocab.update(normalize(record["title"] + " " + record["publisher"]).split())
    return World(data, subjects, facts, vocab)


def an(phrase: str) -> str:
    return ("an " if phrase[0].lower() in "aeiou" else "a ") + phrase


def data_digest(data: dict) -> str:
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha1(blob + str(GENERATOR_VERSION).encode()).hexdigest()[:10]


# ------------------------------------------------------------------ building


def build(path: Path, data: dict) -> dict:
    """Import ``data`` into a fresh unseeded store at ``path``, in one transaction, timed."""
    from bot.engine import Engine
    from bot.language.embedding import embedder
    from bot.models import SYSTEM
    from bot.store.interchange import MAX_RECORDS, SECTIONS, import_data

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
        for record in data[section]:
            if size >= MAX_RECORDS - 1:
                chunks.append(current)
                current, size = {"format": "showbot", "version": 1}, 0
            current.setdefault(section, []).append(record)
            size += 1
    chunks.append(current)
    records = sum(len(data[s]) for s in SECTIONS)
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


# ------------------------------------------------------------------ questions

WHEN_T = [
    "when does {n} {w}",
    "when is {n} {w}",
    "when did {n} {w}",
    "{n} {w} when",
    "when {w} {n}",
]
WHO_T = ["who did {n} {w}", "who is {n} {w}", "who {w} {n}", "whos {n} {w}", "who does {n} {w}"]
WHAT_T = ["what is {n} {w}", "what about {n} {w}", "what does {n} {w}", "what {w} {n}"]
ANY_T = ["tell me about {n} {w}", "{n} {w}?", "did {n} {w}", "why did {n} {w}", "is {n} {w}"]
TEMPLATES = {"when": WHEN_T, "who": WHO_T, "what": WHAT_T}


def _phrase(rng: random.Random, kind: str, name: str, words: list[str]) -> str:
    pool = TEMPLATES[kind] if rng.random() < 0.7 else ANY_T
    text = rng.choice(pool).format(n=name, w=" ".join(words))
    return text + rng.choice(["", "", "", "?", " ?", "??"])


def _spoken_name(rng: random.Random, world: World, s: Subject) -> tuple[str, bool]:
    """How a fan names a subject: its name or an alias, lower case, maybe a typo."""
    if s.kind == "season":
        show = world.subjects[s.show]
        base = rng.choice([show.name, *show.aliases]) if show.aliases else show.name
        form = rng.choice(["{b} season {n}", "{b} s{n}", "season {n} of {b}", "{b} season {n}"])
        name = form.format(b=base.lower(), n=s.season)
    else:
        name = (rng.choice(s.aliases) if s.aliases and rng.random() < 0.3 else s.name).lower()
    if rng.random() < 0.25:
        typo = _edit(rng, name)
        return typo, typo != name
    return name, False


def _stems(words: list[str]) -> set[str]:
    return {stem(w) for w in words}


def make_questions(world: World, n: int, seed: int) -> dict:
    """Known-answer free questions, absent-subject questions and name questions."""
    rng = random.Random(seed * 7 + 1)
    keys = [k for k, f in world.facts.items() if f.content]
    doc_stems = {
        k: _stems(normalize(f.text + " " + (f.quote or "")).split()) for k, f in world.facts.items()
    }
    free = []
    for key in rng.sample(keys, min(n, len(keys))):
        f = world.facts[key]
        s = world.subjects[f.subject]
        words = rng.sample(f.content, min(len(f.content), rng.choice([1, 2, 2])))
        words.sort(key=f.content.index)
        name, typo = _spoken_name(rng, world, s)
        want = _stems(words)
        right = [k for k in s.facts if k == key or want <= doc_stems[k]]
        free.append(
            {
                "q": _phrase(rng, f.kind, name, words),
                "source": key,
                "right": right,
                "subject": s.key,
                "typo": typo,
            }
        )

    # Absent subjects: words 3+ edits from every store word, around the same question words.
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    vocab = sorted(world.vocab)

    def far(word: str) -> bool:
        w = normalize(word)
        return all(
            process.extractOne(p, vocab, scorer=Levenshtein.distance, score_cutoff=2) is None
            for p in w.split()
        )

    made_up: list[str] = []
    while len(made_up) < 400:
        w = _synthetic(rng, 2, 4)
        if len(w) >= 5 and w not in made_up and far(w):
            made_up.append(w)
    real_first = [w for w in ABSENT_FIRST if far(w)]
    real_last = [w for w in ABSENT_LAST if far(w)]
    real_titles = [t for t in ABSENT_TITLES if far(t)]
    first_cw = list(accumulate(1.0 / (i + 1) ** 0.6 for i in range(len(FIRST))))
    absent = []
    n_absent = max(40, n // 4)
    for i in range(n_absent):
        f = world.facts[rng.choice(keys)]
        s = world.subjects[f.subject]
        words = rng.sample(f.content, min(len(f.content), rng.choice([1, 2, 2])))
        words.sort(key=f.content.index)
        category = ["made-up name", "real-looking name", "known show, missing season"][
            0 if i % 5 < 2 else 1 if i % 5 < 4 else 2
        ]
        if category == "known show, missing season":
            show_key = s.show or rng.choice([k for k in world.subjects if k.startswith("show-")])
            show = world.subjects[show_key]
            top = max(
                (x.season or 0 for x in world.subjects.values() if x.show == show_key), default=0
            )
            name = f"{show.name.lower()} season {top + rng.randint(1, 5)}"
            kind = "when"
        else:
            kind = f.kind
            mu = rng.choice(made_up).lower()
            if s.kind in ("character", "person"):
                if category == "made-up name":
                    first = rng.choices(FIRST, cum_weights=first_cw)[0]
                    forms = [
                        f"{mu} {rng.choice(made_up)}",
                        f"{first} {mu}",
                        f"{mu} {rng.choice(LAST)}",
                    ]
                    name = rng.choice(forms)
                else:
                    name = f"{rng.choice(real_first)} {rng.choice(real_last)}"
            elif s.kind == "organisation":
                last = rng.choice(real_last) if category != "made-up name" else mu
                name = f"the {last} {rng.choice(ORG)}"
            else:
                if category == "made-up name":
                    t = rng.choice([f"the {mu} {rng.choice(NOUN)}", mu, f"{rng.choice(ADJ)} {mu}"])
                else:
                    t = rng.choice(real_titles)
                name = t if s.kind == "show" else f"{t} season {s.season}"
            name = name.lower()
        absent.append({"q": _phrase(rng, kind, name, words), "category": category})

    named = []
    pool = [s for s in world.subjects.values() if s.facts]
    prefix = {
        "show": "!when",
        "season": "!when",
        "character": "!who",
        "person": "!who",
        "organisation": "!what",
    }
    for s in rng.sample(pool, min(max(100, n // 2), len(pool))):
        name = s.name if s.kind != "season" else f"{world.subjects[s.show].name} s{s.season}"
        named.append({"q": f"{prefix[s.kind]} {name}", "subject": s.key})
    chars = [s for s in pool if s.kind == "character"]
    return {
        "free": free,
        "absent": absent,
        "named": named,
        "add_subjects": [s.key for s in rng.sample(chars, min(50, len(chars)))],
        "absent_words": {
            "made_up": len(made_up),
            "real_first": len(real_first),
            "real_last": len(real_last),
            "real_titles": len(real_titles),
        },
    }


# ------------------------------------------------------------------ measuring (child)


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


# ------------------------------------------------------------------ the report


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


# ------------------------------------------------------------------ main


def pin() -> tuple[str, str]:
    try:
        allowed = sorted(os.sched_getaffinity(0))
        cpu = allowed[-1]
        os.sched_setaffinity(0, {cpu})
        return (
            f"pinned to CPU {cpu} of {len(allowed)} allowed (os.sched_setaffinity), children too",
            f"one core (CPU {cpu})",
        )
    except (AttributeError, OSError) as exc:
        return f"not pinned ({exc})", "not pinned"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--facts", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=2000, help="known-subject free questions")
    parser.add_argument("--quick", action="store_true", help="a 10k-fact smoke run")
    parser.add_argument("--rebuild", action="store_true", help="ignore the cached database")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-throughput", action="store_true", help="skip ask_throughput.py")
    parser.add_argument("--throughput-questions", type=int, default=None)
    parser.add_argument("--no-labelled", action="store_true", help="skip the labelled questions")
    parser.add_argument(
        "--child", nargs=3, metavar=("DB", "QUESTIONS", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        db, qfile, outfile = (Path(p) for p in args.child)
        Path(outfile).write_text(json.dumps(measure(db, qfile, args.seed)), encoding="utf-8")
        return
    if args.quick:
        args.facts, args.questions = 10_000, min(args.questions, 500)
    pinned, pinned_short = pin()

    t = time.perf_counter()
    world = make_world(args.facts, args.seed)
    print(
        f"generated {len(world.facts):,} facts in {time.perf_counter() - t:.1f} s", file=sys.stderr
    )
    path, build_info, fresh = cached_store(world, args.facts, args.seed, rebuild=args.rebuild)
    if fresh:
        built = f"built now, {build_info['built_at']}"
    else:
        built = f"cached, built {build_info['built_at']}; --rebuild to build again"
    qs = make_questions(world, args.questions, args.seed)

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "work.db"
        shutil.copyfile(path, work)  # the child writes (question log, moderator adds)
        qfile = Path(tmp) / "questions.json"
        qfile.write_text(json.dumps(qs), encoding="utf-8")
        outfile = Path(tmp) / "out.json"
        print("measuring in a fresh process...", file=sys.stderr)
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--seed",
                str(args.seed),
                "--child",
                str(work),
                str(qfile),
                str(outfile),
            ],
            check=True,
            cwd=ROOT,
        )
        m = json.loads(outfile.read_text(encoding="utf-8"))

    extra = {
        "pinned": pinned,
        "pinned_short": pinned_short,
        "db": str(path.relative_to(ROOT)),
        "built": built,
    }
    if not args.no_throughput:
        n = args.throughput_questions or 20_000
        print("running benchmarks/ask_throughput.py...", file=sys.stderr)
        done = subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "ask_throughput.py"), "--questions", str(n)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        extra["throughput"] = done.stdout if done.returncode == 0 else done.stderr[-2000:]
    if not args.no_labelled:
        from tests.questions.labelled import score

        print("scoring the labelled questions...", file=sys.stderr)
        extra["labelled"] = []
        with tempfile.TemporaryDirectory() as tmp:
            for part in ("dev", "holdout"):
                folder = Path(tmp) / part
                folder.mkdir()
                extra["labelled"].append(score(part, folder).line(part))
    print(report(args, world, build_info, qs, m, extra))


if __name__ == "__main__":
    main()
