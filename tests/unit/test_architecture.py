"""Guards on the shape of the code: the engine stays free of Discord, style stays clean."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINE_MODULES = sorted(
    ".".join(p.relative_to(ROOT / "bot").with_suffix("").parts).removesuffix(".__init__")
    for p in (ROOT / "bot").rglob("*.py")
    if p.stem != "client" and p.parent.name != "data"
)
# The modules that own SQL; everything else asks them.
SQL_MODULES = {
    "store",
    "bookkeeping",
    "changelog",
    "factindex",
    "migrations",
    "questionlog",
    "synonyms",
    "interchange",
    "timeline",  # predictions and what's coming, as a server sees them
    "web.queries",  # the web view's canned queries (Datasette runs no other SQL)
    "follows",  # who follows which subject
    "outbox",  # the updates outbox, its bundles and deliveries
}
_SQL = re.compile(r"[\"'](?:SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|PRAGMA) ")


def test_engine_imports_nothing_from_discord() -> None:
    code = (
        "import sys\n"
        + "".join(f"import bot.{m}\n" for m in ENGINE_MODULES if m != "__init__")
        + "from bot.engine import Engine\n"
        + "bad = sorted(m for m in sys.modules if m == 'discord' or m.startswith('discord.'))\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == ""


def _ruff() -> str:
    found = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(found).exists():
        pytest.fail("ruff is not installed: pip install '.[test]'")
    return found


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]])
def test_ruff_is_clean(args: list[str]) -> None:
    result = subprocess.run([_ruff(), *args], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_engine_modules_are_all_checked() -> None:
    assert {"moderation", "moderation.facts", "moderation.history", "render"} <= set(ENGINE_MODULES)


def test_sql_stays_in_the_storage_modules() -> None:
    """Moderation, answers and rendering ask the store; they write no query themselves."""
    found = {
        m: _SQL.findall(path.read_text())
        for m in ENGINE_MODULES
        if m not in SQL_MODULES and m.split(".")[0] not in SQL_MODULES
        for path in [
            ROOT
            / "bot"
            / (
                m.replace(".", "/")
                + ("/__init__.py" if (ROOT / "bot" / m.replace(".", "/")).is_dir() else ".py")
            )
        ]
    }
    assert {m: q for m, q in found.items() if q} == {}
