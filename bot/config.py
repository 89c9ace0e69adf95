"""The TOML configuration: every key, its type and default, checked in one place.

A bad file stops start-up with one line naming the key (ConfigError), never a traceback.
"""

from __future__ import annotations

import ipaddress
import math
import os
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_CONFIG = "config.toml"
DEFAULT_DB = "showbot.db"
TOKEN_ENV = "DISCORD_TOKEN"
MAX_CONTACT = 200  # [privacy] contact: shown in `!privacy`, one line
# Upper bounds: a value past them breaks a round that relies on it (999,999 days back is
# no date; an infinite window never closes, so nothing is posted), so start-up refuses it
# in one line instead of every round failing later.
MOST: dict[tuple[str, str], float] = {
    ("discord", "shard_count"): 100_000,
    ("moderation", "confirm_seconds"): 86_400,
    ("limits", "cooldown_rate"): 10_000,
    ("limits", "cooldown_seconds"): 86_400,
    ("limits", "channel_in_flight"): 100,
    ("limits", "channel_backlog"): 10_000,
    ("limits", "question_max_age"): 3_600,
    ("privacy", "question_days"): 36_500,
    ("privacy", "forget_after_days"): 36_500,
    ("updates", "window_seconds"): 86_400,
    ("updates", "lease_seconds"): 3_600,
    ("tvmaze", "refresh_hours"): 8_760,
}
DB_ENV = "SHOWBOT_DB"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and key."""


# section -> key -> (accepted types, default)
_SCHEMA: dict[str, dict[str, tuple[tuple[type, ...], Any]]] = {
    "discord": {
        "token": ((str,), None),
        "prefix": ((str,), "!"),
        "api_base": ((str,), None),
        "gateway_url": ((str,), None),
        "guild_ids": ((list,), []),
        "owner_ids": ((list,), []),
        "shard_count": ((int,), None),
        "shard_ids": ((list,), []),
        "message_content": ((bool,), True),
    },
    "moderation": {
        "roles": ((list,), []),
        "log_channel_id": ((int,), None),
        "confirm_seconds": ((int, float), 120.0),
    },
    "store": {"path": ((str,), None)},
    "limits": {
        "cooldown_rate": ((int,), 5),
        "cooldown_seconds": ((int, float), 30.0),
        "channel_in_flight": ((int,), 2),
        "channel_backlog": ((int,), 10),
        "question_max_age": ((int, float), 15.0),
    },
    "logging": {
        "level": ((str,), "INFO"),
        "format": ((str,), "json"),
    },
    "privacy": {
        "contact": ((str,), None),
        "question_days": ((int,), 30),
        "forget_after_days": ((int,), 30),
    },
    "updates": {
        "window_seconds": ((int, float), 600.0),
        "lease_seconds": ((int, float), 30.0),
    },
    "tvmaze": {
        "enabled": ((bool,), False),
        "api_base": ((str,), "https://api.tvmaze.com"),
        "refresh_hours": ((int, float), 24.0),
        "user_agent": ((str,), None),
    },
}
TVMAZE_USER_AGENT = "showbot/{version} (a Discord bot for TV show fans; TVmaze data, CC BY-SA)"
MAX_USER_AGENT = 200


@dataclass(frozen=True)
class Config:
    token: str | None = None
    prefix: str = "!"
    api_base: str | None = None
    gateway_url: str | None = None
    guild_ids: tuple[int, ...] = ()
    owner_ids: tuple[int, ...] = ()
    # Discord sharding: None is unsharded (one gateway connection for every server). With
    # shard_count, this process holds shard_ids (every shard when empty).
    shard_count: int | None = None
    shard_ids: tuple[int, ...] = ()
    # False: slash-only mode, without the privileged Message Content intent (prefix
    # commands then work only by mentioning the bot).
    message_content: bool = True
    moderator_roles: tuple[str | int, ...] = ()
    log_channel_id: int | None = None
    confirm_seconds: float = 120.0  # how long an import's Apply/Cancel buttons wait
    db_path: str = DEFAULT_DB
    cooldown_rate: int = 5
    cooldown_seconds: float = 30.0
    # Load shedding (bot/runtime/shedding.py): questions of a channel answered at a time, how many
    # more may wait for their turn, and how long one may wait before it is dropped.
    channel_in_flight: int = 2
    channel_backlog: int = 10
    question_max_age: float = 15.0
    log_level: str = "INFO"
    log_format: str = "json"
    # How to reach the bot's operator about one's data (an email, a server invite): the
    # README's Privacy section and `!privacy` give it.
    privacy_contact: str | None = None
    # Days a question's text is kept before it is folded into counts (bot/privacy.py), and
    # days after the bot is removed from a server before that server's data is forgotten
    # (0: at once; added back meanwhile, nothing is).
    question_days: int = 30
    forget_after_days: int = 30
    # Followed-subject updates (bot/updates/drainer.py): further changes to a subject within this
    # many seconds of its first are folded into that post (edited); a process's claim on a
    # post it is sending lasts lease_seconds (a crashed one's is taken over after it).
    updates_window_seconds: float = 600.0
    updates_lease_seconds: float = 30.0
    # TVmaze (bot/tvmaze/): off, the running bot never reaches it (`python -m bot tvmaze`
    # still does, as the operator asks); on, moderators import shows and the bot refreshes
    # the imported ones every tvmaze_refresh_hours.
    tvmaze_enabled: bool = False
    tvmaze_api_base: str = "https://api.tvmaze.com"
    tvmaze_refresh_hours: float = 24.0
    tvmaze_user_agent: str = ""
    source: str | None = field(default=None, compare=False)  # the file it came from

    @property
    def moderator_role_ids(self) -> frozenset[int]:
        """``[moderation] roles`` given as ids (numbers, or text of digits only): each is
        one role of one server (role ids are unique across Discord)."""
        return frozenset(int(r) for r in self.moderator_roles if _is_role_id(r))

    @property
    def moderator_role_names(self) -> frozenset[str]:
        """``[moderation] roles`` given as names (casefolded): a name matches a role of
        that name in *every* server, hence the start-up warning recommending ids."""
        return frozenset(
            str(r).strip().casefold() for r in self.moderator_roles if not _is_role_id(r)
        )

    @property
    def shards(self) -> tuple[int, ...] | None:
        """The shards this process holds; None when unsharded."""
        if self.shard_count is None:
            return None
        return self.shard_ids or tuple(range(self.shard_count))

    @property
    def holds_shard_zero(self) -> bool:
        """Whether this is the process that publishes the slash commands at start-up: the
        one holding shard 0, or the only one (unsharded)."""
        shards = self.shards
        return shards is None or 0 in shards

    def redacted(self) -> dict[str, Any]:
        """The settings with the token hidden, for logs."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["token"] = "***" if self.token else None
        return out


