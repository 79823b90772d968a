"""Changes to a plan, each returning a new plan (plans are immutable values).

The same operations serve the API and the guided conversation, so both record a plan the
same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from assistant.core.plans.model import (
    Action,
    Answer,
    AnswerStatus,
    Child,
    Decision,
    Plan,
    PlanValidationError,
    ReviewPoint,
    check_branches,
    check_child_reference,
    check_due,
    check_text,
)
from assistant.core.plans.template import AuthorityPlan

MAX_ACTIONS = 100


def with_children(plan: Plan, references: Iterable[str]) -> Plan:
    """The children by initials or case reference, keeping dates of birth already known."""
    born = {c.reference: c.date_of_birth for c in plan.children}
    children = tuple(
        Child(ref, born.get(ref)) for ref in dict.fromkeys(map(check_child_reference, references))
    )
    if not children:
        raise PlanValidationError("Give at least one child's initials or case reference.")
    return plan.with_changes(children=children)


def with_date_of_birth(plan: Plan, born: date, reference: str | None = None) -> Plan:
    """A date of birth for one child (the first when not said)."""
    if plan.referral_date and born > plan.referral_date:
        raise PlanValidationError("The date of birth is after the referral date.")
    children = plan.children or (Child("Child 1"),)
    target = reference or children[0].reference
    if target not in {c.reference for c in children}:
        raise PlanValidationError(f"No child {target!r} in this plan.")
    return plan.with_changes(
        children=tuple(Child(c.reference, born) if c.reference == target else c for c in children)
    )


def with_branches(plan: Plan, branches: frozenset[str], sources: AuthorityPlan) -> Plan:
    """Set the branch flags; a flag adds its procedure's actions, and removing it takes away
    the ones not yet done."""
    branches = check_branches(branches)
    kept = tuple(a for a in plan.actions if a.branch is None or a.branch in branches or a.done)
    have = {(a.branch, a.what) for a in kept}
    added = tuple(
        Action(s.item.what, s.item.who, s.item.due, branch, s.section.id)
        for branch in sorted(branches - plan.branches)
        for s in sources.actions.get(branch, ())
        if (branch, s.item.what) not in have
    )
    return plan.with_changes(branches=branches, actions=kept + added)


def with_answer(
    plan: Plan, question_id: str, text: str, status: AnswerStatus = AnswerStatus.ANSWERED
) -> Plan:
    answer = Answer(check_text(text), status)
    return plan.with_changes(answers={**plan.answers, question_id: answer})


def with_decision(plan: Plan, question_id: str, decided: bool | None, reason: str) -> Plan:
    """A decision with its reason, which is also the answer to the planning question."""
    reason = check_text(reason, "A reason")
    decisions = {**plan.decisions, question_id: Decision(decided, reason)}
    status = AnswerStatus.NOT_SURE if decided is None else AnswerStatus.ANSWERED
    return with_answer(plan.with_changes(decisions=decisions), question_id, reason, status)


def with_action(plan: Plan, what: str, who: str, due: str) -> Plan:
    what, who = check_text(what, "An action"), check_text(who, "Who")
    if not what or not who:
        raise PlanValidationError("An action needs who does it and what they do.")
    if len(plan.actions) >= MAX_ACTIONS:
        raise PlanValidationError(f"A plan holds at most {MAX_ACTIONS} actions.")
    return plan.with_changes(actions=(*plan.actions, Action(what, who, check_due(due))))


def with_checklist(plan: Plan, ticks: dict[str, bool], sources: AuthorityPlan) -> Plan:
    known = {c.item.id for c in sources.checklist}
    unknown = set(ticks) - known
    if unknown:
        raise PlanValidationError(
            f"Unknown checklist items {sorted(unknown)}; this authority's are {sorted(known)}."
        )
    return plan.with_changes(checklist={**plan.checklist, **ticks})


@dataclass(frozen=True)
class PlanChanges:
    """A change to a plan from the API: only the fields given are changed.

    `actions` and `review_points` replace the worker's own ones; the actions a branch flag
    brings follow the flags.
    """

    children: tuple[Child, ...] | None = None
    referral_date: date | None = None
    expected_delivery_date: date | None = None
    branches: frozenset[str] | None = None
    answers: Mapping[str, Answer] = field(default_factory=dict)
    decisions: Mapping[str, Decision] = field(default_factory=dict)
    actions: tuple[Action, ...] | None = None
    review_points: tuple[ReviewPoint, ...] | None = None
    checklist: Mapping[str, bool] = field(default_factory=dict)
    finished: bool | None = None


def apply_changes(plan: Plan, changes: PlanChanges, sources: AuthorityPlan) -> Plan:
    """`plan` with `changes`; raises PlanValidationError for anything that cannot be right."""
    if changes.children is not None:
        plan = with_children(plan, (c.reference for c in changes.children))
        for child in changes.children:
            if child.date_of_birth:
                plan = with_date_of_birth(plan, child.date_of_birth, child.reference)
    if changes.referral_date is not None:
        plan = plan.with_changes(referral_date=changes.referral_date)
    if changes.expected_delivery_date is not None:
        plan = plan.with_changes(expected_delivery_date=changes.expected_delivery_date)
    if changes.branches is not None:
        plan = with_branches(plan, changes.branches, sources)
    known = set(sources.question_ids)
    unknown = (set(changes.answers) | set(changes.decisions)) - known
    if unknown:
        raise PlanValidationError(
            f"Unknown planning questions {sorted(unknown)}; this authority's are "
            f"{list(sources.question_ids)}."
        )
    for question_id, answer in changes.answers.items():
        plan = with_answer(plan, question_id, answer.text, answer.status)
    for question_id, decision in changes.decisions.items():
        plan = with_decision(plan, question_id, decision.decided, decision.reason)
    if changes.actions is not None:
        plan = plan.with_changes(actions=tuple(a for a in plan.actions if a.branch))
        for action in changes.actions:
            plan = with_action(plan, action.what, action.who, action.due)
            if action.done:
                plan = plan.with_changes(
                    actions=(*plan.actions[:-1], replace(plan.actions[-1], done=True))
                )
    if changes.review_points is not None:
        plan = plan.with_changes(
            review_points=tuple(
                ReviewPoint(check_text(r.label, "A review point"), check_due(r.due))
                for r in changes.review_points
            )
        )
    if changes.checklist:
        plan = with_checklist(plan, dict(changes.checklist), sources)
    if changes.finished is not None:
        plan = plan.with_changes(finished=changes.finished)
    if plan.referral_date and plan.date_of_birth and plan.date_of_birth > plan.referral_date:
        raise PlanValidationError("The date of birth is after the referral date.")
    return plan
