"""The questions fans ask about each seeded subject, answered from the seed article."""

import pytest

from bot.engine import Engine
from bot.models import Intent, Status

TITLE = "‘Jessica Jones’ Season 2 Release Date: Filming Set For 2017"
CITATION = f"[1] *{TITLE}*, May 2016"  # the footer every seeded answer ends with


def fact_lines(reply: str, fact_id: int) -> list[str]:
    """The reply's lines that show fact ``fact_id`` (by its `#id` tag)."""
    return [line for line in reply.splitlines() if f"`#{fact_id}`" in line]


@pytest.mark.parametrize(
    ("message", "entity", "must_include"),
    [
        ("!when jessica jones s2", "Jessica Jones season 2", {"jj-s2-production-2017"}),
        ("!when jessica jones season two", "Jessica Jones season 2", {"jj-s2-confirmed-january"}),
        (
            "!ask when does jessica jones season 2 come out",
            "Jessica Jones season 2",
            {"jj-s2-production-2017"},
        ),
        ("!when jessika jones 2nd season", "Jessica Jones season 2", {"jj-s2-production-2017"}),
        ("!when jones jessica s2", "Jessica Jones season 2", {"jj-s2-production-2017"}),
        ("!when the defenders", "The Defenders", {"defenders-production-end-2016"}),
        ("!when defnders", "The Defenders", {"defenders-contractual-filming"}),
        ("!when luke cage", "Luke Cage", {"luke-cage-premiere"}),
        ("when does luke cage premiere", "Luke Cage", {"luke-cage-premiere"}),
        ("!when iron fist", "Iron Fist", {"iron-fist-filming"}),
        ("!who nuke", "Nuke", {"nuke-who", "nuke-simpson-prediction"}),
        ("!who kilgrav", "Killgrave", {"killgrave-who"}),
        ("!who kilgrave", "Killgrave", {"killgrave-who"}),
        ("!who killgrave", "Killgrave", {"killgrave-who"}),
        ("!who trish", "Trish Walker", {"trish-who"}),
        ("!who patsy walker", "Trish Walker", {"trish-hellcat"}),
        ("!who is hellcat", "Trish Walker", {"trish-hellcat"}),
        ("!who walker trish", "Trish Walker", {"trish-who"}),
        ("!who will simpson", "Will Simpson", {"simpson-who", "simpson-becomes-nuke-prediction"}),
        ("!who officer simpson", "Will Simpson", {"simpson-who"}),
        ("!what igh", "IGH", {"igh-what"}),
        ("!who igh", "IGH", {"igh-what"}),
        ("!who melisa rosenburg", "Melissa Rosenberg", {"rosenberg-who"}),
        ("!who is rosenberg", "Melissa Rosenberg", {"rosenberg-who"}),
        ("!who charlie cox", "Charlie Cox", {"charlie-cox-who"}),
        ("!who jessica jones", "Jessica Jones", {"jj-character-who"}),
        ("!what jessica jones", "Jessica Jones", {"jj-show-what"}),
        (
            "!who is the villain of jessica jones s2",
            "Jessica Jones season 2",
            {"jj-s2-villain-nuke-prediction"},
        ),
    ],
)
def test_fan_questions(engine: Engine, message: str, entity: str, must_include: set[str]) -> None:
    answer = engine.ask(message)
    reply = engine.reply(answer).content
    assert answer.entity is not None, reply
    assert answer.entity.name == entity
    assert answer.answered and answer.facts, reply
    assert must_include  # every case names a fact it must get
    keys = {engine.store.row("fact", f.id)["key"] for f in answer.facts}
    assert must_include <= keys, (keys, reply)
    # Only the subject's own facts, each shown once and citing the article in the footer.
    assert CITATION in reply.splitlines(), reply
    for fact in answer.facts:
        assert fact.entity_id == answer.entity.id, (fact, reply)
        assert fact.source is not None and fact.source.title == TITLE
        (line,) = fact_lines(reply, fact.id)
        assert line.startswith("• ") and "[1]" in line, line


def test_who_jessica_jones_is_the_character_and_what_is_the_show(engine: Engine) -> None:
    assert engine.ask("!who jessica jones").entity.kind.value == "character"
    assert engine.ask("!what jessica jones").entity.kind.value == "show"
    assert engine.ask("!when jessica jones").entity.kind.value == "show"


