"""A freshly seeded database, made once per test process and copied for each test that
needs one of its own.

Creating a database runs every migration and imports the seeds (about 0.3-0.6 s); the
result is the same file every time, so a test gets a copy of one made at the start of the
run instead. The copy is what ``Engine.open`` would have left on first use before
building its index: created, migrated and seeded, with no index snapshot beside it, so the
engine opened on it still builds its index from the rows. The one difference is the
seeded rows' timestamps (the run's start, not the test's), which no answer depends on.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from bot.store.core import Store
from bot.store.seeds import apply_seeds


@cache
def _template() -> Path:
    # Made on the first call and kept for the process: a fixture that patches the seeds
    # or the embedder must not be the first to ask for a seeded copy, or every later test
    # would copy its patched store.
    folder = tempfile.mkdtemp(prefix="showbot-seeded-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = Path(folder) / "seeded.db"
    store = Store.open(path)
    try:
        apply_seeds(store)
    finally:
        store.close()
    # The last connection closed checkpoints the WAL into the file and removes it.
    assert not Path(f"{path}-wal").exists(), "the template's WAL was not checkpointed"
    return path


def seeded_copy(path: Path) -> Path:
    """Put a freshly seeded database at ``path`` (which must not exist yet); returns it."""
    assert not path.exists(), path
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_template(), path)
    return path
