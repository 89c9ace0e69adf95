"""The README documents every command the cogs define, and the CLI's subcommands."""

from __future__ import annotations

import re
from pathlib import Path

import discord

from bot.__main__ import COMMANDS, EXIT_USAGE

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


def invite_permissions() -> tuple[int, list[str]]:
    """The invite link's ``permissions=`` and the permission names listed beside it."""
    (value,) = re.findall(r"oauth2/authorize\?[^`\s]*permissions=(\d+)", README)
    (listed,) = re.findall(r"bot permissions \*\*([^*]+)\*\*", README)
    return int(value), [name.strip() for name in re.sub(r"\s+", " ", listed).split(",")]


def permission_flag(name: str) -> str:
    """A permission as Discord's client names it ("View Channels") -> discord.py's flag."""
    flag = name.lower().replace(" ", "_")
    valid = discord.Permissions.VALID_FLAGS
    if flag not in valid and flag.rstrip("s") in valid:
        flag = flag.rstrip("s")  # "view_channels" is discord.py's view_channel
    assert flag in valid, f"{name!r} is not a Discord permission"
    return flag


def test_invite_link_grants_exactly_the_listed_permissions() -> None:
    value, names = invite_permissions()
    listed = discord.Permissions(**dict.fromkeys(map(permission_flag, names), True))
    granted = sorted(f for f, on in discord.Permissions(value) if on)
    assert value == listed.value, f"the link grants {granted}, the README lists {names}"
    # What the bot checks before it replies (bot/runtime/client.py) is in the list.
    for needed in ("view_channel", "send_messages", "send_messages_in_threads", "attach_files"):
        assert getattr(listed, needed), needed


def systemd_units() -> list[str]:
    """Every fenced block of the README holding a unit's [Service] section (showbot.service,
    the sharded template showbot@.service, whatever the block's language tag)."""
    blocks = re.findall(r"^```[\w-]*\n(.*?)^```", README, flags=re.DOTALL | re.MULTILINE)
    return [b for b in blocks if re.search(r"^\[Service\]", b, flags=re.MULTILINE)]


def test_services_do_not_restart_on_a_configuration_error() -> None:
    """Exit status 2 is a usage or configuration error (or a refused token): restarting
    cannot fix it, and a restart loop would hammer Discord's login."""
    units = [u for u in systemd_units() if re.search(r"^Restart=", u, flags=re.MULTILINE)]
    assert units, "no systemd unit in the README"
    assert EXIT_USAGE == 2
    for unit in units:
        assert re.search(r"^RestartPreventExitStatus=2\b", unit, flags=re.MULTILINE), unit


def privacy_section() -> str:
    (section,) = re.findall(r"^## Privacy\n(.*?)(?=^## )", README, flags=re.DOTALL | re.MULTILINE)
    return section


def test_the_privacy_section_names_what_exists() -> None:
    """The README's Privacy section (issue 14) promises commands, CLI options and config
    keys: each one it names exists, and the ones it must name are there."""
    import argparse

    from bot.__main__ import _parser
    from bot.config import _SCHEMA

    section = " ".join(privacy_section().split())
    keys = set(re.findall(r"`\[(\w+)\] (\w+)", section))
    assert {("privacy", "question_days"), ("privacy", "forget_after_days")} <= keys
    assert ("privacy", "contact") in keys
    assert [k for k in keys if k[1] not in _SCHEMA.get(k[0], {})] == []
    # Bot commands: each named one is registered (a group's subcommand included).
    commands = set(discord_commands())
    named = re.findall(r"`[!/](\w+(?: \w+)?)", section)
    assert {"forget me", "privacy"} <= set(named)
    unknown = [n for n in named if n not in commands and n.split()[0] not in commands]
    assert unknown == []
    # CLI: `python -m bot forget --user ID` / `--guild ID` are real options.
    forget_options = re.findall(r"`python -m bot forget (--[\w-]+)", section)
    assert {"--user", "--guild"} <= set(forget_options)
    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    real = {o for action in sub.choices["forget"]._actions for o in action.option_strings}
    assert set(forget_options) <= real
    # The default retention the section states is the schema's.
    assert f"`[privacy] question_days` days ({_SCHEMA['privacy']['question_days'][1]}" in section


def test_privacy_reply_fits_discord_and_names_the_contact() -> None:
    """`!privacy` says what the section says, briefly: within Discord's limit, no ping,
    the contact shown (escaped), the deletion commands and the configured durations."""
    from bot.replies.render import MAX_CONTENT
    from bot.replies.settings import privacy_text

    text = privacy_text("!", "dpo@example.org <@&1> @everyone", 14, 7)
    assert len(text) <= MAX_CONTENT
    assert "dpo\\@example.org" in text and "\\<\\@&1>" in text and "\\@everyone" in text
    assert "`!forget me`" in text and "--user ID" in text and "--guild ID" in text
    assert "14 day(s)" in text and "after 7 day(s)" in text
    assert "never who asked" in text
    assert "no contact is set" in privacy_text("/", None, 30, 0)
    assert "deleted at once" in privacy_text("/", None, 30, 0)
    long = privacy_text("!", "x" * 200, 30, 30)
    assert len(long) <= MAX_CONTENT and "x" * 200 in long
