"""Fixtures shared by every test: fresh seeded databases, never the user's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.store.core import Store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "showbot.db"


@pytest.fixture
def engine(db_path: Path) -> Iterator[Engine]:
    eng = Engine.open(db_path)
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
