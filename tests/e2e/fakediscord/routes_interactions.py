"""REST routes for interactions: the callback (within the deadline, once, of a type the
interaction allows) and the interaction webhook (followups, the original response and
followups fetched, edited or deleted)."""

from __future__ import annotations

from typing import Any

from .flags import MESSAGE_FLAG_EPHEMERAL, MESSAGE_FLAG_LOADING
from .records import RecordedRequest
from .responses import ApiError, Json
from .routes_base import Routes
from .state_messages import InteractionRecord, StoredMessage

# Which callback types Discord accepts for each interaction type.
ALLOWED_CALLBACKS: dict[int, frozenset[int]] = {
    2: frozenset({4, 5, 9}),  # application command
    3: frozenset({4, 5, 6, 7, 9}),  # message component
    4: frozenset({8}),  # autocomplete
    5: frozenset({4, 5, 6, 7}),  # modal submit
}


class InteractionRoutes(Routes):
    """Interaction callbacks and interaction webhooks."""

    # -- interactions and their webhooks -------------------------------------------------------

    async def op_create_interaction_response(self, record: RecordedRequest) -> tuple[int, Json]:
        fake = self._fake
        interaction = fake.interactions.get(int(record.path_params["interaction_id"]))
        if interaction is None or interaction.token != record.path_params["interaction_token"]:
            raise ApiError(404, 10062, "Unknown interaction")
        if interaction.callback_type is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        elapsed = record.time - interaction.created
        if elapsed > fake.interaction_deadline:
            raise ApiError(
                404,
                10062,
                "Unknown interaction",
                f"callback {elapsed:.2f}s after the interaction; Discord allows "
                f"{fake.interaction_deadline:.1f}s (defer first)",
            )
        body = record.json or {}
        ctype = body.get("type")
        if ctype not in ALLOWED_CALLBACKS.get(interaction.type, frozenset()):
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                f"callback type {ctype} is not valid for interaction type {interaction.type}",
            )
        interaction.callback_type = ctype
        data = body.get("data") or {}
        resource: dict[str, Any] | None = None
        if ctype in (4, 5):
            stored = await fake.create_interaction_message(
                interaction, data, record.files, loading=ctype == 5
            )
            interaction.original_message_id = stored.id
            resource = {"type": ctype, "message": stored.payload}
        elif ctype in (6, 7):
            interaction.original_message_id = interaction.message_id
            stored = fake.messages[interaction.message_id] if interaction.message_id else None
            if ctype == 7 and stored is not None:
                await fake.edit_message(stored, data, record.files)
            if stored is not None:
                resource = {"type": ctype, "message": stored.payload}
        elif ctype == 8:
            interaction.choices = list(data.get("choices") or [])
        elif ctype == 9:
            interaction.modal = data
        fake.notify()
        if record.query.get("with_response", "").lower() not in ("1", "true"):
            return 204, None
        flags = int(data.get("flags") or 0)
        answer: dict[str, Any] = {
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.type,
                "response_message_loading": ctype == 5,
                "response_message_ephemeral": bool(flags & MESSAGE_FLAG_EPHEMERAL),
            }
        }
        if interaction.original_message_id is not None:
            answer["interaction"]["response_message_id"] = str(interaction.original_message_id)
        if resource is not None:
            answer["resource"] = resource
        return 200, answer

    def _webhook_interaction(self, record: RecordedRequest) -> InteractionRecord:
        fake = self._fake
        token = record.path_params["webhook_token"]
        interaction = fake.interaction_by_token(token)
        if int(record.path_params["webhook_id"]) != fake.application_id or interaction is None:
            raise ApiError(404, 10015, "Unknown Webhook")
        if interaction.callback_type is None:
            raise ApiError(
                404,
                10015,
                "Unknown Webhook",
                "interaction webhook used before the interaction was acknowledged",
            )
        return interaction

    def _interaction_message(
        self, interaction: InteractionRecord, message_id: str
    ) -> StoredMessage:
        fake = self._fake
        if message_id == "@original":
            wanted = interaction.original_message_id
        else:
            wanted = int(message_id)
            if wanted not in interaction.followup_ids and wanted != interaction.original_message_id:
                wanted = None
        stored = fake.messages.get(wanted) if wanted is not None else None
        if stored is None:
            raise ApiError(404, 10008, "Unknown Message")
        return stored

    async def op_execute_webhook(self, record: RecordedRequest) -> tuple[int, Json]:
        fake = self._fake
        interaction = self._webhook_interaction(record)
        body = record.json or {}
        original = (
            fake.messages.get(interaction.original_message_id)
            if interaction.original_message_id
            else None
        )
        if (
            original is not None
            and original.payload["flags"] & MESSAGE_FLAG_LOADING
            and not interaction.followup_ids
        ):
            # The first followup after a "thinking" defer replaces the loading message.
            await fake.edit_message(original, body, record.files)
            stored = original
        else:
            stored = await fake.create_interaction_message(
                interaction, body, record.files, followup=True
            )
            interaction.followup_ids.append(stored.id)
        if record.query.get("wait", "").lower() in ("1", "true"):
            return 200, stored.payload
        return 204, None

    async def op_get_original_webhook_message(self, record: RecordedRequest) -> tuple[int, Json]:
        interaction = self._webhook_interaction(record)
        return 200, self._interaction_message(interaction, "@original").payload

    async def op_update_original_webhook_message(self, record: RecordedRequest) -> tuple[int, Json]:
        interaction = self._webhook_interaction(record)
        stored = self._interaction_message(interaction, "@original")
        await self._fake.edit_message(stored, record.json or {}, record.files)
        return 200, stored.payload

    async def op_delete_original_webhook_message(self, record: RecordedRequest) -> tuple[int, Json]:
        interaction = self._webhook_interaction(record)
        await self._fake.delete_message(self._interaction_message(interaction, "@original"))
        return 204, None

    async def op_get_webhook_message(self, record: RecordedRequest) -> tuple[int, Json]:
        interaction = self._webhook_interaction(record)
        return 200, self._interaction_message(interaction, record.path_params["message_id"]).payload

    async def op_update_webhook_message(self, record: RecordedRequest) -> tuple[int, Json]:
        interaction = self._webhook_interaction(record)
        stored = self._interaction_message(interaction, record.path_params["message_id"])
        await self._fake.edit_message(stored, record.json or {}, record.files)
        return 200, stored.payload

    async def op_delete_webhook_message(self, record: RecordedRequest) -> tuple[int, Json]:
        interaction = self._webhook_interaction(record)
        stored = self._interaction_message(interaction, record.path_params["message_id"])
        await self._fake.delete_message(stored)
        return 204, None
