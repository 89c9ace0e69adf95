"""The docs follow the code: the README and docs/moderating.md document every command the
cogs define and the CLI's subcommands; the invite link, the systemd units and the Privacy
section say what is true; every relative link resolves; the README stays short; CI runs the
README's test command; and the import format's example file imports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import discord

from bot.__main__ import COMMANDS, EXIT_USAGE
from bot.engine import Engine
from bot.models import Actor
from bot.moderation import Moderation

ROOT = Path(__file__).resolve().parents[2]
README_PATH = ROOT / "README.md"
DOC_PATHS = [README_PATH, *sorted((ROOT / "docs").glob("*.md"))]
DOCS = {path: path.read_text(encoding="utf-8") for path in DOC_PATHS}
README = DOCS[README_PATH]
MODERATING = DOCS[ROOT / "docs" / "moderating.md"]
# Where the command reference lives: the README's short tables and the full one.
REFERENCE = README + MODERATING
README_MAX_LINES = 320


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


def test_every_discord_command_is_documented() -> None:
    commands = discord_commands()
    assert len(commands) > 20
    missing = [c for c in commands if f"`!{c}" not in REFERENCE]
    assert missing == [], "not in README.md or docs/moderating.md"


def test_every_cli_subcommand_is_documented() -> None:
    missing = [c for c in COMMANDS if f"python -m bot {c}" not in REFERENCE]
    assert missing == [], "not in README.md or docs/moderating.md"


def found_once(pattern: str) -> str:
    """The one match of ``pattern`` in the README and docs/*.md, wherever it is."""
    found = [m for text in DOCS.values() for m in re.findall(pattern, text)]
    assert len(found) == 1, f"{pattern!r} matches {len(found)} times in the docs"
    return found[0]


def invite_permissions() -> tuple[int, list[str]]:
    """The invite link's ``permissions=`` and the permission names listed beside it."""
    value = found_once(r"oauth2/authorize\?[^`\s]*permissions=(\d+)")
    listed = found_once(r"bot permissions \*\*([^*]+)\*\*")
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
    assert value == listed.value, f"the link grants {granted}, the docs list {names}"
    # What the bot checks before it replies (bot/runtime/client.py) is in the list.
    for needed in ("view_channel", "send_messages", "send_messages_in_threads", "attach_files"):
        assert getattr(listed, needed), needed


def fenced_blocks(text: str, language: str = r"[\w-]*") -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)


def systemd_units() -> list[str]:
    """Every fenced block of the README and docs/*.md holding a unit's [Service] section
    (showbot.service, the sharded template showbot@.service, whatever the language tag)."""
    blocks = [b for text in DOCS.values() for b in fenced_blocks(text)]
    return [b for b in blocks if re.search(r"^\[Service\]", b, flags=re.MULTILINE)]


def test_services_do_not_restart_on_a_configuration_error() -> None:
    """Exit status 2 is a usage or configuration error (or a refused token): restarting
    cannot fix it, and a restart loop would hammer Discord's login."""
    units = [u for u in systemd_units() if re.search(r"^Restart=", u, flags=re.MULTILINE)]
    assert len(units) >= 2, "the docs show showbot.service and showbot@.service"
    assert EXIT_USAGE == 2
    for unit in units:
        assert re.search(r"^RestartPreventExitStatus=2\b", unit, flags=re.MULTILINE), unit


def privacy_section() -> str:
    return found_once(r"(?ms)^## Privacy\n(.*?)(?=^## |\Z)")


def test_the_privacy_section_names_what_exists() -> None:
    """The Privacy section (issue 14, docs/operating.md) promises commands, CLI options and config
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


def test_the_readme_is_short() -> None:
    """The README is the way in (what showbot is, a quick start, a moderator's first ten
    minutes); the rest lives in docs/."""
    lines = len(README.splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines: move some to docs/"


def outside_fences(text: str) -> str:
    return re.sub(r"^```.*?^```", "", text, flags=re.DOTALL | re.MULTILINE)


def without_code(text: str) -> str:
    """The text outside fenced blocks, with code spans blanked (a link's text may be code)."""
    return re.sub(r"`[^`\n]*`", "code", outside_fences(text))


def anchors(text: str) -> set[str]:
    """The anchors GitHub gives a document's headings: the heading's text without markup,
    lower case, without punctuation, spaces as hyphens; a repeated one gets -1, -2, ..."""
    found: set[str] = set()
    count: dict[str, int] = {}
    for heading in re.findall(r"^#{1,6} +(.+?)\s*$", outside_fences(text), flags=re.M):
        plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
        slug = re.sub(r"[^\w\- ]", "", plain.replace("*", "").lower()).replace(" ", "-")
        n = count.get(slug, 0)
        count[slug] = n + 1
        found.add(f"{slug}-{n}" if n else slug)
    return found


def relative_links(text: str) -> list[str]:
    links = re.findall(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", without_code(text))
    return [link for link in links if not re.match(r"[a-z][a-z0-9+.-]*:", link)]


def test_every_relative_link_resolves() -> None:
    """Every relative link (and image) in the README and docs/*.md points to a file that
    exists, and a link to a heading (#anchor) to a heading that exists."""
    broken = []
    for path, text in DOCS.items():
        for link in relative_links(text):
            target, _, anchor = link.partition("#")
            file = (path.parent / target).resolve() if target else path
            if not file.exists():
                broken.append(f"{path.relative_to(ROOT)}: {link} (no such file)")
            elif anchor and anchor not in anchors(file.read_text(encoding="utf-8")):
                broken.append(f"{path.relative_to(ROOT)}: {link} (no such heading)")
    assert broken == []
    assert sum(len(relative_links(text)) for text in DOCS.values()) > 20  # the test can see


def test_the_docs_show_the_web_views_screenshots() -> None:
    images = {link for text in DOCS.values() for link in relative_links(text)}
    assert {"web-subject.png", "web-history.png"} <= images


def readme_test_command() -> str:
    """The quick start's fenced command that runs the tests."""
    (quick,) = re.findall(r"(?ms)^## Quick start\n(.*?)(?=^## )", README)
    commands = [b.strip() for b in fenced_blocks(quick, "sh") if "pytest" in b]
    assert len(commands) == 1, commands
    assert "\n" not in commands[0], "one line, to paste and to run as CI does"
    return commands[0]


def test_ci_runs_the_readme_test_command() -> None:
    """`.ci/run` runs the README's test command exactly as written, as its own line."""
    command = readme_test_command()
    assert command.startswith("python3 -m venv .venv && . .venv/bin/activate && ")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert command in [line.strip() for line in ci.splitlines()], ".ci/run does not run it"
    assert "set -euo pipefail" in ci


def test_the_import_formats_example_file_imports(engine: Engine) -> None:
    """docs/moderating.md's complete example file is valid, the dry run it shows is what the
    CLI prints, and its facts answer the questions the README's walk-through asks."""
    (section,) = re.findall(r"(?ms)^### A complete file\n(.*?)(?=^##|\Z)", MODERATING)
    (example,) = fenced_blocks(section, "json")
    (shown,) = re.findall(r"^Import would: .*$", section, flags=re.M)
    data = json.loads(example)
    cli = Actor(id=None, name="cli", guild_id=None, owner=True)  # as `python -m bot import`
    moderation = Moderation(engine)
    assert moderation.import_file(cli, data, dry_run=True).summary() == shown
    assert moderation.import_file(cli, data).changed > 0
    texts = {f["key"]: f["text"] for f in data["facts"]}
    when = engine.ask("!when daredevil s2")
    assert texts["dd-s2-premiere"] in [f.text for f in when.facts]
    rumor = engine.ask("!what the punisher")
    assert [f.text for f in rumor.facts] == [texts["dd-punisher-spinoff-rumor"]]
