import pytest

from bot.answering.questions import extract_season, parse_question
from bot.errors import InvalidInputError
from bot.models import Intent


@pytest.mark.parametrize(
    ("message", "intent", "subject", "season"),
    [
        ("!when jessica jones s2", Intent.WHEN, "jessica jones", 2),
        ("!when jessica jones season 2", Intent.WHEN, "jessica jones", 2),
        ("!when jessica jones season two", Intent.WHEN, "jessica jones", 2),
        ("!when jessica jones 2nd season", Intent.WHEN, "jessica jones", 2),
        ("!when jessica jones second season", Intent.WHEN, "jessica jones", 2),
        ("!when jessica jones s02e03", Intent.WHEN, "jessica jones", 2),
        ("!who nuke", Intent.WHO, "nuke", None),
        ("!who is nuke?", Intent.WHO, "nuke", None),
        ("!what igh", Intent.WHAT, "igh", None),
        ("!WHO Nuke", Intent.WHO, "nuke", None),
        ("!ask when does jessica jones season 2 come out", Intent.WHEN, "jessica jones", 2),
        ("!ask who is trish", Intent.WHO, "trish", None),
        ("when does luke cage premiere", Intent.WHEN, "luke cage", None),
        ("what's IGH?", Intent.WHAT, "igh", None),
        ("killgrave", Intent.ASK, "killgrave", None),
        ("!nuke", Intent.ASK, "nuke", None),
        ("!what the defenders", Intent.WHAT, "the defenders", None),
        ("!when is the defenders filming", Intent.WHEN, "the defenders", None),
        ("!ask tell me about melissa rosenberg", Intent.ASK, "melissa rosenberg", None),
        ("who is the villain of jessica jones s2", Intent.WHO, "jessica jones", 2),
        ("what is the release date of luke cage", Intent.WHEN, "luke cage", None),
        ("who is the mother of nuke", Intent.WHO, "the mother of nuke", None),
    ],
)
def test_parse_question(message: str, intent: Intent, subject: str, season: int | None) -> None:
    q = parse_question(message)
    assert (q.intent, q.subject, q.season) == (intent, subject, season)


def test_slash_intent_takes_subject_only() -> None:
    q = parse_question("jessica jones s2", intent=Intent.WHEN)
    assert (q.intent, q.subject, q.season, q.explicit_intent) == (
        Intent.WHEN,
        "jessica jones",
        2,
        True,
    )


def test_other_prefix() -> None:
    assert parse_question("?who nuke", prefix="?").intent is Intent.WHO
    # With another prefix, "!who" is just text: the question word still counts.
    assert parse_question("!who nuke", prefix="?").subject == "nuke"


@pytest.mark.parametrize(
    "message", ["", "   ", "!who", "!when ", "!ask who is", "\x00\x01", "🙂🙂", "!who ||"]
)
def test_nothing_to_ask_is_a_clear_error(message: str) -> None:
    with pytest.raises(InvalidInputError, match="Ask me about"):
        parse_question(message)


def test_huge_question_is_refused_before_work() -> None:
    with pytest.raises(InvalidInputError, match="100,00"):
        parse_question("!who " + "a" * 100_000)


def test_season_words_in_names_are_not_seasons() -> None:
    assert extract_season("seasons of love") == ("seasons of love", None)
    assert extract_season("jessica jones s3") == ("jessica jones", 3)


@pytest.mark.parametrize(
    ("message", "intent", "subject"),
    [
        ("<@123456789012345678> who nuke", Intent.WHO, "nuke"),
        ("<@!123456789012345678>   when jessica jones s2", Intent.WHEN, "jessica jones"),
        ("<@123456789012345678> what is igh", Intent.WHAT, "igh"),
        ("<@123456789012345678> who is trish", Intent.WHO, "trish"),
        ("<@123456789012345678> nuke", Intent.ASK, "nuke"),
    ],
)
def test_a_mention_of_the_bot_is_a_prefix(message: str, intent: Intent, subject: str) -> None:
    """``@showbot who nuke`` (Discord sends ``<@BOTID> who nuke``) reads as ``!who nuke``."""
    q = parse_question(message)
    assert (q.intent, q.subject) == (intent, subject)
    assert "123456789012345678" not in " ".join(q.words)
    assert (
        parse_question(message).explicit_intent
        == parse_question("!" + message.split(">", 1)[1].strip()).explicit_intent
    )


def test_a_mention_alone_is_nothing_to_ask() -> None:
    with pytest.raises(InvalidInputError, match="Ask me about"):
        parse_question("<@123456789012345678>")