def load_config(
    path: str | Path | None = None,
    *,
    db_override: str | None = None,
    require_file: bool = False,
) -> Config:
    """Read the config file (if any), then apply ``DISCORD_TOKEN``/``SHOWBOT_DB`` and --db."""
    chosen = Path(path) if path else Path(DEFAULT_CONFIG)
    raw: dict[str, Any] = {}
    source = None
    if chosen.exists() or path is not None or require_file:
        try:
            raw = tomllib.loads(chosen.read_text(encoding="utf-8"))
            source = str(chosen)
        except FileNotFoundError:
            raise ConfigError(f"{chosen}: no such file (copy config.example.toml)") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{chosen}: cannot read it ({exc.__class__.__name__})") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{chosen}: not valid TOML ({exc})") from None
    values = _check(raw, str(chosen))
    d, m, s, lim, log = (
        values["discord"],
        values["moderation"],
        values["store"],
        values["limits"],
        values["logging"],
    )
    where = str(chosen)
    prefix = d["prefix"]
    if not prefix or len(prefix) > 5 or any(ch.isspace() for ch in prefix):
        raise ConfigError(f"{where}: [discord] prefix must be 1-5 characters with no spaces")
    for key in ("guild_ids", "owner_ids"):
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in d[key]):
            raise ConfigError(f"{where}: [discord] {key} must be a list of numeric ids")
    if not all(isinstance(x, str | int) and not isinstance(x, bool) for x in m["roles"]):
        raise ConfigError(f"{where}: [moderation] roles must be a list of role names or ids")
    if m["confirm_seconds"] <= 0:
        raise ConfigError(f"{where}: [moderation] confirm_seconds must be positive")
    if log["format"] not in ("json", "console"):
        raise ConfigError(f'{where}: [logging] format must be "json" or "console"')
    if log["level"].upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"{where}: [logging] level must be DEBUG, INFO, WARNING or ERROR")
    contact = values["privacy"]["contact"]
    if contact is not None and len(contact) > MAX_CONTACT:
        raise ConfigError(f"{where}: [privacy] contact must be at most {MAX_CONTACT} characters")
    if values["privacy"]["question_days"] < 1 or values["privacy"]["forget_after_days"] < 0:
        raise ConfigError(
            f"{where}: [privacy] question_days must be at least 1 and forget_after_days at least 0"
        )
    updates = values["updates"]
    if updates["window_seconds"] < 0 or updates["lease_seconds"] <= 0:
        raise ConfigError(
            f"{where}: [updates] window_seconds must be at least 0 and lease_seconds positive"
        )
    tv = values["tvmaze"]
    if tv["refresh_hours"] <= 0:
        raise ConfigError(f"{where}: [tvmaze] refresh_hours must be positive")
    user_agent = (tv["user_agent"] or "").strip() or _default_user_agent()
    if len(user_agent) > MAX_USER_AGENT or not user_agent.isprintable():
        raise ConfigError(
            f"{where}: [tvmaze] user_agent must be one line of at most {MAX_USER_AGENT} characters"
        )
    if lim["cooldown_rate"] < 1 or lim["cooldown_seconds"] <= 0:
        raise ConfigError(f"{where}: [limits] cooldown_rate and cooldown_seconds must be positive")
    if lim["channel_in_flight"] < 1 or lim["channel_backlog"] < 0 or lim["question_max_age"] <= 0:
        raise ConfigError(
            f"{where}: [limits] channel_in_flight must be >= 1, channel_backlog >= 0 and"
            " question_max_age positive"
        )
    for (section, key), most in MOST.items():
        value = values[section][key]
        if value is not None and not (math.isfinite(value) and value <= most):
            raise ConfigError(f"{where}: [{section}] {key} must be a number up to {most:,}")
    for key in ("api_base", "gateway_url"):
        if d[key] is not None:
            _check_endpoint(d[key], f"{where}: [discord] {key}")
    _check_endpoint(tv["api_base"], f"{where}: [tvmaze] api_base", "every request")
    if urlsplit(tv["api_base"]).scheme not in ("http", "https"):
        raise ConfigError(f"{where}: [tvmaze] api_base must be an http(s) URL")
    shard_count = d["shard_count"]
    if shard_count is not None and shard_count < 1:
        raise ConfigError(f"{where}: [discord] shard_count must be at least 1")
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in d["shard_ids"]):
        raise ConfigError(f"{where}: [discord] shard_ids must be a list of shard numbers")
    shard_ids = check_shard_ids(d["shard_ids"], shard_count, f"{where}: [discord] shard_ids")
    token = os.environ.get(TOKEN_ENV) or d["token"]
    db_path = db_override or os.environ.get(DB_ENV) or s["path"] or DEFAULT_DB
    return Config(
        token=token.strip() if token else None,
        prefix=prefix,
        api_base=d["api_base"],
        gateway_url=d["gateway_url"],
        guild_ids=tuple(d["guild_ids"]),
        owner_ids=tuple(d["owner_ids"]),
        shard_count=shard_count,
        shard_ids=shard_ids,
        message_content=d["message_content"],
        moderator_roles=tuple(m["roles"]),
        log_channel_id=m["log_channel_id"],
        confirm_seconds=float(m["confirm_seconds"]),
        db_path=db_path,
        cooldown_rate=lim["cooldown_rate"],
        cooldown_seconds=float(lim["cooldown_seconds"]),
        channel_in_flight=lim["channel_in_flight"],
        channel_backlog=lim["channel_backlog"],
        question_max_age=float(lim["question_max_age"]),
        log_level=log["level"].upper(),
        log_format=log["format"],
        privacy_contact=(values["privacy"]["contact"] or "").strip() or None,
        question_days=values["privacy"]["question_days"],
        forget_after_days=values["privacy"]["forget_after_days"],
        updates_window_seconds=float(updates["window_seconds"]),
        updates_lease_seconds=float(updates["lease_seconds"]),
        tvmaze_enabled=tv["enabled"],
        tvmaze_api_base=tv["api_base"].rstrip("/"),
        tvmaze_refresh_hours=float(tv["refresh_hours"]),
        tvmaze_user_agent=user_agent,
        source=source,
    )


