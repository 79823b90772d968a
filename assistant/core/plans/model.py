"""An assessment plan: the worker's inputs and answers, never copies of computed dates.

Deadlines are worked out from the inputs (referral date, expected delivery date, dates of
birth) whenever the plan is shown or exported, so changing an input moves every date that
depends on it. Children are referred to by initials or a case reference only.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

BRANCH_IDS = (
    "homeless-16-17",
    "trafficking-nrm",
    "family-abroad",
    "extra-familial-harm",
    "pre-birth",
)
# Dates an action can fall due on, computed from the plan's inputs by the timescales module.
DUE_ANCHORS = ("assessment_due", "pre_birth_complete_by", "18th_birthday")
MAX_ANSWER_CHARS = 2000
MAX_CHILDREN = 12
# Initials ("AB", "A.B.", "J-P S") or a case reference with a digit ("CR-20391"): not names.
_INITIALS = re.compile(r"^(?:[A-Z][.\-]?\s?){1,4}$")
_REFERENCE = re.compile(r"^(?=.*\d)[A-Za-z0-9][A-Za-z0-9/\-_.]{1,30}$")


class PlanValidationError(ValueError):
    """A plan input that cannot be right (a name where initials belong, an impossible date)."""


class AnswerStatus(StrEnum):
    ANSWERED = "answered"
    NOT_SURE = "not_sure"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Answer:
    text: str
    status: AnswerStatus = AnswerStatus.ANSWERED


@dataclass(frozen=True)
class Decision:
    """A recorded decision (an interpreter is used, consent is given) with its reason."""

    decided: bool | None
    reason: str


@dataclass(frozen=True)
class Child:
    reference: str
    date_of_birth: date | None = None


@dataclass(frozen=True)
class Action:
    """A SMART action. `due` is a rule (`working_days:5`, `assessment_due`, …) or an ISO date,
    so that a rule-based date follows the referral date when it changes."""

    what: str
    who: str
    due: str
    branch: str | None = None
    section_id: str | None = None
    done: bool = False


@dataclass(frozen=True)
class ReviewPoint:
    label: str
    due: str


@dataclass(frozen=True)
class Plan:
    id: str
    authority: str
    version: int = 0  # 0 until first stored; each stored change adds one
    children: tuple[Child, ...] = ()
    referral_date: date | None = None
    expected_delivery_date: date | None = None
    branches: frozenset[str] = frozenset()
    answers: Mapping[str, Answer] = field(default_factory=dict)
    decisions: Mapping[str, Decision] = field(default_factory=dict)
    actions: tuple[Action, ...] = ()
    review_points: tuple[ReviewPoint, ...] = ()
    checklist: Mapping[str, bool] = field(default_factory=dict)
    # Where the guided conversation got to, so that it resumes there from any channel.
    cursor: str | None = None
    # The steps the worker has dealt with (answered, skipped or not sure): going forward
    # passes over them, so "back" then an answer returns to where they were.
    settled: frozenset[str] = frozenset()
    finished: bool = False

    @property
    def date_of_birth(self) -> date | None:
        """The youngest child's date of birth (the one the 18th-birthday warning is about)."""
        born = [c.date_of_birth for c in self.children if c.date_of_birth]
        return max(born) if born else None

    def with_changes(self, **changes: Any) -> Plan:
        return replace(self, **changes)


def new_plan_id() -> str:
    """Ten hex digits: short enough to type on a phone, and checked unique when stored."""
    return uuid.uuid4().hex[:10]


def check_child_reference(reference: str) -> str:
    """Initials or a case reference; anything that looks like a name is refused."""
    reference = " ".join(reference.split())
    if _INITIALS.match(reference) or _REFERENCE.match(reference):
        return reference
    raise PlanValidationError(
        f"“{reference[:40]}” is not initials or a case reference. Plans hold no names: "
        "use initials (such as AB) or the case reference."
    )


