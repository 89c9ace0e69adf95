"""The README documents every command the cogs define, and the CLI's subcommands."""

from __future__ import annotations

import re
from pathlib import Path

from bot.__main__ import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def discord_commands() -> list[str]:
    names = []
    for path in sorted((ROOT / "cogs").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        groups = dict(
            re.findall(
                r"hybrid_group\(name=\"(\w+)\"[^\n]*\n(?:\s*@[^\n]*\n)*\s*async def (\w+)", source
            )
        )
        # hybrid commands, and prefix-only ones (the owner's `sync`)
        for name in re.findall(r"(?:hybrid_command|commands\.command)\(name=\"(\w+)\"", source):
            names.append(name)
        for parent, name in re.findall(r"@(\w+)\.command\(name=\"(\w+)\"", source):
            if parent == "commands":  # not a group's: a prefix-only command, counted above
                continue
            group = next(g for g, fn in groups.items() if fn == parent)
            names.append(f"{group} {name}")
    return names


def test_every_discord_command_is_in_the_readme() -> None:
    commands = discord_commands()
    assert len(commands) > 20
    missing = [c for c in commands if f"`!{c}" not in README]
    assert missing == []


def test_every_cli_subcommand_is_in_the_readme() -> None:
    missing = [c for c in COMMANDS if f"python -m bot {c}" not in README]
    assert missing == []
