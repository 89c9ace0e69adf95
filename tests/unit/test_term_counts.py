"""FactIndex.doc_freqs reads every term's count at once when the documents are few: the
counts are FTS5's own, term by term, before and after every kind of write, in this
process or another one (issue 22: a name nobody knows brought a query per new term)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.models import Actor
from bot.moderation import Moderation
from bot.privacy import Privacy
from bot.store import factindex
from bot.store.interchange import import_data

G = 111
OWNER = Actor(id=1, name="owner", guild_id=None, owner=True)
LOCAL = Actor(id=2, name="mod", guild_id=G)
UNKNOWN = ["zorblat", "quex", "xyzzi", "velkelprak"]


def fts_counts(engine: Engine, terms: list[str]) -> dict[str, int]:
    """Each term's count read alone from FTS5's vocabulary."""
    out = {}
    for term in terms:
        row = engine.store.db.execute(
            "SELECT doc FROM fact_doc_fts_vocab WHERE term = ?", [term]
        ).fetchone()
        out[term] = int(row[0]) if row else 0
    return out


def terms_of(engine: Engine) -> list[str]:
    rows = engine.store.db.execute("SELECT term FROM fact_doc_fts_vocab").fetchall()
    return [r[0] for r in rows]


def agree(engine: Engine, terms: list[str]) -> None:
    wanted = [*terms, *UNKNOWN]
    assert engine.store.docs.doc_freqs(wanted) == fts_counts(engine, wanted)


@pytest.mark.parametrize("whole", [True, False])
def test_counts_follow_every_write(engine: Engine, whole: bool, tmp_path: Path) -> None:
    if not whole:  # as for a store of many documents: term by term
        engine.store.docs.changed()
        factindex._WHOLE_VOCABULARY, saved = -1, factindex._WHOLE_VOCABULARY
    try:
        mod = Moderation(engine)
        before = terms_of(engine)
        agree(engine, before)
        assert engine.store.docs._whole is whole
        added = mod.add_fact(OWNER, subject="Zorblat Quex", kind="who",
                             text="Zorblat Quex is a pirate.", entity_kind="character")  # fmt: skip
        fid = added.fact_id
        assert fid is not None
        writes = [
            lambda: mod.edit_fact(OWNER, fid, text="Zorblat Quex is a velkelprak."),
            lambda: mod.add_alias(OWNER, "Xyzzi", "Zorblat Quex"),
            lambda: mod.remove_fact(OWNER, fid),
            lambda: mod.restore_fact(OWNER, fid),
            lambda: mod.add_fact(
                LOCAL, subject="Zorblat Quex", kind="what", text="Quex sails in this server only."
            ),
            lambda: Privacy(engine.store).forget_guild(G),
        ]
        for write in writes:
            write()
            agree(engine, [*before, *terms_of(engine)])
        # Another process's writes reach this one through the change log (Engine.sync).
        other = Engine.open(engine.store.path)
        try:
            data = {
                "format": "showbot",
                "version": 1,
                "entities": [{"key": "k", "name": "Quex Harbour", "kind": "thing"}],
                "facts": [{"key": "f", "entity": "k", "kind": "what", "status": "confirmed",
                           "text": "Quex Harbour hides the zorblat treasure."}],
            }  # fmt: skip
            with other.store.atomic():
                import_data(other.store, json.loads(json.dumps(data)), OWNER)
        finally:
            other.close()
        engine.sync(force=True)
        agree(engine, [*before, *terms_of(engine)])
    finally:
        if not whole:
            factindex._WHOLE_VOCABULARY = saved


def test_inside_a_transaction_terms_are_read_alone(engine: Engine) -> None:
    engine.store.docs.changed()
    with engine.store.atomic():
        engine.store.db.execute("SELECT 1")
        counts = engine.store.docs.doc_freqs(["jessica", "zorblat"])
        assert engine.store.docs._whole is False
    assert counts == fts_counts(engine, ["jessica", "zorblat"])