def check_text(text: str, what: str = "An answer") -> str:
    text = text.strip()
    if len(text) > MAX_ANSWER_CHARS:
        raise PlanValidationError(f"{what} is limited to {MAX_ANSWER_CHARS} characters.")
    return text


def check_branches(branches: frozenset[str]) -> frozenset[str]:
    unknown = branches - set(BRANCH_IDS)
    if unknown:
        raise PlanValidationError(
            f"Unknown branch {sorted(unknown)}; branches are {', '.join(BRANCH_IDS)}."
        )
    return branches


def is_due_rule(due: str) -> bool:
    kind, _, days = due.partition(":")
    return due in DUE_ANCHORS or (kind == "working_days" and days.isdigit())


def check_due(due: str) -> str:
    """A due rule (`working_days:<n>`, `assessment_due`, …) or an ISO date."""
    if is_due_rule(due):
        return due
    try:
        date.fromisoformat(due)
    except ValueError:
        raise PlanValidationError(
            f"“{due}” is not a date (YYYY-MM-DD) or a rule such as working_days:10 "
            f"or one of {', '.join(DUE_ANCHORS)}."
        ) from None
    return due


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The stored form of a plan (also the body the API returns under "plan")."""
    return {
        "id": plan.id,
        "authority": plan.authority,
        "version": plan.version,
        "children": [
            {"reference": c.reference, "date_of_birth": _iso(c.date_of_birth)}
            for c in plan.children
        ],
        "referral_date": _iso(plan.referral_date),
        "expected_delivery_date": _iso(plan.expected_delivery_date),
        "branches": sorted(plan.branches),
        "answers": {k: {"text": a.text, "status": a.status.value} for k, a in plan.answers.items()},
        "decisions": {
            k: {"decided": d.decided, "reason": d.reason} for k, d in plan.decisions.items()
        },
        "actions": [
            {
                "what": a.what,
                "who": a.who,
                "due": a.due,
                "branch": a.branch,
                "section_id": a.section_id,
                "done": a.done,
            }
            for a in plan.actions
        ],
        "review_points": [{"label": r.label, "due": r.due} for r in plan.review_points],
        "checklist": dict(plan.checklist),
        "cursor": plan.cursor,
        "settled": sorted(plan.settled),
        "finished": plan.finished,
    }


def plan_from_json(body: Mapping[str, Any]) -> Plan:
    return Plan(
        id=str(body["id"]),
        authority=str(body["authority"]),
        version=int(body.get("version", 0)),
        children=tuple(
            Child(str(c["reference"]), _date(c.get("date_of_birth")))
            for c in body.get("children", [])
        ),
        referral_date=_date(body.get("referral_date")),
        expected_delivery_date=_date(body.get("expected_delivery_date")),
        branches=frozenset(body.get("branches", [])),
        answers={
            str(k): Answer(str(a["text"]), AnswerStatus(a.get("status", "answered")))
            for k, a in body.get("answers", {}).items()
        },
        decisions={
            str(k): Decision(d.get("decided"), str(d.get("reason", "")))
            for k, d in body.get("decisions", {}).items()
        },
        actions=tuple(
            Action(
                what=str(a["what"]),
                who=str(a["who"]),
                due=str(a["due"]),
                branch=a.get("branch"),
                section_id=a.get("section_id"),
                done=bool(a.get("done", False)),
            )
            for a in body.get("actions", [])
        ),
        review_points=tuple(
            ReviewPoint(str(r["label"]), str(r["due"])) for r in body.get("review_points", [])
        ),
        checklist={str(k): bool(v) for k, v in body.get("checklist", {}).items()},
        cursor=body.get("cursor"),
        settled=frozenset(body.get("settled", [])),
        finished=bool(body.get("finished", False)),
    )


def _iso(when: date | None) -> str | None:
    return when.isoformat() if when else None


def _date(raw: object) -> date | None:
    return date.fromisoformat(str(raw)) if raw else None
