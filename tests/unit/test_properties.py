"""Property tests (hypothesis): hostile text never escapes, breaks a spoiler, pings, or writes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answering.questions import parse_question
from bot.engine import Engine
from bot.errors import InvalidInputError, ShowbotError
from bot.models import Actor, Answer, Entity, EntityKind, Fact, Intent, Kind, Question
from bot.models import Status as S
from bot.moderation import Moderation
from bot.replies.render import MAX_CONTENT, render_answer

# Text built to hurt: markdown, spoilers, mentions, invisible and bidi controls, RTL, emoji.
NASTY = st.sampled_from(
    ["||", "|", "\\", "@everyone", "@here", "<@123>", "<@&9>", "<#5>", "`", "**", "~~", "_",
     "[x](https://e.x)", "\u200b", "\u202e", "\u2066", "\ufeff", "\n", "# ", "> ", "-# ",
     "שלום", "🙂", "\x00", "\x1b[31m", "s2", "!when ", "'; DROP TABLE fact; --", "%s"]
)  # fmt: skip
TEXT = st.lists(st.one_of(st.text(max_size=30), NASTY), max_size=12).map("".join)
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def visible(content: str) -> str:
    """The content with every backslash-escaped character blanked out: what Discord
    would treat as markup."""
    return re.sub(r"\\.", "  ", content, flags=re.S)


def assert_safe(content: str) -> None:
    assert 0 < len(content) <= MAX_CONTENT
    markup = visible(content)
    for line in markup.splitlines():
        assert line.count("||") % 2 == 0, line
    assert not re.search(r"@(everyone|here)|<[@#]|<@&|\]\(", markup), content
    assert "\u202e" not in content and "\u200b" not in content


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    eng = Engine.open(Path(tmp_path_factory.mktemp("props")) / "p.db")
    yield eng
    eng.close()


@SETTINGS
@given(TEXT)
def test_parser_only_raises_its_own_error(text: str) -> None:
    try:
        q = parse_question(text)
    except InvalidInputError:
        return
    assert q.subject or q.season is not None


@SETTINGS
@given(TEXT, st.sampled_from([None, *Intent]))
def test_any_question_gets_a_safe_reply_and_writes_nothing(
    engine: Engine, text: str, intent: Intent | None
) -> None:
    before = engine.store.max_change_id()
    answer = engine.ask(text, intent=intent, guild_id=1)
    assert_safe(engine.reply(answer).content)
    assert engine.store.max_change_id() == before


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=2_001, max_value=200_000))
def test_huge_questions_are_refused_cheaply(n: int) -> None:
    with pytest.raises(InvalidInputError, match="characters long"):
        parse_question("!who " + "x" * n)


FACT = Fact(1, 1, Kind.WHO, "x", S.CONFIRMED, False, None, None, None, None, 1)


@SETTINGS
@given(
    st.lists(
        st.tuples(TEXT.filter(str.strip), st.sampled_from(list(S)), st.booleans()),
        min_size=1,
        max_size=30,
    )
)
def test_rendered_facts_keep_spoilers_shut(facts: list[tuple[str, S, bool]]) -> None:
    entity = Entity(1, "Nuke", EntityKind.CHARACTER)
    shown = tuple(
        replace(FACT, id=i + 1, text=text, status=status, spoiler=spoiler)
        for i, (text, status, spoiler) in enumerate(facts)
    )
    q = Question(raw="!who nuke", intent=Intent.WHO, subject="nuke")
    content = render_answer(Answer(q, Intent.WHO, entity, 100.0, shown)).content
    assert_safe(content)
    for fact in shown:
        line = next((ln for ln in content.splitlines() if ln.endswith(f"`#{fact.id}`")), None)
        if line is None:
            continue  # cut for length, with a pointer
        body = visible(line).split(" — ")[0]
        assert body.count("||") == (2 if fact.hidden else 0), line


@SETTINGS
@given(
    subject=TEXT,
    kind=st.one_of(TEXT, st.sampled_from(["when", "who", "what"])),
    text=TEXT,
    status=st.one_of(TEXT, st.sampled_from(["confirmed", "rumor"])),
    date=st.one_of(st.none(), TEXT, st.sampled_from(["2017", "2016-09-30", "2016-02-30"])),
)
def test_moderator_arguments_either_apply_or_change_nothing(
    engine: Engine, subject: str, kind: str, text: str, status: str, date: str | None
) -> None:
    mod = Moderation(engine)
    actor = Actor(id=5, name="m", guild_id=77)
    before = engine.store.max_change_id()
    try:
        out = mod.add_fact(actor, subject=subject, kind=kind, text=text, status=status, date=date)
    except ShowbotError:
        assert engine.store.max_change_id() == before
        return
    assert out.fact_id is not None
    reply = engine.reply(engine.answer_entity(out.entity_id, Intent.ASK, 77)).content
    assert_safe(reply)
    mod.undo(actor)  # keep the store small for the next example
    assert engine.store.fact(out.fact_id).deleted
