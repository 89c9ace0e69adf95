import re
from dataclasses import replace

import pytest

from bot.models import (
    Answer,
    Entity,
    EntityKind,
    Fact,
    FuzzyDate,
    Intent,
    Kind,
    Question,
    Source,
    Status,
)
from bot.replies.render import MAX_CONTENT, escape, render_answer, render_error, safe_url

SOURCE = Source(1, "A *bold* title", "Pub", "https://example.com/a||b", FuzzyDate(2016, 5))
ENTITY = Entity(7, "Nuke", EntityKind.CHARACTER)


def fact(i: int, text: str = "A fact.", **kw: object) -> Fact:
    base = Fact(i, 7, Kind.WHO, text, Status.CONFIRMED, False, None, SOURCE, None, None, 1)
    return replace(base, **kw)  # type: ignore[arg-type]


def answer(*facts: Fact, intent: Intent = Intent.WHO) -> Answer:
    q = Question(raw="!who nuke", intent=intent, subject="nuke")
    return Answer(question=q, intent=intent, entity=ENTITY, score=100.0, facts=facts)


def test_fact_lines_cite_status_date_and_id() -> None:
    content = render_answer(answer(fact(3))).content
    assert content.splitlines()[0] == "**Nuke** — who"
    assert "• A fact. — *confirmed*, as of May 2016 [1] `#3`" in content
    assert "[1] *A \\*bold\\* title*, Pub, May 2016 <https://example.com/a%7C%7Cb>" in content


@pytest.mark.parametrize("status", [Status.RUMOR, Status.PREDICTION])
def test_speculation_is_spoiler_tagged(status: Status) -> None:
    content = render_answer(answer(fact(3, "He becomes Nuke.", status=status))).content
    assert "||He becomes Nuke.||" in content


def test_spoiler_flag_tags_confirmed_facts_too() -> None:
    content = render_answer(answer(fact(3, "Dies.", spoiler=True))).content
    assert "||Dies.||" in content


@pytest.mark.parametrize(
    "evil",
    [
        "end|| leaked ||",
        "@everyone look",
        "<@123> and <@&456> and <#789>",
        "[click](https://evil.example)",
        "**bold** _it_ ~~s~~ `code`",
        "a\u202eb\u200bc",
        "\\|| escaped?",
    ],
)
def test_fact_text_cannot_break_out(evil: str) -> None:
    content = render_answer(answer(fact(3, evil, status=Status.RUMOR))).content
    line = next(line for line in content.splitlines() if line.startswith("• "))
    body = line.split(" — ")[0]
    # Exactly one unescaped spoiler pair, around the whole text.
    unescaped_bars = [i for i, ch in enumerate(body) if ch == "|" and body[i - 1] != "\\"]
    assert len(unescaped_bars) == 4
    assert not re.search(r"(?<!\\)[@<]", body), "an unescaped mention survived"
    assert "](" not in content.replace("\\](", "")
    assert "\u202e" not in content and "\u200b" not in content


def test_escape_escapes_each_special_character_once() -> None:
    assert escape("a|b") == "a\\|b"
    assert escape("\\") == "\\\\"
    assert escape("x @here") == "x \\@here"


def test_long_answers_are_cut_between_facts_with_a_pointer() -> None:
    facts = [fact(i, "word " * 100) for i in range(1, 20)]
    content = render_answer(answer(*facts)).content
    assert len(content) <= MAX_CONTENT
    assert "more: see `!fact show <id>`" in content
    assert content.count("• ") < 19
    assert all(line.endswith("`") for line in content.splitlines() if line.startswith("• "))


def test_errors_share_one_marker_and_fit() -> None:
    reply = render_error("x" * 5000)
    assert reply.error and reply.content.startswith("⚠️ ") and len(reply.content) <= MAX_CONTENT


def test_safe_url_leaves_no_markdown() -> None:
    assert safe_url("https://a.b/x||y*z_w") == "https://a.b/x%7C%7Cy%2Az%5Fw"
