"""The questions of the free-questions benchmark, in the fans' style: ``make_questions``
makes known-answer free questions from a sample of the synthetic store's facts (with the
facts that count as right), absent-subject questions around names the store does not hold,
and name questions (``!who <exact name>``)."""

from __future__ import annotations

import random
from itertools import accumulate

from lookupbench.names import ADJ, FIRST, LAST, NOUN, ORG, _synthetic
from lookupbench.questions import _edit

from bot.answering.retrieval import stem
from bot.language.text import normalize

from .vocabulary import ABSENT_FIRST, ABSENT_LAST, ABSENT_TITLES
from .world import Subject, World

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
