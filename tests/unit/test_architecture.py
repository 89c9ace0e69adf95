"""Guards on the shape of the code: the engine stays free of Discord, style stays clean."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINE_MODULES = sorted(
    p.stem for p in (ROOT / "bot").glob("*.py") if p.stem not in ("client", "__init__")
)


def test_engine_imports_nothing_from_discord() -> None:
    code = (
        "import sys\n"
        + "".join(f"import bot.{m}\n" for m in ENGINE_MODULES)
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
