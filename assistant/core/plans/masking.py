"""No identifying details in a stored plan: every piece of text a worker types into one (answers,
decision reasons, actions, review points, children's references) is checked before it is kept.

The API refuses a plan that carries one, naming the field, so that the worker rewrites it and
nothing is lost; the guided conversation masks the reply instead, as the chat does, and says so.
A plan stored before masking existed is masked the next time the conversation saves it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace

from assistant.core.plans.model import Answer, Decision, Plan, PlanValidationError
from assistant.core.privacy.redaction import DetailKind, redact

_DESCRIPTIONS = {
    DetailKind.NHS_NUMBER: "an NHS number",
    DetailKind.PHONE: "a phone number",
    DetailKind.EMAIL: "an email address",
    DetailKind.POSTCODE: "a postcode",
    DetailKind.NAME: "a name",
}


class IdentifyingDetailsError(PlanValidationError):
    """A plan's text holds a name, NHS number, phone number, email address or postcode."""

    def __init__(self, found: dict[str, tuple[DetailKind, ...]]) -> None:
        where = "; ".join(
            f"{field}: {' and '.join(_DESCRIPTIONS[k] for k in kinds)}"
            for field, kinds in found.items()
        )
        super().__init__(
            f"Plans hold no identifying details, and this one has some ({where}). Use initials "
            "or a case reference, and leave out names, NHS numbers, phone numbers, email "
            "addresses and postcodes."
        )
        self.found = found


def _texts(plan: Plan) -> Iterator[tuple[str, str]]:
    """Every worker-typed text of the plan, with where it is ("answers.recording")."""
    for i, child in enumerate(plan.children):
        yield f"children[{i}].reference", child.reference
    for question, answer in plan.answers.items():
        yield f"answers.{question}", answer.text
    for question, decision in plan.decisions.items():
        yield f"decisions.{question}.reason", decision.reason
    for i, action in enumerate(plan.actions):
        yield f"actions[{i}].what", action.what
        yield f"actions[{i}].who", action.who
    for i, point in enumerate(plan.review_points):
        yield f"review_points[{i}].label", point.label


def refuse_identifying_details(plan: Plan, not_names: Collection[str] = ()) -> Plan:
    """`plan` unchanged, or IdentifyingDetailsError naming each field with a detail in it."""
    found = {
        field: result.removed
        for field, text in _texts(plan)
        if (result := redact(text, not_names)).changed
    }
    if found:
        raise IdentifyingDetailsError(found)
    return plan


@dataclass(frozen=True)
class MaskedPlan:
    plan: Plan
    removed: tuple[DetailKind, ...]


def mask_plan(plan: Plan, not_names: Collection[str] = ()) -> MaskedPlan:
    """`plan` with every identifying detail in its text replaced by a placeholder. Children's
    references are checked when they are given (initials or a case reference), so only the
    free text is masked here."""
    removed: dict[DetailKind, None] = {}

    def masked(text: str) -> str:
        result = redact(text, not_names)
        removed.update(dict.fromkeys(result.removed))
        return result.text

    changed = plan.with_changes(
        answers={q: Answer(masked(a.text), a.status) for q, a in plan.answers.items()},
        decisions={q: Decision(d.decided, masked(d.reason)) for q, d in plan.decisions.items()},
        actions=tuple(replace(a, what=masked(a.what), who=masked(a.who)) for a in plan.actions),
        review_points=tuple(replace(r, label=masked(r.label)) for r in plan.review_points),
    )
    return MaskedPlan(changed if removed else plan, tuple(removed))
