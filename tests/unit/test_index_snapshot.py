"""The index snapshot (bot/answering/lookup/snapshot.py, bot/answering/coldstart.py): a
start maps it instead of building, answers exactly as a build would, catches up from the
change log, and any snapshot that does not fit (missing, stale, another database's,
truncated, garbage) is rebuilt: never a wrong answer, never a crash."""

from __future__ import annotations

import random
import shutil
import threading
from pathlib import Path

import pytest

from bot.answering import coldstart
from bot.answering.lookup import AliasIndex, Hit, snapshot
from bot.engine import Engine
from bot.models import Actor
from bot.moderation import Moderation
from bot.store.core import Store, now

OWNER = Actor(id=9, name="owner", guild_id=None, owner=True)
FIRST = "jessica luke trish malcolm jeri karen foggy matt elektra frank claire wilson".split()
LAST = "jones cage walker ducasse hogarth page nelson murdock natchios castle temple".split()
ODD = ["zoë", "ñandú", "kilgrave", "killgrave", "o'brien", "hellcat", "défenders", "naïve"]


def names(rng: random.Random, n: int) -> list[str]:
    out = []
    for i in range(n):
        words = [rng.choice(FIRST + ODD), rng.choice(LAST)]
        if rng.random() < 0.3:
            words.append(f"x{i % 97}{rng.choice(LAST)}")
        if rng.random() < 0.2:
            words.insert(0, "the")
        out.append(" ".join(w.title() for w in words))
    return out


def hits(hs: list[Hit] | Hit | None) -> list[tuple]:
    seq = hs if isinstance(hs, list) else [] if hs is None else [hs]
    return [(h.key, h.entity_id, h.text, h.score) for h in seq]


def queries(rng: random.Random, texts: list[str], n: int) -> list[str]:
    out = []
    for _ in range(n):
        t = rng.choice(texts).lower()
        if rng.random() < 0.4 and len(t) > 4:
            i = rng.randrange(len(t))
            t = t[:i] + t[i + 1 :]  # a typo
        if rng.random() < 0.3:
            t = " ".join(reversed(t.split()))
        out.append(t)
    return [*out, "zz top", "the", "walker", "jessica j", "kilgrav", "nandu"]


