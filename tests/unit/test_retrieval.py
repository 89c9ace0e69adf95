"""Free questions: the labelled sets, the honest gate, hostile search text, and the fact
documents (FTS5 + vectors) kept in step with every kind of write, in every process."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from bot.answering import retrieval
from bot.engine import Engine
from bot.models import SYSTEM, Actor
from bot.moderation import Moderation
from bot.replies.render import MAX_CONTENT, escape
from bot.store.factindex import FactIndex, match_any
from bot.store.interchange import export_data, import_data
from tests.questions.labelled import open_store, score
from tests.unit.test_properties import assert_safe

ROOT = Path(__file__).resolve().parents[2]
G1, G2 = 111, 222
MOD = Actor(id=1, name="mod1", guild_id=G1)
MOD2 = Actor(id=2, name="mod2", guild_id=G2)


def docs_match_a_rebuild(engine: Engine, tmp_path: Path) -> None:
    """The documents the writes left equal the ones a rebuild from the rows makes."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    copy = tmp_path / "rebuilt.db"
    engine.store.backup(copy)
    conn = sqlite3.connect(copy)
    FactIndex(Database(conn)).rebuild()
    conn.commit()
    query = "SELECT fact_id, entity_id, guild_id, body, names, vector FROM fact_doc ORDER BY 1"
    assert engine.store.db.execute(query).fetchall() == conn.execute(query).fetchall()
    # And the FTS index agrees with its content table.
    engine.store.db.execute("INSERT INTO fact_doc_fts(fact_doc_fts) VALUES ('integrity-check')")
    conn.close()


def first_key(engine: Engine, question: str, guild: int | None = None) -> str | None:
    answer = engine.ask(question, guild_id=guild)
    if not answer.answered:
        return None
    return engine.store.row("fact", answer.facts[0].id)["key"]


# ------------------------------------------------------------------ accuracy


def test_dev_set_accuracy_and_no_answer_about_unknown_subjects(tmp_path: Path) -> None:
    dev = score("dev", tmp_path)
    assert dev.unknown_wrong == 0, dev.misses
    assert dev.right / dev.total >= 0.87, "\n".join(dev.misses)


def test_holdout_never_answers_about_an_unknown_subject(tmp_path: Path) -> None:
    # The holdout's accuracy is reported by benchmarks/free_questions.py, never tuned on;
    # that unknown subjects stay unknown is a promise, so it is checked here.
    assert score("holdout", tmp_path).unknown_wrong == 0


@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("why did simpson turn on jessica", "simpson-pills"),
        ("who's the producer of jessica jones", "rosenberg-who"),
        ("who will be the new villain now that killgrave is gone", None),
        ("who is the villain of the punisher season 2", None),
        ("who killed superman", None),
        ("when does the crown season 7 come out", None),
        ("when does jessica jones season 7 come out", None),
    ],
)
def test_free_questions_on_the_seed(engine: Engine, question: str, key: str | None) -> None:
    answer = engine.ask(question)
    if key is None and "villain now" in question:
        assert answer.answered and answer.via == "facts"
        return
    assert first_key(engine, question) == key
    if key is not None:
        assert answer.via == "facts" and len(answer.facts) <= 3
        assert answer.fact_scores and answer.fact_scores == tuple(sorted(answer.fact_scores))[::-1]


def test_the_name_path_stays_for_names(engine: Engine) -> None:
    for question in ("!who nuke", "!when jessica jones s2", "!what igh"):
        answer = engine.ask(question)
        assert answer.via == "subject" and answer.answered
    # The name path shows every fact of the intent; a free question only those asked about.
    assert len(engine.ask("!when jessica jones s2").facts) == 3


def test_an_imported_show_is_answered_without_the_seed(tmp_path: Path) -> None:
    engine = open_store("daredevil", tmp_path / "dd.db")
    try:
        assert first_key(engine, "who plays the punisher") == "dd-bernthal"
        assert first_key(engine, "who trained matt") == "dd-stick-who"
        assert first_key(engine, "who plays jessica jones") is None
        # No fact says "family": the named subject's own fact closest in meaning answers.
        family = engine.ask("what happened to frank castle's family")
        assert family.via == "facts" and len(family.facts) == 1
        assert engine.store.row("fact", family.facts[0].id)["key"] == "dd-frank-who"
        assert first_key(engine, "what happened to luke cage's family") is None
        # "plays" is in other facts, not in Stick's: the store doesn't know who plays him.
        assert not engine.ask("who plays stick").answered
    finally:
        engine.close()


