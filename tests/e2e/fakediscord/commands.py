"""Application commands: as the bot synced them, and as a Discord client invokes them.

The stores the REST routes in ``routes_commands`` fill (global and per guild), lookups the way
a Discord client resolves a name (guild commands first), and the ``data`` of a command or
autocomplete interaction built from a command's synced definition: subcommand path, option
types, choices, required options, and ``resolved`` users/members/roles/channels.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .core import FakeCore
from .flags import DEFAULT_EVERYONE_PERMISSIONS

_OPTION_SUBCOMMAND = (1, 2)
_SNOWFLAKE_OPTIONS = (6, 7, 8, 9)  # user, channel, role, mentionable


class Commands(FakeCore):
    """Synced application commands and the interaction data that invokes them."""

    # -- application commands as synced by the bot ---------------------------------------------

    def guild_command_store(self, guild_id: int) -> dict[int, dict[str, Any]]:
        return self._guild_commands.setdefault(guild_id, {})

    @property
    def global_commands(self) -> list[dict[str, Any]]:
        return list(self.global_command_store.values())

    def guild_commands(self, guild_id: int) -> list[dict[str, Any]]:
        return list(self._guild_commands.get(guild_id, {}).values())

    def find_command(
        self, name: str, guild_id: int | None = None, ctype: int = 1
    ) -> dict[str, Any] | None:
        """A synced command as a Discord client would see it: guild commands first."""
        stores = [self._guild_commands.get(guild_id, {})] if guild_id else []
        stores.append(self.global_command_store)
        for store in stores:
            for command in store.values():
                if command["name"] == name and command["type"] == ctype:
                    return command
        return None

    # -- invoking one: the interaction's data --------------------------------------------------

    def _command_data(
        self,
        guild_id: int | None,
        command: str,
        options: Mapping[str, Any] | None,
        *,
        focused: str | None,
        require_registered: bool,
    ) -> dict[str, Any]:
        root, *path = command.strip().lstrip("/").split()
        definition = self.find_command(root, guild_id)
        if definition is None and require_registered:
            raise LookupError(
                f"/{root} is not synced globally or for guild {guild_id}; Discord would not "
                f"offer it. Synced: {[c['name'] for c in self.global_commands]} (global), "
                f"{[c['name'] for c in self.guild_commands(guild_id or 0)]} (guild)"
            )
        data: dict[str, Any] = {
            "id": definition["id"] if definition else str(self.snowflake()),
            "name": root,
            "type": 1,
        }
        if definition and "guild_id" in definition:
            data["guild_id"] = definition["guild_id"]
        container = data
        level: list[dict[str, Any]] | None = definition.get("options", []) if definition else None
        for depth, sub in enumerate(path):
            sub_def = None
            if level is not None:
                sub_def = next(
                    (o for o in level if o["name"] == sub and o["type"] in _OPTION_SUBCOMMAND), None
                )
                if sub_def is None:
                    raise LookupError(f"/{command}: {sub!r} is not a subcommand of /{root}")
            node_type = sub_def["type"] if sub_def else (1 if depth == len(path) - 1 else 2)
            node: dict[str, Any] = {"type": node_type, "name": sub, "options": []}
            container.setdefault("options", []).append(node)
            container = node
            level = sub_def.get("options", []) if sub_def else None

        given = dict(options or {})
        if focused is not None and focused not in given:
            raise ValueError(f"focused option {focused!r} needs a (partial) value in options")
        resolved: dict[str, dict[str, Any]] = {}
        leaf: list[dict[str, Any]] = []
        for name, value in given.items():
            opt_def = None
            if level is not None:
                opt_def = next(
                    (o for o in level if o["name"] == name and o["type"] not in _OPTION_SUBCOMMAND),
                    None,
                )
                if opt_def is None:
                    names = [o["name"] for o in level]
                    raise LookupError(f"/{command} has no option {name!r} (it has {names})")
            otype = opt_def["type"] if opt_def else _infer_option_type(value)
            entry: dict[str, Any] = {"name": name, "type": otype}
            if name == focused:
                entry["value"] = str(value)  # a partial input is always sent as a string
                entry["focused"] = True
            else:
                entry["value"] = str(value) if otype in _SNOWFLAKE_OPTIONS else value
                choices = (opt_def or {}).get("choices")
                if choices and value not in [c["value"] for c in choices]:
                    raise ValueError(f"{value!r} is not a choice of option {name!r}: {choices}")
                self._resolve(otype, value, guild_id, resolved)
            leaf.append(entry)
        if level is not None and focused is None:
            missing = [o["name"] for o in level if o.get("required") and o["name"] not in given]
            if missing:
                raise ValueError(f"/{command} is missing required option(s) {missing}")
        if leaf:
            container["options"] = leaf
        if resolved:
            data["resolved"] = resolved
        return data

    def _resolve(
        self, otype: int, value: Any, guild_id: int | None, resolved: dict[str, dict[str, Any]]
    ) -> None:
        """Discord sends user/role/channel option targets in ``data.resolved``."""
        if otype not in _SNOWFLAKE_OPTIONS:
            return
        target = int(value)
        guild = self.guilds.get(guild_id) if guild_id else None
        if target in self.users and otype in (6, 9):
            resolved.setdefault("users", {})[str(target)] = self.users[target].payload()
            if guild and target in guild.members:
                member = guild.members[target].payload(with_user=False)
                member["permissions"] = str(guild.permissions_in(target, None))
                resolved.setdefault("members", {})[str(target)] = member
        elif guild and target in guild.roles and otype in (8, 9):
            resolved.setdefault("roles", {})[str(target)] = guild.roles[target].payload()
        elif target in self.channels and otype == 7:
            channel = self.channels[target].payload()
            channel["permissions"] = str(DEFAULT_EVERYONE_PERMISSIONS)
            resolved.setdefault("channels", {})[str(target)] = channel
        else:
            raise LookupError(f"option value {target} is not a known user/role/channel")


def _infer_option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    return 3
