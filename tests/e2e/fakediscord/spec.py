"""Discord's OpenAPI description: route matching and request validation.

The vendored ``openapi.json`` is the single source of truth for which routes exist and what
bodies Discord accepts. A few rules Discord enforces but the file does not state are added as
"extra checks" (bot content limit, command naming rules, empty messages, embed totals).
"""

from __future__ import annotations

import copy
import functools
import json
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parent.parent / "discord-api-spec" / "openapi.json"
_SPEC_URI = "urn:discord-api-spec"
_HTTP_METHODS = ("get", "put", "post", "patch", "delete")

BOT_CONTENT_LIMIT = 2000
EMBED_TOTAL_LIMIT = 6000
COMMAND_NAME_MAX = 32
_NAME_PUNCTUATION = frozenset("-_'")
CHAT_INPUT = 1
SUBCOMMAND_TYPES = (1, 2)


@dataclass(frozen=True)
class Operation:
    """One (method, path template) pair of the spec."""

    method: str
    template: str
    operation_id: str
    segments: tuple[str, ...]
    parameters: Mapping[str, Mapping[str, Any]]  # (name -> parameter object), path + query
    body_content_types: tuple[str, ...]
    body_required: bool
    # None: no security requirement given; otherwise the list of accepted schemes ("" = none).
    security: tuple[str, ...] | None

    @property
    def literal_count(self) -> int:
        return sum(1 for s in self.segments if not s.startswith("{"))

    @property
    def auth_optional(self) -> bool:
        return self.security is None or "" in self.security

    @property
    def bot_token_allowed(self) -> bool:
        return self.security is None or "BotToken" in self.security

    def match(self, segments: tuple[str, ...]) -> dict[str, str] | None:
        if len(segments) != len(self.segments):
            return None
        params: dict[str, str] = {}
        for pattern, actual in zip(self.segments, segments, strict=True):
            if pattern.startswith("{"):
                if not actual:
                    return None
                params[pattern[1:-1]] = actual
            elif pattern != actual:
                return None
        return params


@dataclass
class RouteMatch:
    operation: Operation | None
    path_params: dict[str, str] = field(default_factory=dict)
    # The path exists but not for this method (405 rather than 404).
    other_methods: tuple[str, ...] = ()


