"""Fixtures shared by every test: fresh seeded databases, never the user's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.store.core import Store
from tests.seeded import seeded_copy


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "showbot.db"


@pytest.fixture
def engine(db_path: Path) -> Iterator[Engine]:
    # A copy of one freshly seeded database (tests/seeded.py), not a new one each time.
    eng = Engine.open(seeded_copy(db_path))
    yield eng
    eng.close()


@pytest.fixture
def store(engine: Engine) -> Store:
    return engine.store


@pytest.fixture
def empty_store(tmp_path: Path) -> Iterator[Store]:
    st = Store.open(tmp_path / "empty.db")
    yield st
    st.close()