def test_a_server_sees_its_own_facts_and_overrides_only(engine: Engine) -> None:
    mod = Moderation(engine)
    mod.add_fact(MOD, subject="Jeri Hogarth", kind="who", text="Jeri Hogarth is a ruthless lawyer.")
    assert first_key(engine, "is hogarth a ruthless lawyer", G1) is None  # keyless: own fact
    assert engine.ask("is hogarth a ruthless lawyer", guild_id=G1).answered
    assert not engine.ask("is hogarth a ruthless lawyer", guild_id=G2).answered
    pills = engine.store.find_key("fact", "simpson-pills", None)["id"]
    mod.edit_fact(MOD, pills, text="Simpson got his red pills from a shady doctor.")
    mine = engine.ask("what pills did simpson take", guild_id=G1)
    assert mine.answered and "shady doctor" in mine.facts[0].text
    theirs = engine.ask("what pills did simpson take", guild_id=G2)
    assert all("shady doctor" not in f.text for f in theirs.facts)
    mod.remove_fact(MOD, engine.store.find_key("fact", "igh-what", None)["id"])
    hidden = engine.ask("who gave will the enhancers", guild_id=G1)
    assert all(engine.store.row("fact", f.id)["key"] != "igh-what" for f in hidden.facts)
    assert first_key(engine, "who gave will the enhancers", G2) == "igh-what"