class ApiSpec:
    """Loaded spec with lazily compiled request-body validators."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = _relax_snowflakes(document)
        resource = Resource.from_contents(self.document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
        self._validators: dict[tuple[str, str], Draft202012Validator] = {}
        self.operations: list[Operation] = list(self._load_operations())
        # Most literal segments first so `/messages/@original` beats `/messages/{message_id}`.
        self.operations.sort(key=lambda op: (-op.literal_count, op.template))
        self.by_id = {op.operation_id: op for op in self.operations}

    def _load_operations(self) -> Iterator[Operation]:
        for template, item in self.document["paths"].items():
            shared = {p["name"]: p for p in item.get("parameters", [])}
            for method in _HTTP_METHODS:
                op = item.get(method)
                if op is None:
                    continue
                params = dict(shared)
                params.update({p["name"]: p for p in op.get("parameters", [])})
                body = op.get("requestBody") or {}
                security = op.get("security")
                yield Operation(
                    method=method.upper(),
                    template=template,
                    operation_id=op["operationId"],
                    segments=tuple(template.strip("/").split("/")),
                    parameters=params,
                    body_content_types=tuple(body.get("content", {})),
                    body_required=bool(body.get("required")),
                    security=None
                    if security is None
                    else tuple(next(iter(req), "") for req in security),
                )

    def match(self, method: str, segments: tuple[str, ...]) -> RouteMatch:
        others: list[str] = []
        for op in self.operations:
            params = op.match(segments)
            if params is None:
                continue
            if op.method == method:
                return RouteMatch(op, params)
            others.append(op.method)
        return RouteMatch(None, other_methods=tuple(others))

    def _validator(self, op: Operation, content_type: str) -> Draft202012Validator:
        key = (op.operation_id, content_type)
        validator = self._validators.get(key)
        if validator is None:
            pointer = "/".join(
                _escape_pointer(part)
                for part in (
                    "paths",
                    op.template,
                    op.method.lower(),
                    "requestBody",
                    "content",
                    content_type,
                    "schema",
                )
            )
            schema = {"$ref": f"{_SPEC_URI}#/{pointer}"}
            validator = Draft202012Validator(schema, registry=self._registry)
            self._validators[key] = validator
        return validator

    def validate_body(self, op: Operation, content_type: str, body: Any) -> list[str]:
        """Schema errors for ``body`` as readable strings (empty when valid)."""
        if content_type not in op.body_content_types:
            return [f"content type {content_type!r} not accepted (spec: {op.body_content_types})"]
        errors = list(self._validator(op, content_type).iter_errors(body))
        return [_describe_error(_narrow(e)) for e in errors][:3]

    def validate_parameter(self, op: Operation, name: str, location: str, raw: str) -> str | None:
        """Check one path/query parameter; returns a reason or None."""
        param = op.parameters.get(name)
        if param is None or param.get("in") != location:
            return f"unknown {location} parameter {name!r}"
        schema = self._resolve(param.get("schema", {}))
        value = _coerce(raw, schema)
        if value is _INVALID:
            return f"{location} parameter {name}={raw!r} is not a valid {schema.get('type')}"
        key = (op.operation_id, f"{location}:{name}")
        validator = self._validators.get(key)
        if validator is None:
            pointer = _param_schema_pointer(self.document, op, name)
            validator = Draft202012Validator(
                {"$ref": f"{_SPEC_URI}#/{pointer}"}, registry=self._registry
            )
            self._validators[key] = validator
        error = best_match(validator.iter_errors(value))
        if error is None:
            return None
        detail = _describe_error(error).partition(": ")[2]
        return f"{location} parameter {name}={raw!r}: {detail}"

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        ref = schema.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return schema
        node: Any = self.document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node


_INVALID = object()


def _coerce(raw: str, schema: Mapping[str, Any]) -> Any:
    """Query/path values are strings on the wire; coerce them like Discord does."""
    types = schema.get("type")
    kinds = set(types) if isinstance(types, list) else {types}
    if "boolean" in kinds:
        lowered = raw.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        return _INVALID
    if "integer" in kinds:
        try:
            return int(raw)
        except ValueError:
            return _INVALID
    if "number" in kinds:
        try:
            return float(raw)
        except ValueError:
            return _INVALID
    return raw


def _param_schema_pointer(document: Mapping[str, Any], op: Operation, name: str) -> str:
    item = document["paths"][op.template]
    for where, params in (
        ((op.method.lower(),), item.get(op.method.lower(), {}).get("parameters", [])),
        ((), item.get("parameters", [])),
    ):
        for index, param in enumerate(params):
            if param["name"] == name:
                parts = ("paths", op.template, *where, "parameters", str(index), "schema")
                return "/".join(_escape_pointer(p) for p in parts)
    raise KeyError(name)


def _escape_pointer(part: str) -> str:
    # JSON pointer escaping, then percent-encoding so the pointer is a valid URI fragment.
    return quote(part.replace("~", "~0").replace("/", "~1"), safe="~@:$&'()*+,;=-._!")


def _narrow(error: ValidationError) -> ValidationError:
    """Descend into anyOf/oneOf to the branch the body evidently meant.

    Discord's unions are discriminated by a ``type`` enum; branches failing on it are not what
    the sender meant, so the real complaint is in the one branch whose ``type`` matched.
    """
    while error.validator in ("anyOf", "oneOf") and error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.schema_path[0], []).append(sub)
        meant = [
            errs
            for errs in branches.values()
            if not any(
                e.validator in ("enum", "const", "type") and _is_discriminator(e) for e in errs
            )
        ]
        if not meant:
            return error
        best = best_match([e for errs in meant for e in errs])
        if best is None:
            return error
        error = best
    return error


def _is_discriminator(error: ValidationError) -> bool:
    # A failure on the branch's own `type` field, or on the type of the whole value.
    relative = list(error.relative_path)
    return relative in (["type"], ["component_type"]) or (
        not relative and error.validator == "type"
    )


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}…"


def _describe_error(error: ValidationError) -> str:
    where = "/".join(str(p) for p in error.absolute_path) or "<body>"
    instance = error.instance
    if error.validator in ("maxLength", "minLength") and isinstance(instance, str):
        detail = f"length {len(instance)} violates {error.validator}={error.validator_value}"
    elif error.validator in ("maxItems", "minItems") and isinstance(instance, list):
        detail = f"{len(instance)} items violates {error.validator}={error.validator_value}"
    elif error.validator in ("anyOf", "oneOf"):
        detail = f"{_short(instance)} matches none of the allowed shapes"
    else:
        message = error.message
        detail = message if len(message) <= 200 else f"{message[:200]}…"
    return f"{where}: {detail}"


def _relax_snowflakes(document: dict[str, Any]) -> dict[str, Any]:
    # Discord accepts snowflakes as JSON integers as well as strings, and discord.py relies on it
    # (attachment ids in payload_json are list indexes sent as ints); the file only says "string".
    document = copy.copy(document)
    components = copy.copy(document["components"])
    schemas = dict(components["schemas"])
    original = schemas["SnowflakeType"]
    schemas["SnowflakeType"] = {"anyOf": [original, {"type": "integer", "minimum": 0}]}
    components["schemas"] = schemas
    document["components"] = components
    return document


@functools.cache
def load_spec(path: Path = SPEC_PATH) -> ApiSpec:
    """Parse the vendored spec once per process (it is ~1 MB)."""
    with path.open(encoding="utf-8") as fh:
        return ApiSpec(json.load(fh))


# ---------------------------------------------------------------------------------------------
# Extra checks: rules Discord enforces that the OpenAPI file does not express.
# ---------------------------------------------------------------------------------------------

MESSAGE_BODY_OPERATIONS = frozenset(
    {
        "create_message",
        "update_message",
        "execute_webhook",
        "update_original_webhook_message",
        "update_webhook_message",
    }
)
CREATE_MESSAGE_OPERATIONS = frozenset({"create_message", "execute_webhook"})
COMMAND_OPERATIONS = frozenset(
    {
        "bulk_set_application_commands",
        "bulk_set_guild_application_commands",
        "create_application_command",
        "create_guild_application_command",
        "update_application_command",
        "update_guild_application_command",
    }
)
IS_COMPONENTS_V2 = 1 << 15


def extra_checks(operation_id: str, body: Any, *, file_count: int = 0) -> list[str]:
    """Discord-side rules beyond the schema, for an already schema-checked body."""
    reasons: list[str] = []
    if operation_id in MESSAGE_BODY_OPERATIONS and isinstance(body, dict):
        reasons += _message_checks(
            body, creating=operation_id in CREATE_MESSAGE_OPERATIONS, file_count=file_count
        )
    elif operation_id == "create_interaction_response" and isinstance(body, dict):
        data = body.get("data")
        if isinstance(data, dict) and body.get("type") in (4, 7):
            reasons += _message_checks(data, creating=body.get("type") == 4, file_count=file_count)
    elif operation_id in COMMAND_OPERATIONS:
        commands = body if isinstance(body, list) else [body]
        reasons += _command_checks(
            [c for c in commands if isinstance(c, dict)], bulk=isinstance(body, list)
        )
    return reasons


def _message_checks(body: Mapping[str, Any], *, creating: bool, file_count: int) -> list[str]:
    reasons: list[str] = []
    content = body.get("content")
    if isinstance(content, str) and len(content) > BOT_CONTENT_LIMIT:
        reasons.append(
            f"content: {len(content)} characters, a bot may send at most {BOT_CONTENT_LIMIT}"
        )
    embeds = body.get("embeds") or []
    total = sum(_embed_chars(e) for e in embeds if isinstance(e, dict))
    if total > EMBED_TOTAL_LIMIT:
        reasons.append(f"embeds: {total} characters in total, Discord allows {EMBED_TOTAL_LIMIT}")
    if creating:
        flags = body.get("flags") or 0
        has_any = bool(
            content
            or embeds
            or body.get("components")
            or body.get("sticker_ids")
            or body.get("poll")
            or file_count
        )
        if not has_any:
            reasons.append("Cannot send an empty message (50006): no content, embeds or files")
        if isinstance(flags, int) and flags & IS_COMPONENTS_V2 and (content or embeds):
            reasons.append("IS_COMPONENTS_V2 messages cannot have content or embeds")
    return reasons


def _embed_chars(embed: Mapping[str, Any]) -> int:
    def text(obj: Any, key: str) -> int:
        value = obj.get(key) if isinstance(obj, dict) else None
        return len(value) if isinstance(value, str) else 0

    total = text(embed, "title") + text(embed, "description")
    total += text(embed.get("footer"), "text") + text(embed.get("author"), "name")
    for fld in embed.get("fields") or []:
        total += text(fld, "name") + text(fld, "value")
    return total


def valid_command_name(name: str) -> bool:
    """Discord's ``^[-_'\\p{L}\\p{N}]{1,32}$`` plus "lower case", without the regex module."""
    return (
        1 <= len(name) <= COMMAND_NAME_MAX
        and all(c in _NAME_PUNCTUATION or unicodedata.category(c)[0] in "LN" for c in name)
        and name == name.lower()
    )


def _command_checks(commands: list[dict[str, Any]], *, bulk: bool) -> list[str]:
    reasons: list[str] = []
    seen: set[tuple[int, str]] = set()
    for command in commands:
        name = command.get("name")
        ctype = command.get("type") or CHAT_INPUT
        if not isinstance(name, str):
            continue
        if bulk and (ctype, name) in seen:
            reasons.append(f"command {name!r}: duplicate name for command type {ctype}")
        seen.add((ctype, name))
        # Context-menu (user/message) commands may use capitals and spaces; slash commands not.
        if ctype != CHAT_INPUT:
            continue
        if not valid_command_name(name):
            reasons.append(f"command {name!r}: name must be lower case and match {_NAME_RULE}")
        if not command.get("description"):
            reasons.append(f"command {name!r}: slash commands need a 1-100 char description")
        reasons += _option_checks(name, command.get("options") or [])
    return reasons


_NAME_RULE = "^[-_'\\p{L}\\p{N}]{1,32}$"


def _option_checks(path: str, options: list[Any]) -> list[str]:
    reasons: list[str] = []
    names: set[str] = set()
    seen_optional = False
    for option in options:
        if not isinstance(option, dict):
            continue
        name = option.get("name")
        if not isinstance(name, str):
            continue
        where = f"{path} {name}"
        if not valid_command_name(name):
            reasons.append(f"option {where!r}: name must be lower case and match {_NAME_RULE}")
        if name in names:
            reasons.append(f"option {where!r}: duplicate option name")
        names.add(name)
        if option.get("type") in SUBCOMMAND_TYPES:
            reasons += _option_checks(where, option.get("options") or [])
            continue
        if option.get("required"):
            if seen_optional:
                reasons.append(f"option {where!r}: required options must precede optional ones")
        else:
            seen_optional = True
        if option.get("autocomplete") and option.get("choices"):
            reasons.append(f"option {where!r}: autocomplete cannot be combined with choices")
    return reasons
