"""The synthetic store of the free-questions benchmark: ``make_world(n_facts, seed)``
generates, deterministically, ~n_facts/20 shows with their seasons, characters, people and
organisations, and ``n_facts`` templated-but-varied facts about them, with aliases for some
subjects, and sources and quotes for some facts; ``data_digest`` hashes what it made (the
cached database's key)."""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from itertools import accumulate

from lookupbench.names import ADJ, FIRST, LAST, NICK, NOUN, ORG, _synthetic

from bot.answering.retrieval import STOP
from bot.language.text import normalize

from .vocabulary import (
    ACTIVITIES,
    AWARD_FOR,
    AWARDS,
    CAREER,
    CITIES,
    EVENTS,
    GENRES,
    MONTHS,
    NETWORKS,
    OBJECTS,
    OCCUPATIONS,
    ORDINALS,
    ORG_ADJ,
    ORG_KINDS,
    PLACES,
    PROJECTS,
    PUBLISHERS,
    REASONS,
    RELATIONS,
    ROLES,
)

GENERATOR_VERSION = 1  # bump when the generator changes (the data hash catches it anyway)

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
