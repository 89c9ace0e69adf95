"""A fact knows every subject it names (issue 22, part 1): the links follow every write
path, and after any sequence of moderator actions they equal the links rebuilt from
scratch (a hypothesis state machine over two servers)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from bot.engine import Engine
from bot.errors import ShowbotError
from bot.models import SYSTEM, Actor
from bot.moderation import Moderation
from bot.privacy import Privacy
from bot.store.interchange import import_data
from tests.seeded import seeded_copy

G1, G2 = 811111111111111111, 822222222222222222
MOD1 = Actor(id=1, name="alice", guild_id=G1)
MOD2 = Actor(id=2, name="bob", guild_id=G2)
OWNER = Actor(id=9, name="owner", guild_id=None, owner=True)


def named(engine: Engine, subject: str, guild: int | None = None) -> set[str]:
    """The texts of the facts that name ``subject``."""
    entity = engine.subjects.resolve(subject, guild_id=guild).entity
    assert entity is not None, subject
    return {f.text for f in engine.store.facts_naming(entity.id, guild)}


def test_a_fact_is_linked_to_the_subjects_its_text_names(engine: Engine) -> None:
    mod = Moderation(engine)
    mod.add_fact(OWNER, subject="Kilgrave", kind="what", text="IGH covered Kilgrave's bills.")
    assert "IGH covered Kilgrave's bills." in named(engine, "IGH")
    mod.add_fact(OWNER, subject="Vincente Minnelli", kind="who", text="A director.")
    assert named(engine, "vincente minnelli") == set()
    film = mod.add_fact(
        OWNER, subject="Gigi", kind="who", text="Gigi was directed by Vincente Minnelli."
    )
    assert named(engine, "vincente minnelli") == {"Gigi was directed by Vincente Minnelli."}
    # Edited away, removed, restored: the link follows.
    mod.edit_fact(OWNER, film.fact_id, text="Gigi was directed by someone else.")
    assert named(engine, "vincente minnelli") == set()
    mod.edit_fact(OWNER, film.fact_id, text="Gigi: directed by Vincente Minnelli.")
    mod.remove_fact(OWNER, film.fact_id)
    assert named(engine, "vincente minnelli") == set()
    mod.restore_fact(OWNER, film.fact_id)
    assert named(engine, "vincente minnelli") == {"Gigi: directed by Vincente Minnelli."}


def test_a_one_word_name_is_named_only_as_a_whole_name(engine: Engine) -> None:
    """A one-word title is also an everyday word: "A Single Girl" does not name a film
    called Girl, nor "turn it up" one called Up; a name standing alone, possessive or
    quoted does."""
    mod = Moderation(engine)
    for name in ("Girl", "Up", "Nina"):
        mod.add_fact(OWNER, subject=name, kind="what", text=f"{name} is a film.")
    single = "Virginie Ledoyen stars in A Single Girl."
    mod.add_fact(OWNER, subject="A Single Girl", kind="who", text=single)
    mod.add_fact(OWNER, subject="Jerry", kind="what", text="Jerry wants to turn it up.")
    assert named(engine, "girl") == set() and named(engine, "up") == set()
    texts = ["Girl was remade in 2020.", 'Nina\'s film is tagged "girl".', "Up, Girl and Nina."]
    for text in texts:
        mod.add_fact(OWNER, subject="Remakes", kind="what", text=text)
    assert named(engine, "girl") == set(texts)
    assert named(engine, "nina") == {'Nina\'s film is tagged "girl".', "Up, Girl and Nina."}


def test_names_made_later_and_aliases_link_existing_facts(engine: Engine) -> None:
    mod = Moderation(engine)
    mod.add_fact(OWNER, subject="Nuke", kind="who", text="Nuke works with the Hellcat squad.")
    mod.add_fact(OWNER, subject="Hellcat Squad", kind="what", text="A team.")
    assert "Nuke works with the Hellcat squad." in named(engine, "hellcat squad")
    mod.add_alias(OWNER, "the squad", "Hellcat Squad")
    # One word besides its article: named only as a whole name-like span, as one word is.
    mod.add_fact(OWNER, subject="Trish Walker", kind="who", text="Trish trains with the Squad.")
    mod.add_fact(OWNER, subject="Jeri", kind="who", text="Jeri hires the squad leader.")
    assert "Trish trains with the Squad." in named(engine, "hellcat squad")
    assert "Jeri hires the squad leader." not in named(engine, "hellcat squad")
    mod.rename_entity(OWNER, "Hellcat Squad", "Cat Team")  # the old name stays an alias
    assert {"Nuke works with the Hellcat squad.", "Trish trains with the Squad."} <= named(
        engine, "cat team"
    )
    mod.remove_alias(OWNER, "the squad")
    assert "Trish trains with the Squad." not in named(engine, "cat team")


def test_a_server_alias_links_only_that_servers_facts(engine: Engine) -> None:
    mod = Moderation(engine)
    mod.add_alias(MOD1, "purple man", "Kilgrave")
    mod.add_fact(MOD1, subject="Nuke", kind="what", text="Nuke fears the purple man.")
    mod.add_fact(MOD2, subject="Nuke", kind="what", text="Nuke met the purple man once.")
    kilgrave = engine.subjects.resolve("kilgrave").entity
    assert kilgrave is not None
    assert {f.text for f in engine.store.facts_naming(kilgrave.id, G1)} >= {
        "Nuke fears the purple man."
    }
    assert "Nuke met the purple man once." not in {
        f.text for f in engine.store.facts_naming(kilgrave.id, G2)
    }


def test_imports_and_forgetting_keep_the_links(engine: Engine, tmp_path: Path) -> None:
    data = {
        "format": "showbot",
        "version": 1,
        "entities": [
            {"key": "m", "name": "Gigi", "kind": "show"},
            {"key": "p", "name": "Leslie Caron", "kind": "person"},
        ],
        "facts": [
            {
                "key": "f",
                "entity": "m",
                "kind": "who",
                "text": "Leslie Caron stars in Gigi.",
                "status": "confirmed",
            }
        ],
    }
    with engine.store.atomic():
        import_data(engine.store, data, SYSTEM)
    engine.sync(force=True)
    assert named(engine, "leslie caron") == {"Leslie Caron stars in Gigi."}
    mod = Moderation(engine)
    mod.add_fact(MOD1, subject="Leslie Caron", kind="who", text="Our server's note.")
    mod.add_fact(MOD1, subject="Secret Film", kind="who", text="Leslie Caron stars in it.")
    assert "Leslie Caron stars in it." in named(engine, "leslie caron", G1)
    Privacy(engine.store).forget_guild(G1)
    assert engine.store.mentions.links() == _rebuilt(engine)


def _rebuilt(engine: Engine) -> set[tuple[int, int]]:
    """The links a rebuild from scratch gives, leaving the store as it was."""
    store = engine.store
    with store.atomic():
        kept = store.mentions.links()
        store.mentions.rebuild()
        truth = store.mentions.links()
        store.db.execute("DELETE FROM fact_mention")
        store.db.conn.executemany("INSERT INTO fact_mention VALUES (?, ?)", sorted(kept))
    return truth


NAMES = ["Kilgrave", "Nuke", "Trish Walker", "Luke Cage", "IGH", "Zorblax", "Quill"]
WORDS = st.lists(st.sampled_from([*NAMES, "the", "met", "Trish", "cage", "bills"]), max_size=6)
ACTORS = st.sampled_from([MOD1, MOD2, OWNER])


class MentionMachine(RuleBasedStateMachine):
    """Moderators at work in two servers; the links must always be what a rebuild says."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.engine = Engine.open(seeded_copy(Path(self.folder.name) / "m.db"))
        self.mod = Moderation(self.engine)
        self.facts: list[int] = []

    def teardown(self) -> None:
        self.engine.close()
        self.folder.cleanup()

    def _try(self, action: object, *args: object, **kwargs: object) -> object:
        try:
            return action(*args, **kwargs)  # type: ignore[operator]
        except ShowbotError:
            return None  # refused (ambiguous, unknown, not theirs): nothing changed

    @rule(actor=ACTORS, subject=st.sampled_from(NAMES), words=WORDS)
    def add_fact(self, actor: Actor, subject: str, words: list[str]) -> None:
        text = " ".join(words) + " fact."
        done = self._try(self.mod.add_fact, actor, subject=subject, kind="what", text=text)
        if done is not None:
            self.facts.append(done.fact_id)  # type: ignore[attr-defined]

    @rule(actor=ACTORS, pick=st.integers(0, 50), words=WORDS)
    def edit_fact(self, actor: Actor, pick: int, words: list[str]) -> None:
        if self.facts:
            fid = self.facts[pick % len(self.facts)]
            self._try(self.mod.edit_fact, actor, fid, text=" ".join(words) + " edited.")

    @rule(actor=ACTORS, pick=st.integers(0, 50), restore=st.booleans())
    def remove_or_restore(self, actor: Actor, pick: int, restore: bool) -> None:
        if self.facts:
            fid = self.facts[pick % len(self.facts)]
            action = self.mod.restore_fact if restore else self.mod.remove_fact
            self._try(action, actor, fid)

    @rule(actor=ACTORS, alias=st.sampled_from(["cage", "the purple man", "quill", "bills"]),
          subject=st.sampled_from(NAMES))  # fmt: skip
    def add_alias(self, actor: Actor, alias: str, subject: str) -> None:
        self._try(self.mod.add_alias, actor, alias, subject)

    @rule(actor=ACTORS, alias=st.sampled_from(["cage", "the purple man", "quill", "bills"]))
    def remove_alias(self, actor: Actor, alias: str) -> None:
        self._try(self.mod.remove_alias, actor, alias)

    @rule(actor=ACTORS, subject=st.sampled_from(NAMES), new=st.sampled_from(["Zed", "Cage Two"]))
    def rename(self, actor: Actor, subject: str, new: str) -> None:
        self._try(self.mod.rename_entity, actor, subject, new)

    @rule(actor=ACTORS, a=st.sampled_from(NAMES), b=st.sampled_from(NAMES))
    def merge(self, actor: Actor, a: str, b: str) -> None:
        self._try(self.mod.merge_entities, actor, a, b)

    @rule(actor=ACTORS)
    def undo(self, actor: Actor) -> None:
        self._try(self.mod.undo, actor)

    @rule(guild=st.sampled_from([G1, G2]))
    def forget(self, guild: int) -> None:
        Privacy(self.engine.store).forget_guild(guild)
        self.engine.sync(force=True)

    @invariant()
    def links_equal_a_rebuild(self) -> None:
        assert self.engine.store.mentions.links() == _rebuilt(self.engine)


MentionMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_links_after_any_writes_equal_a_rebuild = MentionMachine.TestCase


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:  # a fresh seeded store per test
    eng = Engine.open(seeded_copy(tmp_path / "mentions.db"))
    yield eng
    eng.close()


def test_a_title_with_of_the_inside_is_one_name(engine: Engine) -> None:
    """ "The Phantom of the Opera" is one name-like span: it names neither a film called
    Phantom nor one called Opera."""
    from bot.store.mentions import spans

    text = "The Phantom of the Opera was written by Gaston Leroux."
    assert {"the phantom of the opera", "phantom of the opera"} <= spans(text)
    assert not {"phantom", "opera", "the the phantom"} & spans(text)
    mod = Moderation(engine)
    mod.add_fact(OWNER, subject="Phantom", kind="what", text="Phantom is a film.")
    mod.add_fact(OWNER, subject="The Phantom of the Opera", kind="who", text=text)
    assert named(engine, "phantom") == set()


def test_a_name_held_only_inside_a_longer_name_is_not_named(engine: Engine) -> None:
    """A dictionary tagger's longest match: "My Stepmother Is an Alien" names that film,
    not one called Alien; a fact saying Alien on its own as well names both, and the
    shorter name is named again once the longer one is gone."""
    from bot.store.mentions import outermost

    text = "My Stepmother Is an Alien was directed by Richard Benjamin."
    names = {"my stepmother is an alien", "alien", "richard benjamin"}
    assert outermost(names, text) == {"my stepmother is an alien", "richard benjamin"}
    assert outermost(names, f"{text} Alien too.") == names
    # A longer name written in lower case is no title: John Ford is named.
    names = {"directed by john ford", "john ford", "3 bad men"}
    assert outermost(names, "3 Bad Men was directed by John Ford.") == names
    season = "Jessica Jones season 2 starts in 2017."
    assert outermost({"jessica jones", "jessica jones season 2"}, season) == {
        "jessica jones",
        "jessica jones season 2",
    }
    film = "Directed by John Ford is a film."
    assert outermost(names - {"3 bad men"}, film) == {"directed by john ford"}
    mod = Moderation(engine)
    mod.add_fact(OWNER, subject="Alien", kind="what", text="Alien is a film.")
    inside = "My Stepmother Is an Alien was directed by Richard Benjamin."
    both = "Alien and My Stepmother Is an Alien came out in the same decade."
    film = mod.add_fact(OWNER, subject="My Stepmother Is an Alien", kind="who", text=inside)
    mod.add_fact(OWNER, subject="Eighties", kind="what", text=both)
    assert named(engine, "alien") == {both}
    # The longer name gone (renamed, and the old name it keeps as an alias removed):
    # Alien is named again.
    mod.rename_entity(OWNER, "My Stepmother Is an Alien", "Stepmother")
    assert named(engine, "alien") == {both}
    mod.remove_alias(OWNER, "My Stepmother Is an Alien")
    assert named(engine, "alien") == {both, inside}
    assert engine.store.mentions.links() == _rebuilt(engine)
