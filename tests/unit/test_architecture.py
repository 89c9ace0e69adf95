"""Guards on the shape of the code: the layers and the Discord boundary (import-linter's
contracts in pyproject.toml), SQL kept in the store, types checked, style clean."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Besides the store, the one module that writes SQL: the web view's canned queries
# (Datasette runs no other SQL).
SQL_OUTSIDE_THE_STORE = {"bot/web/queries.py"}
_SQL = re.compile(r"[\"'](?:SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|PRAGMA) ")


def _tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).with_name(name))
    if not Path(found).exists():
        pytest.fail(f"{name} is not installed: pip install '.[test]'")
    return found


def test_the_layers_hold() -> None:
    """Each layer imports only those below it, siblings stay independent, no package has an
    import circle, and nothing outside bot/runtime/ and cogs/ imports discord.py."""
    result = subprocess.run(
        [_tool("lint-imports"), "--no-cache"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_sql_stays_in_the_store() -> None:
    """Moderation, answers, replies and the Discord side ask the store (bot/store/); they
    write no query themselves."""
    found = {
        str(path.relative_to(ROOT)): _SQL.findall(path.read_text())
        for folder in ("bot", "cogs")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.relative_to(ROOT).parts[:2] != ("bot", "store")
        and str(path.relative_to(ROOT)) not in SQL_OUTSIDE_THE_STORE
    }
    assert {m: q for m, q in found.items() if q} == {}
    # The rule has teeth: the store and the web view's queries do hold SQL.
    assert _SQL.search((ROOT / "bot/store/core.py").read_text())
    assert _SQL.search((ROOT / "bot/web/queries.py").read_text())


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]])
def test_ruff_is_clean(args: list[str]) -> None:
    result = subprocess.run([_tool("ruff"), *args], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_types_check() -> None:
    """mypy over bot/ and cogs/ as pyproject.toml configures it (`[tool.mypy]`: --strict's
    flags on bot/, all but two on the cogs and the web view) finds nothing."""
    result = subprocess.run([_tool("mypy")], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout, result.stdout