def test_a_common_word_gathers_nothing_for_an_unseen_name(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no known subject named, a word in more facts than the budget gathers facts
    on its own only when the question has no unseen name-like word ("zorbulax"): no fact
    holds that name, and BM25's best for the common word are no likelier to."""
    monkeypatch.setattr(retrieval, "POSTINGS", 1)
    docs = engine.store.docs
    assert docs.doc_freqs(["villain"])["villain"] > 1
    searched: list[list[str]] = []
    search = docs.search

    def spy(terms: list[str], guild_id: int | None, limit: int) -> list[int]:
        searched.append(list(terms))
        return search(terms, guild_id, limit)

    monkeypatch.setattr(docs, "search", spy)
    assert not engine.ask("zorbulax villain").answered
    assert searched == []
    engine.ask("who is the villain")
    assert searched == [["villain"]]


# ------------------------------------------------------------------ hostile text


@pytest.mark.parametrize(
    "question",
    [
        'what "made" simpson turn on jessica',
        "simpson* AND jessica OR NEAR(x y)",
        "-simpson ^turn : jessica ( ) )(",
        'body:"igh" names:*',
        "NOT igh",
        '""""',
        "who \x00 gave will the enhancers",
    ],
)
def test_search_syntax_in_questions_is_only_words(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.problem is None or "characters long" not in answer.problem
    assert len(engine.reply(answer).content) <= MAX_CONTENT


def test_match_any_quotes_every_word() -> None:
    assert (
        match_any(['say "hi"', "a*b", "NEAR(x)"]) == '"say" OR "hi" OR "a" OR "b" OR "NEAR" OR "x"'
    )
    assert match_any(["", "*", "()"]) == ""


SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
WORDS = st.sampled_from(
    ["simpson", "jessica", "villain", "season", "2", "igh", "AND", "OR", "NEAR", '"', "*", "^",
     ":", "(", ")", "-", "||", "@everyone", "<@1>", "who", "when", "what", "superman", "s2",
     "killgrave", "nuke", "trish", "\u202e", "\u200b", "'", "`", "\\"]
)  # fmt: skip
FREE = st.lists(st.one_of(WORDS, st.text(max_size=12)), min_size=1, max_size=14).map(" ".join)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory):
    eng = Engine.open(Path(tmp_path_factory.mktemp("free")) / "f.db")
    yield eng
    eng.close()


@SETTINGS
@given(FREE)
def test_any_text_through_the_free_path_is_safe_and_writes_nothing(
    shared: Engine, text: str
) -> None:
    before = shared.store.max_change_id(), shared.store.docs.size()
    answer = shared.ask(text)
    content = shared.reply(answer).content
    assert_safe(content)  # within limits, spoilers balanced, no pings or links
    for fact in answer.facts:
        if fact.hidden:  # a rumor, prediction or spoiler is shown only inside ||...||
            assert f"||{escape(fact.text)}||" in content
    assert (shared.store.max_change_id(), shared.store.docs.size()) == before


# ------------------------------------------------------------------ in step with writes


def test_documents_follow_every_kind_of_write(engine: Engine, tmp_path: Path) -> None:
    mod = Moderation(engine)
    docs_match_a_rebuild(engine, tmp_path / "seeded")  # seeding
    added = mod.add_fact(MOD, subject="The Crown season 2", kind="when", text="Filming in 2017.")
    mod.add_fact(MOD, subject="Jeri Hogarth", kind="who", text="A lawyer.", quote="Ruthless.")
    fid = added.fact_id
    mod.edit_fact(MOD, fid, text="Filming of The Crown season 2 is in autumn 2017.")
    mod.add_alias(MOD, "Her Majesty's show", "The Crown")
    mod.rename_entity(MOD, "The Crown", "The Crown (Netflix)")
    pills = engine.store.find_key("fact", "simpson-pills", None)["id"]
    mod.edit_fact(MOD, pills, text="An override about the pills.")  # an override
    mod.remove_fact(MOD, engine.store.find_key("fact", "igh-what", None)["id"])  # a hiding
    mod.remove_fact(MOD, fid)
    mod.restore_fact(MOD, fid)
    mod.revert(MOD, fid, 1)
    mod.undo(MOD)
    mod.add_fact(MOD, subject="Malcolm", kind="who", text="Malcolm is Jessica's neighbour.")
    mod.merge_entities(MOD, "Malcolm", "Jeri Hogarth")
    mod.remove_alias(MOD, "Her Majesty's show")
    other = mod.add_fact(MOD2, subject="Hogarth", kind="who", text="Another server's Hogarth.")
    assert other.fact_id
    data = export_data(engine.store, G1)
    with engine.store.atomic():
        import_data(engine.store, data, Actor(id=5, name="importer", guild_id=G2))
    docs_match_a_rebuild(engine, tmp_path / "after")
    # What the writes said is what free questions find.
    crown = engine.ask("when is the crown filming in autumn", guild_id=G1)
    assert crown.answered and "autumn 2017" in crown.facts[0].text


def test_remembered_searches_follow_every_write(engine: Engine) -> None:
    """FactIndex.search remembers each word's documents until they change: after each
    add, edit, removal and another server's write it ranks as FTS5 itself does."""
    mod, docs = Moderation(engine), engine.store.docs

    def fts5(terms: list[str], guild: int | None) -> list[int]:
        return [
            r[0]
            for r in engine.store.db.execute(
                "SELECT fact_doc.fact_id FROM (SELECT rowid FROM fact_doc_fts WHERE"
                " fact_doc_fts MATCH ? ORDER BY rank LIMIT 30) AS hit JOIN fact_doc ON"
                " fact_doc.fact_id = hit.rowid WHERE fact_doc.guild_id IS NULL OR"
                " fact_doc.guild_id = ? LIMIT 10",
                [match_any(terms), guild],
            )
        ]

    def same() -> list[int]:
        for terms in (["zeppelin"], ["zeppelin", "jessica"], ["lawyer", "hogarth"]):
            for guild in (None, G1, G2):
                assert docs.search(terms, guild, 10) == fts5(terms, guild), (terms, guild)
        return docs.search(["zeppelin"], G1, 10)

    assert same() == []
    fid = mod.add_fact(MOD, subject="Jeri Hogarth", kind="who", text="Jeri flies a zeppelin.")
    assert same() == [fid.fact_id]
    mod.edit_fact(MOD, fid.fact_id, text="Jeri flies a plane.")
    assert same() == []
    mod.edit_fact(MOD, fid.fact_id, text="Jeri flies a zeppelin, a lawyer's zeppelin.")
    assert same() == [fid.fact_id]
    other = mod.add_fact(MOD2, subject="Hogarth", kind="who", text="A zeppelin lawyer.")
    assert same() == [fid.fact_id]
    assert docs.search(["zeppelin"], G2, 10) == [other.fact_id]
    mod.remove_fact(MOD, fid.fact_id)
    assert same() == []


def test_facts_read_again_follow_every_write(engine: Engine) -> None:
    """Facts are made once per row read (Reads._facts_of): an edit, an outcome, a server's
    override and a removal each read back as written."""
    mod, store = Moderation(engine), engine.store
    added = mod.add_fact(
        SYSTEM, subject="Jeri Hogarth", kind="who", text="Jeri is a lawyer.", status="rumor"
    )
    fid = added.fact_id

    def seen(guild: int | None = G1) -> list[tuple[str, str | None]]:
        by_ids = store.facts_by_ids([fid], guild)
        of_subject = [
            f for f in store.facts_for(by_ids[0].entity_id, guild) if fid in (f.id, f.overrides)
        ]
        assert by_ids == of_subject
        return [(f.text, f.outcome.value if f.outcome else None) for f in by_ids]

    assert seen() == seen() == [("Jeri is a lawyer.", None)]
    mod.edit_fact(SYSTEM, fid, text="Jeri is a ruthless lawyer.")
    assert seen() == [("Jeri is a ruthless lawyer.", None)]
    mod.resolve_fact(SYSTEM, fid, "busted")
    assert seen()[0][1] is not None  # an outcome changes no text nor version
    mod.edit_fact(MOD2, fid, text="Jeri is G2's lawyer.")  # another server's override
    assert [text for text, _ in seen(G2)] == ["Jeri is G2's lawyer."]
    assert seen()[0][0] == "Jeri is a ruthless lawyer."
    mod.remove_fact(SYSTEM, fid)
    assert store.facts_by_ids([fid], G1) == []


def test_a_write_that_fails_leaves_no_document(engine: Engine, tmp_path: Path) -> None:
    store = engine.store
    size = store.docs.size()
    with pytest.raises(RuntimeError), store.batch():
        ent = store.insert("entity", {"name": "Ghost", "kind": "character"}, SYSTEM, "x")
        store.insert(
            "fact",
            {"entity_id": ent, "kind": "who", "text": "Boo.", "status": "confirmed"},
            SYSTEM,
            "x",
        )
        raise RuntimeError("disk on fire")
    assert store.docs.size() == size
    docs_match_a_rebuild(engine, tmp_path)


def test_an_existing_database_gains_documents_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    Engine.open(path).close()
    conn = sqlite3.connect(path)
    conn.executescript(
        "DROP TABLE fact_doc_fts_vocab; DROP TABLE fact_doc_fts; DROP TRIGGER IF EXISTS"
        " fact_doc_ai; DROP TRIGGER IF EXISTS fact_doc_ad; DROP TRIGGER IF EXISTS fact_doc_au;"
        " DROP TABLE fact_doc; ALTER TABLE question DROP COLUMN via;"
        " DELETE FROM _sqlite_migrations WHERE name IN ('m003_fact_search',"
        " 'm005_search_indexes');"
    )
    conn.commit()
    conn.close()
    engine = Engine.open(path)
    try:
        assert engine.store.docs.size() == 27
        plan = engine.store.db.execute(
            "EXPLAIN QUERY PLAN SELECT fact_id FROM fact_doc WHERE entity_id = 1"
        ).fetchall()
        assert "fact_doc_entity" in str(plan)
        assert first_key(engine, "why did simpson turn on jessica") == "simpson-pills"
    finally:
        engine.close()


def test_another_process_sees_a_new_fact_at_once(engine: Engine) -> None:
    assert not engine.ask("who is the new janitor at the precinct").answered
    code = (
        "from bot.engine import Engine\n"
        "from bot.moderation import Moderation\n"
        "from bot.models import Actor\n"
        f"e = Engine.open({engine.store.path!r}, seed=False)\n"
        "Moderation(e).add_fact(Actor(id=7, name='m', owner=True), subject='Oscar Arocho',"
        " kind='who', text='Oscar Arocho is the new janitor at the precinct.')\n"
        "e.close()\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)
    engine.sync(force=True)
    answer = engine.ask("who is the new janitor at the precinct")
    assert answer.answered and "janitor" in answer.facts[0].text


def test_ask_json_reports_the_path_and_scores(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "--db", str(tmp_path / "j.db"),
         "why did simpson turn on jessica", "!who nuke", "who killed superman"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["via"] for r in rows] == ["facts", "subject", None]
    assert len(rows[0]["fact_scores"]) == len(rows[0]["facts"]) >= 1
    assert all(0 < s <= 2 for s in rows[0]["fact_scores"])
    assert rows[2]["facts"] == [] and rows[2]["fact_scores"] == []
    assert out.returncode == 1  # one question got no answer


def test_a_private_fact_another_connection_wrote_is_never_searched_by_other_servers(
    tmp_path: Path,
) -> None:
    """The servers of searched documents are remembered until this connection hears of a
    change (its next sync); a document written meanwhile by another connection (the bot's
    writer thread, another process) is read, never taken to be everyone's."""
    from tests.seeded import seeded_copy

    path = seeded_copy(tmp_path / "two.db")
    reader, writer = Engine.open(path), Engine.open(path)
    try:
        reader.sync(force=True)
        assert reader.store.docs.search(["villain"], 111, 40)  # servers read and remembered
        mod = Actor(id=2, name="mod", guild_id=222)
        Moderation(writer).add_fact(
            mod, subject="Jeri Hogarth", kind="who", text="Jeri Hogarth hides the zanzibar ledger."
        )
        # No sync: the reader has not heard of the write yet.
        assert reader.store.docs.search(["zanzibar"], 111, 40) == []
        assert reader.store.docs.search(["zanzibar"], None, 40) == []
        assert reader.store.docs.search(["zanzibar"], 222, 40) != []
    finally:
        reader.close()
        writer.close()
