"""Seeding: the facts shipped in ``seeds/*.json`` (interchange format) go in on first use.

Seeding is idempotent and versioned: a file is applied again only when its
``seed_version`` grows, and then only records whose key the database has never held
are added, so a moderator's edit or removal of a seeded fact is never undone.
"""

from __future__ import annotations

import json
from pathlib import Path

from bot.models import SYSTEM
from bot.store.core import Store
from bot.store.interchange import import_data


def seeds_dir() -> Path:
    """The seeds folder: packaged inside ``bot`` when installed, else the repo's ``seeds/``."""
    package = Path(__file__).resolve().parents[1]  # bot/
    packaged = package / "_seeds"
    return packaged if packaged.is_dir() else package.parent / "seeds"


def apply_seeds(store: Store, folder: Path | None = None) -> int:
    """Apply every seed file not yet applied at its version; returns records added."""
    folder = folder or seeds_dir()
    added = 0
    applied = store.applied_seeds()
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        version = int(data.get("seed_version", 1))
        if applied.get(path.name, 0) >= version:
            continue
        with store.atomic():
            report = import_data(store, data, SYSTEM, seed=True)
            store.record_seed(path.name, version)
        added += sum(c["added"] for c in report.counts.values())
    return added
