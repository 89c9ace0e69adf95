"""REST routes for application commands, global and per guild: bulk overwrite (sync),
list, create, get, edit and delete, stored the way Discord answers them."""

from __future__ import annotations

from typing import Any

from .records import RecordedRequest
from .responses import ApiError, Json
from .routes_base import Routes


class CommandRoutes(Routes):
    """Application commands, global and per guild."""

    # -- application commands ------------------------------------------------------------------

    def _command_store(
        self, record: RecordedRequest
    ) -> tuple[dict[int, dict[str, Any]], int | None]:
        self._app_check(record)
        if "guild_id" in record.path_params:
            # Discord answers a server the application is not in (or no server at all)
            # with 403 Missing Access here, not 404 Unknown Guild.
            guild = self._fake.guilds.get(int(record.path_params["guild_id"]))
            if guild is None or self._fake.bot_user.id not in guild.members:
                raise ApiError(
                    403,
                    50001,
                    "Missing Access",
                    f"the application is not in guild {record.path_params['guild_id']}",
                )
            return self._fake.guild_command_store(guild.id), guild.id
        return self._fake.global_command_store, None

    def _stored_command(
        self, body: dict[str, Any], guild_id: int | None, existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        fake = self._fake
        command = dict(body)
        command["type"] = command.get("type") or 1
        command["id"] = existing["id"] if existing else str(fake.snowflake())
        command["application_id"] = str(fake.application_id)
        command["version"] = str(fake.snowflake())
        command.setdefault("description", "")
        command.setdefault("options", [])
        # Discord answers with permissions as a string and fills in the defaults.
        perms = command.get("default_member_permissions")
        command["default_member_permissions"] = None if perms is None else str(perms)
        command.setdefault("dm_permission", True)
        command.setdefault("nsfw", False)
        command.setdefault("contexts", None)
        command.setdefault("integration_types", [0])
        if guild_id is not None:
            command["guild_id"] = str(guild_id)
        return command

    async def op_bulk_set_application_commands(self, record: RecordedRequest) -> tuple[int, Json]:
        store, guild_id = self._command_store(record)
        by_key = {(c["type"], c["name"]): c for c in store.values()}
        new = [
            self._stored_command(c, guild_id, by_key.get((c.get("type") or 1, c["name"])))
            for c in record.json or []
        ]
        store.clear()
        store.update({int(c["id"]): c for c in new})
        self._fake.notify()
        return 200, new

    op_bulk_set_guild_application_commands = op_bulk_set_application_commands

    async def op_list_application_commands(self, record: RecordedRequest) -> tuple[int, Json]:
        store, _ = self._command_store(record)
        return 200, list(store.values())

    op_list_guild_application_commands = op_list_application_commands

    async def op_create_application_command(self, record: RecordedRequest) -> tuple[int, Json]:
        store, guild_id = self._command_store(record)
        body = record.json
        existing = next(
            (
                c
                for c in store.values()
                if c["name"] == body["name"] and c["type"] == (body.get("type") or 1)
            ),
            None,
        )
        command = self._stored_command(body, guild_id, existing)
        store[int(command["id"])] = command
        return (200 if existing else 201), command

    op_create_guild_application_command = op_create_application_command

    def _command(self, record: RecordedRequest) -> tuple[dict[int, dict[str, Any]], dict[str, Any]]:
        store, _ = self._command_store(record)
        command = store.get(int(record.path_params["command_id"]))
        if command is None:
            raise ApiError(404, 10063, "Unknown application command")
        return store, command

    async def op_get_application_command(self, record: RecordedRequest) -> tuple[int, Json]:
        return 200, self._command(record)[1]

    op_get_guild_application_command = op_get_application_command

    async def op_update_application_command(self, record: RecordedRequest) -> tuple[int, Json]:
        store, command = self._command(record)
        guild_id = int(command["guild_id"]) if "guild_id" in command else None
        updated = self._stored_command({**command, **record.json}, guild_id, command)
        store[int(updated["id"])] = updated
        return 200, updated

    op_update_guild_application_command = op_update_application_command

    async def op_delete_application_command(self, record: RecordedRequest) -> tuple[int, Json]:
        store, command = self._command(record)
        del store[int(command["id"])]
        return 204, None

    op_delete_guild_application_command = op_delete_application_command