def test_bare_name_shared_by_show_and_character_is_ambiguous(engine: Engine) -> None:
    answer = engine.ask("jessica jones")
    assert answer.ambiguous and not answer.answered
    assert {s.entity.kind.value for s in answer.suggestions} == {"show", "character"}


UNKNOWN = "I don't know anything about **"


@pytest.mark.parametrize(
    ("message", "opening"),
    [
        ("!when jessica jones s3", UNKNOWN),
        ("!when jessica jones season 3", UNKNOWN),
        ("!when luke cage s2", UNKNOWN),
        ("!who walter white", UNKNOWN),
        ("!when breaking bad", UNKNOWN),
        ("!what xyzzy", UNKNOWN),
        ("!who", "⚠️ Ask me about a show"),  # no subject at all: how to ask
        ("!when game of thrones s2", UNKNOWN),
    ],
)
def test_unknown_subjects_never_get_another_subjects_fact(
    engine: Engine, message: str, opening: str
) -> None:
    answer = engine.ask(message)
    assert not answer.answered
    assert answer.entity is None and not answer.facts
    content = engine.reply(answer).content
    assert content.startswith(opening), content
    assert "`#" not in content and "[1]" not in content, content  # no fact, no citation


def test_s3_is_unknown_when_only_s2_is_known_and_suggests_s2(engine: Engine) -> None:
    answer = engine.ask("!when jessica jones s3")
    names = [s.entity.name for s in answer.suggestions]
    assert "Jessica Jones season 2" in names
    assert "Did you mean" in engine.reply(answer).content


def test_speculation_is_always_spoiler_tagged(engine: Engine) -> None:
    answer = engine.ask("!who nuke")
    content = engine.reply(answer).content
    speculative = [f for f in answer.facts if f.status in (Status.RUMOR, Status.PREDICTION)]
    assert speculative
    for fact in speculative:
        (line,) = fact_lines(content, fact.id)
        assert f"||{fact.text}||" in line and line.count("||") == 2, line
        assert f"*{fact.status.value}*" in line, line


def test_answers_say_as_of_the_source_date_and_cite_the_title(engine: Engine) -> None:
    content = engine.reply(engine.ask("!when jessica jones s2")).content
    assert "as of May 2016" in content
    assert "**2017**:" in content and "**January 2016**:" in content
    assert "[1] *‘Jessica Jones’ Season 2 Release Date: Filming Set For 2017*, May 2016" in content
    content = engine.reply(engine.ask("!when luke cage")).content
    assert "**30 September 2016**:" in content


def test_when_asked_of_a_subject_with_no_dates_says_so(engine: Engine) -> None:
    answer = engine.ask("!when trish")
    assert answer.entity.name == "Trish Walker"
    assert not answer.answered and answer.other_facts
    assert "nothing on *when*" in engine.reply(answer).content


def test_every_question_is_logged(engine: Engine) -> None:
    engine.ask("!who nuke")
    engine.ask("!who walter white")
    engine.ask("")
    engine.flush_log()
    rows = engine.store.rows("SELECT text, intent, entity_id, answered, latency_ms FROM question")
    assert [(r["text"], r["answered"]) for r in rows] == [
        ("!who nuke", 1),
        ("!who walter white", 0),
        ("", 0),
    ]
    assert rows[0]["entity_id"] is not None and rows[0]["latency_ms"] >= 0


def test_suggestion_buttons_answer_by_id_and_are_logged(engine: Engine) -> None:
    unknown = engine.ask("jessica jones")
    character = next(s.entity for s in unknown.suggestions if s.entity.kind.value == "character")
    answer = engine.answer_entity(character.id, Intent.WHO, None, channel_id=5, user_id=6)
    assert answer.answered and answer.entity == character
    assert not engine.answer_entity(10**9, Intent.WHO, None).answered
    engine.flush_log()
    rows = engine.store.rows(
        "SELECT text, entity_id, answered FROM question WHERE text LIKE '#%' ORDER BY id"
    )
    assert rows == [  # who clicked, and where, is not kept (issue 14)
        {"text": f"#{character.id}", "entity_id": character.id, "answered": 1},
        {"text": f"#{10**9}", "entity_id": None, "answered": 0},
    ]
    columns = {r["name"] for r in engine.store.rows("PRAGMA table_info(question)")}
    assert not columns & {"user_id", "channel_id"}