def assert_same(a: AliasIndex, b: AliasIndex, qs: list[str]) -> None:
    assert len(a) == len(b)
    for q in qs:
        assert hits(a.best(q)) == hits(b.best(q)), q
        assert hits(a.search(q, limit=5)) == hits(b.search(q, limit=5)), q
        for prefix in (q[: max(1, len(q) // 2)], q + " "):
            assert hits(a.complete(prefix, limit=8)) == hits(b.complete(prefix, limit=8)), prefix


def snapshotted(index: AliasIndex, path: Path) -> AliasIndex:
    snapshot.write(path, *snapshot.index_arrays(index))
    return snapshot.index_from(*snapshot.read(path))


def test_a_snapshot_answers_as_the_build_it_was_written_from(tmp_path: Path) -> None:
    rng = random.Random(5)
    texts = names(rng, 3000)
    rows = [(k, k // 2, t) for k, t in enumerate(texts)]
    built = AliasIndex.build(rows)
    mapped = snapshotted(AliasIndex.build(rows), tmp_path / "a.index")
    assert_same(built, mapped, queries(rng, texts, 150))
    # And both keep answering alike through the same edits (copy-on-write pages).
    for index in (built, mapped):
        edit = random.Random(6)
        for i in range(300):
            if edit.random() < 0.6:
                index.add(10_000 + i, 5_000 + i, names(edit, 1)[0])
            else:
                index.remove(edit.randrange(3000))
    assert_same(built, mapped, queries(rng, texts, 100))
    # An edited index is written as the build of its live aliases.
    again = snapshotted(mapped, tmp_path / "b.index")
    assert_same(built, again, queries(rng, texts, 60))
    assert (tmp_path / "a.index").read_bytes()  # never written to by the edits


# ------------------------------------------------------------------ the engine


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(coldstart, "MIN_NAMES", 0)  # snapshot the small test databases too


def fill(path: Path, n: int, seed: int) -> list[str]:
    """Entities and aliases written by SQL (a fixture: no change-log rows)."""
    rng = random.Random(seed)
    texts = names(rng, n)
    store = Store.open(path)
    stamp = now()
    with store.atomic():
        store.db.conn.executemany(
            "INSERT INTO entity (id, name, kind, created_at, updated_at) VALUES (?,?,?,?,?)",
            ((1000 + i, t, "character", stamp, stamp) for i, t in enumerate(texts)),
        )
        store.db.conn.executemany(
            "INSERT INTO alias (entity_id, name, guild_id, created_at, updated_at)"
            " VALUES (?,?,?,?,?)",
            (
                (1000 + i, t.split()[-1] + " " + t.split()[0], 111 if i % 7 else None, stamp, stamp)
                for i, t in enumerate(texts)
                if i % 3 == 0
            ),
        )
    store.close()
    return texts


def answers(engine: Engine, qs: list[str]) -> list[tuple]:
    out = []
    for q in qs:
        for guild in (None, 111):
            a = engine.ask(f"!who {q}", guild_id=guild)
            out.append((a.entity.id if a.entity else None, round(a.score, 2), a.ambiguous))
        out.append(tuple(engine.complete(q[:4], guild_id=111)))
    return out


def fresh_answers(path: Path, qs: list[str], monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """What an engine built from the store (no snapshot read, none written) answers."""
    with monkeypatch.context() as m:
        m.setattr(coldstart, "load", lambda store: None)
        m.setattr(coldstart, "save", lambda *a: None)
        engine = Engine.open(path, seed=False)
        try:
            return answers(engine, qs)
        finally:
            engine.close()


def opened(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Engine, bool]:
    """An engine, and whether it was built (True) or mapped from the snapshot."""
    built = []
    real = AliasIndex.build.__func__  # type: ignore[attr-defined]

    def spy(cls: type[AliasIndex], rows: object) -> AliasIndex:
        built.append(True)
        return real(cls, rows)

    with monkeypatch.context() as m:
        m.setattr(AliasIndex, "build", classmethod(spy))
        engine = Engine.open(path, seed=False)
    return engine, bool(built)


def test_a_start_maps_the_snapshot_and_catches_up_from_the_log(
    db_path: Path, small: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = fill(db_path, 800, 1)
    engine, built = opened(db_path, monkeypatch)
    assert built and coldstart.snapshot_path(db_path).exists()  # type: ignore[union-attr]
    engine.close()
    # Edits after the snapshot, made while no process that read it ran.
    mod_engine, built = opened(db_path, monkeypatch)
    assert not built
    mod = Moderation(mod_engine)
    mod.add_fact(OWNER, subject="Zebediah Killgrave", kind="who", text="Zeb is someone.")
    mod.add_alias(OWNER, "Purple Man", "Zebediah Killgrave")
    mod.rename_entity(OWNER, texts[10] + " (character)", "Foggy Bar")
    mod.add_alias(OWNER, "Trish Hellcat", texts[20] + " (character)")
    mod_engine.close()
    qs = [*texts[:40], "purple man", "zebediah", "foggy bar", "trish hellcat", texts[10]]
    engine, built = opened(db_path, monkeypatch)
    try:
        assert not built  # mapped, then caught up
        assert engine.ask("!who purple man").entity is not None
        assert answers(engine, qs) == fresh_answers(db_path, qs, monkeypatch)
    finally:
        engine.close()


def _truncate(p: Path) -> None:
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


def _garbage(p: Path) -> None:
    p.write_bytes(random.Random(1).randbytes(p.stat().st_size))


def _flip(p: Path) -> None:
    data = bytearray(p.read_bytes())
    data[len(data) * 2 // 3] ^= 0x5A
    p.write_bytes(bytes(data))


def _header(p: Path) -> None:
    data = bytearray(p.read_bytes())
    data[30:40] = b"}}}}}}}}}}"
    p.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.unlink(),
        lambda p: p.write_bytes(b""),
        lambda p: p.write_bytes(b"SHOWSNAP"),
        _truncate,
        _garbage,
        _flip,
        _header,
    ],
    ids=["missing", "empty", "magic-only", "truncated", "garbage", "flipped-byte", "header"],
)
def test_a_damaged_snapshot_is_rebuilt(
    db_path: Path, small: None, monkeypatch: pytest.MonkeyPatch, damage
) -> None:
    texts = fill(db_path, 600, 2)
    Engine.open(db_path, seed=False).close()
    path = coldstart.snapshot_path(db_path)
    assert path is not None and path.exists()
    damage(path)
    qs = texts[:30]
    engine, built = opened(db_path, monkeypatch)
    try:
        assert built
        assert answers(engine, qs) == fresh_answers(db_path, qs, monkeypatch)
    finally:
        engine.close()
    engine, built = opened(db_path, monkeypatch)  # and rewritten whole
    engine.close()
    assert not built


def test_a_stale_snapshot_is_rebuilt(
    tmp_path: Path, small: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    fill(a, 500, 3)
    texts = fill(b, 500, 4)
    for p in (a, b):
        Engine.open(p, seed=False).close()
    qs = texts[:30]
    # Another database's snapshot next to this one.
    shutil.copy(coldstart.snapshot_path(a), coldstart.snapshot_path(b))  # type: ignore[arg-type]
    engine, built = opened(b, monkeypatch)
    assert built and answers(engine, qs) == fresh_answers(b, qs, monkeypatch)
    engine.close()
    # The change log is not the one it was made from (a restored older copy).
    backup = tmp_path / "backup.db"
    Store.open(b).backup(backup)
    engine = Engine.open(b, seed=False)
    Moderation(engine).add_alias(OWNER, "Purple Man", texts[0] + " (character)")
    engine.close()
    shutil.copy(coldstart.snapshot_path(b), coldstart.snapshot_path(backup))  # type: ignore[arg-type]
    engine, built = opened(backup, monkeypatch)
    engine.close()
    assert not built  # the same database: caught up
    Engine.open(b, seed=False).close()
    engine = Engine.open(b, seed=False)  # a snapshot past the copy's log
    Moderation(engine).add_alias(OWNER, "Jessica Purple", texts[1] + " (character)")
    engine.close()
    monkeypatch.setattr(coldstart, "CATCH_UP_MAX", 0)
    Engine.open(b, seed=False).close()  # rebuilt: one change behind is too many now
    monkeypatch.setattr(coldstart, "CATCH_UP_MAX", 20_000)
    shutil.copy(coldstart.snapshot_path(b), coldstart.snapshot_path(backup))  # type: ignore[arg-type]
    engine, built = opened(backup, monkeypatch)
    assert built and engine.ask("!who jessica purple").entity is None
    engine.close()
    # Other code (a new release's layout).
    monkeypatch.setattr(coldstart, "_code", lambda: "other")
    engine, built = opened(b, monkeypatch)
    assert built and answers(engine, qs) == fresh_answers(b, qs, monkeypatch)
    engine.close()


def test_a_snapshot_rewritten_while_read_stays_valid(tmp_path: Path) -> None:
    rng = random.Random(8)
    one, two = names(rng, 1500), names(rng, 1500)
    indexes = [AliasIndex.build([(k, k, t) for k, t in enumerate(ts)]) for ts in (one, two)]
    path = tmp_path / "x.index"
    layouts = [snapshot.index_arrays(i) for i in indexes]
    snapshot.write(path, *layouts[0])
    mapped = snapshot.index_from(*snapshot.read(path))
    qs = queries(rng, one, 40)
    expected = [[hits(i.search(q)) for q in qs] for i in indexes]
    stop = threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            k = 1
            while not stop.is_set():
                snapshot.write(path, *layouts[k % 2])
                k += 1
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(25):
            reader = snapshot.index_from(*snapshot.read(path))  # whole, old or new
            assert [hits(reader.search(q)) for q in qs] in expected
        # The one mapped before every rewrite still reads its own (unlinked) file.
        assert [hits(mapped.search(q)) for q in qs] == expected[0]
    finally:
        stop.set()
        thread.join()
    assert not failures
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
