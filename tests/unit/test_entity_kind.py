"""A subject's kind (issue 20, item 17): a "(kind)" after a new subject's name sets it, as a
question reads the suffix; `entity kind` changes it afterwards, with history and undo."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.errors import InvalidInputError, NotFoundError, PermissionDeniedError, UnknownSubjectError
from bot.models import Actor, EntityKind
from bot.moderation import Moderation
from bot.replies.render import outcome_text

G1, G2 = 111, 222
MOD1 = Actor(id=1, name="mod1", guild_id=G1)
MOD2 = Actor(id=2, name="mod2", guild_id=G2)
OWNER = Actor(id=9, name="owner", guild_id=None, owner=True)


@pytest.fixture
def mod(engine: Engine) -> Moderation:
    return Moderation(engine)


def kind_of(engine: Engine, entity_id: int) -> EntityKind:
    entity = engine.store.entity(entity_id)
    assert entity is not None
    return entity.kind


def test_a_kind_suffix_names_a_new_subject_and_sets_its_kind(
    engine: Engine, mod: Moderation
) -> None:
    out = mod.add_fact(MOD1, subject="Daredevil (show)", kind="what", text="A Netflix show.")
    entity = engine.store.entity(out.entity_id or 0)
    assert entity is not None
    assert (entity.name, entity.kind) == ("Daredevil", EntityKind.SHOW)
    assert outcome_text(out) == (
        f"Added fact #{out.fact_id} to **Daredevil** (new subject **Daredevil** (show)"
        f" #{entity.id})."
    )
    # The name is the bare name: a question finds it, and the same suffix finds it again.
    assert engine.ask("!what daredevil", guild_id=G1).entity == entity
    again = mod.add_fact(MOD1, subject="daredevil (show)", kind="when", text="2015.")
    assert again.entity_id == entity.id and again.made == ()
    # Another kind of the same name is another subject, of that kind.
    who = mod.add_fact(MOD1, subject="Daredevil (character)", kind="who", text="Matt Murdock.")
    assert who.entity_id != entity.id
    assert kind_of(engine, who.entity_id or 0) is EntityKind.CHARACTER


def test_a_kind_suffix_and_type_must_agree(engine: Engine, mod: Moderation) -> None:
    before = engine.store.max_change_id()
    with pytest.raises(InvalidInputError, match=r"\(show\) but type: says person"):
        mod.add_fact(MOD1, subject="Elektra (show)", kind="who", text="x", entity_kind="person")
    with pytest.raises(NotFoundError, match="no subject #999999"):
        mod.add_fact(MOD1, subject="Elektra (character #999999)", kind="who", text="x")
    assert engine.store.max_change_id() == before
    agreed = mod.add_fact(
        MOD1, subject="Elektra (character)", kind="who", text="x", entity_kind="character"
    )
    assert engine.store.entity(agreed.entity_id or 0).name == "Elektra"  # type: ignore[union-attr]


def test_entity_kind_changes_a_subjects_kind_with_history_and_undo(
    engine: Engine, mod: Moderation
) -> None:
    added = mod.add_fact(MOD1, subject="Rand Gala", kind="what", text="A Netflix show.")
    eid = added.entity_id or 0
    assert kind_of(engine, eid) is EntityKind.THING
    out = mod.set_entity_kind(MOD1, "rand gala", "show")
    assert outcome_text(out) == "**Rand Gala** is now a show (it was a thing)."
    assert kind_of(engine, eid) is EntityKind.SHOW
    assert engine.entities[eid].kind is EntityKind.SHOW  # the engine's index follows
    change = engine.store.changes_since(0)[-1]
    assert (change["action"], change["row_id"]) == ("entity.kind", eid)
    assert "Undid your last change (entity.kind)" in outcome_text(mod.undo(MOD1))
    assert kind_of(engine, eid) is EntityKind.THING
    # Another process sees the change through the change log.
    mod.set_entity_kind(MOD1, f"#{eid}", "organization")
    other = Engine.open(engine.store.path)
    try:
        assert other.entities[eid].kind is EntityKind.ORGANISATION
    finally:
        other.close()


@pytest.mark.parametrize(
    ("subject", "kind", "error", "message"),
    [
        ("no such subject zzz", "show", UnknownSubjectError, "I don't know a subject"),
        ("rand gala", "banana", InvalidInputError, "to: 'banana' is not one of"),
        ("rand gala", "thing", InvalidInputError, r"already a thing; nothing changed"),
        ("rand gala", "season", InvalidInputError, "a season is made by naming it"),
        ("jessica jones s2", "show", InvalidInputError, "a season stays a season"),
        ("kilgrave", "person", PermissionDeniedError, "only the bot's owner"),
    ],
)
def test_entity_kind_refuses_with_a_reply_and_changes_nothing(
    engine: Engine, mod: Moderation, subject: str, kind: str, error: type, message: str
) -> None:
    mod.add_fact(MOD1, subject="Rand Gala", kind="what", text="A Netflix show.")
    before = engine.store.max_change_id()
    with pytest.raises(error, match=message):
        mod.set_entity_kind(MOD1, subject, kind)
    assert engine.store.max_change_id() == before


def test_entity_kind_on_global_and_other_servers_subjects(engine: Engine, mod: Moderation) -> None:
    theirs = mod.add_fact(MOD2, subject="Colleen Wing", kind="who", text="A martial artist.")
    with pytest.raises(UnknownSubjectError):  # another server's subject is not seen here
        mod.set_entity_kind(MOD1, "colleen wing", "person")
    assert kind_of(engine, theirs.entity_id or 0) is EntityKind.CHARACTER
    with pytest.raises(InvalidInputError, match="has seasons"):
        mod.set_entity_kind(OWNER, "jessica jones (show)", "thing")
    out = mod.set_entity_kind(OWNER, "kilgrave", "person")
    assert kind_of(engine, out.entity_id or 0) is EntityKind.PERSON