def check_shard_ids(ids: Sequence[int], shard_count: int | None, what: str) -> tuple[int, ...]:
    """``ids`` as this process's shards, checked against ``shard_count`` (``what`` names
    where they came from in the error)."""
    if not ids:
        return ()
    if shard_count is None:
        raise ConfigError(f"{what} needs [discord] shard_count (the total number of shards)")
    outside = [i for i in ids if not 0 <= i < shard_count]
    if outside:
        raise ConfigError(
            f"{what}: shard {outside[0]} does not exist; with shard_count = {shard_count}"
            f" shards are numbered 0 to {shard_count - 1}"
        )
    twice = next((i for n, i in enumerate(ids) if i in ids[:n]), None)
    if twice is not None:
        raise ConfigError(f"{what} lists shard {twice} twice")
    return tuple(ids)


def with_shard_ids(config: Config, ids: Sequence[int]) -> Config:
    """``config`` holding the shards ``ids`` (``run --shard-ids``, which overrides
    ``[discord] shard_ids``), checked against ``[discord] shard_count``."""
    checked = check_shard_ids(ids, config.shard_count, "--shard-ids")
    return replace(config, shard_ids=checked)


def _check_endpoint(url: str, what: str, sent: str = "the bot's token") -> None:
    """A URL the token is sent to: TLS (https, wss) anywhere, plain http or ws only to this
    machine (127.0.0.0/8, ::1, localhost), which the tests' fake Discord is."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
    if not host or parts.scheme not in ("http", "https", "ws", "wss"):
        raise ConfigError(f"{what} must be a URL")
    if parts.scheme in ("https", "wss") or host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ConfigError(
            f"{what} is plain {parts.scheme}:// to {host}, which would send {sent}"
            f" in clear text: use {parts.scheme}s:// (plain only to 127.0.0.1, ::1 or"
            " localhost)"
        )


def _default_user_agent() -> str:
    from bot import __version__  # the package's root module: nothing is imported in a circle

    return TVMAZE_USER_AGENT.format(version=__version__)


def _is_role_id(role: str | int) -> bool:
    text = role.strip() if isinstance(role, str) else ""
    return isinstance(role, int) or (text.isascii() and text.isdigit())


def _check(raw: dict[str, Any], where: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for section in raw:
        if section not in _SCHEMA:
            raise ConfigError(f"{where}: unknown section [{section}]")
        if not isinstance(raw[section], dict):
            raise ConfigError(f"{where}: {section} must be a [{section}] table")
    for section, keys in _SCHEMA.items():
        given = raw.get(section, {})
        for key in given:
            if key not in keys:
                raise ConfigError(f"{where}: unknown key {key!r} in [{section}]")
        out[section] = {}
        for key, (types, default) in keys.items():
            value = given.get(key, default)
            if key in given and (
                not isinstance(value, types) or (isinstance(value, bool) and bool not in types)
            ):
                names = " or ".join("number" if t in (int, float) else t.__name__ for t in types)
                names = names.replace("str", "text").replace("list", "a list")
                names = names.replace("bool", "true or false")
                raise ConfigError(f"{where}: [{section}] {key} must be {names}")
            out[section][key] = value
    return out
