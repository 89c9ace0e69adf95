"""Resolving rumors and predictions (`fact resolve`): what became of one, as an ordinary
fact change (in the history, undoable, revertable, told to followers like any edit)."""

from __future__ import annotations

from typing import Any

from bot import validation as v
from bot.errors import InvalidInputError
from bot.models import Actor, Status, Verdict
from bot.moderation.facts import FactDesk
from bot.outcomes import Outcome
from bot.store.core import now


class OutcomeDesk(FactDesk):
    def resolve_fact(
        self,
        actor: Actor,
        fact_id: int,
        outcome: str,
        *,
        note: str | None = None,
        unspoil: str | bool | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """Record that a rumor or prediction came true or was busted (``open``: undecided
        again). Its spoiler tag comes off only with ``unspoil`` yes on one that came true;
        a note or unspoil left out is kept while the outcome stays the same. A global
        fact is resolved for this server only (its version of the fact)."""
        verdict = v.parse_outcome(outcome)
        said = v.clean_text(note, "note", v.MAX_OUTCOME_NOTE, required=False)
        lift = None if unspoil is None else v.parse_bool(unspoil, "unspoil")
        if lift and verdict is not Verdict.CAME_TRUE:
            raise InvalidInputError(
                "unspoil: only a prediction that came true can lose its spoiler tag."
            )
        if verdict is None and said:
            raise InvalidInputError("note: an open prediction has no outcome to note.")
        with self.store.batch():
            row = self.fact_row(fact_id, actor)
            seen = self._as_here(row, actor)
            if seen["deleted_at"] or seen["hides"]:
                raise InvalidInputError(f"Fact #{fact_id} is removed; restore it first.")
            if not Status(seen["status"]).speculative:
                raise InvalidInputError(
                    f"Fact #{fact_id} is {seen['status']}: only a rumor or a prediction"
                    " has an outcome."
                )
            changes = _resolution(seen, verdict, said, lift)
            if all(seen[k] == val for k, val in changes.items()):
                return Outcome("fact.unchanged", fact_id=seen["id"], version=seen["version"])
            if changes["outcome"] != seen["outcome"]:  # reworded only: resolved back then
                changes["outcome_at"] = now() if verdict else None
            if self._own(row, actor):
                self._check_version(row, actor, expected_version)
                after = self.store.update(
                    "fact", fact_id, changes, actor, "fact.resolve", expected_version=row["version"]
                )
                overrides = None
            else:
                after = self._override(
                    row, actor, changes, expected_version=expected_version, action="fact.resolve"
                )
                overrides = fact_id
        self._done()
        return Outcome(
            "fact.resolve",
            fact_id=after["id"],
            version=after["version"],
            name=verdict.value if verdict else None,
            overrides=overrides,
            counts={"unspoiled": int(bool(after["unspoiled"]))},
        )

    def _as_here(self, row: dict[str, Any], actor: Actor) -> dict[str, Any]:
        """The fact as this server has it: its own version of a global fact, if any (a
        hiding marker included, so a hidden fact reads as removed)."""
        if self._own(row, actor) or actor.guild_id is None:
            return row
        mine = self.store.override_of(row["id"], actor.guild_id)
        return mine if mine is not None and not mine["deleted_at"] else row


def _resolution(
    seen: dict[str, Any], verdict: Verdict | None, note: str | None, lift: bool | None
) -> dict[str, Any]:
    """The fact's outcome columns after the resolve (``outcome_at`` aside)."""
    same = verdict is not None and seen["outcome"] == verdict.value
    if note is None and same:
        note = seen["outcome_note"]
    unspoiled = bool(seen["unspoiled"]) if lift is None and same else bool(lift)
    changes: dict[str, Any] = {
        "outcome": verdict.value if verdict else None,
        "outcome_note": note,
        "unspoiled": int(unspoiled and verdict is Verdict.CAME_TRUE),
    }
    if changes["unspoiled"]:
        changes["spoiler"] = 0  # "unspoil" lifts the tag, whatever put it there
    return changes
