"""MetaQA's questions reworded as fans put them: the same topic and gold answers, asked
in wordings of our own, so the score says how far the engine understands relations
beyond the benchmark's sentence templates (its paraphrased test split is held back).

Written before any of them was run (the last three "dev" wordings of each type were
added later, also before being run). Each question type has wordings to tune on ("dev")
and wordings never tuned on ("holdout"); each question is asked in one wording of the
part chosen, picked by a hash of the question, so every wording is used about equally.

    python benchmarks/metaqa.py --reworded dev      # (or holdout)
"""

from __future__ import annotations

import zlib
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from metaqa import Item

# "{}" is the question's topic as MetaQA writes it. IMDb ratings and votes are left out:
# no fact holds them.
WORDINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "actor_to_movie": {
        "dev": (
            "what has {} been in",
            "{} movies",
            "which films feature {}",
            "name a film with {} in it",
            "what did {} star in",
            "filmography of {}",
            "movies starring {}",
            "{} was in which films",
        ),
        "holdout": ("any movies with {}?", "films starring {}"),
    },
    "director_to_movie": {
        "dev": (
            "what has {} directed",
            "films by director {}",
            "which movies were helmed by {}",
            "{} directed what",
            "list the movies {} directed",
            "{} films",
            "what did {} direct",
            "movies {} directed",
        ),
        "holdout": ("name something {} directed", "movies directed by {}"),
    },
    "movie_to_actor": {
        "dev": (
            "who's in {}",
            "{} cast",
            "who stars in {}",
            "who was in the movie {}",
            "actors in {}",
            "cast of {}",
            "who acted in the film {}",
            "{} actors",
        ),
        "holdout": ("who played in {}", "{} starring who"),
    },
    "movie_to_director": {
        "dev": (
            "who directed {}",
            "{} director",
            "who was the director of {}",
            "who helmed {}",
            "{} was directed by who",
            "director of {}",
            "who was {} directed by",
            "who made the movie {}",
        ),
        "holdout": ("name the director of {}", "who's the director of the film {}"),
    },
    "movie_to_genre": {
        "dev": (
            "what kind of movie is {}",
            "{} genre",
            "what type of film is {}",
            "what sort of film is {}",
            "{} is what genre",
            "genre of {}",
            "{} is a what kind of film",
            "what is the genre of the film {}",
        ),
        "holdout": ("what genre is {}", "which genre is {} in"),
    },
    "movie_to_language": {
        "dev": (
            "what language is {} in",
            "{} language",
            "what language was {} made in",
            "which language is spoken in {}",
            "what language do they speak in {}",
            "language of {}",
            "in what language is {}",
            "what language does {} use",
        ),
        "holdout": ("{} is in what language", "language of the film {}"),
    },
    "movie_to_tags": {
        "dev": (
            "what is {} about",
            "{} keywords",
            "describe {}",
            "what tags does {} have",
            "what topics is {} about",
            "what's {} about",
            "keywords for {}",
            "{} themes",
        ),
        "holdout": ("what themes does {} have", "tags for {}"),
    },
    "movie_to_writer": {
        "dev": (
            "who wrote {}",
            "{} writer",
            "who wrote the script of {}",
            "who is the screenwriter of {}",
            "who penned {}",
            "writer of {}",
            "who wrote the film {}",
            "{} screenwriter",
        ),
        "holdout": ("{} was written by who", "who did the screenplay for {}"),
    },
    "movie_to_year": {
        "dev": (
            "when did {} come out",
            "{} release year",
            "what year was {} released",
            "when was {} out",
            "what year is {} from",
            "year of {}",
            "when was {} made",
            "{} came out in what year",
        ),
        "holdout": ("{} came out when", "release date of {}"),
    },
    "tag_to_movie": {
        "dev": (
            "movies about {}",
            "films tagged {}",
            "any film about {}",
            "recommend a movie about {}",
            "what films deal with {}",
            "films about {}",
            "a movie about {}",
            "what movie is about {}",
        ),
        "holdout": ("show me films about {}", "which movies are about {}"),
    },
    "writer_to_movie": {
        "dev": (
            "what did {} write",
            "films written by {}",
            "{} screenplays",
            "which movies did {} write the script for",
            "what has {} written",
            "what films has {} written",
            "{} writing credits",
            "movies written by {}",
        ),
        "holdout": ("movies {} wrote", "name a film written by {}"),
    },
}


def reword(items: list[Item], part: str) -> list[Item]:
    """The questions of the types reworded, each in one of the part's wordings."""
    out = []
    for item in items:
        wordings = WORDINGS.get(item.qtype, {}).get(part)
        if not wordings or not item.topic:
            continue
        pick = zlib.crc32(item.text.encode()) % len(wordings)
        out.append(replace(item, text=wordings[pick].format(item.topic)))
    return out
